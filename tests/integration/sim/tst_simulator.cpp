// The simulator as clients meet it: the real executable over real TLS.
#include "simprocess.h"

#include "sim/crypto.h"
#include "sim/schema.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <memory>

namespace {

QString scenario(const char *name)
{
    return QStringLiteral(RAE_SOURCE_DIR "/resources/sim/") + QString::fromLatin1(name);
}

QJsonArray dataArray(const SimProcess::Answer &answer)
{
    return answer.json.object().value(QStringLiteral("data")).toArray();
}

// Waits for a task the way clients must: 400 "no such task" first, then running, then stopped.
QJsonObject waitTask(SimProcess &sim, const QString &upid)
{
    const QString node = upid.section(QLatin1Char(':'), 1, 1);
    const QString path = QStringLiteral("/api2/json/nodes/%1/tasks/%2/status")
                             .arg(node, QString::fromLatin1(QUrl::toPercentEncoding(upid)));
    for (int i = 0; i < 200; ++i) {
        const auto answer = sim.withToken("GET", path);
        const QJsonObject status = answer.json.object().value(QStringLiteral("data")).toObject();
        if (answer.status == 200 &&
            status.value(QStringLiteral("status")) == QLatin1String("stopped"))
            return status;
        QThread::msleep(100);
    }
    return {};
}

} // namespace

class TestSimulator final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void servedCertificateMatchesPrintedFingerprint();
    void clusterResourcesListsThreeNodes();
    void errorTransport_data();
    void errorTransport();
    void contract_data();
    void contract();
    void ticketLoginNeedsCsrfOnWritesAndRenews();
    void totpTakesTwoSteps();
    void newTaskIsBrieflyUnknown();
    void liveMigrationWithLocalDiskFailsInTheTask();
    void failedNodeAnswers595AndItsGuestsGoStale();
    void haGroupsFollowTheRelease();
    void authFailureKeepsProxmoxDelay();
    void configDigestCoversPendingChanges();

private:
    std::unique_ptr<SimProcess> m_sim;
    rae::sim::ApiSchema m_schema;
};

void TestSimulator::initTestCase()
{
    m_sim = std::make_unique<SimProcess>();
    QVERIFY(m_sim->start(scenario("reference.yaml"),
                         {QStringLiteral("--auth-failure-delay-ms"), QStringLiteral("50"),
                          QStringLiteral("--time-scale"), QStringLiteral("20")}));
    auto schema = rae::sim::ApiSchema::fromFile(
        QStringLiteral(RAE_TEST_DATA_DIR "/pve-schema/pve-api-9.1.extract.json"));
    QVERIFY2(schema.ok(), "the committed schema extract loads");
    m_schema = *schema;
}

void TestSimulator::servedCertificateMatchesPrintedFingerprint()
{
    const auto answer = m_sim->withToken("GET", QStringLiteral("/api2/json/nodes"));
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.peerFingerprint, m_sim->value(QStringLiteral("fingerprint")));
    QCOMPARE(dataArray(answer).at(0).toObject().value(QStringLiteral("ssl_fingerprint")).toString(),
             m_sim->value(QStringLiteral("fingerprint")));
}

void TestSimulator::clusterResourcesListsThreeNodes()
{
    const auto answer =
        m_sim->withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=node"));
    QCOMPARE(answer.status, 200);
    QCOMPARE(dataArray(answer).size(), 3);
    QCOMPARE(answer.header("Server"), QByteArray("pve-api-daemon/3.0"));
    QVERIFY(answer.header("Content-Type").startsWith("application/json"));
}

