#include "ha/failureanalysis.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>

Q_LOGGING_CATEGORY(lcHa, "raedeploy.ha", QtInfoMsg)

namespace rae::ha {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::ha::FailureAnalysis)
};

DownReason downReason(NoNodeReason reason)
{
    switch (reason) {
    case NoNodeReason::None:
        return DownReason::None;
    case NoNodeReason::NoOnlineNode:
        return DownReason::NoOnlineNode;
    case NoNodeReason::StrictNodeAffinity:
        return DownReason::StrictNodeAffinity;
    case NoNodeReason::NegativeAffinity:
        return DownReason::NegativeAffinity;
    case NoNodeReason::TriedAllNodes:
        return DownReason::StartFails;
    }
    return DownReason::NoOnlineNode;
}

// The guests and started HA services that run on each surviving node afterwards.
QList<NodeLoadAfter> loadsAfter(const ClusterState &state, const QSet<QString> &down,
                                const QHash<QString, QString> &runningOn,
                                const AnalysisOptions &options)
{
    QList<NodeLoadAfter> loads;
    QHash<QString, qsizetype> index;
    QList<Node> nodes = state.nodes;
    std::sort(nodes.begin(), nodes.end(),
              [](const Node &a, const Node &b) { return a.name < b.name; });
    for (const Node &node : std::as_const(nodes)) {
        if (down.contains(node.name))
            continue;
        index.insert(node.name, loads.size());
        loads.append(
            {node.name, node.maintenance, 0, node.cpus, 0, node.memoryBytes, false, false});
    }
    const auto add = [&](const QString &node, double cpu, quint64 memory) {
        const auto it = index.constFind(node);
        if (it == index.cend())
            return;
        loads[*it].cpu += cpu;
        loads[*it].memoryBytes += memory;
    };
    for (const Guest &guest : state.guests) {
        if (guest.running)
            add(guest.node, guest.cpu, guest.memoryBytes);
    }
    for (const Service &service : state.services) {
        const auto it = runningOn.constFind(service.sid);
        if (it != runningOn.cend())
            add(*it, service.maxCpu(), service.memoryBytes);
    }
    for (NodeLoadAfter &load : loads) {
        load.cpuOvercommitted = load.cpu > double(load.cpus) * options.cpuOvercommitLimit;
        load.memoryOvercommitted = load.memoryBytes > load.memoryTotal;
    }
    return loads;
}

Guest guestOfIgnoredService(const Service &service)
{
    return {service.sid, service.sid, service.node, service.maxCpu(), service.memoryBytes, true};
}

} // namespace

