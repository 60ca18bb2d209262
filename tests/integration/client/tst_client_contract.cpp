// The contract between the client and Proxmox VE: every request the client sends while it
// connects (token and password), reads the inventory, polls a snapshot cycle and follows a task
// exists in the official API schema of the release it talked to, with only parameters that
// schema knows, of the right type. The schema is the committed extract of ../shared/pve-api.
#include "../sim/simprocess.h"

#include "cluster/inventory.h"
#include "cluster/snapshotpoller.h"
#include "proxmox/client.h"
#include "proxmox/taskfollower.h"
#include "proxmox/upid.h"

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace rae;
using namespace rae::proxmox;

namespace {

const QString kTokenSecret = QStringLiteral("00000000-0000-4000-8000-00000000a001");

struct SentRequest
{
    QString method;
    QString path; // below /api2/json
    QList<std::pair<QString, QString>> parameters;
};

// The real network, keeping a copy of every request it sends.
class RecordingNetwork final : public QNetworkAccessManager
{
public:
    QList<SentRequest> sent;

protected:
    QNetworkReply *createRequest(Operation operation, const QNetworkRequest &request,
                                 QIODevice *outgoingData) override
    {
        SentRequest record;
        record.method =
            operation == GetOperation    ? QStringLiteral("GET")
            : operation == PostOperation ? QStringLiteral("POST")
            : operation == PutOperation  ? QStringLiteral("PUT")
            : operation == DeleteOperation
                ? QStringLiteral("DELETE")
                : QString::fromLatin1(
                      request.attribute(QNetworkRequest::CustomVerbAttribute).toByteArray());
        record.path = request.url().path().mid(int(qstrlen("/api2/json")));
        for (const auto &[key, value] : QUrlQuery(request.url()).queryItems(QUrl::FullyDecoded))
            record.parameters.append({key, value});

        QIODevice *body = outgoingData;
        if (outgoingData) {
            // Read the body to record it, and hand Qt an equal copy to send.
            const QByteArray bytes = outgoingData->readAll();
            auto *copy = new QBuffer(this);
            copy->setData(bytes);
            copy->open(QIODevice::ReadOnly);
            body = copy;
            const QByteArray type =
                request.header(QNetworkRequest::ContentTypeHeader).toByteArray();
            if (type.startsWith("application/json")) {
                const QJsonObject json = QJsonDocument::fromJson(bytes).object();
                for (auto it = json.begin(); it != json.end(); ++it)
                    record.parameters.append({it.key(), it.value().toVariant().toString()});
            } else {
                for (const QByteArray &pair : bytes.split('&')) {
                    if (pair.isEmpty())
                        continue;
                    const qsizetype equals = pair.indexOf('=');
                    auto decode = [](QByteArray part) {
                        return QString::fromUtf8(
                            QByteArray::fromPercentEncoding(part.replace('+', ' ')));
                    };
                    record.parameters.append(
                        {decode(pair.left(equals)),
                         equals < 0 ? QString() : decode(pair.mid(equals + 1))});
                }
            }
        }
        sent.append(record);
        return QNetworkAccessManager::createRequest(operation, request, body);
    }
};

QJsonObject loadSchema(const QString &release)
{
    QFile file(
        QStringLiteral(RAE_TEST_DATA_DIR "/pve-schema/pve-api-%1.extract.json").arg(release));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
        .object()
        .value(QStringLiteral("paths"))
        .toObject();
}

// The schema path a concrete path belongs to: `{node}` and the like match one segment.
QString templateOf(const QJsonObject &paths, const QString &path)
{
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const QStringList pattern = it.key().split(QLatin1Char('/'), Qt::SkipEmptyParts);
        if (pattern.size() != segments.size())
            continue;
        bool matches = true;
        for (qsizetype i = 0; i < pattern.size() && matches; ++i)
            matches = pattern[i].startsWith(QLatin1Char('{')) || pattern[i] == segments[i];
        if (matches)
            return it.key();
    }
    return {};
}

