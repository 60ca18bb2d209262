// rae-pve-sim: a Proxmox VE cluster on loopback, for tests and demos.
#include "sim/cluster.h"
#include "sim/ctlclient.h"
#include "sim/server.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QLocalServer>

#include <csignal>
#include <cstdio>

namespace {

rae::sim::Server *runningServer = nullptr;

void stopOnSignal(int)
{
    if (runningServer)
        runningServer->stop();
}

int fail(const rae::Error &error)
{
    std::fprintf(stderr, "rae-pve-sim: %s\n", qPrintable(error.toString()));
    return 1;
}

int runControl(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Send one command to a running simulator's control interface."));
    parser.addHelpOption();
    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("The simulator's URL."),
                                 QStringLiteral("url"), qEnvironmentVariable("RAE_SIM_URL"));
    const QCommandLineOption token(
        QStringLiteral("token"), QStringLiteral("The control token it printed."),
        QStringLiteral("token"), qEnvironmentVariable("RAE_SIM_CONTROL_TOKEN"));
    const QCommandLineOption fingerprint(
        QStringLiteral("fingerprint"),
        QStringLiteral("Accept only this SHA-256 certificate fingerprint."),
        QStringLiteral("AA:BB:..."), qEnvironmentVariable("RAE_SIM_FINGERPRINT"));
    parser.addOptions({url, token, fingerprint});
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("node-power, latency, fail-tasks, state, ..."));
    parser.addPositionalArgument(QStringLiteral("key=value"),
                                 QStringLiteral("Arguments of the command."),
                                 QStringLiteral("[key=value...]"));
    parser.process(arguments);
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        parser.showHelp(2);

    QJsonObject args;
    for (const QString &item : positional.mid(1)) {
        const QString key = item.section(QLatin1Char('='), 0, 0);
        const QString value = item.section(QLatin1Char('='), 1);
        bool isNumber = false;
        const double number = value.toDouble(&isNumber);
        if (value == QLatin1String("true") || value == QLatin1String("false"))
            args.insert(key, value == QLatin1String("true"));
        else if (isNumber)
            args.insert(key, number);
        else
            args.insert(key, value);
    }
    auto reply = rae::sim::sendControl(parser.value(url), parser.value(token),
                                       parser.value(fingerprint), positional.first(), args);
    if (!reply)
        return fail(reply.error());
    std::printf("%s\n", QJsonDocument(*reply).toJson(QJsonDocument::Indented).constData());
    return 0;
}

// Simulators started side by side (CTest runs tests in parallel) must not give their VMs the
// same addresses: each serves the VMs' roles on those addresses, and a real PostgreSQL or Redis
// started for one would answer the other. A simulator holds the block 127.B.0.0/16 by listening
// on the abstract local socket `rae-pve-sim-address-block-B` for as long as it runs; the kernel
// releases it when the process ends, however it ends, and no TCP port can be in the way.
constexpr int kAddressBlocks = 200; // blocks 127.200.0.0/16 to 127.255.0.0/16 are left to tests

