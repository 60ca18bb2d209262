#include "validation/validator.h"

#include "common/calendarevent.h"
#include "common/sshkey.h"
#include "ha/planfailure.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace rae::validation {

using namespace rae::plan;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::validation::Rules)
};

Subject nodeSubject(const QString &name)
{
    return {SubjectKind::Node, name};
}
Subject vmSubject(const Vm &vm)
{
    return {SubjectKind::Vm, vm.name};
}

QString gib(ByteSize size)
{
    return QString::number(size.gib(), 'f', size.gib() < 10 ? 1 : 0);
}

const Storage *diskStorage(const Plan &plan, const Disk &disk)
{
    return plan.storage(disk.storage);
}

// --- cluster.min-nodes -------------------------------------------------------------------

void checkMinNodes(const Plan &plan, QList<Finding> &findings)
{
    if (plan.nodes.size() >= 3)
        return;
    findings.append(
        {QStringLiteral("cluster.min-nodes"),
         Severity::Error,
         {SubjectKind::Cluster, plan.cluster.name},
         Tr::tr("the plan has %n node(s); a cluster of fewer than "
                "three loses quorum when one fails, and HA cannot "
                "recover anything",
                nullptr, int(plan.nodes.size())),
         Tr::tr("plan for at least three nodes, or add a QDevice to a two-node cluster"),
         plan.cluster.pos});
}

// --- capacity.node-memory, capacity.node-cpu ---------------------------------------------

void checkNodeMemory(const Plan &plan, QList<Finding> &findings)
{
    for (const Node &node : plan.nodes) {
        ByteSize asked;
        for (const Vm *vm : plan.vmsOnNode(node.name))
            asked = asked + vm->memory;
        if (asked <= node.memory)
            continue;
        findings.append(
            {QStringLiteral("capacity.node-memory"), Severity::Error, nodeSubject(node.name),
             Tr::tr("the VMs on %1 ask for %2 GiB of memory, but it has %3 GiB")
                 .arg(node.name, gib(asked), gib(node.memory)),
             Tr::tr("move a VM to another node or give VMs less memory; Proxmox does not "
                    "overcommit memory safely"),
             node.pos});
    }
}

void checkNodeCpu(const Plan &plan, QList<Finding> &findings)
{
    const double ratio = plan.validation.cpuOvercommit;
    for (const Node &node : plan.nodes) {
        int cores = 0;
        for (const Vm *vm : plan.vmsOnNode(node.name)) {
            cores += vm->cores;
            if (vm->cores > node.threads) {
                findings.append(
                    {QStringLiteral("capacity.node-cpu"), Severity::Error, vmSubject(*vm),
                     Tr::tr("%1 has %2 cores, but node %3 has only %4 CPU threads")
                         .arg(vm->name)
                         .arg(vm->cores)
                         .arg(node.name)
                         .arg(node.threads),
                     Tr::tr("Proxmox refuses to start a VM with more vCPUs than its node "
                            "has threads; give it fewer cores"),
                     vm->pos});
            }
        }
        const double allowed = node.threads * ratio;
        if (cores <= allowed)
            continue;
        findings.append(
            {QStringLiteral("capacity.node-cpu"), Severity::Error, nodeSubject(node.name),
             Tr::tr("the VMs on %1 have %2 vCPUs, more than %3 threads × %4 overcommit = %5")
                 .arg(node.name)
                 .arg(cores)
                 .arg(node.threads)
                 .arg(ratio)
                 .arg(allowed),
             Tr::tr("move a VM to another node, or raise validation.cpu_overcommit if this "
                    "load is known to be light"),
             node.pos});
    }
}

// --- ha.node-failure-capacity ------------------------------------------------------------

