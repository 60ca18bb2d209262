// The collector against the real simulator over TLS: charts back-filled from rrddata on connect,
// Ceph health read where the scenario has Ceph storage and alerting when it degrades, and the
// RAE API's /metrics scraped for request latency.
#include "../sim/simprocess.h"

#include "monitor/alerts.h"
#include "monitor/clock.h"
#include "monitor/collector.h"
#include "monitor/metricstore.h"
#include "monitor/scheduler.h"
#include "proxmox/client.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace rae;

namespace {

// Short intervals so that the test sees several cycles in seconds.
monitor::SchedulerSettings quickSettings()
{
    monitor::SchedulerSettings settings;
    for (auto &interval : settings.intervals)
        interval = std::chrono::milliseconds(300);
    settings.jitter = 0;
    return settings;
}

} // namespace

class TestCollectorSim final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void backfillFillsNodeAndVmChartsOnConnect();
    void cephHealthIsRecordedAndAnErrorRaisesAnAlert();
    void raeApiMetricsGiveRequestLatency();
    void cleanupTestCase();

private:
    SimProcess m_sim;
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<proxmox::PinStore> m_pins;
    std::unique_ptr<proxmox::ProxmoxClient> m_client;
    QNetworkAccessManager m_network;
    monitor::SystemClock m_clock;
    monitor::MetricStore m_store;
    std::unique_ptr<monitor::AlertEngine> m_alerts;
    std::unique_ptr<monitor::Scheduler> m_scheduler;
    std::unique_ptr<monitor::Collector> m_collector;
    qint64 m_connectedMs = 0;

    double lastValue(const monitor::SeriesKey &key) const
    {
        const QList<monitor::Sample> samples =
            m_store.samples(key, 0, m_clock.nowMs(), monitor::Resolution::Native);
        return samples.isEmpty() ? -1.0 : samples.constLast().value;
    }
};

void TestCollectorSim::initTestCase()
{
    QVERIFY(m_sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
    m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("pins.ini")),
                                             QSettings::IniFormat);
    m_pins = std::make_unique<proxmox::PinStore>(m_settings.get(), QStringLiteral("prod"));
    m_client = std::make_unique<proxmox::ProxmoxClient>(
        QStringLiteral("prod"), QList<QUrl>{QUrl(m_sim.value(QStringLiteral("url")))}, *m_pins);
    m_client->setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                                  std::function<void(bool)> decide) { decide(true); });
    QSignalSpy connected(m_client.get(), &proxmox::ProxmoxClient::connected);
    // Test-only token of resources/sim/reference.yaml.
    m_client->connectToCluster(
        proxmox::Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                       QStringLiteral("00000000-0000-4000-8000-00000000a001")));
    QVERIFY(connected.wait(20000));

    m_alerts = std::make_unique<monitor::AlertEngine>();
    m_scheduler = std::make_unique<monitor::Scheduler>(m_clock, quickSettings());
    m_collector =
        std::make_unique<monitor::Collector>(m_store, *m_alerts, *m_scheduler, m_clock, &m_network);
}

void TestCollectorSim::backfillFillsNodeAndVmChartsOnConnect()
{
    m_connectedMs = m_clock.nowMs();
    m_collector->setClient(m_client.get());
    m_scheduler->start();
    const monitor::SeriesKey node{QStringLiteral("node.cpu_percent"), QStringLiteral("pve1")};
    const monitor::SeriesKey vm{QStringLiteral("vm.memory_percent"), QStringLiteral("bastion")};
    QTRY_VERIFY_WITH_TIMEOUT(m_store.contains(node) && m_store.contains(vm), 15000);

    // An hour of one-minute rows before the first live point.
    const QList<monitor::Sample> history =
        m_store.samples(node, 0, m_connectedMs - 1, monitor::Resolution::Native);
    QVERIFY2(history.size() >= 55, QByteArray::number(history.size()).constData());
    QVERIFY(history.constFirst().timeMs <= m_connectedMs - 55 * 60 * 1000);
    for (const monitor::Sample &sample : history)
        QVERIFY(sample.value > 0 && sample.value <= 100);
    QVERIFY(!m_store.samples(vm, 0, m_connectedMs - 1, monitor::Resolution::Native).isEmpty());
    // A stopped VM has no history to show.
    QVERIFY(!m_store.contains({QStringLiteral("vm.cpu_percent"), QStringLiteral("build-cache")}));
    // The live polls go on after the history.
    QTRY_VERIFY_WITH_TIMEOUT(m_store.newestMs(node) >= m_connectedMs, 10000);
}

