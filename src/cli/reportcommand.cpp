#include "reportcommand.h"

#include "clusteraccess.h"

#include "cluster/inventory.h"
#include "ha/clustersources.h"
#include "monitor/metricstore.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "reportbuilder.h"
#include "reportwriter.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

#include <optional>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::ReportCommand)
};

void printError(QTextStream &err, const QString &message, const QString &hint = {})
{
    err << Tr::tr("report: %1").arg(message) << '\n';
    if (!hint.isEmpty())
        err << Tr::tr("  hint: %1").arg(hint) << '\n';
}

// "90m", "24h", "7d" or a number of seconds; at most what the metric store keeps (30 days).
std::optional<qint64> parsePeriodSeconds(const QString &text)
{
    static const QList<std::pair<QChar, qint64>> units{{QLatin1Char('s'), 1},
                                                       {QLatin1Char('m'), 60},
                                                       {QLatin1Char('h'), 3600},
                                                       {QLatin1Char('d'), 86400}};
    QString number = text.trimmed().toLower();
    qint64 factor = 1;
    for (const auto &[unit, unitFactor] : units) {
        if (number.endsWith(unit)) {
            factor = unitFactor;
            number.chop(1);
            break;
        }
    }
    bool ok = false;
    const qint64 value = number.toLongLong(&ok);
    if (!ok || value <= 0 || value * factor > 30 * 86400)
        return std::nullopt;
    return value * factor;
}

// Where the desktop application keeps a cluster's history: its data folder's `monitoring`
// folder, the cluster's name made safe for a file name.
// TODO: the naming rule is written twice (here and in the GUI's MonitoringPanel); it goes once
// the core names the history folder for both.
QString defaultDataFolder(const QString &clusterName)
{
    QString name = clusterName;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    if (name.isEmpty() || name.startsWith(QLatin1Char('.')))
        name.prepend(QStringLiteral("cluster"));
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("RAE Deploy/rae-deploy/monitoring/") + name);
}

QString userName()
{
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? qEnvironmentVariable("LOGNAME") : user;
}

} // namespace

int runReportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Writes a report of a deployment: a PDF and a self-contained HTML document, every "
               "series of the period as CSV, and everything as JSON."));
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("A saved cluster profile to read."), Tr::tr("NAME"));
    const QCommandLineOption planOption(QStringLiteral("plan"), Tr::tr("The plan file."),
                                        Tr::tr("PLAN"));
    const QCommandLineOption periodOption(QStringLiteral("period"),
                                          Tr::tr("How far back the series and events go: 90m, "
                                                 "24h, 7d (default 24h, at most 30d)."),
                                          Tr::tr("PERIOD"), QStringLiteral("24h"));
    const QCommandLineOption paperOption(QStringLiteral("paper"),
                                         Tr::tr("Paper of the PDF: a4 or letter."), Tr::tr("PAPER"),
                                         QStringLiteral("a4"));
    const QCommandLineOption formatOption(QStringLiteral("format"),
                                          Tr::tr("Formats, separated by commas: pdf, html, csv, "
                                                 "json (default all four)."),
                                          Tr::tr("FORMATS"), QStringLiteral("pdf,html,csv,json"));
    const QCommandLineOption dataOption(
        QStringLiteral("data"),
        Tr::tr("The folder of the metric store (metrics.bin). Default with --cluster: the "
               "cluster's folder in the application data."),
        Tr::tr("DIR"));
    const QCommandLineOption outOption(QStringLiteral("out"), Tr::tr("The folder to write to."),
                                       Tr::tr("DIR"));
    parser.addOptions({clusterOption, planOption, periodOption, paperOption, formatOption,
                       dataOption, outOption});
    parser.addHelpOption();

    if (!parser.parse(QStringList{QStringLiteral("report")} + arguments)) {
        printError(err, parser.errorText(), Tr::tr("see rae-deploy-cli report --help"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(err,
                   Tr::tr("unexpected argument “%1”").arg(parser.positionalArguments().first()),
                   Tr::tr("give the plan with --plan"));
        return 2;
    }
    if (!parser.isSet(clusterOption) && !parser.isSet(planOption)) {
        printError(err, Tr::tr("say what to report with --cluster NAME or --plan PLAN"));
        return 2;
    }
    if (!parser.isSet(outOption)) {
        printError(err, Tr::tr("name the folder to write to with --out DIR"));
        return 2;
    }
    const auto periodSeconds = parsePeriodSeconds(parser.value(periodOption));
    if (!periodSeconds) {
        printError(err, Tr::tr("cannot read the period “%1”").arg(parser.value(periodOption)),
                   Tr::tr("use a number with s, m, h or d, such as 24h or 7d, up to 30d"));
        return 2;
    }
    const auto formats = report::parseFormats(parser.value(formatOption));
    if (!formats) {
        printError(err, formats.error().message, formats.error().hint);
        return 2;
    }
    const auto paper = report::parsePaper(parser.value(paperOption));
    if (!paper) {
        printError(err, paper.error().message, paper.error().hint);
        return 2;
    }

    std::optional<plan::Plan> plan;
    if (parser.isSet(planOption)) {
        auto read = plan::readPlanFile(parser.value(planOption));
        if (!read) {
            err << read.error().toString() << '\n';
            return 1;
        }
        plan = std::move(read).value();
    }

    std::optional<cluster::Inventory> inventory;
    std::optional<ha::PlanClusterState> clusterState;
    if (parser.isSet(clusterOption)) {
        const auto access = connectWithProfile(parser.value(clusterOption), err);
        if (!access)
            return 1;
        cluster::InventoryLoader loader(access->client.get());
        QEventLoop loop;
        std::optional<proxmox::ApiResult<cluster::Inventory>> result;
        QObject::connect(&loader, &cluster::InventoryLoader::finished, &loop,
                         [&](const proxmox::ApiResult<cluster::Inventory> &answer) {
                             result = answer;
                             loop.quit();
                         });
        loader.load();
        loop.exec();
        if (!*result) {
            printApiError(err, result->error());
            return 1;
        }
        inventory = result->value();

        // The HA scheduler lives in datacenter.cfg; without it the manager's default holds.
        QJsonObject clusterOptions;
        QString optionsProblem;
        proxmox::ApiJob *job =
            access->client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/options")));
        QObject::connect(job, &proxmox::ApiJob::finished, &loop,
                         [&](const proxmox::ApiResult<proxmox::ApiReply> &answer) {
                             if (answer)
                                 clusterOptions = answer->data.toObject();
                             else
                                 optionsProblem = answer.error().message;
                             loop.quit();
                         });
        loop.exec();
        clusterState = ha::clusterStateFromInventory(*inventory, clusterOptions,
                                                     access->client->version().usesHaRules());
        if (!optionsProblem.isEmpty())
            clusterState->notes.append(Tr::tr("datacenter options could not be read (%1); the "
                                              "basic scheduler is assumed")
                                           .arg(optionsProblem));
    }

    const QDateTime now = QDateTime::currentDateTimeUtc();
    report::ReportInput input;
    input.plan = plan ? &*plan : nullptr;
    input.planFile = parser.value(planOption);
    input.inventory = inventory ? &*inventory : nullptr;
    input.clusterState = clusterState ? &*clusterState : nullptr;
    input.clusterName = parser.value(clusterOption);
    input.generatedAt = now;
    input.generatedBy = userName();
    input.applicationVersion = QCoreApplication::applicationVersion();

    // Series come from the store when there is one: with --data, or the cluster's own folder.
    monitor::MetricStore store;
    QString dataFolder = parser.value(dataOption);
    if (dataFolder.isEmpty() && parser.isSet(clusterOption)) {
        // A cluster nobody has monitored yet has no store; the report then says it has no data.
        const QString folder = defaultDataFolder(parser.value(clusterOption));
        if (QFileInfo::exists(QDir(folder).filePath(monitor::MetricStore::fileName())))
            dataFolder = folder;
    }
    if (!dataFolder.isEmpty()) {
        if (parser.isSet(dataOption) && !QDir(dataFolder).exists()) {
            printError(err, Tr::tr("the data folder %1 does not exist").arg(dataFolder));
            return 1;
        }
        const Status loaded = store.load(QDir(dataFolder));
        if (!loaded) {
            err << loaded.error().toString() << '\n';
            return 1;
        }
        input.store = &store;
        input.periodEnd = now;
        input.periodStart = now.addSecs(-*periodSeconds);
    }

    const report::ReportModel model = report::buildReport(input);
    report::ReportOptions options;
    options.folder = parser.value(outOption);
    options.formats = *formats;
    options.paper = *paper;
    const auto written = report::writeReports(model, options);
    if (!written) {
        err << written.error().toString() << '\n';
        return 1;
    }
    for (const QString &path : *written)
        out << path << '\n';
    return 0;
}

} // namespace rae::cli