FailureCase analyseFailure(const ClusterState &state, const CompiledRules &rules,
                           const QStringList &failedNodes, const AnalysisOptions &options)
{
    FailureCase result;
    QSet<QString> down(failedNodes.cbegin(), failedNodes.cend());
    for (const Node &node : state.nodes) {
        if (!node.online)
            down.insert(node.name);
    }
    result.failedNodes = QStringList(down.cbegin(), down.cend());
    result.failedNodes.sort();

    // Corosync: one vote per node, plus a QDevice; quorum is a strict majority.
    result.totalVotes = int(state.nodes.size()) + state.externalVotes;
    result.votes = state.externalVotes;
    for (const Node &node : state.nodes) {
        if (!down.contains(node.name))
            ++result.votes;
    }
    result.quorate = 2 * result.votes > result.totalVotes;

    QList<const Service *> services;
    services.reserve(state.services.size());
    for (const Service &service : state.services)
        services.append(&service);
    std::sort(services.begin(), services.end(),
              [](const Service *a, const Service *b) { return a->sid < b->sid; });

    QHash<QString, QString> runningOn; // started HA services after the failure
    for (const Service *service : std::as_const(services)) {
        if (service->state == RequestState::Started && !down.contains(service->node))
            runningOn.insert(service->sid, service->node);
        if (service->state == RequestState::Ignored && down.contains(service->node))
            result.lostGuests.append(guestOfIgnoredService(*service));
    }
    for (const Guest &guest : state.guests) {
        if (guest.running && down.contains(guest.node))
            result.lostGuests.append(guest);
    }

    if (!result.quorate) {
        // Without quorum nothing is recovered, and every survivor whose LRM holds started
        // services is reset by its watchdog, taking all its guests with it.
        QSet<QString> selfFenced;
        for (const Service *service : std::as_const(services)) {
            if (service->state == RequestState::Started && !down.contains(service->node))
                selfFenced.insert(service->node);
        }
        result.selfFencedNodes = QStringList(selfFenced.cbegin(), selfFenced.cend());
        result.selfFencedNodes.sort();
        for (const Service *service : std::as_const(services)) {
            if (service->state == RequestState::Ignored)
                continue;
            ServiceOutcome outcome;
            outcome.sid = service->sid;
            outcome.fromNode = service->node;
            if (down.contains(service->node)) {
                outcome.reason = service->state == RequestState::Disabled ? DownReason::Disabled
                                                                          : DownReason::NoQuorum;
            } else if (selfFenced.contains(service->node)) {
                outcome.reason = DownReason::SelfFenced;
            } else {
                continue;
            }
            runningOn.remove(service->sid);
            result.services.append(outcome);
        }
        for (const Guest &guest : state.guests) {
            if (guest.running && selfFenced.contains(guest.node))
                result.lostGuests.append(guest);
        }
        for (const Service *service : std::as_const(services)) {
            if (service->state == RequestState::Ignored && selfFenced.contains(service->node))
                result.lostGuests.append(guestOfIgnoredService(*service));
        }
        down.unite(selfFenced);
        result.loads = loadsAfter(state, down, runningOn, options);
        return result;
    }

    QList<Node> candidates;
    for (const Node &node : state.nodes) {
        if (!down.contains(node.name) && !node.maintenance)
            candidates.append(node);
    }
    NodeUsage usage(state.scheduler, candidates);

    // The manager's view once the failed nodes are fenced: their services in `recovery`.
    ServiceStatusMap statuses;
    statuses.reserve(services.size());
    for (const Service *service : std::as_const(services)) {
        if (service->state == RequestState::Ignored)
            continue;
        ServiceStatus status;
        status.node = service->node;
        if (down.contains(service->node) && service->state != RequestState::Disabled)
            status.state = CrmState::Recovery;
        else if (service->state == RequestState::Started)
            status.state = CrmState::Started;
        else
            status.state = CrmState::Stopped;
        statuses.insert(service->sid, status);
        usage.addServiceUsage(*service, status.state, status.node);
    }

    const int baseSeconds = options.timings.recoverySeconds();
    QList<qsizetype> needsStart; // outcomes whose start will fail on the chosen node
    for (const Service *service : std::as_const(services)) {
        if (!down.contains(service->node) || service->state == RequestState::Ignored)
            continue;
        ServiceOutcome outcome;
        outcome.sid = service->sid;
        outcome.fromNode = service->node;
        if (service->state == RequestState::Disabled) {
            outcome.reason = DownReason::Disabled;
            result.services.append(outcome);
            continue;
        }

        const NodeChoice choice = chooseRecoveryNode(rules, usage, *service, statuses);
        outcome.preferredNodes = choice.preferredNodes;
        if (!choice.node) {
            outcome.reason = downReason(choice.reason);
            outcome.blockingPartners = choice.blockingPartners;
            result.services.append(outcome);
            continue;
        }

        const bool start = service->state == RequestState::Started;
        ServiceStatus &status = statuses[service->sid];
        status.node = *choice.node;
        status.state = start ? CrmState::Started : CrmState::RequestStop;
        usage.removeServiceUsage(service->sid);
        usage.addServiceUsage(*service, status.state, status.node);
        outcome.toNode = choice.node;
        outcome.fate = start ? Fate::Started : Fate::MovedStopped;
        outcome.recoverySeconds = start ? baseSeconds : 0;
        if (start) {
            runningOn.insert(service->sid, *choice.node);
            if (service->unusableNodes.contains(*choice.node))
                needsStart.append(result.services.size());
        }
        result.services.append(outcome);
    }

    // A start that fails is relocated in later rounds, in the same sid order, to the best node
    // not yet tried, at most max_relocate times; after that the service is in `error`.
    for (qsizetype index : std::as_const(needsStart)) {
        ServiceOutcome &outcome = result.services[index];
        const Service &service = *state.service(outcome.sid);
        ServiceStatus &status = statuses[service.sid];
        while (service.unusableNodes.contains(status.node)) {
            outcome.failedStarts.append(status.node);
            outcome.startFailure = service.unusableNodes.value(status.node);
            status.failedNodes.append(status.node);
            if (status.failedNodes.size() > service.maxRelocate) {
                outcome.reason = DownReason::StartFails;
                break;
            }
            const NodeChoice next =
                selectServiceNode(rules, usage, service, statuses, NodePreference::TryNext);
            if (!next.node || *next.node == status.node) {
                outcome.reason = DownReason::StartFails;
                break;
            }
            status.node = *next.node;
            usage.removeServiceUsage(service.sid);
            usage.addServiceUsage(service, status.state, status.node);
        }
        outcome.toNode = status.node;
        if (outcome.reason == DownReason::StartFails) {
            status.state = CrmState::Error;
            outcome.fate = Fate::Down;
            outcome.recoverySeconds = 0;
            runningOn.remove(service.sid);
        } else {
            outcome.recoverySeconds =
                baseSeconds + int(outcome.failedStarts.size()) * options.timings.failedStartPenalty;
            runningOn.insert(service.sid, status.node);
        }
    }

    for (const ServiceOutcome &outcome : std::as_const(result.services))
        result.expectedRecoverySeconds =
            std::max(result.expectedRecoverySeconds, outcome.recoverySeconds);
    result.loads = loadsAfter(state, down, runningOn, options);
    qCDebug(lcHa) << "failure of" << result.failedNodes << "affects" << result.services.size()
                  << "services";
    return result;
}

