// The simulator's cluster-wide data beyond the inventory: datacenter options, RRD history of
// nodes and guests, and Ceph status, checked against the official schema's shapes.
#include "simprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

QString reference()
{
    return QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml");
}

QJsonValue data(const SimProcess::Answer &answer)
{
    return answer.json.object().value(QStringLiteral("data"));
}

} // namespace

class TestSimClusterData final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void optionsOfABasicCluster();
    void nodeHistory_data();
    void nodeHistory();
    void guestHistory();
    void stoppedGuestHasTimesOnly();
    void cephHealthFollowsNodesAndControl();
    void optionsAndNoCephOfAnotherScenario();

private:
    SimProcess m_sim;
};

void TestSimClusterData::initTestCase()
{
    QVERIFY(m_sim.start(reference()));
}

void TestSimClusterData::optionsOfABasicCluster()
{
    const auto answer = m_sim.withToken("GET", QStringLiteral("/api2/json/cluster/options"));
    QCOMPARE(answer.status, 200);
    const QJsonObject options = data(answer).toObject();
    QVERIFY2(!options.contains(QStringLiteral("crs")), "basic is the default: no crs line");
    QVERIFY(!options.contains(QStringLiteral("ha")));
}

void TestSimClusterData::nodeHistory_data()
{
    QTest::addColumn<QString>("timeframe");
    QTest::addColumn<QString>("cf");
    QTest::addColumn<int>("step");
    QTest::newRow("an hour of minutes")
        << QStringLiteral("hour") << QStringLiteral("AVERAGE") << 60;
    QTest::newRow("a day of half hours, maxima")
        << QStringLiteral("day") << QStringLiteral("MAX") << 1800;
    QTest::newRow("a week of three hours") << QStringLiteral("week") << QString() << 10800;
}

void TestSimClusterData::nodeHistory()
{
    QFETCH(QString, timeframe);
    QFETCH(QString, cf);
    QFETCH(int, step);
    QString path = QStringLiteral("/api2/json/nodes/pve1/rrddata?timeframe=") + timeframe;
    if (!cf.isEmpty())
        path += QStringLiteral("&cf=") + cf;
    const auto answer = m_sim.withToken("GET", path);
    QCOMPARE(answer.status, 200);
    const QJsonArray rows = data(answer).toArray();
    QCOMPARE(rows.size(), 70);
    const qint64 first = rows.first().toObject().value(QStringLiteral("time")).toInteger();
    const qint64 last = rows.last().toObject().value(QStringLiteral("time")).toInteger();
    QCOMPARE(last - first, qint64(69) * step);
    QCOMPARE(last % step, 0);
    for (const QJsonValue &value : rows) {
        const QJsonObject row = value.toObject();
        const double cpu = row.value(QStringLiteral("cpu")).toDouble();
        QVERIFY(cpu > 0 && cpu <= 1);
        QCOMPARE(row.value(QStringLiteral("maxcpu")).toInt(), 64);
        QVERIFY(row.value(QStringLiteral("memused")).toDouble() <
                row.value(QStringLiteral("memtotal")).toDouble());
    }
}

void TestSimClusterData::guestHistory()
{
    const auto answer = m_sim.withToken(
        "GET", QStringLiteral("/api2/json/nodes/pve2/qemu/110/rrddata?timeframe=hour"));
    QCOMPARE(answer.status, 200);
    const QJsonObject row = data(answer).toArray().last().toObject();
    QCOMPARE(row.value(QStringLiteral("maxmem")).toDouble(), 8192.0 * 1024 * 1024);
    QVERIFY(row.value(QStringLiteral("mem")).toDouble() > 0);
    QCOMPARE(row.value(QStringLiteral("maxcpu")).toInt(), 4);
    // The schema knows no `decade` for guests.
    QCOMPARE(m_sim
                 .withToken("GET", QStringLiteral(
                                       "/api2/json/nodes/pve2/qemu/110/rrddata?timeframe=decade"))
                 .status,
             400);
}

