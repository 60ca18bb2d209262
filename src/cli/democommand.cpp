#include "democommand.h"

#include "deploycommands.h"
#include "monitorcommand.h"

#include "common/childprocess.h"
#include "deploy/demoservices.h"
#include "deploy/deployment.h"
#include "deploy/servicesecrets.h"
#include "monitor/probe.h"
#include "monitor/servicediscovery.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "secrets/credentialstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>
#include <optional>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Demo)
};

// The reference scenarios' deployer account: public, test-only, written in the scenario files.
// Its password, not its privilege-separated `app` token: that token lacks Sys.Console and
// Sys.Modify on `/`, which HA resources and backup jobs need.
constexpr char kSimUser[] = "deployer@pve";
constexpr char kSimPassword[] = "sim-deployer-password-test-only";

void printError(QTextStream &err, const QString &message, const QString &hint = {})
{
    err << Tr::tr("error: %1").arg(message) << '\n';
    if (!hint.isEmpty())
        err << "  " << Tr::tr("hint: %1").arg(hint) << '\n';
    err.flush();
}

QString findSimulator()
{
    const QString fromEnvironment = qEnvironmentVariable("RAE_PVE_SIM");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QDir here(QCoreApplication::applicationDirPath());
    // build/<name>/src/cli/rae-deploy-cli → build/<name>/src/sim/rae-pve-sim; or installed
    // side by side.
    for (const QString &candidate : {here.filePath(QStringLiteral("../sim/rae-pve-sim")),
                                     here.filePath(QStringLiteral("rae-pve-sim"))})
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("rae-pve-sim"));
}

// `resources/<relative>` in the source tree, else under the installed share folder.
QString findResource(const QString &relative)
{
    const QStringList candidates{
        QStringLiteral(RAE_SOURCE_DIR "/resources/") + relative,
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../share/rae-deploy/") + relative),
    };
    for (const QString &candidate : candidates)
        if (QFileInfo::exists(candidate))
            return candidate;
    return {};
}

template<typename Ready>
bool waitFor(Ready ready, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!ready()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// The gateway's self-signed certificate, fetched once and trusted for this run only.
QList<QSslCertificate> gatewayCertificate(const QString &address, quint16 port)
{
    std::optional<QList<QSslCertificate>> chain;
    QObject context;
    monitor::fetchPeerCertificate(address, port, &context,
                                  [&chain](const QList<QSslCertificate> &seen) { chain = seen; });
    waitFor([&chain] { return chain.has_value(); }, 10000);
    return chain.value_or(QList<QSslCertificate>());
}

struct VmHealth
{
    QString health;
    bool ok = false;
};

} // namespace

int runDemoCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Apply the reference plan to a simulated cluster and show it running."));
    parser.addHelpOption();
    const QCommandLineOption pve8(QStringLiteral("pve8"),
                                  Tr::tr("Use the Proxmox VE 8.4 scenario."));
    const QCommandLineOption scaleOption(QStringLiteral("time-scale"),
                                         Tr::tr("Simulated seconds per real second."),
                                         QStringLiteral("factor"), QStringLiteral("60"));
    const QCommandLineOption timeoutOption(
        QStringLiteral("timeout"), Tr::tr("Seconds to wait for the services after the apply."),
        QStringLiteral("seconds"), QStringLiteral("60"));
    const QCommandLineOption monitorOption(
        QStringLiteral("monitor"),
        Tr::tr("After the summary, run `monitor` against the demo cluster for this long (30s, "
               "5m) before the simulator stops."),
        Tr::tr("TIME"));
    const QCommandLineOption csvOption(QStringLiteral("csv"),
                                       Tr::tr("With --monitor: where to write the series."),
                                       Tr::tr("FILE"));
    parser.addOptions({pve8, scaleOption, timeoutOption, monitorOption, csvOption});
    if (!parser.parse(QStringList{QStringLiteral("demo")} + arguments)) {
        printError(err, parser.errorText(), Tr::tr("rae-deploy-cli demo [--pve8]"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    std::optional<qint64> monitorMs;
    if (parser.isSet(monitorOption)) {
        monitorMs = parseDurationMs(parser.value(monitorOption));
        if (!monitorMs) {
            printError(err, Tr::tr("“%1” is not a duration").arg(parser.value(monitorOption)),
                       Tr::tr("--monitor 30s"));
            return 2;
        }
    } else if (parser.isSet(csvOption)) {
        printError(err, Tr::tr("--csv goes with --monitor"), Tr::tr("--monitor 30s --csv FILE"));
        return 2;
    }

    const QString simulator = findSimulator();
    const QString suffix = parser.isSet(pve8) ? QStringLiteral("-pve8") : QString();
    const QString scenario =
        findResource(QStringLiteral("sim/reference") + suffix + QStringLiteral(".yaml"));
    const QString planPath =
        findResource(QStringLiteral("plans/reference.yaml")); // 8.4 has the same cluster
    if (simulator.isEmpty() || scenario.isEmpty() || planPath.isEmpty()) {
        printError(err, Tr::tr("the simulator, its scenario or the reference plan is missing"),
                   Tr::tr("build rae-pve-sim, or point RAE_PVE_SIM at it"));
        return 2;
    }
    const auto plan = plan::readPlanFile(planPath);
    if (!plan) {
        err << plan.error().toString() << '\n';
        return 2;
    }

    out << Tr::tr("== starting %1 with %2").arg(QFileInfo(simulator).fileName(), scenario) << '\n';
    out.flush();
    QProcess sim;
    sim.setProcessChannelMode(QProcess::SeparateChannels);
    stopWithParent(sim);
    sim.start(simulator,
              {QStringLiteral("--scenario"), scenario, QStringLiteral("--port"),
               QStringLiteral("0"), QStringLiteral("--time-scale"), parser.value(scaleOption)});
    // The simulator goes with this command, however it ends.
    const auto stopSimulator = qScopeGuard([&sim] {
        sim.terminate();
        if (!sim.waitForFinished(3000))
            sim.kill();
    });
    QMap<QString, QString> info;
    const bool ready = waitFor(
        [&] {
            while (sim.canReadLine()) {
                const QString line = QString::fromUtf8(sim.readLine()).trimmed();
                info.insert(line.section(QStringLiteral(": "), 0, 0),
                            line.section(QStringLiteral(": "), 1));
            }
            return info.contains(QStringLiteral("ready")) || sim.state() == QProcess::NotRunning;
        },
        20000);
    if (!ready || !info.contains(QStringLiteral("ready"))) {
        printError(err, Tr::tr("the simulator did not start: %1")
                            .arg(QString::fromLocal8Bit(sim.readAllStandardError()).trimmed()));
        return 2;
    }
    const QUrl url(info.value(QStringLiteral("url")));
    const QString cluster = info.value(QStringLiteral("cluster"), QStringLiteral("demo"));
    out << Tr::tr("simulator at %1, cluster %2, release %3")
               .arg(url.toString(), cluster, info.value(QStringLiteral("release")))
        << '\n';

    // Everything this run learns stays in a temporary folder that goes with it.
    QTemporaryDir work;
    QSettings settings(work.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    proxmox::PinStore pins(&settings, cluster);
    pins.pin(url.host(), info.value(QStringLiteral("fingerprint")));
    proxmox::ProxmoxClient client(cluster, {url}, pins);
    client.setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                               std::function<void(bool)> decide) { decide(false); });
    std::optional<proxmox::ApiError> connectError;
    bool connected = false;
    QObject::connect(&client, &proxmox::ProxmoxClient::connected, &client,
                     [&connected] { connected = true; });
    QObject::connect(&client, &proxmox::ProxmoxClient::connectionFailed, &client,
                     [&connectError](const proxmox::ApiError &error) { connectError = error; });
    client.connectToCluster(
        proxmox::Credentials::password(QLatin1String(kSimUser), QLatin1String(kSimPassword)));
    waitFor([&] { return connected || connectError.has_value(); }, 30000);
    if (!connected) {
        printError(err, connectError ? connectError->message : Tr::tr("no answer"));
        return 1;
    }

    // The simulated cluster's passwords live as long as this process.
    secrets::CredentialStore store;
    store.setSessionOnly(true);
    deploy::DeploymentOptions options;
    options.journalDir = work.filePath(QStringLiteral("journals"));
    options.executor.tasks.firstInterval = std::chrono::milliseconds(50);
    options.executor.tasks.maxInterval = std::chrono::milliseconds(400);
    options.executor.agentFirstInterval = std::chrono::milliseconds(100);
    options.executor.agentMaxInterval = std::chrono::milliseconds(500);
    options.executor.execPollInterval = std::chrono::milliseconds(200);
    deploy::Deployment deployment(&client, &store, options);
    QElapsedTimer applyClock;
    applyClock.start();
    out << Tr::tr("== rae-deploy-cli apply %1 --cluster %2 --yes").arg(planPath, cluster) << '\n';
    const int applied = previewAndApply(
        deployment, [&] { deployment.prepare(*plan, planPath); }, true, out, err);
    if (applied != 0)
        return applied;
    out << Tr::tr("applied in %1 s").arg(double(applyClock.elapsed()) / 1000.0, 0, 'f', 1) << '\n';

    // Addresses as the guest agents reported them, the passwords as the apply wrote them.
    const QHash<QString, QString> addresses = deployment.executor()->addresses();
    std::optional<Result<deploy::ServiceSecrets>> secrets;
    deploy::ensureServiceSecrets(
        &store, *plan, &client,
        [&secrets](const Result<deploy::ServiceSecrets> &result) { secrets = result; });
    waitFor([&] { return secrets.has_value(); }, 10000);
    if (!secrets || !secrets->ok()) {
        printError(err, Tr::tr("the service passwords are gone"));
        return 1;
    }
    // PostgreSQL and Redis are not imitated by the simulator: the demo runs real ones on the
    // addresses the database and cache VMs got.
    deploy::DemoServices guests;
    int starting = 0;
    std::optional<QString> guestError;
    QObject::connect(&guests, &deploy::DemoServices::started, &guests,
                     [&starting](const QString &, const QString &) { --starting; });
    QObject::connect(&guests, &deploy::DemoServices::failed, &guests,
                     [&starting, &guestError](const QString &server, const QString &address,
                                              const QString &message) {
                         --starting;
                         guestError = Tr::tr("%1 on %2: %3").arg(server, address, message);
                     });
    for (const plan::Vm &vm : plan->vms) {
        if (vm.role == plan::Role::Redis) {
            ++starting;
            guests.startRedis(addresses.value(vm.name), plan->rae.redisPort,
                              secrets->value().redisPassword);
        }
        if (vm.role == plan::Role::Db) {
            ++starting;
            guests.startPostgres(addresses.value(vm.name), plan->rae.databasePort);
        }
    }
    if (!waitFor([&] { return starting <= 0 || guestError.has_value(); }, 60000)) {
        printError(err, Tr::tr("PostgreSQL and Redis did not start within a minute"),
                   Tr::tr("a loaded machine may need longer; run the demo again"));
        return 1;
    }
    if (guestError) {
        printError(err, *guestError);
        return 1;
    }

    out << Tr::tr("== waiting until every service answers") << '\n';
    out.flush();
    QNetworkAccessManager network;
    monitor::ServicePorts ports = monitor::ServicePorts::fromPlan(*plan);
    ports.gatewayPort = deploy::kSimulatorGatewayPort;
    // The simulator's gateway certificate names the VM's address, not the plan's public name.
    ports.tlsHostname.clear();
    ports.redisPassword = secrets->value().redisPassword;
    QHash<QString, VmHealth> health;
    QElapsedTimer waitClock;
    waitClock.start();
    const qint64 timeoutMs = parser.value(timeoutOption).toLongLong() * 1000;
    bool allHealthy = false;
    while (!allHealthy && waitClock.elapsed() < timeoutMs) {
        int pending = 0;
        std::vector<std::unique_ptr<monitor::Probe>> probes;
        for (const plan::Vm &vm : plan->vms) {
            if (vm.role == plan::Role::Gateway && ports.gatewayCa.isEmpty())
                ports.gatewayCa = gatewayCertificate(addresses.value(vm.name), ports.gatewayPort);
            monitor::ProbeTarget target =
                monitor::probeFor(vm.role, vm.name, addresses.value(vm.name), ports);
            target.timeout = std::chrono::milliseconds(3000);
            auto probe = std::unique_ptr<monitor::Probe>(monitor::Probe::create(target, &network));
            ++pending;
            QObject::connect(
                probe.get(), &monitor::Probe::finished, probe.get(),
                [&health, &pending, name = vm.name](const monitor::ProbeResult &result) {
                    --pending;
                    VmHealth &entry = health[name];
                    entry.ok = result.ok();
                    entry.health = result.ok() ? (result.answer.isEmpty() ? QStringLiteral("ok")
                                                                          : result.answer)
                                               : result.error->message;
                });
            probe->start();
            probes.push_back(std::move(probe));
        }
        waitFor([&pending] { return pending == 0; }, 10000);
        allHealthy = std::all_of(plan->vms.cbegin(), plan->vms.cend(),
                                 [&health](const plan::Vm &vm) { return health[vm.name].ok; });
        if (!allHealthy) {
            QEventLoop pause;
            QTimer::singleShot(500, &pause, &QEventLoop::quit);
            pause.exec();
        }
    }

    // Where each VM runs and in what state, as the cluster says it now.
    QHash<QString, QJsonObject> resources;
    bool listed = false;
    proxmox::ApiJob *job = client.send(proxmox::ApiRequest::get(
        QStringLiteral("/cluster/resources"), {{QStringLiteral("type"), QStringLiteral("vm")}}));
    QObject::connect(job, &proxmox::ApiJob::finished, &client,
                     [&](const proxmox::ApiResult<proxmox::ApiReply> &reply) {
                         listed = true;
                         if (!reply.ok())
                             return;
                         for (const QJsonValue &value : reply->data.toArray()) {
                             const QJsonObject object = value.toObject();
                             resources.insert(object.value(QStringLiteral("name")).toString(),
                                              object);
                         }
                     });
    waitFor([&listed] { return listed; }, 10000);

    out << '\n'
        << QStringLiteral("%1 %2 %3 %4 %5 %6")
               .arg(Tr::tr("VM"), -12)
               .arg(Tr::tr("ID"), -5)
               .arg(Tr::tr("NODE"), -6)
               .arg(Tr::tr("ADDRESS"), -13)
               .arg(Tr::tr("STATUS"), -8)
               .arg(Tr::tr("HEALTH"))
        << '\n';
    bool allRunning = true;
    for (const plan::Vm &vm : plan->vms) {
        const QJsonObject resource = resources.value(vm.name);
        const QString status = resource.value(QStringLiteral("status")).toString();
        allRunning = allRunning && status == QLatin1String("running");
        const VmHealth entry = health.value(vm.name);
        out << QStringLiteral("%1 %2 %3 %4 %5 %6")
                   .arg(vm.name, -12)
                   .arg(resource.value(QStringLiteral("vmid")).toInt(), -5)
                   .arg(resource.value(QStringLiteral("node")).toString(), -6)
                   .arg(addresses.value(vm.name), -13)
                   .arg(status, -8)
                   .arg(entry.ok ? Tr::tr("healthy (%1)").arg(entry.health)
                                 : Tr::tr("unhealthy: %1").arg(entry.health))
            << '\n';
    }
    out.flush();
    const bool healthy = allHealthy && allRunning;
    if (!healthy)
        printError(err, Tr::tr("not every RAE VM is running and healthy"));
    else
        out << Tr::tr("Every RAE VM is running and healthy.") << '\n';
    if (!monitorMs)
        return healthy ? 0 : 1;

    // Even an unhealthy demo is worth watching: the series show which part fails.
    out << '\n'
        << Tr::tr("== rae-deploy-cli monitor --cluster %1 --duration %2%3")
               .arg(cluster, parser.value(monitorOption),
                    parser.isSet(csvOption) ? QStringLiteral(" --csv ") + parser.value(csvOption)
                                            : QString())
        << '\n';
    out.flush();
    MonitorRun run;
    run.plan = &*plan;
    run.ports = ports;
    run.durationMs = *monitorMs;
    run.csvPath = parser.value(csvOption);
    const int monitored = runMonitoring(&client, run, out, err);
    return healthy ? monitored : 1;
}

} // namespace rae::cli
