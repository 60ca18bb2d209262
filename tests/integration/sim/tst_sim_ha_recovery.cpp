// The simulator's HA manager against the failure analysis: for each failure of the reference
// cluster, what the simulator does once the node is gone must be what the analysis predicted
// from the same cluster, read through the API as any client would read it.
#include "simprocess.h"

#include "cluster/inventory.h"
#include "ha/clustersources.h"
#include "ha/failureanalysis.h"
#include "proxmox/client.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace {

QString scenario(const char *name)
{
    return QStringLiteral(RAE_SOURCE_DIR "/resources/sim/") + QString::fromLatin1(name);
}

QJsonValue dataValue(const SimProcess::Answer &answer)
{
    return answer.json.object().value(QStringLiteral("data"));
}

QJsonArray dataArray(const SimProcess::Answer &answer)
{
    return dataValue(answer).toArray();
}

// The cluster as `rae-deploy-cli failover --cluster` reads it: the inventory, the datacenter
// options and each HA VM's config through the client, turned into the analysis's input by the
// core, so that the prediction checked here is the one the command prints.
rae::ha::ClusterState readClusterState(SimProcess &sim)
{
    namespace proxmox = rae::proxmox;
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    proxmox::PinStore pins(&settings, QStringLiteral("prod"));
    proxmox::ProxmoxClient client(QStringLiteral("prod"), {QUrl(sim.value(QStringLiteral("url")))},
                                  pins);
    client.setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                               std::function<void(bool)> decide) { decide(true); });
    QSignalSpy connected(&client, &proxmox::ProxmoxClient::connected);
    // Test-only token of the reference scenarios.
    client.connectToCluster(
        proxmox::Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                       QStringLiteral("00000000-0000-4000-8000-00000000a001")));
    if (!connected.wait(20000))
        return {};

    rae::cluster::InventoryLoader loader(&client);
    std::optional<proxmox::ApiResult<rae::cluster::Inventory>> inventory;
    QObject::connect(&loader, &rae::cluster::InventoryLoader::finished, &loader,
                     [&inventory](const proxmox::ApiResult<rae::cluster::Inventory> &answer) {
                         inventory = answer;
                     });
    loader.load();
    if (!QTest::qWaitFor([&inventory] { return inventory.has_value(); }, 20000) || !*inventory)
        return {};
    const QJsonObject options =
        dataValue(sim.withToken("GET", QStringLiteral("/api2/json/cluster/options"))).toObject();
    rae::ha::PlanClusterState input = rae::ha::clusterStateFromInventory(
        inventory->value(), options, client.version().usesHaRules());

    QHash<QString, QMap<QString, QString>> configs;
    for (const rae::ha::Service &service : std::as_const(input.state.services)) {
        const QJsonObject config =
            dataValue(sim.withToken("GET", QStringLiteral("/api2/json/nodes/%1/qemu/%2/config")
                                               .arg(service.node, service.sid.section(u':', 1))))
                .toObject();
        for (auto it = config.begin(); it != config.end(); ++it)
            configs[service.sid].insert(it.key(), it->toVariant().toString());
    }
    rae::ha::addStartBlockers(input, inventory->value(), configs);
    rae::ha::applyConfigSizes(input, configs);
    return input.state;
}

struct Seen
{
    QString node;         // /cluster/resources
    QString status;       // running | stopped
    QString hastate;      // /cluster/resources
    QString crmState;     // /cluster/ha/status/current
    QString statusNode;   // /cluster/ha/status/current
    QString managerNode;  // manager_status
    QString managerState; // manager_status
};

