#include "reportbuilder.h"

#include "cluster/inventory.h"
#include "ha/clustersources.h"
#include "ha/planfailure.h"
#include "monitor/alerts.h"
#include "monitor/metricstore.h"
#include "plan/plan.h"
#include "plan/planwriter.h"
#include "validation/validator.h"

#include <QCoreApplication>
#include <QHash>
#include <QMap>
#include <QSet>

#include <algorithm>
#include <tuple>

namespace rae::report {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::report::Builder)
};

QString yesNo(bool value)
{
    return value ? Tr::tr("yes") : Tr::tr("no");
}

QString gib(quint64 bytes)
{
    return QString::number(double(bytes) / double(1ull << 30), 'f', 1);
}

QString isoTime(qint64 unixSeconds)
{
    if (unixSeconds <= 0)
        return Tr::tr("never");
    return QDateTime::fromSecsSinceEpoch(unixSeconds, Qt::UTC).toString(Qt::ISODate);
}

Column column(const QString &key, const QString &title, double weight = 1.0,
              CellKind kind = CellKind::Text)
{
    return Column{key, title, kind, weight};
}

Column number(const QString &key, const QString &title, double weight = 0.7)
{
    return Column{key, title, CellKind::Number, weight};
}

QString nodeDetail(const plan::Node &node)
{
    QStringList parts{Tr::tr("%n threads", nullptr, node.threads), node.memory.toString()};
    for (const plan::GpuMapping &gpu : node.gpus)
        parts.append(gpu.model.isEmpty() ? gpu.mapping : gpu.model);
    if (node.maintenance)
        parts.append(Tr::tr("maintenance"));
    return parts.join(QStringLiteral(", "));
}

Section planInventory(const plan::Plan &plan)
{
    Section section{QStringLiteral("inventory"), Tr::tr("Inventory"), {}, {}, {}, false, false};
    section.paragraphs.append(
        Tr::tr("What the plan says the cluster has. A report built with --cluster reads it from "
               "the cluster instead."));

    Table nodes{QStringLiteral("nodes"),
                Tr::tr("Nodes"),
                {column(QStringLiteral("node"), Tr::tr("Node")),
                 number(QStringLiteral("threads"), Tr::tr("Threads")),
                 number(QStringLiteral("memory_gib"), Tr::tr("Memory (GiB)")),
                 column(QStringLiteral("gpus"), Tr::tr("GPUs"), 1.5),
                 column(QStringLiteral("maintenance"), Tr::tr("Maintenance"))},
                {},
                Tr::tr("The plan has no nodes.")};
    for (const plan::Node &node : plan.nodes) {
        QStringList gpus;
        for (const plan::GpuMapping &gpu : node.gpus)
            gpus.append(gpu.model.isEmpty()
                            ? gpu.mapping
                            : QStringLiteral("%1 (%2)").arg(gpu.model, gpu.mapping));
        nodes.rows.append({node.name, QString::number(node.threads), gib(node.memory.bytes()),
                           gpus.join(QStringLiteral(", ")), yesNo(node.maintenance)});
    }
    section.tables.append(nodes);

    Table storages{QStringLiteral("storages"),
                   Tr::tr("Storages"),
                   {column(QStringLiteral("storage"), Tr::tr("Storage")),
                    column(QStringLiteral("type"), Tr::tr("Type"), 0.7),
                    column(QStringLiteral("shared"), Tr::tr("Shared"), 0.6),
                    column(QStringLiteral("nodes"), Tr::tr("Nodes"), 1.2),
                    column(QStringLiteral("class"), Tr::tr("Class"))},
                   {},
                   Tr::tr("The plan has no storages.")};
    for (const plan::Storage &storage : plan.storages)
        storages.rows.append(
            {storage.id, plan::storageTypeName(storage.type), yesNo(storage.shared),
             storage.nodes.isEmpty() ? Tr::tr("all") : storage.nodes.join(QStringLiteral(", ")),
             storage.storageClass});
    section.tables.append(storages);

    const auto vlanText = [](int vlan) {
        return vlan == 0 ? Tr::tr("untagged") : QString::number(vlan);
    };
    const plan::InternalNetwork &internal = plan.networks.internal;
    const plan::PublicNetwork &publicNet = plan.networks.publicNet;
    Table networks{QStringLiteral("networks"),
                   Tr::tr("Networks"),
                   {column(QStringLiteral("network"), Tr::tr("Network")),
                    column(QStringLiteral("bridge"), Tr::tr("Bridge or VNet")),
                    column(QStringLiteral("vlan"), Tr::tr("VLAN"), 0.7),
                    column(QStringLiteral("subnet"), Tr::tr("Subnet")),
                    column(QStringLiteral("gateway"), Tr::tr("Gateway"))},
                   {{Tr::tr("internal"), internal.vnet.isEmpty() ? internal.bridge : internal.vnet,
                     vlanText(internal.vlan), internal.subnet, internal.gateway},
                    {Tr::tr("public"), publicNet.bridge, vlanText(publicNet.vlan), publicNet.subnet,
                     publicNet.gateway}},
                   {}};
    section.tables.append(networks);

    Table mappings{QStringLiteral("pci-mappings"),
                   Tr::tr("PCI mappings"),
                   {column(QStringLiteral("mapping"), Tr::tr("Mapping")),
                    column(QStringLiteral("model"), Tr::tr("Model")),
                    column(QStringLiteral("node"), Tr::tr("Node"))},
                   {},
                   Tr::tr("The plan maps no PCI device.")};
    for (const plan::Node &node : plan.nodes) {
        for (const plan::GpuMapping &gpu : node.gpus)
            mappings.rows.append({gpu.mapping, gpu.model, node.name});
    }
    section.tables.append(mappings);
    return section;
}