// Takes each node down in turn and asks the same HA recovery engine that the failure
// analysis uses, so validation and `rae-deploy-cli failover` can never disagree.
void checkNodeFailureCapacity(const Plan &plan, QList<Finding> &findings)
{
    if (plan.nodes.size() < 3)
        return; // cluster.min-nodes already says that one failure costs quorum

    const ha::PlanFailureReport report =
        ha::analysePlanFailures(plan, ha::singleNodeFailures(ha::clusterStateFromPlan(plan).state));
    for (const ha::FailureCase &result : report.analysis.cases) {
        const QString failed = result.failedNodes.join(QStringLiteral(", "));
        const Node *node = plan.node(result.failedNodes.value(0));
        const SourcePos pos = node ? node->pos : SourcePos{};

        for (const ha::ServiceOutcome &outcome : result.services) {
            if (outcome.fate != ha::Fate::Down || outcome.reason == ha::DownReason::Disabled)
                continue;
            const QString vmName = report.input.vmNameOfId.value(outcome.sid, outcome.sid);
            findings.append(
                {QStringLiteral("ha.node-failure-capacity"), Severity::Error, nodeSubject(failed),
                 Tr::tr("if %1 fails, HA cannot bring %2 back: %3")
                     .arg(failed, vmName, ha::describeOutcome(outcome)),
                 Tr::tr("run `rae-deploy-cli failover` for the whole picture; give the VM "
                        "another node it may use, or free room there"),
                 pos});
        }
        for (const ha::Guest &guest : result.lostGuests) {
            const Vm *vm = plan.vm(report.input.vmNameOfId.value(guest.id, guest.name));
            if (!vm || vm->role == Role::Llm)
                continue; // an LLM is optional; gpu.llm-needs-mapping speaks for it
            findings.append({QStringLiteral("ha.node-failure-capacity"), Severity::Warning,
                             nodeSubject(failed),
                             Tr::tr("if %1 fails, %2 (%3) stays down until the node returns: it is "
                                    "not HA-managed")
                                 .arg(failed, vm->name, roleName(vm->role)),
                             Tr::tr("make it HA-managed (“ha: {managed: true}”) with its disks on "
                                    "shared storage"),
                             pos});
        }
        for (const ha::NodeLoadAfter &load : result.loads) {
            if (load.memoryOvercommitted) {
                findings.append(
                    {QStringLiteral("ha.node-failure-capacity"), Severity::Error,
                     nodeSubject(failed),
                     Tr::tr("if %1 fails, %2 must hold %3 GiB of VM memory but has %4 GiB")
                         .arg(failed, load.node, gib(ByteSize::fromBytes(load.memoryBytes)),
                              gib(ByteSize::fromBytes(load.memoryTotal))),
                     Tr::tr("leave enough free memory on the other nodes for the HA VMs of any one "
                            "node, or let HA use more nodes"),
                     pos});
            } else if (load.cpuOvercommitted) {
                findings.append(
                    {QStringLiteral("ha.node-failure-capacity"), Severity::Warning,
                     nodeSubject(failed),
                     Tr::tr("if %1 fails, %2 runs %3 vCPUs on %4 threads, more than the overcommit "
                            "ratio of %5 allows")
                         .arg(failed, load.node)
                         .arg(load.cpu)
                         .arg(load.cpus)
                         .arg(plan.validation.cpuOvercommit),
                     Tr::tr("spread the HA VMs so that any one node's share fits on the others"),
                     pos});
            }
        }
    }
}

// --- storage.ha-needs-shared -------------------------------------------------------------

void checkHaNeedsShared(const Plan &plan, QList<Finding> &findings)
{
    for (const Vm &vm : plan.vms) {
        if (!vm.ha.managed)
            continue;
        for (const Disk &disk : vm.disks) {
            const Storage *storage = diskStorage(plan, disk);
            if (!storage || storage->shared || !vm.replication.isEmpty())
                continue;
            findings.append(
                {QStringLiteral("storage.ha-needs-shared"), Severity::Error, vmSubject(vm),
                 Tr::tr("%1 is HA-managed, but its disk on %2 is on local storage that is "
                        "neither shared nor replicated: HA cannot start it on another node")
                     .arg(vm.name, storage->id),
                 Tr::tr("put the disk on shared storage (Ceph RBD, NFS) or add a "
                        "replication job to the nodes HA may choose"),
                 disk.pos});
        }
    }
}

