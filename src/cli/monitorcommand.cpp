#include "monitorcommand.h"

#include "clusteraccess.h"

#include "deploy/servicesecrets.h"

#include "monitor/alerts.h"
#include "monitor/clock.h"
#include "monitor/collector.h"
#include "monitor/metricstore.h"
#include "monitor/probe.h"
#include "monitor/scheduler.h"
#include "monitor/servicediscovery.h"
#include "plan/planreader.h"
#include "proxmox/certificatetrust.h"
#include "proxmox/client.h"
#include "secrets/credentialstore.h"

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
    const QCommandLineOption redisPasswordOption(
        QStringLiteral("redis-password-file"),
        Tr::tr("a file holding the Redis password (without it: the one a deployment "
               "keeps in the keychain for the cluster)"),
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
    MonitorRun run;
    run.durationMs = *durationMs;
    run.csvPath = parser.value(csvOption);
    if (parser.isSet(planOption)) {
        auto read = plan::readPlanFile(parser.value(planOption));
        if (!read) {
            err << read.error().toString() << '\n';
            return 2;
        }
        plan = std::move(read).value();
        run.plan = &*plan;
        run.ports = ServicePorts::fromPlan(*plan);
    }
    run.ports.redisPassword = redisPassword;

    QNetworkAccessManager network;
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

    // Without a password file, the one a deployment with this tool keeps in the keychain: under
    // the saved cluster's name, then the plan's (where the deployment stored it).
    if (!parser.isSet(redisPasswordOption)) {
        QStringList clusters;
        if (access)
            clusters.append(access->profile.name);
        if (plan)
            clusters.append(plan->cluster.name);
        secrets::CredentialStore store;
        QEventLoop loop;
        deploy::StoredRedisPassword stored;
        deploy::findRedisPassword(&store, clusters, plan ? &*plan : nullptr, &loop,
                                  [&](const deploy::StoredRedisPassword &found) {
                                      stored = found;
                                      loop.quit();
                                  });
        loop.exec();
        run.ports.redisPassword = stored.password;
        if (stored.password.isEmpty()) {
            run.ports.redisPasswordMissing =
                Tr::tr("%1; or pass --redis-password-file FILE").arg(stored.missing);
        }
    }
    return runMonitoring(client, run, out, err);
}

int runMonitoring(proxmox::ProxmoxClient *client, const MonitorRun &run, QTextStream &out,
                  QTextStream &err)
{
    QNetworkAccessManager network;
    SystemClock clock;
    MetricStore store;
    AlertEngine alerts;
    Scheduler scheduler(clock);
    Collector collector(store, alerts, scheduler, clock, &network);

    QStringList problems;
    auto noteProblem = [&problems](const QString &subject, const QString &message) {
        const QString line = subject.isEmpty() ? message : subject + QStringLiteral(": ") + message;
        if (!problems.contains(line))
            problems.append(line);
    };
    QObject::connect(&collector, &Collector::problem, &collector, noteProblem);

    // Plan only: the addresses the plan gives its VMs' first NIC.
    if (run.plan && !client) {
        for (const plan::Vm &vm : std::as_const(run.plan->vms)) {
            const QString address = vm.nics.isEmpty() ? QString() : vm.nics.first().address;
            if (address.isEmpty() || address == QLatin1String("dhcp")) {
                err << Tr::tr("%1: no fixed address in the plan; use --cluster to read it from "
                              "the guest agent")
                           .arg(vm.name)
                    << '\n';
                continue;
            }
            collector.addProbe(
                probeFor(vm.role, vm.name, address.section(QLatin1Char('/'), 0, 0), run.ports));
        }
    }

    if (client) {
        // One look at the guests to know what to probe; the collector polls from then on.
        QEventLoop loop;
        QList<cluster::GuestResource> guests;
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

        ServiceDiscovery discovery(client);
        QObject::connect(&discovery, &ServiceDiscovery::found, &collector,
                         [&collector, &run](const DiscoveredService &service) {
                             addToCollector(collector, service, run.ports);
                         });
        QObject::connect(&discovery, &ServiceDiscovery::failed, &collector, noteProblem);
        QObject::connect(&discovery, &ServiceDiscovery::idle, &loop, &QEventLoop::quit);
        discovery.discover(guests, run.plan);
        if (discovery.pending() > 0)
            loop.exec();
        collector.setClient(client);
    }

    const qint64 startMs = clock.nowMs();
    scheduler.start();
    QEventLoop loop;
    QTimer::singleShot(std::chrono::milliseconds(run.durationMs), &loop, &QEventLoop::quit);
    loop.exec();
    scheduler.stop();
    const qint64 endMs = clock.nowMs();

    for (const QString &problem : std::as_const(problems))
        err << problem << '\n';
    for (const Alert &alert : alerts.active())
        out << Tr::tr("alert: %1 (%2)").arg(alert.title, alert.subject) << '\n';

    const QList<SeriesKey> keys = store.keys();
    out << Tr::tr("%n series collected", nullptr, int(keys.size())) << '\n';
    if (run.csvPath.isEmpty())
        return 0;
    QSaveFile csv(run.csvPath);
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
