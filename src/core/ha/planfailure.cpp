#include "ha/planfailure.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace rae::ha {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::ha::PlanFailure)
};

RequestState requestState(plan::HaState state)
{
    switch (state) {
    case plan::HaState::Started:
        return RequestState::Started;
    case plan::HaState::Stopped:
        return RequestState::Stopped;
    case plan::HaState::Disabled:
        return RequestState::Disabled;
    case plan::HaState::Ignored:
        return RequestState::Ignored;
    }
    return RequestState::Started;
}

// Why `vm` cannot start on `node` although the HA manager may pick it; empty when it can.
QString startBlocker(const plan::Plan &plan, const plan::Vm &vm, const plan::Node &node)
{
    if (vm.gpuMapping) {
        const auto hasMapping = [&vm](const plan::Node &candidate) {
            return std::any_of(
                candidate.gpus.cbegin(), candidate.gpus.cend(),
                [&vm](const plan::GpuMapping &gpu) { return gpu.mapping == *vm.gpuMapping; });
        };
        if (!hasMapping(node)) {
            QStringList holders;
            for (const plan::Node &candidate : plan.nodes) {
                if (hasMapping(candidate))
                    holders.append(candidate.name);
            }
            if (holders.isEmpty())
                return Tr::tr("its GPU mapping %1 exists on no node").arg(*vm.gpuMapping);
            return Tr::tr("its GPU mapping %1 exists on %2 only")
                .arg(*vm.gpuMapping, holders.join(QStringLiteral(", ")));
        }
    }
    for (const plan::Disk &disk : vm.disks) {
        const plan::Storage *storage = plan.storage(disk.storage);
        if (!storage)
            continue;
        if (!storage->isOnNode(node.name))
            return Tr::tr("storage %1 of its disk is not available on %2")
                .arg(storage->id, node.name);
        if (storage->shared)
            continue;
        const bool replicated =
            std::any_of(vm.replication.cbegin(), vm.replication.cend(),
                        [&node](const plan::Replication &job) { return job.target == node.name; });
        if (!replicated || storage->type != plan::StorageType::ZfsPool)
            return Tr::tr("its disk is on local storage %1 and not replicated to %2")
                .arg(storage->id, node.name);
    }
    return {};
}

QString gib(quint64 bytes)
{
    return QString::number(double(bytes) / double(1ull << 30), 'f', 0);
}

} // namespace

QString haId(const plan::Vm &vm)
{
    return vm.vmid ? QStringLiteral("vm:%1").arg(*vm.vmid) : vm.name;
}

PlanClusterState clusterStateFromPlan(const plan::Plan &plan)
{
    PlanClusterState result;
    ClusterState &state = result.state;
    state.scheduler = plan.cluster.haScheduler == plan::HaScheduler::Static ? Scheduler::Static
                                                                            : Scheduler::Basic;
    const bool groups = plan.cluster.release == plan::Release::Pve8;
    state.rulesSource = groups ? RulesSource::Groups : RulesSource::Rules;

    for (const plan::Node &node : plan.nodes)
        state.nodes.append({node.name, true, node.maintenance, node.threads, node.memory.bytes()});

    QSet<QString> pairsSeen;
    for (const plan::Vm &vm : plan.vms) {
        const QString id = haId(vm);
        result.vmNameOfId.insert(id, vm.name);
        if (!vm.vmid)
            result.notes.append(Tr::tr("%1 has no vmid yet; it is named by its name instead of "
                                       "vm:ID")
                                    .arg(vm.name));
        if (!vm.ha.managed) {
            state.guests.append({id, vm.name, vm.node, double(vm.cores), vm.memory.bytes(), true});
            continue;
        }

        Service service;
        service.sid = id;
        service.node = vm.node;
        service.state = requestState(vm.ha.state);
        service.cores = vm.cores;
        service.memoryBytes = vm.memory.bytes();
        service.failback = vm.ha.failback;
        service.maxRelocate = vm.ha.maxRelocate;
        for (const plan::Node &node : plan.nodes) {
            if (node.name == vm.node)
                continue;
            const QString blocker = startBlocker(plan, vm, node);
            if (!blocker.isEmpty())
                service.unusableNodes.insert(node.name, blocker);
        }

        if (!vm.ha.nodePriorities.isEmpty()) {
            const QString ruleId = QStringLiteral("rae-") + vm.name;
            if (groups) {
                state.groups.append({ruleId, vm.ha.nodePriorities, vm.ha.strict, !vm.ha.failback});
                service.group = ruleId;
            } else {
                state.nodeAffinity.append(
                    {ruleId, {id}, vm.ha.nodePriorities, vm.ha.strict, false});
            }
        }
        state.services.append(service);

        for (const QString &otherName : vm.ha.antiAffinity) {
            const plan::Vm *other = plan.vm(otherName);
            if (!other)
                continue;
            QStringList pair{vm.name, otherName};
            pair.sort();
            const QString key = pair.join(QLatin1Char('/'));
            if (pairsSeen.contains(key))
                continue;
            pairsSeen.insert(key);
            if (groups) {
                result.notes.append(
                    Tr::tr("Proxmox VE 8 has no resource affinity: nothing keeps %1 "
                           "and %2 on different nodes")
                        .arg(pair[0], pair[1]));
            } else if (!other->ha.managed) {
                result.notes.append(
                    Tr::tr("%1 is not HA-managed, so HA cannot keep it apart from %2")
                        .arg(otherName, vm.name));
            } else {
                state.resourceAffinity.append(
                    {QStringLiteral("rae-apart-") + pair.join(QLatin1Char('-')),
                     {haId(*plan.vm(pair[0])), haId(*plan.vm(pair[1]))},
                     Affinity::Negative,
                     false});
            }
        }
    }
    return result;
}

