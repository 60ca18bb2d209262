// The snapshot poller on a fake network: what one cycle costs, when HA and replication are read
// again, and that a node being down never fails a cycle.
#include "cluster/snapshotpoller.h"
#include "fakenetwork.h"
#include "proxmox/client.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rae::cluster;
using namespace rae::proxmox;
using namespace std::chrono_literals;

namespace {

FakeAnswer ok(const QByteArray &dataJson)
{
    return {200, "OK", "{\"data\":" + dataJson + "}", QNetworkReply::NoError, false, 0};
}

} // namespace

class TestSnapshotPoller final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void firstCycleReadsEverythingThenOnlyResources();
    void haIsReadAgainWhenHaStateChanges();
    void haIsReadAtLeastEveryFewCycles();
    void replicationIsReadWhenDueOrMoved();
    void offlineNodeDoesNotFailACycle();
    void unreachableNodeIsReportedNotFatal();
    void resourcesFailingFailsTheCycle();
    void timerDrivesCyclesUntilStopped();

private:
    void makeClient();
    ClusterSnapshot cycle();
    QStringList pathsSince(int index) const;

    // What the fake cluster shows; tests change it between cycles.
    QString m_pve1Status = QStringLiteral("online");
    QString m_guestHaState = QStringLiteral("started");
    QString m_guestNode = QStringLiteral("pve1");
    qint64 m_now = 1'800'000'000;
    qint64 m_nextSync = 1'800'000'900;
    bool m_replicationUnreachable = false;
    bool m_resourcesDown = false;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<ProxmoxClient> m_client;
    std::unique_ptr<SnapshotPoller> m_poller;
};

void TestSnapshotPoller::init()
{
    m_pve1Status = QStringLiteral("online");
    m_guestHaState = QStringLiteral("started");
    m_guestNode = QStringLiteral("pve1");
    m_now = 1'800'000'000;
    m_nextSync = 1'800'000'900;
    m_replicationUnreachable = false;
    m_resourcesDown = false;
    m_dir = std::make_unique<QTemporaryDir>();
    m_settings =
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    makeClient();
    PollerOptions options;
    options.interval = 1h; // cycles come from pollNow() unless a test says otherwise
    options.haRefreshEvery = 4;
    options.now = [this] {
        return m_now;
    };
    m_poller = std::make_unique<SnapshotPoller>(m_client.get(), options);
}

void TestSnapshotPoller::cleanup()
{
    m_poller.reset();
    m_client.reset();
    m_network.reset();
    m_settings.reset();
    m_dir.reset();
}

void TestSnapshotPoller::makeClient()
{
    m_network = std::make_unique<FakeNetwork>([this](const SeenRequest &request) {
        const QString path = request.url.path().mid(int(qstrlen("/api2/json")));
        if (path == QLatin1String("/version"))
            return ok(R"({"version":"9.1.4","release":"9.1"})");
        if (path == QLatin1String("/nodes"))
            return ok("[]");
        if (path == QLatin1String("/cluster/resources")) {
            if (m_resourcesDown)
                return FakeAnswer{0, {}, {}, QNetworkReply::ConnectionRefusedError, false, 0};
            const QByteArray pve1 = m_pve1Status.toLatin1();
            return ok(R"([{"id":"node/pve1","type":"node","node":"pve1","status":")" + pve1 +
                      R"(","hastate":"online"},
                {"id":"node/pve2","type":"node","node":"pve2","status":"online","hastate":"online"},
                {"id":"qemu/100","type":"qemu","vmid":100,"node":")" +
                      m_guestNode.toLatin1() + R"(","name":"bastion","status":"running",
                 "hastate":")" +
                      m_guestHaState.toLatin1() + R"("}])");
        }
        if (path == QLatin1String("/cluster/ha/status/current"))
            return ok(R"([{"id":"quorum","type":"quorum","node":"pve1","quorate":1},
                {"id":"service:vm:100","type":"service","sid":"vm:100","node":"pve1",
                 "state":"started","crm_state":"started","request_state":"started"}])");
        if (path == QLatin1String("/cluster/replication"))
            return ok(R"([{"id":"100-0","guest":100,"jobnum":0,"target":"pve2","type":"local"}])");
        if (path.endsWith(QLatin1String("/replication"))) {
            if (m_replicationUnreachable)
                return FakeAnswer{595, "No route to host", {}, QNetworkReply::NoError, false, 0};
            return ok(R"([{"id":"100-0","guest":100,"source":"pve1","target":"pve2",
                "last_sync":1799999100,"next_sync":)" +
                      QByteArray::number(m_nextSync) + "}]");
        }
        return FakeAnswer{501, "Method not implemented", {}, QNetworkReply::NoError, false, 0};
    });
    m_client = std::make_unique<ProxmoxClient>(
        QStringLiteral("prod"), QList<QUrl>{QUrl(QStringLiteral("https://pve1.example.test:8006"))},
        PinStore(m_settings.get(), QStringLiteral("prod")), m_network.get());
    ClientOptions options;
    options.degradedFor = 1ms; // the endpoint that refused once is tried again at once
    m_client->setOptions(options);
    QSignalSpy connected(m_client.get(), &ProxmoxClient::connected);
    m_client->connectToCluster(Credentials::apiToken(
        QStringLiteral("deployer@pve"), QStringLiteral("app"), QStringLiteral("secret")));
    QVERIFY(connected.wait(5000));
}

