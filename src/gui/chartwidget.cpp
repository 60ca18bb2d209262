#include "chartwidget.h"

#include "monitor/lttb.h"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rae::gui {

namespace {

QString timeFormatFor(qint64 lengthMs)
{
    if (lengthMs <= 30 * 60 * 1000)
        return QStringLiteral("HH:mm:ss");
    if (lengthMs <= 2 * 24 * 3600 * 1000LL)
        return QStringLiteral("HH:mm");
    return QStringLiteral("d MMM");
}

} // namespace

ChartWidget::ChartWidget(QWidget *parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_timeAxis(new QDateTimeAxis)
    , m_valueAxis(new QValueAxis)
    , m_logAxis(new QLogValueAxis)
{
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_timeAxis->setTickCount(5);
    m_valueAxis->setLabelFormat(QStringLiteral("%.4g"));
    m_logAxis->setLabelFormat(QStringLiteral("%.4g"));
    m_logAxis->setBase(10.0);
    m_logAxis->setMinorTickCount(-1);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    // The log axis is parked outside the chart until it is asked for; the widget owns it then.
    m_logAxis->setParent(this);

    m_thresholdLine = new QLineSeries;
    QPen pen(QColor(0xc6, 0x28, 0x28));
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(1.5);
    m_thresholdLine->setPen(pen);
    m_chart->addSeries(m_thresholdLine);
    attachToAxes(m_thresholdLine);
    m_thresholdLine->setVisible(false);
    for (QLegendMarker *marker : m_chart->legend()->markers(m_thresholdLine))
        marker->setVisible(false);

    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setRubberBand(QChartView::HorizontalRubberBand);
    m_view->setMinimumHeight(160);

    m_emptyLabel = new QLabel(m_view);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyLabel->setStyleSheet(QStringLiteral("color: palette(mid); font-size: 13pt;"));
    m_emptyLabel->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

    connect(m_timeAxis, &QDateTimeAxis::rangeChanged, this, &ChartWidget::onAxisRangeChanged);

    setNow(QDateTime::currentMSecsSinceEpoch());
}

ChartWidget::~ChartWidget() = default;

void ChartWidget::setTitle(const QString &title)
{
    m_chart->setTitle(title);
}

QString ChartWidget::title() const
{
    return m_chart->title();
}

void ChartWidget::setUnit(const QString &unit)
{
    m_unit = unit;
    m_valueAxis->setTitleText(unit);
    m_logAxis->setTitleText(unit);
}

void ChartWidget::setValueRange(std::optional<std::pair<double, double>> range)
{
    m_fixedRange = range;
    updateValueAxis();
}

void ChartWidget::setLogScale(bool on)
{
    if (on == m_logScale)
        return;
    m_logScale = on;
    QAbstractAxis *from = on ? static_cast<QAbstractAxis *>(m_valueAxis) : m_logAxis;
    QAbstractAxis *to = on ? static_cast<QAbstractAxis *>(m_logAxis) : m_valueAxis;
    m_chart->removeAxis(from);
    from->setParent(this);
    m_chart->addAxis(to, Qt::AlignLeft);
    m_thresholdLine->attachAxis(to);
    for (QLineSeries *series : std::as_const(m_series))
        series->attachAxis(to);
    // The points kept depend on the scale (nothing at or below zero on a log axis).
    emit rangeChanged();
    updateValueAxis();
}

void ChartWidget::setThreshold(std::optional<double> value, const QString &label)
{
    m_thresholdValue = value;
    m_thresholdLabel = label;
    m_thresholdLine->setName(label);
    m_thresholdLine->setVisible(value.has_value());
    for (QLegendMarker *marker : m_chart->legend()->markers(m_thresholdLine))
        marker->setVisible(value.has_value());
    updateThresholdLine();
    updateValueAxis();
}

void ChartWidget::setEmptyText(const QString &text)
{
    m_emptyText = text;
    m_emptyLabel->setText(text);
    updateEmptyText();
}

bool ChartWidget::isEmptyTextShown() const
{
    return !m_emptyLabel->isHidden();
}

qint64 ChartWidget::rangeLength(ChartRange range)
{
    switch (range) {
    case ChartRange::FiveMinutes:
        return 5 * 60 * 1000;
    case ChartRange::Hour:
        return 3600 * 1000;
    case ChartRange::Day:
        return 24 * 3600 * 1000LL;
    case ChartRange::ThirtyDays:
        return 30 * 24 * 3600 * 1000LL;
    case ChartRange::Custom:
        break;
    }
    return 0;
}

void ChartWidget::setRange(ChartRange range)
{
    m_range = range;
    if (range != ChartRange::Custom) {
        m_toMs = m_liveFollow ? m_nowMs : std::max(m_toMs, m_nowMs);
        m_fromMs = m_toMs - rangeLength(range);
    }
    applyWindow();
    emit rangeChanged();
}

void ChartWidget::setCustomRange(qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return;
    m_range = ChartRange::Custom;
    m_liveFollow = false;
    m_fromMs = fromMs;
    m_toMs = toMs;
    applyWindow();
    emit rangeChanged();
}

void ChartWidget::setLiveFollow(bool follow)
{
    m_liveFollow = follow;
    if (follow && m_range == ChartRange::Custom) {
        // A custom window keeps its length and slides to now.
        const qint64 length = m_toMs - m_fromMs;
        m_toMs = m_nowMs;
        m_fromMs = m_toMs - length;
        applyWindow();
        emit rangeChanged();
    } else if (follow) {
        setRange(m_range);
    }
}

void ChartWidget::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (!m_liveFollow)
        return;
    const qint64 length = m_range == ChartRange::Custom ? m_toMs - m_fromMs : rangeLength(m_range);
    m_toMs = nowMs;
    m_fromMs = nowMs - length;
    applyWindow();
}

