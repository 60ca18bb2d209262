#include "deploy/changeset.h"

#include "common/sshkey.h"
#include "deploy/apitier.h"
#include "deploy/provisioning.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace rae::deploy {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::Changeset)
};

QString gib(ByteSize size)
{
    return size.toString();
}

QString nicText(const SnapshotNic &nic)
{
    QString text = QStringLiteral("bridge=") + nic.bridge;
    if (nic.vlan > 0)
        text += QStringLiteral(",tag=") + QString::number(nic.vlan);
    text += nic.firewall ? QStringLiteral(",firewall=1") : QStringLiteral(",firewall=0");
    return text;
}

void compare(QList<FieldChange> &fields, const QString &name, const QString &before,
             const QString &after)
{
    if (before != after)
        fields.append({name, before, after});
}

QString keysText(const QStringList &lines)
{
    QStringList shown;
    for (const QString &line : lines) {
        const auto key = parseSshPublicKey(line);
        shown << (key ? key->shortText() : line.left(24));
    }
    std::sort(shown.begin(), shown.end());
    return shown.join(QStringLiteral(", "));
}

// Cloud-init: the user always, the keys when the plan names any (a plan without keys leaves
// keys set by hand alone); keys compare as a set, whatever their order and comments.
void compareAccess(QList<FieldChange> &fields, const plan::Plan &plan, const SnapshotVm &actual)
{
    compare(fields, QStringLiteral("ciuser"), actual.ciUser, plan.access.user);
    const QStringList wanted = plan.access.keyLines();
    if (!wanted.isEmpty() && !sameSshKeys(actual.sshKeys, wanted))
        fields.append({QStringLiteral("sshkeys"), keysText(actual.sshKeys), keysText(wanted)});
}

QString haStateText(plan::HaState state)
{
    return plan::haStateName(state);
}

// Sets of VMs that must not share a node, merged where they overlap, each sorted.
QList<QStringList> antiAffinitySets(const plan::Plan &plan)
{
    QList<QSet<QString>> sets;
    for (const plan::Vm &vm : plan.vms) {
        if (vm.ha.antiAffinity.isEmpty())
            continue;
        QSet<QString> set{vm.name};
        for (const QString &other : vm.ha.antiAffinity)
            set.insert(other);
        bool merged = false;
        for (QSet<QString> &existing : sets)
            if (existing.intersects(set)) {
                existing.unite(set);
                merged = true;
                break;
            }
        if (!merged)
            sets.append(set);
    }
    QList<QStringList> out;
    for (const QSet<QString> &set : sets) {
        QStringList names(set.cbegin(), set.cend());
        names.sort();
        out.append(names);
    }
    return out;
}

QString antiAffinityRuleId(const plan::Plan &plan, const QStringList &names, int index)
{
    QSet<plan::Role> roles;
    for (const QString &name : names)
        if (const plan::Vm *vm = plan.vm(name))
            roles.insert(vm->role);
    if (roles.size() == 1)
        return QStringLiteral("rae-") + plan::roleName(*roles.cbegin()) + QStringLiteral("-apart");
    return QStringLiteral("rae-apart-") + QString::number(index + 1);
}

} // namespace

QString Change::field(const QString &name) const
{
    for (const FieldChange &change : fields)
        if (change.field == name)
            return change.after;
    return {};
}

bool Change::changes(const QString &name) const
{
    return std::any_of(fields.cbegin(), fields.cend(),
                       [&name](const FieldChange &change) { return change.field == name; });
}

int Changeset::count() const
{
    return int(std::count_if(changes.cbegin(), changes.cend(),
                             [](const Change &change) { return change.counts(); }));
}

int Changeset::count(ChangeKind kind) const
{
    return int(std::count_if(changes.cbegin(), changes.cend(),
                             [kind](const Change &change) { return change.kind == kind; }));
}

QString sidOf(int vmid, const QString &vmName)
{
    if (vmid > 0)
        return QStringLiteral("vm:") + QString::number(vmid);
    return QStringLiteral("vm:<") + vmName + QLatin1Char('>');
}

QString haGroupId(const plan::Vm &vm)
{
    return QStringLiteral("rae-") + vm.name.section(QLatin1String("rae-"), -1);
}

QString nodeAffinityRuleId(const plan::Vm &vm)
{
    return haGroupId(vm) + QStringLiteral("-nodes");
}

QString poolMemberField(const QString &vmName)
{
    return QStringLiteral("member ") + vmName;
}

QString poolMemberOf(const QString &field)
{
    return field.startsWith(QLatin1String("member ")) ? field.mid(7) : QString();
}