ClusterSnapshot TestSnapshotPoller::cycle()
{
    QSignalSpy ready(m_poller.get(), &SnapshotPoller::snapshotReady);
    m_poller->pollNow();
    if (!ready.wait(5000))
        return {};
    return ready.first().first().value<ClusterSnapshot>();
}

QStringList TestSnapshotPoller::pathsSince(int index) const
{
    QStringList paths;
    for (int i = index; i < m_network->seen.size(); ++i)
        paths << m_network->seen.at(i).url.path().mid(int(qstrlen("/api2/json")));
    return paths;
}

void TestSnapshotPoller::firstCycleReadsEverythingThenOnlyResources()
{
    int before = int(m_network->seen.size());
    const ClusterSnapshot first = cycle();
    QCOMPARE(first.cycle, quint64(1));
    QCOMPARE(pathsSince(before), (QStringList{QStringLiteral("/cluster/resources"),
                                              QStringLiteral("/cluster/ha/status/current"),
                                              QStringLiteral("/cluster/replication"),
                                              QStringLiteral("/nodes/pve1/replication")}));
    QCOMPARE(first.requests, 4);
    QVERIFY(first.haFresh && first.ha.has_value() && first.ha->quorate);
    QVERIFY(first.replicationFresh);
    QCOMPARE(first.replication.size(), 1);
    QCOMPARE(first.replication.first().nextSync, m_nextSync);
    QCOMPARE(first.resources.nodes.size(), 2);
    QVERIFY(first.problems.isEmpty());

    before = int(m_network->seen.size());
    const ClusterSnapshot second = cycle();
    QCOMPARE(pathsSince(before), QStringList{QStringLiteral("/cluster/resources")});
    QCOMPARE(second.requests, 1);
    QVERIFY(!second.haFresh && second.ha.has_value()); // carried over
    QVERIFY(!second.replicationFresh);
    QCOMPARE(second.replication, first.replication);
}

void TestSnapshotPoller::haIsReadAgainWhenHaStateChanges()
{
    cycle();
    m_guestHaState = QStringLiteral("fence");
    const int before = int(m_network->seen.size());
    const ClusterSnapshot snapshot = cycle();
    QCOMPARE(pathsSince(before), (QStringList{QStringLiteral("/cluster/resources"),
                                              QStringLiteral("/cluster/ha/status/current")}));
    QVERIFY(snapshot.haFresh);
}

void TestSnapshotPoller::haIsReadAtLeastEveryFewCycles()
{
    int haReads = 0;
    for (int i = 0; i < 8; ++i)
        haReads += cycle().haFresh ? 1 : 0;
    QCOMPARE(haReads, 2); // cycles 1 and 5 with haRefreshEvery = 4
}