// What is wrong with one request against the schema; empty when it fits.
QStringList violations(const QJsonObject &paths, const SentRequest &request)
{
    const QString pathTemplate = templateOf(paths, request.path);
    if (pathTemplate.isEmpty())
        return {QStringLiteral("%1 %2: no such path").arg(request.method, request.path)};
    const QJsonObject method =
        paths.value(pathTemplate).toObject().value(request.method).toObject();
    if (method.isEmpty())
        return {
            QStringLiteral("%1 %2: %3 has no %1").arg(request.method, request.path, pathTemplate)};

    QStringList problems;
    const QJsonObject properties = method.value(QStringLiteral("parameters"))
                                       .toObject()
                                       .value(QStringLiteral("properties"))
                                       .toObject();
    static const QRegularExpression integer(QStringLiteral("^-?[0-9]+$"));
    for (const auto &[name, value] : request.parameters) {
        if (!properties.contains(name)) {
            problems.append(QStringLiteral("%1 %2: parameter %3 is not in the schema")
                                .arg(request.method, request.path, name));
            continue;
        }
        const QString type =
            properties.value(name).toObject().value(QStringLiteral("type")).toString();
        const bool fits = type == QLatin1String("boolean")
                              ? (value == QLatin1String("0") || value == QLatin1String("1"))
                          : type == QLatin1String("integer") ? integer.match(value).hasMatch()
                                                             : true;
        if (!fits)
            problems.append(QStringLiteral("%1 %2: %3=%4 is not a valid %5")
                                .arg(request.method, request.path, name, value, type));
    }
    return problems;
}

template<typename Signal, typename Object>
bool waitFor(Object *object, Signal signal, int timeoutMs = 30000)
{
    QSignalSpy spy(object, signal);
    return spy.wait(timeoutMs);
}

} // namespace

class TestClientContract : public QObject
{
    Q_OBJECT

private slots:
    void everyRequestFitsTheSchema_data();
    void everyRequestFitsTheSchema();
};

void TestClientContract::everyRequestFitsTheSchema_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("release");
    QTest::newRow("Proxmox VE 9.1") << QStringLiteral("reference.yaml") << QStringLiteral("9.1");
    QTest::newRow("Proxmox VE 8.4")
        << QStringLiteral("reference-pve8.yaml") << QStringLiteral("8.4");
}

void TestClientContract::everyRequestFitsTheSchema()
{
    QFETCH(QString, scenario);
    QFETCH(QString, release);

    const QJsonObject paths = loadSchema(release);
    QVERIFY2(!paths.isEmpty(), "the schema extract is missing");

    SimProcess sim;
    QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/") + scenario));
    const QUrl url(sim.value(QStringLiteral("url")));

    RecordingNetwork network;
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    PinStore pins(&settings, QStringLiteral("prod"));
    pins.pin(url.host(), sim.value(QStringLiteral("fingerprint")));

    // A password login first: the ticket and the CSRF token are part of the contract too.
    {
        ProxmoxClient client(QStringLiteral("prod"), {url}, pins, &network);
        client.connectToCluster(Credentials::password(
            QStringLiteral("deployer@pve"), QStringLiteral("sim-deployer-password-test-only")));
        QVERIFY(waitFor(&client, &ProxmoxClient::connected));
    }

    ProxmoxClient client(QStringLiteral("prod"), {url}, pins, &network);
    client.connectToCluster(
        Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"), kTokenSecret));
    QVERIFY(waitFor(&client, &ProxmoxClient::connected));

    cluster::InventoryLoader inventory(&client);
    QSignalSpy inventoryDone(&inventory, &cluster::InventoryLoader::finished);
    inventory.load();
    QVERIFY(inventoryDone.wait(60000));

    cluster::SnapshotPoller poller(&client);
    QSignalSpy snapshot(&poller, &cluster::SnapshotPoller::snapshotReady);
    poller.start();
    QVERIFY(snapshot.wait(60000));
    poller.stop();

    // A task: a full clone of the scenario's cloud-init template, followed to its end.
    std::optional<ApiResult<ApiReply>> startResult;
    ApiJob *start =
        client.send(ApiRequest::post(QStringLiteral("/nodes/pve1/qemu/9000/clone"),
                                     {{QStringLiteral("newid"), QStringLiteral("990")},
                                      {QStringLiteral("name"), QStringLiteral("contract-clone")},
                                      {QStringLiteral("full"), QStringLiteral("1")}}));
    connect(start, &ApiJob::finished, this,
            [&](const ApiResult<ApiReply> &result) { startResult = result; });
    QTRY_VERIFY_WITH_TIMEOUT(startResult.has_value(), 30000);
    QVERIFY2(startResult->ok(), "the clone was refused");
    QVERIFY(startResult->value().data.isString());
    const auto upid = Upid::parse(startResult->value().data.toString());
    QVERIFY(upid.ok());
    TaskFollower follower(&client, *upid);
    QSignalSpy followed(&follower, &TaskFollower::finished);
    follower.start();
    QVERIFY(followed.wait(60000));

    QVERIFY(network.sent.size() > 10);
    QStringList problems;
    for (const SentRequest &request : std::as_const(network.sent))
        problems += violations(paths, request);
    problems.removeDuplicates();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestClientContract)
#include "tst_client_contract.moc"
