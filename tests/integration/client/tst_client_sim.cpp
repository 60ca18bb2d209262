// The Proxmox client against the real simulator over real TLS: authentication paths, certificate
// trust, fail-over, unreachable nodes and task following.
#include "../sim/simprocess.h"

#include "cluster/inventory.h"
#include "cluster/snapshotpoller.h"
#include "proxmox/client.h"
#include "proxmox/privileges.h"
#include "proxmox/taskfollower.h"
#include "sim/crypto.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace rae::proxmox;
using namespace std::chrono_literals;

namespace {

// Test-only secrets of resources/sim/reference.yaml.
const QString kTokenSecret = QStringLiteral("00000000-0000-4000-8000-00000000a001");
const QString kDeployerPassword = QStringLiteral("sim-deployer-password-test-only");
const QString kTfaPassword = QStringLiteral("sim-tfa-password-test-only");
const QString kTfaSeed = QStringLiteral("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");

QString scenario()
{
    return QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml");
}

// Waits for a job's one `finished`.
std::optional<ApiResult<ApiReply>> waitFor(ApiJob *job, int ms = 20000)
{
    std::optional<ApiResult<ApiReply>> outcome;
    QObject context;
    QObject::connect(job, &ApiJob::finished, &context,
                     [&outcome](const ApiResult<ApiReply> &result) { outcome = result; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, ms))
        return std::nullopt;
    return outcome;
}

std::optional<ApiResult<TaskResult>> waitFor(TaskFollower *follower, int ms = 30000)
{
    std::optional<ApiResult<TaskResult>> outcome;
    QObject context;
    QObject::connect(follower, &TaskFollower::finished, &context,
                     [&outcome](const ApiResult<TaskResult> &result) { outcome = result; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, ms))
        return std::nullopt;
    return outcome;
}

// One client of the cluster "prod" with its own settings file and a trust callback that records
// what it was shown and answers as told.
struct Fixture
{
    explicit Fixture(const QList<QUrl> &endpoints, QSettings *sharedSettings = nullptr,
                     QNetworkAccessManager *network = nullptr)
        : settings(sharedSettings ? nullptr
                                  : new QSettings(dir.filePath(QStringLiteral("pins.ini")),
                                                  QSettings::IniFormat))
        , pins(sharedSettings ? sharedSettings : settings.get(), QStringLiteral("prod"))
        , client(QStringLiteral("prod"), endpoints, pins, network)
    {
        client.setTrustCallback(
            [this](const CertificateFacts &facts, const QUrl &, std::function<void(bool)> decide) {
                asked << facts;
                decide(approve);
            });
    }

    bool connectWith(const Credentials &credentials)
    {
        QSignalSpy connected(&client, &ProxmoxClient::connected);
        QSignalSpy failed(&client, &ProxmoxClient::connectionFailed);
        client.connectToCluster(credentials);
        if (!QTest::qWaitFor([&] { return !connected.isEmpty() || !failed.isEmpty(); }, 30000))
            return false;
        if (!failed.isEmpty())
            lastError = failed.first().first().value<ApiError>();
        return !connected.isEmpty();
    }

    QTemporaryDir dir;
    std::unique_ptr<QSettings> settings;
    PinStore pins;
    ProxmoxClient client;
    QList<CertificateFacts> asked;
    bool approve = true;
    ApiError lastError;
};

Credentials deployerToken()
{
    return Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                 kTokenSecret);
}

// The real network, counting what is sent per path (below /api2/json).
class CountingNetwork final : public QNetworkAccessManager
{
public:
    int count(const QString &path) const { return m_sent.value(path); }

protected:
    QNetworkReply *createRequest(Operation operation, const QNetworkRequest &request,
                                 QIODevice *outgoingData) override
    {
        ++m_sent[request.url().path().mid(int(qstrlen("/api2/json")))];
        return QNetworkAccessManager::createRequest(operation, request, outgoingData);
    }

private:
    QHash<QString, int> m_sent;
};

QUrl urlOf(const SimProcess &sim)
{
    return QUrl(sim.value(QStringLiteral("url")));
}

} // namespace