void TestSimulator::errorTransport_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("form");
    QTest::addColumn<bool>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QString>("errorKey");

    QTest::newRow("an unknown path is 501, not 404")
        << QByteArray("GET") << QStringLiteral("/api2/json/nodes/pve1/qemu/100/stauts")
        << QByteArray() << true << 501
        << QByteArray("Method 'GET /nodes/pve1/qemu/100/stauts' not implemented") << QString();
    QTest::newRow("a request without credentials is 401 No ticket")
        << QByteArray("GET") << QStringLiteral("/api2/json/version") << QByteArray() << false << 401
        << QByteArray("No ticket") << QString();
    QTest::newRow("an unknown parameter is 400 with an errors map")
        << QByteArray("POST") << QStringLiteral("/api2/json/nodes/pve1/qemu")
        << QByteArray("vmid=150&bogus=1") << true << 400
        << QByteArray("Parameter verification failed.") << QStringLiteral("bogus");
    QTest::newRow("true is not a boolean in a form")
        << QByteArray("POST") << QStringLiteral("/api2/json/nodes/pve1/qemu")
        << QByteArray("vmid=150&agent=1&onboot=true") << true << 400
        << QByteArray("Parameter verification failed.") << QStringLiteral("onboot");
    QTest::newRow("a vmid below 100 is refused")
        << QByteArray("GET") << QStringLiteral("/api2/json/cluster/nextid?vmid=99") << QByteArray()
        << true << 400 << QByteArray("Parameter verification failed.") << QStringLiteral("vmid");
    QTest::newRow("a taken vmid is refused by nextid")
        << QByteArray("GET") << QStringLiteral("/api2/json/cluster/nextid?vmid=100") << QByteArray()
        << true << 400 << QByteArray("Parameter verification failed.") << QStringLiteral("vmid");
    QTest::newRow("a VM asked on the wrong node is 500 does not exist")
        << QByteArray("GET") << QStringLiteral("/api2/json/nodes/pve2/qemu/100/status/current")
        << QByteArray() << true << 500
        << QByteArray("Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist")
        << QString();
    QTest::newRow("a raw hostpci from a token is refused")
        << QByteArray("POST") << QStringLiteral("/api2/json/nodes/pve3/qemu")
        << QByteArray("vmid=151&hostpci0=0000:41:00.0") << true << 500
        << QByteArray("only root can set 'hostpci0' config for non-mapped devices") << QString();
    QTest::newRow("PVE 9 has no HA groups any more")
        << QByteArray("GET") << QStringLiteral("/api2/json/cluster/ha/groups") << QByteArray()
        << true << 500 << QByteArray("cannot index groups: ha groups have been migrated to rules")
        << QString();
    QTest::newRow("a privilege-separated token may not write HA")
        << QByteArray("POST") << QStringLiteral("/api2/json/cluster/ha/resources")
        << QByteArray("sid=vm:9000") << true << 403
        << QByteArray("Permission check failed (/, Sys.Console)") << QString();
}

void TestSimulator::errorTransport()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, form);
    QFETCH(bool, token);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(QString, errorKey);

    const auto answer =
        token ? m_sim->withToken(method, path, form) : m_sim->call(method, path, form);
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.reason, reason);
    QCOMPARE(answer.header("Connection").toLower(), QByteArray("close"));
    if (!errorKey.isEmpty())
        QVERIFY2(answer.json.object().value(QStringLiteral("errors")).toObject().contains(errorKey),
                 answer.body.constData());
}

void TestSimulator::contract_data()
{
    QTest::addColumn<QString>("path");
    const QStringList paths = {
        QStringLiteral("/version"),
        QStringLiteral("/cluster/status"),
        QStringLiteral("/cluster/resources"),
        QStringLiteral("/cluster/nextid"),
        QStringLiteral("/cluster/tasks"),
        QStringLiteral("/cluster/mapping/pci"),
        QStringLiteral("/cluster/ha/resources"),
        QStringLiteral("/cluster/ha/status/current"),
        QStringLiteral("/cluster/ha/status/manager_status"),
        QStringLiteral("/cluster/replication"),
        QStringLiteral("/cluster/backup"),
        QStringLiteral("/pools"),
        QStringLiteral("/storage"),
        QStringLiteral("/access/permissions"),
        QStringLiteral("/nodes"),
        QStringLiteral("/nodes/pve1/status"),
        QStringLiteral("/nodes/pve1/version"),
        QStringLiteral("/nodes/pve1/storage"),
        QStringLiteral("/nodes/pve1/storage/ceph-vm/status"),
        QStringLiteral("/nodes/pve1/storage/ceph-vm/content"),
        QStringLiteral("/nodes/pve1/network"),
        QStringLiteral("/nodes/pve1/certificates/info"),
        QStringLiteral("/nodes/pve3/hardware/pci"),
        QStringLiteral("/nodes/pve1/qemu"),
        QStringLiteral("/nodes/pve1/qemu/100/config"),
        QStringLiteral("/nodes/pve1/qemu/100/pending"),
        QStringLiteral("/nodes/pve1/qemu/100/status/current"),
        QStringLiteral("/nodes/pve1/qemu/100/migrate"),
        QStringLiteral("/nodes/pve1/qemu/9000/config"),
        QStringLiteral("/nodes/pve1/tasks"),
        QStringLiteral("/nodes/pve1/replication"),
        QStringLiteral("/nodes/pve1/replication/100-0/status"),
    };
    for (const QString &path : paths)
        QTest::newRow(qPrintable(QStringLiteral("GET %1 fits its returns schema").arg(path)))
            << path;
}