Section clusterInventory(const cluster::Inventory &inventory)
{
    Section section{QStringLiteral("inventory"), Tr::tr("Inventory"), {}, {}, {}, false, false};
    section.paragraphs.append(Tr::tr("What the cluster showed when the report was made."));
    for (const QString &problem : inventory.problems)
        section.paragraphs.append(Tr::tr("Not read: %1").arg(problem));

    Table nodes{QStringLiteral("nodes"),
                Tr::tr("Nodes"),
                {column(QStringLiteral("node"), Tr::tr("Node")),
                 column(QStringLiteral("status"), Tr::tr("Status"), 0.7),
                 number(QStringLiteral("threads"), Tr::tr("Threads")),
                 number(QStringLiteral("cpu_percent"), Tr::tr("CPU (%)")),
                 number(QStringLiteral("memory_used_gib"), Tr::tr("Memory used (GiB)")),
                 number(QStringLiteral("memory_gib"), Tr::tr("Memory (GiB)")),
                 column(QStringLiteral("version"), Tr::tr("Version"), 1.4)},
                {},
                Tr::tr("The cluster listed no nodes.")};
    for (const cluster::NodeResource &node : inventory.resources.nodes) {
        QString version;
        for (const cluster::NodeInventory &detail : inventory.nodes) {
            if (detail.name == node.name && detail.status)
                version = detail.status->pveVersion;
        }
        const QString status = node.status == cluster::NodeStatus::Online    ? Tr::tr("online")
                               : node.status == cluster::NodeStatus::Offline ? Tr::tr("offline")
                                                                             : Tr::tr("unknown");
        nodes.rows.append({node.name, status, QString::number(node.maxCpu),
                           node.cpu ? QString::number(*node.cpu * 100.0, 'f', 1) : QString(),
                           gib(node.memoryUsed), gib(node.memoryTotal), version});
    }
    section.tables.append(nodes);

    Table storages{QStringLiteral("storages"),
                   Tr::tr("Storages"),
                   {column(QStringLiteral("storage"), Tr::tr("Storage")),
                    column(QStringLiteral("type"), Tr::tr("Type"), 0.7),
                    column(QStringLiteral("shared"), Tr::tr("Shared"), 0.6),
                    column(QStringLiteral("nodes"), Tr::tr("Nodes"), 1.2),
                    column(QStringLiteral("enabled"), Tr::tr("Enabled"), 0.6)},
                   {},
                   Tr::tr("The cluster listed no storages.")};
    for (const cluster::StorageConfig &storage : inventory.storages)
        storages.rows.append(
            {storage.storage, storage.type, yesNo(storage.shared),
             storage.nodes.isEmpty() ? Tr::tr("all") : storage.nodes.join(QStringLiteral(", ")),
             yesNo(!storage.disabled)});
    section.tables.append(storages);

    Table networks{QStringLiteral("networks"),
                   Tr::tr("Bridges"),
                   {column(QStringLiteral("node"), Tr::tr("Node")),
                    column(QStringLiteral("bridge"), Tr::tr("Bridge")),
                    column(QStringLiteral("vlan_aware"), Tr::tr("VLAN aware"), 0.7),
                    column(QStringLiteral("subnet"), Tr::tr("Address")),
                    column(QStringLiteral("gateway"), Tr::tr("Gateway"))},
                   {},
                   Tr::tr("No node showed its network.")};
    for (const cluster::NodeInventory &node : inventory.nodes) {
        if (!node.network)
            continue;
        for (const cluster::NetworkInterface &iface : node.network->interfaces) {
            if (iface.isBridge())
                networks.rows.append(
                    {node.name, iface.iface, yesNo(iface.vlanAware), iface.cidr, iface.gateway});
        }
    }
    section.tables.append(networks);

    Table mappings{QStringLiteral("pci-mappings"),
                   Tr::tr("PCI mappings"),
                   {column(QStringLiteral("mapping"), Tr::tr("Mapping")),
                    column(QStringLiteral("model"), Tr::tr("Description")),
                    column(QStringLiteral("node"), Tr::tr("Nodes"))},
                   {},
                   Tr::tr("The cluster has no PCI mapping.")};
    for (const cluster::PciMapping &mapping : inventory.pciMappings) {
        QStringList mappedNodes;
        for (const cluster::PciMappingEntry &entry : mapping.entries)
            mappedNodes.append(entry.node);
        mappings.rows.append(
            {mapping.id, mapping.description, mappedNodes.join(QStringLiteral(", "))});
    }
    section.tables.append(mappings);
    return section;
}

QString haText(const plan::Vm &vm)
{
    if (!vm.ha.managed)
        return Tr::tr("no");
    return plan::haStateName(vm.ha.state);
}

Section placement(const plan::Plan &plan, QList<TopologyNode> &topology)
{
    Section section{QStringLiteral("placement"), Tr::tr("Placement"), {}, {}, {}, true, false};
    Table vms{QStringLiteral("vms"),
              Tr::tr("Virtual machines"),
              {column(QStringLiteral("vm"), Tr::tr("VM"), 1.2),
               column(QStringLiteral("role"), Tr::tr("Role"), 0.9),
               number(QStringLiteral("vmid"), Tr::tr("VM ID"), 0.6),
               column(QStringLiteral("node"), Tr::tr("Node"), 0.7),
               number(QStringLiteral("cores"), Tr::tr("Cores"), 0.6),
               number(QStringLiteral("memory_gib"), Tr::tr("Memory (GiB)"), 0.8),
               column(QStringLiteral("disks"), Tr::tr("Disks"), 1.4),
               column(QStringLiteral("ha"), Tr::tr("HA"), 0.7),
               column(QStringLiteral("gpu"), Tr::tr("GPU"), 0.7)},
              {},
              Tr::tr("The plan has no VMs.")};
    for (const plan::Vm &vm : plan.vms) {
        QStringList disks;
        for (const plan::Disk &disk : vm.disks)
            disks.append(QStringLiteral("%1 %2").arg(disk.storage, disk.size.toString()));
        vms.rows.append(
            {vm.name, plan::roleTitle(vm.role), vm.vmid ? QString::number(*vm.vmid) : QString(),
             vm.node, QString::number(vm.cores), gib(vm.memory.bytes()),
             disks.join(QStringLiteral(", ")), haText(vm), vm.gpuMapping.value_or(QString())});
    }
    section.tables.append(vms);

    for (const plan::Node &node : plan.nodes) {
        TopologyNode box{node.name, nodeDetail(node), {}};
        for (const plan::Vm *vm : plan.vmsOnNode(node.name))
            box.vms.append({vm->name, plan::roleName(vm->role), vm->ha.managed});
        topology.append(box);
    }
    section.paragraphs.append(Tr::tr("Each box is a node with the VMs the plan puts on it; a "
                                     "thick border marks an HA-managed VM."));
    return section;
}

