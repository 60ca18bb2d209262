#include "monitor/probe.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace rae::monitor;
using namespace std::chrono_literals;

namespace {

// Just enough of an HTTP/1.1 server to answer one GET per connection with a canned reply.
class FakeHttpServer final : public QObject
{
public:
    struct Route
    {
        int status = 200;
        QByteArray body;
        int delayMs = 0;
    };

    FakeHttpServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
    }

    quint16 port() const { return m_server.serverPort(); }
    void route(const QByteArray &path, Route route) { m_routes.insert(path, route); }

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &request = m_pending[socket];
        request += socket->readAll();
        if (!request.contains("\r\n\r\n"))
            return;
        const QByteArray path = request.split(' ').value(1);
        const Route route = m_routes.value(path, Route{404, "not found", 0});
        m_pending.remove(socket);
        QTimer::singleShot(route.delayMs, socket, [socket, route] {
            socket->write("HTTP/1.1 " + QByteArray::number(route.status) +
                          " X\r\nContent-Type: application/json\r\nContent-Length: " +
                          QByteArray::number(route.body.size()) + "\r\nConnection: close\r\n\r\n" +
                          route.body);
            socket->disconnectFromHost();
        });
    }

    QTcpServer m_server;
    QHash<QByteArray, Route> m_routes;
    QHash<QTcpSocket *, QByteArray> m_pending;
};

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort(); // closed again when `server` goes
}

ProbeResult runProbe(const ProbeTarget &target, QNetworkAccessManager *network)
{
    std::unique_ptr<Probe> probe(Probe::create(target, network));
    QSignalSpy finished(probe.get(), &Probe::finished);
    probe->start();
    if (!finished.wait(10'000))
        return {};
    return finished.first().first().value<ProbeResult>();
}

ProbeTarget httpTarget(ProbeKind kind, quint16 port)
{
    ProbeTarget target;
    target.kind = kind;
    target.subject = QStringLiteral("vm-1");
    target.host = QStringLiteral("127.0.0.1");
    target.port = port;
    target.timeout = 2s;
    return target;
}

} // namespace

class TestHttpProbes final : public QObject
{
    Q_OBJECT

private slots:
    void raeApiHealthIsReadWithItsComponents();
    void raeApiReportingAFailingDependencyFails();
    void raeApiAnswering503KeepsTheComponents();
    void qdrantReadyz();
    void ollamaVersion();
    void vllmHealth();
    void httpErrorStatusFails();
    void slowServiceTimesOut();
    void closedPortFailsFastWithAClearMessage();
    void redisProbeOnAnHttpPortSaysSo();
    void raeHealthParsing_data();
    void raeHealthParsing();

private:
    QNetworkAccessManager m_network;
};

void TestHttpProbes::raeApiHealthIsReadWithItsComponents()
{
    FakeHttpServer server;
    server.route("/health",
                 {200,
                  R"({"status":"healthy","components":{"database":{"status":"healthy",)"
                  R"("response_time_ms":3.2},"redis":{"status":"healthy","response_time_ms":0.4},)"
                  R"("vector_store":{"status":"healthy","response_time_ms":"1.5"}}})",
                  0});
    const ProbeResult result = runProbe(httpTarget(ProbeKind::RaeApi, server.port()), &m_network);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.answer, QStringLiteral("healthy"));
    QCOMPARE(result.components.size(), 3);
    QCOMPARE(result.components.at(0).name, QStringLiteral("database"));
    QCOMPARE(result.components.at(0).responseTimeMs, 3.2);
    QCOMPARE(result.components.at(2).responseTimeMs, 1.5);
    QVERIFY(result.latencyMs > 0.0);
    QVERIFY(result.latencyMs < 2000.0);
}

void TestHttpProbes::raeApiReportingAFailingDependencyFails()
{
    FakeHttpServer server;
    server.route("/health",
                 {200, R"({"status":"healthy","components":{"redis":{"status":"unhealthy"}}})", 0});
    const ProbeResult result = runProbe(httpTarget(ProbeKind::RaeApi, server.port()), &m_network);
    QVERIFY(!result.ok());
    QVERIFY(result.error->hint.contains(QStringLiteral("redis=unhealthy")));
    QCOMPARE(result.components.size(), 1);
}

