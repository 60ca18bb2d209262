#include "deploycommands.h"

#include "clusteraccess.h"

#include "deploy/changeset.h"
#include "deploy/deployment.h"
#include "deploy/snapshotreader.h"
#include "plan/planreader.h"
#include "secrets/credentialstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTime>

#include <unistd.h>

#include <optional>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Deploy)
};

void printError(QTextStream &err, const QString &message, const QString &hint = {})
{
    err << Tr::tr("error: %1").arg(message) << '\n';
    if (!hint.isEmpty())
        err << "  " << Tr::tr("hint: %1").arg(hint) << '\n';
    err.flush();
}

// The command has nothing else to do while the snapshot is read, so it waits for it.
Result<deploy::ClusterSnapshot> readSnapshot(proxmox::ProxmoxClient *client,
                                             const QStringList &names)
{
    deploy::SnapshotReader reader(client);
    QEventLoop loop;
    std::optional<Result<deploy::ClusterSnapshot>> outcome;
    QObject::connect(&reader, &deploy::SnapshotReader::finished, &loop,
                     [&](const Result<deploy::ClusterSnapshot> &result) {
                         outcome = result;
                         loop.quit();
                     });
    reader.read(names);
    // `finished` may come before the loop runs when the client fails at once.
    if (!outcome)
        loop.exec();
    return *outcome;
}

} // namespace

int runDiffCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Show what applying a plan would change on a cluster, without changing it."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("plan"), Tr::tr("The plan file (YAML)."));
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("The cluster profile to use."), QStringLiteral("name"));
    const QCommandLineOption prune(
        QStringLiteral("prune"),
        Tr::tr("Remove RAE's VMs and HA rules that the plan no longer has, instead of listing "
               "them as left alone."));
    parser.addOptions({clusterOption, prune});
    const QString usageHint = Tr::tr("rae-deploy-cli diff PLAN --cluster NAME [--prune]");
    if (!parser.parse(QStringList{QStringLiteral("diff")} + arguments)) {
        printError(err, parser.errorText(), usageHint);
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(err, Tr::tr("name one plan file"), usageHint);
        return 2;
    }
    if (!parser.isSet(clusterOption)) {
        printError(err, Tr::tr("name the cluster with --cluster"),
                   Tr::tr("see `rae-deploy-cli cluster list`"));
        return 2;
    }

    const QString path = parser.positionalArguments().constFirst();
    const auto plan = plan::readPlanFile(path);
    if (!plan) {
        err << plan.error().toString() << '\n';
        printError(err, Tr::tr("the plan %1 cannot be read").arg(path),
                   Tr::tr("fix the problems above; `rae-deploy-cli validate PLAN` checks more"));
        return 2;
    }

    const auto access = connectWithProfile(parser.value(clusterOption), err);
    if (!access)
        return 1;

    // Untagged VMs with a plan VM's name must be read too, so that a clash is reported rather
    // than a second VM of that name planned.
    QStringList names;
    for (const plan::Vm &vm : plan->vms)
        names << vm.name;
    const auto snapshot = readSnapshot(access->client.get(), names);
    if (!snapshot) {
        const Error &error = snapshot.error();
        printError(err,
                   error.where.isEmpty() ? error.message
                                         : error.where + QStringLiteral(": ") + error.message,
                   error.hint);
        return 1;
    }

    deploy::DiffOptions options;
    options.prune = parser.isSet(prune);
    // A clone an unfinished apply made before it could tag it is still recognised as ours.
    if (const auto unfinished = deploy::Deployment::unfinished(
            deploy::Deployment::defaultJournalDir(), parser.value(clusterOption)))
        options.knownVmids = unfinished->knownVmids;
    const deploy::Changeset changeset = deploy::computeChangeset(*plan, *snapshot, options);
    out << deploy::renderChangeset(changeset);
    out.flush();
    if (changeset.hasErrors()) {
        printError(
            err,
            Tr::tr("%n problem(s) stand in the way of applying this plan", nullptr,
                   int(changeset.errors.size())),
            Tr::tr("see the errors above: change the plan or the cluster, then run diff again"));
        return 1;
    }
    return 0;
}

} // namespace rae::cli