Section clusterPlacement(const cluster::Inventory &inventory, QList<TopologyNode> &topology)
{
    Section section{QStringLiteral("placement"), Tr::tr("Placement"), {}, {}, {}, true, false};
    Table vms{QStringLiteral("vms"),
              Tr::tr("Guests"),
              {column(QStringLiteral("vm"), Tr::tr("Guest"), 1.3),
               number(QStringLiteral("vmid"), Tr::tr("VM ID"), 0.6),
               column(QStringLiteral("node"), Tr::tr("Node"), 0.7),
               column(QStringLiteral("status"), Tr::tr("Status"), 0.8),
               number(QStringLiteral("cores"), Tr::tr("Cores"), 0.6),
               number(QStringLiteral("memory_gib"), Tr::tr("Memory (GiB)"), 0.8),
               column(QStringLiteral("ha"), Tr::tr("HA state"), 0.8)},
              {},
              Tr::tr("The cluster has no guests.")};
    for (const cluster::GuestResource &guest : inventory.resources.guests) {
        if (guest.isTemplate)
            continue;
        vms.rows.append({guest.name, QString::number(guest.vmid), guest.node, guest.reportedStatus,
                         QString::number(guest.maxCpu), gib(guest.memoryTotal), guest.haState});
    }
    section.tables.append(vms);
    for (const cluster::NodeResource &node : inventory.resources.nodes) {
        TopologyNode box{node.name,
                         Tr::tr("%n threads", nullptr, node.maxCpu) + QStringLiteral(", ") +
                             Tr::tr("%1 GiB").arg(gib(node.memoryTotal)),
                         {}};
        for (const cluster::GuestResource &guest : inventory.resources.guests) {
            if (guest.node == node.name && !guest.isTemplate)
                box.vms.append({guest.name, QString(), !guest.haState.isEmpty()});
        }
        topology.append(box);
    }
    return section;
}

Section findingsSection(const QList<validation::Finding> &findings)
{
    Section section{
        QStringLiteral("findings"), Tr::tr("Validation findings"), {}, {}, {}, false, false};
    Table table{QStringLiteral("findings"),
                Tr::tr("Findings"),
                {column(QStringLiteral("severity"), Tr::tr("Severity"), 0.6),
                 column(QStringLiteral("rule"), Tr::tr("Rule"), 1.1),
                 column(QStringLiteral("subject"), Tr::tr("Subject"), 0.8),
                 column(QStringLiteral("message"), Tr::tr("Message"), 2.0),
                 column(QStringLiteral("hint"), Tr::tr("Hint"), 1.6),
                 number(QStringLiteral("line"), Tr::tr("Line"), 0.4)},
                {},
                Tr::tr("The plan passes every rule.")};
    for (const validation::Finding &finding : findings)
        table.rows.append({validation::severityName(finding.severity), finding.ruleId,
                           validation::subjectText(finding.subject), finding.message, finding.hint,
                           finding.pos.isValid() ? QString::number(finding.pos.line) : QString()});
    section.tables.append(table);
    return section;
}

QString loadText(const ha::NodeLoadAfter &load)
{
    QString text = Tr::tr("%1: %2 of %3 vCPU/threads, %4 of %5 GiB")
                       .arg(load.node, QString::number(load.cpu), QString::number(load.cpus),
                            gib(load.memoryBytes), gib(load.memoryTotal));
    if (load.cpuOvercommitted)
        text += Tr::tr(" (CPU overcommitted)");
    if (load.memoryOvercommitted)
        text += Tr::tr(" (MEMORY OVERCOMMITTED)");
    return text;
}

Section failureSection(const ha::PlanFailureReport &report, bool fromPlan)
{
    Section section{
        QStringLiteral("node-failures"), Tr::tr("Node-failure analysis"), {}, {}, {}, false, false};
    section.paragraphs.append(
        fromPlan ? Tr::tr("What the Proxmox VE HA manager does when one node fails, predicted from "
                          "the plan with its own recovery rules: one row per node.")
                 : Tr::tr("What the Proxmox VE HA manager does when one node fails, predicted "
                          "from the cluster as read, with its own recovery rules: one row per "
                          "node."));
    for (const QString &note : report.input.notes + report.analysis.notes)
        section.paragraphs.append(Tr::tr("Note: %1").arg(note));
    for (const QString &dropped : report.analysis.droppedRules)
        section.paragraphs.append(Tr::tr("Warning: %1").arg(dropped));

    Table cases{QStringLiteral("node-failures"),
                Tr::tr("One node fails"),
                {column(QStringLiteral("failed_node"), Tr::tr("Failed node"), 0.7),
                 column(QStringLiteral("quorum"), Tr::tr("Quorum"), 0.7),
                 column(QStringLiteral("recovered"), Tr::tr("Recovered"), 1.5),
                 column(QStringLiteral("down"), Tr::tr("Down"), 1.2),
                 column(QStringLiteral("load_after"), Tr::tr("Load afterwards"), 2.0),
                 number(QStringLiteral("downtime_s"), Tr::tr("Downtime (s)"), 0.85),
                 column(QStringLiteral("impact"), Tr::tr("RAE impact"), 1.8)},
                {},
                Tr::tr("The plan has no nodes to fail.")};
    Table outcomes{QStringLiteral("recoveries"),
                   Tr::tr("Recoveries per VM"),
                   {column(QStringLiteral("failed_node"), Tr::tr("Failed node"), 0.7),
                    column(QStringLiteral("vm"), Tr::tr("VM"), 1.0),
                    column(QStringLiteral("from"), Tr::tr("From"), 0.6),
                    column(QStringLiteral("to"), Tr::tr("To"), 0.6),
                    column(QStringLiteral("outcome"), Tr::tr("Outcome"), 2.6),
                    number(QStringLiteral("seconds"), Tr::tr("Seconds"), 0.6)},
                   {},
                   Tr::tr("No HA-managed VM is affected by any single node failure.")};

    for (qsizetype i = 0; i < report.analysis.cases.size(); ++i) {
        const ha::FailureCase &result = report.analysis.cases.at(i);
        const QString failed = result.failedNodes.join(QStringLiteral(" + "));
        QStringList recovered;
        QStringList down;
        for (const ha::ServiceOutcome &outcome : result.services) {
            const QString name = report.input.vmNameOfId.value(outcome.sid, outcome.sid);
            if (outcome.fate == ha::Fate::Down)
                down.append(name);
            else
                recovered.append(
                    QStringLiteral("%1 → %2").arg(name, outcome.toNode.value_or(QString())));
            outcomes.rows.append({failed, name, outcome.fromNode,
                                  outcome.toNode.value_or(QString()), ha::describeOutcome(outcome),
                                  outcome.fate == ha::Fate::Started
                                      ? QString::number(outcome.recoverySeconds)
                                      : QString()});
        }
        for (const ha::Guest &guest : result.lostGuests)
            down.append(
                Tr::tr("%1 (no HA)").arg(report.input.vmNameOfId.value(guest.id, guest.name)));
        QStringList loads;
        for (const ha::NodeLoadAfter &load : result.loads)
            loads.append(loadText(load));
        QStringList impacts;
        for (const ha::Impact &impact : report.impacts.at(i))
            impacts.append(
                QStringLiteral("%1: %2").arg(ha::impactSeverityName(impact.severity), impact.text));
        cases.rows.append({failed,
                           (result.quorate ? Tr::tr("kept %1/%2") : Tr::tr("LOST %1/%2"))
                               .arg(result.votes)
                               .arg(result.totalVotes),
                           recovered.join(QStringLiteral("; ")), down.join(QStringLiteral("; ")),
                           loads.join(QStringLiteral("; ")),
                           QString::number(result.expectedRecoverySeconds),
                           impacts.join(QStringLiteral("; "))});
    }
    section.tables.append(cases);
    section.tables.append(outcomes);
    return section;
}

