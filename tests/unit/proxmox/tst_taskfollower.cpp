// The task follower on a fake network: exit statuses, the brief "no such task", transient
// failures, log tails with `total`, following the log, and cancellation.
#include "fakenetwork.h"
#include "proxmox/client.h"
#include "proxmox/taskfollower.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace rae::proxmox;
using namespace std::chrono_literals;

namespace {

const QString kUpid =
    QStringLiteral("UPID:pve2:0002A1B3:01F4C5D6:6700A1B2:qmstart:101:deployer@pve!app:");

FakeAnswer ok(const QByteArray &body)
{
    return {200, "OK", body, QNetworkReply::NoError, false, 0};
}

FakeAnswer noSuchTask()
{
    return {400,
            "Parameter verification failed.",
            R"({"data":null,"errors":{"upid":"no such task"}})",
            QNetworkReply::NoError,
            false,
            0};
}

FakeAnswer statusAnswer(const QString &status, const QString &exitStatus = {})
{
    QJsonObject data{{QStringLiteral("status"), status}, {QStringLiteral("upid"), kUpid}};
    if (!exitStatus.isEmpty())
        data.insert(QStringLiteral("exitstatus"), exitStatus);
    return ok(QJsonDocument(QJsonObject{{QStringLiteral("data"), data}}).toJson());
}

// A log of `total` lines "line 1".."line N", paged as the server pages it.
FakeAnswer logAnswer(const QUrl &url, int total)
{
    const QUrlQuery query(url);
    const int start = query.queryItemValue(QStringLiteral("start")).toInt();
    const int limit = query.queryItemValue(QStringLiteral("limit")).toInt();
    QJsonArray lines;
    for (int n = start + 1; n <= total && n <= start + limit; ++n) {
        lines.append(QJsonObject{{QStringLiteral("n"), n},
                                 {QStringLiteral("t"), QStringLiteral("line %1").arg(n)}});
    }
    return ok(QJsonDocument(
                  QJsonObject{{QStringLiteral("data"), lines}, {QStringLiteral("total"), total}})
                  .toJson());
}

std::optional<ApiResult<TaskResult>> waitFor(TaskFollower *follower, int ms = 5000)
{
    std::optional<ApiResult<TaskResult>> outcome;
    QObject context;
    QObject::connect(follower, &TaskFollower::finished, &context,
                     [&outcome](const ApiResult<TaskResult> &result) { outcome = result; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, ms))
        return std::nullopt;
    return outcome;
}

} // namespace

class TestTaskFollower final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void exitStatus_data();
    void exitStatus();
    void pollsTheNodeOfTheUpidUntilStopped();
    void toleratesNoSuchTaskBriefly();
    void noSuchTaskForeverFails();
    void transientFailuresArePolledThrough();
    void permissionErrorEndsTheFollow();
    void failureFetchesTheLogTailUsingTotal();
    void shortLogNeedsOneRequest();
    void followModeReadsNewLinesAsTheyCome();
    void followModeSkipsTheEmptyLogPlaceholder();
    void cancelStopsPollingAndEmitsOnce();
    void stopTaskSendsDeleteAndKeepsFollowing();
    void closingTheClientEndsTheFollow();

private:
    void makeClient(FakeNetwork::Handler handler);
    TaskFollowOptions fastOptions() const;
    int count(const QString &suffix, const QString &method = QStringLiteral("GET")) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<ProxmoxClient> m_client;
};

void TestTaskFollower::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_settings =
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
}

void TestTaskFollower::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_settings.reset();
    m_dir.reset();
}

void TestTaskFollower::makeClient(FakeNetwork::Handler handler)
{
    m_network = std::make_unique<FakeNetwork>([handler](const SeenRequest &request) {
        const QString path = request.url.path();
        if (path.endsWith(QLatin1String("/version")))
            return ok(R"({"data":{"version":"9.1.4","release":"9.1","repoid":"0123abcd"}})");
        if (path.endsWith(QLatin1String("/api2/json/nodes")))
            return ok(R"({"data":[]})");
        return handler(request);
    });
    m_client = std::make_unique<ProxmoxClient>(
        QStringLiteral("prod"), QList<QUrl>{QUrl(QStringLiteral("https://pve1.example.test:8006"))},
        PinStore(m_settings.get(), QStringLiteral("prod")), m_network.get());
    QSignalSpy connected(m_client.get(), &ProxmoxClient::connected);
    m_client->connectToCluster(Credentials::apiToken(
        QStringLiteral("deployer@pve"), QStringLiteral("app"), QStringLiteral("secret")));
    QVERIFY(connected.wait(5000));
}

