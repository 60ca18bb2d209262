#include "failovercommand.h"

#include "clusteraccess.h"

#include "cluster/inventory.h"
#include "cluster/scenario.h"
#include "ha/clustersources.h"
#include "ha/planfailure.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "proxmox/formencoding.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

#include <memory>
#include <optional>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Failover)
};

QString schedulerName(ha::Scheduler scheduler)
{
    switch (scheduler) {
    case ha::Scheduler::Basic:
        return QStringLiteral("basic");
    case ha::Scheduler::Static:
        return QStringLiteral("static");
    case ha::Scheduler::Dynamic:
        return QStringLiteral("dynamic");
    }
    return {};
}

QString fateName(ha::Fate fate)
{
    switch (fate) {
    case ha::Fate::Started:
        return QStringLiteral("started");
    case ha::Fate::MovedStopped:
        return QStringLiteral("stopped");
    case ha::Fate::Down:
        return QStringLiteral("down");
    }
    return {};
}

QString gib(quint64 bytes)
{
    return QString::number(double(bytes) / double(1ull << 30), 'f', 1);
}

QJsonArray toJson(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject caseToJson(const ha::PlanFailureReport &report, qsizetype index)
{
    const ha::FailureCase &result = report.analysis.cases.at(index);
    QJsonArray vms;
    for (const ha::ServiceOutcome &outcome : result.services) {
        const QString name = report.input.vmNameOfId.value(outcome.sid);
        QJsonObject vm{
            {QStringLiteral("haId"), outcome.sid},
            {QStringLiteral("name"), name},
            {QStringLiteral("haIdIsName"), outcome.sid == name},
            {QStringLiteral("from"), outcome.fromNode},
            {QStringLiteral("to"), outcome.toNode ? QJsonValue(*outcome.toNode) : QJsonValue()},
            {QStringLiteral("state"), fateName(outcome.fate)},
            {QStringLiteral("reason"), outcome.reason == ha::DownReason::None
                                           ? QJsonValue()
                                           : QJsonValue(ha::downReasonName(outcome.reason))},
            {QStringLiteral("explanation"), ha::describeOutcome(outcome)},
            {QStringLiteral("failedStarts"), toJson(outcome.failedStarts)},
            {QStringLiteral("downtimeSeconds"), outcome.fate == ha::Fate::Started
                                                    ? QJsonValue(outcome.recoverySeconds)
                                                    : QJsonValue()},
        };
        if (outcome.fate == ha::Fate::Down)
            vm.insert(QStringLiteral("to"), QJsonValue());
        vms.append(vm);
    }
    QJsonArray lost;
    for (const ha::Guest &guest : result.lostGuests)
        lost.append(QJsonObject{
            {QStringLiteral("id"), guest.id},
            {QStringLiteral("name"), report.input.vmNameOfId.value(guest.id, guest.name)},
            {QStringLiteral("node"), guest.node}});
    QJsonArray loads;
    for (const ha::NodeLoadAfter &load : result.loads)
        loads.append(
            QJsonObject{{QStringLiteral("node"), load.node},
                        {QStringLiteral("maintenance"), load.maintenance},
                        {QStringLiteral("vcpus"), load.cpu},
                        {QStringLiteral("threads"), load.cpus},
                        {QStringLiteral("memoryBytes"), double(load.memoryBytes)},
                        {QStringLiteral("memoryTotalBytes"), double(load.memoryTotal)},
                        {QStringLiteral("cpuOvercommitted"), load.cpuOvercommitted},
                        {QStringLiteral("memoryOvercommitted"), load.memoryOvercommitted}});
    QJsonArray impacts;
    for (const ha::Impact &impact : report.impacts.at(index))
        impacts.append(
            QJsonObject{{QStringLiteral("id"), impact.id},
                        {QStringLiteral("severity"), ha::impactSeverityName(impact.severity)},
                        {QStringLiteral("text"), impact.text}});
    return QJsonObject{
        {QStringLiteral("failedNodes"), toJson(result.failedNodes)},
        {QStringLiteral("quorate"), result.quorate},
        {QStringLiteral("votes"), result.votes},
        {QStringLiteral("totalVotes"), result.totalVotes},
        {QStringLiteral("selfFencedNodes"), toJson(result.selfFencedNodes)},
        {QStringLiteral("vms"), vms},
        {QStringLiteral("lostVms"), lost},
        {QStringLiteral("nodeLoads"), loads},
        {QStringLiteral("impacts"), impacts},
        {QStringLiteral("expectedDowntimeSeconds"), result.expectedRecoverySeconds},
    };
}

void printText(const ha::PlanFailureReport &report, QTextStream &out)
{
    const ha::FailureAnalysis &analysis = report.analysis;
    out << Tr::tr("HA scheduler: %1; rules: %2")
               .arg(schedulerName(report.input.state.scheduler),
                    report.input.state.rulesSource == ha::RulesSource::Groups
                        ? Tr::tr("Proxmox VE 8 groups")
                        : Tr::tr("Proxmox VE 9 rules"))
        << '\n';
    for (const QString &note : report.input.notes + analysis.notes)
        out << Tr::tr("note: %1").arg(note) << '\n';
    for (const QString &dropped : analysis.droppedRules)
        out << Tr::tr("warning: %1").arg(dropped) << '\n';

    for (qsizetype i = 0; i < analysis.cases.size(); ++i) {
        const ha::FailureCase &result = analysis.cases.at(i);
        out << '\n'
            << Tr::tr("== %1 fails ==").arg(result.failedNodes.join(QStringLiteral(" + "))) << '\n';
        out << (result.quorate ? Tr::tr("quorum kept (%1 of %2 votes)")
                               : Tr::tr("QUORUM LOST (%1 of %2 votes)"))
                   .arg(result.votes)
                   .arg(result.totalVotes)
            << '\n';
        for (const ha::ServiceOutcome &outcome : result.services) {
            const QString name = report.input.vmNameOfId.value(outcome.sid);
            out << "  " << (outcome.fate == ha::Fate::Down ? "DOWN " : "ok   ")
                << ha::describeOutcome(outcome);
            if (!name.isEmpty() && name != outcome.sid)
                out << " [" << name << ']';
            out << '\n';
        }
        for (const ha::Guest &guest : result.lostGuests)
            out << "  DOWN " << Tr::tr("%1 (no HA) stays down with %2").arg(guest.name, guest.node)
                << '\n';
        if (!result.loads.isEmpty())
            out << Tr::tr("  load after recovery:") << '\n';
        for (const ha::NodeLoadAfter &load : result.loads) {
            out << "    " << load.node << ": "
                << Tr::tr("%1 vCPUs on %2 threads, %3 of %4 GiB")
                       .arg(load.cpu)
                       .arg(load.cpus)
                       .arg(gib(load.memoryBytes), gib(load.memoryTotal));
            if (load.cpuOvercommitted)
                out << Tr::tr(", CPU overcommitted");
            if (load.memoryOvercommitted)
                out << Tr::tr(", MEMORY OVERCOMMITTED");
            if (load.maintenance)
                out << Tr::tr(", in maintenance");
            out << '\n';
        }
        if (result.expectedRecoverySeconds > 0)
            out << Tr::tr("  expected downtime of recovered VMs: about %1 s plus guest boot")
                       .arg(result.expectedRecoverySeconds)
                << '\n';
        for (const ha::Impact &impact : report.impacts.at(i))
            out << "  " << ha::impactSeverityName(impact.severity) << ": " << impact.text << '\n';
    }
}

// Reads the live cluster of profile `name` as the failure analysis needs it; null after printing
// what went wrong.
std::optional<ha::PlanClusterState> readLiveCluster(const QString &name, QTextStream &err)
{
    const std::unique_ptr<ClusterAccess> access = connectWithProfile(name, err);
    if (!access)
        return std::nullopt;

    cluster::InventoryLoader loader(access->client.get());
    QEventLoop loop;
    std::optional<proxmox::ApiResult<cluster::Inventory>> inventory;
    QObject::connect(&loader, &cluster::InventoryLoader::finished, &loop,
                     [&](const proxmox::ApiResult<cluster::Inventory> &answer) {
                         inventory = answer;
                         loop.quit();
                     });
    loader.load();
    loop.exec();
    if (!*inventory) {
        printApiError(err, inventory->error());
        return std::nullopt;
    }

    // The scheduler lives in datacenter.cfg; without it the manager's default is assumed.
    QJsonObject options;
    QStringList notes;
    proxmox::ApiJob *job =
        access->client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/options")));
    QObject::connect(job, &proxmox::ApiJob::finished, &loop,
                     [&](const proxmox::ApiResult<proxmox::ApiReply> &answer) {
                         if (answer)
                             options = answer->data.toObject();
                         else
                             notes << Tr::tr("datacenter options could not be read (%1); the "
                                             "basic scheduler is assumed")
                                          .arg(answer.error().message);
                         loop.quit();
                     });
    loop.exec();

    ha::PlanClusterState input = ha::clusterStateFromInventory(
        inventory->value(), options, access->client->version().usesHaRules());

    // Each HA VM's config says what its start needs (GPU mapping, disks): one request per VM.
    QHash<QString, QMap<QString, QString>> configs;
    int pending = 0;
    for (const ha::Service &service : std::as_const(input.state.services)) {
        if (!service.sid.startsWith(QLatin1String("vm:")))
            continue;
        ++pending;
        const QString sid = service.sid;
        proxmox::ApiJob *configJob = access->client->send(proxmox::ApiRequest::get(
            proxmox::form::path({QStringLiteral("nodes"), service.node, QStringLiteral("qemu"),
                                 sid.section(u':', 1), QStringLiteral("config")})));
        QObject::connect(configJob, &proxmox::ApiJob::finished, &loop,
                         [&, sid](const proxmox::ApiResult<proxmox::ApiReply> &answer) {
                             if (answer) {
                                 QMap<QString, QString> &config = configs[sid];
                                 const QJsonObject object = answer->data.toObject();
                                 for (auto it = object.begin(); it != object.end(); ++it)
                                     config.insert(it.key(), it->toVariant().toString());
                             } else {
                                 notes << Tr::tr("the config of %1 could not be read (%2): where "
                                                 "its start would fail is not known")
                                              .arg(sid, answer.error().message);
                             }
                             if (--pending == 0)
                                 loop.quit();
                         });
    }
    if (pending > 0)
        loop.exec();
    ha::addStartBlockers(input, inventory->value(), configs);
    ha::applyConfigSizes(input, configs);
    input.notes << notes;
    return input;
}

} // namespace

int runFailoverCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Predicts what the Proxmox VE HA manager does when nodes fail, for a plan, a "
               "saved cluster or a simulator scenario."));
    const QCommandLineOption planOption(QStringLiteral("plan"), Tr::tr("The plan file."),
                                        Tr::tr("PLAN"));
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("A saved cluster profile, read live."), Tr::tr("NAME"));
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"),
                                            Tr::tr("A simulator scenario file."), Tr::tr("FILE"));
    const QCommandLineOption failOption(QStringLiteral("fail"),
                                        Tr::tr("A node that fails; repeat for nodes failing "
                                               "together."),
                                        Tr::tr("NODE"));
    const QCommandLineOption pairsOption(
        QStringLiteral("pairs"), Tr::tr("Also analyse every pair of nodes failing together."));
    const QCommandLineOption jsonOption(QStringLiteral("json"), Tr::tr("Print JSON."));
    parser.addOptions(
        {planOption, clusterOption, scenarioOption, failOption, pairsOption, jsonOption});
    parser.addHelpOption();

    if (!parser.parse(QStringList{QStringLiteral("failover")} + arguments)) {
        err << parser.errorText() << '\n';
        return 1;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    const int sources = int(parser.isSet(planOption)) + int(parser.isSet(clusterOption)) +
                        int(parser.isSet(scenarioOption));
    if (sources != 1) {
        err << Tr::tr("failover: give one of --plan PLAN, --cluster NAME or --scenario FILE")
            << '\n';
        return 1;
    }

    // The plan keeps its own path: its impacts speak of RAE's roles.
    std::optional<plan::Plan> plan;
    std::optional<ha::PlanClusterState> input;
    QString sourceKey;
    if (parser.isSet(planOption)) {
        sourceKey = QStringLiteral("plan");
        auto read = plan::readPlanFile(parser.value(planOption));
        if (!read) {
            err << read.error().toString() << '\n';
            return 2;
        }
        plan = std::move(read).value();
        input = ha::clusterStateFromPlan(*plan);
    } else if (parser.isSet(scenarioOption)) {
        sourceKey = QStringLiteral("scenario");
        const auto scenario = cluster::Scenario::load(parser.value(scenarioOption));
        if (!scenario) {
            err << scenario.error().toString() << '\n';
            return 2;
        }
        input = ha::clusterStateFromScenario(*scenario);
    } else {
        sourceKey = QStringLiteral("cluster");
        input = readLiveCluster(parser.value(clusterOption), err);
        if (!input)
            return 2;
    }

    QList<QStringList> cases;
    const QStringList failing = parser.values(failOption);
    if (!failing.isEmpty()) {
        for (const QString &node : failing) {
            if (!input->state.node(node)) {
                err << Tr::tr("failover: the cluster has no node %1").arg(node) << '\n';
                return 1;
            }
        }
        cases.append(failing);
    } else {
        cases = ha::singleNodeFailures(input->state);
        if (parser.isSet(pairsOption))
            cases += ha::nodePairFailures(input->state);
    }

    const ha::PlanFailureReport report =
        plan ? ha::analysePlanFailures(*plan, cases) : ha::analyseClusterFailures(*input, cases);
    if (parser.isSet(jsonOption)) {
        QJsonArray jsonCases;
        for (qsizetype i = 0; i < report.analysis.cases.size(); ++i)
            jsonCases.append(caseToJson(report, i));
        const QJsonObject root{
            {sourceKey, parser.value(sourceKey)},
            {QStringLiteral("scheduler"), schedulerName(report.input.state.scheduler)},
            {QStringLiteral("rules"), report.input.state.rulesSource == ha::RulesSource::Groups
                                          ? QStringLiteral("pve8-groups")
                                          : QStringLiteral("pve9-rules")},
            {QStringLiteral("predictable"), report.analysis.predictable},
            {QStringLiteral("notes"), toJson(report.input.notes + report.analysis.notes)},
            {QStringLiteral("droppedRules"), toJson(report.analysis.droppedRules)},
            {QStringLiteral("cases"), jsonCases},
        };
        out << QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented));
    } else {
        printText(report, out);
    }
    return 0;
}

} // namespace rae::cli