Section planHa(const plan::Plan &plan)
{
    Section section{QStringLiteral("ha"), Tr::tr("HA configuration"), {}, {}, {}, false, false};
    section.paragraphs.append(Tr::tr("HA scheduler: %1.")
                                  .arg(plan.cluster.haScheduler == plan::HaScheduler::Static
                                           ? QStringLiteral("static")
                                           : QStringLiteral("basic")));
    Table table{QStringLiteral("ha-resources"),
                Tr::tr("HA-managed VMs"),
                {column(QStringLiteral("vm"), Tr::tr("VM"), 1.1),
                 column(QStringLiteral("state"), Tr::tr("State"), 0.7),
                 column(QStringLiteral("priorities"), Tr::tr("Node priorities"), 1.3),
                 column(QStringLiteral("strict"), Tr::tr("Strict"), 0.5),
                 number(QStringLiteral("max_restart"), Tr::tr("Max restart"), 0.6),
                 number(QStringLiteral("max_relocate"), Tr::tr("Max relocate"), 0.6),
                 column(QStringLiteral("failback"), Tr::tr("Failback"), 0.6),
                 column(QStringLiteral("anti_affinity"), Tr::tr("Kept apart from"), 1.2)},
                {},
                Tr::tr("No VM of the plan is HA-managed.")};
    for (const plan::Vm &vm : plan.vms) {
        if (!vm.ha.managed)
            continue;
        QStringList priorities;
        for (auto it = vm.ha.nodePriorities.cbegin(); it != vm.ha.nodePriorities.cend(); ++it)
            priorities.append(QStringLiteral("%1:%2").arg(it.key()).arg(it.value()));
        table.rows.append({vm.name, plan::haStateName(vm.ha.state),
                           priorities.join(QStringLiteral(", ")), yesNo(vm.ha.strict),
                           QString::number(vm.ha.maxRestart), QString::number(vm.ha.maxRelocate),
                           yesNo(vm.ha.failback), vm.ha.antiAffinity.join(QStringLiteral(", "))});
    }
    section.tables.append(table);
    return section;
}

Section clusterHa(const cluster::Inventory &inventory)
{
    Section section{QStringLiteral("ha"), Tr::tr("HA configuration"), {}, {}, {}, false, false};
    Table resources{QStringLiteral("ha-resources"),
                    Tr::tr("HA resources"),
                    {column(QStringLiteral("sid"), Tr::tr("Resource")),
                     column(QStringLiteral("state"), Tr::tr("State"), 0.7),
                     column(QStringLiteral("group"), Tr::tr("Group (PVE 8)")),
                     number(QStringLiteral("max_restart"), Tr::tr("Max restart"), 0.6),
                     number(QStringLiteral("max_relocate"), Tr::tr("Max relocate"), 0.6),
                     column(QStringLiteral("failback"), Tr::tr("Failback"), 0.6)},
                    {},
                    Tr::tr("The cluster has no HA resources.")};
    for (const cluster::HaResource &resource : inventory.haResources)
        resources.rows.append({resource.sid, resource.state, resource.group,
                               QString::number(resource.maxRestart),
                               QString::number(resource.maxRelocate), yesNo(resource.failback)});
    section.tables.append(resources);

    Table rules{QStringLiteral("ha-rules"),
                Tr::tr("HA rules and groups"),
                {column(QStringLiteral("rule"), Tr::tr("Rule or group")),
                 column(QStringLiteral("type"), Tr::tr("Type")),
                 column(QStringLiteral("members"), Tr::tr("Resources or nodes"), 1.6),
                 column(QStringLiteral("strict"), Tr::tr("Strict"), 0.6),
                 column(QStringLiteral("state"), Tr::tr("State"), 1.2)},
                {},
                Tr::tr("The cluster has no HA rules or groups.")};
    for (const cluster::HaRule &rule : inventory.haRules)
        rules.rows.append({rule.rule, rule.typeText, rule.resources.join(QStringLiteral(", ")),
                           yesNo(rule.strict),
                           rule.disabled ? (rule.error.isEmpty() ? Tr::tr("disabled") : rule.error)
                                         : Tr::tr("enabled")});
    for (const cluster::HaGroup &group : inventory.haGroups) {
        QStringList nodes;
        for (const cluster::HaNodePriority &node : group.nodes)
            nodes.append(node.priority ? QStringLiteral("%1:%2").arg(node.node).arg(*node.priority)
                                       : node.node);
        rules.rows.append({group.group, Tr::tr("group"), nodes.join(QStringLiteral(", ")),
                           yesNo(group.restricted), Tr::tr("enabled")});
    }
    section.tables.append(rules);
    return section;
}

Section planReplication(const plan::Plan &plan)
{
    Section section{QStringLiteral("replication"), Tr::tr("Replication"), {}, {}, {}, false, false};
    section.paragraphs.append(Tr::tr("The storage replication jobs the plan asks for. Their lag, "
                                     "last sync and failures come from a cluster (--cluster)."));
    Table table{QStringLiteral("replication"),
                Tr::tr("Replication jobs"),
                {column(QStringLiteral("vm"), Tr::tr("VM")),
                 column(QStringLiteral("source"), Tr::tr("Source")),
                 column(QStringLiteral("target"), Tr::tr("Target")),
                 column(QStringLiteral("schedule"), Tr::tr("Schedule")),
                 number(QStringLiteral("rate_mbps"), Tr::tr("Rate (MB/s)"))},
                {},
                Tr::tr("The plan replicates no VM.")};
    for (const plan::Vm &vm : plan.vms) {
        for (const plan::Replication &job : vm.replication)
            table.rows.append({vm.name, vm.node, job.target, job.schedule,
                               job.rateMBps > 0 ? QString::number(job.rateMBps) : QString()});
    }
    section.tables.append(table);
    return section;
}