QHash<QString, Seen> readServices(SimProcess &sim)
{
    QHash<QString, Seen> seen;
    for (const QJsonValue &value :
         dataArray(sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=vm")))) {
        const QJsonObject guest = value.toObject();
        Seen &entry =
            seen[QStringLiteral("vm:%1").arg(guest.value(QStringLiteral("vmid")).toInt())];
        entry.node = guest.value(QStringLiteral("node")).toString();
        entry.status = guest.value(QStringLiteral("status")).toString();
        entry.hastate = guest.value(QStringLiteral("hastate")).toString();
    }
    for (const QJsonValue &value :
         dataArray(sim.withToken("GET", QStringLiteral("/api2/json/cluster/ha/status/current")))) {
        const QJsonObject item = value.toObject();
        if (item.value(QStringLiteral("type")) != QLatin1String("service"))
            continue;
        Seen &entry = seen[item.value(QStringLiteral("sid")).toString()];
        entry.crmState = item.value(QStringLiteral("crm_state")).toString();
        entry.statusNode = item.value(QStringLiteral("node")).toString();
    }
    const QJsonObject services =
        sim.withToken("GET", QStringLiteral("/api2/json/cluster/ha/status/manager_status"))
            .json.object()
            .value(QStringLiteral("data"))
            .toObject()
            .value(QStringLiteral("manager_status"))
            .toObject()
            .value(QStringLiteral("service_status"))
            .toObject();
    for (auto it = services.begin(); it != services.end(); ++it) {
        Seen &entry = seen[it.key()];
        entry.managerNode = it->toObject().value(QStringLiteral("node")).toString();
        entry.managerState = it->toObject().value(QStringLiteral("state")).toString();
    }
    return seen;
}

void advance(SimProcess &sim, int seconds)
{
    // In CRM-round steps, so that the manager acts as often as on a real cluster.
    for (int done = 0; done < seconds; done += 10)
        QCOMPARE(sim.control(QStringLiteral("time-advance"), R"({"seconds":10})").status, 200);
}

} // namespace

class TestSimHaRecovery final : public QObject
{
    Q_OBJECT

private slots:
    void recoveryMatchesThePrediction_data();
    void recoveryMatchesThePrediction();
    void haManagedPowerActionsOnlyQueueARequest();
};

void TestSimHaRecovery::recoveryMatchesThePrediction_data()
{
    QTest::addColumn<QString>("scenarioFile");
    QTest::addColumn<QStringList>("failed");
    QTest::addColumn<bool>("quorate");
    QTest::newRow("pve1 fails on 9.1")
        << QStringLiteral("reference.yaml") << QStringList{QStringLiteral("pve1")} << true;
    QTest::newRow("pve2 fails on 9.1")
        << QStringLiteral("reference.yaml") << QStringList{QStringLiteral("pve2")} << true;
    QTest::newRow("pve3 fails on 9.1")
        << QStringLiteral("reference.yaml") << QStringList{QStringLiteral("pve3")} << true;
    QTest::newRow("pve1 fails on 8.4 with a group")
        << QStringLiteral("reference-pve8.yaml") << QStringList{QStringLiteral("pve1")} << true;
    QTest::newRow("two of three nodes fail: no quorum, nothing is recovered")
        << QStringLiteral("reference.yaml")
        << QStringList{QStringLiteral("pve1"), QStringLiteral("pve3")} << false;
}