TaskFollowOptions TestTaskFollower::fastOptions() const
{
    TaskFollowOptions options;
    options.firstInterval = 5ms;
    options.maxInterval = 20ms;
    options.notVisibleGrace = 2s;
    return options;
}

int TestTaskFollower::count(const QString &suffix, const QString &method) const
{
    int n = 0;
    for (const SeenRequest &request : m_network->seen)
        n += request.method == method && request.url.path().endsWith(suffix) ? 1 : 0;
    return n;
}

void TestTaskFollower::exitStatus_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<TaskExit::Kind>("kind");
    QTest::addColumn<int>("warnings");

    QTest::newRow("OK is success") << QStringLiteral("OK") << TaskExit::Kind::Ok << 0;
    QTest::newRow("warnings carry their count")
        << QStringLiteral("WARNINGS: 3") << TaskExit::Kind::Warnings << 3;
    QTest::newRow("an error text is a failure")
        << QStringLiteral("command 'qm start 101' failed: exit code 1") << TaskExit::Kind::Failed
        << 0;
    QTest::newRow("an interrupted task is a failure")
        << QStringLiteral("unexpected status") << TaskExit::Kind::Failed << 0;
    QTest::newRow("a lower-case ok is not OK")
        << QStringLiteral("ok") << TaskExit::Kind::Failed << 0;
    QTest::newRow("an empty status is a failure") << QString() << TaskExit::Kind::Failed << 0;
}

void TestTaskFollower::exitStatus()
{
    QFETCH(QString, text);
    QFETCH(TaskExit::Kind, kind);
    QFETCH(int, warnings);
    const TaskExit exit = TaskExit::parse(text);
    QCOMPARE(exit.kind, kind);
    QCOMPARE(exit.warnings, warnings);
    QCOMPARE(exit.text, text.trimmed());
    QCOMPARE(exit.succeeded(), kind != TaskExit::Kind::Failed);
}

void TestTaskFollower::pollsTheNodeOfTheUpidUntilStopped()
{
    int polls = 0;
    makeClient([&polls](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/status")))
            return ++polls < 3 ? statusAnswer(QStringLiteral("running"))
                               : statusAnswer(QStringLiteral("stopped"), QStringLiteral("OK"));
        return FakeAnswer{404, "Not Found", {}, QNetworkReply::NoError, false, 0};
    });
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), fastOptions());
    QSignalSpy progress(&follower, &TaskFollower::progress);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().exit.kind, TaskExit::Kind::Ok);
    QCOMPARE(outcome->value().polls, 3);
    QVERIFY(outcome->value().log.isEmpty()); // OK: no tail by default
    QCOMPARE(progress.size(), 3);
    QCOMPARE(progress.last().first().value<TaskProgress>().phase, TaskProgress::Phase::Stopped);

    // The node of the UPID (pve2) is asked, with the UPID as one encoded path segment.
    const QByteArray path = m_network->seen.last().url.path(QUrl::FullyEncoded).toLatin1();
    QVERIFY2(path.startsWith("/api2/json/nodes/pve2/tasks/UPID%3Apve2%3A"), path.constData());
}

void TestTaskFollower::toleratesNoSuchTaskBriefly()
{
    int polls = 0;
    makeClient([&polls](const SeenRequest &) {
        return ++polls < 3 ? noSuchTask()
                           : statusAnswer(QStringLiteral("stopped"), QStringLiteral("WARNINGS: 2"));
    });
    TaskFollowOptions options = fastOptions();
    options.logMode = TaskFollowOptions::LogMode::None;
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), options);
    QSignalSpy progress(&follower, &TaskFollower::progress);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().exit.kind, TaskExit::Kind::Warnings);
    QCOMPARE(outcome->value().exit.warnings, 2);
    QCOMPARE(progress.first().first().value<TaskProgress>().phase,
             TaskProgress::Phase::NotVisibleYet);
}

