#include "upgradecommand.h"

#include "clusteraccess.h"

#include "deploy/upgrade.h"
#include "plan/planreader.h"
#include "secrets/credentialstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTime>

#include <unistd.h>

#include <functional>
#include <optional>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Upgrade)
};

void printError(QTextStream &err, const Error &error)
{
    err << Tr::tr("error: %1")
               .arg(error.where.isEmpty() ? error.message
                                          : error.where + QStringLiteral(": ") + error.message)
        << '\n';
    if (!error.hint.isEmpty())
        err << "  " << Tr::tr("hint: %1").arg(error.hint) << '\n';
    err.flush();
}

void printSummary(const deploy::TierPlan &tier, QTextStream &out)
{
    if (tier.kind == deploy::TierChange::Upgrade)
        out << Tr::tr("Upgrade of the API tier to version %1").arg(tier.version) << '\n';
    else
        out << Tr::tr("Rollback of the API tier to the kept VMs") << '\n';
    out << "  " << Tr::tr("serving now: %1").arg(tier.from.join(QStringLiteral(", "))) << '\n';
    out << "  " << Tr::tr("serving after: %1").arg(tier.to.join(QStringLiteral(", "))) << '\n';
    if (!tier.create.isEmpty())
        out << "  " << Tr::tr("to create: %1").arg(tier.create.join(QStringLiteral(", "))) << '\n';
    out << "  "
        << Tr::tr("%n step(s); the gateway is switched only when every new API VM is healthy, "
                  "and the VMs it leaves are stopped and kept.",
                  nullptr, int(tier.actions.size()))
        << '\n';
    out.flush();
}

// Prepares, shows what will happen, confirms, runs with a line per state change.
int runChange(deploy::ApiTierChange &change, const std::function<void()> &prepare, bool assumeYes,
              QTextStream &out, QTextStream &err)
{
    QEventLoop loop;
    std::optional<Status> outcome;
    bool ready = false;
    QObject::connect(&change, &deploy::ApiTierChange::prepared, &loop, [&] {
        ready = true;
        loop.quit();
    });
    QObject::connect(&change, &deploy::ApiTierChange::finished, &loop, [&](const Status &result) {
        outcome = result;
        loop.quit();
    });
    prepare();
    if (!ready && !outcome)
        loop.exec();
    if (!ready) {
        printError(err, outcome->error());
        return 1;
    }
    if (change.isResume())
        out << Tr::tr("Going on with the unfinished change recorded in %1")
                   .arg(change.journalFile())
            << '\n';
    printSummary(change.tierPlan(), out);
    if (!assumeYes) {
        if (::isatty(STDIN_FILENO) != 1) {
            printError(err, {Tr::tr("nothing changed: confirmation needed, and stdin is no "
                                    "terminal"),
                             Tr::tr("pass --yes to go on without asking"),
                             {}});
            return 2;
        }
        out << Tr::tr("Go on? Type “yes”: ");
        out.flush();
        QTextStream in(stdin);
        const QString answer = in.readLine().trimmed();
        if (answer != QLatin1String("yes") && answer != Tr::tr("yes")) {
            printError(err, {Tr::tr("nothing changed"), {}, {}});
            return 2;
        }
    }

    const int total = int(change.tierPlan().actions.size());
    int ended = 0;
    QObject::connect(&change, &deploy::ApiTierChange::actionChanged, &loop,
                     [&](const QString &id, deploy::ActionState state, const QString &detail) {
                         if (state == deploy::ActionState::Done ||
                             state == deploy::ActionState::Failed ||
                             state == deploy::ActionState::Blocked)
                             ++ended;
                         out << '[' << QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))
                             << "] [" << ended << '/' << total << "] " << id << ": "
                             << deploy::actionStateName(state);
                         if (state == deploy::ActionState::Failed && !detail.isEmpty())
                             out << " — " << detail.section(QLatin1Char('\n'), 0, 0);
                         out << '\n';
                         out.flush();
                     });
    change.run();
    if (!outcome)
        loop.exec();

    const QHash<QString, QString> failures = change.failures();
    if (!failures.isEmpty()) {
        err << Tr::tr("%n step(s) failed:", nullptr, int(failures.size())) << '\n';
        for (auto it = failures.cbegin(); it != failures.cend(); ++it)
            err << "  " << it.key() << ":\n    "
                << QString(it.value()).replace(QLatin1Char('\n'), QStringLiteral("\n    ")) << '\n';
        bool switched = false;
        for (const deploy::Action &action : change.tierPlan().actions)
            if (action.type == deploy::ActionType::SwitchGateway &&
                change.state(action.id) == deploy::ActionState::Done)
                switched = true;
        if (switched)
            err << Tr::tr("The gateway serves %1 now.")
                       .arg(change.tierPlan().to.join(QStringLiteral(", ")))
                << '\n';
        else
            err << Tr::tr("The gateway was not switched: %1 still serve.")
                       .arg(change.tierPlan().from.join(QStringLiteral(", ")))
                << '\n';
        err << "  "
            << Tr::tr("hint: %1")
                   .arg(Tr::tr("fix the cause and run the command again: "
                               "it goes on where it stopped"))
            << '\n';
        err.flush();
        return 1;
    }
    if (!outcome->ok()) {
        printError(err, outcome->error());
        return 1;
    }
    out << Tr::tr("The gateway serves %1; kept for rollback: %2.")
               .arg(change.tierPlan().to.join(QStringLiteral(", ")),
                    change.tierPlan().from.join(QStringLiteral(", ")))
        << '\n';
    out.flush();
    return 0;
}

} // namespace

int runUpgradeApiCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Blue-green upgrade of the API tier: new API VMs of a RAE version, checked, then "
               "the gateway switched to them; the old ones are stopped and kept."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("plan"), Tr::tr("The plan file (YAML)."));
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("The cluster profile to use."), QStringLiteral("name"));
    const QCommandLineOption versionOption(QStringLiteral("version"),
                                           Tr::tr("The RAE Git tag or branch to run."),
                                           QStringLiteral("ref"));
    const QCommandLineOption yes(QStringLiteral("yes"), Tr::tr("Go on without asking."));
    parser.addOptions({clusterOption, versionOption, yes});
    const Error usage{Tr::tr("name one plan file, the cluster and the version"),
                      Tr::tr("rae-deploy-cli upgrade-api PLAN --cluster NAME --version V [--yes]"),
                      {}};
    if (!parser.parse(QStringList{QStringLiteral("upgrade-api")} + arguments)) {
        printError(err, {parser.errorText(), usage.hint, {}});
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1 || !parser.isSet(clusterOption) ||
        !parser.isSet(versionOption)) {
        printError(err, usage);
        return 2;
    }
    const QString version = parser.value(versionOption);
    if (!deploy::isValidVersion(version)) {
        printError(err, {Tr::tr("the version \"%1\" cannot name a VM and a tag").arg(version),
                         Tr::tr("use lower-case letters, digits, '.', '-' and '_'"),
                         {}});
        return 2;
    }
    const QString path = parser.positionalArguments().constFirst();
    const auto plan = plan::readPlanFile(path);
    if (!plan) {
        err << plan.error().toString() << '\n';
        printError(err, {Tr::tr("the plan %1 cannot be read").arg(path), {}, {}});
        return 2;
    }
    const auto access = connectWithProfile(parser.value(clusterOption), err);
    if (!access)
        return 1;
    secrets::CredentialStore store;
    deploy::ApiTierChange change(access->client.get(), &store);
    return runChange(
        change, [&] { change.prepareUpgrade(*plan, path, version); }, parser.isSet(yes), out, err);
}

int runRollbackApiCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Switch the API tier back to the VMs the last upgrade kept."));
    parser.addHelpOption();
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("The cluster profile to use."), QStringLiteral("name"));
    const QCommandLineOption yes(QStringLiteral("yes"), Tr::tr("Go on without asking."));
    parser.addOptions({clusterOption, yes});
    const QString hint = Tr::tr("rae-deploy-cli rollback-api --cluster NAME [--yes]");
    if (!parser.parse(QStringList{QStringLiteral("rollback-api")} + arguments)) {
        printError(err, {parser.errorText(), hint, {}});
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty() || !parser.isSet(clusterOption)) {
        printError(err, {Tr::tr("name the cluster with --cluster"), hint, {}});
        return 2;
    }
    const auto access = connectWithProfile(parser.value(clusterOption), err);
    if (!access)
        return 1;
    secrets::CredentialStore store;
    deploy::ApiTierChange change(access->client.get(), &store);
    return runChange(
        change, [&] { change.prepareRollback(); }, parser.isSet(yes), out, err);
}

} // namespace rae::cli