class TestClientSim final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void tokenLoginTrustsOnFirstUseAndReadsVersion();
    void approvedCertificateIsNotAskedAgain();
    void rejectedCertificateFailsTheConnection();
    void everyNodeFingerprintIsPinned();
    void changedCertificateIsRefusedShowingBoth();
    void passwordLoginSendsCsrfOnWrites();
    void ticketIsRenewedInTheBackground();
    void invalidatedTicketCostsOneRelogin();
    void totpTwoStepLogin();
    void failsOverWhenTheFirstEndpointRefuses();
    void failsOverWhenARunningEndpointGoesAway();
    void unreachableNodeDoesNotFailOtherCalls();
    void snapshotCycleSurvivesANodeDown();
    void inventoryOfTheReferenceCluster();
    void serverErrorsAreRetriedForReadsOnly();
    void brokenAnswersAndSilenceAreErrorsOfTheirKind();
    void privilegesOfEachToken();
    // The VM 100 is an HA resource: stop and start are hastop/hastart tasks.
    void failedTaskReportsErrorAndLogTail();
    void followingCanBeCancelled();
    void taskIsFollowedToItsEnd();

private:
    SimProcess m_sim;
};

void TestClientSim::initTestCase()
{
    qRegisterMetaType<ApiError>();
    // A 401 costs 3 s on a real node; the tests need no such wait.
    QVERIFY2(m_sim.start(scenario(),
                         {QStringLiteral("--auth-failure-delay-ms"), QStringLiteral("0"),
                          QStringLiteral("--task-visibility-delay-ms"), QStringLiteral("300")}),
             "rae-pve-sim did not start");
}

void TestClientSim::tokenLoginTrustsOnFirstUseAndReadsVersion()
{
    Fixture f({urlOf(m_sim)});
    QVERIFY(f.connectWith(deployerToken()));
    QCOMPARE(f.client.version().major, 9);
    QVERIFY(f.client.version().usesHaRules());

    QCOMPARE(f.asked.size(), 1);
    const CertificateFacts &facts = f.asked.first();
    QCOMPARE(facts.fingerprint, m_sim.value(QStringLiteral("fingerprint")));
    QVERIFY(!facts.subject.isEmpty());
    QVERIFY(!facts.issuer.isEmpty());
    QVERIFY(facts.notBefore.isValid() && facts.notAfter > QDateTime::currentDateTimeUtc());
    QCOMPARE(f.pins.pinnedFor(QStringLiteral("127.0.0.1")), facts.fingerprint);

    const auto answer =
        waitFor(f.client.send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(answer.has_value());
    QVERIFY2(answer->ok(), qPrintable(answer->ok() ? QString() : answer->error().message));
    QVERIFY(answer->value().data.toArray().size() > 3);
}

void TestClientSim::approvedCertificateIsNotAskedAgain()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    {
        Fixture first({urlOf(m_sim)}, &settings);
        QVERIFY(first.connectWith(deployerToken()));
        QCOMPARE(first.asked.size(), 1);
    }
    Fixture second({urlOf(m_sim)}, &settings);
    QVERIFY(second.connectWith(deployerToken()));
    QVERIFY(second.asked.isEmpty());
}

void TestClientSim::rejectedCertificateFailsTheConnection()
{
    Fixture f({urlOf(m_sim)});
    f.approve = false;
    QVERIFY(!f.connectWith(deployerToken()));
    QCOMPARE(f.lastError.kind, ApiError::Kind::Tls);
    QCOMPARE(f.lastError.presentedFingerprint, m_sim.value(QStringLiteral("fingerprint")));
    QVERIFY(f.pins.fingerprints().isEmpty());
}

void TestClientSim::everyNodeFingerprintIsPinned()
{
    Fixture f({urlOf(m_sim)});
    QVERIFY(f.connectWith(deployerToken()));
    const auto nodes = m_sim.withToken("GET", QStringLiteral("/api2/json/nodes"));
    const QJsonArray list = nodes.json.object().value(QStringLiteral("data")).toArray();
    QCOMPARE(list.size(), 3);
    for (const QJsonValue &value : list) {
        const QJsonObject node = value.toObject();
        const QString name = node.value(QStringLiteral("node")).toString();
        QCOMPARE(f.pins.pinnedFor(name), node.value(QStringLiteral("ssl_fingerprint")).toString());
    }
}

