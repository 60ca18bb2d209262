#include "monitor/lttb.h"
#include "monitor/metricstore.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace rae::monitor;

namespace {

constexpr qint64 kStart = 1'700'000'400'000; // on a ten-minute boundary, in unix ms
constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

const SeriesKey kLatency{QStringLiteral("latency.redis"), QStringLiteral("redis-1")};

} // namespace

class TestMetricStore final : public QObject
{
    Q_OBJECT

private slots:
    void nativePointsComeBackInRange();
    void olderPointsThanTheNewestAreDropped();
    void minuteTierKeepsMinMaxAndAverage();
    void nativeExpiresAfterADayButTiersRemain();
    void tenMinuteTierCoversThirtyDays();
    void gapsDoNotPoisonAggregates();
    void storedPointsTakeSixteenBytes();
    void sparseSeriesKeepTheirTimes();
    void thinnedPointsMatchThinningACopy();
    void historySurvivesARestart();
    void aDamagedFileIsAnErrorNotAGuess();
    void csvIsInLongFormat();
    void lttbKeepsEndsAndPeaks();
    void lttbLeavesShortSeriesAlone();
};

void TestMetricStore::nativePointsComeBackInRange()
{
    MetricStore store;
    for (int i = 0; i < 10; ++i)
        store.append(kLatency, kStart + i * 1000, i);
    const QList<Sample> samples = store.samples(kLatency, kStart + 2000, kStart + 4000);
    QCOMPARE(samples.size(), 3);
    QCOMPARE(samples.first().value, 2.0);
    QCOMPARE(samples.last().timeMs, kStart + 4000);
    QCOMPARE(store.resolutionFor(kLatency, kStart), Resolution::Native);
    QCOMPARE(store.newestMs(kLatency), kStart + 9000);
    QVERIFY(store.samples({QStringLiteral("nope"), {}}, 0, kStart).isEmpty());
}

void TestMetricStore::olderPointsThanTheNewestAreDropped()
{
    MetricStore store;
    store.append(kLatency, kStart + 5000, 1);
    store.append(kLatency, kStart + 1000, 2);
    QCOMPARE(store.pointCount(Resolution::Native), 1);
}

void TestMetricStore::minuteTierKeepsMinMaxAndAverage()
{
    MetricStore store;
    // Minute one: 1..60 (average 30.5); minute two: a constant 7, which closes minute one.
    for (int i = 0; i < 60; ++i)
        store.append(kLatency, kStart + i * 1000, i + 1);
    for (int i = 0; i < 60; ++i)
        store.append(kLatency, kStart + kMinute + i * 1000, 7);

    const QList<Sample> minutes =
        store.samples(kLatency, kStart, kStart + 2 * kMinute, Resolution::Minute);
    QCOMPARE(minutes.size(), 2); // the second bucket is still open but shown
    QCOMPARE(minutes.at(0).timeMs, kStart);
    QCOMPARE(minutes.at(0).min, 1.0);
    QCOMPARE(minutes.at(0).max, 60.0);
    QCOMPARE(minutes.at(0).value, 30.5);
    QCOMPARE(minutes.at(1).value, 7.0);

    const QList<Sample> tens =
        store.samples(kLatency, kStart, kStart + kHour, Resolution::TenMinutes);
    QCOMPARE(tens.size(), 1);
    QCOMPARE(tens.first().max, 60.0);
    QCOMPARE(tens.first().min, 1.0);
}

