#include "chartwidget.h"
#include "clustersession.h"
#include "demolauncher.h"
#include "monitoringpanel.h"
#include "simprocess.h"

#include "deploy/demoservices.h"
#include "plan/planreader.h"
#include "proxmox/certificatetrust.h"
#include "secrets/credentialstore.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

namespace {

// A panel and a session of the simulator's test-only `app` token, whose certificate is pinned
// in settings of their own.
struct Bench
{
    Bench(const SimProcess &sim, const QString &name)
        : settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat)
        , profile(simulatorProfile(sim, name))
        , session(profile, &settings, &network)
        , panel(&network, &settings, dir.filePath(QStringLiteral("monitoring")))
    {}

    cluster::ClusterProfile simulatorProfile(const SimProcess &sim, const QString &name)
    {
        cluster::ClusterProfile out;
        out.name = name;
        out.endpoints = {sim.value(QStringLiteral("url"))};
        out.user = QStringLiteral("deployer@pve");
        out.tokenName = QStringLiteral("app");
        proxmox::PinStore(&settings, out.name)
            .pin(QUrl(out.endpoints.first()).host(), sim.value(QStringLiteral("fingerprint")));
        return out;
    }

    void connectSession()
    {
        session.start(
            proxmox::Credentials::apiToken(profile.user, profile.tokenName,
                                           QStringLiteral("00000000-0000-4000-8000-00000000a001")));
    }

    QTemporaryDir dir;
    QSettings settings;
    QNetworkAccessManager network;
    cluster::ClusterProfile profile;
    ClusterSession session;
    MonitoringPanel panel;
};

} // namespace

// The monitoring panel with its collector against the real simulator over TLS: node load and
// replication lag reach the charts, and the history is saved where the next run finds it.
class TestMonitoringPanel final : public QObject
{
    Q_OBJECT

private slots:
    void theChartsFillFromTheSimulator();
    void theDemoServesItsDatabaseAndCacheAndTrustsItsGateway();
    void redisIsProbedWithThePasswordTheKeychainKeepsForTheCluster();
};

