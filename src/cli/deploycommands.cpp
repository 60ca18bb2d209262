#include "deploycommands.h"

#include "clusteraccess.h"

#include "deploy/changeset.h"
#include "deploy/snapshotreader.h"
#include "plan/planreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>

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