void TestClientSim::changedCertificateIsRefusedShowingBoth()
{
    // A simulator of its own: the new certificate would upset the other tests.
    SimProcess sim;
    QVERIFY(sim.start(scenario()));
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    const QString old = sim.value(QStringLiteral("fingerprint"));
    {
        Fixture first({urlOf(sim)}, &settings);
        QVERIFY(first.connectWith(deployerToken()));
    }
    const auto renewed = sim.control(QStringLiteral("new-certificate"));
    QCOMPARE(renewed.status, 200);
    const QString presented = renewed.json.object().value(QStringLiteral("fingerprint")).toString();
    QVERIFY(!presented.isEmpty() && presented != old);

    Fixture second({urlOf(sim)}, &settings);
    QVERIFY(!second.connectWith(deployerToken()));
    QVERIFY2(second.asked.isEmpty(), "a changed certificate must not be offered for approval");
    QCOMPARE(second.lastError.kind, ApiError::Kind::Tls);
    QCOMPARE(second.lastError.pinnedFingerprint, old);
    QCOMPARE(second.lastError.presentedFingerprint, presented);
    const QString shown = second.lastError.toError().toString();
    QVERIFY(shown.contains(old));
    QVERIFY(shown.contains(presented));
    QCOMPARE(second.pins.pinnedFor(QStringLiteral("127.0.0.1")), old);
}

void TestClientSim::passwordLoginSendsCsrfOnWrites()
{
    Fixture f({urlOf(m_sim)});
    QVERIFY(
        f.connectWith(Credentials::password(QStringLiteral("deployer@pve"), kDeployerPassword)));
    // A write with the ticket: the simulator refuses it with 401 unless the CSRF token is sent.
    const auto written = waitFor(f.client.send(
        ApiRequest::put(QStringLiteral("/nodes/pve1/qemu/100/config"),
                        {{QStringLiteral("description"), QStringLiteral("a+b;c&d=e%f ü")}})));
    QVERIFY(written.has_value());
    QVERIFY2(written->ok(), qPrintable(written->ok() ? QString() : written->error().message));

    const auto config =
        waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes/pve1/qemu/100/config"))));
    QVERIFY(config.has_value() && config->ok());
    QCOMPARE(config->value().data.toObject().value(QStringLiteral("description")).toString(),
             QStringLiteral("a+b;c&d=e%f ü"));
}

void TestClientSim::ticketIsRenewedInTheBackground()
{
    Fixture f({urlOf(m_sim)});
    ClientOptions options;
    options.renewAfter = 200ms;
    f.client.setOptions(options);
    QSignalSpy renewed(&f.client, &ProxmoxClient::ticketRenewed);
    QSignalSpy expired(&f.client, &ProxmoxClient::sessionExpired);
    // Without keepPassword: renewal can only work with the old ticket.
    QVERIFY(
        f.connectWith(Credentials::password(QStringLiteral("deployer@pve"), kDeployerPassword)));
    QVERIFY(renewed.wait(10000));
    QVERIFY(expired.isEmpty());
    const auto answer = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes"))));
    QVERIFY(answer.has_value() && answer->ok());
}

void TestClientSim::invalidatedTicketCostsOneRelogin()
{
    Fixture kept({urlOf(m_sim)});
    QVERIFY(kept.connectWith(
        Credentials::password(QStringLiteral("deployer@pve"), kDeployerPassword, true)));
    Fixture dropped({urlOf(m_sim)});
    QVERIFY(dropped.connectWith(
        Credentials::password(QStringLiteral("deployer@pve"), kDeployerPassword, false)));

    QCOMPARE(m_sim.control(QStringLiteral("invalidate-tickets")).status, 200);

    const auto again = waitFor(kept.client.send(ApiRequest::get(QStringLiteral("/nodes"))));
    QVERIFY(again.has_value());
    QVERIFY2(again->ok(), qPrintable(again->ok() ? QString() : again->error().message));

    const auto refused = waitFor(dropped.client.send(ApiRequest::get(QStringLiteral("/nodes"))));
    QVERIFY(refused.has_value());
    QVERIFY(!refused->ok());
    QCOMPARE(refused->error().kind, ApiError::Kind::Authentication);
}

