// The cluster-side readers monitoring uses: RRD history rows, Ceph status, and the figures taken
// from a Prometheus scrape (GPUs from DCGM exporter and nvidia_gpu_exporter, request latency).
#include "cluster/cephstatus.h"
#include "cluster/rrddata.h"
#include "monitor/alerts.h"
#include "monitor/collector.h"
#include "monitor/prometheusmetrics.h"
#include "monitor/prometheustext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace rae;

namespace {

QJsonValue json(const char *text)
{
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(text));
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

monitor::PrometheusReadings readings(const char *text)
{
    const auto scrape = monitor::parsePrometheusText(QByteArrayView(text));
    if (!scrape)
        qFatal("test data does not parse");
    return monitor::readPrometheusMetrics(*scrape);
}

} // namespace

class TestClusterData final : public QObject
{
    Q_OBJECT

private slots:
    void rrdRowsAreSortedAndKeepGaps();
    void rrdRowWithoutTimeIsMalformed();
    void rrdRequestNamesTimeframeAndConsolidation();
    void cephStatus_data();
    void cephStatus();
    void cephWithoutHealthIsMalformed();
    void dcgmExporterGivesEveryGpuColumn();
    void nvidiaGpuExporterRatiosAndBytesAreConverted();
    void latencyIsTheMeanBetweenScrapes();
    void latencyAfterARestartIsLeftOut();
    void backfillKeepsHistoryAndLeavesAlertsAlone();
    void cephErrorRaisesBothCephAlerts();
};

void TestClusterData::rrdRowsAreSortedAndKeepGaps()
{
    const auto rows = cluster::parseRrdData(
        json(R"([{"time":1700000120,"cpu":0.25,"maxcpu":64,"memused":"1073741824",
                  "memtotal":4294967296},
                 {"time":1700000060},
                 {"time":1700000000,"cpu":null,"memused":0,"memtotal":0}])"),
        cluster::RrdSubject::Node);
    QVERIFY(rows);
    QCOMPARE(rows->size(), 3);
    QCOMPARE(rows->at(0).time, 1700000000);
    QVERIFY(!rows->at(0).cpu);
    QVERIFY2(!rows->at(0).memoryPercent(), "a zero total gives no percentage");
    QVERIFY(!rows->at(1).cpu && !rows->at(1).memoryUsed);
    QCOMPARE(*rows->at(2).cpu, 0.25);
    QCOMPARE(*rows->at(2).memoryPercent(), 25.0);

    const auto guest =
        cluster::parseRrdData(json(R"([{"time":1700000000,"cpu":0.5,"mem":512,"maxmem":2048}])"),
                              cluster::RrdSubject::Guest);
    QVERIFY(guest);
    QCOMPARE(*guest->constFirst().memoryPercent(), 25.0);
}

void TestClusterData::rrdRowWithoutTimeIsMalformed()
{
    QVERIFY(!cluster::parseRrdData(json(R"([{"cpu":0.5}])"), cluster::RrdSubject::Node));
    QVERIFY(!cluster::parseRrdData(json(R"({"data":[]})"), cluster::RrdSubject::Node));
}

void TestClusterData::rrdRequestNamesTimeframeAndConsolidation()
{
    const proxmox::ApiRequest node = cluster::rrdRequest(
        QStringLiteral("pve1"), 0, cluster::RrdTimeframe::Day, cluster::RrdConsolidation::Max);
    QCOMPARE(node.path, QStringLiteral("/nodes/pve1/rrddata"));
    QVERIFY(node.params.contains({QStringLiteral("timeframe"), QStringLiteral("day")}));
    QVERIFY(node.params.contains({QStringLiteral("cf"), QStringLiteral("MAX")}));
    const proxmox::ApiRequest guest =
        cluster::rrdRequest(QStringLiteral("pve2"), 110, cluster::RrdTimeframe::Hour);
    QCOMPARE(guest.path, QStringLiteral("/nodes/pve2/qemu/110/rrddata"));
    QVERIFY(guest.params.contains({QStringLiteral("cf"), QStringLiteral("AVERAGE")}));
}

