#include "fakenetwork.h"
#include "proxmox/client.h"

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

const QString kFingerprint = QStringLiteral("1D:28:5C:79:4D:2A:B8:49:7E:23:BA:38:85:33:4B:6E:BC:2C:"
                                            "0D:A8:A6:DE:16:96:69:A8:88:B7:62:B9:74:B5");
const QString kTicket = QStringLiteral("PVE:deployer@pve:6700A1B2::c2lnbmF0dXJl+/=");
const QString kRenewed = QStringLiteral("PVE:deployer@pve:6700B000::bmV3+/=");

FakeAnswer ok(const QByteArray &dataJson)
{
    return {200, "OK", "{\"data\":" + dataJson + "}", QNetworkReply::NoError, false, 0};
}

FakeAnswer status(int code, const QByteArray &reason, const QByteArray &body = {})
{
    return {code, reason, body, QNetworkReply::NoError, false, 0};
}

FakeAnswer ticketAnswer(const QString &ticket)
{
    return ok(
        QJsonDocument(
            QJsonObject{{QStringLiteral("username"), QStringLiteral("deployer@pve")},
                        {QStringLiteral("ticket"), ticket},
                        {QStringLiteral("CSRFPreventionToken"), QStringLiteral("6700A1B2:csrf")}})
            .toJson(QJsonDocument::Compact));
}

// What every connect needs; tests override the rest.
std::optional<FakeAnswer> connectAnswers(const SeenRequest &request)
{
    const QString path = request.url.path();
    if (path.endsWith(QLatin1String("/version")))
        return ok(R"({"version":"9.1.4","release":"9.1","repoid":"0123456789abcdef"})");
    if (path.endsWith(QLatin1String("/api2/json/nodes"))) {
        return ok("[{\"node\":\"pve1\",\"status\":\"online\",\"ssl_fingerprint\":\"" +
                  kFingerprint.toLatin1() + "\"},{\"node\":\"pve2\",\"status\":\"offline\"}]");
    }
    return std::nullopt;
}

QList<std::pair<QString, QString>> decodeForm(const QByteArray &body)
{
    QList<std::pair<QString, QString>> pairs;
    for (QByteArray part : body.split('&')) {
        part.replace('+', ' ');
        const qsizetype equals = part.indexOf('=');
        pairs.append({QString::fromUtf8(QByteArray::fromPercentEncoding(part.left(equals))),
                      QString::fromUtf8(QByteArray::fromPercentEncoding(part.mid(equals + 1)))});
    }
    return pairs;
}

QString formValue(const QByteArray &body, const QString &key)
{
    for (const auto &[k, v] : decodeForm(body)) {
        if (k == key)
            return v;
    }
    return {};
}

int countPath(const FakeNetwork &network, const QString &suffix)
{
    int count = 0;
    for (const SeenRequest &request : network.seen)
        count += request.url.path().endsWith(suffix) ? 1 : 0;
    return count;
}

std::optional<ApiResult<ApiReply>> waitFor(ApiJob *job, int ms = 5000)
{
    std::optional<ApiResult<ApiReply>> outcome;
    QObject context;
    QObject::connect(job, &ApiJob::finished, &context,
                     [&outcome](const ApiResult<ApiReply> &result) { outcome = result; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, ms))
        return std::nullopt;
    return outcome;
}

} // namespace

class TestProxmoxClient final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void tokenConnectReadsVersionAndPinsNodes();
    void invalidTokenIdIsRefusedBeforeSending();
    void passwordLoginSendsHostilePasswordIntactAndCsrfOnWrites();
    void totpTwoStep();
    void wrongPasswordFailsOnce();
    void oneReloginOn401ThenGiveUp();
    void failoverToSecondEndpoint();
    void nodeUnreachableDoesNotFailOthers();
    void serverErrorsRetriedForReadsOnly();
    void activityTimeout();
    void cancellation();
    void boundedConcurrencyPerNode();
    void malformedJson_data();
    void malformedJson();
    void ticketRenewalUsesOldTicket();