void TestClientSim::totpTwoStepLogin()
{
    Fixture f({urlOf(m_sim)});
    QString challenge;
    f.client.setTotpCallback(
        [&challenge](const QString &offered, std::function<void(std::optional<QString>)> answer) {
            challenge = offered;
            const auto code = rae::sim::totpCode(kTfaSeed, QDateTime::currentSecsSinceEpoch());
            answer(code ? std::optional<QString>(*code) : std::nullopt);
        });
    QVERIFY(f.connectWith(Credentials::password(QStringLiteral("tfa@pve"), kTfaPassword)));
    QVERIFY(challenge.contains(QLatin1String("totp")));

    Fixture wrong({urlOf(m_sim)});
    wrong.client.setTotpCallback(
        [](const QString &, std::function<void(std::optional<QString>)> answer) {
            answer(QStringLiteral("000000x"));
        });
    QVERIFY(!wrong.connectWith(Credentials::password(QStringLiteral("tfa@pve"), kTfaPassword)));
}

void TestClientSim::failsOverWhenTheFirstEndpointRefuses()
{
    // A port that was free a moment ago: nothing listens there, so connecting is refused.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 deadPort = probe.serverPort();
    probe.close();
    QUrl dead = urlOf(m_sim);
    dead.setPort(deadPort);

    Fixture f({dead, urlOf(m_sim)});
    QSignalSpy degraded(&f.client, &ProxmoxClient::endpointDegraded);
    QVERIFY(f.connectWith(deployerToken()));
    QCOMPARE(f.client.currentEndpoint(), urlOf(m_sim));
    QVERIFY(f.client.degradedEndpoints().contains(dead));
    QVERIFY(!degraded.isEmpty());
}

void TestClientSim::failsOverWhenARunningEndpointGoesAway()
{
    // Two simulators serving one certificate stand for two nodes of one cluster.
    QTemporaryDir dir;
    const QString cert = dir.filePath(QStringLiteral("cert.pem"));
    const QString key = dir.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=pve1"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1")});
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        QSKIP("the openssl command could not make a test certificate");

    const QStringList certArgs{QStringLiteral("--cert"), cert, QStringLiteral("--key"), key};
    auto first = std::make_unique<SimProcess>();
    SimProcess second;
    QVERIFY(first->start(scenario(), certArgs));
    QVERIFY(second.start(scenario(), certArgs));
    QCOMPARE(first->value(QStringLiteral("fingerprint")),
             second.value(QStringLiteral("fingerprint")));

    Fixture f({urlOf(*first), urlOf(second)});
    QVERIFY(f.connectWith(deployerToken()));
    QCOMPARE(f.client.currentEndpoint(), urlOf(*first));
    QCOMPARE(f.asked.size(), 1);

    const QUrl gone = urlOf(*first);
    first.reset(); // the first node goes down
    const auto answer =
        waitFor(f.client.send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(answer.has_value());
    QVERIFY2(answer->ok(), qPrintable(answer->ok() ? QString() : answer->error().message));
    QCOMPARE(answer->value().endpoint, urlOf(second).toDisplayString());
    QVERIFY(f.client.degradedEndpoints().contains(gone));
    QCOMPARE(f.asked.size(), 1); // the certificate was known: no second question
}