void TestClusterData::cephStatus_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("health");
    QTest::addColumn<QStringList>("checks");
    QTest::newRow("a healthy cluster has no checks")
        << QByteArray(R"({"health":{"status":"HEALTH_OK","checks":{}}})")
        << int(cluster::CephHealth::Ok) << QStringList{};
    QTest::newRow("a warning names its checks")
        << QByteArray(R"({"health":{"status":"HEALTH_WARN","checks":{
               "OSD_DOWN":{"severity":"HEALTH_WARN","summary":{"message":"2 osds down","count":2}},
               "MON_DOWN":{"severity":"HEALTH_WARN","summary":{"message":"1/3 mons down"}}}}})")
        << int(cluster::CephHealth::Warn)
        << QStringList{QStringLiteral("MON_DOWN"), QStringLiteral("OSD_DOWN")};
    QTest::newRow("an error is an error")
        << QByteArray(R"({"health":{"status":"HEALTH_ERR","checks":{"PG_DAMAGED":
               {"severity":"HEALTH_ERR","summary":{"message":"Possible data damage"}}}}})")
        << int(cluster::CephHealth::Error) << QStringList{QStringLiteral("PG_DAMAGED")};
    QTest::newRow("a release before Luminous says overall_status")
        << QByteArray(R"({"health":{"overall_status":"HEALTH_WARN"}})")
        << int(cluster::CephHealth::Warn) << QStringList{};
    QTest::newRow("a status this version does not know is unknown")
        << QByteArray(R"({"health":{"status":"HEALTH_UNKNOWN"}})")
        << int(cluster::CephHealth::Unknown) << QStringList{};
}

void TestClusterData::cephStatus()
{
    QFETCH(QByteArray, data);
    QFETCH(int, health);
    QFETCH(QStringList, checks);
    const auto status = cluster::parseCephStatus(QJsonDocument::fromJson(data).object());
    QVERIFY(status);
    QCOMPARE(int(status->health), health);
    QStringList codes;
    for (const cluster::CephCheck &check : status->checks)
        codes << check.code;
    QCOMPARE(codes, checks);
    if (!status->checks.isEmpty())
        QVERIFY(!status->checks.constFirst().message.isEmpty());
}

void TestClusterData::cephWithoutHealthIsMalformed()
{
    QVERIFY(!cluster::parseCephStatus(json(R"({"fsid":"x"})")));
}

void TestClusterData::dcgmExporterGivesEveryGpuColumn()
{
    const monitor::PrometheusReadings read =
        readings("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n"
                 "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"
                 "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-b\",modelName=\"NVIDIA L4\"} 12\n"
                 "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",modelName=\"NVIDIA L4\"} 87\n"
                 "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-a\"} 18000\n"
                 "DCGM_FI_DEV_FB_FREE{gpu=\"0\",UUID=\"GPU-a\"} 4000\n"
                 "DCGM_FI_DEV_FB_RESERVED{gpu=\"0\",UUID=\"GPU-a\"} 567\n"
                 "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-a\"} 61\n"
                 "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-a\"} 55.5\n");
    QCOMPARE(read.gpus.size(), 2);
    const monitor::GpuSample &first = read.gpus.at(0);
    QCOMPARE(first.index, 0);
    QCOMPARE(first.name, QStringLiteral("NVIDIA L4"));
    QCOMPARE(*first.utilizationGpu, 87.0);
    QCOMPARE(*first.memoryUsedMiB, 18000.0);
    QCOMPARE(*first.memoryTotalMiB, 22567.0);
    QCOMPARE(*first.temperatureC, 61.0);
    QCOMPARE(*first.powerW, 55.5);
    QCOMPARE(read.gpus.at(1).index, 1);
    QVERIFY2(!read.gpus.at(1).powerW, "a column the exporter did not send stays a gap");
    QVERIFY(!read.latency);
}

void TestClusterData::nvidiaGpuExporterRatiosAndBytesAreConverted()
{
    const monitor::PrometheusReadings read =
        readings("nvidia_smi_utilization_gpu_ratio{uuid=\"GPU-x\",name=\"NVIDIA A100\"} 0.42\n"
                 "nvidia_smi_memory_used_bytes{uuid=\"GPU-x\"} 1073741824\n"
                 "nvidia_smi_memory_total_bytes{uuid=\"GPU-x\"} 4.294967296e+10\n"
                 "nvidia_smi_temperature_gpu{uuid=\"GPU-x\"} NaN\n");
    QCOMPARE(read.gpus.size(), 1);
    const monitor::GpuSample &gpu = read.gpus.constFirst();
    QCOMPARE(gpu.uuid, QStringLiteral("GPU-x"));
    QCOMPARE(*gpu.utilizationGpu, 42.0);
    QCOMPARE(*gpu.memoryUsedMiB, 1024.0);
    QCOMPARE(*gpu.memoryTotalMiB, 40960.0);
    QVERIFY2(!gpu.temperatureC, "NaN is no reading");
}