bool claimAddressBlock(QLocalServer &claim, int block)
{
    claim.setSocketOptions(QLocalServer::AbstractNamespaceOption);
    return claim.listen(QStringLiteral("rae-pve-sim-address-block-%1").arg(block));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("rae-pve-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RAE_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("ctl")) {
        QStringList rest = arguments;
        rest.removeAt(1);
        return runControl(rest);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A Proxmox VE cluster simulator on loopback (see docs/simulator.md).\n"
                       "Use `rae-pve-sim ctl --help` for the control client."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("The scenario file."), QStringLiteral("file"));
    const QCommandLineOption address(QStringLiteral("address"),
                                     QStringLiteral("Address to listen on (loopback)."),
                                     QStringLiteral("ip"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("Port; 0 picks a free one."),
                                  QStringLiteral("port"), QStringLiteral("8006"));
    const QCommandLineOption allowNonLoopback(
        QStringLiteral("allow-non-loopback"),
        QStringLiteral("Allow listening on an address other than loopback."));
    const QCommandLineOption cert(QStringLiteral("cert"),
                                  QStringLiteral("PEM certificate to serve."),
                                  QStringLiteral("file"));
    const QCommandLineOption key(QStringLiteral("key"), QStringLiteral("PEM key of --cert."),
                                 QStringLiteral("file"));
    const QCommandLineOption authDelay(QStringLiteral("auth-failure-delay-ms"),
                                       QStringLiteral("Delay of every 401 (Proxmox: 3000)."),
                                       QStringLiteral("ms"), QStringLiteral("3000"));
    const QCommandLineOption taskDelay(
        QStringLiteral("task-visibility-delay-ms"),
        QStringLiteral("How long a new task answers 'no such task'."), QStringLiteral("ms"),
        QStringLiteral("300"));
    const QCommandLineOption timeScale(QStringLiteral("time-scale"),
                                       QStringLiteral("Override the scenario's time scale."),
                                       QStringLiteral("factor"));
    const QCommandLineOption controlToken(
        QStringLiteral("control-token"),
        QStringLiteral("Token for /ctl (default: the scenario's, else random)."),
        QStringLiteral("token"));
    const QCommandLineOption addressBlock(
        QStringLiteral("address-block"),
        QStringLiteral("VM addresses are 127.B.x.y; 'auto' takes the first block no other "
                       "simulator holds."),
        QStringLiteral("B|auto"), QStringLiteral("auto"));
    parser.addOptions({scenario, address, port, allowNonLoopback, cert, key, authDelay, taskDelay,
                       timeScale, controlToken, addressBlock});
    parser.process(app);
    if (!parser.isSet(scenario)) {
        std::fprintf(stderr, "rae-pve-sim: --scenario is required\n");
        return 2;
    }

    auto loaded = rae::sim::Scenario::load(parser.value(scenario));
    if (!loaded)
        return fail(loaded.error());
    rae::sim::Scenario definition = *loaded;
    if (parser.isSet(timeScale))
        definition.timeScale = parser.value(timeScale).toDouble();
    rae::sim::ClusterOptions clusterOptions;
    clusterOptions.taskVisibilityDelay =
        std::chrono::milliseconds(parser.value(taskDelay).toLongLong());
    QLocalServer addressClaim;
    if (parser.value(addressBlock) == QLatin1String("auto")) {
        clusterOptions.addressBlock = -1;
        for (int block = 0; block < kAddressBlocks && clusterOptions.addressBlock < 0; ++block) {
            if (claimAddressBlock(addressClaim, block))
                clusterOptions.addressBlock = block;
        }
        if (clusterOptions.addressBlock < 0) {
            std::fprintf(stderr,
                         "rae-pve-sim: all %d address blocks are held by other simulators; stop "
                         "some, or give --address-block\n",
                         kAddressBlocks);
            return 2;
        }
    } else {
        bool ok = false;
        clusterOptions.addressBlock = parser.value(addressBlock).toInt(&ok);
        if (!ok || clusterOptions.addressBlock < 0 || clusterOptions.addressBlock > 255) {
            std::fprintf(stderr, "rae-pve-sim: --address-block takes 0 to 255 or auto, not '%s'\n",
                         qPrintable(parser.value(addressBlock)));
            return 2;
        }
        if (!claimAddressBlock(addressClaim, clusterOptions.addressBlock)) {
            std::fprintf(stderr,
                         "rae-pve-sim: address block %d is held by another simulator; choose "
                         "another or 'auto'\n",
                         clusterOptions.addressBlock);
            return 2;
        }
    }
    auto cluster = rae::sim::Cluster::create(definition, clusterOptions);
    if (!cluster)
        return fail(cluster.error());

    rae::sim::ServerOptions options;
    options.address = parser.value(address);
    options.port = static_cast<quint16>(parser.value(port).toUInt());
    options.allowNonLoopback = parser.isSet(allowNonLoopback);
    options.certPath = parser.value(cert);
    options.keyPath = parser.value(key);
    options.authFailureDelay = std::chrono::milliseconds(parser.value(authDelay).toLongLong());
    options.controlToken =
        parser.isSet(controlToken) ? parser.value(controlToken) : definition.controlToken;
    rae::sim::Server server(**cluster, options);
    if (auto started = server.start(); !started)
        return fail(started.error());

    // One "key: value" a line, flushed, so that tests and scripts can read them.
    std::printf("url: %s\n", qPrintable(server.url()));
    std::printf("port: %u\n", server.port());
    std::printf("fingerprint: %s\n", qPrintable(server.fingerprint()));
    std::printf("control-token: %s\n", qPrintable(server.controlToken()));
    std::printf("cluster: %s\n", qPrintable(definition.cluster));
    std::printf("release: %s\n", qPrintable(definition.release));
    std::printf("vm-addresses: 127.%d.0.10 onwards\n", clusterOptions.addressBlock);
    std::printf("ready: 1\n");
    std::fflush(stdout);

    runningServer = &server;
    std::signal(SIGINT, stopOnSignal);
    std::signal(SIGTERM, stopOnSignal);
    server.run();
    runningServer = nullptr;
    return 0;
}
