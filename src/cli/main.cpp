#include "clustercommands.h"
#include "common/translations.h"
#include "democommand.h"
#include "deploycommands.h"
#include "failovercommand.h"
#include "monitorcommand.h"
#include "placecommand.h"
#include "reportcommand.h"
#include "scriptscommand.h"
#include "upgradecommand.h"
#include "validatecommand.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Main)
};

QString usage()
{
    return Tr::tr(
        "usage: rae-deploy-cli COMMAND [options]\n"
        "\n"
        "commands:\n"
        "  validate PLAN [--format text|json]   check a plan and print its findings\n"
        "  cluster add|list|remove              cluster profiles; secrets go to the keychain\n"
        "  inventory --cluster NAME [--json]    what a cluster has\n"
        "  failover (--plan PLAN | --cluster NAME | --scenario FILE) [--fail NODE]... [--pairs]\n"
        "           [--json]\n"
        "                                       what happens when nodes fail\n"
        "  place PLAN [--out NEW_PLAN]          find a placement that survives any node "
        "failure\n"
        "  monitor (--plan PLAN | --cluster NAME) [--duration 30s] [--csv FILE]\n"
        "                                       probe and poll, then write the series\n"
        "  scripts PLAN [--vm NAME] [--out DIR] what will run on each VM, .env masked\n"
        "  diff PLAN --cluster NAME [--prune]   what applying the plan would change\n"
        "  apply PLAN --cluster NAME [--yes] [--prune]\n"
        "                                       preview, confirm and apply the plan\n"
        "  resume --cluster NAME [--yes]        finish an apply that stopped\n"
        "  upgrade-api PLAN --cluster NAME --version V [--yes]\n"
        "                                       blue-green upgrade of the API VMs\n"
        "  rollback-api --cluster NAME [--yes]  back to the API VMs the upgrade kept\n"
        "  demo                                 apply the reference plan to a simulated "
        "cluster\n"
        "  report (--cluster NAME | --plan PLAN) --out DIR [--format pdf,html,csv,json]\n"
        "                                       write a report of the deployment\n"
        "\n"
        "Run “rae-deploy-cli COMMAND --help” for the options of a command.\n");
}

} // namespace

int main(int argc, char *argv[])
{
    // Only `report` needs fonts (the PDF); every other command stays free of a display.
    const bool needsGui = argc > 1 && std::strcmp(argv[1], "report") == 0;
    if (needsGui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app =
        needsGui ? std::make_unique<QGuiApplication>(argc, argv)
                 : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("rae-deploy-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("RAE Deploy"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RAE_VERSION));
    rae::installTranslations();

    // The command's own output is for people and scripts; the request-by-request log is for
    // whoever asks for it with QT_LOGGING_RULES (such as "raedeploy.*.debug=true").
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("raedeploy.*.debug=false\n"
                                                        "raedeploy.*.info=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList arguments = QCoreApplication::arguments().mid(1);
    if (arguments.isEmpty()) {
        err << usage();
        return 2;
    }

    const QString command = arguments.takeFirst();
    if (command == QLatin1String("validate"))
        return rae::cli::runValidateCommand(arguments, out, err);
    if (command == QLatin1String("cluster"))
        return rae::cli::runClusterCommand(arguments, out, err);
    if (command == QLatin1String("inventory"))
        return rae::cli::runInventoryCommand(arguments, out, err);
    if (command == QLatin1String("failover"))
        return rae::cli::runFailoverCommand(arguments, out, err);
    if (command == QLatin1String("monitor"))
        return rae::cli::runMonitorCommand(arguments, out, err);
    if (command == QLatin1String("place"))
        return rae::cli::runPlaceCommand(arguments, out, err);
    if (command == QLatin1String("scripts"))
        return rae::cli::runScriptsCommand(arguments, out, err);
    if (command == QLatin1String("diff"))
        return rae::cli::runDiffCommand(arguments, out, err);
    if (command == QLatin1String("apply"))
        return rae::cli::runApplyCommand(arguments, out, err);
    if (command == QLatin1String("resume"))
        return rae::cli::runResumeCommand(arguments, out, err);
    if (command == QLatin1String("upgrade-api"))
        return rae::cli::runUpgradeApiCommand(arguments, out, err);
    if (command == QLatin1String("rollback-api"))
        return rae::cli::runRollbackApiCommand(arguments, out, err);
    if (command == QLatin1String("demo"))
        return rae::cli::runDemoCommand(arguments, out, err);
    if (command == QLatin1String("report"))
        return rae::cli::runReportCommand(arguments, out, err);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        out << usage();
        return 0;
    }
    if (command == QLatin1String("--version")) {
        out << "rae-deploy-cli " << QCoreApplication::applicationVersion() << '\n';
        return 0;
    }
    err << Tr::tr("unknown command “%1”").arg(command) << "\n\n" << usage();
    return 2;
}
