#include "ha/clustersources.h"

#include "proxmox/lenient.h"
#include "proxmox/propertystring.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <optional>

namespace rae::ha {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::ha::ClusterSources)
};

RequestState requestState(const QString &state)
{
    if (state == QLatin1String("stopped"))
        return RequestState::Stopped;
    if (state == QLatin1String("disabled"))
        return RequestState::Disabled;
    if (state == QLatin1String("ignored"))
        return RequestState::Ignored;
    return RequestState::Started; // "started" and its old name "enabled"
}

// "pve2:2,pve3" as the HA configuration writes node lists; a node without a priority has 0.
QMap<QString, int> nodePriorities(const QString &text)
{
    QMap<QString, int> nodes;
    for (const QString &item : text.split(u',', Qt::SkipEmptyParts))
        nodes.insert(item.section(u':', 0, 0).trimmed(), item.section(u':', 1, 1).toInt());
    return nodes;
}

QMap<QString, int> nodePriorities(const QList<cluster::HaNodePriority> &list)
{
    QMap<QString, int> nodes;
    for (const cluster::HaNodePriority &entry : list)
        nodes.insert(entry.node, entry.priority.value_or(0));
    return nodes;
}

bool yes(const QString &value)
{
    return value == QLatin1String("1") || value == QLatin1String("true") ||
           value == QLatin1String("yes");
}

// `memory` of a VM config in MiB: a bare number, or `current=` of the PVE 9 property string.
quint64 configMemoryBytes(const QMap<QString, QString> &config)
{
    const QString text = config.value(QStringLiteral("memory"));
    qint64 mib = 512; // qemu-server's default
    if (const auto parsed = proxmox::PropertyString::parse(text, QStringLiteral("current"));
        parsed && parsed->intValue(QStringLiteral("current")))
        mib = *parsed->intValue(QStringLiteral("current"));
    return static_cast<quint64>(std::max<qint64>(mib, 0)) * 1024 * 1024;
}

int configInt(const QMap<QString, QString> &config, const char *key)
{
    return std::max(1, config.value(QLatin1String(key)).toInt());
}

QString guestId(cluster::GuestType type, int vmid)
{
    return (type == cluster::GuestType::Lxc ? QStringLiteral("ct:%1") : QStringLiteral("vm:%1"))
        .arg(vmid);
}

// One key of a datacenter option: the API decodes property strings such as `crs` into objects,
// a raw datacenter.cfg line keeps the text.
QString optionKey(const QJsonValue &option, const QString &key)
{
    if (option.isObject())
        return option.toObject().value(key).toVariant().toString();
    const auto parsed = proxmox::PropertyString::parse(option.toString(), key);
    return parsed ? parsed->value(key) : QString();
}

void addShutdownPolicyNote(const QJsonValue &ha, QStringList &notes)
{
    const QString policy = optionKey(ha, QStringLiteral("shutdown_policy"));
    if (!policy.isEmpty() && policy != QLatin1String("conditional"))
        notes << Tr::tr("HA shutdown policy '%1' applies to orderly shutdowns and reboots only; "
                        "a failed node is fenced and recovered whatever it says")
                     .arg(policy);
}