namespace rae::cli {

namespace {

bool stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

QString clock()
{
    return QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

int previewAndApply(deploy::Deployment &deployment, const std::function<void()> &prepare,
                    bool assumeYes, QTextStream &out, QTextStream &err)
{
    QEventLoop loop;
    std::optional<Status> failed;
    bool ready = false;
    QObject::connect(&deployment, &deploy::Deployment::prepared, &loop, [&] {
        ready = true;
        loop.quit();
    });
    QObject::connect(&deployment, &deploy::Deployment::finished, &loop, [&](const Status &result) {
        failed = result;
        loop.quit();
    });
    prepare();
    if (!ready && !failed)
        loop.exec();
    if (!ready) {
        const Error &error = failed->error();
        printError(err,
                   error.where.isEmpty() ? error.message
                                         : error.where + QStringLiteral(": ") + error.message,
                   error.hint);
        return 1;
    }
    failed.reset();

    const deploy::Changeset &changeset = deployment.changeset();
    if (deployment.isResume())
        out << Tr::tr("Resuming the unfinished apply recorded in %1").arg(deployment.journalFile())
            << '\n';
    out << deploy::renderChangeset(changeset);
    out.flush();
    if (changeset.hasErrors()) {
        printError(
            err,
            Tr::tr("%n problem(s) stand in the way of applying this plan", nullptr,
                   int(changeset.errors.size())),
            Tr::tr("see the errors above: change the plan or the cluster, then run apply again"));
        return 1;
    }
    const int actionCount = int(deployment.actions().size());
    if (actionCount == 0) {
        out << Tr::tr("Nothing to do: the cluster matches the plan.") << '\n';
        out.flush();
        return 0;
    }
    if (!assumeYes) {
        if (!stdinIsTerminal()) {
            printError(err, Tr::tr("not applied: confirmation needed, and stdin is no terminal"),
                       Tr::tr("pass --yes to apply without asking"));
            return 2;
        }
        out << Tr::tr("Apply these changes (%n action(s))? Type “yes” to go on: ", nullptr,
                      actionCount);
        out.flush();
        QTextStream in(stdin);
        const QString answer = in.readLine().trimmed();
        if (answer != QLatin1String("yes") && answer != Tr::tr("yes")) {
            printError(err, Tr::tr("not applied"));
            return 2;
        }
    }

    int finishedActions = 0;
    QObject::connect(&deployment, &deploy::Deployment::actionChanged, &loop,
                     [&](const QString &id, deploy::ActionState state, const QString &detail) {
                         if (state == deploy::ActionState::Done ||
                             state == deploy::ActionState::Failed ||
                             state == deploy::ActionState::Blocked)
                             ++finishedActions;
                         out << '[' << clock() << "] [" << finishedActions << '/' << actionCount
                             << "] " << id << ": " << deploy::actionStateName(state);
                         if (state == deploy::ActionState::Failed && !detail.isEmpty())
                             out << " — " << detail.section(QLatin1Char('\n'), 0, 0);
                         out << '\n';
                         out.flush();
                     });
    deployment.apply();
    if (!failed)
        loop.exec();

    const QHash<QString, QString> failures = deployment.failures();
    if (!failures.isEmpty()) {
        err << Tr::tr("%n action(s) failed:", nullptr, int(failures.size())) << '\n';
        for (auto it = failures.cbegin(); it != failures.cend(); ++it)
            err << "  " << it.key() << ":\n    "
                << QString(it.value()).replace(QLatin1Char('\n'), QStringLiteral("\n    ")) << '\n';
        const int blocked = deployment.count(deploy::ActionState::Blocked);
        if (blocked > 0)
            err << Tr::tr("%n action(s) blocked by them.", nullptr, blocked) << '\n';
        err << "  "
            << Tr::tr("hint: %1")
                   .arg(Tr::tr("fix the cause, then run "
                               "`rae-deploy-cli resume --cluster NAME`"))
            << '\n';
        err.flush();
        return 1;
    }
    if (!failed->ok()) {
        printError(err, failed->error().message, failed->error().hint);
        return 1;
    }
    out << Tr::tr("Apply complete: %n action(s) done.", nullptr,
                  deployment.count(deploy::ActionState::Done))
        << '\n';
    out.flush();
    return 0;
}

int runApplyCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Tr::tr("Apply a plan to a cluster: preview, confirm, run."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("plan"), Tr::tr("The plan file (YAML)."));
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("The cluster profile to use."), QStringLiteral("name"));
    const QCommandLineOption yes(QStringLiteral("yes"), Tr::tr("Apply without asking."));
    const QCommandLineOption prune(QStringLiteral("prune"),
                                   Tr::tr("Also remove RAE's VMs and HA rules the plan lacks."));
    parser.addOptions({clusterOption, yes, prune});
    const QString usageHint = Tr::tr("rae-deploy-cli apply PLAN --cluster NAME [--yes] [--prune]");
    if (!parser.parse(QStringList{QStringLiteral("apply")} + arguments)) {
        printError(err, parser.errorText(), usageHint);
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1 || !parser.isSet(clusterOption)) {
        printError(err, Tr::tr("name one plan file and the cluster"), usageHint);
        return 2;
    }
    const QString path = parser.positionalArguments().constFirst();
    const auto plan = plan::readPlanFile(path);
    if (!plan) {
        err << plan.error().toString() << '\n';
        printError(err, Tr::tr("the plan %1 cannot be read").arg(path),
                   Tr::tr("fix the problems above; `rae-deploy-cli validate PLAN` checks more"));
        return 2;
    }
    const auto access = connectWithProfile(parser.value(clusterOption), err);
    if (!access)
        return 1;
    secrets::CredentialStore store;
    deploy::DeploymentOptions options;
    options.prune = parser.isSet(prune);
    deploy::Deployment deployment(access->client.get(), &store, options);
    return previewAndApply(
        deployment, [&] { deployment.prepare(*plan, path); }, parser.isSet(yes), out, err);
}

int runResumeCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Tr::tr("Finish a cluster's unfinished apply."));
    parser.addHelpOption();
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("The cluster profile to use."), QStringLiteral("name"));
    const QCommandLineOption yes(QStringLiteral("yes"), Tr::tr("Apply without asking."));
    parser.addOptions({clusterOption, yes});
    const QString usageHint = Tr::tr("rae-deploy-cli resume --cluster NAME [--yes]");
    if (!parser.parse(QStringList{QStringLiteral("resume")} + arguments)) {
        printError(err, parser.errorText(), usageHint);
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty() || !parser.isSet(clusterOption)) {
        printError(err, Tr::tr("name the cluster with --cluster"), usageHint);
        return 2;
    }
    const QString name = parser.value(clusterOption);
    if (!deploy::Deployment::unfinished(deploy::Deployment::defaultJournalDir(), name)) {
        printError(err, Tr::tr("there is no unfinished apply to cluster %1").arg(name),
                   Tr::tr("run `rae-deploy-cli apply PLAN --cluster %1`").arg(name));
        return 2;
    }
    const auto access = connectWithProfile(name, err);
    if (!access)
        return 1;
    secrets::CredentialStore store;
    deploy::Deployment deployment(access->client.get(), &store);
    return previewAndApply(
        deployment, [&] { deployment.prepareResume(); }, parser.isSet(yes), out, err);
}

} // namespace rae::cli