// --- storage.replication-needs-zfs -------------------------------------------------------

void checkReplicationNeedsZfs(const Plan &plan, QList<Finding> &findings)
{
    for (const Vm &vm : plan.vms) {
        for (const Replication &job : vm.replication) {
            for (const Disk &disk : vm.disks) {
                const Storage *storage = diskStorage(plan, disk);
                if (!storage || storage->shared)
                    continue;
                if (storage->type != StorageType::ZfsPool) {
                    findings.append(
                        {QStringLiteral("storage.replication-needs-zfs"), Severity::Error,
                         vmSubject(vm),
                         Tr::tr("%1 replicates to %2, but its disk on %3 is %4 storage; Proxmox "
                                "replicates ZFS volumes only")
                             .arg(vm.name, job.target, storage->id, storageTypeName(storage->type)),
                         Tr::tr("move the disk to a zfspool storage, or drop the replication job"),
                         job.pos});
                } else if (!storage->isOnNode(job.target)) {
                    findings.append(
                        {QStringLiteral("storage.replication-needs-zfs"), Severity::Error,
                         vmSubject(vm),
                         Tr::tr(
                             "%1 replicates to %2, but the zfspool storage %3 does not exist there")
                             .arg(vm.name, job.target, storage->id),
                         Tr::tr(
                             "create the same zfspool storage on %1, or replicate to a node that "
                             "has it")
                             .arg(job.target),
                         job.pos});
                }
            }
        }
    }
}

// --- gpu.llm-needs-mapping ---------------------------------------------------------------

void checkLlmGpu(const Plan &plan, QList<Finding> &findings)
{
    for (const Vm *vm : plan.vmsWithRole(Role::Llm)) {
        if (!vm->gpuMapping)
            continue;
        QStringList nodesWithMapping;
        for (const Node &node : plan.nodes) {
            if (std::any_of(node.gpus.cbegin(), node.gpus.cend(), [&](const GpuMapping &gpu) {
                    return gpu.mapping == *vm->gpuMapping;
                })) {
                nodesWithMapping.append(node.name);
            }
        }
        if (!nodesWithMapping.contains(vm->node)) {
            findings.append(
                {QStringLiteral("gpu.llm-needs-mapping"), Severity::Error, vmSubject(*vm),
                 Tr::tr("%1 needs the GPU mapping %2, which node %3 does not have")
                     .arg(vm->name, *vm->gpuMapping, vm->node),
                 nodesWithMapping.isEmpty()
                     ? Tr::tr("no node of the plan has %1: add it to the node that holds "
                              "the GPU")
                           .arg(*vm->gpuMapping)
                     : Tr::tr("place it on %1").arg(nodesWithMapping.join(Tr::tr(" or "))),
                 vm->pos});
        } else if (vm->ha.managed && nodesWithMapping.size() == 1) {
            findings.append(
                {QStringLiteral("gpu.llm-needs-mapping"), Severity::Warning, vmSubject(*vm),
                 Tr::tr("%1 is HA-managed, but its GPU mapping %2 exists on %3 only: if "
                        "%3 fails, HA has nowhere to start it")
                     .arg(vm->name, *vm->gpuMapping, nodesWithMapping.first()),
                 Tr::tr("map a GPU of the same kind as %1 on another node, or take the "
                        "LLM out of HA and accept the outage")
                     .arg(*vm->gpuMapping),
                 vm->ha.pos.isValid() ? vm->ha.pos : vm->pos});
        }
    }
}

// --- network.public-only-gateway, network.internal-isolated ------------------------------