QString pruneBackupsText(const plan::Retention &retention)
{
    QStringList parts;
    auto add = [&parts](const char *key, int value) {
        if (value > 0)
            parts.append(QLatin1String(key) + QLatin1Char('=') + QString::number(value));
    };
    add("keep-last", retention.keepLast);
    add("keep-daily", retention.keepDaily);
    add("keep-weekly", retention.keepWeekly);
    add("keep-monthly", retention.keepMonthly);
    add("keep-yearly", retention.keepYearly);
    return parts.join(QLatin1Char(','));
}

DesiredVm desiredVm(const plan::Plan &plan, const plan::Vm &vm)
{
    DesiredVm desired;
    desired.tags = vm.tags;
    desired.tags << QStringLiteral("rae") << QStringLiteral("rae-") + plan::roleName(vm.role);
    desired.tags.removeDuplicates();
    desired.tags.sort();

    for (int i = 0; i < vm.nics.size(); ++i) {
        const plan::Nic &nic = vm.nics.at(i);
        SnapshotNic net;
        net.key = QStringLiteral("net") + QString::number(i);
        net.firewall = nic.firewall;
        QString gateway;
        QString subnet;
        if (nic.network == plan::NetworkRef::Internal) {
            const plan::InternalNetwork &internal = plan.networks.internal;
            net.bridge = internal.vnet.isEmpty() ? internal.bridge : internal.vnet;
            net.vlan = internal.vnet.isEmpty() ? internal.vlan : 0;
            gateway = internal.gateway;
        } else {
            net.bridge = plan.networks.publicNet.bridge;
            net.vlan = plan.networks.publicNet.vlan;
            gateway = plan.networks.publicNet.gateway;
        }
        desired.nics.append(net);
        QString ip;
        if (nic.address.compare(QLatin1String("dhcp"), Qt::CaseInsensitive) == 0) {
            ip = QStringLiteral("ip=dhcp");
        } else {
            ip = QStringLiteral("ip=") + nic.address;
            // Only the first NIC carries the default route: two default gateways on one guest
            // make replies leave by the wrong interface.
            if (i == 0 && !gateway.isEmpty())
                ip += QStringLiteral(",gw=") + gateway;
        }
        desired.ipConfigs.insert(i, ip);
    }

    for (int i = 0; i < vm.disks.size(); ++i)
        desired.disks.append({QStringLiteral("scsi") + QString::number(i), vm.disks.at(i).storage,
                              vm.disks.at(i).size});
    desired.gpuMapping = vm.gpuMapping.value_or(QString());
    return desired;
}