void TestClientSim::unreachableNodeDoesNotFailOtherCalls()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario()));
    Fixture f({urlOf(sim)});
    QVERIFY(f.connectWith(deployerToken()));
    QCOMPARE(sim.control(QStringLiteral("node-network"), R"({"node":"pve3","on":false})").status,
             200);

    const auto down = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes/pve3/status"))));
    QVERIFY(down.has_value() && !down->ok());
    QCOMPARE(down->error().kind, ApiError::Kind::NodeUnreachable);
    QCOMPARE(down->error().node, QStringLiteral("pve3"));
    QVERIFY(f.client.unreachableNodes().contains(QStringLiteral("pve3")));
    QVERIFY(f.client.degradedEndpoints().isEmpty());

    const auto up = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes/pve1/status"))));
    QVERIFY(up.has_value() && up->ok());
    const auto all = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/cluster/resources"))));
    QVERIFY(all.has_value() && all->ok());
}

void TestClientSim::snapshotCycleSurvivesANodeDown()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario()));
    Fixture f({urlOf(sim)});
    QVERIFY(f.connectWith(deployerToken()));

    rae::cluster::PollerOptions options;
    options.interval = 1h; // cycles on demand
    rae::cluster::SnapshotPoller poller(&f.client, options);
    QSignalSpy ready(&poller, &rae::cluster::SnapshotPoller::snapshotReady);
    QSignalSpy failed(&poller, &rae::cluster::SnapshotPoller::cycleFailed);
    poller.pollNow();
    QVERIFY(ready.wait(20000));
    const auto first = ready.takeFirst().first().value<rae::cluster::ClusterSnapshot>();
    QCOMPARE(first.resources.nodes.size(), 3);
    QVERIFY(first.ha.has_value() && first.ha->quorate);
    QVERIFY(first.ha->service(QStringLiteral("vm:100")));
    QCOMPARE(first.replication.size(), 1);
    QVERIFY2(first.requests <= 4, qPrintable(QString::number(first.requests)));
    QVERIFY2(first.problems.isEmpty(), qPrintable(first.problems.join(QLatin1Char('\n'))));

    // pve2 is the replication target; power it off and poll again.
    QCOMPARE(sim.control(QStringLiteral("node-power"), R"({"node":"pve2","on":false})").status,
             200);
    poller.pollNow();
    QVERIFY(ready.wait(20000));
    QVERIFY(failed.isEmpty());
    const auto second = ready.takeFirst().first().value<rae::cluster::ClusterSnapshot>();
    QCOMPARE(second.offlineNodes(), QStringList{QStringLiteral("pve2")});
    QCOMPARE(second.resources.guest(100)->status, rae::cluster::GuestStatus::Running);
    QCOMPARE(second.replication.size(), 1);
}

void TestClientSim::inventoryOfTheReferenceCluster()
{
    using rae::cluster::Inventory;
    using rae::cluster::InventoryLoader;
    SimProcess sim;
    QVERIFY(sim.start(scenario()));
    Fixture f({urlOf(sim)});
    QVERIFY(f.connectWith(deployerToken()));

    auto load = [&f]() -> std::optional<rae::proxmox::ApiResult<Inventory>> {
        InventoryLoader loader(&f.client);
        std::optional<rae::proxmox::ApiResult<Inventory>> outcome;
        connect(&loader, &InventoryLoader::finished, &loader,
                [&outcome](const rae::proxmox::ApiResult<Inventory> &result) { outcome = result; });
        loader.load();
        if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, 30000))
            return std::nullopt;
        return outcome;
    };

    const auto loaded = load();
    QVERIFY(loaded.has_value());
    QVERIFY2(loaded->ok(), qPrintable(loaded->ok() ? QString() : loaded->error().message));
    const Inventory &inventory = loaded->value();
    QVERIFY2(inventory.problems.isEmpty(), qPrintable(inventory.problems.join(QLatin1Char('\n'))));
    QCOMPARE(inventory.nodes.size(), 3);
    for (const auto &node : inventory.nodes) {
        QVERIFY2(node.problems.isEmpty(), qPrintable(node.problems.join(QLatin1Char('\n'))));
        QVERIFY(node.status.has_value());
        QCOMPARE(node.status->cpuModel, QStringLiteral("AMD EPYC 9354 32-Core Processor"));
        QCOMPARE(node.storages.size(), 4);
        QVERIFY(node.network.has_value());
        QVERIFY(node.network->find(QStringLiteral("vmbr1"))->vlanAware);
    }
    QCOMPARE(inventory.storages.size(), 4);
    QCOMPARE(inventory.pciMappings.size(), 1);
    QCOMPARE(inventory.pciMappings.first().id, QStringLiteral("gpu-l4"));
    QCOMPARE(inventory.pciMappings.first().nodes(), QStringList{QStringLiteral("pve3")});
    QCOMPARE(inventory.haResources.size(), 4);
    QCOMPARE(inventory.haResources.first().sid, QStringLiteral("vm:100"));
    QCOMPARE(inventory.replicationJobs.size(), 1);
    QCOMPARE(inventory.backupJobs.size(), 1);
    QVERIFY(inventory.backupJobs.first().covers(100));

    // A node powered off leaves its part empty; the rest loads.
    QCOMPARE(sim.control(QStringLiteral("node-power"), R"({"node":"pve3","on":false})").status,
             200);
    const auto degraded = load();
    QVERIFY(degraded.has_value() && degraded->ok());
    const auto &pve3 = degraded->value().nodes.at(2);
    QCOMPARE(pve3.name, QStringLiteral("pve3"));
    QVERIFY(!pve3.problems.isEmpty());
    QVERIFY(!pve3.status.has_value());
    QVERIFY(degraded->value().nodes.at(0).status.has_value());
    QCOMPARE(degraded->value().pciMappings.size(), 1);
}