void TestSimClusterData::stoppedGuestHasTimesOnly()
{
    const auto answer = m_sim.withToken(
        "GET", QStringLiteral("/api2/json/nodes/pve1/qemu/112/rrddata?timeframe=hour"));
    QCOMPARE(answer.status, 200);
    const QJsonObject row = data(answer).toArray().last().toObject();
    QVERIFY(row.contains(QStringLiteral("time")));
    QVERIFY(!row.contains(QStringLiteral("cpu")));
}

void TestSimClusterData::cephHealthFollowsNodesAndControl()
{
    auto health = [this] {
        return data(m_sim.withToken("GET", QStringLiteral("/api2/json/cluster/ceph/status")))
            .toObject()
            .value(QStringLiteral("health"))
            .toObject();
    };
    QCOMPARE(health().value(QStringLiteral("status")).toString(), QStringLiteral("HEALTH_OK"));

    QCOMPARE(m_sim.control(QStringLiteral("node-power"), R"({"node":"pve2","on":false})").status,
             200);
    QJsonObject now = health();
    QCOMPARE(now.value(QStringLiteral("status")).toString(), QStringLiteral("HEALTH_WARN"));
    const QJsonObject checks = now.value(QStringLiteral("checks")).toObject();
    QVERIFY(checks.contains(QStringLiteral("OSD_DOWN")) &&
            checks.contains(QStringLiteral("MON_DOWN")));
    QCOMPARE(m_sim.control(QStringLiteral("node-power"), R"({"node":"pve2","on":true})").status,
             200);

    QCOMPARE(m_sim
                 .control(QStringLiteral("ceph-health"),
                          R"({"status":"HEALTH_ERR","check":"PG_DAMAGED","message":"damage"})")
                 .status,
             200);
    now = health();
    QCOMPARE(now.value(QStringLiteral("status")).toString(), QStringLiteral("HEALTH_ERR"));
    QCOMPARE(now.value(QStringLiteral("checks"))
                 .toObject()
                 .value(QStringLiteral("PG_DAMAGED"))
                 .toObject()
                 .value(QStringLiteral("summary"))
                 .toObject()
                 .value(QStringLiteral("message"))
                 .toString(),
             QStringLiteral("damage"));
    QCOMPARE(m_sim.control(QStringLiteral("ceph-health"), R"({"status":"HEALTH_BAD"})").status,
             400);
    QCOMPARE(m_sim.control(QStringLiteral("ceph-health"), R"({"status":""})").status, 200);
    QCOMPARE(health().value(QStringLiteral("status")).toString(), QStringLiteral("HEALTH_OK"));
}

void TestSimClusterData::optionsAndNoCephOfAnotherScenario()
{
    QFile file(reference());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray text = file.readAll();
    text.replace("type: rbd", "type: nfs");
    text.replace("cluster: prod\n", "cluster: prod\ncrs-ha: static\nha-shutdown-policy: migrate\n");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("noceph.yaml"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(text);
    out.close();

    SimProcess sim;
    QVERIFY(sim.start(path));
    const QJsonObject options =
        data(sim.withToken("GET", QStringLiteral("/api2/json/cluster/options"))).toObject();
    QCOMPARE(options.value(QStringLiteral("crs")).toObject().value(QStringLiteral("ha")).toString(),
             QStringLiteral("static"));
    QCOMPARE(options.value(QStringLiteral("ha"))
                 .toObject()
                 .value(QStringLiteral("shutdown_policy"))
                 .toString(),
             QStringLiteral("migrate"));
    QCOMPARE(sim.withToken("GET", QStringLiteral("/api2/json/cluster/ceph/status")).status, 500);
    QCOMPARE(sim.control(QStringLiteral("ceph-health"), R"({"status":"HEALTH_WARN"})").status, 400);
}

QTEST_GUILESS_MAIN(TestSimClusterData)
#include "tst_sim_clusterdata.moc"