void checkPublicOnlyGateway(const Plan &plan, QList<Finding> &findings)
{
    for (const Vm &vm : plan.vms) {
        const bool isGateway = vm.role == Role::Gateway;
        const bool hasPublic = std::any_of(vm.nics.cbegin(), vm.nics.cend(), [](const Nic &nic) {
            return nic.network == NetworkRef::Public;
        });
        if (!isGateway && hasPublic) {
            const auto nic = std::find_if(vm.nics.cbegin(), vm.nics.cend(), [](const Nic &n) {
                return n.network == NetworkRef::Public;
            });
            findings.append({QStringLiteral("network.public-only-gateway"), Severity::Error,
                             vmSubject(vm),
                             Tr::tr("%1 (%2) has a NIC on the public network; only the gateway may")
                                 .arg(vm.name, roleName(vm.role)),
                             Tr::tr("put the NIC on the internal network and reach it through the "
                                    "gateway"),
                             nic->pos});
        }
        if (isGateway && !hasPublic) {
            findings.append({QStringLiteral("network.public-only-gateway"), Severity::Warning,
                             vmSubject(vm),
                             Tr::tr("the gateway %1 has no NIC on the public network, so nobody "
                                    "outside can reach RAE")
                                 .arg(vm.name),
                             Tr::tr("add a NIC with “network: public”"), vm.pos});
        }
    }
}

void checkInternalIsolated(const Plan &plan, QList<Finding> &findings)
{
    const InternalNetwork &internal = plan.networks.internal;
    const PublicNetwork &publicNet = plan.networks.publicNet;
    if (internal.vnet.isEmpty() && !internal.bridge.isEmpty() &&
        internal.bridge == publicNet.bridge && internal.vlan == publicNet.vlan) {
        findings.append(
            {QStringLiteral("network.internal-isolated"),
             Severity::Error,
             {SubjectKind::Network, QStringLiteral("internal")},
             Tr::tr("the internal and the public network are the same segment (%1%2): the "
                    "database, vector store and Redis are reachable from outside")
                 .arg(internal.bridge,
                      internal.vlan ? Tr::tr(", VLAN %1").arg(internal.vlan) : QString()),
             Tr::tr("give the internal network its own VLAN tag or SDN VNet"),
             internal.pos});
    }

    for (const Vm &vm : plan.vms) {
        if (vm.role != Role::Db && vm.role != Role::Vector && vm.role != Role::Redis)
            continue;
        for (const Nic &nic : vm.nics) {
            if (nic.network == NetworkRef::Public) {
                findings.append(
                    {QStringLiteral("network.internal-isolated"), Severity::Error, vmSubject(vm),
                     Tr::tr("%1 holds RAE's data but is reachable on the public network")
                         .arg(vm.name),
                     Tr::tr("keep %1 on the internal network only").arg(vm.name), nic.pos});
            } else if (!nic.firewall) {
                findings.append(
                    {QStringLiteral("network.internal-isolated"), Severity::Warning, vmSubject(vm),
                     Tr::tr("%1 holds RAE's data and its NIC has the Proxmox firewall off")
                         .arg(vm.name),
                     Tr::tr("turn the firewall on and allow only the API VMs in"), nic.pos});
            }
        }
    }
}

// --- placement.api-spread, placement.anti-affinity, placement.maintenance -----------------