// Why a scenario VM cannot start on `node` although the HA manager may pick it; empty when it
// can. The same reasons as for a plan: a PCI mapping the node lacks, a disk's storage missing
// there, a local disk without a ZFS replica on that node.
QString scenarioStartBlocker(const cluster::Scenario &scenario, const cluster::VmDef &vm,
                             const cluster::NodeDef &node)
{
    static const QRegularExpression diskKey(
        QStringLiteral("^(scsi|virtio|sata|ide|efidisk|tpmstate)\\d+$"));
    static const QRegularExpression pciKey(QStringLiteral("^hostpci\\d+$"));
    for (auto it = vm.config.cbegin(); it != vm.config.cend(); ++it) {
        if (!pciKey.match(it.key()).hasMatch())
            continue;
        const auto pci = proxmox::PropertyString::parse(it.value(), QStringLiteral("host"));
        const QString mapping = pci ? pci->value(QStringLiteral("mapping")) : QString();
        if (mapping.isEmpty())
            continue;
        QStringList holders;
        for (const cluster::PciMappingDef &def : scenario.pciMappings) {
            if (def.id != mapping)
                continue;
            for (const QString &entry : def.map) {
                const auto parsed = proxmox::PropertyString::parse(entry);
                if (parsed && !parsed->value(QStringLiteral("node")).isEmpty())
                    holders << parsed->value(QStringLiteral("node"));
            }
        }
        if (holders.contains(node.name))
            continue;
        if (holders.isEmpty())
            return Tr::tr("its GPU mapping %1 exists on no node").arg(mapping);
        return Tr::tr("its GPU mapping %1 exists on %2 only")
            .arg(mapping, holders.join(QStringLiteral(", ")));
    }
    for (auto it = vm.config.cbegin(); it != vm.config.cend(); ++it) {
        if (!diskKey.match(it.key()).hasMatch())
            continue;
        const auto disk = proxmox::PropertyString::parse(it.value(), QStringLiteral("file"));
        if (!disk || disk->value(QStringLiteral("media")) == QLatin1String("cdrom"))
            continue;
        const QString storageId = disk->value(QStringLiteral("file")).section(u':', 0, 0);
        const auto storage = std::find_if(
            scenario.storages.cbegin(), scenario.storages.cend(),
            [&storageId](const cluster::StorageDef &def) { return def.id == storageId; });
        if (storage == scenario.storages.cend())
            continue;
        if (!node.storages.contains(storageId))
            return Tr::tr("storage %1 of its disk is not available on %2")
                .arg(storageId, node.name);
        if (storage->shared)
            continue;
        const QString prefix = QString::number(vm.vmid) + u'-';
        const bool replicated =
            std::any_of(scenario.replicationJobs.cbegin(), scenario.replicationJobs.cend(),
                        [&](const cluster::ReplicationJobDef &job) {
                            return job.id.startsWith(prefix) && job.target == node.name;
                        });
        if (!replicated || storage->type != QLatin1String("zfspool"))
            return Tr::tr("its disk is on local storage %1 and not replicated to %2")
                .arg(storageId, node.name);
    }
    return {};
}

} // namespace

Scheduler schedulerFromCrs(const QJsonValue &crs)
{
    const QString ha = optionKey(crs, QStringLiteral("ha"));
    if (ha == QLatin1String("static"))
        return Scheduler::Static;
    if (ha == QLatin1String("dynamic"))
        return Scheduler::Dynamic;
    return Scheduler::Basic;
}