void TestClientSim::serverErrorsAreRetriedForReadsOnly()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario()));
    CountingNetwork network;
    Fixture f({urlOf(sim)}, nullptr, &network);
    ClientOptions options;
    options.retryBaseDelay = 20ms;
    options.maxReadRetries = 2;
    f.client.setOptions(options);
    QVERIFY(f.connectWith(deployerToken()));

    QCOMPARE(sim.control(QStringLiteral("error-rate"), R"({"rate":1})").status, 200);
    const auto read = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes/pve1/status"))));
    QVERIFY(read.has_value() && !read->ok());
    QCOMPARE(read->error().kind, ApiError::Kind::Server);
    QCOMPARE(network.count(QStringLiteral("/nodes/pve1/status")), 3);

    const QString reboot = QStringLiteral("/nodes/pve1/qemu/100/status/reboot");
    const auto write = waitFor(f.client.send(ApiRequest::post(reboot)));
    QVERIFY(write.has_value() && !write->ok());
    QCOMPARE(write->error().kind, ApiError::Kind::Server);
    QCOMPARE(network.count(reboot), 1); // a write is never sent twice
    QCOMPARE(sim.control(QStringLiteral("error-rate"), R"({"rate":0})").status, 200);
}

void TestClientSim::brokenAnswersAndSilenceAreErrorsOfTheirKind()
{
    SimProcess sim;
    QVERIFY(sim.start(scenario()));
    Fixture f({urlOf(sim)});
    QVERIFY(f.connectWith(deployerToken()));

    QCOMPARE(sim.control(QStringLiteral("malformed-next"), R"({"count":1})").status, 200);
    const auto malformed = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes"))));
    QVERIFY(malformed.has_value() && !malformed->ok());
    QCOMPARE(malformed->error().kind, ApiError::Kind::MalformedResponse);

    QCOMPARE(sim.control(QStringLiteral("truncate-next"), R"({"count":1})").status, 200);
    const auto truncated = waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes"))));
    QVERIFY(truncated.has_value());
    QVERIFY2(!truncated->ok(), "half a body must not pass as an answer");
    QVERIFY(truncated->error().kind == ApiError::Kind::Network ||
            truncated->error().kind == ApiError::Kind::MalformedResponse);

    // Silence longer than the request's time-out. (A forced 596 would take pveproxy's real 30 s.)
    QCOMPARE(
        sim.control(QStringLiteral("latency"), R"({"pattern":"^/nodes/pve2/status$","ms":5000})")
            .status,
        200);
    ApiRequest slow = ApiRequest::get(QStringLiteral("/nodes/pve2/status"));
    slow.timeout = 300ms;
    const auto timedOut = waitFor(f.client.send(slow));
    QVERIFY(timedOut.has_value() && !timedOut->ok());
    QCOMPARE(timedOut->error().kind, ApiError::Kind::Timeout);

    // The forced 595 of a node: that node's calls fail, the rest goes on.
    QCOMPARE(sim.control(QStringLiteral("node-status"), R"({"node":"pve3","status":595})").status,
             200);
    const auto refused =
        waitFor(f.client.send(ApiRequest::get(QStringLiteral("/nodes/pve3/network"))));
    QVERIFY(refused.has_value() && !refused->ok());
    QCOMPARE(refused->error().kind, ApiError::Kind::NodeUnreachable);
    QCOMPARE(refused->error().node, QStringLiteral("pve3"));
}

