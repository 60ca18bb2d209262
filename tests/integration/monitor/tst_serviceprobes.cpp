#include "monitor/probe.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

using namespace rae::monitor;
using namespace std::chrono_literals;

namespace {

ProbeResult runProbe(const ProbeTarget &target)
{
    std::unique_ptr<Probe> probe(Probe::create(target, nullptr));
    QSignalSpy finished(probe.get(), &Probe::finished);
    probe->start();
    if (!finished.wait(10'000))
        return {};
    return finished.first().first().value<ProbeResult>();
}

std::optional<ProbeTarget> targetFromEnvironment(ProbeKind kind, const char *variable)
{
    const QString address = qEnvironmentVariable(variable);
    const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return std::nullopt;
    ProbeTarget target;
    target.kind = kind;
    target.subject = probeKindName(kind) + QStringLiteral("-1");
    target.host = address.left(colon);
    target.port = quint16(address.mid(colon + 1).toUInt());
    target.timeout = 3s;
    return target;
}

QString describe(const ProbeResult &result)
{
    return result.error ? result.error->toString() : result.answer;
}

} // namespace

class TestServiceProbes final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void redisAnswersPingAfterAuth();
    void redisWithoutPasswordSaysItWantsOne();
    void redisWithAWrongPasswordIsRefused();
    void postgresAnswersTheSslRequest();
    void repeatedRunsReuseTheProbe();
    void gatewayHandshakeIsTimedApart();
    void gatewayWithAnUntrustedCertificateFails();

private:
    ProbeTarget m_redis;
    ProbeTarget m_postgres;
};

void TestServiceProbes::initTestCase()
{
    const auto redis = targetFromEnvironment(ProbeKind::Redis, "RAE_TEST_REDIS");
    const auto postgres = targetFromEnvironment(ProbeKind::Postgres, "RAE_TEST_POSTGRES");
    if (!redis || !postgres)
        QSKIP("run through tests/integration/monitor/run-with-services");
    m_redis = *redis;
    m_postgres = *postgres;
}

void TestServiceProbes::redisAnswersPingAfterAuth()
{
    ProbeTarget target = m_redis;
    target.redisPassword = qEnvironmentVariable("RAE_TEST_REDIS_PASSWORD");
    const ProbeResult result = runProbe(target);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.answer, QStringLiteral("PONG"));
    QVERIFY(result.latencyMs > 0.0 && result.latencyMs < 1000.0);
    QVERIFY(result.target.redisPassword.isEmpty());
}

void TestServiceProbes::redisWithoutPasswordSaysItWantsOne()
{
    const ProbeResult result = runProbe(m_redis);
    QVERIFY(!result.ok());
    QVERIFY2(result.error->message.contains(QStringLiteral("wants a password")),
             qPrintable(describe(result)));
}

void TestServiceProbes::redisWithAWrongPasswordIsRefused()
{
    ProbeTarget target = m_redis;
    target.redisPassword = QStringLiteral("not-the-password");
    const ProbeResult result = runProbe(target);
    QVERIFY(!result.ok());
    QVERIFY2(result.error->message.contains(QStringLiteral("refused AUTH")),
             qPrintable(describe(result)));
    QVERIFY(!result.error->toString().contains(QStringLiteral("not-the-password")));
}

void TestServiceProbes::postgresAnswersTheSslRequest()
{
    const ProbeResult result = runProbe(m_postgres);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    // the harness's server has no TLS
    QCOMPARE(result.answer, QStringLiteral("accepting connections, no TLS"));
    QVERIFY(result.latencyMs < 1000.0);
}

void TestServiceProbes::repeatedRunsReuseTheProbe()
{
    ProbeTarget target = m_redis;
    target.redisPassword = qEnvironmentVariable("RAE_TEST_REDIS_PASSWORD");
    std::unique_ptr<Probe> redis(Probe::create(target, nullptr));
    std::unique_ptr<Probe> postgres(Probe::create(m_postgres, nullptr));
    for (int i = 0; i < 20; ++i) {
        QSignalSpy redisDone(redis.get(), &Probe::finished);
        QSignalSpy postgresDone(postgres.get(), &Probe::finished);
        redis->start();
        postgres->start();
        redis->start(); // ignored while running
        QVERIFY(redisDone.size() == 1 || redisDone.wait(5000));
        QVERIFY(postgresDone.size() == 1 || postgresDone.wait(5000));
        QCOMPARE(redisDone.size(), 1);
        QVERIFY(redisDone.first().first().value<ProbeResult>().ok());
        QVERIFY(postgresDone.first().first().value<ProbeResult>().ok());
    }
}

void TestServiceProbes::gatewayHandshakeIsTimedApart()
{
    QFile certFile(qEnvironmentVariable("RAE_TEST_GATEWAY_CERT"));
    QFile keyFile(qEnvironmentVariable("RAE_TEST_GATEWAY_KEY"));
    QVERIFY(certFile.open(QIODevice::ReadOnly));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslCertificate certificate(&certFile, QSsl::Pem);
    const QSslKey key(&keyFile, QSsl::Rsa, QSsl::Pem);

    QSslServer server;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificate);
    configuration.setPrivateKey(key);
    server.setSslConfiguration(configuration);
    connect(&server, &QSslServer::pendingConnectionAvailable, this, [&server] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                if (!socket->readAll().contains("\r\n\r\n"))
                    return;
                socket->write(
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                socket->disconnectFromHost();
            });
        }
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));

    ProbeTarget target;
    target.kind = ProbeKind::HttpsGateway;
    target.subject = QStringLiteral("gateway-1");
    target.host = QStringLiteral("127.0.0.1");
    target.port = server.serverPort();
    target.tlsPeerName = QStringLiteral("gateway.rae.test");
    target.caCertificates = {certificate};
    target.timeout = 5s;
    const ProbeResult result = runProbe(target);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.answer, QStringLiteral("200"));
    QVERIFY(result.tlsHandshakeMs.has_value());
    QVERIFY(*result.tlsHandshakeMs > 0.0);
    QVERIFY(*result.tlsHandshakeMs <= result.latencyMs);
}

void TestServiceProbes::gatewayWithAnUntrustedCertificateFails()
{
    QFile certFile(qEnvironmentVariable("RAE_TEST_GATEWAY_CERT"));
    QFile keyFile(qEnvironmentVariable("RAE_TEST_GATEWAY_KEY"));
    QVERIFY(certFile.open(QIODevice::ReadOnly));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    QSslServer server;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(QSslCertificate(&certFile, QSsl::Pem));
    configuration.setPrivateKey(QSslKey(&keyFile, QSsl::Rsa, QSsl::Pem));
    server.setSslConfiguration(configuration);
    QVERIFY(server.listen(QHostAddress::LocalHost));

    ProbeTarget target;
    target.kind = ProbeKind::HttpsGateway;
    target.host = QStringLiteral("127.0.0.1");
    target.port = server.serverPort();
    target.tlsPeerName = QStringLiteral("gateway.rae.test");
    target.timeout = 5s;
    const ProbeResult result = runProbe(target);
    QVERIFY(!result.ok());
    QVERIFY2(result.error->message.contains(QStringLiteral("TLS")), qPrintable(describe(result)));
}

QTEST_GUILESS_MAIN(TestServiceProbes)
#include "tst_serviceprobes.moc"