Section clusterReplication(const cluster::Inventory &inventory, qint64 now)
{
    Section section{QStringLiteral("replication"), Tr::tr("Replication"), {}, {}, {}, false, false};
    Table table{QStringLiteral("replication"),
                Tr::tr("Replication jobs"),
                {column(QStringLiteral("job"), Tr::tr("Job"), 0.6),
                 column(QStringLiteral("source"), Tr::tr("Source"), 0.6),
                 column(QStringLiteral("target"), Tr::tr("Target"), 0.6),
                 column(QStringLiteral("schedule"), Tr::tr("Schedule"), 0.6),
                 column(QStringLiteral("last_sync"), Tr::tr("Last sync"), 1.2),
                 number(QStringLiteral("lag_s"), Tr::tr("Lag (s)"), 0.6),
                 number(QStringLiteral("fail_count"), Tr::tr("Failures"), 0.6),
                 column(QStringLiteral("state"), Tr::tr("State"), 1.6)},
                {},
                Tr::tr("The cluster has no replication jobs.")};
    for (const cluster::ReplicationStatus &job : inventory.replicationJobs) {
        const cluster::ReplicationAssessment assessment = cluster::assessReplication(job, now);
        table.rows.append({job.id, job.source, job.target, job.schedule, isoTime(job.lastSync),
                           job.lastSync > 0 ? QString::number(assessment.lagSeconds) : QString(),
                           QString::number(job.failCount), assessment.message});
    }
    section.tables.append(table);
    return section;
}

Section planBackups(const plan::Plan &plan)
{
    Section section{QStringLiteral("backups"), Tr::tr("Backups"), {}, {}, {}, false, false};
    Table table{QStringLiteral("backup-jobs"),
                Tr::tr("Backup jobs"),
                {column(QStringLiteral("job"), Tr::tr("Job")),
                 column(QStringLiteral("storage"), Tr::tr("Storage"), 0.7),
                 column(QStringLiteral("schedule"), Tr::tr("Schedule"), 0.8),
                 column(QStringLiteral("mode"), Tr::tr("Mode"), 0.6),
                 column(QStringLiteral("vms"), Tr::tr("VMs"), 1.6),
                 column(QStringLiteral("retention"), Tr::tr("Retention"), 1.3)},
                {},
                Tr::tr("The plan has no backup jobs.")};
    for (const plan::BackupJob &job : plan.backups) {
        const plan::Retention &keep = job.retention;
        QStringList retention;
        const auto add = [&retention](int count, const QString &what) {
            if (count > 0)
                retention.append(QStringLiteral("%1 %2").arg(count).arg(what));
        };
        add(keep.keepLast, Tr::tr("last"));
        add(keep.keepDaily, Tr::tr("daily"));
        add(keep.keepWeekly, Tr::tr("weekly"));
        add(keep.keepMonthly, Tr::tr("monthly"));
        add(keep.keepYearly, Tr::tr("yearly"));
        table.rows.append({job.id, job.storage, job.schedule, plan::backupModeName(job.mode),
                           job.vms.join(QStringLiteral(", ")),
                           retention.join(QStringLiteral(", "))});
    }
    section.tables.append(table);
    return section;
}

// The guests a report speaks of: the plan's VMs found in the cluster (by VM ID, else by name),
// or every guest of the cluster without a plan.
QList<const cluster::GuestResource *> reportedGuests(const cluster::Inventory &inventory,
                                                     const plan::Plan *plan)
{
    QList<const cluster::GuestResource *> guests;
    for (const cluster::GuestResource &guest : inventory.resources.guests) {
        if (guest.isTemplate)
            continue;
        bool reported = plan == nullptr;
        if (plan) {
            for (const plan::Vm &vm : plan->vms) {
                if (vm.vmid ? *vm.vmid == guest.vmid : vm.name == guest.name)
                    reported = true;
            }
        }
        if (reported)
            guests.append(&guest);
    }
    std::sort(guests.begin(), guests.end(),
              [](const auto *a, const auto *b) { return a->vmid < b->vmid; });
    return guests;
}