void TestMetricStore::nativeExpiresAfterADayButTiersRemain()
{
    MetricStore store;
    // Every 10 s for 26 hours.
    for (qint64 t = 0; t <= 26 * kHour; t += 10'000)
        store.append(kLatency, kStart + t, 1.0);
    const qint64 newest = kStart + 26 * kHour;

    const QList<Sample> native = store.samples(kLatency, kStart, newest, Resolution::Native);
    QVERIFY(!native.isEmpty());
    QVERIFY(native.first().timeMs >= newest - kDay);
    QCOMPARE(native.size(), int(kDay / 10'000) + 1);

    QCOMPARE(store.resolutionFor(kLatency, newest - kHour), Resolution::Native);
    QCOMPARE(store.resolutionFor(kLatency, kStart), Resolution::Minute);
    const QList<Sample> minutes = store.samples(kLatency, kStart, newest);
    QCOMPARE(minutes.first().timeMs, kStart);
    QCOMPARE(minutes.size(), 26 * 60 + 1);
}

void TestMetricStore::tenMinuteTierCoversThirtyDays()
{
    MetricStore store;
    // One point a minute for 40 days: the minute tier keeps 7 days, the ten-minute one 30.
    for (qint64 t = 0; t <= 40 * kDay; t += kMinute)
        store.append(kLatency, kStart + t, double(t / kDay));
    const qint64 newest = kStart + 40 * kDay;

    const QList<Sample> minutes = store.samples(kLatency, kStart, newest, Resolution::Minute);
    QVERIFY(minutes.first().timeMs >= newest - 7 * kDay - kMinute);
    QCOMPARE(store.resolutionFor(kLatency, newest - 20 * kDay), Resolution::TenMinutes);
    const QList<Sample> tens = store.samples(kLatency, newest - 20 * kDay, newest);
    QCOMPARE(tens.size(), 20 * 24 * 6 + 1);
    const QList<Sample> all = store.samples(kLatency, kStart, newest, Resolution::TenMinutes);
    QVERIFY(all.first().timeMs >= newest - 30 * kDay - 10 * kMinute);
    QVERIFY(all.first().timeMs <= newest - 30 * kDay + 10 * kMinute);
    QCOMPARE(all.last().value, 40.0);
}

void TestMetricStore::gapsDoNotPoisonAggregates()
{
    MetricStore store;
    store.append(kLatency, kStart, 5);
    store.append(kLatency, kStart + 1000, std::nan(""));
    store.append(kLatency, kStart + 2000, 9);
    const QList<Sample> minute =
        store.samples(kLatency, kStart, kStart + kMinute, Resolution::Minute);
    QCOMPARE(minute.size(), 1);
    QCOMPARE(minute.first().min, 5.0);
    QCOMPARE(minute.first().max, 9.0);
    QCOMPARE(minute.first().value, 7.0);
    QCOMPARE(store.pointCount(Resolution::Native), 3); // the gap is kept where it was
}

void TestMetricStore::storedPointsTakeSixteenBytes()
{
    MetricStore store;
    const int series = store.seriesId(kLatency);
    const qint64 count = 100'000;
    for (qint64 i = 0; i < count; ++i)
        store.append(series, kStart + i * 1000, double(i % 100));
    const qint64 points = store.pointCount(Resolution::Native) +
                          store.pointCount(Resolution::Minute) +
                          store.pointCount(Resolution::TenMinutes);
    const double bytesPerPoint = double(store.allocatedBytes()) / double(points);
    // 8 per native point and 16 per aggregate, plus the unfilled ends of the chunks.
    QVERIFY2(bytesPerPoint <= 16.0, qPrintable(QString::number(bytesPerPoint)));
}

void TestMetricStore::sparseSeriesKeepTheirTimes()
{
    // A point every 23 h for 300 days: a chunk's time span outgrows 32 bits of milliseconds.
    MetricStore store;
    qint64 t = kStart;
    for (int i = 0; i < 300; ++i, t += 23 * kHour)
        store.append(kLatency, t, i);
    const qint64 newest = t - 23 * kHour;
    const QList<Sample> native = store.samples(kLatency, 0, newest, Resolution::Native);
    QCOMPARE(native.size(), 2);
    QCOMPARE(native.last().timeMs, newest);
    QCOMPARE(native.first().timeMs, newest - 23 * kHour);
    QCOMPARE(native.last().value, 299.0);
}

void TestMetricStore::thinnedPointsMatchThinningACopy()
{
    MetricStore store;
    for (int i = 0; i < 20'000; ++i)
        store.append(kLatency, kStart + i * 1000, std::sin(i / 50.0) * 100.0);
    const qint64 from = kStart + 1000 * 1000;
    const qint64 to = kStart + 15'000 * 1000;
    const QList<QPointF> thinned = store.thinnedPoints(kLatency, from, to, 500);
    QCOMPARE(thinned.size(), 500);
    QCOMPARE(thinned, lttb(store.points(kLatency, from, to), 500));
    QCOMPARE(thinned.first().x(), double(from));
    QCOMPARE(thinned.last().x(), double(to));
}

void TestMetricStore::historySurvivesARestart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const SeriesKey gpu{QStringLiteral("gpu.utilization"), QStringLiteral("llm-1/gpu0")};
    {
        MetricStore store;
        for (qint64 t = 0; t < 3 * kHour; t += 5000) {
            store.append(kLatency, kStart + t, double(t % 7));
            store.append(gpu, kStart + t, 50.0);
        }
        QVERIFY(store.save(QDir(dir.path())).ok());
    }
    MetricStore restored;
    const auto loaded = restored.load(QDir(dir.path()));
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
    QCOMPARE(restored.keys().size(), 2);
    MetricStore reference;
    for (qint64 t = 0; t < 3 * kHour; t += 5000)
        reference.append(kLatency, kStart + t, double(t % 7));
    for (Resolution resolution : {Resolution::Native, Resolution::Minute, Resolution::TenMinutes}) {
        QCOMPARE(restored.samples(kLatency, 0, kStart + kDay, resolution),
                 reference.samples(kLatency, 0, kStart + kDay, resolution));
    }

    // The open buckets came back too: a point after the restart lands in the same minute.
    restored.append(kLatency, kStart + 3 * kHour, 100.0);
    QCOMPARE(restored.samples(gpu, 0, kStart + kDay, Resolution::Minute).size(), 3 * 60);

    QVERIFY(MetricStore().load(QDir(dir.filePath(QStringLiteral("empty")))).ok());
}

void TestMetricStore::aDamagedFileIsAnErrorNotAGuess()
{
    QTemporaryDir dir;
    MetricStore store;
    for (int i = 0; i < 100; ++i)
        store.append(kLatency, kStart + i * 1000, i);
    QVERIFY(store.save(QDir(dir.path())).ok());

    QFile file(dir.filePath(MetricStore::fileName()));
    QVERIFY(file.open(QIODevice::ReadWrite));
    file.resize(file.size() / 2);
    file.close();
    MetricStore truncated;
    QVERIFY(!truncated.load(QDir(dir.path())).ok());
    QVERIFY(truncated.keys().isEmpty());

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("not a metric history at all");
    file.close();
    QVERIFY(!MetricStore().load(QDir(dir.path())).ok());
}

void TestMetricStore::csvIsInLongFormat()
{
    MetricStore store;
    store.append(kLatency, kStart, 1.5);
    store.append(kLatency, kStart + 1000, std::nan("")); // gaps are left out
    store.append({QStringLiteral("replication.lag_s"), QStringLiteral("101-0, to pve2")},
                 kStart + 500, 42);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(store.exportCsv(buffer, kStart, kStart + kMinute).ok());
    const QList<QByteArray> lines = buffer.data().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0), QByteArray("time,metric,subject,value"));
    QCOMPARE(lines.at(1), QByteArray("2023-11-14T22:20:00.000Z,latency.redis,redis-1,1.5"));
    QCOMPARE(lines.at(2),
             QByteArray("2023-11-14T22:20:00.500Z,replication.lag_s,\"101-0, to pve2\",42"));
}

void TestMetricStore::lttbKeepsEndsAndPeaks()
{
    QList<QPointF> points;
    for (int i = 0; i < 10'000; ++i)
        points.append(QPointF(i, i == 5'000 ? 1000.0 : std::sin(i / 100.0)));
    const QList<QPointF> thinned = lttb(points, 200);
    QCOMPARE(thinned.size(), 200);
    QCOMPARE(thinned.first(), points.first());
    QCOMPARE(thinned.last(), points.last());
    QVERIFY(thinned.contains(QPointF(5'000, 1000.0)));
    for (qsizetype i = 1; i < thinned.size(); ++i)
        QVERIFY(thinned.at(i).x() > thinned.at(i - 1).x());
}

void TestMetricStore::lttbLeavesShortSeriesAlone()
{
    const QList<QPointF> points{{0, 1}, {1, 2}, {2, 3}};
    QCOMPARE(lttb(points, 10), points);
    QCOMPARE(lttb(points, 2), points);
    QCOMPARE(lttb({}, 100), QList<QPointF>());
}

QTEST_GUILESS_MAIN(TestMetricStore)
#include "tst_metricstore.moc"