QList<Impact> roleImpacts(const QList<RoleMember> &members)
{
    QList<Impact> impacts;
    for (plan::Role role : plan::kAllRoles) {
        QStringList reasons;
        int total = 0;
        int running = 0;
        for (const RoleMember &member : members) {
            if (member.role != role)
                continue;
            ++total;
            if (member.why.isEmpty())
                ++running;
            else if (!reasons.contains(member.why))
                reasons.append(member.why);
        }
        if (running == total)
            continue;
        const QString label = plan::roleTitle(role);
        if (running == 0) {
            const QString what =
                role == plan::Role::Llm ? Tr::tr("%1 unavailable: %2") : Tr::tr("%1 down: %2");
            impacts.append({QStringLiteral("role-down"), ImpactSeverity::Critical,
                            what.arg(label, reasons.join(QStringLiteral("; ")))});
        } else if (role == plan::Role::Api) {
            const QString what =
                running * 2 == total
                    ? Tr::tr("API capacity halved (%1 of %2 replicas running): %3")
                    : Tr::tr("API capacity reduced (%1 of %2 replicas running): %3");
            impacts.append({QStringLiteral("api-capacity"), ImpactSeverity::Warning,
                            what.arg(running).arg(total).arg(reasons.join(QStringLiteral("; ")))});
        } else {
            impacts.append({QStringLiteral("role-degraded"), ImpactSeverity::Warning,
                            Tr::tr("%1 degraded (%2 of %3 running): %4")
                                .arg(label)
                                .arg(running)
                                .arg(total)
                                .arg(reasons.join(QStringLiteral("; ")))});
        }
    }
    return impacts;
}

QList<Impact> planImpacts(const plan::Plan &plan, const FailureCase &result)
{
    QList<Impact> impacts;
    const QSet<QString> down(result.failedNodes.cbegin(), result.failedNodes.cend());
    const QSet<QString> fenced(result.selfFencedNodes.cbegin(), result.selfFencedNodes.cend());

    QHash<QString, const ServiceOutcome *> outcomes;
    for (const ServiceOutcome &outcome : result.services)
        outcomes.insert(outcome.sid, &outcome);

    // Whether each VM runs afterwards, and why not.
    const auto whyDown = [&](const plan::Vm &vm) -> QString {
        const QString id = haId(vm);
        if (vm.ha.managed && vm.ha.state != plan::HaState::Ignored) {
            if (const ServiceOutcome *outcome = outcomes.value(id)) {
                if (outcome->fate == Fate::Started)
                    return {};
                if (outcome->reason == DownReason::StartFails)
                    return outcome->startFailure;
                return describeOutcome(*outcome);
            }
            if (vm.ha.state != plan::HaState::Started)
                return Tr::tr("its HA state is %1").arg(plan::haStateName(vm.ha.state));
            return {};
        }
        if (fenced.contains(vm.node))
            return Tr::tr("%1 fenced itself without quorum").arg(vm.node);
        if (down.contains(vm.node))
            return Tr::tr("%1 is not HA-managed and stays down with %2").arg(vm.name, vm.node);
        return {};
    };

    if (!result.quorate)
        impacts.append({QStringLiteral("no-quorum"), ImpactSeverity::Critical,
                        Tr::tr("quorum lost (%1 of %2 votes): nothing is recovered")
                            .arg(result.votes)
                            .arg(result.totalVotes)});
    for (const QString &node : result.selfFencedNodes)
        impacts.append(
            {QStringLiteral("self-fenced"), ImpactSeverity::Critical,
             Tr::tr("%1 fences itself: its watchdog resets it without quorum").arg(node)});

    QList<RoleMember> members;
    for (const plan::Vm &vm : plan.vms)
        members.append({vm.role, whyDown(vm)});
    impacts += roleImpacts(members);

    for (const NodeLoadAfter &load : result.loads) {
        if (load.memoryOvercommitted)
            impacts.append({QStringLiteral("overcommit"), ImpactSeverity::Warning,
                            Tr::tr("%1 memory overcommitted after recovery: %2 of %3 GiB")
                                .arg(load.node, gib(load.memoryBytes), gib(load.memoryTotal))});
        if (load.cpuOvercommitted)
            impacts.append({QStringLiteral("overcommit"), ImpactSeverity::Warning,
                            Tr::tr("%1 CPU overcommitted after recovery: %2 vCPUs on %3 threads "
                                   "(limit %4 per thread)")
                                .arg(load.node)
                                .arg(load.cpu)
                                .arg(load.cpus)
                                .arg(plan.validation.cpuOvercommit)});
    }
    return impacts;
}

PlanFailureReport analysePlanFailures(const plan::Plan &plan, const QList<QStringList> &cases)
{
    PlanFailureReport report;
    report.input = clusterStateFromPlan(plan);
    AnalysisOptions options;
    options.cpuOvercommitLimit = plan.validation.cpuOvercommit;
    report.analysis = analyseFailures(report.input.state, cases, options);
    report.impacts.reserve(report.analysis.cases.size());
    for (const FailureCase &result : std::as_const(report.analysis.cases))
        report.impacts.append(planImpacts(plan, result));
    return report;
}

QString impactSeverityName(ImpactSeverity severity)
{
    switch (severity) {
    case ImpactSeverity::Info:
        return QStringLiteral("info");
    case ImpactSeverity::Warning:
        return QStringLiteral("warning");
    case ImpactSeverity::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

} // namespace rae::ha