int ChartWidget::plotWidth() const
{
    const int area = int(m_chart->plotArea().width());
    // Before the first layout the plot area is empty; the widget's width is the best guess.
    return std::max(area > 0 ? area : width() - 80, 100);
}

void ChartWidget::setSeries(const QString &id, const QString &label, const QList<QPointF> &points)
{
    QLineSeries *series = m_series.value(id);
    if (!series) {
        series = new QLineSeries;
        series->setName(label);
        m_chart->addSeries(series);
        attachToAxes(series);
        m_series.insert(id, series);
        m_order.append(id);
        connect(series, &QXYSeries::hovered, this, [this, id](const QPointF &point, bool state) {
            if (state)
                QToolTip::showText(QCursor::pos(), hoverText(id, point), m_view);
            else
                QToolTip::hideText();
        });
        for (QLegendMarker *marker : m_chart->legend()->markers(series)) {
            connect(marker, &QLegendMarker::clicked, this,
                    [this, id] { setSeriesVisible(id, !isSeriesVisible(id)); });
        }
    } else if (series->name() != label) {
        series->setName(label);
    }

    QList<QPointF> thinned = monitor::lttb(points, plotWidth());
    // Qt Charts draws no gaps: a NaN would break the whole line, so gaps are bridged instead.
    thinned.removeIf([this](const QPointF &point) {
        return !std::isfinite(point.y()) || (m_logScale && point.y() <= 0.0);
    });
    // A line needs two points; a series polled every 30 s shows its first value as a dot.
    series->setPointsVisible(thinned.size() < 3);
    series->replace(thinned);
    updateValueAxis();
    updateEmptyText();
}

void ChartWidget::removeSeries(const QString &id)
{
    QLineSeries *series = m_series.take(id);
    if (!series)
        return;
    m_order.removeAll(id);
    m_chart->removeSeries(series);
    delete series;
    updateValueAxis();
    updateEmptyText();
}

void ChartWidget::retainSeries(const QStringList &ids)
{
    const QStringList current = m_order;
    for (const QString &id : current) {
        if (!ids.contains(id))
            removeSeries(id);
    }
}

QStringList ChartWidget::seriesIds() const
{
    return m_order;
}

qsizetype ChartWidget::pointCount(const QString &id) const
{
    const QLineSeries *series = m_series.value(id);
    return series ? series->count() : 0;
}

bool ChartWidget::isSeriesVisible(const QString &id) const
{
    const QLineSeries *series = m_series.value(id);
    return series && series->isVisible();
}

void ChartWidget::setSeriesVisible(const QString &id, bool visible)
{
    QLineSeries *series = m_series.value(id);
    if (!series)
        return;
    series->setVisible(visible);
    setMarkerDimmed(series, !visible);
    // The legend hides the marker of a hidden series on its own, after this returns.
    QTimer::singleShot(0, this, [this, id, visible] {
        if (QLineSeries *later = m_series.value(id))
            setMarkerDimmed(later, !visible);
    });
    updateValueAxis();
}

QString ChartWidget::hoverText(const QString &id, const QPointF &point) const
{
    const QLineSeries *series = m_series.value(id);
    const QString when = QDateTime::fromMSecsSinceEpoch(qint64(point.x()))
                             .toString(timeFormatFor(m_toMs - m_fromMs) == QLatin1String("d MMM")
                                           ? QStringLiteral("d MMM HH:mm")
                                           : QStringLiteral("HH:mm:ss"));
    return tr("%1\n%2: %3 %4")
        .arg(series ? series->name() : id, when, QString::number(point.y(), 'g', 4), m_unit);
}

void ChartWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateEmptyText();
}

void ChartWidget::applyWindow()
{
    m_settingWindow = true;
    m_timeAxis->setFormat(timeFormatFor(m_toMs - m_fromMs));
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(m_fromMs),
                         QDateTime::fromMSecsSinceEpoch(m_toMs));
    m_settingWindow = false;
    updateThresholdLine();
}

void ChartWidget::onAxisRangeChanged()
{
    if (m_settingWindow)
        return;
    // A rubber band or a zoom out moved the axis: that window is a custom range now.
    const qint64 from = m_timeAxis->min().toMSecsSinceEpoch();
    const qint64 to = m_timeAxis->max().toMSecsSinceEpoch();
    if (from == m_fromMs && to == m_toMs)
        return;
    m_range = ChartRange::Custom;
    m_liveFollow = false;
    m_fromMs = from;
    m_toMs = to;
    m_timeAxis->setFormat(timeFormatFor(m_toMs - m_fromMs));
    updateThresholdLine();
    emit rangeChanged();
}

void ChartWidget::updateValueAxis()
{
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    for (const QLineSeries *series : std::as_const(m_series)) {
        if (!series->isVisible())
            continue;
        for (const QPointF &point : series->points()) {
            low = std::min(low, point.y());
            high = std::max(high, point.y());
        }
    }
    if (m_thresholdValue) {
        low = std::min(low, *m_thresholdValue);
        high = std::max(high, *m_thresholdValue);
    }

    if (m_logScale) {
        if (!std::isfinite(low) || low <= 0.0)
            low = 0.1;
        if (!std::isfinite(high) || high <= low)
            high = low * 10.0;
        m_logAxis->setRange(low / 1.5, high * 1.5);
        return;
    }
    if (m_fixedRange) {
        setValueTicks(m_fixedRange->first, m_fixedRange->second);
        return;
    }
    if (!std::isfinite(low)) {
        low = 0.0;
        high = 1.0;
    }
    // Latencies and lags are read against zero; a little headroom keeps the top line visible.
    low = std::min(low, 0.0);
    high = high <= low ? low + 1.0 : high * 1.1;
    setValueTicks(low, high);
}

void ChartWidget::setValueTicks(double low, double high)
{
    // Qt Charts elides tick labels that crowd each other, so a short chart gets fewer ticks; the
    // step is 1, 2 or 5 times a power of ten, anchored at zero, so the labels stay round.
    const int maxTicks = std::clamp(int(m_chart->plotArea().height() / 28.0), 2, 8);
    const double raw = (high - low) / double(maxTicks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10.0 * magnitude;
    for (const double factor : {1.0, 2.0, 5.0}) {
        if (factor * magnitude >= raw) {
            step = factor * magnitude;
            break;
        }
    }
    m_valueAxis->setRange(std::floor(low / step) * step, std::ceil(high / step) * step);
    m_valueAxis->setTickType(QValueAxis::TicksDynamic);
    m_valueAxis->setTickAnchor(0.0);
    m_valueAxis->setTickInterval(step);
}

void ChartWidget::updateThresholdLine()
{
    if (!m_thresholdValue) {
        m_thresholdLine->clear();
        return;
    }
    m_thresholdLine->replace(
        {QPointF(double(m_fromMs), *m_thresholdValue), QPointF(double(m_toMs), *m_thresholdValue)});
}

void ChartWidget::updateEmptyText()
{
    bool empty = true;
    for (const QLineSeries *series : std::as_const(m_series)) {
        if (series->count() > 0) {
            empty = false;
            break;
        }
    }
    const bool show = empty && !m_emptyText.isEmpty();
    m_emptyLabel->setVisible(show);
    if (show)
        m_emptyLabel->setGeometry(m_view->rect().adjusted(40, 40, -40, -40));
}

void ChartWidget::attachToAxes(QLineSeries *series)
{
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_logScale ? static_cast<QAbstractAxis *>(m_logAxis) : m_valueAxis);
}

void ChartWidget::setMarkerDimmed(QLineSeries *series, bool dimmed)
{
    for (QLegendMarker *marker : m_chart->legend()->markers(series)) {
        // Qt Charts hides the marker with its series; it stays, greyed, to be clicked again.
        marker->setVisible(true);
        QColor label = m_chart->legend()->labelColor();
        label.setAlphaF(dimmed ? 0.4f : 1.0f);
        marker->setLabelBrush(label);
        QBrush brush = marker->brush();
        QColor color = brush.color();
        color.setAlphaF(dimmed ? 0.3f : 1.0f);
        brush.setColor(color);
        marker->setBrush(brush);
    }
}

} // namespace rae::gui