PlanClusterState clusterStateFromScenario(const cluster::Scenario &scenario)
{
    PlanClusterState input;
    ClusterState &state = input.state;
    for (const cluster::NodeDef &def : scenario.nodes)
        state.nodes.append(
            {def.name, true, false, def.threads, static_cast<quint64>(std::max(def.memory, 0LL))});

    QHash<QString, const cluster::VmDef *> vmOfSid;
    for (const cluster::VmDef &vm : scenario.vms) {
        if (!vm.templateVm)
            vmOfSid.insert(QStringLiteral("vm:%1").arg(vm.vmid), &vm);
    }

    // The manager walks its services by sid as a string; keep that order from the start.
    QList<cluster::HaResourceDef> resources = scenario.haResources;
    std::sort(resources.begin(), resources.end(),
              [](const auto &a, const auto &b) { return a.sid < b.sid; });
    QSet<QString> managed;
    for (const cluster::HaResourceDef &resource : resources) {
        Service service;
        service.sid = resource.sid;
        service.state = requestState(
            resource.options.value(QStringLiteral("state"), QStringLiteral("started")));
        service.failback = resource.options.value(QStringLiteral("failback"),
                                                  QStringLiteral("1")) != QLatin1String("0");
        service.maxRelocate =
            resource.options.value(QStringLiteral("max_relocate"), QStringLiteral("1")).toInt();
        service.group = resource.options.value(QStringLiteral("group"));
        const cluster::VmDef *vm = vmOfSid.value(resource.sid);
        if (!vm) {
            input.notes << Tr::tr("HA resource %1 has no VM in the scenario; it is left out")
                               .arg(resource.sid);
            continue;
        }
        service.node = vm->node;
        service.cores = configInt(vm->config, "cores");
        service.sockets = configInt(vm->config, "sockets");
        service.cpulimit = vm->config.value(QStringLiteral("cpulimit")).toDouble();
        service.memoryBytes = configMemoryBytes(vm->config);
        for (const cluster::NodeDef &node : scenario.nodes) {
            if (node.name == vm->node)
                continue;
            const QString blocker = scenarioStartBlocker(scenario, *vm, node);
            if (!blocker.isEmpty())
                service.unusableNodes.insert(node.name, blocker);
        }
        input.vmNameOfId.insert(service.sid, vm->name);
        if (const auto role = plan::roleFromTags(
                proxmox::lenient::splitList(vm->config.value(QStringLiteral("tags")))))
            input.roleOfId.insert(service.sid, *role);
        managed.insert(service.sid);
        state.services.append(service);
    }
    for (const cluster::VmDef &vm : scenario.vms) {
        const QString sid = QStringLiteral("vm:%1").arg(vm.vmid);
        if (vm.templateVm || managed.contains(sid))
            continue;
        input.vmNameOfId.insert(sid, vm.name);
        if (const auto role = plan::roleFromTags(
                proxmox::lenient::splitList(vm.config.value(QStringLiteral("tags")))))
            input.roleOfId.insert(sid, *role);
        state.guests.append(
            {sid, vm.name, vm.node,
             double(configInt(vm.config, "cores")) * double(configInt(vm.config, "sockets")),
             configMemoryBytes(vm.config), vm.running});
    }

    state.scheduler = schedulerFromCrs(QJsonObject{{QStringLiteral("ha"), scenario.crsHa}});
    state.rulesSource = scenario.isPve9() ? RulesSource::Rules : RulesSource::Groups;
    for (const cluster::HaGroupDef &group : scenario.haGroups)
        state.groups.append(
            {group.group, nodePriorities(group.nodes), group.restricted, group.nofailback});
    for (const cluster::HaRuleDef &rule : scenario.haRules) {
        const QStringList members =
            rule.options.value(QStringLiteral("resources")).split(u',', Qt::SkipEmptyParts);
        const bool disabled = yes(rule.options.value(QStringLiteral("disable")));
        if (rule.type == QLatin1String("node-affinity"))
            state.nodeAffinity.append(
                {rule.rule, members, nodePriorities(rule.options.value(QStringLiteral("nodes"))),
                 yes(rule.options.value(QStringLiteral("strict"))), disabled});
        else if (rule.type == QLatin1String("resource-affinity"))
            state.resourceAffinity.append(
                {rule.rule, members,
                 rule.options.value(QStringLiteral("affinity")) == QLatin1String("positive")
                     ? Affinity::Positive
                     : Affinity::Negative,
                 disabled});
        else
            input.notes << Tr::tr("HA rule %1 has type '%2', which the analysis does not know")
                               .arg(rule.rule, rule.type);
    }
    return input;
}

