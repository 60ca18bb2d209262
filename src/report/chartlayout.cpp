#include "chartlayout.h"

#include "monitor/lttb.h"

#include <QDateTime>

#include <cmath>
#include <limits>

namespace rae::report {

namespace {

// A line drawn through more points than the chart has device pixels looks no different.
constexpr qsizetype kPointsPerLine = 600;

// A step of 1, 2 or 5 times a power of ten that gives about `count` ticks over `span`.
double niceStep(double span, int count)
{
    const double raw = span / count;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0}) {
        if (factor * power >= raw)
            return factor * power;
    }
    return 10.0 * power;
}

QString valueLabel(double value, double step)
{
    const int decimals = step >= 1.0 ? 0 : int(std::ceil(-std::log10(step)));
    return QString::number(value, 'f', decimals);
}

} // namespace

QColor seriesColor(int index)
{
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x2c, 0xa0, 0x2c), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                     QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    return palette[index % int(std::size(palette))];
}

QColor roleColor(const QString &role)
{
    if (role == QLatin1String("db"))
        return QColor(0xc6, 0xdb, 0xef);
    if (role == QLatin1String("vector"))
        return QColor(0xc7, 0xe9, 0xc0);
    if (role == QLatin1String("redis"))
        return QColor(0xfc, 0xbb, 0xa1);
    if (role == QLatin1String("api"))
        return QColor(0xfd, 0xd0, 0xa2);
    if (role == QLatin1String("llm"))
        return QColor(0xda, 0xda, 0xeb);
    if (role == QLatin1String("gateway"))
        return QColor(0xf2, 0xf0, 0xb0);
    return QColor(0xe0, 0xe0, 0xe0);
}

ChartLayout layoutChart(const ReportModel &model, const Chart &chart, const QRectF &area,
                        double labelWidth, double labelHeight)
{
    ChartLayout layout;
    layout.plot =
        area.adjusted(labelWidth, labelHeight * 0.5, -labelHeight * 0.5, -labelHeight * 1.5);

    double tMin = std::numeric_limits<double>::infinity();
    double tMax = -tMin;
    double vMin = tMin;
    double vMax = -tMin;
    for (int index : chart.series) {
        for (const QPointF &point : model.series.at(index).points) {
            if (std::isnan(point.y()))
                continue;
            tMin = std::min(tMin, point.x());
            tMax = std::max(tMax, point.x());
            vMin = std::min(vMin, point.y());
            vMax = std::max(vMax, point.y());
        }
    }
    if (!std::isfinite(tMin))
        return layout;
    if (model.title.periodStart.isValid() && model.title.periodEnd.isValid()) {
        tMin = std::min(tMin, double(model.title.periodStart.toMSecsSinceEpoch()));
        tMax = std::max(tMax, double(model.title.periodEnd.toMSecsSinceEpoch()));
    }
    if (tMax <= tMin)
        tMax = tMin + 1000;
    // Values start at zero unless they are all negative: latencies and lags read best that way.
    vMin = std::min(vMin, 0.0);
    if (vMax <= vMin)
        vMax = vMin + 1;
    const double step = niceStep(vMax - vMin, 4);
    vMin = std::floor(vMin / step) * step;
    vMax = std::ceil(vMax / step) * step;

    const QRectF &plot = layout.plot;
    const auto x = [&](double t) {
        return plot.left() + (t - tMin) / (tMax - tMin) * plot.width();
    };
    const auto y = [&](double v) {
        return plot.bottom() - (v - vMin) / (vMax - vMin) * plot.height();
    };

    for (double v = vMin; v <= vMax + step * 0.5; v += step)
        layout.valueTicks.append({y(v), valueLabel(v, step)});
    const int timeTickCount = 6;
    const bool spansDays = tMax - tMin > 36.0 * 3'600'000;
    for (int i = 0; i <= timeTickCount; ++i) {
        const double t = tMin + (tMax - tMin) * i / timeTickCount;
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(qint64(t), Qt::UTC);
        layout.timeTicks.append({x(t), when.toString(spansDays ? QStringLiteral("MM-dd HH:mm")
                                                               : QStringLiteral("HH:mm"))});
    }

    for (qsizetype i = 0; i < chart.series.size(); ++i) {
        const Series &series = model.series.at(chart.series.at(i));
        const QList<QPointF> thinned =
            monitor::lttbWith(series.points.size(), kPointsPerLine,
                              [&series](qsizetype at) { return series.points.at(at); });
        ChartLine line{series.subject, seriesColor(int(i)), {}};
        QPolygonF segment;
        for (const QPointF &point : thinned) {
            if (std::isnan(point.y())) {
                if (!segment.isEmpty())
                    line.segments.append(segment);
                segment.clear();
                continue;
            }
            segment.append(QPointF(x(point.x()), y(point.y())));
        }
        if (!segment.isEmpty())
            line.segments.append(segment);
        layout.lines.append(line);
    }
    return layout;
}

} // namespace rae::report