FailureAnalysis analyseFailures(const ClusterState &state, const QList<QStringList> &cases,
                                const AnalysisOptions &options)
{
    FailureAnalysis analysis;
    const CompiledRules rules = compileRules(state);
    analysis.droppedRules = rules.droppedRules;
    if (state.scheduler == Scheduler::Dynamic) {
        analysis.predictable = false;
        analysis.notes.append(Tr::tr("The dynamic scheduler places services by live load, which "
                                     "cannot be known in advance; the placements shown follow the "
                                     "static scheduler instead."));
    }
    QList<Node> online;
    for (const Node &node : state.nodes) {
        if (node.online && !node.maintenance)
            online.append(node);
    }
    const NodeUsage probe(state.scheduler, online);
    if (!probe.fallbackReason().isEmpty())
        analysis.notes.append(probe.fallbackReason());

    analysis.cases.reserve(cases.size());
    for (const QStringList &failed : cases)
        analysis.cases.append(analyseFailure(state, rules, failed, options));
    return analysis;
}

QList<QStringList> singleNodeFailures(const ClusterState &state)
{
    QStringList names;
    for (const Node &node : state.nodes)
        names.append(node.name);
    names.sort();
    QList<QStringList> cases;
    for (const QString &name : std::as_const(names))
        cases.append({name});
    return cases;
}

QList<QStringList> nodePairFailures(const ClusterState &state)
{
    QStringList names;
    for (const Node &node : state.nodes)
        names.append(node.name);
    names.sort();
    QList<QStringList> cases;
    for (qsizetype i = 0; i < names.size(); ++i) {
        for (qsizetype j = i + 1; j < names.size(); ++j)
            cases.append({names[i], names[j]});
    }
    return cases;
}

QString downReasonName(DownReason reason)
{
    switch (reason) {
    case DownReason::None:
        return {};
    case DownReason::NoQuorum:
        return QStringLiteral("no-quorum");
    case DownReason::SelfFenced:
        return QStringLiteral("self-fenced");
    case DownReason::Disabled:
        return QStringLiteral("disabled");
    case DownReason::NoOnlineNode:
        return QStringLiteral("no-online-node");
    case DownReason::StrictNodeAffinity:
        return QStringLiteral("strict-node-affinity");
    case DownReason::NegativeAffinity:
        return QStringLiteral("negative-affinity");
    case DownReason::StartFails:
        return QStringLiteral("start-fails");
    }
    return {};
}

QString describeOutcome(const ServiceOutcome &outcome)
{
    const QString arrow = outcome.fromNode + QStringLiteral(" → ");
    switch (outcome.fate) {
    case Fate::Started:
        if (!outcome.failedStarts.isEmpty())
            return Tr::tr("%1: %2%3, started after failed starts on %4 (%5)")
                .arg(outcome.sid, arrow, *outcome.toNode,
                     outcome.failedStarts.join(QStringLiteral(", ")), outcome.startFailure);
        return Tr::tr("%1: %2%3, started").arg(outcome.sid, arrow, *outcome.toNode);
    case Fate::MovedStopped:
        return Tr::tr("%1: %2%3, moved but not started (HA state stopped)")
            .arg(outcome.sid, arrow, *outcome.toNode);
    case Fate::Down:
        break;
    }
    switch (outcome.reason) {
    case DownReason::NoQuorum:
        return Tr::tr("%1 stays down on %2: the surviving nodes have no quorum, so nothing is "
                      "recovered")
            .arg(outcome.sid, outcome.fromNode);
    case DownReason::SelfFenced:
        return Tr::tr("%1 goes down: %2 loses quorum and its watchdog resets it")
            .arg(outcome.sid, outcome.fromNode);
    case DownReason::Disabled:
        return Tr::tr("%1 stays on %2: its HA state is disabled, so it is not recovered")
            .arg(outcome.sid, outcome.fromNode);
    case DownReason::NoOnlineNode:
        return Tr::tr("%1 stays down: no node is left that may run it").arg(outcome.sid);
    case DownReason::StrictNodeAffinity:
        return Tr::tr("%1 stays down: its strict node affinity allows no surviving node")
            .arg(outcome.sid);
    case DownReason::NegativeAffinity:
        return Tr::tr(
                   "%1 stays down: %2 already occupy its preferred nodes (%3) and must not share "
                   "a node with it")
            .arg(outcome.sid, outcome.blockingPartners.join(QStringLiteral(", ")),
                 outcome.preferredNodes.join(QStringLiteral(", ")));
    case DownReason::StartFails:
        return Tr::tr("%1 stays down in error state: starts fail on %2 (%3)")
            .arg(outcome.sid, outcome.failedStarts.join(QStringLiteral(", ")),
                 outcome.startFailure);
    case DownReason::None:
        break;
    }
    return Tr::tr("%1 stays down").arg(outcome.sid);
}

} // namespace rae::ha