void TestTaskFollower::noSuchTaskForeverFails()
{
    makeClient([](const SeenRequest &) { return noSuchTask(); });
    TaskFollowOptions options = fastOptions();
    options.notVisibleGrace = 50ms;
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), options);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value());
    QVERIFY(!outcome->ok());
    QCOMPARE(outcome->error().kind, ApiError::Kind::InvalidParameters);
    QVERIFY(outcome->error().message.contains(QLatin1String("did not appear")));
}

void TestTaskFollower::transientFailuresArePolledThrough()
{
    int polls = 0;
    makeClient([&polls](const SeenRequest &) {
        ++polls;
        if (polls == 1)
            return FakeAnswer{595, "No route to host", {}, QNetworkReply::NoError, false, 0};
        if (polls == 2)
            return FakeAnswer{0, {}, {}, QNetworkReply::ConnectionRefusedError, false, 0};
        return statusAnswer(QStringLiteral("stopped"), QStringLiteral("OK"));
    });
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), fastOptions());
    follower.start();
    const auto outcome = waitFor(&follower, 10000);
    QVERIFY(outcome.has_value());
    QVERIFY2(outcome->ok(), qPrintable(outcome->ok() ? QString() : outcome->error().message));
    QCOMPARE(outcome->value().exit.kind, TaskExit::Kind::Ok);
}

void TestTaskFollower::permissionErrorEndsTheFollow()
{
    makeClient([](const SeenRequest &) {
        return FakeAnswer{403,   "Permission check failed (/nodes/pve2, Sys.Audit)",
                          {},    QNetworkReply::NoError,
                          false, 0};
    });
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), fastOptions());
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && !outcome->ok());
    QCOMPARE(outcome->error().kind, ApiError::Kind::Permission);
    QCOMPARE(count(QStringLiteral("/status")), 1);
}

void TestTaskFollower::failureFetchesTheLogTailUsingTotal()
{
    makeClient([](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/log")))
            return logAnswer(request.url, 120);
        return statusAnswer(QStringLiteral("stopped"), QStringLiteral("storage 'ceph' is full"));
    });
    TaskFollowOptions options = fastOptions();
    options.tailLines = 10;
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), options);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    const TaskResult &result = outcome->value();
    QCOMPARE(result.exit.kind, TaskExit::Kind::Failed);
    QCOMPARE(result.exit.text, QStringLiteral("storage 'ceph' is full"));
    QCOMPARE(result.logTotal, qint64(120));
    QCOMPARE(result.log.size(), 10);
    QCOMPARE(result.log.first().number, qint64(111));
    QCOMPARE(result.log.last().text, QStringLiteral("line 120"));
    QCOMPARE(count(QStringLiteral("/log")), 2);
}

void TestTaskFollower::shortLogNeedsOneRequest()
{
    makeClient([](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/log")))
            return logAnswer(request.url, 4);
        return statusAnswer(QStringLiteral("stopped"), QStringLiteral("WARNINGS: 1"));
    });
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), fastOptions());
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().log.size(), 4);
    QCOMPARE(count(QStringLiteral("/log")), 1);
}

void TestTaskFollower::followModeReadsNewLinesAsTheyCome()
{
    int polls = 0;
    int lines = 0;
    makeClient([&polls, &lines](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/log")))
            return logAnswer(request.url, lines);
        ++polls;
        lines += 2;
        return polls < 3 ? statusAnswer(QStringLiteral("running"))
                         : statusAnswer(QStringLiteral("stopped"), QStringLiteral("OK"));
    });
    TaskFollowOptions options = fastOptions();
    options.logMode = TaskFollowOptions::LogMode::Follow;
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), options);
    QList<TaskLogLine> reported;
    connect(&follower, &TaskFollower::progress, this,
            [&reported](const TaskProgress &progress) { reported += progress.newLogLines; });
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().log.size(), 6);
    QCOMPARE(reported, outcome->value().log);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(outcome->value().log.at(i).number, qint64(i + 1)); // no line twice, none lost
}

