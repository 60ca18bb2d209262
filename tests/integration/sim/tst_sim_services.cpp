// The services behind the VMs: each VM's loopback address, the role's endpoints, and the
// control commands that make a service slow or down. Also gzip of large API answers.
#include "simprocess.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkReply>
#include <QProcess>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTest>
#include <QThread>
#include <QTimer>

namespace {

QString scenario(const char *name)
{
    return QStringLiteral(RAE_SOURCE_DIR "/resources/sim/") + QString::fromLatin1(name);
}

struct Plain
{
    int status = 0; // 0: no HTTP answer at all
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QByteArray contentType;
    qint64 elapsedMs = 0;
};

Plain fetch(const QString &url)
{
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(10000);
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = network.get(request);
    // The gateway's certificate is self-signed for its VM's address; trust is not the point here.
    QObject::connect(reply, &QNetworkReply::sslErrors, reply,
                     [reply](const QList<QSslError> &) { reply->ignoreSslErrors(); });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Plain out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.error = reply->error();
    out.body = reply->readAll();
    out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    out.elapsedMs = timer.elapsed();
    reply->deleteLater();
    return out;
}

QJsonObject healthComponent(const Plain &answer, const char *name)
{
    return QJsonDocument::fromJson(answer.body)
        .object()
        .value(QStringLiteral("components"))
        .toObject()
        .value(QString::fromLatin1(name))
        .toObject();
}

} // namespace

class TestSimServices final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void guestAgentReportsTheServiceAddress();
    void raeApiReportsItsComponents();
    void qdrantAnswersReadyz();
    void slowAndDownServices();
    void gatewayServesHttps();
    void aRealRedisOnTheVmAddressCounts();
    void aStoppedVmServesNothing();
    void largeAnswersAreGzippedWhenAsked();
    void simulatorsSideBySideTakeOwnAddresses();

private:
    QString addressOf(int vmid, const QString &node) { return addressOf(m_sim, vmid, node); }
    static QString addressOf(SimProcess &sim, int vmid, const QString &node);
    void control(const QByteArray &json);
    // SHA-256 of the certificate a TLS server shows (trusted or not); empty when none answers.
    static QByteArray peerFingerprint(const QString &address, quint16 port);

    SimProcess m_sim;
    QString m_api;    // http://127.0.0.N:8000 of VM 110
    QString m_vector; // http://127.0.0.N:6333 of VM 111
};

QString TestSimServices::addressOf(SimProcess &sim, int vmid, const QString &node)
{
    const auto answer = sim.withToken(
        "GET", QStringLiteral("/api2/json/nodes/%1/qemu/%2/agent/network-get-interfaces")
                   .arg(node)
                   .arg(vmid));
    const QJsonArray interfaces = answer.json.object()
                                      .value(QStringLiteral("data"))
                                      .toObject()
                                      .value(QStringLiteral("result"))
                                      .toArray();
    for (const QJsonValue &interface : interfaces) {
        for (const QJsonValue &address :
             interface.toObject().value(QStringLiteral("ip-addresses")).toArray()) {
            const QString ip = address.toObject().value(QStringLiteral("ip-address")).toString();
            if (ip.startsWith(QLatin1String("127.")) && ip != QLatin1String("127.0.0.1"))
                return ip;
        }
    }
    return {};
}

