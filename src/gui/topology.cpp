#include "topology.h"

#include <QCoreApplication>
#include <QHash>
#include <QLocale>

namespace rae::gui {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::gui::Topology)
};

QString gib(quint64 bytes)
{
    return QLocale().toString(double(bytes) / double(1ull << 30), 'f', 1);
}

bool moreSevere(validation::Severity a, validation::Severity b)
{
    return int(a) < int(b); // Error < Warning < Info in the enum
}

} // namespace

Topology topologyFromPlan(const plan::Plan &plan, const QList<validation::Finding> &findings)
{
    Topology topology;

    QHash<QString, QList<const validation::Finding *>> findingsOfVm;
    for (const validation::Finding &finding : findings) {
        if (finding.subject.kind == validation::SubjectKind::Vm)
            findingsOfVm[finding.subject.name].append(&finding);
    }

    const double overcommit =
        plan.validation.cpuOvercommit > 0 ? plan.validation.cpuOvercommit : 1.0;
    for (const plan::Node &node : plan.nodes) {
        TopologyNode item;
        item.name = node.name;
        item.planned = true;
        item.maintenance = node.maintenance;
        int cores = 0;
        quint64 memory = 0;
        for (const plan::Vm *vm : plan.vmsOnNode(node.name)) {
            cores += vm->cores;
            memory += vm->memory.bytes();
        }
        const double cpuCapacity = node.threads * overcommit;
        item.cpuFraction = cpuCapacity > 0 ? cores / cpuCapacity : 0.0;
        item.memoryFraction =
            node.memory.bytes() > 0 ? double(memory) / double(node.memory.bytes()) : 0.0;
        item.cpuText = Tr::tr("%1 vCPU of %2 threads").arg(cores).arg(node.threads);
        item.memoryText = Tr::tr("%1 of %2 GiB").arg(gib(memory), gib(node.memory.bytes()));
        for (const plan::GpuMapping &gpu : node.gpus)
            item.gpus.append(gpu.model.isEmpty() ? gpu.mapping : gpu.model);
        topology.nodes.append(item);
    }

    for (const plan::Vm &vm : plan.vms) {
        TopologyVm item;
        item.key = vm.name;
        item.name = vm.name;
        item.vmid = vm.vmid;
        item.role = vm.role;
        item.node = vm.node;
        item.haManaged = vm.ha.managed;
        item.haState = vm.ha.managed ? plan::haStateName(vm.ha.state) : QString();

        QStringList lines;
        lines << Tr::tr("%1 cores, %2 GiB memory").arg(vm.cores).arg(gib(vm.memory.bytes()));
        for (const plan::Disk &disk : vm.disks)
            lines << Tr::tr("disk: %1 on %2").arg(disk.size.toString(), disk.storage);
        if (vm.gpuMapping)
            lines << Tr::tr("GPU mapping: %1").arg(*vm.gpuMapping);
        const auto ownFindings = findingsOfVm.value(vm.name);
        item.findings = int(ownFindings.size());
        for (const validation::Finding *finding : ownFindings) {
            if (!item.worstFinding || moreSevere(finding->severity, *item.worstFinding))
                item.worstFinding = finding->severity;
            lines << QStringLiteral("%1: %2").arg(finding->ruleId, finding->message);
        }
        item.details = lines.join(QLatin1Char('\n'));
        topology.vms.append(item);
    }
    return topology;
}

std::optional<plan::Role> roleOfGuest(const cluster::GuestResource &guest, const plan::Plan *plan)
{
    if (plan) {
        for (const plan::Vm &vm : plan->vms) {
            if ((vm.vmid && *vm.vmid == guest.vmid) || vm.name == guest.name)
                return vm.role;
        }
    }
    for (const QString &tag : guest.tags) {
        QString name = tag;
        if (name.startsWith(QLatin1String("rae-")))
            name = name.mid(4);
        if (auto role = plan::roleFromName(name))
            return role;
    }
    return std::nullopt;
}

Topology topologyFromResources(const cluster::Resources &resources, const plan::Plan *plan)
{
    Topology topology;
    topology.nodes.reserve(resources.nodes.size());
    for (const cluster::NodeResource &node : resources.nodes) {
        TopologyNode item;
        item.name = node.name;
        item.online = node.status == cluster::NodeStatus::Online;
        item.haState = node.haState;
        item.maintenance = node.haState == QLatin1String("maintenance");
        item.cpuFraction = node.cpu.value_or(0.0);
        item.memoryFraction =
            node.memoryTotal > 0 ? double(node.memoryUsed) / double(node.memoryTotal) : 0.0;
        item.cpuText =
            node.cpu ? Tr::tr("CPU %1% of %2 threads").arg(qRound(*node.cpu * 100)).arg(node.maxCpu)
                     : Tr::tr("CPU unknown");
        item.memoryText = Tr::tr("%1 of %2 GiB").arg(gib(node.memoryUsed), gib(node.memoryTotal));
        if (plan) {
            if (const plan::Node *planned = plan->node(node.name)) {
                for (const plan::GpuMapping &gpu : planned->gpus)
                    item.gpus.append(gpu.model.isEmpty() ? gpu.mapping : gpu.model);
            }
        }
        topology.nodes.append(item);
    }

    topology.vms.reserve(resources.guests.size());
    for (const cluster::GuestResource &guest : resources.guests) {
        if (guest.isTemplate)
            continue;
        TopologyVm item;
        item.key = QStringLiteral("vm:") + QString::number(guest.vmid);
        item.name = guest.name;
        item.vmid = guest.vmid;
        item.role = roleOfGuest(guest, plan);
        item.node = guest.node;
        switch (guest.status) {
        case cluster::GuestStatus::Running:
            item.state = GuestState::Running;
            break;
        case cluster::GuestStatus::Stopped:
            item.state = GuestState::Stopped;
            break;
        case cluster::GuestStatus::Unknown:
            item.state = GuestState::Unknown;
            break;
        default:
            item.state = GuestState::Other;
            break;
        }
        item.haManaged = !guest.haState.isEmpty();
        item.haState = guest.haState;
        item.details = Tr::tr("%1, %2 vCPU, %3 of %4 GiB")
                           .arg(guest.reportedStatus)
                           .arg(guest.maxCpu)
                           .arg(gib(guest.memoryUsed), gib(guest.memoryTotal));
        topology.vms.append(item);
    }
    return topology;
}

} // namespace rae::gui
