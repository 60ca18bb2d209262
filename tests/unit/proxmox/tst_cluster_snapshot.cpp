#include "cluster/replication.h"
#include "cluster/resources.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace rae::cluster;

namespace {

QByteArray readCase(const char *name)
{
    QFile file(QStringLiteral(RAE_TEST_DATA_DIR "/cases/") + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open test case %s", name);
    return file.readAll();
}

} // namespace

class TestClusterSnapshot final : public QObject
{
    Q_OBJECT

private slots:
    void guestOnOfflineNodeIsUnknown();
    void looseTypesAndUnknownEntries();
    void malformed_data();
    void malformed();
    void replicationCases_data();
    void replicationCases();
    void replicationStates_data();
    void replicationStates();
};

void TestClusterSnapshot::guestOnOfflineNodeIsUnknown()
{
    const auto resources = parseResourcesReply(readCase("stale-offline-node.json"));
    QVERIFY2(resources.ok(), qPrintable(resources ? QString() : resources.error().message));
    QCOMPARE(resources->nodes.size(), 3);
    QCOMPARE(resources->guests.size(), 2);

    const NodeResource *pve2 = resources->node(QStringLiteral("pve2"));
    QVERIFY(pve2);
    QCOMPARE(pve2->status, NodeStatus::Offline);
    QVERIFY(!pve2->cpu.has_value());

    const GuestResource *db = resources->guest(101);
    QVERIFY(db);
    QCOMPARE(db->node, QStringLiteral("pve2"));
    QCOMPARE(db->status, GuestStatus::Unknown);
    QVERIFY(db->statsStale);
    QCOMPARE(db->reportedStatus, QStringLiteral("running")); // kept for display, not believed

    const GuestResource *api = resources->guest(104);
    QVERIFY(api);
    QCOMPARE(api->status, GuestStatus::Running);
    QVERIFY(!api->statsStale);
    QCOMPARE(api->memoryTotal, quint64(34359738368));
    QCOMPARE(api->tags, QStringList({QStringLiteral("rae"), QStringLiteral("rae-api")}));
    QCOMPARE(api->haState, QStringLiteral("started"));

    const NodeResource *pve1 = resources->node(QStringLiteral("pve1"));
    QVERIFY(pve1);
    QCOMPARE(pve1->maxCpu, 32);
    QCOMPARE(pve1->cpu, std::optional<double>(0.12));
}

void TestClusterSnapshot::looseTypesAndUnknownEntries()
{
    const QByteArray body = R"({"data":[
        {"id":"node/pve1","type":"node","node":"pve1","status":"online","maxcpu":"64",
         "mem":"68719476736","maxmem":540000000000},
        {"id":"qemu/104","type":"qemu","vmid":"104","node":"pve1","name":"llm",
         "status":"prelaunch","template":"0","memhost":61000000000,"maxmem":68719476736},
        {"id":"lxc/200","type":"lxc","vmid":200,"node":"pve1","status":"stopped","template":1},
        {"id":"storage/pve1/ceph-vm","type":"storage","node":"pve1","storage":"ceph-vm",
         "plugintype":"rbd","status":"available","shared":1,"content":"images,rootdir",
         "disk":1200000000000,"maxdisk":9000000000000},
        {"id":"/pool/rae","type":"pool","pool":"rae"},
        {"id":"network/pve1/zone/localnetwork","type":"network","network":"localnetwork"},
        {"id":"future/1","type":"something-new"}
    ]})";
    const auto resources = parseResourcesReply(body);
    QVERIFY(resources.ok());
    QCOMPARE(resources->nodes.first().maxCpu, 64);
    QCOMPARE(resources->nodes.first().memoryUsed, quint64(68719476736));

    const GuestResource *llm = resources->guest(104);
    QVERIFY(llm);
    QCOMPARE(llm->status, GuestStatus::Other);
    QCOMPARE(llm->reportedStatus, QStringLiteral("prelaunch"));
    QCOMPARE(llm->memoryHost, std::optional<quint64>(61000000000));
    QVERIFY(!llm->isTemplate);

    const GuestResource *ct = resources->guest(200);
    QVERIFY(ct);
    QCOMPARE(ct->type, GuestType::Lxc);
    QVERIFY(ct->isTemplate);

    QCOMPARE(resources->storages.size(), 1);
    const StorageResource &ceph = resources->storages.first();
    QVERIFY(ceph.shared);
    QVERIFY(ceph.available);
    QCOMPARE(ceph.content, QStringList({QStringLiteral("images"), QStringLiteral("rootdir")}));
    QCOMPARE(ceph.total, quint64(9000000000000));
    QCOMPARE(resources->ignoredEntries, 3);
}