PlanClusterState clusterStateFromInventory(const cluster::Inventory &inventory,
                                           const QJsonObject &clusterOptions, bool pve9)
{
    PlanClusterState input;
    ClusterState &state = input.state;
    input.notes << inventory.problems;
    for (const cluster::NodeResource &node : inventory.resources.nodes)
        state.nodes.append({node.name, node.status == cluster::NodeStatus::Online,
                            node.haState == QLatin1String("maintenance"), node.maxCpu,
                            node.memoryTotal});

    QList<cluster::HaResource> resources = inventory.haResources;
    std::sort(resources.begin(), resources.end(),
              [](const auto &a, const auto &b) { return a.sid < b.sid; });
    QSet<QString> managed;
    for (const cluster::HaResource &resource : resources) {
        const cluster::GuestResource *guest = inventory.resources.guest(resource.vmid);
        if (!guest) {
            input.notes << Tr::tr("HA resource %1 has no guest in the cluster resources; it is "
                                  "left out")
                               .arg(resource.sid);
            continue;
        }
        Service service;
        service.sid = resource.sid;
        service.node = guest->node;
        service.state = requestState(resource.state);
        service.cores = std::max(1, guest->maxCpu);
        service.memoryBytes = guest->memoryTotal;
        service.failback = resource.failback;
        service.maxRelocate = resource.maxRelocate;
        service.group = resource.group;
        input.vmNameOfId.insert(service.sid, guest->name);
        if (const auto role = plan::roleFromTags(guest->tags))
            input.roleOfId.insert(service.sid, *role);
        managed.insert(service.sid);
        state.services.append(service);
    }
    for (const cluster::GuestResource &guest : inventory.resources.guests) {
        const QString id = guestId(guest.type, guest.vmid);
        if (guest.isTemplate || managed.contains(id))
            continue;
        input.vmNameOfId.insert(id, guest.name);
        if (const auto role = plan::roleFromTags(guest.tags))
            input.roleOfId.insert(id, *role);
        state.guests.append({id, guest.name, guest.node, double(guest.maxCpu), guest.memoryTotal,
                             guest.status == cluster::GuestStatus::Running});
    }

    state.scheduler = schedulerFromCrs(clusterOptions.value(QStringLiteral("crs")));
    addShutdownPolicyNote(clusterOptions.value(QStringLiteral("ha")), input.notes);
    state.rulesSource = pve9 ? RulesSource::Rules : RulesSource::Groups;
    for (const cluster::HaGroup &group : inventory.haGroups)
        state.groups.append(
            {group.group, nodePriorities(group.nodes), group.restricted, group.noFailback});
    for (const cluster::HaRule &rule : inventory.haRules) {
        switch (rule.type) {
        case cluster::HaRule::Type::NodeAffinity:
            state.nodeAffinity.append({rule.rule, rule.resources, nodePriorities(rule.nodes),
                                       rule.strict, rule.disabled});
            break;
        case cluster::HaRule::Type::ResourceAffinity:
            state.resourceAffinity.append({rule.rule, rule.resources,
                                           rule.positive ? Affinity::Positive : Affinity::Negative,
                                           rule.disabled});
            break;
        case cluster::HaRule::Type::Other:
            input.notes << Tr::tr("HA rule %1 has type '%2', which the analysis does not know")
                               .arg(rule.rule, rule.typeText);
            break;
        }
    }
    return input;
}

void addStartBlockers(PlanClusterState &input, const cluster::Inventory &inventory,
                      const QHash<QString, QMap<QString, QString>> &configsBySid)
{
    // The inventory in the scenario's terms, so that one rule set judges both sources.
    cluster::Scenario cluster;
    for (const cluster::StorageConfig &storage : inventory.storages) {
        cluster::StorageDef def;
        def.id = storage.storage;
        def.type = storage.type;
        def.shared = storage.shared;
        cluster.storages.append(def);
    }
    for (const cluster::NodeResource &node : inventory.resources.nodes) {
        cluster::NodeDef def;
        def.name = node.name;
        for (const cluster::StorageConfig &storage : inventory.storages) {
            if (!storage.disabled && (storage.nodes.isEmpty() || storage.nodes.contains(node.name)))
                def.storages.append(storage.storage);
        }
        cluster.nodes.append(def);
    }
    for (const cluster::PciMapping &mapping : inventory.pciMappings) {
        cluster::PciMappingDef def;
        def.id = mapping.id;
        for (const QString &node : mapping.nodes())
            def.map.append(QStringLiteral("node=") + node);
        cluster.pciMappings.append(def);
    }
    for (const cluster::ReplicationStatus &job : inventory.replicationJobs) {
        cluster::ReplicationJobDef def;
        def.id = job.id;
        def.target = job.target;
        cluster.replicationJobs.append(def);
    }

    for (Service &service : input.state.services) {
        const auto config = configsBySid.constFind(service.sid);
        if (config == configsBySid.constEnd())
            continue;
        cluster::VmDef vm;
        vm.vmid = service.sid.section(u':', 1).toInt();
        vm.node = service.node;
        vm.config = *config;
        for (const cluster::NodeDef &node : std::as_const(cluster.nodes)) {
            if (node.name == service.node)
                continue;
            const QString blocker = scenarioStartBlocker(cluster, vm, node);
            if (!blocker.isEmpty())
                service.unusableNodes.insert(node.name, blocker);
        }
    }
}