void TestClientSim::privilegesOfEachToken()
{
    rae::proxmox::DeploymentScope scope;
    scope.storages = {QStringLiteral("ceph-vm")};
    scope.bridges = {QStringLiteral("vmbr1/20")};
    scope.pciMappings = {QStringLiteral("gpu-l4")};
    scope.usesHa = true;
    scope.viaApiToken = true;
    using Op = OperationCheck::Operation;

    auto reportFor = [&](const QString &token,
                         const QString &secret) -> std::optional<PrivilegeReport> {
        Fixture f({urlOf(m_sim)});
        if (!f.connectWith(Credentials::apiToken(QStringLiteral("deployer@pve"), token, secret)))
            return std::nullopt;
        const auto answer =
            waitFor(f.client.send(ApiRequest::get(QStringLiteral("/access/permissions"))));
        if (!answer || !answer->ok())
            return std::nullopt;
        const auto permissions = Permissions::fromData(answer->value().data);
        if (!permissions)
            return std::nullopt;
        return checkPrivileges(*permissions, scope);
    };

    // Privilege-separated, with what a deployment needs and no more (resources/sim).
    const auto app = reportFor(QStringLiteral("app"), kTokenSecret);
    QVERIFY(app.has_value());
    QVERIFY(app->check(Op::Inventory)->allowed());
    QVERIFY2(app->check(Op::CreateVms)->allowed(),
             qPrintable(app->toText(QStringLiteral("deployer@pve!app"))));
    QVERIFY(app->check(Op::UseGpu)->allowed());
    QVERIFY(!app->check(Op::ManageHa)->allowed());

    // Without privilege separation: the user's Administrator role.
    const auto full =
        reportFor(QStringLiteral("full"), QStringLiteral("00000000-0000-4000-8000-00000000a002"));
    QVERIFY(full.has_value());
    QVERIFY2(full->allAllowed(), qPrintable(full->toText(QStringLiteral("deployer@pve!full"))));

    // Privilege-separated without any ACL of its own: sees nothing, and is told why.
    const auto blind =
        reportFor(QStringLiteral("blind"), QStringLiteral("00000000-0000-4000-8000-00000000a003"));
    QVERIFY(blind.has_value());
    QVERIFY(!blind->check(Op::Inventory)->allowed());
    QVERIFY(blind->toText(QStringLiteral("deployer@pve!blind"))
                .contains(QLatin1String("privilege-separated")));
}