template<typename Raise>
Section clusterBackups(const cluster::Inventory &inventory, const plan::Plan *plan, qint64 now,
                       QList<Series> &series, const Raise &raise)
{
    Section section{QStringLiteral("backups"), Tr::tr("Backups"), {}, {}, {}, false, false};
    section.paragraphs.append(
        Tr::tr("The backup jobs as the cluster configures them, then the newest backup of each "
               "%1 on every storage that holds backups. A guest that an enabled job covers needs "
               "a backup younger than the longest gap of the job's schedule plus 2 hours (a daily "
               "job: 26 hours).")
            .arg(plan ? Tr::tr("VM of the plan") : Tr::tr("guest")));
    Table table{QStringLiteral("backup-jobs"),
                Tr::tr("Backup jobs"),
                {column(QStringLiteral("job"), Tr::tr("Job")),
                 column(QStringLiteral("storage"), Tr::tr("Storage"), 0.7),
                 column(QStringLiteral("schedule"), Tr::tr("Schedule"), 0.8),
                 column(QStringLiteral("mode"), Tr::tr("Mode"), 0.6),
                 column(QStringLiteral("enabled"), Tr::tr("Enabled"), 0.6),
                 column(QStringLiteral("vms"), Tr::tr("Guests"), 1.4),
                 column(QStringLiteral("next_run"), Tr::tr("Next run"), 1.2)},
                {},
                Tr::tr("The cluster has no backup jobs.")};
    for (const cluster::BackupJob &job : inventory.backupJobs) {
        QStringList guests;
        for (int vmid : job.vmids)
            guests.append(QString::number(vmid));
        const QString covered = job.all               ? Tr::tr("all")
                                : !job.pool.isEmpty() ? Tr::tr("pool %1").arg(job.pool)
                                                      : guests.join(QStringLiteral(", "));
        table.rows.append({job.id, job.storage, job.schedule, job.mode, yesNo(job.enabled), covered,
                           isoTime(job.nextRun)});
    }
    section.tables.append(table);

    Table last{QStringLiteral("last-backups"),
               Tr::tr("Last backup per VM"),
               {column(QStringLiteral("vm"), Tr::tr("VM"), 1.1),
                number(QStringLiteral("vmid"), Tr::tr("VM ID"), 0.5),
                column(QStringLiteral("last_backup"), Tr::tr("Last backup (UTC)"), 1.3),
                number(QStringLiteral("age_h"), Tr::tr("Age (h)"), 0.55),
                number(QStringLiteral("size_gib"), Tr::tr("Size (GiB)"), 0.55),
                column(QStringLiteral("storage"), Tr::tr("Storage"), 0.6),
                column(QStringLiteral("jobs"), Tr::tr("Jobs"), 0.9),
                column(QStringLiteral("state"), Tr::tr("State"), 1.7)},
               {},
               Tr::tr("The cluster has no guests to report backups of.")};
    for (const cluster::GuestResource *guest : reportedGuests(inventory, plan)) {
        const cluster::BackupAssessment assessment = cluster::assessBackups(
            guest->vmid, guest->node, guest->pool, inventory.backupJobs, inventory.backups, now);
        const std::optional<cluster::BackupVolume> &newest = assessment.newest;
        if (assessment.stale) {
            last.flaggedRows.append(int(last.rows.size()));
            raise(Verdict::Attention,
                  Tr::tr("Backup of %1 (VM %2): %3")
                      .arg(guest->name, QString::number(guest->vmid), assessment.message));
        }
        last.rows.append(
            {guest->name, QString::number(guest->vmid),
             newest ? isoTime(newest->ctime) : Tr::tr("none"),
             newest ? QString::number(double(now - newest->ctime) / 3600.0, 'f', 1) : QString(),
             newest ? gib(quint64(newest->size)) : QString(), newest ? newest->storage : QString(),
             assessment.jobs.join(QStringLiteral(", ")), assessment.message});

        // Every backup of the guest, for the CSV: when it was made and how large it was.
        Series sizes{QStringLiteral("backup.size_gib"), guest->name, {}};
        for (const cluster::BackupVolume &volume : inventory.backups) {
            if (volume.vmid == guest->vmid && volume.ctime > 0)
                sizes.points.append(
                    {double(volume.ctime) * 1000.0, double(volume.size) / double(1ull << 30)});
        }
        std::sort(sizes.points.begin(), sizes.points.end(),
                  [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
        if (!sizes.points.isEmpty())
            series.append(std::move(sizes));
    }
    section.tables.append(last);
    return section;
}

QString taskResult(const cluster::ClusterTask &task)
{
    if (task.running())
        return Tr::tr("running");
    if (task.failed())
        return Tr::tr("FAILED");
    return task.status == QLatin1String("OK") ? Tr::tr("ok") : Tr::tr("warnings");
}

// The Proxmox task log: the recent tasks the cluster lists, those of the period when the report
// has one. Failed tasks are flagged and named among the verdict's reasons.
template<typename Raise>
void addTaskLog(const cluster::Inventory &inventory, const QDateTime &from, const QDateTime &to,
                Section &events, QList<Series> &series, const Raise &raise)
{
    QHash<QString, QString> guestName;
    for (const cluster::GuestResource &guest : inventory.resources.guests)
        guestName.insert(QString::number(guest.vmid), guest.name);

    QList<cluster::ClusterTask> tasks;
    for (const cluster::ClusterTask &task : inventory.tasks) {
        if (from.isValid() &&
            (task.startTime < from.toSecsSinceEpoch() || task.startTime > to.toSecsSinceEpoch()))
            continue;
        tasks.append(task);
    }
    std::stable_sort(tasks.begin(), tasks.end(),
                     [](const auto &a, const auto &b) { return a.startTime > b.startTime; });

    events.paragraphs.append(
        from.isValid()
            ? Tr::tr("The Proxmox tasks of the period, newest first, as /cluster/tasks lists "
                     "them: Proxmox keeps the running tasks and the last ones of each node, not "
                     "the whole history.")
            : Tr::tr("The recent Proxmox tasks, newest first, as /cluster/tasks lists them: "
                     "Proxmox keeps the running tasks and the last ones of each node, not the "
                     "whole history."));
    Table table{QStringLiteral("tasks"),
                Tr::tr("Proxmox tasks"),
                {column(QStringLiteral("start"), Tr::tr("Start (UTC)"), 1.3),
                 column(QStringLiteral("end"), Tr::tr("End (UTC)"), 1.3),
                 column(QStringLiteral("node"), Tr::tr("Node"), 0.5),
                 column(QStringLiteral("type"), Tr::tr("Type"), 0.65),
                 column(QStringLiteral("object"), Tr::tr("VM or object"), 1.0),
                 column(QStringLiteral("user"), Tr::tr("User"), 1.0),
                 column(QStringLiteral("result"), Tr::tr("Result"), 0.6),
                 column(QStringLiteral("status"), Tr::tr("Status"), 1.3)},
                {},
                from.isValid() ? Tr::tr("The cluster lists no task of this period.")
                               : Tr::tr("The cluster lists no recent task.")};
    QStringList failed;
    QMap<QString, Series> durations;
    for (const cluster::ClusterTask &task : std::as_const(tasks)) {
        const QString name = guestName.value(task.id);
        const QString object =
            name.isEmpty() ? task.id : QStringLiteral("%1 (%2)").arg(task.id, name);
        if (task.failed()) {
            table.flaggedRows.append(int(table.rows.size()));
            failed.append(Tr::tr("%1 %2 on %3 at %4: %5")
                              .arg(task.type, object.isEmpty() ? task.node : object, task.node,
                                   isoTime(task.startTime), task.status));
        }
        table.rows.append({isoTime(task.startTime),
                           task.running() ? QString() : isoTime(task.endTime), task.node, task.type,
                           object, task.user, taskResult(task), task.status});
        if (!task.running() && task.startTime > 0) {
            const QString subject =
                task.type + QLatin1Char(' ') +
                (task.id.isEmpty() ? task.node : (name.isEmpty() ? task.id : name));
            Series &line = durations[subject];
            line.metric = QStringLiteral("task.duration_s");
            line.subject = subject;
            line.points.prepend({double(task.startTime) * 1000.0,
                                 double(std::max<qint64>(0, task.endTime - task.startTime))});
        }
    }
    for (const QString &text : std::as_const(failed))
        raise(Verdict::Attention, Tr::tr("Proxmox task failed: %1").arg(text));
    events.tables.append(table);
    for (Series &line : durations)
        series.append(std::move(line));
}

struct ChartKind
{
    QLatin1StringView prefix;
    const char *title;
    const char *unit;
};

// The charts the report draws, in this order; every other series is in the CSV and JSON only.
const ChartKind kCharts[] = {
    {QLatin1StringView("latency."), QT_TRANSLATE_NOOP("rae::report::Builder", "Latency: %1"), "ms"},
    {QLatin1StringView("tls_handshake."),
     QT_TRANSLATE_NOOP("rae::report::Builder", "TLS handshake: %1"), "ms"},
    {QLatin1StringView("gpu.utilization"),
     QT_TRANSLATE_NOOP("rae::report::Builder", "GPU utilisation"), "%"},
    {QLatin1StringView("gpu.memory_used_mib"),
     QT_TRANSLATE_NOOP("rae::report::Builder", "GPU memory used"), "MiB"},
    {QLatin1StringView("gpu.temperature_c"),
     QT_TRANSLATE_NOOP("rae::report::Builder", "GPU temperature"), "°C"},
    {QLatin1StringView("gpu.power_w"), QT_TRANSLATE_NOOP("rae::report::Builder", "GPU power"), "W"},
    {QLatin1StringView("replication.lag_s"),
     QT_TRANSLATE_NOOP("rae::report::Builder", "Replication lag"), "s"},
};

void addSeries(const monitor::MetricStore &store, qint64 fromMs, qint64 toMs, ReportModel &model,
               Section &charts, Section &events, QList<monitor::Alert> &openAlerts)
{
    QList<monitor::SeriesKey> keys = store.keys();
    std::sort(keys.begin(), keys.end(), [](const auto &a, const auto &b) {
        return std::tie(a.metric, a.subject) < std::tie(b.metric, b.subject);
    });

    // The alert rules replayed over the period: what rose and cleared, and what is still open.
    monitor::AlertEngine alerts;
    QList<std::pair<monitor::Alert, bool>> changes; // alert, raised (true) or cleared
    QObject::connect(&alerts, &monitor::AlertEngine::raised, &alerts,
                     [&changes](const monitor::Alert &alert) {
                         changes.append({alert, true});
                     });
    QObject::connect(&alerts, &monitor::AlertEngine::cleared, &alerts,
                     [&changes](const monitor::Alert &alert) {
                         changes.append({alert, false});
                     });
    QSet<QString> watched;
    for (const monitor::AlertRule &rule : alerts.rules())
        watched.insert(rule.metric);

    for (const monitor::SeriesKey &key : keys) {
        Series series{key.metric, key.subject, store.points(key, fromMs, toMs)};
        if (series.points.isEmpty())
            continue;
        if (watched.contains(key.metric)) {
            for (const QPointF &point : series.points)
                alerts.observe(key.metric, key.subject, qint64(point.x()), point.y());
        }
        model.series.append(std::move(series));
    }

    for (const ChartKind &kind : kCharts) {
        QString previous;
        for (qsizetype i = 0; i < model.series.size(); ++i) {
            const Series &series = model.series.at(i);
            if (!series.metric.startsWith(kind.prefix))
                continue;
            if (series.metric != previous) {
                QString chartTitle = Tr::tr(kind.title);
                if (chartTitle.contains(QLatin1String("%1")))
                    chartTitle = chartTitle.arg(series.metric.mid(kind.prefix.size())
                                                    .replace(QLatin1Char('_'), QLatin1Char(' ')));
                charts.charts.append({series.metric, chartTitle, QString::fromUtf8(kind.unit), {}});
                previous = series.metric;
            }
            charts.charts.last().series.append(int(i));
        }
    }
    if (charts.charts.isEmpty())
        charts.paragraphs.append(Tr::tr("The metric store has no latency, GPU or replication "
                                        "series in this period."));

    Table table{QStringLiteral("alerts"),
                Tr::tr("Alerts of the period"),
                {column(QStringLiteral("time"), Tr::tr("Time (UTC)"), 1.1),
                 column(QStringLiteral("event"), Tr::tr("Event"), 0.6),
                 column(QStringLiteral("severity"), Tr::tr("Severity"), 0.6),
                 column(QStringLiteral("alert"), Tr::tr("Alert"), 1.3),
                 column(QStringLiteral("subject"), Tr::tr("Subject"), 0.9),
                 number(QStringLiteral("value"), Tr::tr("Value"), 0.6)},
                {},
                Tr::tr("No alert rose or cleared in this period.")};
    for (const auto &[alert, raised] : changes) {
        const qint64 when = raised ? alert.raisedMs : alert.clearedMs;
        table.rows.append({QDateTime::fromMSecsSinceEpoch(when, Qt::UTC).toString(Qt::ISODate),
                           raised ? Tr::tr("raised") : Tr::tr("cleared"),
                           alert.severity == monitor::AlertSeverity::Critical ? Tr::tr("critical")
                                                                              : Tr::tr("warning"),
                           alert.title, alert.subject, QString::number(alert.value)});
    }
    events.tables.append(table);
    openAlerts = alerts.active();
}

template<typename Raise>
void addFailures(const ha::PlanFailureReport &failures, bool fromPlan, QList<Section> &body,
                 const Raise &raise)
{
    for (qsizetype i = 0; i < failures.analysis.cases.size(); ++i) {
        const QString node = failures.analysis.cases.at(i).failedNodes.join(QStringLiteral(" + "));
        for (const ha::Impact &impact : failures.impacts.at(i)) {
            if (impact.severity == ha::ImpactSeverity::Critical)
                raise(Verdict::Critical, Tr::tr("If %1 fails: %2").arg(node, impact.text));
            else if (impact.severity == ha::ImpactSeverity::Warning)
                raise(Verdict::Attention, Tr::tr("If %1 fails: %2").arg(node, impact.text));
        }
    }
    body.append(failureSection(failures, fromPlan));
}

} // namespace

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Healthy:
        return QStringLiteral("healthy");
    case Verdict::Attention:
        return QStringLiteral("attention");
    case Verdict::Critical:
        break;
    }
    return QStringLiteral("critical");
}

