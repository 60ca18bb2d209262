#include "chartwidget.h"

#include "monitor/metricstore.h"

#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace rae;
using namespace rae::gui;

namespace {

QList<QPointF> wave(qint64 startMs, int count, qint64 stepMs)
{
    QList<QPointF> points;
    points.reserve(count);
    for (int i = 0; i < count; ++i)
        points.append(QPointF(double(startMs + i * stepMs), 50.0 + 40.0 * std::sin(i / 50.0)));
    return points;
}

} // namespace

// The chart wrapper: thinning to the plot width, the range switch, legend toggles, the empty
// text and the threshold; and the store's choice of tier for a chart's width.
class TestChartWidget final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void aLongSeriesIsThinnedToThePlotWidth();
    void aShortSeriesKeepsEveryPoint();
    void gapsAreLeftOut();
    void theRangeSwitchMovesTheWindow_data();
    void theRangeSwitchMovesTheWindow();
    void aCustomRangeStopsFollowing();
    void clickingALegendMarkerHidesItsSeries();
    void anEmptyChartSaysWhy();
    void theThresholdIsALineAcrossTheWindow();
    void theLogScaleLeavesOutValuesAtOrBelowZero();
    void aWideRangeReadsACoarserTier_data();
    void aWideRangeReadsACoarserTier();

private:
    ChartWidget *m_chart = nullptr;
    const qint64 m_now = 1'760'000'000'000;
};

void TestChartWidget::init()
{
    m_chart = new ChartWidget;
    m_chart->resize(900, 400);
    m_chart->setNow(m_now);
    m_chart->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_chart));
}

void TestChartWidget::cleanup()
{
    delete m_chart;
    m_chart = nullptr;
}