void TestSimulator::contract()
{
    QFETCH(QString, path);
    const auto answer = m_sim->call(
        "GET", QStringLiteral("/api2/json") + path, {},
        {{"Authorization", "PVEAPIToken=deployer@pve!full=00000000-0000-4000-8000-00000000a002"}});
    QVERIFY2(answer.status == 200, answer.reason.constData());
    const auto match = m_schema.match(path.section(QLatin1Char('?'), 0, 0));
    QVERIFY(match.has_value());
    const QJsonObject method = m_schema.method(match->path, QStringLiteral("GET"));
    QVERIFY(!method.isEmpty());
    const QStringList problems =
        rae::sim::ApiSchema::checkReturns(method.value(QStringLiteral("returns")),
                                          answer.json.object().value(QStringLiteral("data")));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestSimulator::ticketLoginNeedsCsrfOnWritesAndRenews()
{
    // Test-only password from reference.yaml.
    const auto login =
        m_sim->call("POST", QStringLiteral("/api2/json/access/ticket"),
                    "username=deployer%40pve&password=sim-deployer-password-test-only");
    QCOMPARE(login.status, 200);
    const QJsonObject data = login.json.object().value(QStringLiteral("data")).toObject();
    const QByteArray ticket = data.value(QStringLiteral("ticket")).toString().toUtf8();
    const QByteArray csrf = data.value(QStringLiteral("CSRFPreventionToken")).toString().toUtf8();
    QVERIFY(ticket.startsWith("PVE:deployer@pve:"));
    QCOMPARE(data.value(QStringLiteral("clustername")).toString(), QStringLiteral("prod"));
    const QByteArray cookie = "PVEAuthCookie=" + QUrl::toPercentEncoding(QString::fromUtf8(ticket));

    QCOMPARE(
        m_sim->call("GET", QStringLiteral("/api2/json/version"), {}, {{"Cookie", cookie}}).status,
        200);
    const auto withoutCsrf =
        m_sim->call("POST", QStringLiteral("/api2/json/nodes/pve1/qemu/100/status/reboot"),
                    "timeout=5", {{"Cookie", cookie}});
    QCOMPARE(withoutCsrf.status, 401);
    QCOMPARE(withoutCsrf.reason, QByteArray("Permission denied - invalid csrf token"));

    const auto renewed = m_sim->call("POST", QStringLiteral("/api2/json/access/ticket"),
                                     "username=deployer%40pve&password=" +
                                         QUrl::toPercentEncoding(QString::fromUtf8(ticket)));
    QCOMPARE(renewed.status, 200);

    QCOMPARE(m_sim->control(QStringLiteral("invalidate-tickets")).status, 200);
    const auto stale =
        m_sim->call("GET", QStringLiteral("/api2/json/version"), {}, {{"Cookie", cookie}});
    QCOMPARE(stale.status, 401);
    QCOMPARE(stale.reason, QByteArray("permission denied - invalid PVE ticket"));
    QVERIFY(stale.body.isEmpty());
    Q_UNUSED(csrf)
}

void TestSimulator::totpTakesTwoSteps()
{
    const auto first = m_sim->call("POST", QStringLiteral("/api2/json/access/ticket"),
                                   "username=tfa%40pve&password=sim-tfa-password-test-only");
    QCOMPARE(first.status, 200);
    const QJsonObject half = first.json.object().value(QStringLiteral("data")).toObject();
    QCOMPARE(half.value(QStringLiteral("NeedTFA")).toInt(), 1);
    const QString challenge = half.value(QStringLiteral("ticket")).toString();
    QVERIFY(challenge.startsWith(QLatin1String("PVE:!tfa!")));
    QCOMPARE(m_sim
                 ->call("GET", QStringLiteral("/api2/json/version"), {},
                        {{"Cookie", "PVEAuthCookie=" + QUrl::toPercentEncoding(challenge)}})
                 .status,
             401);

    const auto code = rae::sim::totpCode(QStringLiteral("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
                                         QDateTime::currentSecsSinceEpoch());
    QVERIFY(code.ok());
    const auto second =
        m_sim->call("POST", QStringLiteral("/api2/json/access/ticket"),
                    "username=tfa%40pve&tfa-challenge=" + QUrl::toPercentEncoding(challenge) +
                        "&password=" + QUrl::toPercentEncoding(QStringLiteral("totp:") + *code));
    QVERIFY2(second.status == 200, second.reason.constData());
    QVERIFY(second.json.object()
                .value(QStringLiteral("data"))
                .toObject()
                .value(QStringLiteral("ticket"))
                .toString()
                .startsWith(QLatin1String("PVE:tfa@pve:")));
}

void TestSimulator::newTaskIsBrieflyUnknown()
{
    const auto created = m_sim->withToken(
        "POST", QStringLiteral("/api2/json/nodes/pve1/qemu/9000/clone"), "newid=120&name=rae-db");
    QCOMPARE(created.status, 200);
    const QString upid = created.json.object().value(QStringLiteral("data")).toString();
    QVERIFY2(upid.startsWith(QLatin1String("UPID:pve1:")) &&
                 upid.endsWith(QLatin1String(":qmclone:9000:deployer@pve!app:")),
             qPrintable(upid));
    const auto early =
        m_sim->withToken("GET", QStringLiteral("/api2/json/nodes/pve1/tasks/%1/status")
                                    .arg(QString::fromLatin1(QUrl::toPercentEncoding(upid))));
    QCOMPARE(early.status, 400);
    QCOMPARE(early.json.object()
                 .value(QStringLiteral("errors"))
                 .toObject()
                 .value(QStringLiteral("upid"))
                 .toString(),
             QStringLiteral("no such task"));
    const QJsonObject done = waitTask(*m_sim, upid);
    QCOMPARE(done.value(QStringLiteral("exitstatus")).toString(), QStringLiteral("OK"));
    QCOMPARE(done.value(QStringLiteral("tokenid")).toString(), QStringLiteral("app"));
}

void TestSimulator::liveMigrationWithLocalDiskFailsInTheTask()
{
    auto created = m_sim->withToken(
        "POST", QStringLiteral("/api2/json/nodes/pve1/qemu"),
        "vmid=130&memory=1024&scsi0=local-zfs%3A4&net0=virtio%2Cbridge%3Dvmbr1&start=1");
    QCOMPARE(created.status, 200);
    QCOMPARE(waitTask(*m_sim, created.json.object().value(QStringLiteral("data")).toString())
                 .value(QStringLiteral("exitstatus"))
                 .toString(),
             QStringLiteral("OK"));

    const auto offline = m_sim->withToken(
        "POST", QStringLiteral("/api2/json/nodes/pve1/qemu/130/migrate"), "target=pve2");
    QCOMPARE(offline.status, 500);
    QCOMPARE(offline.reason, QByteArray("can't migrate running VM without --online"));

    const auto online = m_sim->withToken(
        "POST", QStringLiteral("/api2/json/nodes/pve1/qemu/130/migrate"), "target=pve2&online=1");
    QCOMPARE(online.status, 200);
    const QJsonObject status =
        waitTask(*m_sim, online.json.object().value(QStringLiteral("data")).toString());
    QCOMPARE(status.value(QStringLiteral("exitstatus")).toString(),
             QStringLiteral("migration aborted"));
}

void TestSimulator::failedNodeAnswers595AndItsGuestsGoStale()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario("reference.yaml"),
                      {QStringLiteral("--auth-failure-delay-ms"), QStringLiteral("0")}));
    QCOMPARE(sim.control(QStringLiteral("node-power"), R"({"node":"pve1","on":false})").status,
             200);
    // pve1 answers the API in the scenario, so ask about it through its own forwarding rules.
    QCOMPARE(sim.control(QStringLiteral("node-status"), R"({"node":"pve2","status":595})").status,
             200);
    const auto down = sim.withToken("GET", QStringLiteral("/api2/json/nodes/pve2/status"));
    QCOMPARE(down.status, 595);
    QVERIFY(down.body.isEmpty());

    auto resources =
        dataArray(sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources")));
    QString nodeStatus;
    QString guestStatus;
    for (const QJsonValue &entry : resources) {
        const QJsonObject object = entry.toObject();
        if (object.value(QStringLiteral("id")) == QLatin1String("node/pve1"))
            nodeStatus = object.value(QStringLiteral("status")).toString();
        if (object.value(QStringLiteral("id")) == QLatin1String("qemu/100"))
            guestStatus = object.value(QStringLiteral("status")).toString();
    }
    QCOMPARE(nodeStatus, QStringLiteral("offline"));
    QCOMPARE(guestStatus, QStringLiteral("running")); // the last broadcast, for five minutes

    QCOMPARE(sim.control(QStringLiteral("time-advance"), R"({"seconds":301})").status, 200);
    resources =
        dataArray(sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=vm")));
    // The guest without HA (the template) is forgotten; the HA guest was recovered elsewhere.
    for (const QJsonValue &entry : resources) {
        const QJsonObject guest = entry.toObject();
        if (guest.value(QStringLiteral("vmid")).toInt() == 9000)
            QCOMPARE(guest.value(QStringLiteral("status")).toString(), QStringLiteral("unknown"));
        if (guest.value(QStringLiteral("vmid")).toInt() == 100)
            QVERIFY(guest.value(QStringLiteral("node")) != QLatin1String("pve1"));
    }
}

void TestSimulator::haGroupsFollowTheRelease()
{
    SimProcess pve8;
    QVERIFY(pve8.start(scenario("reference-pve8.yaml"),
                       {QStringLiteral("--auth-failure-delay-ms"), QStringLiteral("0")}));
    const auto groups = pve8.call(
        "GET", QStringLiteral("/api2/json/cluster/ha/groups"), {},
        {{"Authorization", "PVEAPIToken=deployer@pve!full=00000000-0000-4000-8000-00000000a002"}});
    QCOMPARE(groups.status, 200);
    QCOMPARE(dataArray(groups).at(0).toObject().value(QStringLiteral("group")).toString(),
             QStringLiteral("infra"));
    QCOMPARE(pve8.withToken("GET", QStringLiteral("/api2/json/cluster/ha/rules")).status, 501);
}

void TestSimulator::authFailureKeepsProxmoxDelay()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario("reference.yaml"))); // the default 3 s delay
    const auto refused = sim.call("POST", QStringLiteral("/api2/json/access/ticket"),
                                  "username=deployer%40pve&password=wrong");
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.reason, QByteArray("authentication failure"));
    QVERIFY2(refused.elapsedMs >= 2900, qPrintable(QString::number(refused.elapsedMs)));
}

