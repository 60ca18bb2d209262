#include "chartwidget.h"
#include "clustersession.h"
#include "monitoringpanel.h"
#include "simprocess.h"

#include "proxmox/certificatetrust.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

// The monitoring panel with its collector against the real simulator over TLS: node load and
// replication lag reach the charts, and the history is saved where the next run finds it.
class TestMonitoringPanel final : public QObject
{
    Q_OBJECT

private slots:
    void theChartsFillFromTheSimulator();
};

void TestMonitoringPanel::theChartsFillFromTheSimulator()
{
    SimProcess sim;
    QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    QNetworkAccessManager network;

    cluster::ClusterProfile profile;
    profile.name = QStringLiteral("reference lab");
    profile.endpoints = {sim.value(QStringLiteral("url"))};
    profile.user = QStringLiteral("deployer@pve");
    profile.tokenName = QStringLiteral("app");
    const QUrl url(profile.endpoints.first());
    proxmox::PinStore(&settings, profile.name)
        .pin(url.host(), sim.value(QStringLiteral("fingerprint")));
    ClusterSession session(profile, &settings, &network);

    MonitoringPanel panel(&network, &settings, dir.filePath(QStringLiteral("monitoring")));
    monitor::SchedulerSettings fast;
    fast.intervals.fill(std::chrono::milliseconds(1000));
    panel.setSchedulerSettings(fast);
    panel.resize(1400, 700);
    panel.show();
    QVERIFY(panel.gpuChart()->isEmptyTextShown());

    panel.attach(&session);
    session.start(proxmox::Credentials::apiToken(
        profile.user, profile.tokenName, QStringLiteral("00000000-0000-4000-8000-00000000a001")));
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

QTEST_MAIN(TestMonitoringPanel)
#include "tst_monitoringpanel.moc"
