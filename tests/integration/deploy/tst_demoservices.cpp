// The demo's real PostgreSQL and Redis (deploy::DemoServices): started in the background on a
// VM's address, answering the same probes the monitoring uses, Redis only with its password,
// a taken port reported, and both gone when the object goes.
#include "common/childprocess.h"
#include "deploy/demoservices.h"
#include "monitor/probe.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <cstdio>
#include <memory>

using namespace rae;
using namespace std::chrono_literals;

namespace {

// 127.230/16: above the simulators' blocks (docs/simulator.md), below the services harness.
const QString dbAddress = QStringLiteral("127.230.0.15");
const QString redisAddress = QStringLiteral("127.230.0.17");
const QString password = QStringLiteral("demo-services-test-password");

monitor::ProbeResult probe(monitor::ProbeKind kind, const QString &host, quint16 port,
                           const QString &redisPassword = {})
{
    monitor::ProbeTarget target;
    target.kind = kind;
    target.subject = monitor::probeKindName(kind);
    target.host = host;
    target.port = port;
    target.redisPassword = redisPassword;
    target.timeout = 3s;
    std::unique_ptr<monitor::Probe> running(monitor::Probe::create(target, nullptr));
    QSignalSpy finished(running.get(), &monitor::Probe::finished);
    running->start();
    if (!finished.wait(10'000))
        return {};
    return finished.first().first().value<monitor::ProbeResult>();
}

// Servers take a moment to listen after their process started.
monitor::ProbeResult probeUntilOk(monitor::ProbeKind kind, const QString &host, quint16 port,
                                  const QString &redisPassword = {})
{
    monitor::ProbeResult result;
    for (int attempt = 0; attempt < 100; ++attempt) {
        result = probe(kind, host, port, redisPassword);
        if (result.ok())
            return result;
        QTest::qWait(100);
    }
    return result;
}

QString describe(const monitor::ProbeResult &result)
{
    return result.error ? result.error->toString() : result.answer;
}

} // namespace

class TestDemoServices final : public QObject
{
    Q_OBJECT

private slots:
    void serversAnswerTheProbesAndStopWithTheObject();
    void aTakenPortIsReported();
    void childrenEndWithTheirParent();
};

void TestDemoServices::serversAnswerTheProbesAndStopWithTheObject()
{
    if (QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty() ||
        !QDir(QStringLiteral("/usr/lib/postgresql")).exists())
        QSKIP("needs the redis-server and postgresql packages (scripts/install-deps)");
    {
        deploy::DemoServices services;
        QSignalSpy started(&services, &deploy::DemoServices::started);
        QSignalSpy failed(&services, &deploy::DemoServices::failed);
        services.startPostgres(dbAddress, 5432);
        services.startRedis(redisAddress, 6379, password);
        // Asked again, as the monitoring finds the same VM with every snapshot: nothing new.
        services.startRedis(redisAddress, 6379, password);
        QTRY_COMPARE_WITH_TIMEOUT(started.size() + failed.size(), 2, 60'000);
        if (!failed.isEmpty())
            QFAIL(qPrintable(failed.first().at(2).toString()));

        const auto postgres = probeUntilOk(monitor::ProbeKind::Postgres, dbAddress, 5432);
        QVERIFY2(postgres.ok(), qPrintable(describe(postgres)));
        const auto redis = probeUntilOk(monitor::ProbeKind::Redis, redisAddress, 6379, password);
        QVERIFY2(redis.ok(), qPrintable(describe(redis)));
        QCOMPARE(redis.answer, QStringLiteral("PONG"));
        const auto anonymous = probe(monitor::ProbeKind::Redis, redisAddress, 6379);
        QVERIFY2(!anonymous.ok(), "Redis answers only with its password");
        QTest::qWait(200);
        QCOMPARE(started.size(), 2);
    }
    // Gone with the object: nothing listens any more.
    const auto postgres = probe(monitor::ProbeKind::Postgres, dbAddress, 5432);
    QVERIFY(!postgres.ok());
    const auto redis = probe(monitor::ProbeKind::Redis, redisAddress, 6379, password);
    QVERIFY(!redis.ok());
}

void TestDemoServices::aTakenPortIsReported()
{
    if (QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty())
        QSKIP("needs the redis-server package (scripts/install-deps)");
    const QString address = QStringLiteral("127.230.0.40");
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress(address), 6379));
    deploy::DemoServices services;
    QSignalSpy failed(&services, &deploy::DemoServices::failed);
    services.startRedis(address, 6379, password);
    QVERIFY(failed.wait(20'000));
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Redis"));
    QCOMPARE(failed.first().at(1).toString(), address);
    const QString message = failed.first().at(2).toString();
    QVERIFY2(message.contains(address), qPrintable(message));
    QVERIFY2(!message.contains(password), "the password stays out of messages");

    // Once the port is free, the same address may be asked again.
    QVERIFY(!services.isStarting(address));
    squatter.close();
    QSignalSpy started(&services, &deploy::DemoServices::started);
    services.startRedis(address, 6379, password);
    QVERIFY(services.isStarting(address));
    QVERIFY(started.wait(20'000));
    const auto redis = probeUntilOk(monitor::ProbeKind::Redis, address, 6379, password);
    QVERIFY2(redis.ok(), qPrintable(describe(redis)));
}

void TestDemoServices::childrenEndWithTheirParent()
{
    // This binary again, as a parent that starts `sleep` and is then killed with SIGKILL: no
    // destructor runs, and the kernel still ends the child.
    QProcess parent;
    parent.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--hold-a-child")});
    QVERIFY(parent.waitForReadyRead(10'000));
    const QByteArray pid = parent.readLine().trimmed();
    QVERIFY2(pid.toInt() > 0, pid.constData());
    const QString proc = QStringLiteral("/proc/") + QString::fromLatin1(pid);
    QVERIFY(QDir(proc).exists());
    parent.kill();
    QVERIFY(parent.waitForFinished(5'000));
    // Gone, or a zombie that only its new parent, PID 1, has not reaped yet.
    const auto ended = [&proc] {
        QFile stat(proc + QStringLiteral("/stat"));
        if (!stat.open(QIODevice::ReadOnly))
            return true;
        const QByteArray line = stat.readAll();
        return line.mid(line.lastIndexOf(')') + 2, 1) == "Z";
    };
    QTRY_VERIFY_WITH_TIMEOUT(ended(), 5'000);
}

int main(int argc, char *argv[])
{
    if (argc == 2 && qstrcmp(argv[1], "--hold-a-child") == 0) {
        QCoreApplication app(argc, argv);
        QProcess child;
        stopWithParent(child);
        child.start(QStringLiteral("sleep"), {QStringLiteral("300")});
        if (!child.waitForStarted())
            return 1;
        std::printf("%lld\n", static_cast<long long>(child.processId()));
        std::fflush(stdout);
        return app.exec();
    }
    QCoreApplication app(argc, argv);
    TestDemoServices test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_demoservices.moc"