private:
    ProxmoxClient *makeClient(FakeNetwork::Handler handler, QList<QUrl> endpoints = {});
    bool connectWith(const Credentials &credentials);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<FakeNetwork> m_network;
    std::unique_ptr<ProxmoxClient> m_client;
};

void TestProxmoxClient::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_settings =
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
}

void TestProxmoxClient::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_settings.reset();
    m_dir.reset();
}

ProxmoxClient *TestProxmoxClient::makeClient(FakeNetwork::Handler handler, QList<QUrl> endpoints)
{
    if (endpoints.isEmpty())
        endpoints = {QUrl(QStringLiteral("https://pve1.example.test:8006"))};
    m_network = std::make_unique<FakeNetwork>([handler](const SeenRequest &request) {
        if (auto answer = connectAnswers(request))
            return *answer;
        return handler(request);
    });
    m_client = std::make_unique<ProxmoxClient>(QStringLiteral("prod"), endpoints,
                                               PinStore(m_settings.get(), QStringLiteral("prod")),
                                               m_network.get());
    ClientOptions options;
    options.retryBaseDelay = 10ms;
    options.activityTimeout = 2s;
    m_client->setOptions(options);
    return m_client.get();
}

bool TestProxmoxClient::connectWith(const Credentials &credentials)
{
    QSignalSpy connected(m_client.get(), &ProxmoxClient::connected);
    m_client->connectToCluster(credentials);
    return connected.wait(5000);
}

void TestProxmoxClient::tokenConnectReadsVersionAndPinsNodes()
{
    makeClient([](const SeenRequest &) { return status(501, "not implemented"); });
    QVERIFY(
        connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                          QStringLiteral("00000000-0000-0000-0000-000000000000"))));
    QCOMPARE(m_client->version().major, 9);
    QVERIFY(m_client->version().usesHaRules());
    QCOMPARE(m_client->state(), ProxmoxClient::State::Connected);

    const SeenRequest &first = m_network->seen.first();
    QCOMPARE(first.request.rawHeader("Authorization"),
             QByteArray("PVEAPIToken=deployer@pve!app=00000000-0000-0000-0000-000000000000"));
    QVERIFY(!first.request.hasRawHeader("CSRFPreventionToken"));
    QCOMPARE(first.request.attribute(QNetworkRequest::Http2AllowedAttribute).toBool(), false);

    PinStore pins(m_settings.get(), QStringLiteral("prod"));
    QCOMPARE(pins.pinnedFor(QStringLiteral("pve1")), kFingerprint);
}

void TestProxmoxClient::invalidTokenIdIsRefusedBeforeSending()
{
    makeClient([](const SeenRequest &) { return ok("null"); });
    QSignalSpy failed(m_client.get(), &ProxmoxClient::connectionFailed);
    m_client->connectToCluster(Credentials::apiToken(
        QStringLiteral("dev@pve"), QStringLiteral("TOKEN ID"), QStringLiteral("x")));
    QCOMPARE(failed.size(), 1);
    QVERIFY(m_network->seen.isEmpty());
}