void checkApiSpread(const Plan &plan, QList<Finding> &findings)
{
    const QList<const Vm *> apis = plan.vmsWithRole(Role::Api);
    QMap<QString, QStringList> apisByNode;
    for (const Vm *vm : apis)
        apisByNode[vm->node].append(vm->name);
    for (auto it = apisByNode.cbegin(); it != apisByNode.cend(); ++it) {
        if (it.value().size() < 2)
            continue;
        findings.append({QStringLiteral("placement.api-spread"), Severity::Warning,
                         nodeSubject(it.key()),
                         Tr::tr("API replicas %1 share node %2: one failure takes several down")
                             .arg(it.value().join(QStringLiteral(", ")), it.key()),
                         Tr::tr("spread the API replicas over different nodes"),
                         plan.vm(it.value().constLast())->pos});
    }

    const QList<const Vm *> dbs = plan.vmsWithRole(Role::Db);
    if (apis.isEmpty() || dbs.isEmpty() || apisByNode.size() != 1)
        return;
    const QString node = apisByNode.firstKey();
    for (const Vm *db : dbs) {
        if (db->node != node)
            continue;
        findings.append({QStringLiteral("placement.api-spread"), Severity::Error, nodeSubject(node),
                         Tr::tr("the database and every API replica run on %1: its failure stops "
                                "RAE entirely until HA has restarted all of them")
                             .arg(node),
                         Tr::tr("move at least one API replica to another node"), db->pos});
    }
}

void checkAntiAffinity(const Plan &plan, QList<Finding> &findings)
{
    QSet<QString> reported;
    for (const Vm &vm : plan.vms) {
        for (const QString &otherName : vm.ha.antiAffinity) {
            const Vm *other = plan.vm(otherName);
            if (!other || other->node != vm.node)
                continue;
            QStringList pair{vm.name, other->name};
            pair.sort();
            if (reported.contains(pair.join(QLatin1Char('/'))))
                continue;
            reported.insert(pair.join(QLatin1Char('/')));
            findings.append({QStringLiteral("placement.anti-affinity"), Severity::Error,
                             vmSubject(vm),
                             Tr::tr("%1 and %2 must be kept apart, but both are placed on %3")
                                 .arg(vm.name, other->name, vm.node),
                             Tr::tr("move one of them to another node"), vm.ha.pos});
        }
    }
}

void checkMaintenance(const Plan &plan, QList<Finding> &findings)
{
    for (const Node &node : plan.nodes) {
        if (!node.maintenance)
            continue;
        for (const Vm *vm : plan.vmsOnNode(node.name)) {
            findings.append({QStringLiteral("placement.maintenance"), Severity::Warning,
                             vmSubject(*vm),
                             Tr::tr("%1 is placed on %2, which is in maintenance: HA moves its "
                                    "services away")
                                 .arg(vm->name, node.name),
                             Tr::tr("place it on another node until maintenance ends"), vm->pos});
        }
    }
}

// --- backups.required --------------------------------------------------------------------

void checkBackups(const Plan &plan, QList<Finding> &findings)
{
    for (const BackupJob &job : plan.backups) {
        if (const auto event = CalendarEvent::parse(job.schedule); !event) {
            findings.append({QStringLiteral("backups.required"),
                             Severity::Error,
                             {SubjectKind::BackupJob, job.id},
                             event.error().message,
                             event.error().hint,
                             job.schedulePos.isValid() ? job.schedulePos : job.pos});
        }
        const Storage *storage = plan.storage(job.storage);
        if (storage && storage->type != StorageType::Pbs) {
            findings.append(
                {QStringLiteral("backups.required"),
                 Severity::Info,
                 {SubjectKind::BackupJob, job.id},
                 Tr::tr("backup job %1 writes to %2 storage %3, not to a Proxmox Backup "
                        "Server")
                     .arg(job.id, storageTypeName(storage->type), storage->id),
                 Tr::tr("the reference architecture keeps backups on PBS, off the "
                        "cluster's own disks"),
                 job.pos});
        }
    }

    for (Role role : {Role::Db, Role::Vector}) {
        for (const Vm *vm : plan.vmsWithRole(role)) {
            const bool covered =
                std::any_of(plan.backups.cbegin(), plan.backups.cend(),
                            [&](const BackupJob &job) { return job.vms.contains(vm->name); });
            if (covered)
                continue;
            findings.append(
                {QStringLiteral("backups.required"), Severity::Error, vmSubject(*vm),
                 Tr::tr("%1 holds RAE's %2 but no backup job includes it")
                     .arg(vm->name, role == Role::Db ? Tr::tr("database") : Tr::tr("vectors")),
                 Tr::tr("add it to a backup job under “backups”, on PBS storage"), vm->pos});
        }
    }
}