void TestTaskFollower::followModeSkipsTheEmptyLogPlaceholder()
{
    bool done = false;
    makeClient([&done](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/log"))) {
            if (done)
                return logAnswer(request.url, 1);
            // What a node answers while the task's log file is still empty.
            return ok(R"({"data":[{"n":1,"t":"no content"}],"total":1})");
        }
        const FakeAnswer answer =
            done ? statusAnswer(QStringLiteral("stopped"), QStringLiteral("OK"))
                 : statusAnswer(QStringLiteral("running"));
        done = true;
        return answer;
    });
    TaskFollowOptions options = fastOptions();
    options.logMode = TaskFollowOptions::LogMode::Follow;
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), options);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().log.size(), 1);
    QCOMPARE(outcome->value().log.first().text, QStringLiteral("line 1"));
    QCOMPARE(outcome->value().logTotal, qint64(1));
}

void TestTaskFollower::cancelStopsPollingAndEmitsOnce()
{
    makeClient([](const SeenRequest &) { return statusAnswer(QStringLiteral("running")); });
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), fastOptions());
    int finished = 0;
    connect(&follower, &TaskFollower::finished, this, [&finished] { ++finished; });
    connect(&follower, &TaskFollower::progress, &follower, [&follower](const TaskProgress &p) {
        if (p.polls == 2)
            follower.cancel();
    });
    follower.start();
    QTRY_COMPARE(finished, 1);
    const int sent = count(QStringLiteral("/status"));
    QCOMPARE(sent, 2);
    follower.cancel(); // a second cancel changes nothing
    // Let the event loop turn a while: no more polls, no second finished.
    QTest::qWait(100);
    QCOMPARE(count(QStringLiteral("/status")), sent);
    QCOMPARE(finished, 1);
}

void TestTaskFollower::stopTaskSendsDeleteAndKeepsFollowing()
{
    bool stopped = false;
    makeClient([&stopped](const SeenRequest &request) {
        if (request.method == QLatin1String("DELETE")) {
            stopped = true;
            return ok(R"({"data":null})");
        }
        if (request.url.path().endsWith(QLatin1String("/log")))
            return logAnswer(request.url, 2);
        return stopped
                   ? statusAnswer(QStringLiteral("stopped"), QStringLiteral("unexpected status"))
                   : statusAnswer(QStringLiteral("running"));
    });
    TaskFollowOptions options = fastOptions();
    options.firstInterval = 1000ms; // the stop, not the back-off, must bring the end
    options.maxInterval = 1000ms;
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), options);
    connect(&follower, &TaskFollower::progress, &follower, [&follower](const TaskProgress &p) {
        if (p.polls == 1)
            follower.stopTask();
    });
    follower.start();
    const auto outcome = waitFor(&follower, 900);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().exit.text, QStringLiteral("unexpected status"));
    QCOMPARE(count(QString(), QStringLiteral("DELETE")), 1);
}

void TestTaskFollower::closingTheClientEndsTheFollow()
{
    makeClient([](const SeenRequest &) {
        FakeAnswer answer = statusAnswer(QStringLiteral("running"));
        answer.hang = true; // the poll is in flight when the client goes
        return answer;
    });
    TaskFollower follower(m_client.get(), *Upid::parse(kUpid), fastOptions());
    follower.start();
    QTRY_COMPARE(m_network->seen.size(), qsizetype(3)); // version, nodes, the first poll
    std::optional<ApiResult<TaskResult>> outcome;
    connect(&follower, &TaskFollower::finished, this,
            [&outcome](const ApiResult<TaskResult> &result) { outcome = result; });
    m_client.reset();
    QVERIFY(outcome.has_value());
    QVERIFY(!outcome->ok());
    QCOMPARE(outcome->error().kind, ApiError::Kind::Cancelled);
}

QTEST_MAIN(TestTaskFollower)
#include "tst_taskfollower.moc"