Changeset computeChangeset(const plan::Plan &plan, const ClusterSnapshot &snapshot,
                           const DiffOptions &options)
{
    Changeset set;
    set.majorRelease = snapshot.majorRelease;
    const bool pve9 = snapshot.majorRelease >= 9;
    QMap<QString, int> vmids; // plan VM name → id, known or 0
    QSet<int> matched;

    // What a blue-green change of the API tier left: kept VMs are not started or retagged, and
    // a VM that serves in place of a plan API VM is that VM in its upgraded form.
    const ApiTier tier = readApiTier(plan, snapshot);
    QSet<QString> kept;     // plan VMs kept stopped for a rollback: HA would start them
    QSet<QString> replaced; // plan API VMs not on the cluster, another VM having their place

    // Compares a VM that exists with what the plan wants of it; `note` says why it is not the
    // plan's own, and then an unchanged VM is listed as kept too (`=`).
    auto compareVm = [&](const plan::Vm &vm, const SnapshotVm *actual, const QString &note) {
        const DesiredVm desired = desiredVm(plan, vm);
        Change change;
        change.object = ObjectKind::Vm;
        change.id = vm.name;
        change.vmName = vm.name;
        change.node = vm.node;
        change.note = note;
        matched.insert(actual->vmid);
        change.vmid = actual->vmid;
        compare(change.fields, QStringLiteral("cores"), QString::number(actual->cores),
                QString::number(vm.cores));
        compare(change.fields, QStringLiteral("memory"), gib(actual->memory), gib(vm.memory));
        for (const SnapshotDisk &disk : desired.disks) {
            auto it = std::find_if(actual->disks.cbegin(), actual->disks.cend(),
                                   [&disk](const SnapshotDisk &d) { return d.key == disk.key; });
            if (it == actual->disks.cend()) {
                change.fields.append({QStringLiteral("disk ") + disk.key,
                                      {},
                                      disk.storage + QLatin1Char(':') + gib(disk.size)});
            } else if (it->size.bytes() > disk.size.bytes()) {
                set.errors.append({Tr::tr("Disk %1 of %2 is %3 and the plan says %4: Proxmox "
                                          "cannot shrink a disk.")
                                       .arg(disk.key, vm.name, gib(it->size), gib(disk.size)),
                                   Tr::tr("Set the plan's size to %1 or more.").arg(gib(it->size)),
                                   vm.name});
            } else if (it->size.bytes() < disk.size.bytes()) {
                change.fields.append(
                    {QStringLiteral("disk ") + disk.key, gib(it->size), gib(disk.size)});
            }
        }
        for (const SnapshotNic &nic : desired.nics) {
            auto it = std::find_if(actual->nics.cbegin(), actual->nics.cend(),
                                   [&nic](const SnapshotNic &n) { return n.key == nic.key; });
            compare(change.fields, nic.key, it == actual->nics.cend() ? QString() : nicText(*it),
                    nicText(nic));
        }
        for (auto it = desired.ipConfigs.cbegin(); it != desired.ipConfigs.cend(); ++it)
            compare(change.fields, QStringLiteral("ipconfig") + QString::number(it.key()),
                    actual->ipConfigs.value(it.key()), it.value());
        QStringList actualTags = actual->tags;
        actualTags.sort();
        compare(change.fields, QStringLiteral("tags"), actualTags.join(QLatin1Char(';')),
                desired.tags.join(QLatin1Char(';')));
        compare(change.fields, QStringLiteral("gpu"), actual->gpuMapping, desired.gpuMapping);
        compareAccess(change.fields, plan, *actual);
        if (!actual->agent)
            change.fields.append(
                {QStringLiteral("agent"), QStringLiteral("0"), QStringLiteral("1")});
        if (!actual->onBoot)
            change.fields.append(
                {QStringLiteral("onboot"), QStringLiteral("0"), QStringLiteral("1")});
        const bool wantRunning = !vm.ha.managed || vm.ha.state == plan::HaState::Started;
        if (wantRunning && actual->status != QLatin1String("running"))
            change.fields.append(
                {QStringLiteral("status"), actual->status, QStringLiteral("running")});

        if (actual->node != vm.node) {
            const bool allowed =
                vm.ha.managed &&
                (vm.ha.nodePriorities.isEmpty() ? !vm.ha.strict
                                                : vm.ha.nodePriorities.contains(actual->node));
            if (allowed && change.fields.isEmpty()) {
                Change keep = change;
                keep.kind = ChangeKind::Keep;
                keep.note = Tr::tr("HA moved it to %1, a node the plan allows; left there")
                                .arg(actual->node);
                set.changes.append(keep);
                return;
            }
            if (!allowed) {
                Change move = change;
                move.kind = ChangeKind::Migrate;
                move.fields = {{QStringLiteral("node"), actual->node, vm.node}};
                set.changes.append(move);
            } else {
                change.note = Tr::tr("on %1, a node the plan allows; not moved").arg(actual->node);
            }
            change.node = actual->node;
        }
        if (!change.fields.isEmpty()) {
            change.kind = ChangeKind::Update;
            set.changes.append(change);
        } else if (!note.isEmpty()) {
            change.kind = ChangeKind::Keep;
            set.changes.append(change);
        }
    };
    auto keepTierVm = [&](const ApiTierVm &vm, const QString &note) {
        Change change;
        change.object = ObjectKind::Vm;
        change.kind = ChangeKind::Keep;
        change.id = vm.name;
        change.vmName = vm.name;
        change.vmid = vm.vmid;
        if (const SnapshotVm *actual = snapshot.vmById(vm.vmid))
            change.node = actual->node;
        change.note = note;
        matched.insert(vm.vmid);
        set.changes.append(change);
    };

    // VMs.
    for (const plan::Vm &vm : plan.vms) {
        const SnapshotVm *actual = snapshot.vmByName(vm.name);
        if (vm.role == plan::Role::Api && tier.unsettled.contains(vm.name)) {
            // Which VM the gateway proxies to is not on the snapshot: nothing is touched.
            for (const ApiTierVm &member : tier.of(vm.name))
                keepTierVm(member,
                           Tr::tr("an upgrade-api or rollback-api of %1 has not finished: run it "
                                  "again to finish it; apply leaves this tier alone until then")
                               .arg(vm.name));
            if (const ApiTierVm *own = tier.find(vm.name)) {
                vmids.insert(vm.name, own->vmid);
                kept.insert(vm.name);
            } else {
                replaced.insert(vm.name);
            }
            continue;
        }
        const QString switched = tier.switchedTo(vm.name);
        if (const ApiTierVm *own = tier.find(vm.name); own && own->standby) {
            keepTierVm(*own,
                       switched.isEmpty()
                           ? Tr::tr("kept stopped for a rollback (%1); no VM serves in its place: "
                                    "rollback-api starts it")
                                 .arg(QLatin1String(kStandbyTag))
                           : Tr::tr("kept stopped for a rollback (%1); %2 serves in its place and "
                                    "takes the plan's changes")
                                 .arg(QLatin1String(kStandbyTag), switched));
            vmids.insert(vm.name, own->vmid);
            kept.insert(vm.name);
            actual = nullptr;
        }
        if (!switched.isEmpty()) {
            // The plan's changes go to the VM that serves; its name, address and version stay.
            const SnapshotVm *serving = snapshot.vmByName(switched);
            const plan::Vm form = standIn(vm, *serving);
            QString version;
            for (const QString &tag : serving->tags)
                if (tag.startsWith(QLatin1String(kVersionTagPrefix)))
                    version = tag.mid(int(qstrlen(kVersionTagPrefix)));
            compareVm(form, serving,
                      version.isEmpty()
                          ? Tr::tr("serves in place of %1 since upgrade-api").arg(vm.name)
                          : Tr::tr("serves in place of %1 since upgrade-api to %2")
                                .arg(vm.name, version));
            if (!kept.contains(vm.name))
                replaced.insert(vm.name);
            continue;
        }
        if (kept.contains(vm.name))
            continue;

        if (actual && !actual->isRae()) {
            const int known = options.knownVmids.value(vm.name, vm.vmid.value_or(0));
            if (actual->vmid != known) {
                set.errors.append({Tr::tr("A VM named %1 exists (id %2) but is not tagged as "
                                          "RAE's.")
                                       .arg(vm.name)
                                       .arg(actual->vmid),
                                   Tr::tr("Rename that VM, or tag it `rae` to adopt it."),
                                   vm.name});
                continue;
            }
        }
        if (!actual && vm.vmid) {
            if (const SnapshotVm *taken = snapshot.vmById(*vm.vmid)) {
                set.errors.append(
                    {Tr::tr("VM id %1 is taken by %2.").arg(*vm.vmid).arg(taken->name),
                     Tr::tr("Give %1 another vmid in the plan, or leave it out to take the next "
                            "free one.")
                         .arg(vm.name),
                     vm.name});
                continue;
            }
        }

        if (!actual) {
            const DesiredVm desired = desiredVm(plan, vm);
            Change change;
            change.object = ObjectKind::Vm;
            change.id = vm.name;
            change.vmName = vm.name;
            change.node = vm.node;
            change.kind = ChangeKind::Create;
            change.vmid = vm.vmid.value_or(options.knownVmids.value(vm.name, 0));
            const QString templ = vm.templateRef.isEmpty() ? plan.defaultTemplate : vm.templateRef;
            change.fields.append({QStringLiteral("template"), {}, templ});
            change.fields.append({QStringLiteral("node"), {}, vm.node});
            change.fields.append({QStringLiteral("cores"), {}, QString::number(vm.cores)});
            change.fields.append({QStringLiteral("memory"), {}, gib(vm.memory)});
            for (const SnapshotDisk &disk : desired.disks)
                change.fields.append({QStringLiteral("disk ") + disk.key,
                                      {},
                                      disk.storage + QLatin1Char(':') + gib(disk.size)});
            for (const SnapshotNic &nic : desired.nics)
                change.fields.append({nic.key, {}, nicText(nic)});
            for (auto it = desired.ipConfigs.cbegin(); it != desired.ipConfigs.cend(); ++it)
                change.fields.append(
                    {QStringLiteral("ipconfig") + QString::number(it.key()), {}, it.value()});
            change.fields.append({QStringLiteral("tags"), {}, desired.tags.join(QLatin1Char(';'))});
            if (!desired.gpuMapping.isEmpty())
                change.fields.append({QStringLiteral("gpu"), {}, desired.gpuMapping});
            change.fields.append({QStringLiteral("ciuser"), {}, plan.access.user});
            if (!plan.access.sshKeys.isEmpty())
                change.fields.append(
                    {QStringLiteral("sshkeys"), {}, keysText(plan.access.keyLines())});
            vmids.insert(vm.name, change.vmid);
            set.changes.append(change);
            continue;
        }

        vmids.insert(vm.name, actual->vmid);
        compareVm(vm, actual, {});
    }

    for (const SnapshotVm &actual : snapshot.vms) {
        if (!actual.isRae() || actual.isTemplate || matched.contains(actual.vmid) ||
            plan.vm(actual.name))
            continue;
        if (const ApiTierVm *member = tier.find(actual.name)) {
            // Never removed: a rollback needs it, and only the admin knows when it may go.
            keepTierVm(
                *member,
                member->standby
                    ? Tr::tr("kept stopped for a rollback (%1) of %2")
                          .arg(QLatin1String(kStandbyTag), member->base)
                    : Tr::tr("an API VM of %1 that does not serve; left alone").arg(member->base));
            continue;
        }
        Change change;
        change.object = ObjectKind::Vm;
        change.kind = options.prune ? ChangeKind::Remove : ChangeKind::Orphan;
        change.id = actual.name;
        change.vmid = actual.vmid;
        change.node = actual.node;
        change.note = options.prune ? Tr::tr("not in the plan")
                                    : Tr::tr("not in the plan; --prune removes it");
        set.changes.append(change);
    }

    // HA: groups (PVE 8) or node-affinity rules (PVE 9), resources, and keeping replicas apart.
    // A plan VM that another VM serves for since an upgrade-api is HA-managed through that VM:
    // its HA resource, and the plan's rules name it.
    QSet<QString> wantedRules;
    QMap<QString, int> haVmids; // plan VM → the id of the VM HA manages for it
    auto compareResource = [&](const plan::Vm &vm, const QString &vmName, int vmid, bool keptVm) {
        const QString sid = sidOf(vmid, vmName);
        Change resource;
        resource.object = ObjectKind::HaResource;
        resource.id = sid;
        resource.vmName = vmName;
        resource.vmid = vmid;
        const SnapshotHaResource *actual = vmid > 0 ? snapshot.haResource(sid) : nullptr;
        resource.kind = actual ? ChangeKind::Update : ChangeKind::Create;
        compare(resource.fields, QStringLiteral("state"), actual ? actual->state : QString(),
                haStateText(vm.ha.state));
        compare(resource.fields, QStringLiteral("max_restart"),
                actual ? QString::number(actual->maxRestart) : QString(),
                QString::number(vm.ha.maxRestart));
        compare(resource.fields, QStringLiteral("max_relocate"),
                actual ? QString::number(actual->maxRelocate) : QString(),
                QString::number(vm.ha.maxRelocate));
        if (!pve9)
            compare(resource.fields, QStringLiteral("group"), actual ? actual->group : QString(),
                    vm.ha.nodePriorities.isEmpty() ? QString() : haGroupId(vm));
        if (keptVm && !resource.fields.isEmpty()) {
            // Setting the plan's state would have HA start the kept VM.
            resource.kind = ChangeKind::Keep;
            resource.note = Tr::tr("%1 is kept stopped for a rollback: its HA resource is left as "
                                   "it is until it serves again")
                                .arg(vmName);
            resource.fields.clear();
        }
        if (!resource.fields.isEmpty() || resource.kind == ChangeKind::Keep)
            set.changes.append(resource);
    };
    for (const plan::Vm &vm : plan.vms) {
        const bool hasNodes = !vm.ha.nodePriorities.isEmpty();
        // A rule of a VM that nothing serves for yet is left for when it does.
        if (vm.ha.managed && replaced.contains(vm.name) && hasNodes && pve9)
            wantedRules.insert(nodeAffinityRuleId(vm));
        const SnapshotVm *serving = snapshot.vmByName(tier.switchedTo(vm.name));
        if (!vm.ha.managed || (serving == nullptr && !vmids.contains(vm.name)))
            continue;
        if (tier.unsettled.contains(vm.name)) {
            // Half switched: which VM the rules are to name is not known; nothing is touched.
            if (hasNodes && pve9)
                wantedRules.insert(nodeAffinityRuleId(vm));
            if (vmids.contains(vm.name))
                compareResource(vm, vm.name, vmids.value(vm.name), true);
            continue;
        }
        const int vmid = serving != nullptr ? serving->vmid : vmids.value(vm.name);
        const QString haName = serving != nullptr ? serving->name : vm.name;
        haVmids.insert(vm.name, vmid);
        const QString sid = sidOf(vmid, haName);
        const QString nodes = formatNodePriorities(vm.ha.nodePriorities);
        if (hasNodes && !pve9) {
            Change change;
            change.object = ObjectKind::HaGroup;
            change.id = haGroupId(vm);
            change.vmName = vm.name;
            const auto it =
                std::find_if(snapshot.haGroups.cbegin(), snapshot.haGroups.cend(),
                             [&](const SnapshotHaGroup &g) { return g.id == change.id; });
            const bool exists = it != snapshot.haGroups.cend();
            change.kind = exists ? ChangeKind::Update : ChangeKind::Create;
            compare(change.fields, QStringLiteral("nodes"),
                    exists ? formatNodePriorities(it->nodes) : QString(), nodes);
            compare(change.fields, QStringLiteral("restricted"),
                    exists ? QString::number(int(it->restricted)) : QString(),
                    QString::number(int(vm.ha.strict)));
            compare(change.fields, QStringLiteral("nofailback"),
                    exists ? QString::number(int(it->nofailback)) : QString(),
                    QString::number(int(!vm.ha.failback)));
            if (!change.fields.isEmpty())
                set.changes.append(change);
        }
        if (hasNodes && pve9) {
            Change change;
            change.object = ObjectKind::HaRule;
            change.id = nodeAffinityRuleId(vm);
            change.vmName = haName;
            wantedRules.insert(change.id);
            const auto it =
                std::find_if(snapshot.haRules.cbegin(), snapshot.haRules.cend(),
                             [&](const SnapshotHaRule &r) { return r.id == change.id; });
            const bool exists = it != snapshot.haRules.cend();
            change.kind = exists ? ChangeKind::Update : ChangeKind::Create;
            compare(change.fields, QStringLiteral("type"), exists ? it->type : QString(),
                    QStringLiteral("node-affinity"));
            compare(change.fields, QStringLiteral("resources"),
                    exists ? it->resources.join(QLatin1Char(',')) : QString(), sid);
            compare(change.fields, QStringLiteral("nodes"),
                    exists ? formatNodePriorities(it->nodes) : QString(), nodes);
            compare(change.fields, QStringLiteral("strict"),
                    exists ? QString::number(int(it->strict)) : QString(),
                    QString::number(int(vm.ha.strict)));
            if (!change.fields.isEmpty())
                set.changes.append(change);
        }
        if (kept.contains(vm.name))
            compareResource(vm, vm.name, vmids.value(vm.name), true);
        // A kept VM that nothing serves for is left as it is: the plan's state would start it.
        if (serving != nullptr || !kept.contains(vm.name))
            compareResource(vm, haName, vmid, false);
    }

    const QList<QStringList> apart = antiAffinitySets(plan);
    for (int i = 0; i < apart.size(); ++i) {
        const QStringList &names = apart.at(i);
        if (!pve9) {
            Change note;
            note.object = ObjectKind::HaRule;
            note.kind = ChangeKind::Keep;
            note.id = antiAffinityRuleId(plan, names, i);
            note.note = Tr::tr("PVE 8 has no resource-affinity rules: %1 are kept apart only by "
                               "their groups' node priorities")
                            .arg(names.join(QStringLiteral(", ")));
            set.changes.append(note);
            continue;
        }
        // A rule naming a VM of the API tier whose VM is not known is left as it is, with why.
        const auto keepRule = [&](const QString &note) {
            Change keep;
            keep.object = ObjectKind::HaRule;
            keep.kind = ChangeKind::Keep;
            keep.id = antiAffinityRuleId(plan, names, i);
            keep.note = note;
            wantedRules.insert(keep.id);
            set.changes.append(keep);
        };
        if (const auto unsettled =
                std::find_if(names.cbegin(), names.cend(),
                             [&](const QString &name) { return tier.unsettled.contains(name); });
            unsettled != names.cend()) {
            keepRule(Tr::tr("names %1, whose upgrade-api or rollback-api has not finished; "
                            "left as it is")
                         .arg(*unsettled));
            continue;
        }
        if (const auto gone = std::find_if(names.cbegin(), names.cend(),
                                           [&](const QString &name) {
                                               return replaced.contains(name) &&
                                                      !haVmids.contains(name);
                                           });
            gone != names.cend()) {
            keepRule(Tr::tr("names %1, which is not on the cluster while %2 serves in its "
                            "place; left as it is")
                         .arg(*gone, tier.serving.value(*gone, Tr::tr("another API VM"))));
            continue;
        }
        // The VMs that serve: an upgraded tier's, not the kept ones.
        QStringList sids;
        for (const QString &name : names) {
            const QString serving = tier.switchedTo(name);
            sids.append(
                sidOf(haVmids.value(name, vmids.value(name)), serving.isEmpty() ? name : serving));
        }
        sids.sort();
        Change change;
        change.object = ObjectKind::HaRule;
        change.id = antiAffinityRuleId(plan, names, i);
        wantedRules.insert(change.id);
        const auto it = std::find_if(snapshot.haRules.cbegin(), snapshot.haRules.cend(),
                                     [&](const SnapshotHaRule &r) { return r.id == change.id; });
        const bool exists = it != snapshot.haRules.cend();
        change.kind = exists ? ChangeKind::Update : ChangeKind::Create;
        compare(change.fields, QStringLiteral("type"), exists ? it->type : QString(),
                QStringLiteral("resource-affinity"));
        compare(change.fields, QStringLiteral("affinity"), exists ? it->affinity : QString(),
                QStringLiteral("negative"));
        compare(change.fields, QStringLiteral("resources"),
                exists ? it->resources.join(QLatin1Char(',')) : QString(),
                sids.join(QLatin1Char(',')));
        if (!change.fields.isEmpty())
            set.changes.append(change);
    }

    // Replication jobs: matched by guest and target; ids are `<vmid>-<n>`.
    for (const plan::Vm &vm : plan.vms) {
        if (!vmids.contains(vm.name))
            continue;
        const int vmid = vmids.value(vm.name);
        for (const plan::Replication &replication : vm.replication) {
            Change change;
            change.object = ObjectKind::Replication;
            change.vmName = vm.name;
            change.vmid = vmid;
            const auto it = std::find_if(
                snapshot.replications.cbegin(), snapshot.replications.cend(),
                [&](const SnapshotReplication &r) {
                    return vmid > 0 && r.guest == vmid && r.target == replication.target;
                });
            const bool exists = it != snapshot.replications.cend();
            change.id =
                exists ? it->id
                       : QString(QString::number(vmid) + QStringLiteral("→") + replication.target);
            change.kind = exists ? ChangeKind::Update : ChangeKind::Create;
            const QString schedule =
                replication.schedule.isEmpty() ? QStringLiteral("*/15") : replication.schedule;
            compare(change.fields, QStringLiteral("target"), exists ? it->target : QString(),
                    replication.target);
            compare(change.fields, QStringLiteral("schedule"), exists ? it->schedule : QString(),
                    schedule);
            compare(change.fields, QStringLiteral("rate"),
                    exists ? QString::number(it->rate) : QString(),
                    QString::number(replication.rateMBps));
            if (!change.fields.isEmpty())
                set.changes.append(change);
        }
    }

    // Backup jobs, by id.
    for (const plan::BackupJob &job : plan.backups) {
        Change change;
        change.object = ObjectKind::Backup;
        change.id = job.id;
        const auto it = std::find_if(snapshot.backups.cbegin(), snapshot.backups.cend(),
                                     [&](const SnapshotBackup &b) { return b.id == job.id; });
        const bool exists = it != snapshot.backups.cend();
        change.kind = exists ? ChangeKind::Update : ChangeKind::Create;
        if (const auto gone =
                std::find_if(job.vms.cbegin(), job.vms.cend(),
                             [&](const QString &name) { return replaced.contains(name); });
            gone != job.vms.cend()) {
            change.kind = ChangeKind::Keep;
            change.note = Tr::tr("backs up %1, which is not on the cluster while %2 serves in "
                                 "its place; left as it is")
                              .arg(*gone, tier.serving.value(*gone, Tr::tr("another API VM")));
            set.changes.append(change);
            continue;
        }
        QStringList wanted;
        QList<int> wantedIds;
        for (const QString &name : job.vms) {
            const int vmid = vmids.value(name);
            wanted.append(vmid > 0 ? QString::number(vmid)
                                   : QString(QLatin1Char('<') + name + QLatin1Char('>')));
            wantedIds.append(vmid);
        }
        std::sort(wanted.begin(), wanted.end());
        QStringList have;
        if (exists)
            for (int vmid : it->vmids)
                have.append(QString::number(vmid));
        std::sort(have.begin(), have.end());
        compare(change.fields, QStringLiteral("storage"), exists ? it->storage : QString(),
                job.storage);
        compare(change.fields, QStringLiteral("schedule"), exists ? it->schedule : QString(),
                job.schedule);
        compare(change.fields, QStringLiteral("vmid"), have.join(QLatin1Char(',')),
                wanted.join(QLatin1Char(',')));
        compare(change.fields, QStringLiteral("mode"), exists ? it->mode : QString(),
                plan::backupModeName(job.mode));
        compare(change.fields, QStringLiteral("prune-backups"),
                exists ? it->pruneBackups : QString(), pruneBackupsText(job.retention));
        if (!change.fields.isEmpty())
            set.changes.append(change);
    }

    // Resource pools: made when missing, the plan's VMs added. A VM in another pool is moved only
    // with the move shown; a VM is never taken out of a pool the plan does not name.
    QMap<QString, Change> pools;
    for (const plan::Vm &vm : plan.vms) {
        const QString pool = plan.poolOf(vm);
        // The VM that serves for a plan API VM is in its pool; a kept one is left where it is.
        const SnapshotVm *actual = snapshot.vmByName(tier.switchedTo(vm.name));
        if (pool.isEmpty() ||
            (actual == nullptr &&
             (kept.contains(vm.name) || replaced.contains(vm.name) || !vmids.contains(vm.name))))
            continue;
        const QString member = actual != nullptr ? actual->name : vm.name;
        if (actual == nullptr)
            actual = snapshot.vmByName(vm.name);
        const QString current = actual ? actual->pool : QString();
        if (current == pool)
            continue;
        Change &change = pools[pool];
        if (change.id.isEmpty()) {
            change.object = ObjectKind::Pool;
            change.id = pool;
            const bool exists =
                std::any_of(snapshot.pools.cbegin(), snapshot.pools.cend(),
                            [&pool](const SnapshotPool &p) { return p.id == pool; }) ||
                std::any_of(snapshot.vms.cbegin(), snapshot.vms.cend(),
                            [&pool](const SnapshotVm &v) { return v.pool == pool; });
            change.kind = exists ? ChangeKind::Update : ChangeKind::Create;
            if (!exists)
                change.fields.append(
                    {QStringLiteral("comment"), {}, Tr::tr("RAE on %1").arg(plan.cluster.name)});
        }
        change.fields.append({poolMemberField(member), current, pool});
        if (!current.isEmpty()) {
            const QString moved = Tr::tr("%1 leaves pool %2, which the plan does not name for it")
                                      .arg(member, current);
            change.note =
                change.note.isEmpty() ? moved : change.note + QStringLiteral("; ") + moved;
        }
    }
    for (const Change &change : std::as_const(pools))
        set.changes.append(change);

    // Rules this tool made that the plan no longer has.
    for (const SnapshotHaRule &rule : snapshot.haRules) {
        if (!rule.id.startsWith(QLatin1String("rae-")) || wantedRules.contains(rule.id))
            continue;
        Change change;
        change.object = ObjectKind::HaRule;
        change.kind = options.prune ? ChangeKind::Remove : ChangeKind::Orphan;
        change.id = rule.id;
        change.note = Tr::tr("not in the plan");
        set.changes.append(change);
    }
    return set;
}