// --- roles.complete ----------------------------------------------------------------------

void checkRolesComplete(const Plan &plan, QList<Finding> &findings)
{
    for (Role role : {Role::Db, Role::Vector, Role::Redis, Role::Api, Role::Gateway}) {
        if (!plan.vmsWithRole(role).isEmpty())
            continue;
        findings.append({QStringLiteral("roles.complete"),
                         Severity::Error,
                         {SubjectKind::Role, roleName(role)},
                         Tr::tr("the plan has no %1 VM, which RAE needs").arg(roleName(role)),
                         Tr::tr("add the role under “roles.%1”").arg(roleName(role)),
                         {}});
    }

    const bool hasLlm = !plan.vmsWithRole(Role::Llm).isEmpty();
    if (plan.rae.llmBackend && !hasLlm && plan.rae.llmUrl.isEmpty()) {
        findings.append({QStringLiteral("roles.complete"),
                         Severity::Error,
                         {SubjectKind::Role, roleName(Role::Llm)},
                         Tr::tr("RAE_LLM_BACKEND is %1, but the plan has no llm VM and no external "
                                "LLM address")
                             .arg(llmBackendName(*plan.rae.llmBackend)),
                         Tr::tr("add an llm role, set rae.llm_url, or remove rae.llm_backend"),
                         plan.rae.pos});
    }
    if (hasLlm && plan.rae.llmBackend && *plan.rae.llmBackend != plan.llm.backend) {
        findings.append(
            {QStringLiteral("roles.complete"),
             Severity::Error,
             {SubjectKind::Role, roleName(Role::Llm)},
             Tr::tr("RAE_LLM_BACKEND is %1, but the llm VM runs %2")
                 .arg(llmBackendName(*plan.rae.llmBackend), llmBackendName(plan.llm.backend)),
             Tr::tr("make rae.llm_backend and roles.llm.backend agree"),
             plan.rae.pos});
    }
}

// --- access.ssh-keys ---------------------------------------------------------------------

void checkSshKeys(const Plan &plan, QList<Finding> &findings)
{
    const Subject cluster{SubjectKind::Cluster, plan.cluster.name};
    if (plan.access.sshKeys.isEmpty()) {
        findings.append(
            {QStringLiteral("access.ssh-keys"), Severity::Warning, cluster,
             Tr::tr("the plan names no SSH public key: nobody can log in to the VMs except on "
                    "the Proxmox console"),
             Tr::tr("add the admins' public keys under “access.ssh_keys”, one line of a .pub "
                    "file each"),
             plan.access.pos});
        return;
    }
    QSet<QString> seen;
    for (qsizetype index = 0; index < plan.access.sshKeys.size(); ++index) {
        const SshKey &written = plan.access.sshKeys.at(index);
        const auto key = parseSshPublicKey(written.text);
        if (!key) {
            findings.append({QStringLiteral("access.ssh-keys"), Severity::Error, cluster,
                             Tr::tr("access.ssh_keys[%1]: %2").arg(index).arg(key.error().message),
                             key.error().hint, written.pos});
            continue;
        }
        const QString identity = key->type + QLatin1Char(' ') + key->body;
        if (seen.contains(identity))
            findings.append({QStringLiteral("access.ssh-keys"), Severity::Warning, cluster,
                             Tr::tr("access.ssh_keys[%1]: the same key is listed twice (%2)")
                                 .arg(index)
                                 .arg(key->shortText()),
                             Tr::tr("remove one of them"), written.pos});
        seen.insert(identity);
    }
}

} // namespace