QByteArray TestSimServices::peerFingerprint(const QString &address, quint16 port)
{
    QSslSocket socket;
    QByteArray fingerprint;
    const auto take = [&socket, &fingerprint] {
        if (!socket.peerCertificate().isNull())
            fingerprint = socket.peerCertificate().digest(QCryptographicHash::Sha256);
        socket.abort();
    };
    connect(&socket, &QSslSocket::sslErrors, &socket, take);
    connect(&socket, &QSslSocket::encrypted, &socket, take);
    socket.connectToHostEncrypted(address, port);
    (void)QTest::qWaitFor(
        [&] {
            return !fingerprint.isEmpty() || socket.state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    return fingerprint;
}

void TestSimServices::control(const QByteArray &json)
{
    const auto answer = m_sim.control(QStringLiteral("service"), json);
    QVERIFY2(answer.status == 200, answer.body.constData());
    QThread::msleep(200); // the front opens and closes listeners on its 50 ms tick
}

void TestSimServices::initTestCase()
{
    QVERIFY(m_sim.start(scenario("reference.yaml")));
    // Give two of the scenario's VMs RAE roles, as a deployment tags them.
    QCOMPARE(m_sim
                 .withToken("PUT", QStringLiteral("/api2/json/nodes/pve2/qemu/110/config"),
                            "tags=rae-api")
                 .status,
             200);
    QCOMPARE(m_sim
                 .withToken("PUT", QStringLiteral("/api2/json/nodes/pve3/qemu/111/config"),
                            "tags=rae-vector")
                 .status,
             200);
    // A role without its tag is refused.
    QCOMPARE(m_sim.control(QStringLiteral("service"), R"({"vmid":100,"state":"up"})").status, 400);
    control(R"({"vmid":110,"state":"up"})");
    control(R"({"vmid":111,"state":"up"})");
    // The guest agent answers after its boot time.
    QCOMPARE(m_sim.control(QStringLiteral("time-advance"), R"({"seconds":30})").status, 200);
}

void TestSimServices::guestAgentReportsTheServiceAddress()
{
    const QString api = addressOf(110, QStringLiteral("pve2"));
    const QString vector = addressOf(111, QStringLiteral("pve3"));
    QVERIFY2(!api.isEmpty() && !vector.isEmpty(), "the agent reports a 127.0.0.N address");
    QVERIFY(api != vector);
    m_api = QStringLiteral("http://%1:8000").arg(api);
    m_vector = QStringLiteral("http://%1:6333").arg(vector);
}

void TestSimServices::raeApiReportsItsComponents()
{
    const Plain health = fetch(m_api + QStringLiteral("/health"));
    // No PostgreSQL or Redis server runs on a VM's address: the API reports them down.
    QCOMPARE(health.status, 503);
    const QJsonObject root = QJsonDocument::fromJson(health.body).object();
    QCOMPARE(root.value(QStringLiteral("status")).toString(), QStringLiteral("unhealthy"));
    QCOMPARE(healthComponent(health, "database").value(QStringLiteral("status")).toString(),
             QStringLiteral("unhealthy"));
    QCOMPARE(healthComponent(health, "redis").value(QStringLiteral("status")).toString(),
             QStringLiteral("unhealthy"));
    const QJsonObject vector = healthComponent(health, "vector_store");
    QCOMPARE(vector.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
    QVERIFY(vector.value(QStringLiteral("response_time_ms")).toDouble() > 0);

    QCOMPARE(fetch(m_api + QStringLiteral("/health/live")).status, 200);
    QCOMPARE(fetch(m_api + QStringLiteral("/health/ready")).status, 503);
    const Plain metrics = fetch(m_api + QStringLiteral("/metrics"));
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.contentType.startsWith("text/plain"));
    QVERIFY(metrics.body.contains("# TYPE rae_http_requests_total counter\n"));
    QVERIFY(metrics.body.contains("rae_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    QCOMPARE(fetch(m_api + QStringLiteral("/nope")).status, 404);
}

void TestSimServices::qdrantAnswersReadyz()
{
    const Plain ready = fetch(m_vector + QStringLiteral("/readyz"));
    QCOMPARE(ready.status, 200);
    QCOMPARE(ready.body, QByteArray("all shards are ready"));
}

void TestSimServices::slowAndDownServices()
{
    control(R"({"vmid":111,"state":"slow","ms":700})");
    const Plain slow = fetch(m_vector + QStringLiteral("/readyz"));
    QCOMPARE(slow.status, 200);
    QVERIFY2(slow.elapsedMs >= 650, qPrintable(QString::number(slow.elapsedMs)));
    QCOMPARE(healthComponent(fetch(m_api + QStringLiteral("/health")), "vector_store")
                 .value(QStringLiteral("response_time_ms"))
                 .toDouble(),
             700.0);

    control(R"({"vmid":111,"state":"down"})");
    const Plain down = fetch(m_vector + QStringLiteral("/readyz"));
    QCOMPARE(down.status, 0);
    QCOMPARE(down.error, QNetworkReply::ConnectionRefusedError);
    QCOMPARE(healthComponent(fetch(m_api + QStringLiteral("/health")), "vector_store")
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("unhealthy"));

    control(R"({"vmid":111,"state":"error"})");
    QCOMPARE(fetch(m_vector + QStringLiteral("/readyz")).status, 500);
    control(R"({"vmid":111,"state":"up"})");
    QCOMPARE(fetch(m_vector + QStringLiteral("/readyz")).status, 200);
}

void TestSimServices::gatewayServesHttps()
{
    QCOMPARE(m_sim
                 .withToken("PUT", QStringLiteral("/api2/json/nodes/pve1/qemu/100/config"),
                            "tags=infra%3Brae-gateway")
                 .status,
             200);
    control(R"({"vmid":100,"state":"up"})");
    const QString address = addressOf(100, QStringLiteral("pve1"));
    QVERIFY(!address.isEmpty());
    const Plain health = fetch(QStringLiteral("https://%1:8443/health/live").arg(address));
    QCOMPARE(health.status, 200);
    QCOMPARE(QJsonDocument::fromJson(health.body).object().value(QStringLiteral("status")),
             QStringLiteral("alive"));
    QCOMPARE(fetch(QStringLiteral("http://%1:8443/health/live").arg(address)).status, 0);

    // Down and up again, as a restart or an HA recovery does: the same key, as a real gateway
    // keeps it on its disk, so a client that trusted it goes on trusting it.
    const QByteArray before = peerFingerprint(address, 8443);
    QVERIFY(!before.isEmpty());
    control(R"({"vmid":100,"state":"down"})");
    QCOMPARE(peerFingerprint(address, 8443), QByteArray());
    control(R"({"vmid":100,"state":"up"})");
    QCOMPARE(peerFingerprint(address, 8443), before);
}

void TestSimServices::aRealRedisOnTheVmAddressCounts()
{
    const QString redis = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (redis.isEmpty())
        QSKIP("redis-server is not installed");
    QCOMPARE(m_sim
                 .withToken("PUT", QStringLiteral("/api2/json/nodes/pve1/qemu/100/config"),
                            "tags=infra%3Brae-gateway%3Brae-redis")
                 .status,
             200);
    QCOMPARE(healthComponent(fetch(m_api + QStringLiteral("/health")), "redis")
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("unhealthy"));

    // The simulator never imitates Redis; a real one on the VM's address is what it reports.
    const QString address = addressOf(100, QStringLiteral("pve1"));
    QProcess server;
    server.start(redis, {QStringLiteral("--bind"), address, QStringLiteral("--port"),
                         QStringLiteral("6379"), QStringLiteral("--save"), QString(),
                         QStringLiteral("--appendonly"), QStringLiteral("no")});
    QVERIFY(server.waitForStarted());
    QJsonObject component;
    for (int attempt = 0; attempt < 50; ++attempt) {
        component = healthComponent(fetch(m_api + QStringLiteral("/health")), "redis");
        if (component.value(QStringLiteral("status")) == QLatin1String("healthy"))
            break;
        QThread::msleep(100);
    }
    server.terminate();
    server.waitForFinished();
    QCOMPARE(component.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
    QVERIFY(component.value(QStringLiteral("response_time_ms")).toDouble() >= 0);
}

void TestSimServices::aStoppedVmServesNothing()
{
    const auto stop =
        m_sim.withToken("POST", QStringLiteral("/api2/json/nodes/pve2/qemu/110/status/stop"));
    QCOMPARE(stop.status, 200);
    // HA-managed: the stop happens in the manager's next round.
    for (int round = 0; round < 3; ++round)
        QCOMPARE(m_sim.control(QStringLiteral("time-advance"), R"({"seconds":10})").status, 200);
    QThread::msleep(200);
    QCOMPARE(fetch(m_api + QStringLiteral("/health/live")).error,
             QNetworkReply::ConnectionRefusedError);
}

void TestSimServices::largeAnswersAreGzippedWhenAsked()
{
    // Qt asks for gzip by itself and unpacks it; a header of our own turns both off.
    const auto plain = m_sim.call(
        "GET", QStringLiteral("/api2/json/cluster/resources"), {},
        {{"Authorization", SimProcess::deployerToken()}, {"Accept-Encoding", "identity"}});
    QVERIFY(plain.body.size() > 1024);
    QVERIFY(plain.header("content-encoding").isEmpty());
    const auto packed = m_sim.call(
        "GET", QStringLiteral("/api2/json/cluster/resources"), {},
        {{"Authorization", SimProcess::deployerToken()}, {"Accept-Encoding", "gzip, deflate"}});
    QCOMPARE(packed.status, 200);
    QCOMPARE(packed.header("content-encoding"), QByteArray("gzip"));
    QVERIFY(packed.body.startsWith("\x1f\x8b"));
    QVERIFY(packed.body.size() < plain.body.size());
    // Small answers stay as they are.
    const auto small =
        m_sim.call("GET", QStringLiteral("/api2/json/version"), {},
                   {{"Authorization", SimProcess::deployerToken()}, {"Accept-Encoding", "gzip"}});
    QVERIFY(small.header("content-encoding").isEmpty());
}

void TestSimServices::simulatorsSideBySideTakeOwnAddresses()
{
    // CTest runs simulators in parallel: a second one must not serve its VMs' roles, or have a
    // test's PostgreSQL serve, on the first one's addresses.
    SimProcess second;
    QVERIFY(second.start(scenario("reference.yaml")));
    QVERIFY(!m_sim.value(QStringLiteral("vm-addresses")).isEmpty());
    QVERIFY2(second.value(QStringLiteral("vm-addresses")) !=
                 m_sim.value(QStringLiteral("vm-addresses")),
             qPrintable(second.value(QStringLiteral("vm-addresses"))));
    // VM 100 runs in both scenarios, with 20 s of uptime and its agent on.
    const QString first = addressOf(100, QStringLiteral("pve1"));
    const QString other = addressOf(second, 100, QStringLiteral("pve1"));
    QVERIFY(!first.isEmpty());
    QVERIFY(!other.isEmpty());
    QVERIFY2(first != other, qPrintable(first));
    QCOMPARE(first.section(QLatin1Char('.'), 2), other.section(QLatin1Char('.'), 2));

    // A block asked for by number is held too: asking for one that is taken is refused.
    const QString taken =
        m_sim.value(QStringLiteral("vm-addresses")).section(QLatin1Char('.'), 1, 1);
    QProcess third;
    third.start(QStringLiteral(RAE_SIM_EXECUTABLE),
                {QStringLiteral("--scenario"), scenario("reference.yaml"), QStringLiteral("--port"),
                 QStringLiteral("0"), QStringLiteral("--address-block"), taken});
    QVERIFY(third.waitForFinished(20000));
    QCOMPARE(third.exitCode(), 2);
    const QByteArray error = third.readAllStandardError();
    QVERIFY2(error.contains("held by another simulator"), error.constData());
}

QTEST_GUILESS_MAIN(TestSimServices)
#include "tst_sim_services.moc"
