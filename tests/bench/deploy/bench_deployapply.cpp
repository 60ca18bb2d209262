// Two figures of the deployment: the wall time of applying the reference plan to the simulator
// with its time scale turned up (target: under 30 s), and the runner's own cost per action with
// an executor that answers at once (target: under 5 ms), with the journal on the disk of the data
// folder and on tmpfs, which separates the runner's work from fsync.
#include "../../integration/sim/simprocess.h"

#include "deploy/deployment.h"
#include "deploy/runner.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "secrets/credentialstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <optional>

using namespace rae;

namespace {

class InstantExecutor final : public deploy::ActionExecutor
{
public:
    void execute(const deploy::Action &, Done done) override { done(deploy::ActionOutcome{}); }
};

template<typename Ready>
bool waitFor(Ready ready, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!ready()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// Milliseconds per action of the runner over `rounds` runs of the plan's actions.
double runnerMsPerAction(const QList<deploy::Action> &actions, const QString &dir, int rounds)
{
    InstantExecutor executor;
    qint64 elapsedNs = 0;
    for (int round = 0; round < rounds; ++round) {
        auto journal = deploy::Journal::create(dir + QStringLiteral("/bench.journal"),
                                               {QStringLiteral("bench"), {}, {}, {}});
        if (!journal.ok())
            return -1;
        QElapsedTimer clock;
        clock.start();
        deploy::Runner runner(deploy::ActionScheduler(actions), &journal.value(), &executor);
        bool finished = false;
        QObject::connect(&runner, &deploy::Runner::finished, &runner,
                         [&finished] { finished = true; });
        runner.start();
        waitFor([&finished] { return finished; }, 60000);
        elapsedNs += clock.nsecsElapsed();
    }
    return double(elapsedNs) / 1e6 / double(rounds) / double(actions.size());
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const QString scale = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("100");
    const QString planPath = QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml");
    auto plan = plan::readPlanFile(planPath);
    if (!plan.ok()) {
        out << "reference plan unreadable\n";
        return 1;
    }

    SimProcess sim;
    if (!sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml"),
                   {QStringLiteral("--time-scale"), scale})) {
        out << "the simulator did not start\n";
        return 1;
    }
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    proxmox::PinStore pins(&settings, QStringLiteral("prod"));
    proxmox::ProxmoxClient client(QStringLiteral("prod"), {QUrl(sim.value(QStringLiteral("url")))},
                                  pins);
    client.setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                               std::function<void(bool)> decide) { decide(true); });
    bool connected = false;
    QObject::connect(&client, &proxmox::ProxmoxClient::connected, &client,
                     [&connected] { connected = true; });
    // The scenario's public, test-only account.
    client.connectToCluster(proxmox::Credentials::password(
        QStringLiteral("deployer@pve"), QStringLiteral("sim-deployer-password-test-only")));
    if (!waitFor([&connected] { return connected; }, 20000)) {
        out << "no connection to the simulator\n";
        return 1;
    }

    secrets::CredentialStore store;
    store.setSessionOnly(true);
    deploy::DeploymentOptions options;
    options.journalDir = dir.filePath(QStringLiteral("journals"));
    options.executor.tasks.firstInterval = std::chrono::milliseconds(50);
    options.executor.tasks.maxInterval = std::chrono::milliseconds(300);
    options.executor.agentFirstInterval = std::chrono::milliseconds(100);
    options.executor.agentMaxInterval = std::chrono::milliseconds(400);
    options.executor.execPollInterval = std::chrono::milliseconds(100);
    deploy::Deployment deployment(&client, &store, options);
    std::optional<Status> outcome;
    bool prepared = false;
    QObject::connect(&deployment, &deploy::Deployment::prepared, &deployment,
                     [&prepared] { prepared = true; });
    QObject::connect(&deployment, &deploy::Deployment::finished, &deployment,
                     [&outcome](const Status &result) { outcome = result; });
    QElapsedTimer clock;
    clock.start();
    deployment.prepare(*plan, planPath);
    waitFor([&] { return prepared || outcome.has_value(); }, 30000);
    const qint64 previewMs = clock.elapsed();
    deployment.apply();
    waitFor([&] { return outcome.has_value(); }, 300000);
    const qint64 applyMs = clock.elapsed();
    if (!outcome || !outcome->ok() || !deployment.failures().isEmpty()) {
        out << "the apply failed\n";
        return 1;
    }
    const QList<deploy::Action> actions = deployment.actions();
    out << "apply of the reference plan (time scale " << scale << "): " << actions.size()
        << " actions, " << QString::number(double(applyMs) / 1000.0, 'f', 2) << " s wall (preview "
        << previewMs << " ms); target < 30 s\n";

    const int rounds = 20;
    out << "runner overhead, journal in the data folder's file system: "
        << QString::number(runnerMsPerAction(actions, dir.path(), rounds), 'f', 3)
        << " ms per action; target < 5 ms\n";
    if (QDir(QStringLiteral("/dev/shm")).exists()) {
        QTemporaryDir shm(QStringLiteral("/dev/shm/rae-bench-XXXXXX"));
        out << "runner overhead, journal on tmpfs (no disk flush): "
            << QString::number(runnerMsPerAction(actions, shm.path(), rounds), 'f', 3)
            << " ms per action\n";
    }
    return 0;
}