void TestMonitoringPanel::theChartsFillFromTheSimulator()
{
    SimProcess sim;
    QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
    Bench bench(sim, QStringLiteral("reference lab"));
    ClusterSession &session = bench.session;
    MonitoringPanel &panel = bench.panel;
    monitor::SchedulerSettings fast;
    fast.intervals.fill(std::chrono::milliseconds(1000));
    panel.setSchedulerSettings(fast);
    panel.resize(1400, 700);
    panel.show();
    QVERIFY(panel.gpuChart()->isEmptyTextShown());

    panel.attach(&session);
    bench.connectSession();
    QTRY_VERIFY_WITH_TIMEOUT(panel.isCollecting(), 20000);

    const auto filled = [](ChartWidget *chart) {
        for (const QString &id : chart->seriesIds()) {
            if (chart->pointCount(id) > 0)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT((panel.refresh(), filled(panel.nodeLoadChart())), 20000);
    QTRY_VERIFY_WITH_TIMEOUT((panel.refresh(), filled(panel.replicationChart())), 30000);
    QTRY_VERIFY_WITH_TIMEOUT((panel.refresh(), filled(panel.latencyChart())), 20000);
    QVERIFY(panel.nodeLoadChart()->seriesIds().contains(QStringLiteral("node.cpu_percent|pve1")));
    QVERIFY2(panel.replicationChart()->threshold().has_value(),
             "the replication chart draws its alert threshold");
    // The reference scenario has no LLM VM: the GPU chart says so instead of an empty frame.
    QVERIFY(panel.gpuChart()->isEmptyTextShown());
    QVERIFY(!panel.nodeLoadChart()->isEmptyTextShown());

    // History is kept in the data folder, one folder per cluster.
    panel.detach();
    QVERIFY(!panel.isCollecting());
    const QDir folder(panel.storeFolder());
    QVERIFY(folder.exists(monitor::MetricStore::fileName()));
    QCOMPARE(folder.dirName(), QStringLiteral("reference_lab"));
    monitor::MetricStore reloaded;
    QVERIFY(reloaded.load(folder));
    QVERIFY(reloaded.contains({QStringLiteral("node.cpu_percent"), QStringLiteral("pve1")}));
}

void TestMonitoringPanel::theDemoServesItsDatabaseAndCacheAndTrustsItsGateway()
{
    // Three of the scenario's VMs tagged as a deployment tags RAE's database, cache and gateway.
    // The simulator imitates the gateway only: the demo starts a real PostgreSQL and Redis on
    // the other two VMs' addresses, the panel probes Redis with the deployment's password and
    // the gateway against the certificate it showed.
    SimProcess sim;
    QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
    const auto tag = [&sim](const QString &node, int vmid, const QByteArray &tags) {
        return sim
            .withToken("PUT",
                       QStringLiteral("/api2/json/nodes/%1/qemu/%2/config").arg(node).arg(vmid),
                       "tags=" + tags)
            .status;
    };
    QCOMPARE(tag(QStringLiteral("pve1"), 100, "rae%3Brae-db"), 200);
    QCOMPARE(tag(QStringLiteral("pve2"), 110, "rae%3Brae-redis"), 200);
    QCOMPARE(tag(QStringLiteral("pve3"), 111, "rae%3Brae-gateway"), 200);
    QCOMPARE(sim.control(QStringLiteral("service"), R"({"vmid":111,"state":"up"})").status, 200);
    QCOMPARE(sim.control(QStringLiteral("time-advance"), R"({"seconds":30})").status, 200);

    Bench bench(sim, QStringLiteral("prod"));
    ClusterSession &session = bench.session;
    MonitoringPanel &panel = bench.panel;
    monitor::SchedulerSettings fast;
    fast.intervals.fill(std::chrono::milliseconds(500));
    panel.setSchedulerSettings(fast);
    auto read =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY(read.ok());
    panel.setPlan(read.value());
    panel.attach(&session);

    secrets::CredentialStore store;
    store.setSessionOnly(true);
    DemoLauncher demo;
    QSignalSpy messages(&demo, &DemoLauncher::guestMessage);
    QSignalSpy failures(&demo, &DemoLauncher::failed);
    demo.serveGuests(&panel, &session, &store, read.value());
    bench.connectSession();

    QTRY_VERIFY_WITH_TIMEOUT(messages.size() == 2 || !failures.isEmpty(), 60000);
    if (!failures.isEmpty())
        QFAIL(qPrintable(failures.first().first().toString()));
    QStringList started;
    for (const QList<QVariant> &message : messages)
        started.append(message.first().toString());
    started.sort();
    QVERIFY2(started.first().startsWith(QLatin1String("PostgreSQL started on 127.")),
             qPrintable(started.join(QLatin1Char('\n'))));
    QVERIFY(started.last().startsWith(QLatin1String("Redis started on 127.")));

    // A latency point is recorded only for an answer: Redis took the password, the gateway's
    // TLS handshake passed with the certificate it showed first.
    const auto answered = [&panel](const char *metric, const char *vm) {
        return panel.store().contains({QString::fromLatin1(metric), QString::fromLatin1(vm)});
    };
    QTRY_VERIFY_WITH_TIMEOUT(answered("latency.postgres", "bastion"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(answered("latency.redis", "monitoring"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(answered("latency.gateway", "ci-runner"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(answered("tls_handshake.gateway", "ci-runner"), 30000);
    panel.detach();
}

void TestMonitoringPanel::redisIsProbedWithThePasswordTheKeychainKeepsForTheCluster()
{
    // A deployed cache VM with a real Redis that wants the deployment's password. The panel is
    // given no password, only the credential store where a deployment keeps it.
    SimProcess sim;
    QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
    QCOMPARE(sim.withToken("PUT", QStringLiteral("/api2/json/nodes/pve2/qemu/110/config"),
                           "tags=rae%3Brae-redis")
                 .status,
             200);
    QCOMPARE(sim.control(QStringLiteral("time-advance"), R"({"seconds":30})").status, 200);

    Bench bench(sim, QStringLiteral("lab"));
    ClusterSession &session = bench.session;
    MonitoringPanel &panel = bench.panel;
    secrets::CredentialStore store;
    store.setSessionOnly(true);
    const QString password = QStringLiteral("Uq0c1Z7m-redis-test-only-2bXv9w");

    monitor::SchedulerSettings fast;
    fast.intervals.fill(std::chrono::milliseconds(500));
    panel.setSchedulerSettings(fast);
    panel.setCredentialStore(&store);
    deploy::DemoServices redis;
    QSignalSpy redisFailed(&redis, &deploy::DemoServices::failed);
    connect(&panel, &MonitoringPanel::serviceFound, &redis,
            [&redis, &password](const monitor::DiscoveredService &service) {
                if (service.role == plan::Role::Redis && !service.address.isEmpty())
                    redis.startRedis(service.address, 6379, password);
            });
    QSignalSpy problems(&panel, &MonitoringPanel::problem);
    const auto problemsText = [&problems] {
        QStringList lines;
        for (const QList<QVariant> &problem : std::as_const(problems))
            lines.append(problem.at(0).toString() + QStringLiteral(": ") +
                         problem.at(1).toString());
        return lines.join(QLatin1Char('\n'));
    };
    const auto answered = [&panel] {
        return panel.store().contains(
            {QStringLiteral("latency.redis"), QStringLiteral("monitoring")});
    };

    // Nothing stored for the cluster: Redis refuses the probe, and the problem says why.
    panel.attach(&session);
    bench.connectSession();
    QTRY_VERIFY_WITH_TIMEOUT(problemsText().contains(QLatin1String(
                                 "no Redis password for cluster lab is in the keychain")),
                             60000);
    QVERIFY2(redisFailed.isEmpty(), qPrintable(problemsText()));
    QVERIFY2(problemsText().contains(QLatin1String("monitoring: Redis at 127.")),
             qPrintable(problemsText()));
    QVERIFY(!answered());

    // Stored under the cluster's name, as a deployment keeps it: connecting again hands it to
    // the probe, and Redis answers.
    bool written = false;
    store.write(QStringLiteral("lab"), QStringLiteral("redis_password"), password, this,
                [&written](const secrets::SecretResult<Done> &result) { written = result.ok(); });
    QTRY_VERIFY(written);
    panel.detach();
    problems.clear();
    panel.attach(&session);
    QTRY_VERIFY_WITH_TIMEOUT(answered(), 30000);
    QVERIFY2(!problemsText().contains(QLatin1String("Redis")), qPrintable(problemsText()));
    QVERIFY(!problemsText().contains(password));
    panel.detach();
}

QTEST_MAIN(TestMonitoringPanel)
#include "tst_monitoringpanel.moc"