void applyConfigSizes(PlanClusterState &input,
                      const QHash<QString, QMap<QString, QString>> &configsBySid)
{
    for (Service &service : input.state.services) {
        const auto config = configsBySid.constFind(service.sid);
        if (config == configsBySid.constEnd())
            continue;
        service.cores = configInt(*config, "cores");
        service.sockets = configInt(*config, "sockets");
        service.cpulimit = config->value(QStringLiteral("cpulimit")).toDouble();
    }
}

QList<Impact> clusterImpacts(const PlanClusterState &input, const FailureCase &result)
{
    QList<Impact> impacts;
    if (!result.quorate)
        impacts.append({QStringLiteral("no-quorum"), ImpactSeverity::Critical,
                        Tr::tr("quorum lost (%1 of %2 votes): nothing is recovered")
                            .arg(result.votes)
                            .arg(result.totalVotes)});
    for (const QString &node : result.selfFencedNodes)
        impacts.append(
            {QStringLiteral("self-fenced"), ImpactSeverity::Critical,
             Tr::tr("%1 fences itself: its watchdog resets it without quorum").arg(node)});
    QHash<QString, const ServiceOutcome *> outcomes;
    for (const ServiceOutcome &outcome : result.services) {
        outcomes.insert(outcome.sid, &outcome);
        // RAE's VMs are reported by role below, with the same reason.
        if (outcome.fate != Fate::Down || outcome.reason == DownReason::Disabled ||
            input.roleOfId.contains(outcome.sid))
            continue;
        const QString name = input.vmNameOfId.value(outcome.sid, outcome.sid);
        impacts.append(
            {QStringLiteral("vm-down"), ImpactSeverity::Critical,
             Tr::tr("%1 (%2) stays down: %3").arg(name, outcome.sid, describeOutcome(outcome))});
    }

    // RAE's roles, from the VMs' tags, as the plan path names them. Only VMs that serve now
    // count: a stopped one (a blue-green tier kept for a rollback, say) is no replica.
    const QSet<QString> failed(result.failedNodes.cbegin(), result.failedNodes.cend());
    const QSet<QString> fenced(result.selfFencedNodes.cbegin(), result.selfFencedNodes.cend());
    QList<RoleMember> members;
    QStringList ids = input.roleOfId.keys();
    std::sort(ids.begin(), ids.end()); // the reasons in a stable order
    for (const QString &id : std::as_const(ids)) {
        const plan::Role role = input.roleOfId.value(id);
        const QString name = input.vmNameOfId.value(id, id);
        if (const Service *service = input.state.service(id)) {
            if (service->state != RequestState::Started)
                continue;
            const ServiceOutcome *outcome = outcomes.value(id);
            QString why;
            if (outcome && outcome->fate == Fate::Down)
                why = outcome->reason == DownReason::StartFails ? outcome->startFailure
                                                                : describeOutcome(*outcome);
            members.append({role, why});
            continue;
        }
        const auto guest =
            std::find_if(input.state.guests.cbegin(), input.state.guests.cend(),
                         [&id](const Guest &candidate) { return candidate.id == id; });
        if (guest == input.state.guests.cend() || !guest->running)
            continue;
        QString why;
        if (fenced.contains(guest->node))
            why = Tr::tr("%1 fenced itself without quorum").arg(guest->node);
        else if (failed.contains(guest->node))
            why = Tr::tr("%1 is not HA-managed and stays down with %2").arg(name, guest->node);
        members.append({role, why});
    }
    impacts += roleImpacts(members);

    for (const NodeLoadAfter &load : result.loads) {
        if (load.memoryOvercommitted)
            impacts.append(
                {QStringLiteral("overcommit"), ImpactSeverity::Critical,
                 Tr::tr("%1 needs more memory than it has after recovery").arg(load.node)});
        else if (load.cpuOvercommitted)
            impacts.append(
                {QStringLiteral("overcommit"), ImpactSeverity::Warning,
                 Tr::tr("%1 has more vCPUs than CPU threads after recovery").arg(load.node)});
    }
    return impacts;
}

PlanFailureReport analyseClusterFailures(PlanClusterState input, const QList<QStringList> &cases)
{
    PlanFailureReport report;
    report.analysis = analyseFailures(input.state, cases);
    for (const FailureCase &result : std::as_const(report.analysis.cases))
        report.impacts.append(clusterImpacts(input, result));
    report.input = std::move(input);
    return report;
}

} // namespace rae::ha