void TestSnapshotPoller::replicationIsReadWhenDueOrMoved()
{
    cycle();
    m_now = m_nextSync + 1; // the scheduled run has had its time
    m_nextSync += 900;
    int before = int(m_network->seen.size());
    ClusterSnapshot snapshot = cycle();
    QCOMPARE(pathsSince(before), (QStringList{QStringLiteral("/cluster/resources"),
                                              QStringLiteral("/nodes/pve1/replication")}));
    QCOMPARE(snapshot.replication.first().nextSync, m_nextSync);

    // Not due again until the new next_sync.
    before = int(m_network->seen.size());
    cycle();
    QCOMPARE(pathsSince(before), QStringList{QStringLiteral("/cluster/resources")});

    // The guest moved: the job is now listed by its new node.
    m_guestNode = QStringLiteral("pve2");
    before = int(m_network->seen.size());
    snapshot = cycle();
    QVERIFY(pathsSince(before).contains(QStringLiteral("/nodes/pve2/replication")));
    QVERIFY(snapshot.replicationFresh);
}

void TestSnapshotPoller::offlineNodeDoesNotFailACycle()
{
    m_pve1Status = QStringLiteral("offline");
    QSignalSpy failed(m_poller.get(), &SnapshotPoller::cycleFailed);
    const int before = int(m_network->seen.size());
    const ClusterSnapshot snapshot = cycle();
    QCOMPARE(snapshot.cycle, quint64(1));
    QVERIFY(failed.isEmpty());
    // The guest's node is down: nobody can list its replication, so nobody is asked.
    QVERIFY(!pathsSince(before).contains(QStringLiteral("/nodes/pve1/replication")));
    QCOMPARE(snapshot.offlineNodes(), QStringList{QStringLiteral("pve1")});
    QCOMPARE(snapshot.resources.guest(100)->status, GuestStatus::Unknown);
}

void TestSnapshotPoller::unreachableNodeIsReportedNotFatal()
{
    m_replicationUnreachable = true;
    QSignalSpy failed(m_poller.get(), &SnapshotPoller::cycleFailed);
    const ClusterSnapshot snapshot = cycle();
    QVERIFY(failed.isEmpty());
    QCOMPARE(snapshot.unreachableNodes, QStringList{QStringLiteral("pve1")});
    QCOMPARE(snapshot.problems.size(), 1);
    QVERIFY(snapshot.problems.first().contains(QLatin1String("pve1")));
    QVERIFY(snapshot.ha.has_value());

    // Asked again next cycle, and the answer then clears the problem.
    m_replicationUnreachable = false;
    const ClusterSnapshot next = cycle();
    QVERIFY(next.replicationFresh);
    QVERIFY(next.unreachableNodes.isEmpty());
    QVERIFY(next.problems.isEmpty());
}

void TestSnapshotPoller::resourcesFailingFailsTheCycle()
{
    cycle();
    m_resourcesDown = true;
    QSignalSpy failed(m_poller.get(), &SnapshotPoller::cycleFailed);
    QSignalSpy ready(m_poller.get(), &SnapshotPoller::snapshotReady);
    m_poller->pollNow();
    QVERIFY(failed.wait(5000));
    QVERIFY(ready.isEmpty());
    QCOMPARE(failed.first().first().value<ApiError>().kind, ApiError::Kind::Network);
    QCOMPARE(m_poller->last()->cycle, quint64(1)); // the last good snapshot stays

    m_resourcesDown = false;
    QCOMPARE(cycle().cycle, quint64(3));
}

void TestSnapshotPoller::timerDrivesCyclesUntilStopped()
{
    PollerOptions options;
    options.interval = 10ms;
    SnapshotPoller poller(m_client.get(), options);
    QSignalSpy ready(&poller, &SnapshotPoller::snapshotReady);
    poller.start();
    QTRY_VERIFY(ready.size() >= 3);
    poller.stop();
    QVERIFY(!poller.isRunning());
    const qsizetype seen = ready.size();
    const qsizetype requests = m_network->seen.size();
    QTest::qWait(50); // a stopped poller asks nothing more
    QCOMPARE(ready.size(), seen);
    QCOMPARE(m_network->seen.size(), requests);
}

QTEST_MAIN(TestSnapshotPoller)
#include "tst_snapshotpoller.moc"