void TestChartWidget::aLongSeriesIsThinnedToThePlotWidth()
{
    const int width = m_chart->plotWidth();
    QVERIFY(width > 300 && width < 900);
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"),
                       wave(m_now - 3'600'000, 10'000, 360));
    QCOMPARE(m_chart->pointCount(QStringLiteral("a")), qsizetype(width));
    // Replaced, not appended, on the next call.
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"), wave(m_now - 60'000, 50, 1000));
    QCOMPARE(m_chart->pointCount(QStringLiteral("a")), qsizetype(50));
    QCOMPARE(m_chart->seriesIds(), QStringList{QStringLiteral("a")});
}

void TestChartWidget::aShortSeriesKeepsEveryPoint()
{
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"), wave(m_now - 60'000, 60, 1000));
    QCOMPARE(m_chart->pointCount(QStringLiteral("a")), qsizetype(60));
}

void TestChartWidget::gapsAreLeftOut()
{
    QList<QPointF> points = wave(m_now - 10'000, 10, 1000);
    points[4].setY(std::nan(""));
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"), points);
    QCOMPARE(m_chart->pointCount(QStringLiteral("a")), qsizetype(9));
}

void TestChartWidget::theRangeSwitchMovesTheWindow_data()
{
    QTest::addColumn<ChartRange>("range");
    QTest::addColumn<qint64>("length");
    QTest::newRow("five minutes show the last 300 s") << ChartRange::FiveMinutes << 300'000LL;
    QTest::newRow("an hour shows the last 3,600 s") << ChartRange::Hour << 3'600'000LL;
    QTest::newRow("a day shows the last 24 h") << ChartRange::Day << 86'400'000LL;
    QTest::newRow("30 days show the last month") << ChartRange::ThirtyDays << 30 * 86'400'000LL;
}

void TestChartWidget::theRangeSwitchMovesTheWindow()
{
    QFETCH(ChartRange, range);
    QFETCH(qint64, length);
    QSignalSpy changed(m_chart, &ChartWidget::rangeChanged);
    m_chart->setRange(range);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_chart->range(), range);
    QCOMPARE(m_chart->toMs(), m_now);
    QCOMPARE(m_chart->toMs() - m_chart->fromMs(), length);

    // Live follow slides the window with time, without asking for a new read.
    m_chart->setNow(m_now + 5000);
    QCOMPARE(m_chart->toMs(), m_now + 5000);
    QCOMPARE(m_chart->toMs() - m_chart->fromMs(), length);
    QCOMPARE(changed.size(), 1);
}

void TestChartWidget::aCustomRangeStopsFollowing()
{
    m_chart->setCustomRange(m_now - 7200'000, m_now - 3600'000);
    QCOMPARE(m_chart->range(), ChartRange::Custom);
    QVERIFY(!m_chart->liveFollow());
    m_chart->setNow(m_now + 60'000);
    QCOMPARE(m_chart->toMs(), m_now - 3600'000);
    // Following again keeps the length and slides the window to now.
    m_chart->setLiveFollow(true);
    QCOMPARE(m_chart->toMs(), m_now + 60'000);
    QCOMPARE(m_chart->toMs() - m_chart->fromMs(), 3600'000LL);
}

void TestChartWidget::clickingALegendMarkerHidesItsSeries()
{
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"), wave(m_now - 60'000, 60, 1000));
    m_chart->setSeries(QStringLiteral("b"), QStringLiteral("B"), wave(m_now - 60'000, 60, 1000));
    auto *view = m_chart->findChild<QChartView *>();
    QVERIFY(view);
    QLegendMarker *markerOfB = nullptr;
    for (QLegendMarker *marker : view->chart()->legend()->markers()) {
        if (marker->label() == QLatin1String("B"))
            markerOfB = marker;
    }
    QVERIFY(markerOfB);

    emit markerOfB->clicked();
    QVERIFY(!m_chart->isSeriesVisible(QStringLiteral("b")));
    QVERIFY(m_chart->isSeriesVisible(QStringLiteral("a")));
    QTRY_VERIFY2(markerOfB->isVisible(), "the marker stays to be clicked again");

    emit markerOfB->clicked();
    QVERIFY(m_chart->isSeriesVisible(QStringLiteral("b")));
}

void TestChartWidget::anEmptyChartSaysWhy()
{
    m_chart->setEmptyText(QStringLiteral("No GPU data yet"));
    QVERIFY(m_chart->isEmptyTextShown());
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"), wave(m_now - 10'000, 10, 1000));
    QVERIFY(!m_chart->isEmptyTextShown());
    m_chart->retainSeries({});
    QVERIFY(m_chart->seriesIds().isEmpty());
    QVERIFY(m_chart->isEmptyTextShown());
}

void TestChartWidget::theThresholdIsALineAcrossTheWindow()
{
    m_chart->setRange(ChartRange::Hour);
    m_chart->setThreshold(60.0, QStringLiteral("alert above 60 s"));
    QCOMPARE(m_chart->threshold(), std::optional<double>(60.0));
    auto *view = m_chart->findChild<QChartView *>();
    QLineSeries *line = nullptr;
    for (QAbstractSeries *series : view->chart()->series()) {
        if (series->name() == QLatin1String("alert above 60 s"))
            line = qobject_cast<QLineSeries *>(series);
    }
    QVERIFY(line);
    QVERIFY(line->isVisible());
    QCOMPARE(line->count(), 2);
    QCOMPARE(line->at(0), QPointF(double(m_chart->fromMs()), 60.0));
    QCOMPARE(line->at(1), QPointF(double(m_chart->toMs()), 60.0));
    // Not a series of data: the owner's ids do not include it.
    QVERIFY(m_chart->seriesIds().isEmpty());
}

void TestChartWidget::theLogScaleLeavesOutValuesAtOrBelowZero()
{
    m_chart->setLogScale(true);
    m_chart->setSeries(QStringLiteral("a"), QStringLiteral("A"),
                       {QPointF(double(m_now - 2000), 0.0), QPointF(double(m_now - 1000), 12.0),
                        QPointF(double(m_now), 120.0)});
    QCOMPARE(m_chart->pointCount(QStringLiteral("a")), qsizetype(2));
}

void TestChartWidget::aWideRangeReadsACoarserTier_data()
{
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("pixels");
    QTest::addColumn<monitor::Resolution>("expected");
    QTest::newRow("an hour on 1,600 px reads native points")
        << 3'600'000LL << 1600 << monitor::Resolution::Native;
    QTest::newRow("a day on 1,600 px reads whole minutes")
        << 86'400'000LL << 1600 << monitor::Resolution::Minute;
    QTest::newRow("a day on 2,560 px still reads native points")
        << 86'400'000LL << 2560 << monitor::Resolution::Native;
    QTest::newRow("30 days read ten-minute buckets")
        << 30 * 86'400'000LL << 1600 << monitor::Resolution::TenMinutes;
}

void TestChartWidget::aWideRangeReadsACoarserTier()
{
    QFETCH(qint64, length);
    QFETCH(int, pixels);
    QFETCH(monitor::Resolution, expected);
    monitor::MetricStore store;
    const monitor::SeriesKey key{QStringLiteral("node.cpu_percent"), QStringLiteral("pve1")};
    store.append(key, m_now, 1.0);
    QCOMPARE(store.resolutionForWidth(key, m_now - length, m_now, pixels), expected);
}

QTEST_MAIN(TestChartWidget)
#include "tst_chartwidget.moc"