void TestClusterData::latencyIsTheMeanBetweenScrapes()
{
    const char *histogram = "# TYPE rae_http_request_duration_seconds histogram\n"
                            "rae_http_request_duration_seconds_bucket{le=\"+Inf\"} %1\n"
                            "rae_http_request_duration_seconds_sum %2\n"
                            "rae_http_request_duration_seconds_count %1\n";
    const QByteArray before = QString::fromLatin1(histogram).arg(100).arg(5.0).toLatin1();
    const QByteArray after = QString::fromLatin1(histogram).arg(150).arg(7.5).toLatin1();
    const auto first = readings(before.constData()).latency;
    const auto second = readings(after.constData()).latency;
    QVERIFY(first && second);
    QCOMPARE(first->histogram, QStringLiteral("rae_http_request_duration_seconds"));
    QCOMPARE(*monitor::meanLatencyMs(*first, *second), 50.0);
    QVERIFY2(!monitor::meanLatencyMs(*second, *second), "no request in between: no figure");
}

void TestClusterData::latencyAfterARestartIsLeftOut()
{
    const monitor::LatencyTotals before{QStringLiteral("vllm:e2e_request_latency_seconds"), 90.0,
                                        300.0};
    const monitor::LatencyTotals restarted{QStringLiteral("vllm:e2e_request_latency_seconds"), 1.0,
                                           4.0};
    QVERIFY(!monitor::meanLatencyMs(before, restarted));
}

void TestClusterData::backfillKeepsHistoryAndLeavesAlertsAlone()
{
    monitor::MetricStore store;
    monitor::AlertEngine alerts;
    monitor::ManualClock clock(1'700'003'600'000);
    monitor::Scheduler scheduler(clock);
    monitor::Collector collector(store, alerts, scheduler, clock, nullptr);
    QList<cluster::RrdRow> rows;
    for (qint64 t = 1'700'000'000; t <= 1'700'003'600; t += 60)
        rows.append({t, 0.99, 64, 99.0, 100.0});
    collector.backfill(QStringLiteral("node"), QStringLiteral("pve1"), rows, clock.nowMs());
    const monitor::SeriesKey cpu{QStringLiteral("node.cpu_percent"), QStringLiteral("pve1")};
    const QList<monitor::Sample> samples =
        store.samples(cpu, 0, clock.nowMs(), monitor::Resolution::Native);
    QCOMPARE(samples.size(), 60); // the row at "now" is left for the live poll
    QCOMPARE(samples.constFirst().timeMs, 1'700'000'000'000);
    QCOMPARE(samples.constFirst().value, 99.0);
    QVERIFY(store.contains({QStringLiteral("node.memory_percent"), QStringLiteral("pve1")}));
    QVERIFY(alerts.active().isEmpty());
}

void TestClusterData::cephErrorRaisesBothCephAlerts()
{
    monitor::MetricStore store;
    monitor::AlertEngine alerts;
    monitor::ManualClock clock;
    monitor::Scheduler scheduler(clock);
    monitor::Collector collector(store, alerts, scheduler, clock, nullptr);
    cluster::CephStatus status;
    status.health = cluster::CephHealth::Warn;
    collector.recordCeph(QStringLiteral("prod"), status, 1000);
    QCOMPARE(alerts.active().size(), 1);
    QCOMPARE(alerts.active().constFirst().ruleId, QStringLiteral("ceph.warn"));
    status.health = cluster::CephHealth::Error;
    collector.recordCeph(QStringLiteral("prod"), status, 2000);
    QCOMPARE(alerts.active().size(), 2);
    status.health = cluster::CephHealth::Ok;
    collector.recordCeph(QStringLiteral("prod"), status, 3000);
    collector.recordCeph(QStringLiteral("prod"), status, 40000);
    QVERIFY2(alerts.active().isEmpty(), "OK for longer than the clear wait clears both");
}

QTEST_GUILESS_MAIN(TestClusterData)
#include "tst_clusterdata.moc"