QString renderChangeset(const Changeset &changeset)
{
    static const QMap<ObjectKind, QString> kinds{
        {ObjectKind::Vm, QStringLiteral("vm")},
        {ObjectKind::HaGroup, QStringLiteral("ha group")},
        {ObjectKind::HaRule, QStringLiteral("ha rule")},
        {ObjectKind::HaResource, QStringLiteral("ha resource")},
        {ObjectKind::Replication, QStringLiteral("replication")},
        {ObjectKind::Backup, QStringLiteral("backup job")},
        {ObjectKind::Pool, QStringLiteral("pool")}};
    QString out;
    for (const Change &change : changeset.changes) {
        QChar sign;
        switch (change.kind) {
        case ChangeKind::Create:
            sign = QLatin1Char('+');
            break;
        case ChangeKind::Update:
            sign = QLatin1Char('~');
            break;
        case ChangeKind::Migrate:
            sign = QLatin1Char('>');
            break;
        case ChangeKind::Remove:
            sign = QLatin1Char('-');
            break;
        case ChangeKind::Keep:
            sign = QLatin1Char('=');
            break;
        case ChangeKind::Orphan:
            sign = QLatin1Char('!');
            break;
        }
        out += sign + QLatin1Char(' ') + kinds.value(change.object) + QLatin1Char(' ') + change.id;
        if (change.object == ObjectKind::Vm && change.vmid > 0)
            out += QStringLiteral(" (") + QString::number(change.vmid) + QLatin1Char(')');
        if (!change.note.isEmpty())
            out += QStringLiteral("  # ") + change.note;
        out += QLatin1Char('\n');
        for (const FieldChange &field : change.fields) {
            out += QStringLiteral("    ") + field.field + QStringLiteral(": ");
            if (field.before.isEmpty())
                out += field.after;
            else if (field.after.isEmpty())
                out += field.before + QStringLiteral(" → (none)");
            else
                out += field.before + QStringLiteral(" → ") + field.after;
            out += QLatin1Char('\n');
        }
    }
    for (const Error &error : changeset.errors)
        out += QStringLiteral("error: ") + error.toString() + QLatin1Char('\n');
    out += Tr::tr("Plan: %1 to create, %2 to change, %3 to move, %4 to remove; %5 left alone.")
               .arg(changeset.count(ChangeKind::Create))
               .arg(changeset.count(ChangeKind::Update))
               .arg(changeset.count(ChangeKind::Migrate))
               .arg(changeset.count(ChangeKind::Remove))
               .arg(changeset.count(ChangeKind::Orphan));
    out += QLatin1Char('\n');
    return out;
}

} // namespace rae::deploy