QString verdictTitle(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Healthy:
        return Tr::tr("Healthy");
    case Verdict::Attention:
        return Tr::tr("Needs attention");
    case Verdict::Critical:
        break;
    }
    return Tr::tr("Critical");
}

const Section *ReportModel::section(const QString &id) const
{
    for (const Section &candidate : sections) {
        if (candidate.id == id)
            return &candidate;
    }
    return nullptr;
}

ReportModel buildReport(const ReportInput &input)
{
    ReportModel model;
    TitleInfo &title = model.title;
    title.title = Tr::tr("RAE deployment report");
    title.cluster = input.clusterName;
    if (title.cluster.isEmpty() && input.plan)
        title.cluster = input.plan->cluster.name;
    title.source = input.inventory ? QStringLiteral("cluster") : QStringLiteral("plan");
    title.planFile = input.planFile;
    title.periodStart = input.periodStart;
    title.periodEnd = input.periodEnd;
    title.generatedAt = input.generatedAt;
    title.generatedBy = input.generatedBy;
    title.applicationVersion = input.applicationVersion;

    Section summary{QStringLiteral("summary"), Tr::tr("Summary"), {}, {}, {}, false, false};
    const auto raise = [&model](Verdict verdict, const QString &reason) {
        model.verdict = std::max(model.verdict, verdict);
        model.verdictReasons.append(reason);
    };

    QList<Section> body;
    if (input.inventory)
        body.append(clusterInventory(*input.inventory));
    else if (input.plan)
        body.append(planInventory(*input.plan));

    if (input.plan)
        body.append(placement(*input.plan, model.topology));
    else if (input.inventory)
        body.append(clusterPlacement(*input.inventory, model.topology));

    if (input.plan) {
        const QList<validation::Finding> findings = validation::validate(*input.plan);
        const auto count = [&findings](validation::Severity severity) {
            return std::count_if(findings.cbegin(), findings.cend(),
                                 [severity](const auto &f) { return f.severity == severity; });
        };
        if (const auto errors = count(validation::Severity::Error))
            raise(Verdict::Critical,
                  Tr::tr("The plan has %n validation error(s).", nullptr, int(errors)));
        if (const auto warnings = count(validation::Severity::Warning))
            raise(Verdict::Attention,
                  Tr::tr("The plan has %n validation warning(s).", nullptr, int(warnings)));
        body.append(findingsSection(findings));

        QList<QStringList> cases;
        for (const plan::Node &node : input.plan->nodes)
            cases.append(QStringList{node.name});
        addFailures(ha::analysePlanFailures(*input.plan, cases), true, body, raise);
    } else if (input.clusterState) {
        addFailures(ha::analyseClusterFailures(*input.clusterState,
                                               ha::singleNodeFailures(input.clusterState->state)),
                    false, body, raise);
    }

    if (input.inventory)
        body.append(clusterHa(*input.inventory));
    else if (input.plan)
        body.append(planHa(*input.plan));

    const qint64 now = input.generatedAt.isValid() ? input.generatedAt.toSecsSinceEpoch()
                                                   : QDateTime::currentSecsSinceEpoch();
    QList<Series> clusterSeries; // backups and tasks: in the CSV and JSON, after the store's
    if (input.inventory) {
        Section replication = clusterReplication(*input.inventory, now);
        for (const QStringList &row : replication.tables.first().rows) {
            if (row.at(6) != QLatin1String("0"))
                raise(
                    Verdict::Attention,
                    Tr::tr("Replication job %1 has failed %2 time(s).").arg(row.at(0), row.at(6)));
        }
        body.append(replication);
        body.append(clusterBackups(*input.inventory, input.plan, now, clusterSeries, raise));
        for (const cluster::NodeResource &node : input.inventory->resources.nodes) {
            if (node.status == cluster::NodeStatus::Offline)
                raise(Verdict::Critical, Tr::tr("Node %1 is offline.").arg(node.name));
        }
    } else if (input.plan) {
        body.append(planReplication(*input.plan));
        body.append(planBackups(*input.plan));
    }

    Section events{
        QStringLiteral("events"), Tr::tr("Events of the period"), {}, {}, {}, false, false};
    Section charts{QStringLiteral("charts"), Tr::tr("Charts"), {}, {}, {}, false, false};
    QList<monitor::Alert> openAlerts;
    if (input.store) {
        events.paragraphs.append(Tr::tr("Alerts that rose or cleared in the period, replayed "
                                        "from the metric store."));
        addSeries(*input.store, input.periodStart.toMSecsSinceEpoch(),
                  input.periodEnd.toMSecsSinceEpoch(), model, charts, events, openAlerts);
    } else {
        events.paragraphs.append(input.inventory
                                     ? Tr::tr("No alerts: the report has no monitoring data.")
                                     : Tr::tr("No events: the report has no monitoring data."));
        charts.paragraphs.append(Tr::tr("No charts: the report has no monitoring data. Reports "
                                        "of a cluster include the metric store's series."));
    }
    if (input.inventory)
        addTaskLog(*input.inventory, input.periodStart, input.periodEnd, events, clusterSeries,
                   raise);
    std::sort(clusterSeries.begin(), clusterSeries.end(), [](const auto &a, const auto &b) {
        return std::tie(a.metric, a.subject) < std::tie(b.metric, b.subject);
    });
    model.series.append(std::move(clusterSeries));
    for (const monitor::Alert &alert : openAlerts)
        raise(alert.severity == monitor::AlertSeverity::Critical ? Verdict::Critical
                                                                 : Verdict::Attention,
              Tr::tr("Open alert: %1 (%2)").arg(alert.title, alert.subject));
    body.append(events);
    body.append(charts);

    summary.paragraphs.append(Tr::tr("Verdict: %1.").arg(verdictTitle(model.verdict)));
    if (model.verdictReasons.isEmpty())
        summary.paragraphs.append(Tr::tr("Nothing needs attention."));
    Table reasons{QStringLiteral("verdict-reasons"),
                  Tr::tr("Why"),
                  {column(QStringLiteral("reason"), Tr::tr("Reason"))},
                  {},
                  Tr::tr("No findings, risks or open alerts.")};
    for (const QString &reason : model.verdictReasons)
        reasons.rows.append({reason});
    summary.tables.append(reasons);
    Table open{QStringLiteral("open-alerts"),
               Tr::tr("Open alerts"),
               {column(QStringLiteral("alert"), Tr::tr("Alert"), 1.4),
                column(QStringLiteral("subject"), Tr::tr("Subject")),
                column(QStringLiteral("severity"), Tr::tr("Severity"), 0.6),
                column(QStringLiteral("since"), Tr::tr("Since (UTC)"), 1.1)},
               {},
               input.store ? Tr::tr("No alert is open.")
                           : Tr::tr("No monitoring data: alerts are not known.")};
    for (const monitor::Alert &alert : openAlerts)
        open.rows.append(
            {alert.title, alert.subject,
             alert.severity == monitor::AlertSeverity::Critical ? Tr::tr("critical")
                                                                : Tr::tr("warning"),
             QDateTime::fromMSecsSinceEpoch(alert.raisedMs, Qt::UTC).toString(Qt::ISODate)});
    summary.tables.append(open);

    model.sections.append(summary);
    model.sections.append(body);
    if (input.plan) {
        model.planText = QString::fromUtf8(plan::writePlan(*input.plan));
        Section appendix{
            QStringLiteral("plan"), Tr::tr("Appendix: the plan"), {}, {}, {}, false, true};
        appendix.paragraphs = model.planText.split(QLatin1Char('\n'));
        while (!appendix.paragraphs.isEmpty() && appendix.paragraphs.last().isEmpty())
            appendix.paragraphs.removeLast();
        model.sections.append(appendix);
    }
    if (!input.sections.isEmpty()) {
        model.sections.removeIf(
            [&input](const Section &section) { return !input.sections.contains(section.id); });
        if (!model.section(QStringLiteral("placement")))
            model.topology.clear();
        if (!model.section(QStringLiteral("plan")))
            model.planText.clear();
    }
    return model;
}

} // namespace rae::report
