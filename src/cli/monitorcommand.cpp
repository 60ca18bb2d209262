#include "monitorcommand.h"

#include "clusteraccess.h"

#include "monitor/alerts.h"
#include "monitor/clock.h"
#include "monitor/collector.h"
#include "monitor/metricstore.h"
#include "monitor/probe.h"
#include "monitor/scheduler.h"
#include "plan/planreader.h"
#include "proxmox/certificatetrust.h"
#include "proxmox/client.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSaveFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <optional>

namespace rae::cli {

namespace {

using namespace rae::monitor;

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::MonitorCommand)
};

// "30s", "5m", "1h" or a number of seconds.
std::optional<qint64> parseDurationMs(const QString &text)
{
    static const QList<std::pair<QChar, qint64>> units{
        {QLatin1Char('s'), 1000}, {QLatin1Char('m'), 60'000}, {QLatin1Char('h'), 3'600'000}};
    qint64 factor = 1000;
    QString number = text.trimmed();
    for (const auto &[unit, unitFactor] : units) {
        if (number.endsWith(unit)) {
            factor = unitFactor;
            number.chop(1);
            break;
        }
    }
    bool ok = false;
    const double value = number.toDouble(&ok);
    if (!ok || value <= 0)
        return std::nullopt;
    return qint64(value * double(factor));
}

// Which service a VM runs, from its name when all we have is the cluster ("rae-db-1").
std::optional<plan::Role> roleFromVmName(const QString &name)
{
    const QString lower = name.toLower();
    static const QList<std::pair<QLatin1StringView, plan::Role>> words{
        {QLatin1StringView("gateway"), plan::Role::Gateway},
        {QLatin1StringView("vector"), plan::Role::Vector},
        {QLatin1StringView("qdrant"), plan::Role::Vector},
        {QLatin1StringView("redis"), plan::Role::Redis},
        {QLatin1StringView("llm"), plan::Role::Llm},
        {QLatin1StringView("api"), plan::Role::Api},
        {QLatin1StringView("db"), plan::Role::Db},
        {QLatin1StringView("postgres"), plan::Role::Db},
    };
    for (const auto &[word, role] : words) {
        if (lower.contains(word))
            return role;
    }
    return std::nullopt;
}

struct Ports
{
    plan::RaeSettings rae;
    plan::LlmBackend llm = plan::LlmBackend::Ollama;
    QString tlsHostname;
};

std::optional<ProbeTarget> probeFor(plan::Role role, const QString &subject, const QString &host,
                                    const Ports &ports, const QString &redisPassword)
{
    ProbeTarget target;
    target.subject = subject;
    target.host = host;
    switch (role) {
    case plan::Role::Db:
        target.kind = ProbeKind::Postgres;
        target.port = quint16(ports.rae.databasePort);
        break;
    case plan::Role::Vector:
        target.kind = ProbeKind::Qdrant;
        target.port = quint16(ports.rae.qdrantPort);
        break;
    case plan::Role::Redis:
        target.kind = ProbeKind::Redis;
        target.port = quint16(ports.rae.redisPort);
        target.redisPassword = redisPassword;
        break;
    case plan::Role::Api:
        target.kind = ProbeKind::RaeApi;
        target.port = quint16(ports.rae.apiPort);
        break;
    case plan::Role::Llm:
        // TGI answers /health like vLLM.
        target.kind = ports.llm == plan::LlmBackend::Ollama ? ProbeKind::Ollama : ProbeKind::Vllm;
        target.port = quint16(ports.rae.llmPort);
        break;
    case plan::Role::Gateway:
        target.kind = ProbeKind::HttpsGateway;
        target.port = 443;
        target.tlsPeerName = ports.tlsHostname;
        break;
    }
    return target;
}

// The first IPv4 address of the guest that is not the loopback's own 127.0.0.1.
QString addressFromAgent(const QJsonValue &data)
{
    const QJsonArray interfaces = data.toObject().value(QLatin1String("result")).toArray();
    for (const QJsonValue &interface : interfaces) {
        const QJsonObject object = interface.toObject();
        if (object.value(QLatin1String("name")).toString() == QLatin1String("lo"))
            continue;
        for (const QJsonValue &address : object.value(QLatin1String("ip-addresses")).toArray()) {
            const QJsonObject entry = address.toObject();
            if (entry.value(QLatin1String("ip-address-type")).toString() == QLatin1String("ipv4"))
                return entry.value(QLatin1String("ip-address")).toString();
        }
    }
    return {};
}

// "user@realm!name=secret", optionally with the header's "PVEAPIToken=" in front.
Result<proxmox::Credentials> readTokenFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{
            Tr::tr("cannot read the token file %1: %2").arg(path, file.errorString()), {}, {}};
    }
    QString text = QString::fromUtf8(file.readAll()).trimmed();
    if (text.startsWith(QLatin1String("PVEAPIToken=")))
        text = text.mid(12);
    const qsizetype bang = text.indexOf(QLatin1Char('!'));
    const qsizetype equals = text.indexOf(QLatin1Char('='), bang);
    if (bang <= 0 || equals <= bang + 1 || equals == text.size() - 1) {
        return Error{Tr::tr("the token file must hold USER@REALM!TOKENID=SECRET"), {}, {}};
    }
    return proxmox::Credentials::apiToken(text.left(bang), text.mid(bang + 1, equals - bang - 1),
                                          text.mid(equals + 1));
}

} // namespace

int runMonitorCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Probe the deployment's services and poll its cluster for a while, then write "
               "every series as CSV (time, metric, subject, value)."));
    const QCommandLineOption planOption(QStringLiteral("plan"),
                                        Tr::tr("the plan whose service addresses to probe"),
                                        Tr::tr("PLAN"));
    const QCommandLineOption clusterOption(QStringLiteral("cluster"),
                                           Tr::tr("a saved cluster (rae-deploy-cli cluster add), "
                                                  "or a node's URL https://host:8006 with "
                                                  "--token-file"),
                                           Tr::tr("NAME|URL"));
    const QCommandLineOption tokenOption(QStringLiteral("token-file"),
                                         Tr::tr("a file holding USER@REALM!TOKENID=SECRET"),
                                         Tr::tr("FILE"));
    const QCommandLineOption fingerprintOption(
        QStringLiteral("fingerprint"),
        Tr::tr("the node certificate's SHA-256 fingerprint, when no CA vouches for it"),
        Tr::tr("AA:BB:…"));
    const QCommandLineOption durationOption(QStringLiteral("duration"),
                                            Tr::tr("how long to collect (30s, 5m, 1h)"),
                                            Tr::tr("TIME"), QStringLiteral("30s"));
    const QCommandLineOption csvOption(QStringLiteral("csv"), Tr::tr("where to write the series"),
                                       Tr::tr("FILE"));
    const QCommandLineOption redisPasswordOption(QStringLiteral("redis-password-file"),
                                                 Tr::tr("a file holding the Redis password"),
                                                 Tr::tr("FILE"));
    parser.addOptions({planOption, clusterOption, tokenOption, fingerprintOption, durationOption,
                       csvOption, redisPasswordOption});
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("monitor")} + arguments)) {
        err << parser.errorText() << '\n';
        return 1;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (!parser.isSet(planOption) && !parser.isSet(clusterOption)) {
        err << Tr::tr("monitor needs --plan PLAN or --cluster NAME") << '\n';
        return 1;
    }
    if (parser.value(clusterOption).startsWith(QLatin1String("https://")) &&
        !parser.isSet(tokenOption)) {
        err << Tr::tr("--cluster with a URL needs --token-file; or add the cluster with "
                      "`rae-deploy-cli cluster add` and name it")
            << '\n';
        return 1;
    }
    const auto durationMs = parseDurationMs(parser.value(durationOption));
    if (!durationMs) {
        err << Tr::tr("“%1” is not a duration").arg(parser.value(durationOption)) << '\n';
        return 1;
    }

    QString redisPassword;
    if (parser.isSet(redisPasswordOption)) {
        QFile file(parser.value(redisPasswordOption));
        if (!file.open(QIODevice::ReadOnly)) {
            err << Tr::tr("cannot read %1: %2").arg(file.fileName(), file.errorString()) << '\n';
            return 1;
        }
        redisPassword = QString::fromUtf8(file.readAll()).trimmed();
    }

    std::optional<plan::Plan> plan;
    Ports ports;
    if (parser.isSet(planOption)) {
        auto read = plan::readPlanFile(parser.value(planOption));
        if (!read) {
            err << read.error().toString() << '\n';
            return 2;
        }
        plan = std::move(read).value();
        ports.rae = plan->rae;
        ports.llm = plan->rae.llmBackend.value_or(plan->llm.backend);
        ports.tlsHostname = plan->gateway.tlsHostname;
    }

    QNetworkAccessManager network;
    SystemClock clock;
    MetricStore store;
    AlertEngine alerts;
    Scheduler scheduler(clock);
    Collector collector(store, alerts, scheduler, clock, &network);

    QStringList problems;
    QObject::connect(&collector, &Collector::problem, &collector,
                     [&problems](const QString &subject, const QString &message) {
                         const QString line =
                             subject.isEmpty() ? message : subject + QStringLiteral(": ") + message;
                         if (!problems.contains(line))
                             problems.append(line);
                     });

    // Plan only: the addresses the plan gives its VMs' first NIC.
    if (plan && !parser.isSet(clusterOption)) {
        for (const plan::Vm &vm : std::as_const(plan->vms)) {
            const QString address = vm.nics.isEmpty() ? QString() : vm.nics.first().address;
            if (address.isEmpty() || address == QLatin1String("dhcp")) {
                err << Tr::tr("%1: no fixed address in the plan; use --cluster to read it from "
                              "the guest agent")
                           .arg(vm.name)
                    << '\n';
                continue;
            }
            if (auto target = probeFor(vm.role, vm.name, address.section(QLatin1Char('/'), 0, 0),
                                       ports, redisPassword))
                collector.addProbe(*target);
        }
    }

    // A cluster: connect, find the VMs' addresses through the guest agent, then poll.
    QTemporaryDir settingsDir; // pins for this run only; the user's settings stay untouched
    QSettings settings(settingsDir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    std::unique_ptr<ClusterAccess> access; // a saved profile: its settings outlive the client
    std::unique_ptr<proxmox::ProxmoxClient> ownClient;
    proxmox::ProxmoxClient *client = nullptr;
    const bool byAddress = parser.value(clusterOption).startsWith(QLatin1String("https://"));
    if (parser.isSet(clusterOption) && !byAddress) {
        access = connectWithProfile(parser.value(clusterOption), err, &network);
        if (!access)
            return 2;
        client = access->client.get();
    } else if (parser.isSet(clusterOption)) {
        const auto credentials = readTokenFile(parser.value(tokenOption));
        if (!credentials) {
            err << credentials.error().toString() << '\n';
            return 1;
        }
        const QUrl url(parser.value(clusterOption));
        proxmox::PinStore pins(&settings, QStringLiteral("monitor"));
        if (parser.isSet(fingerprintOption))
            pins.pin(url.host(), proxmox::normalizeFingerprint(parser.value(fingerprintOption)));
        ownClient = std::make_unique<proxmox::ProxmoxClient>(QStringLiteral("monitor"),
                                                             QList<QUrl>{url}, pins, &network);
        client = ownClient.get();
        client->setTrustCallback([&err](const proxmox::CertificateFacts &facts, const QUrl &,
                                        std::function<void(bool)> decide) {
            err << Tr::tr("the node's certificate is not trusted; if it is the right one, pass "
                          "--fingerprint %1")
                       .arg(facts.fingerprint)
                << '\n';
            decide(false);
        });

        QEventLoop loop;
        std::optional<QString> connectError;
        QObject::connect(client, &proxmox::ProxmoxClient::connected, &loop, &QEventLoop::quit);
        QObject::connect(client, &proxmox::ProxmoxClient::connectionFailed, &loop,
                         [&](const proxmox::ApiError &error) {
                             connectError = error.message;
                             loop.quit();
                         });
        client->connectToCluster(*credentials);
        loop.exec();
        if (connectError) {
            err << Tr::tr("cannot connect to %1: %2").arg(url.toDisplayString(), *connectError)
                << '\n';
            return 2;
        }
    }
    if (client) {
        QEventLoop loop;
        // One look at the guests to know what to probe; the collector polls from then on.
        QList<cluster::GuestResource> guests;
        {
            proxmox::ApiJob *job =
                client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/resources")));
            QObject::connect(job, &proxmox::ApiJob::finished, &loop,
                             [&](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                                 if (result) {
                                     if (auto resources = cluster::parseResources(result->data))
                                         guests = resources->guests;
                                 }
                                 loop.quit();
                             });
            loop.exec();
        }
        int pending = 0;
        for (const cluster::GuestResource &guest : std::as_const(guests)) {
            if (guest.type != cluster::GuestType::Qemu || guest.isTemplate ||
                guest.status != cluster::GuestStatus::Running)
                continue;
            std::optional<plan::Role> role;
            if (plan) {
                if (const plan::Vm *vm = plan->vm(guest.name))
                    role = vm->role;
            }
            if (!role)
                role = roleFromVmName(guest.name);
            if (!role)
                continue;
            if (*role == plan::Role::Llm)
                collector.addGpuSource({guest.name, guest.node, guest.vmid});
            ++pending;
            proxmox::ApiJob *job = client->send(proxmox::ApiRequest::get(
                QStringLiteral("/nodes/%1/qemu/%2/agent/network-get-interfaces")
                    .arg(guest.node)
                    .arg(guest.vmid)));
            const QString name = guest.name;
            const plan::Role guestRole = *role;
            QObject::connect(
                job, &proxmox::ApiJob::finished, &loop,
                [&, name, guestRole](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                    const QString address = result ? addressFromAgent(result->data) : QString();
                    if (address.isEmpty()) {
                        err << Tr::tr("%1: no address from the guest agent").arg(name) << '\n';
                    } else if (auto target =
                                   probeFor(guestRole, name, address, ports, redisPassword)) {
                        collector.addProbe(*target);
                    }
                    if (--pending == 0)
                        loop.quit();
                });
        }
        if (pending > 0)
            loop.exec();
        collector.setClient(client);
    }

    const qint64 startMs = clock.nowMs();
    scheduler.start();
    QEventLoop loop;
    QTimer::singleShot(std::chrono::milliseconds(*durationMs), &loop, &QEventLoop::quit);
    loop.exec();
    scheduler.stop();
    const qint64 endMs = clock.nowMs();

    for (const QString &problem : std::as_const(problems))
        err << problem << '\n';
    for (const Alert &alert : alerts.active())
        out << Tr::tr("alert: %1 (%2)").arg(alert.title, alert.subject) << '\n';

    const QList<SeriesKey> keys = store.keys();
    out << Tr::tr("%n series collected", nullptr, int(keys.size())) << '\n';
    if (!parser.isSet(csvOption))
        return 0;
    QSaveFile csv(parser.value(csvOption));
    if (!csv.open(QIODevice::WriteOnly)) {
        err << Tr::tr("cannot write %1: %2").arg(csv.fileName(), csv.errorString()) << '\n';
        return 2;
    }
    const auto written = store.exportCsv(csv, startMs, endMs, Resolution::Native);
    if (!written || !csv.commit()) {
        err << Tr::tr("cannot write %1: %2").arg(csv.fileName(), csv.errorString()) << '\n';
        return 2;
    }
    out << Tr::tr("series written to %1").arg(csv.fileName()) << '\n';
    return 0;
}

} // namespace rae::cli