void TestProxmoxClient::passwordLoginSendsHostilePasswordIntactAndCsrfOnWrites()
{
    const QString password = QStringLiteral("pa+ss;word&x=1%20 Zażółć");
    makeClient([](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/access/ticket")))
            return ticketAnswer(kTicket);
        return ok("\"UPID:pve1:0000A1B2:0012C3D4:6700A1B2:qmstart:104:deployer@pve:\"");
    });
    QVERIFY(connectWith(Credentials::password(QStringLiteral("deployer@pve"), password)));

    const SeenRequest &login = m_network->seen.first();
    QVERIFY(login.url.path().endsWith(QLatin1String("/access/ticket")));
    QCOMPARE(formValue(login.body, QStringLiteral("password")), password);
    QCOMPARE(formValue(login.body, QStringLiteral("username")), QStringLiteral("deployer@pve"));

    const auto write = waitFor(
        m_client->send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/104/status/start"))));
    QVERIFY(write.has_value() && write->ok());
    const SeenRequest &post = m_network->seen.last();
    QCOMPARE(post.request.rawHeader("CSRFPreventionToken"), QByteArray("6700A1B2:csrf"));
    QCOMPARE(post.request.rawHeader("Cookie"), "PVEAuthCookie=" + QUrl::toPercentEncoding(kTicket));

    const auto read = waitFor(m_client->send(ApiRequest::get(QStringLiteral("/cluster/status"))));
    QVERIFY(read.has_value());
    QVERIFY(!m_network->seen.last().request.hasRawHeader("CSRFPreventionToken"));
}

void TestProxmoxClient::totpTwoStep()
{
    const QString halfTicket = QStringLiteral("PVE:!tfa!%7B%22totp%22%3Atrue%7D:6700A1B2::c2ln");
    makeClient([halfTicket](const SeenRequest &request) {
        if (!request.url.path().endsWith(QLatin1String("/access/ticket")))
            return status(501, "no");
        if (formValue(request.body, QStringLiteral("tfa-challenge")).isEmpty()) {
            return ok(QJsonDocument(QJsonObject{{QStringLiteral("ticket"), halfTicket},
                                                {QStringLiteral("NeedTFA"), 1}})
                          .toJson(QJsonDocument::Compact));
        }
        return ticketAnswer(kTicket);
    });
    QString challengeSeen;
    m_client->setTotpCallback([&challengeSeen](const QString &challenge, auto answer) {
        challengeSeen = challenge;
        QTimer::singleShot(10, [answer] { answer(QStringLiteral("123456")); });
    });
    QVERIFY(connectWith(
        Credentials::password(QStringLiteral("deployer@pve"), QStringLiteral("secret"))));
    QCOMPARE(challengeSeen, QStringLiteral("{\"totp\":true}"));
    const SeenRequest &second = m_network->seen.at(1);
    QCOMPARE(formValue(second.body, QStringLiteral("tfa-challenge")), halfTicket);
    QCOMPARE(formValue(second.body, QStringLiteral("password")), QStringLiteral("totp:123456"));
}

void TestProxmoxClient::wrongPasswordFailsOnce()
{
    makeClient([](const SeenRequest &) {
        return status(401, "authentication failure", R"({"data":null})");
    });
    QSignalSpy failed(m_client.get(), &ProxmoxClient::connectionFailed);
    m_client->connectToCluster(
        Credentials::password(QStringLiteral("deployer@pve"), QStringLiteral("wrong"), true));
    QVERIFY(failed.wait(5000));
    const auto error = failed.first().first().value<ApiError>();
    QCOMPARE(error.kind, ApiError::Kind::Authentication);
    QVERIFY(error.message.contains(QLatin1String("authentication failure")));
    QTest::qWait(50);
    QCOMPARE(m_network->seen.size(), 1); // each try costs the server 3 s: never loop
}

void TestProxmoxClient::oneReloginOn401ThenGiveUp()
{
    makeClient([](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/access/ticket")))
            return ticketAnswer(kTicket);
        return status(401, "permission denied - invalid PVE ticket");
    });
    QVERIFY(connectWith(
        Credentials::password(QStringLiteral("deployer@pve"), QStringLiteral("secret"), true)));
    const auto result =
        waitFor(m_client->send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(result.has_value());
    QVERIFY(!result->ok());
    QCOMPARE(result->error().kind, ApiError::Kind::Authentication);
    QCOMPARE(countPath(*m_network, QStringLiteral("/cluster/resources")), 2);
    QCOMPARE(countPath(*m_network, QStringLiteral("/access/ticket")), 2);
}

void TestProxmoxClient::failoverToSecondEndpoint()
{
    makeClient(
        [](const SeenRequest &request) {
            if (request.url.host() == QLatin1String("pve1.example.test"))
                return FakeAnswer{0, {}, {}, QNetworkReply::ConnectionRefusedError, false, 0};
            return ok("[]");
        },
        {QUrl(QStringLiteral("https://pve1.example.test:8006")),
         QUrl(QStringLiteral("https://pve2.example.test:8006"))});
    // The connect answers come from any host; make the first endpoint fail for them too.
    m_network = std::make_unique<FakeNetwork>([](const SeenRequest &request) {
        if (request.url.host() == QLatin1String("pve1.example.test"))
            return FakeAnswer{0, {}, {}, QNetworkReply::ConnectionRefusedError, false, 0};
        if (auto answer = connectAnswers(request))
            return *answer;
        return ok("[]");
    });
    m_client = std::make_unique<ProxmoxClient>(
        QStringLiteral("prod"),
        QList<QUrl>{QUrl(QStringLiteral("https://pve1.example.test:8006")),
                    QUrl(QStringLiteral("https://pve2.example.test:8006"))},
        PinStore(m_settings.get(), QStringLiteral("prod")), m_network.get());

    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    QCOMPARE(m_client->currentEndpoint().host(), QStringLiteral("pve2.example.test"));
    QCOMPARE(m_client->degradedEndpoints(),
             QList<QUrl>{QUrl(QStringLiteral("https://pve1.example.test:8006"))});

    // Later calls go straight to the healthy endpoint while the other rests.
    const qsizetype before = m_network->seen.size();
    const auto result =
        waitFor(m_client->send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(result.has_value() && result->ok());
    QCOMPARE(m_network->seen.size(), before + 1);
    QCOMPARE(m_network->seen.last().url.host(), QStringLiteral("pve2.example.test"));
}

void TestProxmoxClient::nodeUnreachableDoesNotFailOthers()
{
    makeClient([](const SeenRequest &request) {
        if (request.url.path().contains(QLatin1String("/nodes/pve2/")))
            return status(595, "No route to host");
        return ok(R"({"uptime":1})");
    });
    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    // Both are connected before either can finish: a finished job is deleted.
    std::optional<ApiResult<ApiReply>> downResult;
    std::optional<ApiResult<ApiReply>> upResult;
    connect(m_client->send(ApiRequest::get(QStringLiteral("/nodes/pve2/status"))),
            &ApiJob::finished, this, [&downResult](const auto &result) { downResult = result; });
    connect(m_client->send(ApiRequest::get(QStringLiteral("/nodes/pve1/status"))),
            &ApiJob::finished, this, [&upResult](const auto &result) { upResult = result; });
    QTRY_VERIFY(downResult.has_value() && upResult.has_value());
    QVERIFY(!downResult->ok());
    QCOMPARE(downResult->error().kind, ApiError::Kind::NodeUnreachable);
    QCOMPARE(downResult->error().node, QStringLiteral("pve2"));
    QVERIFY(upResult->ok());
    QCOMPARE(m_client->unreachableNodes(), QStringList{QStringLiteral("pve2")});
    QVERIFY(m_client->degradedEndpoints().isEmpty()); // the answering node is fine
    QCOMPARE(countPath(*m_network, QStringLiteral("/nodes/pve2/status")), 1);
}

void TestProxmoxClient::serverErrorsRetriedForReadsOnly()
{
    int reads = 0;
    makeClient([&reads](const SeenRequest &request) {
        if (request.method == QLatin1String("GET") && ++reads < 3)
            return status(500, "temporary failure");
        if (request.method == QLatin1String("POST"))
            return status(500, "VM 104 is running - destroy failed");
        return ok("[]");
    });
    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    reads = 0;
    const auto read =
        waitFor(m_client->send(ApiRequest::get(QStringLiteral("/cluster/ha/status/current"))));
    QVERIFY(read.has_value() && read->ok());
    QCOMPARE(countPath(*m_network, QStringLiteral("/cluster/ha/status/current")), 3);

    const auto write = waitFor(
        m_client->send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/104/status/stop"))));
    QVERIFY(write.has_value() && !write->ok());
    QCOMPARE(write->error().kind, ApiError::Kind::Server);
    QCOMPARE(write->error().serverMessage, QStringLiteral("VM 104 is running - destroy failed"));
    QCOMPARE(countPath(*m_network, QStringLiteral("/status/stop")), 1);
}

void TestProxmoxClient::activityTimeout()
{
    makeClient([](const SeenRequest &) { return FakeAnswer{200, "OK", {}, {}, true, 0}; });
    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    ApiRequest request = ApiRequest::get(QStringLiteral("/nodes/pve1/storage"));
    request.timeout = 100ms;
    const auto result = waitFor(m_client->send(request));
    QVERIFY(result.has_value() && !result->ok());
    QCOMPARE(result->error().kind, ApiError::Kind::Timeout);
}

void TestProxmoxClient::cancellation()
{
    makeClient([](const SeenRequest &) { return FakeAnswer{200, "OK", {}, {}, true, 0}; });
    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    ApiJob *job = m_client->send(ApiRequest::get(QStringLiteral("/cluster/resources")));
    std::optional<ApiResult<ApiReply>> outcome;
    connect(job, &ApiJob::finished, this, [&outcome](const auto &result) { outcome = result; });
    QTest::qWait(20);
    job->cancel();
    QVERIFY(outcome.has_value() && !outcome->ok());
    QCOMPARE(outcome->error().kind, ApiError::Kind::Cancelled);
    QTRY_COMPARE(m_network->open, 0);
}

void TestProxmoxClient::boundedConcurrencyPerNode()
{
    makeClient(
        [](const SeenRequest &) { return FakeAnswer{200, "OK", "{\"data\":1}", {}, false, 30}; });
    ClientOptions options = m_client->options();
    options.maxInFlightPerNode = 2;
    m_client->setOptions(options);
    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    m_network->maxOpen = 0;
    QList<ApiJob *> jobs;
    for (int i = 0; i < 6; ++i)
        jobs << m_client->send(
            ApiRequest::get(QStringLiteral("/nodes/pve1/qemu/%1/status/current").arg(100 + i)));
    QTRY_COMPARE(m_network->seen.size(), 2 + 6);
    QTRY_COMPARE(m_network->open, 0);
    QCOMPARE(m_network->maxOpen, 2);
}

void TestProxmoxClient::malformedJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("truncated JSON") << QByteArray(R"({"data":[{"id":"node/pve1")");
    QTest::newRow("an empty body with 200") << QByteArray();
    QTest::newRow("HTML from a proxy") << QByteArray("<html><body>Bad gateway</body></html>");
}

void TestProxmoxClient::malformedJson()
{
    QFETCH(QByteArray, body);
    makeClient([body](const SeenRequest &) { return FakeAnswer{200, "OK", body, {}, false, 0}; });
    QVERIFY(connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                              QStringLiteral("s"))));
    const auto result =
        waitFor(m_client->send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(result.has_value() && !result->ok());
    QCOMPARE(result->error().kind, ApiError::Kind::MalformedResponse);
}

void TestProxmoxClient::ticketRenewalUsesOldTicket()
{
    makeClient([](const SeenRequest &request) {
        if (request.url.path().endsWith(QLatin1String("/access/ticket"))) {
            const QString password = formValue(request.body, QStringLiteral("password"));
            return ticketAnswer(password == kTicket ? kRenewed : kTicket);
        }
        return ok("[]");
    });
    ClientOptions options = m_client->options();
    options.renewAfter = 100ms;
    m_client->setOptions(options);
    QVERIFY(connectWith(
        Credentials::password(QStringLiteral("deployer@pve"), QStringLiteral("secret"))));
    QSignalSpy renewed(m_client.get(), &ProxmoxClient::ticketRenewed);
    QVERIFY(renewed.wait(3000));

    const SeenRequest &renewal = m_network->seen.last();
    QCOMPARE(formValue(renewal.body, QStringLiteral("password")), kTicket);
    QVERIFY(!renewal.request.hasRawHeader("Cookie"));

    const auto result =
        waitFor(m_client->send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(result.has_value() && result->ok());
    QCOMPARE(m_network->seen.last().request.rawHeader("Cookie"),
             "PVEAuthCookie=" + QUrl::toPercentEncoding(kRenewed));
}

QTEST_GUILESS_MAIN(TestProxmoxClient)
#include "tst_proxmoxclient.moc"