void TestCollectorSim::cephHealthIsRecordedAndAnErrorRaisesAnAlert()
{
    const monitor::SeriesKey ceph{QStringLiteral("ceph.health"), QStringLiteral("prod")};
    QTRY_VERIFY_WITH_TIMEOUT(m_store.contains(ceph), 10000);
    QCOMPARE(lastValue(ceph), 0.0);
    QVERIFY(m_alerts->active().isEmpty());

    QSignalSpy raised(m_alerts.get(), &monitor::AlertEngine::raised);
    QCOMPARE(m_sim
                 .control(QStringLiteral("ceph-health"),
                          R"({"status":"HEALTH_ERR","check":"PG_DAMAGED","message":"damage"})")
                 .status,
             200);
    QTRY_VERIFY_WITH_TIMEOUT(raised.size() >= 2, 10000);
    QStringList rules;
    for (const monitor::Alert &alert : m_alerts->active())
        rules << alert.ruleId;
    rules.sort();
    QCOMPARE(rules, (QStringList{QStringLiteral("ceph.error"), QStringLiteral("ceph.warn")}));

    // Back to the health the nodes imply: a node down is a warning (OSDs and a monitor down).
    QCOMPARE(m_sim.control(QStringLiteral("ceph-health"), R"({"status":""})").status, 200);
    QCOMPARE(m_sim.control(QStringLiteral("node-power"), R"({"node":"pve3","on":false})").status,
             200);
    QTRY_COMPARE_WITH_TIMEOUT(lastValue(ceph), 1.0, 10000);
    QCOMPARE(m_sim.control(QStringLiteral("node-power"), R"({"node":"pve3","on":true})").status,
             200);
    QTRY_COMPARE_WITH_TIMEOUT(lastValue(ceph), 0.0, 10000);
}

void TestCollectorSim::raeApiMetricsGiveRequestLatency()
{
    // Give VM 110 the API role, as a deployment tags it, and bring its service up.
    QCOMPARE(m_sim
                 .withToken("PUT", QStringLiteral("/api2/json/nodes/pve2/qemu/110/config"),
                            "tags=rae-api")
                 .status,
             200);
    const SimProcess::Answer service =
        m_sim.control(QStringLiteral("service"), R"({"vmid":110,"state":"up"})");
    QCOMPARE(service.status, 200);
    const QString address = service.json.object()
                                .value(QStringLiteral("services"))
                                .toArray()
                                .at(0)
                                .toObject()
                                .value(QStringLiteral("address"))
                                .toString();
    QVERIFY2(!address.isEmpty(), service.body.constData());

    m_collector->addPrometheusSource(
        {QStringLiteral("api-1"), QUrl(QStringLiteral("http://%1:8000/metrics").arg(address))});
    const monitor::SeriesKey latency{QStringLiteral("request.latency_ms"), QStringLiteral("api-1")};
    // Two scrapes with requests in between give a mean.
    QTRY_VERIFY_WITH_TIMEOUT(m_store.contains(latency), 15000);
    const double value = lastValue(latency);
    QVERIFY2(value > 0 && value < 10000, QByteArray::number(value).constData());
}

void TestCollectorSim::cleanupTestCase()
{
    if (m_scheduler)
        m_scheduler->stop();
    m_collector.reset();
}

QTEST_GUILESS_MAIN(TestCollectorSim)
#include "tst_collector_sim.moc"