void TestClientSim::taskIsFollowedToItsEnd()
{
    Fixture f({urlOf(m_sim)});
    QVERIFY(f.connectWith(deployerToken()));
    const auto stopped = waitFor(
        f.client.send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/100/status/stop"))));
    QVERIFY(stopped.has_value());
    QVERIFY2(stopped->ok(), qPrintable(stopped->ok() ? QString() : stopped->error().message));
    const auto upid = Upid::parse(stopped->value().data.toString());
    QVERIFY2(upid.ok(), qPrintable(upid.ok() ? QString() : upid.error().message));
    QCOMPARE(upid->node, QStringLiteral("pve1"));
    QCOMPARE(upid->type, QStringLiteral("hastop"));
    QCOMPARE(upid->tokenId, QStringLiteral("app"));

    TaskFollowOptions options;
    options.firstInterval = 50ms;
    options.logMode = TaskFollowOptions::LogMode::Follow;
    TaskFollower follower(&f.client, *upid, options);
    QSignalSpy progress(&follower, &TaskFollower::progress);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value());
    QVERIFY2(outcome->ok(), qPrintable(outcome->ok() ? QString() : outcome->error().message));
    QCOMPARE(outcome->value().exit.kind, TaskExit::Kind::Ok);
    QVERIFY(!outcome->value().log.isEmpty());
    QCOMPARE(outcome->value().log.last().text, QStringLiteral("TASK OK"));
    QCOMPARE(outcome->value().logTotal, qint64(outcome->value().log.size()));

    // The simulator hides a new task for 300 ms, as a real node does for a moment.
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.first().first().value<TaskProgress>().phase,
             TaskProgress::Phase::NotVisibleYet);

    // Start it again so that the other tests find the cluster as the scenario has it.
    const auto started = waitFor(
        f.client.send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/100/status/start"))));
    QVERIFY(started.has_value() && started->ok());
    TaskFollower again(&f.client, *Upid::parse(started->value().data.toString()), options);
    again.start();
    const auto restarted = waitFor(&again);
    QVERIFY(restarted.has_value() && restarted->ok());
    QVERIFY(restarted->value().exit.succeeded());
}

void TestClientSim::failedTaskReportsErrorAndLogTail()
{
    Fixture f({urlOf(m_sim)});
    QVERIFY(f.connectWith(deployerToken()));
    QCOMPARE(m_sim
                 .control(QStringLiteral("fail-tasks"),
                          R"({"type":"hastop","message":"VM 100 qmp command failed"})")
                 .status,
             200);
    const auto stopped = waitFor(
        f.client.send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/100/status/stop"))));
    QVERIFY(stopped.has_value());
    QVERIFY2(stopped->ok(), qPrintable(stopped->ok() ? QString() : stopped->error().message));
    const auto upid = Upid::parse(stopped->value().data.toString());
    QVERIFY(upid.ok());
    QCOMPARE(upid->type, QStringLiteral("hastop"));

    TaskFollowOptions options;
    options.firstInterval = 50ms;
    options.tailLines = 1;
    TaskFollower follower(&f.client, *upid, options);
    follower.start();
    const auto outcome = waitFor(&follower);
    QVERIFY(outcome.has_value() && outcome->ok());
    QCOMPARE(outcome->value().exit.kind, TaskExit::Kind::Failed);
    QCOMPARE(outcome->value().exit.text, QStringLiteral("VM 100 qmp command failed"));
    QCOMPARE(outcome->value().log.size(), 1);
    QCOMPARE(outcome->value().log.last().text,
             QStringLiteral("TASK ERROR: VM 100 qmp command failed"));
    QCOMPARE(outcome->value().log.last().number, outcome->value().logTotal);
}

void TestClientSim::followingCanBeCancelled()
{
    Fixture f({urlOf(m_sim)});
    QVERIFY(f.connectWith(deployerToken()));
    const auto rebooted = waitFor(
        f.client.send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/100/status/reboot"))));
    QVERIFY(rebooted.has_value() && rebooted->ok());
    const auto upid = Upid::parse(rebooted->value().data.toString());
    QVERIFY(upid.ok());

    TaskFollower follower(&f.client, *upid);
    int finishedCount = 0;
    connect(&follower, &TaskFollower::finished, this, [&finishedCount] { ++finishedCount; });
    // Cancelled at the first report, while the task still runs or is not visible yet.
    connect(&follower, &TaskFollower::progress, &follower, &TaskFollower::cancel);
    follower.start();
    const auto result = waitFor(&follower, 10000);
    QVERIFY(result.has_value());
    QVERIFY(!result->ok());
    QCOMPARE(result->error().kind, ApiError::Kind::Cancelled);
    QVERIFY(follower.isFinished());
    QCOMPARE(finishedCount, 1);

    // The task itself went on; a new follower sees its end.
    TaskFollower again(&f.client, *upid);
    again.start();
    const auto ended = waitFor(&again);
    QVERIFY(ended.has_value() && ended->ok());
}

QTEST_MAIN(TestClientSim)
#include "tst_client_sim.moc"