void TestSimHaRecovery::recoveryMatchesThePrediction()
{
    QFETCH(QString, scenarioFile);
    QFETCH(QStringList, failed);
    QFETCH(bool, quorate);

    SimProcess sim;
    QVERIFY(sim.start(scenario(scenarioFile.toUtf8().constData())));
    const rae::ha::ClusterState state = readClusterState(sim);
    QVERIFY(state.services.size() >= 1);
    const rae::ha::FailureAnalysis analysis = rae::ha::analyseFailures(state, {failed});
    QCOMPARE(analysis.cases.size(), 1);
    const rae::ha::FailureCase &predicted = analysis.cases.constFirst();
    QCOMPARE(predicted.quorate, quorate);
    QVERIFY2(!predicted.services.isEmpty(), "the failure affects at least one HA service");
    const QHash<QString, Seen> before = readServices(sim);

    for (const QString &node : failed)
        QCOMPARE(sim.control(QStringLiteral("node-power"),
                             QStringLiteral(R"({"node":"%1","on":false})").arg(node).toUtf8())
                     .status,
                 200);

    // Fenced after the fence delay, but not moved before the agent lock has expired.
    advance(sim, 100);
    QHash<QString, Seen> seen = readServices(sim);
    for (const rae::ha::ServiceOutcome &outcome : predicted.services) {
        // Without quorum the manager does nothing at all, fencing included.
        if (outcome.reason == rae::ha::DownReason::Disabled || !quorate)
            continue;
        QCOMPARE(seen.value(outcome.sid).crmState, QStringLiteral("fence"));
        QCOMPARE(seen.value(outcome.sid).node, outcome.fromNode);
    }

    advance(sim, predicted.expectedRecoverySeconds > 0 ? predicted.expectedRecoverySeconds : 140);
    seen = readServices(sim);
    for (const rae::ha::ServiceOutcome &outcome : predicted.services) {
        const Seen now = seen.value(outcome.sid);
        const QByteArray what =
            (outcome.sid + QStringLiteral(": ") + rae::ha::describeOutcome(outcome)).toUtf8();
        switch (outcome.fate) {
        case rae::ha::Fate::Started:
            QVERIFY2(now.node == *outcome.toNode,
                     QByteArray(what + " but it runs on " + now.node.toUtf8()).constData());
            QVERIFY2(now.status == QLatin1String("running"), what.constData());
            QCOMPARE(now.hastate, QStringLiteral("started"));
            QCOMPARE(now.crmState, QStringLiteral("started"));
            break;
        case rae::ha::Fate::MovedStopped:
            QVERIFY2(now.node == *outcome.toNode,
                     QByteArray(what + " but it is on " + now.node.toUtf8()).constData());
            QVERIFY2(now.status == QLatin1String("stopped"), what.constData());
            QCOMPARE(now.crmState, QStringLiteral("stopped"));
            break;
        case rae::ha::Fate::Down:
            if (outcome.reason == rae::ha::DownReason::SelfFenced)
                continue; // the simulator does not reset quorum-less survivors
            QVERIFY2(now.node == outcome.fromNode,
                     QByteArray(what + " but it moved to " + now.node.toUtf8()).constData());
            break;
        }
        QCOMPARE(now.statusNode, now.node);
        QCOMPARE(now.managerNode, now.node);
    }
    if (quorate) {
        const QString master =
            sim.withToken("GET", QStringLiteral("/api2/json/cluster/ha/status/manager_status"))
                .json.object()
                .value(QStringLiteral("data"))
                .toObject()
                .value(QStringLiteral("manager_status"))
                .toObject()
                .value(QStringLiteral("master_node"))
                .toString();
        QVERIFY2(!failed.contains(master), qPrintable(master));
    }
    // Services that the failure did not touch stay where they were.
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (it->crmState.isEmpty() || failed.contains(it->node))
            continue;
        QCOMPARE(seen.value(it.key()).node, it->node);
    }
}

void TestSimHaRecovery::haManagedPowerActionsOnlyQueueARequest()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario("reference.yaml")));
    const auto stop =
        sim.withToken("POST", QStringLiteral("/api2/json/nodes/pve2/qemu/110/status/stop"));
    QCOMPARE(stop.status, 200);
    const QString upid = stop.json.object().value(QStringLiteral("data")).toString();
    QVERIFY2(upid.contains(QLatin1String(":hastop:110:")), qPrintable(upid));
    // The request is queued: the guest still runs until the manager's next round.
    QCOMPARE(readServices(sim).value(QStringLiteral("vm:110")).status, QStringLiteral("running"));
    advance(sim, 30);
    const Seen stopped = readServices(sim).value(QStringLiteral("vm:110"));
    QCOMPARE(stopped.status, QStringLiteral("stopped"));
    QCOMPARE(stopped.crmState, QStringLiteral("stopped"));

    const auto migrate = sim.withToken(
        "POST", QStringLiteral("/api2/json/nodes/pve3/qemu/111/migrate"), "target=pve2&online=1");
    QCOMPARE(migrate.status, 200);
    QVERIFY(migrate.json.object()
                .value(QStringLiteral("data"))
                .toString()
                .contains(QLatin1String(":hamigrate:111:")));
    QCOMPARE(readServices(sim).value(QStringLiteral("vm:111")).node, QStringLiteral("pve3"));
    advance(sim, 40);
    QCOMPARE(readServices(sim).value(QStringLiteral("vm:111")).node, QStringLiteral("pve2"));
}

QTEST_GUILESS_MAIN(TestSimHaRecovery)
#include "tst_sim_ha_recovery.moc"