// Proxmox's digest is the configuration file's, [PENDING] section included: the same with or
// without `current`, and what an update must name even while a change waits for the next start.
void TestSimulator::configDigestCoversPendingChanges()
{
    const QString path = QStringLiteral("/api2/json/nodes/pve1/qemu/100/config");
    const auto digestOf = [this, &path](const QString &query) {
        return m_sim->withToken("GET", path + query)
            .json.object()
            .value(QStringLiteral("data"))
            .toObject()
            .value(QStringLiteral("digest"))
            .toString();
    };
    const QString cores = m_sim->withToken("GET", path + QStringLiteral("?current=1"))
                              .json.object()
                              .value(QStringLiteral("data"))
                              .toObject()
                              .value(QStringLiteral("cores"))
                              .toVariant()
                              .toString();
    QVERIFY(!cores.isEmpty());
    // VM 100 runs: a new core count waits for its next start.
    QCOMPARE(m_sim->withToken("PUT", path, "cores=" + QByteArray::number(cores.toInt() + 2)).status,
             200);
    const QString digest = digestOf({});
    QVERIFY(!digest.isEmpty());
    QCOMPARE(digestOf(QStringLiteral("?current=1")), digest);
    QCOMPARE(
        m_sim->withToken("PUT", path, "description=digest-test&digest=" + digest.toLatin1()).status,
        200);
    // The digest read before that change is stale now.
    const auto stale =
        m_sim->withToken("PUT", path, "cores=" + cores.toLatin1() + "&digest=" + digest.toLatin1());
    QCOMPARE(stale.status, 500);
    QVERIFY2(stale.reason.contains("detected modified configuration"), stale.reason.constData());
    QCOMPARE(
        m_sim->withToken("PUT", path, "cores=" + cores.toLatin1() + "&delete=description").status,
        200);
}

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"