void TestClusterSnapshot::malformed_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("truncated JSON") << QByteArray(R"({"data":[{"id":"node/pve1","ty)");
    QTest::newRow("data is not a list") << QByteArray(R"({"data":{"id":"x"}})");
    QTest::newRow("a guest without vmid") << QByteArray(R"({"data":[{"type":"qemu","node":"p"}]})");
    QTest::newRow("an empty body") << QByteArray();
}

void TestClusterSnapshot::malformed()
{
    QFETCH(QByteArray, body);
    QVERIFY(!parseResourcesReply(body).ok());
}

void TestClusterSnapshot::replicationCases_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<ReplicationHealth>("health");
    QTest::addColumn<qint64>("lag");
    QTest::addColumn<int>("failures");

    QTest::newRow("the healthy job is 300 s behind a 15-minute schedule")
        << "healthy" << ReplicationHealth::Ok << qint64(300) << 0;
    QTest::newRow("the failing job is 3900 s behind after 4 failures")
        << "failing" << ReplicationHealth::Failing << qint64(3900) << 4;
}

void TestClusterSnapshot::replicationCases()
{
    QFETCH(QString, which);
    QFETCH(ReplicationHealth, health);
    QFETCH(qint64, lag);
    QFETCH(int, failures);

    const QJsonObject cases = QJsonDocument::fromJson(readCase("replication-status.json")).object();
    const auto jobs =
        parseReplicationStatus(cases.value(which).toObject().value(QLatin1String("data")));
    QVERIFY(jobs.ok());
    QCOMPARE(jobs->size(), 1);
    const ReplicationStatus &job = jobs->first();
    QCOMPARE(job.source, QStringLiteral("pve1"));
    QCOMPARE(job.target, QStringLiteral("pve3"));
    QCOMPARE(job.failCount, failures);

    const ReplicationAssessment assessment = assessReplication(job, 1764764400);
    QCOMPARE(assessment.health, health);
    QCOMPARE(assessment.lagSeconds, lag);
    QCOMPARE(assessment.intervalSeconds, qint64(900));
    if (health == ReplicationHealth::Failing) {
        QVERIFY2(assessment.message.contains(job.error), qPrintable(assessment.message));
        QVERIFY(job.error.startsWith(QLatin1String("command 'zfs recv")));
    }
}

void TestClusterSnapshot::replicationStates_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<ReplicationHealth>("health");

    QTest::newRow("no failures but far behind its schedule is lagging")
        << QByteArray(R"({"id":"1-0","schedule":"*/5","last_sync":1000,"last_try":1000})")
        << ReplicationHealth::Lagging;
    QTest::newRow("a run in progress is not judged by its lag")
        << QByteArray(R"({"id":"1-0","schedule":"*/5","last_sync":1000,"last_try":9000,"pid":42})")
        << ReplicationHealth::Running;
    QTest::newRow("a job that never synced says so")
        << QByteArray(R"({"id":"1-0","last_sync":0,"last_try":0})")
        << ReplicationHealth::NeverSynced;
    QTest::newRow("a disabled job is reported as disabled")
        << QByteArray(R"({"id":"1-0","disable":1,"last_sync":1000})")
        << ReplicationHealth::Disabled;
    QTest::newRow("an error text without a fail count is failing")
        << QByteArray(R"({"id":"1-0","last_sync":9900,"error":"boom"})")
        << ReplicationHealth::Failing;
}

void TestClusterSnapshot::replicationStates()
{
    QFETCH(QByteArray, json);
    QFETCH(ReplicationHealth, health);
    const auto jobs = parseReplicationStatus(QJsonDocument::fromJson(json).object());
    QVERIFY(jobs.ok());
    QCOMPARE(assessReplication(jobs->first(), 10000).health, health);
}

QTEST_GUILESS_MAIN(TestClusterSnapshot)
#include "tst_cluster_snapshot.moc"