const QList<Rule> &rules()
{
    static const QList<Rule> all{
        {QStringLiteral("cluster.min-nodes"), Tr::tr("at least three nodes, so one can fail"),
         checkMinNodes},
        {QStringLiteral("capacity.node-memory"),
         Tr::tr("no node asked for more memory than it has"), checkNodeMemory},
        {QStringLiteral("capacity.node-cpu"),
         Tr::tr("no node asked for more vCPUs than its threads × the overcommit ratio"),
         checkNodeCpu},
        {QStringLiteral("ha.node-failure-capacity"),
         Tr::tr("the HA VMs of any failed node fit on the survivors"), checkNodeFailureCapacity},
        {QStringLiteral("storage.ha-needs-shared"),
         Tr::tr("HA VMs keep their disks on shared or replicated storage"), checkHaNeedsShared},
        {QStringLiteral("storage.replication-needs-zfs"),
         Tr::tr("replication is from a zfspool to a node with the same pool"),
         checkReplicationNeedsZfs},
        {QStringLiteral("gpu.llm-needs-mapping"),
         Tr::tr("the LLM VM sits where its GPU mapping exists, and HA can move it"), checkLlmGpu},
        {QStringLiteral("network.public-only-gateway"),
         Tr::tr("only the gateway is on the public network"), checkPublicOnlyGateway},
        {QStringLiteral("network.internal-isolated"),
         Tr::tr("db, vector and redis are reachable on the internal network only"),
         checkInternalIsolated},
        {QStringLiteral("placement.api-spread"),
         Tr::tr("API replicas on different nodes, never all with the database"), checkApiSpread},
        {QStringLiteral("placement.anti-affinity"), Tr::tr("VMs kept apart are placed apart"),
         checkAntiAffinity},
        {QStringLiteral("placement.maintenance"), Tr::tr("nothing placed on a node in maintenance"),
         checkMaintenance},
        {QStringLiteral("backups.required"),
         Tr::tr("db and vector are backed up on a schedule that parses"), checkBackups},
        {QStringLiteral("roles.complete"), Tr::tr("every role RAE needs is there"),
         checkRolesComplete},
        {QStringLiteral("access.ssh-keys"),
         Tr::tr("the admins can log in to the VMs with SSH keys that are well-formed"),
         checkSshKeys},
    };
    return all;
}

QList<Finding> validate(const Plan &plan)
{
    QList<Finding> findings;
    for (const Rule &rule : rules())
        rule.check(plan, findings);
    std::stable_sort(findings.begin(), findings.end(), [](const Finding &a, const Finding &b) {
        return int(a.severity) < int(b.severity);
    });
    return findings;
}

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return QStringLiteral("error");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        break;
    }
    return QStringLiteral("info");
}

QString subjectKindName(SubjectKind kind)
{
    switch (kind) {
    case SubjectKind::Cluster:
        return QStringLiteral("cluster");
    case SubjectKind::Node:
        return QStringLiteral("node");
    case SubjectKind::Vm:
        return QStringLiteral("vm");
    case SubjectKind::Storage:
        return QStringLiteral("storage");
    case SubjectKind::Network:
        return QStringLiteral("network");
    case SubjectKind::BackupJob:
        return QStringLiteral("backup-job");
    case SubjectKind::Role:
        break;
    }
    return QStringLiteral("role");
}

QString subjectText(const Subject &subject)
{
    switch (subject.kind) {
    case SubjectKind::Cluster:
        return Tr::tr("cluster %1").arg(subject.name);
    case SubjectKind::Node:
        return Tr::tr("node %1").arg(subject.name);
    case SubjectKind::Vm:
        return Tr::tr("VM %1").arg(subject.name);
    case SubjectKind::Storage:
        return Tr::tr("storage %1").arg(subject.name);
    case SubjectKind::Network:
        return Tr::tr("%1 network").arg(subject.name);
    case SubjectKind::BackupJob:
        return Tr::tr("backup job %1").arg(subject.name);
    case SubjectKind::Role:
        break;
    }
    return Tr::tr("role %1").arg(subject.name);
}

} // namespace rae::validation
