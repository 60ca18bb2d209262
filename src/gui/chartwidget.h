#pragma once

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <optional>
#include <utility>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace rae::gui {

// The time window a chart shows.
enum class ChartRange
{
    FiveMinutes,
    Hour,
    Day,
    ThirtyDays,
    Custom,
};

// A line chart of time series: the one place that knows Qt Charts (deprecated from Qt 6.10), so
// that a move to Qt Graphs changes this class only. x is unix milliseconds, y a value in `unit`.
//
// Each series is replaced in one call with its points thinned by LTTB to the plot's width in
// pixels. The window is one of the fixed ranges or a custom one (also set by dragging a rubber
// band over the plot; a right click zooms back out); live follow keeps its end at `now`.
// Hovering a line shows its value; clicking a legend marker hides or shows its series. Lives on
// the GUI thread; it never reads data itself, the owner answers rangeChanged().
class ChartWidget final : public QWidget
{
    Q_OBJECT

public:
    explicit ChartWidget(QWidget *parent = nullptr);
    ~ChartWidget() override;

    void setTitle(const QString &title);
    QString title() const;
    void setUnit(const QString &unit);
    // A fixed value range (0–100 for percentages); without one the axis follows the data.
    void setValueRange(std::optional<std::pair<double, double>> range);
    // Values at or below zero cannot be drawn on a log scale and are left out while it is on.
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }
    // A horizontal dashed line, with its own legend entry.
    void setThreshold(std::optional<double> value, const QString &label = {});
    std::optional<double> threshold() const { return m_thresholdValue; }
    // Shown over the plot while no series has a point, so that an empty chart says why.
    void setEmptyText(const QString &text);
    bool isEmptyTextShown() const;

    void setRange(ChartRange range);
    void setCustomRange(qint64 fromMs, qint64 toMs);
    ChartRange range() const { return m_range; }
    void setLiveFollow(bool follow);
    bool liveFollow() const { return m_liveFollow; }
    // The newest time the owner knows; with live follow the window ends here.
    void setNow(qint64 nowMs);
    qint64 fromMs() const { return m_fromMs; }
    qint64 toMs() const { return m_toMs; }
    static qint64 rangeLength(ChartRange range); // ms; 0 for Custom

    // What the series are thinned to: the plot area's width in pixels.
    int plotWidth() const;

    // Adds the series or replaces all its points; more points than plotWidth() are thinned.
    void setSeries(const QString &id, const QString &label, const QList<QPointF> &points);
    void removeSeries(const QString &id);
    // Drops every series not in `ids`, for subjects that went away.
    void retainSeries(const QStringList &ids);
    QStringList seriesIds() const;
    qsizetype pointCount(const QString &id) const;
    bool isSeriesVisible(const QString &id) const;
    void setSeriesVisible(const QString &id, bool visible);
    // The text the hover shows for a point of a series.
    QString hoverText(const QString &id, const QPointF &point) const;

signals:
    // The window changed by the user or by setRange(): the owner reads its data again.
    void rangeChanged();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void applyWindow();
    void updateValueAxis();
    void setValueTicks(double low, double high);
    void updateThresholdLine();
    void updateEmptyText();
    void attachToAxes(QLineSeries *series);
    void onAxisRangeChanged();
    void setMarkerDimmed(QLineSeries *series, bool dimmed);

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QDateTimeAxis *m_timeAxis = nullptr;
    QValueAxis *m_valueAxis = nullptr;
    QLogValueAxis *m_logAxis = nullptr;
    QLineSeries *m_thresholdLine = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QHash<QString, QLineSeries *> m_series; // id -> series (owned by the chart)
    QStringList m_order;
    QString m_unit;
    QString m_emptyText;
    QString m_thresholdLabel;
    std::optional<double> m_thresholdValue;
    std::optional<std::pair<double, double>> m_fixedRange;
    ChartRange m_range = ChartRange::Hour;
    bool m_liveFollow = true;
    bool m_logScale = false;
    bool m_settingWindow = false;
    qint64 m_nowMs = 0;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
};

} // namespace rae::gui