void TestHttpProbes::raeApiAnswering503KeepsTheComponents()
{
    FakeHttpServer server;
    server.route("/health",
                 {503,
                  R"({"status":"unhealthy","components":{"database":{"status":"unhealthy",)"
                  R"("response_time_ms":5000}}})",
                  0});
    const ProbeResult result = runProbe(httpTarget(ProbeKind::RaeApi, server.port()), &m_network);
    QVERIFY(!result.ok());
    QVERIFY(result.error->message.contains(QStringLiteral("503")));
    QCOMPARE(result.components.value(0).responseTimeMs, 5000.0);
}

void TestHttpProbes::qdrantReadyz()
{
    FakeHttpServer server;
    server.route("/readyz", {200, "all shards are ready", 0});
    const ProbeResult result = runProbe(httpTarget(ProbeKind::Qdrant, server.port()), &m_network);
    QVERIFY(result.ok());
    QCOMPARE(result.answer, QStringLiteral("all shards are ready"));
}

void TestHttpProbes::ollamaVersion()
{
    FakeHttpServer server;
    server.route("/api/version", {200, R"({"version":"0.5.7"})", 0});
    const ProbeResult result = runProbe(httpTarget(ProbeKind::Ollama, server.port()), &m_network);
    QVERIFY(result.ok());
    QCOMPARE(result.answer, QStringLiteral("0.5.7"));
}

void TestHttpProbes::vllmHealth()
{
    FakeHttpServer server;
    server.route("/health", {200, {}, 0});
    QVERIFY(runProbe(httpTarget(ProbeKind::Vllm, server.port()), &m_network).ok());
}

void TestHttpProbes::httpErrorStatusFails()
{
    FakeHttpServer server; // no /readyz: 404
    const ProbeResult result = runProbe(httpTarget(ProbeKind::Qdrant, server.port()), &m_network);
    QVERIFY(!result.ok());
    QVERIFY2(result.error->message.contains(QStringLiteral("HTTP 404")),
             qPrintable(result.error->message));
    QCOMPARE(result.error->where, QStringLiteral("vm-1"));
}

void TestHttpProbes::slowServiceTimesOut()
{
    FakeHttpServer server;
    server.route("/readyz", {200, "late", 5000});
    ProbeTarget target = httpTarget(ProbeKind::Qdrant, server.port());
    target.timeout = 300ms;
    const ProbeResult result = runProbe(target, &m_network);
    QVERIFY(!result.ok());
    QVERIFY2(result.error->message.contains(QStringLiteral("within 300 ms")),
             qPrintable(result.error->message));
    // A coarse timer may fire up to 5 % early.
    QVERIFY2(result.latencyMs >= 280.0 && result.latencyMs < 2000.0,
             qPrintable(QString::number(result.latencyMs)));
}

void TestHttpProbes::closedPortFailsFastWithAClearMessage()
{
    const quint16 port = closedPort();
    for (ProbeKind kind :
         {ProbeKind::RaeApi, ProbeKind::Redis, ProbeKind::Postgres, ProbeKind::HttpsGateway}) {
        const ProbeResult result = runProbe(httpTarget(kind, port), &m_network);
        QVERIFY(!result.ok());
        QVERIFY2(result.error->message.contains(QStringLiteral("refused the connection")),
                 qPrintable(result.error->message));
        QVERIFY2(result.latencyMs < 1000.0, qPrintable(QString::number(result.latencyMs)));
    }
}

void TestHttpProbes::redisProbeOnAnHttpPortSaysSo()
{
    FakeHttpServer server;
    ProbeTarget target = httpTarget(ProbeKind::Redis, server.port());
    target.redisPassword = QStringLiteral("s3cret");
    const ProbeResult result = runProbe(target, &m_network);
    QVERIFY(!result.ok());
    QVERIFY(result.target.redisPassword.isEmpty()); // results never carry the secret
    QVERIFY(!result.error->toString().contains(QStringLiteral("s3cret")));
}

void TestHttpProbes::raeHealthParsing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("components");

    QTest::newRow("no components is still a health answer")
        << QByteArray(R"({"status":"ok"})") << true << 0;
    QTest::newRow("an HTML error page is not") << QByteArray("<html></html>") << false << 0;
    QTest::newRow("a JSON array is not") << QByteArray("[]") << false << 0;
    QTest::newRow("a component without a time still counts")
        << QByteArray(R"({"components":{"redis":{"status":"healthy"}}})") << true << 1;
}

void TestHttpProbes::raeHealthParsing()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(int, components);
    const auto health = parseRaeHealth(body);
    QCOMPARE(health.ok(), ok);
    if (ok)
        QCOMPARE(health->components.size(), components);
}

QTEST_GUILESS_MAIN(TestHttpProbes)
#include "tst_httpprobes.moc"
