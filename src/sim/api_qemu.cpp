// Guests: create, clone, configure, power, migrate, delete, back up; and their guest agent.
#include "cluster.h"

#include "common/calendarevent.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryFile>

#include <cmath>

namespace rae::sim {

namespace {

const QRegularExpression &diskKeyPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^(scsi|virtio|sata|ide|efidisk|tpmstate)\\d+$"));
    return pattern;
}

QString part(const QString &propertyString, const QString &key)
{
    for (const QString &item : propertyString.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (item.startsWith(key + QLatin1Char('=')))
            return item.mid(key.size() + 1);
    }
    return {};
}

QString randomMac()
{
    const QByteArray tail = randomBytes(3).toHex().toUpper();
    return QStringLiteral("BC:24:11:%1:%2:%3")
        .arg(QString::fromLatin1(tail.mid(0, 2)), QString::fromLatin1(tail.mid(2, 2)),
             QString::fromLatin1(tail.mid(4, 2)));
}

// net0=virtio,bridge=vmbr1 gets its MAC the way qemu-server writes it: model=MAC first.
QString withMac(const QString &net)
{
    QStringList items = net.split(QLatin1Char(','), Qt::SkipEmptyParts);
    static const QStringList models = {QStringLiteral("virtio"), QStringLiteral("e1000"),
                                       QStringLiteral("e1000e"), QStringLiteral("rtl8139"),
                                       QStringLiteral("vmxnet3")};
    QString model = QStringLiteral("virtio");
    QString mac;
    QStringList rest;
    for (const QString &item : items) {
        const QString key = item.section(QLatin1Char('='), 0, 0);
        if (!item.contains(QLatin1Char('=')) || models.contains(key)) {
            model = key;
            mac = item.section(QLatin1Char('='), 1);
        } else if (key == QLatin1String("model")) {
            model = item.section(QLatin1Char('='), 1);
        } else if (key == QLatin1String("macaddr")) {
            mac = item.section(QLatin1Char('='), 1);
        } else {
            rest << item;
        }
    }
    if (mac.isEmpty())
        mac = randomMac();
    rest.prepend(model + QLatin1Char('=') + mac);
    return rest.join(QLatin1Char(','));
}

QString privilegeFor(const QString &key)
{
    static const QRegularExpression cpu(
        QStringLiteral("^(cores|sockets|cpu|cpulimit|cpuunits|vcpus|numa|affinity)$"));
    static const QRegularExpression memory(QStringLiteral("^(memory|balloon|shares)$"));
    static const QRegularExpression cloudinit(
        QStringLiteral("^(ci.*|ipconfig\\d+|sshkeys|nameserver|searchdomain)$"));
    static const QRegularExpression hw(
        QStringLiteral("^(hostpci\\d+|usb\\d+|machine|bios|vga|serial\\d+|scsihw)$"));
    if (cpu.match(key).hasMatch())
        return QStringLiteral("VM.Config.CPU");
    if (memory.match(key).hasMatch())
        return QStringLiteral("VM.Config.Memory");
    if (key.startsWith(QLatin1String("net")))
        return QStringLiteral("VM.Config.Network");
    if (cloudinit.match(key).hasMatch())
        return QStringLiteral("VM.Config.Cloudinit");
    if (hw.match(key).hasMatch())
        return QStringLiteral("VM.Config.HWType");
    if (diskKeyPattern().match(key).hasMatch())
        return QStringLiteral("VM.Config.Disk");
    return QStringLiteral("VM.Config.Options");
}

// Keys a running VM takes at once; the rest wait for the next start (hotplug defaults).
bool hotpluggable(const QString &key)
{
    static const QRegularExpression hot(QStringLiteral(
        "^(net\\d+|scsi\\d+|virtio\\d+|sata\\d+|name|description|tags|onboot|startup|protection|ci."
        "*|ipconfig\\d+|sshkeys|nameserver|searchdomain|agent|lock)$"));
    return hot.match(key).hasMatch();
}

// Like Proxmox: the SHA-1 of the whole configuration file, its [PENDING] section included, so
// that a digest read with or without `current` is the one an update must name.
QString configDigest(const Vm &vm)
{
    QByteArray text;
    for (auto it = vm.config.cbegin(); it != vm.config.cend(); ++it)
        text += it.key().toUtf8() + ": " + it.value().toUtf8() + '\n';
    if (!vm.pending.isEmpty() || !vm.pendingDelete.isEmpty()) {
        text += "\n[PENDING]\n";
        for (auto it = vm.pending.cbegin(); it != vm.pending.cend(); ++it)
            text += it.key().toUtf8() + ": " + it.value().toUtf8() + '\n';
        if (!vm.pendingDelete.isEmpty())
            text += "delete: " + vm.pendingDelete.join(QLatin1Char(',')).toUtf8() + '\n';
    }
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex());
}

} // namespace

Result<QString> Cluster::allocateDisk(const Vm &vm, const QString &key, const QString &value) const
{
    // "ceph-vm:32,discard=on" allocates 32 GiB; "ceph-vm:cloudinit" a cloud-init drive; a
    // volume id is kept as it is.
    const QString volume = value.section(QLatin1Char(','), 0, 0);
    const QString options = value.section(QLatin1Char(','), 1);
    const QString storageId = volume.section(QLatin1Char(':'), 0, 0);
    const QString what = volume.section(QLatin1Char(':'), 1);
    static const QRegularExpression size(QStringLiteral("^[0-9]+(\\.[0-9]+)?$"));
    if (volume == QLatin1String("none") || what.isEmpty() || !volume.contains(QLatin1Char(':')))
        return value;
    if (!storage(storageId) || !storageOnNode(storageId, vm.node))
        return Error{QStringLiteral("storage '%1' does not exist").arg(storageId), {}, {}};
    if (what == QLatin1String("cloudinit"))
        return QStringLiteral("%1:vm-%2-cloudinit,media=cdrom").arg(storageId).arg(vm.vmid);
    if (!size.match(what).hasMatch())
        return value;
    // EFI vars disks are numbered with the other disks (vm-ID-disk-N), as Proxmox names them.
    int index = 0;
    for (const QString &existing : diskKeys(vm)) {
        if (vm.config.value(existing).contains(
                QStringLiteral("vm-%1-disk-%2").arg(vm.vmid).arg(index)))
            ++index;
    }
    QString out = QStringLiteral("%1:vm-%2-disk-%3").arg(storageId).arg(vm.vmid).arg(index);
    if (!options.isEmpty())
        out += QLatin1Char(',') + options;
    const double gib = what.toDouble();
    out += key.startsWith(QLatin1String("efidisk")) ? QStringLiteral(",size=1M")
                                                    : QStringLiteral(",size=%1G").arg(gib);
    return out;
}

QString Cluster::checkConfigChange(const Call &call, const Vm *vm, const QString &key,
                                   const QString &value) const
{
    if (key.startsWith(QLatin1String("hostpci"))) {
        const QString mapping = part(value, QStringLiteral("mapping"));
        const bool root = call.who.userid == QLatin1String("root@pam") && call.who.token.isEmpty();
        if (mapping.isEmpty() && !root)
            return QStringLiteral("only root can set '%1' config for non-mapped devices").arg(key);
        if (!mapping.isEmpty()) {
            if (mappingNodesFor(mapping).isEmpty())
                return QStringLiteral("PCI mapping '%1' does not exist").arg(mapping);
            if (!can(call.who, QStringLiteral("/mapping/pci/") + mapping,
                     QStringLiteral("Mapping.Use")))
                return QStringLiteral("403:/mapping/pci/%1:Mapping.Use").arg(mapping);
        }
        if (!part(value, QStringLiteral("romfile")).isEmpty() &&
            !(call.who.userid == QLatin1String("root@pam") && call.who.token.isEmpty()))
            return QStringLiteral("only root can set 'romfile' config for '%1'").arg(key);
    }
    if (key.startsWith(QLatin1String("net")) && vm) {
        const QString bridge = part(value, QStringLiteral("bridge"));
        bool known = bridge.isEmpty();
        for (const BridgeDef &def : m_nodes[vm->node].def.bridges)
            known = known || def.iface == bridge;
        if (!known)
            return QStringLiteral("bridge '%1' does not exist").arg(bridge);
        const QString tag = part(value, QStringLiteral("tag"));
        for (const BridgeDef &def : m_nodes[vm->node].def.bridges) {
            if (def.iface == bridge && !tag.isEmpty() && !def.vlanAware)
                return QStringLiteral(
                           "unable to use VLAN %1 on bridge '%2': bridge is not VLAN aware")
                    .arg(tag, bridge);
        }
    }
    const QString priv = privilegeFor(key);
    if (vm && !can(call.who, QStringLiteral("/vms/%1").arg(vm->vmid), priv))
        return QStringLiteral("403:/vms/%1:%2").arg(vm->vmid).arg(priv);
    if (key == QLatin1String("sshkeys"))
        return sshKeysProblem(value);
    return {};
}

Reply Cluster::getVms(Call &call)
{
    const QString node = call.text(QStringLiteral("node"));
    QJsonArray out;
    for (const auto &[vmid, vm] : m_vms) {
        if (vm.node != node ||
            !can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Audit")))
            continue;
        QJsonObject entry = vmStats(vm, true);
        entry.insert(QStringLiteral("vmid"), vmid);
        entry.insert(QStringLiteral("name"), vm.name());
        entry.insert(QStringLiteral("status"),
                     vm.running ? QStringLiteral("running") : QStringLiteral("stopped"));
        if (vm.running)
            entry.insert(QStringLiteral("pid"), static_cast<qint64>(vm.pid));
        if (vm.isTemplate())
            entry.insert(QStringLiteral("template"), 1);
        if (!vm.lock().isEmpty())
            entry.insert(QStringLiteral("lock"), vm.lock());
        if (vm.config.contains(QStringLiteral("tags")))
            entry.insert(QStringLiteral("tags"), vm.config.value(QStringLiteral("tags")));
        if (call.flag(QStringLiteral("full")) && vm.running)
            entry.insert(QStringLiteral("qmpstatus"), QStringLiteral("running"));
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::createVm(Call &call)
{
    const int vmid = static_cast<int>(call.integer(QStringLiteral("vmid")));
    const QString node = call.text(QStringLiteral("node"));
    const QString pool = call.text(QStringLiteral("pool"));
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Allocate")) &&
        !(pool.size() &&
          can(call.who, QStringLiteral("/pool/") + pool, QStringLiteral("VM.Allocate"))))
        return forbidden(QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Allocate"));
    if (const auto it = m_vms.find(vmid); it != m_vms.end())
        return Reply::error(
            500, QStringLiteral("unable to create VM %1 - VM %1 already exists on node '%2'")
                     .arg(vmid)
                     .arg(it->second.node));
    if (call.has(QStringLiteral("archive")))
        return Reply::error(501, QStringLiteral("restore is not simulated"));
    if (!pool.isEmpty() && findPool(pool) == nullptr)
        return Reply::error(500, QStringLiteral("pool '%1' does not exist").arg(pool));

    Vm vm;
    vm.vmid = vmid;
    vm.node = node;
    vm.pid = 20000 + static_cast<quint32>(vmid % 30000);
    vm.address = allocateAddress();
    static const QStringList notConfig = {
        QStringLiteral("vmid"),   QStringLiteral("node"),    QStringLiteral("start"),
        QStringLiteral("pool"),   QStringLiteral("storage"), QStringLiteral("ha-managed"),
        QStringLiteral("unique"), QStringLiteral("force"),   QStringLiteral("live-restore"),
        QStringLiteral("bwlimit")};
    for (auto it = call.params.begin(); it != call.params.end(); ++it) {
        if (notConfig.contains(it.key()))
            continue;
        QString value = call.text(it.key());
        if (const QString problem = checkConfigChange(call, &vm, it.key(), value);
            !problem.isEmpty()) {
            if (problem.startsWith(QLatin1String("403:")))
                return forbidden(problem.section(QLatin1Char(':'), 1, 1),
                                 problem.section(QLatin1Char(':'), 2));
            return Reply::error(500, problem);
        }
        if (diskKeyPattern().match(it.key()).hasMatch()) {
            const auto volume = allocateDisk(vm, it.key(), value);
            if (!volume)
                return Reply::error(500, volume.error().message);
            value = *volume;
        } else if (it.key().startsWith(QLatin1String("net"))) {
            value = withMac(value);
        }
        vm.config.insert(it.key(), value);
    }
    vm.config.insert(QStringLiteral("smbios1"), QString(QStringLiteral("uuid=") + randomUuid()));
    vm.config.insert(QStringLiteral("vmgenid"), randomUuid());
    if (!vm.config.contains(QStringLiteral("boot")))
        vm.config.insert(QStringLiteral("boot"),
                         QString(QStringLiteral("order=") + diskKeys(vm).join(QLatin1Char(';'))));
    vm.config.insert(QStringLiteral("lock"), QStringLiteral("create"));
    m_vms.emplace(vmid, vm);
    if (!pool.isEmpty())
        findPool(pool)->vmids << vmid;

    const bool start = call.flag(QStringLiteral("start"));
    const bool haManaged = call.flag(QStringLiteral("ha-managed"));
    Task &task = startTask(node, QStringLiteral("qmcreate"), QString::number(vmid), call.who, 3,
                           [this, vmid, start, haManaged]() -> QString {
                               const auto it = m_vms.find(vmid);
                               if (it == m_vms.end())
                                   return QStringLiteral("VM %1 vanished during create").arg(vmid);
                               it->second.config.remove(QStringLiteral("lock"));
                               if (haManaged) {
                                   HaResource resource;
                                   resource.sid = haSidOf(vmid);
                                   resource.node = it->second.node;
                                   resource.crmState = QStringLiteral("stopped");
                                   m_haResources.insert(resource.sid, resource);
                               }
                               if (start && !haManaged) {
                                   it->second.running = true;
                                   it->second.startedAt = m_clock.now();
                               }
                               return {};
                           });
    for (const QString &key : diskKeys(m_vms[vmid]))
        task.log << QStringLiteral("%1: successfully created disk '%2'")
                        .arg(key, m_vms[vmid].config.value(key));
    return Reply::ok(task.upid);
}

Reply Cluster::getVmConfig(Call &call)
{
    auto vm = vmOf(call);
    if (!vm)
        return vm.error();
    if (!can(call.who, QStringLiteral("/vms/%1").arg((*vm)->vmid), QStringLiteral("VM.Audit")))
        return forbidden(QStringLiteral("/vms/%1").arg((*vm)->vmid), QStringLiteral("VM.Audit"));
    QMap<QString, QString> config = (*vm)->config;
    if (!call.flag(QStringLiteral("current"))) {
        for (auto it = (*vm)->pending.begin(); it != (*vm)->pending.end(); ++it)
            config.insert(it.key(), it.value());
    }
    QJsonObject out;
    for (auto it = config.begin(); it != config.end(); ++it)
        out.insert(it.key(), configValue(it.key(), it.value()));
    out.insert(QStringLiteral("digest"), configDigest(**vm));
    return Reply::ok(out);
}

Reply Cluster::getVmPending(Call &call)
{
    auto vm = vmOf(call);
    if (!vm)
        return vm.error();
    QJsonArray out;
    QStringList keys = (*vm)->config.keys();
    for (const QString &key : (*vm)->pending.keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    for (const QString &key : keys) {
        QJsonObject entry{{QStringLiteral("key"), key}};
        if ((*vm)->config.contains(key))
            entry.insert(QStringLiteral("value"),
                         (*vm)->config.value(key)); // strings here, unlike config
        if ((*vm)->pending.contains(key))
            entry.insert(QStringLiteral("pending"), (*vm)->pending.value(key));
        if ((*vm)->pendingDelete.contains(key))
            entry.insert(QStringLiteral("delete"), 1);
        out.append(entry);
    }
    return Reply::ok(out);
}

void Cluster::applyPending(Vm &vm)
{
    for (auto it = vm.pending.begin(); it != vm.pending.end(); ++it)
        vm.config.insert(it.key(), it.value());
    for (const QString &key : std::as_const(vm.pendingDelete))
        vm.config.remove(key);
    vm.pending.clear();
    vm.pendingDelete.clear();
}

Reply Cluster::setVmConfig(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &vm = **found;
    if (!vm.lock().isEmpty() && !call.flag(QStringLiteral("skiplock")))
        return Reply::error(500, QStringLiteral("VM is locked (%1)").arg(vm.lock()));
    if (call.has(QStringLiteral("digest"))) {
        if (configDigest(vm) != call.text(QStringLiteral("digest")))
            return Reply::error(
                500,
                QStringLiteral(
                    "detected modified configuration - file changed by other user? Try again."));
    }
    static const QStringList notConfig = {
        QStringLiteral("delete"),   QStringLiteral("digest"), QStringLiteral("revert"),
        QStringLiteral("skiplock"), QStringLiteral("force"),  QStringLiteral("background_delay")};
    QMap<QString, QString> changes;
    for (auto it = call.params.begin(); it != call.params.end(); ++it) {
        if (notConfig.contains(it.key()))
            continue;
        QString value = call.text(it.key());
        if (const QString problem = checkConfigChange(call, &vm, it.key(), value);
            !problem.isEmpty()) {
            if (problem.startsWith(QLatin1String("403:")))
                return forbidden(problem.section(QLatin1Char(':'), 1, 1),
                                 problem.section(QLatin1Char(':'), 2));
            return Reply::error(500, problem);
        }
        if (diskKeyPattern().match(it.key()).hasMatch()) {
            const auto volume = allocateDisk(vm, it.key(), value);
            if (!volume)
                return Reply::error(500, volume.error().message);
            value = *volume;
        } else if (it.key().startsWith(QLatin1String("net"))) {
            const QString old = vm.config.value(it.key());
            QString mac = part(value, QStringLiteral("macaddr"));
            if (mac.isEmpty() && !old.isEmpty())
                value =
                    withMac(value.section(QLatin1Char(','), 0, 0).section(QLatin1Char('='), 0, 0) +
                            QLatin1Char('=') +
                            old.section(QLatin1Char(','), 0, 0).section(QLatin1Char('='), 1) +
                            QLatin1Char(',') + value.section(QLatin1Char(','), 1));
            else
                value = withMac(value);
        }
        changes.insert(it.key(), value);
    }
    const QStringList deletes =
        call.text(QStringLiteral("delete"))
            .split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (const QString &key : deletes) {
        if (key.startsWith(QLatin1String("hostpci")) &&
            part(vm.config.value(key), QStringLiteral("mapping")).isEmpty() &&
            vm.config.contains(key) &&
            !(call.who.userid == QLatin1String("root@pam") && call.who.token.isEmpty()))
            return Reply::error(
                500,
                QStringLiteral("only root can set '%1' config for non-mapped devices").arg(key));
    }

    for (auto it = changes.begin(); it != changes.end(); ++it) {
        if (vm.running && !hotpluggable(it.key()))
            vm.pending.insert(it.key(), it.value());
        else
            vm.config.insert(it.key(), it.value());
    }
    for (const QString &key : deletes) {
        if (vm.running && !hotpluggable(key))
            vm.pendingDelete << key;
        else
            vm.config.remove(key);
    }

    if (call.method == QLatin1String("PUT"))
        return Reply::ok();
    Task &task = startTask(vm.node, QStringLiteral("qmconfig"), QString::number(vm.vmid), call.who,
                           1, [] { return QString(); });
    for (auto it = changes.begin(); it != changes.end(); ++it)
        task.log << QStringLiteral("update VM %1: -%2 %3").arg(vm.vmid).arg(it.key(), it.value());
    return Reply::ok(task.upid);
}

Reply Cluster::cloneVm(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &source = **found;
    const int newid = static_cast<int>(call.integer(QStringLiteral("newid")));
    if (!can(call.who, QStringLiteral("/vms/%1").arg(source.vmid), QStringLiteral("VM.Clone")))
        return forbidden(QStringLiteral("/vms/%1").arg(source.vmid), QStringLiteral("VM.Clone"));
    // The new guest may be allocated on its id or, when it is to join a pool, on the pool.
    const QString pool = call.text(QStringLiteral("pool"));
    if (!can(call.who, QStringLiteral("/vms/%1").arg(newid), QStringLiteral("VM.Allocate")) &&
        !(!pool.isEmpty() &&
          can(call.who, QStringLiteral("/pool/") + pool, QStringLiteral("VM.Allocate"))))
        return forbidden(QStringLiteral("/vms/%1").arg(newid), QStringLiteral("VM.Allocate"));
    if (!pool.isEmpty() && findPool(pool) == nullptr)
        return Reply::error(500, QStringLiteral("pool '%1' does not exist").arg(pool));
    if (const auto it = m_vms.find(newid); it != m_vms.end())
        return Reply::error(
            500, QStringLiteral("unable to create VM %1: config file already exists").arg(newid));
    if (!source.lock().isEmpty())
        return Reply::error(500, QStringLiteral("VM is locked (%1)").arg(source.lock()));
    const bool full = call.flag(QStringLiteral("full"), !source.isTemplate());
    if (!full && !source.isTemplate())
        return Reply::error(
            500, QStringLiteral("parameter 'full' must be set to 1 for non-template VMs"));
    const QString target = call.text(QStringLiteral("target"), source.node);
    if (!m_nodes.contains(target))
        return Reply::error(500, QStringLiteral("no such node '%1'").arg(target));
    const QString targetStorage = call.text(QStringLiteral("storage"));
    if (!targetStorage.isEmpty() && (!full || !storageOnNode(targetStorage, target)))
        return Reply::error(
            500,
            full ? QStringLiteral("storage '%1' does not exist").arg(targetStorage)
                 : QStringLiteral("storage migration (storage) is only supported for full clones"));
    long long bytes = 0;
    for (const QString &key : diskKeys(source)) {
        const QString volume = source.config.value(key).section(QLatin1Char(','), 0, 0);
        const QString storageId = volume.section(QLatin1Char(':'), 0, 0);
        // As qemu-server does: another node needs the source's disks on shared storage; the
        // target storage of a full clone only has to exist there (checked above), local or not.
        if (target != source.node && !isShared(storageId))
            return Reply::error(
                500,
                QStringLiteral("can't clone VM to node '%1' (VM uses local storage)").arg(target));
        if (auto size = parseByteSize(part(source.config.value(key), QStringLiteral("size"))))
            bytes += *size;
    }

    Vm clone;
    clone.vmid = newid;
    clone.node = target;
    clone.pid = 20000 + static_cast<quint32>(newid % 30000);
    clone.address = allocateAddress();
    for (auto it = source.config.begin(); it != source.config.end(); ++it) {
        QString value = it.value();
        if (it.key() == QLatin1String("template"))
            continue;
        if (it.key().startsWith(QLatin1String("net")))
            value = withMac(value.section(QLatin1Char('='), 0, 0) + QLatin1Char(',') +
                            value.section(QLatin1Char(','), 1));
        if (diskKeyPattern().match(it.key()).hasMatch() && value.contains(QLatin1Char(':'))) {
            const QString volume = value.section(QLatin1Char(','), 0, 0);
            QString storageId = volume.section(QLatin1Char(':'), 0, 0);
            if (full && !targetStorage.isEmpty())
                storageId = targetStorage;
            QString name = volume.section(QLatin1Char(':'), 1);
            name.replace(QRegularExpression(QStringLiteral("^(base|vm)-%1-").arg(source.vmid)),
                         QStringLiteral("vm-%1-").arg(newid));
            const QString newVolume =
                full ? QStringLiteral("%1:%2").arg(storageId, name)
                     : QStringLiteral("%1:%2/%3")
                           .arg(storageId, volume.section(QLatin1Char(':'), 1), name);
            value = newVolume + (value.contains(QLatin1Char(','))
                                     ? QLatin1Char(',') + value.section(QLatin1Char(','), 1)
                                     : QString());
        }
        clone.config.insert(it.key(), value);
    }
    clone.config.insert(
        QStringLiteral("name"),
        call.text(QStringLiteral("name"), QStringLiteral("Copy-of-VM-") + source.name()));
    if (call.has(QStringLiteral("description")))
        clone.config.insert(QStringLiteral("description"),
                            call.text(QStringLiteral("description")));
    clone.config.insert(QStringLiteral("smbios1"), QString(QStringLiteral("uuid=") + randomUuid()));
    clone.config.insert(QStringLiteral("vmgenid"), randomUuid());
    clone.config.insert(QStringLiteral("lock"), QStringLiteral("clone"));
    m_vms.emplace(newid, clone);
    if (!pool.isEmpty())
        findPool(pool)->vmids << newid;
    if (!source.isTemplate())
        source.config.insert(QStringLiteral("lock"), QStringLiteral("clone"));

    const int sourceId = source.vmid;
    const double duration = full ? 2 + static_cast<double>(bytes) / (1LL << 30) * 0.25 : 1;
    Task &task = startTask(source.node, QStringLiteral("qmclone"), QString::number(sourceId),
                           call.who, duration, [this, sourceId, newid]() -> QString {
                               if (const auto it = m_vms.find(sourceId);
                                   it != m_vms.end() && it->second.lock() == QLatin1String("clone"))
                                   it->second.config.remove(QStringLiteral("lock"));
                               if (const auto it = m_vms.find(newid); it != m_vms.end())
                                   it->second.config.remove(QStringLiteral("lock"));
                               return {};
                           });
    task.log << QStringLiteral("create %1 clone of drive(s)")
                    .arg(full ? QStringLiteral("full") : QStringLiteral("linked"));
    return Reply::ok(task.upid);
}

Reply Cluster::resizeVm(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &vm = **found;
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.Config.Disk")))
        return forbidden(QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.Config.Disk"));
    if (!vm.lock().isEmpty() && !call.flag(QStringLiteral("skiplock")))
        return Reply::error(500, QStringLiteral("VM is locked (%1)").arg(vm.lock()));
    const QString disk = call.text(QStringLiteral("disk"));
    const QString value = vm.config.value(disk);
    if (value.isEmpty())
        return Reply::error(500, QStringLiteral("no such disk '%1'").arg(disk));
    if (value.contains(QLatin1String("media=cdrom")))
        return Reply::error(500, QStringLiteral("you can't resize a cdrom"));
    QString sizeText = call.text(QStringLiteral("size"));
    const bool relative = sizeText.startsWith(QLatin1Char('+'));
    if (relative)
        sizeText = sizeText.mid(1);
    const auto requested = parseByteSize(sizeText);
    if (!requested)
        return Reply::invalid(QStringLiteral("size"),
                              QStringLiteral("value does not match the regex pattern"));
    const long long current = parseByteSize(part(value, QStringLiteral("size"))).ok()
                                  ? *parseByteSize(part(value, QStringLiteral("size")))
                                  : 0;
    const long long next = relative ? current + *requested : *requested;
    if (next < current)
        return Reply::error(500, QStringLiteral("shrinking disks is not supported"));
    QStringList items = value.split(QLatin1Char(','));
    items.removeIf([](const QString &item) { return item.startsWith(QLatin1String("size=")); });
    const double gib = static_cast<double>(next) / (1LL << 30);
    items << (gib == std::floor(gib) ? QStringLiteral("size=%1G").arg(static_cast<long long>(gib))
                                     : QStringLiteral("size=%1M").arg(next >> 20));
    vm.config.insert(disk, items.join(QLatin1Char(',')));
    Task &task = startTask(vm.node, QStringLiteral("qmresize"), QString::number(vm.vmid), call.who,
                           1, [] { return QString(); });
    return Reply::ok(task.upid);
}

Reply Cluster::getVmStatus(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    const Vm &vm = **found;
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.Audit")))
        return forbidden(QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.Audit"));
    QJsonObject status = vmStats(vm, true);
    status.insert(QStringLiteral("vmid"), vm.vmid);
    status.insert(QStringLiteral("name"), vm.name());
    status.insert(QStringLiteral("status"),
                  vm.running ? QStringLiteral("running") : QStringLiteral("stopped"));
    status.insert(QStringLiteral("qmpstatus"),
                  vm.running ? QStringLiteral("running") : QStringLiteral("stopped"));
    const QString agent = vm.config.value(QStringLiteral("agent"));
    if (agent.startsWith(QLatin1Char('1')) || agent.contains(QLatin1String("enabled=1")))
        status.insert(QStringLiteral("agent"), 1);
    if (vm.running) {
        status.insert(QStringLiteral("pid"), static_cast<qint64>(vm.pid));
        status.insert(QStringLiteral("running-machine"), QStringLiteral("pc-q35-9.2+pve1"));
        status.insert(QStringLiteral("running-qemu"), QStringLiteral("9.2.0"));
    }
    if (vm.isTemplate())
        status.insert(QStringLiteral("template"), 1);
    if (!vm.lock().isEmpty())
        status.insert(QStringLiteral("lock"), vm.lock());
    if (vm.config.contains(QStringLiteral("tags")))
        status.insert(QStringLiteral("tags"), vm.config.value(QStringLiteral("tags")));
    const auto ha = m_haResources.find(haSidOf(vm.vmid));
    if (ha == m_haResources.end())
        status.insert(QStringLiteral("ha"), QJsonObject{{QStringLiteral("managed"), 0}});
    else
        status.insert(
            QStringLiteral("ha"),
            QJsonObject{{QStringLiteral("managed"), 1},
                        {QStringLiteral("state"),
                         ha->raw.value(QStringLiteral("state"), QStringLiteral("started"))}});
    return Reply::ok(status);
}

Reply Cluster::powerAction(Call &call, const QString &action)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &vm = **found;
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.PowerMgmt")))
        return forbidden(QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.PowerMgmt"));
    const int vmid = vm.vmid;

    // HA owns the guest: the request is queued and the CRM acts on its next round.
    if (haResource(vmid) && action != QLatin1String("reboot")) {
        const QString type =
            action == QLatin1String("start") ? QStringLiteral("hastart") : QStringLiteral("hastop");
        const QString request = action == QLatin1String("start") ? QStringLiteral("started")
                                                                 : QStringLiteral("stopped");
        Task &task = startTask(vm.node, type, QString::number(vmid), call.who, 1,
                               [this, vmid, request]() -> QString {
                                   const auto it = m_vms.find(vmid);
                                   if (it != m_vms.end())
                                       haQueue(it->second, request, {});
                                   return {};
                               });
        return Reply::ok(task.upid);
    }

    if (!vm.lock().isEmpty() && !call.flag(QStringLiteral("skiplock")))
        return Reply::error(500, QStringLiteral("VM is locked (%1)").arg(vm.lock()));
    if (action == QLatin1String("start")) {
        if (vm.isTemplate())
            return Reply::error(500, QStringLiteral("you can't start a vm if it's a template"));
        if (vm.running)
            return Reply::error(500, QStringLiteral("VM %1 already running").arg(vmid));
    } else if (!vm.running) {
        return Reply::error(500, QStringLiteral("VM %1 not running").arg(vmid));
    }

    const QString type = QStringLiteral("qm") + action;
    const double duration = action == QLatin1String("start")
                                ? 2 + static_cast<double>(vm.memoryBytes()) / (64LL << 30)
                            : action == QLatin1String("stop") ? 1
                                                              : 6;
    Task &task = startTask(
        vm.node, type, QString::number(vmid), call.who, duration,
        [this, vmid, action]() -> QString {
            const auto it = m_vms.find(vmid);
            if (it == m_vms.end())
                return QStringLiteral(
                           "Configuration file 'nodes/%1/qemu-server/%2.conf' does not exist")
                    .arg(QString())
                    .arg(vmid);
            Vm &target = it->second;
            if (action == QLatin1String("start")) {
                for (auto key = target.config.begin(); key != target.config.end(); ++key) {
                    if (key.key().startsWith(QLatin1String("hostpci"))) {
                        const QString mapping = part(key.value(), QStringLiteral("mapping"));
                        if (!mapping.isEmpty() &&
                            !mappingNodesFor(mapping).split(QLatin1Char(',')).contains(target.node))
                            return QStringLiteral("PCI device mapping not found for '%1'")
                                .arg(mapping);
                    }
                    if (key.key().startsWith(QLatin1String("net"))) {
                        const QString bridge = part(key.value(), QStringLiteral("bridge"));
                        bool known = false;
                        for (const BridgeDef &def : m_nodes[target.node].def.bridges)
                            known = known || def.iface == bridge;
                        if (!known)
                            return QStringLiteral("bridge '%1' does not exist").arg(bridge);
                    }
                }
                applyPending(target);
                target.running = true;
                target.startedAt = m_clock.now();
                target.pid = m_nextPid++;
            } else if (action == QLatin1String("reboot")) {
                applyPending(target);
                target.startedAt = m_clock.now();
            } else {
                target.running = false;
                applyPending(target);
            }
            return {};
        });
    if (action == QLatin1String("start"))
        task.log << QStringLiteral("generating cloud-init ISO");
    return Reply::ok(task.upid);
}

Reply Cluster::startVm(Call &call)
{
    return powerAction(call, QStringLiteral("start"));
}

Reply Cluster::stopVm(Call &call)
{
    return powerAction(call, QStringLiteral("stop"));
}

Reply Cluster::shutdownVm(Call &call)
{
    return powerAction(call, QStringLiteral("shutdown"));
}

Reply Cluster::rebootVm(Call &call)
{
    return powerAction(call, QStringLiteral("reboot"));
}

Reply Cluster::deleteVm(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &vm = **found;
    const int vmid = vm.vmid;
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Allocate")))
        return forbidden(QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Allocate"));
    if (!vm.lock().isEmpty() && !call.flag(QStringLiteral("skiplock")))
        return Reply::error(500, QStringLiteral("VM is locked (%1)").arg(vm.lock()));
    if (vm.running)
        return Reply::error(500, QStringLiteral("VM %1 is running - destroy failed").arg(vmid));
    const bool purge = call.flag(QStringLiteral("purge"));
    if (haResource(vmid) && !purge)
        return Reply::error(
            500, QStringLiteral(
                     "unable to remove VM %1 - used in HA resources and purge parameter not set.")
                     .arg(vmid));
    vm.config.insert(QStringLiteral("lock"), QStringLiteral("destroyed"));
    Task &task =
        startTask(vm.node, QStringLiteral("qmdestroy"), QString::number(vmid), call.who, 1,
                  [this, vmid, purge]() -> QString {
                      m_vms.erase(vmid);
                      leavePools(vmid); // as remove_vm_access does on a destroy
                      if (purge) {
                          m_haResources.remove(haSidOf(vmid));
                          for (auto it = m_replication.begin(); it != m_replication.end();) {
                              if (it->guest == vmid)
                                  it = m_replication.erase(it);
                              else
                                  ++it;
                          }
                      }
                      return {};
                  });
    return Reply::ok(task.upid);
}

QJsonObject Cluster::migratePreconditions(const Vm &vm, const QString &target) const
{
    QJsonArray localDisks;
    QStringList localStorages;
    for (const QString &key : diskKeys(vm)) {
        const QString value = vm.config.value(key);
        const QString volid = value.section(QLatin1Char(','), 0, 0);
        const QString storageId = volid.section(QLatin1Char(':'), 0, 0);
        if (isShared(storageId) || !volid.contains(QLatin1Char(':')))
            continue;
        localStorages << storageId;
        const long long size = parseByteSize(part(value, QStringLiteral("size"))).ok()
                                   ? *parseByteSize(part(value, QStringLiteral("size")))
                                   : 4LL << 20;
        QJsonObject disk{
            {QStringLiteral("volid"), volid},
            {QStringLiteral("size"), size},
            {QStringLiteral("cdrom"), value.contains(QLatin1String("media=cdrom")) ? 1 : 0},
            {QStringLiteral("is_unused"), 0},
            {QStringLiteral("is_attached"), 1},
            {QStringLiteral("referenced_in_config"), 1},
            {QStringLiteral("drivename"), key}};
        localDisks.append(disk);
    }
    QJsonArray localResources;
    QJsonArray mapped;
    QJsonObject mappedInfo;
    QMap<QString, QString> mappingOf;
    for (auto it = vm.config.begin(); it != vm.config.end(); ++it) {
        if (!it.key().startsWith(QLatin1String("hostpci")))
            continue;
        const QString mapping = part(it.value(), QStringLiteral("mapping"));
        bool liveCapable = false;
        for (const PciMappingDef &def : m_scenario.pciMappings)
            liveCapable = liveCapable || (def.id == mapping && def.liveMigrationCapable);
        if (!liveCapable)
            localResources.append(it.key());
        if (!mapping.isEmpty()) {
            mapped.append(it.key());
            mappedInfo.insert(it.key(), QJsonObject{{QStringLiteral("name"), mapping}});
            mappingOf.insert(it.key(), mapping);
        }
    }

    QJsonArray allowed;
    QJsonObject notAllowed;
    for (const NodeDef &def : m_scenario.nodes) {
        if (def.name == vm.node || !m_nodes[def.name].online())
            continue;
        QJsonObject reasons;
        QJsonArray unavailable;
        for (const QString &id : localStorages) {
            if (!def.storages.contains(id) && !unavailable.contains(QJsonValue(id)))
                unavailable.append(id);
        }
        for (const QString &key : diskKeys(vm)) {
            const QString id = vm.config.value(key).section(QLatin1Char(':'), 0, 0);
            if (isShared(id) && !def.storages.contains(id) && !unavailable.contains(QJsonValue(id)))
                unavailable.append(id);
        }
        if (!unavailable.isEmpty())
            reasons.insert(QStringLiteral("unavailable_storages"), unavailable);
        QJsonArray missing;
        for (auto it = mappingOf.begin(); it != mappingOf.end(); ++it) {
            if (!mappingNodesFor(it.value()).split(QLatin1Char(',')).contains(def.name))
                missing.append(it.key());
        }
        if (!missing.isEmpty())
            reasons.insert(QStringLiteral("unavailable-resources"), missing);
        if (reasons.isEmpty())
            allowed.append(def.name);
        else
            notAllowed.insert(def.name, reasons);
    }
    Q_UNUSED(target)

    QJsonObject out{{QStringLiteral("running"), vm.running ? 1 : 0},
                    {QStringLiteral("allowed_nodes"), allowed},
                    {QStringLiteral("not_allowed_nodes"), notAllowed},
                    {QStringLiteral("local_disks"), localDisks},
                    {QStringLiteral("local_resources"), localResources},
                    {QStringLiteral("mapped-resources"), mapped},
                    {QStringLiteral("mapped-resource-info"), mappedInfo}};
    if (m_scenario.isPve9()) {
        out.insert(QStringLiteral("has-dbus-vmstate"), 0);
        out.insert(QStringLiteral("dependent-ha-resources"), QJsonArray{});
    }
    return out;
}

Reply Cluster::getMigrate(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    if (!can(call.who, QStringLiteral("/vms/%1").arg((*found)->vmid), QStringLiteral("VM.Migrate")))
        return forbidden(QStringLiteral("/vms/%1").arg((*found)->vmid),
                         QStringLiteral("VM.Migrate"));
    return Reply::ok(migratePreconditions(**found, call.text(QStringLiteral("target"))));
}

void Cluster::doMigrate(Vm &vm, const QString &target)
{
    for (const QString &key : diskKeys(vm)) {
        const QString value = vm.config.value(key);
        Q_UNUSED(value)
    }
    vm.node = target;
    if (HaResource *resource = haResource(vm.vmid))
        resource->node = target;
    for (ReplicationJob &job : m_replication) {
        // Replication follows the guest: the old target becomes the source and vice versa.
        if (job.guest == vm.vmid && job.def.target == target)
            job.def.target = m_nodes.contains(target)
                                 ? job.def.options.value(QStringLiteral("source"), job.def.target)
                                 : job.def.target;
    }
}

Reply Cluster::postMigrate(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &vm = **found;
    const int vmid = vm.vmid;
    const QString target = call.text(QStringLiteral("target"));
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Migrate")))
        return forbidden(QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Migrate"));
    const bool root = call.who.userid == QLatin1String("root@pam") && call.who.token.isEmpty();
    for (const char *rootOnly : {"force", "migration_type", "migration_network"}) {
        if (call.has(QString::fromLatin1(rootOnly)) && !root)
            return Reply::invalid(QString::fromLatin1(rootOnly),
                                  QStringLiteral("Only root may use this option."));
    }
    if (target == vm.node)
        return Reply::invalid(QStringLiteral("target"), QStringLiteral("target is local node."));
    if (!m_nodes.contains(target))
        return Reply::error(500, QStringLiteral("no such cluster node '%1'").arg(target));
    if (!m_nodes[target].online())
        return Reply::error(500, QStringLiteral("target node '%1' is not online").arg(target));

    if (haResource(vmid)) {
        Task &task = startTask(vm.node, QStringLiteral("hamigrate"), QString::number(vmid),
                               call.who, 1, [this, vmid, target]() -> QString {
                                   const auto it = m_vms.find(vmid);
                                   if (it != m_vms.end())
                                       haQueue(it->second, QStringLiteral("migrate"), target);
                                   return {};
                               });
        return Reply::ok(task.upid);
    }

    if (!vm.lock().isEmpty())
        return Reply::error(500, QStringLiteral("VM is locked (%1)").arg(vm.lock()));
    const bool online = call.flag(QStringLiteral("online"));
    if (vm.running && !online)
        return Reply::error(500, QStringLiteral("can't migrate running VM without --online"));
    for (const ReplicationJob &job : std::as_const(m_replication)) {
        if (job.guest == vmid && vm.running && job.def.target != target &&
            !call.flag(QStringLiteral("force")))
            return Reply::error(500,
                                QStringLiteral("Cannot live-migrate replicated VM to node '%1' - "
                                               "not a replication target. Use 'force' to override.")
                                    .arg(target));
    }

    const QJsonObject checks = migratePreconditions(vm, target);
    const QJsonObject reasons =
        checks.value(QStringLiteral("not_allowed_nodes")).toObject().value(target).toObject();
    if (reasons.contains(QStringLiteral("unavailable_storages")) &&
        !call.has(QStringLiteral("targetstorage")))
        return Reply::error(500, QStringLiteral("storage '%1' is not available on node '%2'")
                                     .arg(reasons.value(QStringLiteral("unavailable_storages"))
                                              .toArray()
                                              .first()
                                              .toString(),
                                          target));

    // Found while the migration runs, so they end up in the task, not in the HTTP answer.
    QString failure;
    const QJsonArray localResources = checks.value(QStringLiteral("local_resources")).toArray();
    bool replicated = false;
    for (const ReplicationJob &job : std::as_const(m_replication))
        replicated = replicated || (job.guest == vmid && job.def.target == target);
    if (vm.running && !localResources.isEmpty()) {
        QStringList keys;
        for (const QJsonValue &key : localResources)
            keys << key.toString();
        failure = QStringLiteral("can't migrate VM which uses local devices: %1")
                      .arg(keys.join(QStringLiteral(", ")));
    } else if (reasons.contains(QStringLiteral("unavailable-resources"))) {
        QStringList keys;
        for (const QJsonValue &key :
             reasons.value(QStringLiteral("unavailable-resources")).toArray())
            keys << key.toString();
        failure = QStringLiteral("can't migrate to '%1': missing mapped devices %2")
                      .arg(target, keys.join(QLatin1Char(',')));
    } else if (vm.running && !checks.value(QStringLiteral("local_disks")).toArray().isEmpty() &&
               !call.flag(QStringLiteral("with-local-disks")) && !replicated) {
        failure = QStringLiteral(
            "can't live migrate attached local disks without with-local-disks option");
    }
    for (const QJsonValue &disk : checks.value(QStringLiteral("local_disks")).toArray()) {
        if (failure.isEmpty() && disk.toObject().value(QStringLiteral("cdrom")).toInt() == 1 &&
            !disk.toObject()
                 .value(QStringLiteral("volid"))
                 .toString()
                 .contains(QLatin1String("cloudinit")))
            failure = QStringLiteral("can't migrate local cdrom drive");
    }

    const double memoryGiB = static_cast<double>(vm.memoryBytes()) / (1LL << 30);
    double localGiB = 0;
    for (const QJsonValue &disk : checks.value(QStringLiteral("local_disks")).toArray())
        localGiB += static_cast<double>(disk.toObject().value(QStringLiteral("size")).toInteger()) /
                    (1LL << 30);
    // About 1 GiB/s for memory and 0.5 GiB/s for copied disks on a 10 GbE migration network.
    const double duration = failure.isEmpty() ? 3 + (online && vm.running ? memoryGiB : 0) +
                                                    (replicated ? 1 : localGiB * 2)
                                              : 2;
    vm.config.insert(QStringLiteral("lock"), QStringLiteral("migrate"));
    const QString source = vm.node;
    Task &task = startTask(source, QStringLiteral("qmigrate"), QString::number(vmid), call.who,
                           duration, [this, vmid, target, failure]() -> QString {
                               const auto it = m_vms.find(vmid);
                               if (it == m_vms.end())
                                   return QStringLiteral("VM vanished during migration");
                               it->second.config.remove(QStringLiteral("lock"));
                               if (!failure.isEmpty())
                                   return QStringLiteral("migration aborted");
                               if (!m_nodes[target].online())
                                   return QStringLiteral("migration aborted");
                               doMigrate(it->second, target);
                               return {};
                           });
    task.log << QStringLiteral("starting migration of VM %1 to node '%2' (%3)")
                    .arg(vmid)
                    .arg(target, m_nodes[target].def.ip);
    if (!failure.isEmpty())
        task.log << QStringLiteral("ERROR: ") + failure
                 << QStringLiteral("aborting phase 1 - cleanup resources")
                 << QStringLiteral("ERROR: migration aborted (duration 00:00:02): ") + failure;
    else if (online && vm.running)
        task.log << QStringLiteral(
                        "starting online/live migration on unix:/run/qemu-server/%1.migrate")
                        .arg(vmid);
    return Reply::ok(task.upid);
}

// --- guest agent --------------------------------------------------------------------------

Outcome<Vm *> Cluster::agentVm(Call &call, bool write)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    Vm &vm = **found;
    const QString path = QStringLiteral("/vms/%1").arg(vm.vmid);
    if (m_scenario.isPve9()) {
        const bool allowed = can(call.who, path, QStringLiteral("VM.GuestAgent.Unrestricted")) ||
                             (!write && can(call.who, path, QStringLiteral("VM.GuestAgent.Audit")));
        if (!allowed)
            return forbidden(path, write ? QStringLiteral("VM.GuestAgent.Unrestricted")
                                         : QStringLiteral("VM.GuestAgent.Audit"));
    } else if (!can(call.who, path, QStringLiteral("VM.Monitor"))) {
        return forbidden(path, QStringLiteral("VM.Monitor"));
    }
    const QString agent = vm.config.value(QStringLiteral("agent"));
    if (!(agent.startsWith(QLatin1Char('1')) || agent.contains(QLatin1String("enabled=1"))))
        return Reply::error(500, QStringLiteral("No QEMU guest agent configured"));
    if (!vm.running)
        return Reply::error(500, QStringLiteral("VM %1 is not running").arg(vm.vmid));
    if (vm.agentDown || m_clock.now() - vm.startedAt < 20)
        return Reply::error(500, QStringLiteral("QEMU guest agent is not running"));
    return &vm;
}

Reply Cluster::agentPing(Call &call)
{
    auto vm = agentVm(call, false);
    if (!vm)
        return vm.error();
    return Reply::ok(QJsonObject{{QStringLiteral("result"), QJsonObject{}}});
}

Reply Cluster::agentInterfaces(Call &call)
{
    auto vm = agentVm(call, false);
    if (!vm)
        return vm.error();
    QJsonArray interfaces;
    interfaces.append(QJsonObject{
        {QStringLiteral("name"), QStringLiteral("lo")},
        {QStringLiteral("hardware-address"), QStringLiteral("00:00:00:00:00:00")},
        {QStringLiteral("ip-addresses"),
         QJsonArray{QJsonObject{{QStringLiteral("ip-address-type"), QStringLiteral("ipv4")},
                                {QStringLiteral("ip-address"), QStringLiteral("127.0.0.1")},
                                {QStringLiteral("prefix"), 8}}}}});
    int index = 0;
    for (auto it = (*vm)->config.begin(); it != (*vm)->config.end(); ++it) {
        if (!it.key().startsWith(QLatin1String("net")))
            continue;
        const QString number = it.key().mid(3);
        const QString mac =
            it.value().section(QLatin1Char(','), 0, 0).section(QLatin1Char('='), 1).toLower();
        QJsonArray addresses;
        // The first NIC carries the loopback address on which the VM's services are reachable.
        const QString ipconfig = (*vm)->config.value(QStringLiteral("ipconfig") + number);
        const QString configured = part(ipconfig, QStringLiteral("ip"));
        if (index == 0)
            addresses.append(
                QJsonObject{{QStringLiteral("ip-address-type"), QStringLiteral("ipv4")},
                            {QStringLiteral("ip-address"), vmAddress(**vm)},
                            {QStringLiteral("prefix"), 8}});
        if (!configured.isEmpty() && configured != QLatin1String("dhcp"))
            addresses.append(QJsonObject{
                {QStringLiteral("ip-address-type"), QStringLiteral("ipv4")},
                {QStringLiteral("ip-address"), configured.section(QLatin1Char('/'), 0, 0)},
                {QStringLiteral("prefix"), configured.section(QLatin1Char('/'), 1).toInt()}});
        interfaces.append(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("eth%1").arg(index++)},
            {QStringLiteral("hardware-address"), mac},
            {QStringLiteral("ip-addresses"), addresses},
            {QStringLiteral("statistics"), QJsonObject{{QStringLiteral("rx-bytes"), 123456789},
                                                       {QStringLiteral("tx-bytes"), 98765432},
                                                       {QStringLiteral("rx-packets"), 123456},
                                                       {QStringLiteral("tx-packets"), 98765},
                                                       {QStringLiteral("rx-errs"), 0},
                                                       {QStringLiteral("tx-errs"), 0},
                                                       {QStringLiteral("rx-dropped"), 0},
                                                       {QStringLiteral("tx-dropped"), 0}}}});
    }
    return Reply::ok(QJsonObject{{QStringLiteral("result"), interfaces}});
}

Reply Cluster::agentFileWrite(Call &call)
{
    auto vm = agentVm(call, true);
    if (!vm)
        return vm.error();
    const QByteArray content = call.text(QStringLiteral("content")).toUtf8();
    const bool encode = call.flag(QStringLiteral("encode"), true);
    (*vm)->files.insert(call.text(QStringLiteral("file")),
                        encode ? content : QByteArray::fromBase64(content));
    return Reply::ok();
}

ExecJob Cluster::nvidiaSmi(const Vm &vm, const QStringList &args) const
{
    ExecJob job;
    bool hasGpu = false;
    for (auto it = vm.config.begin(); it != vm.config.end(); ++it)
        hasGpu = hasGpu || it.key().startsWith(QLatin1String("hostpci"));
    if (!hasGpu) {
        job.exitCode = 9;
        job.out = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                  "Make sure that the latest NVIDIA driver is installed and running.\n\n";
        return job;
    }
    QStringList fields;
    bool header = true;
    bool units = true;
    for (const QString &arg : args) {
        if (arg.startsWith(QLatin1String("--query-gpu=")))
            fields = arg.mid(12).split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (arg.startsWith(QLatin1String("--format="))) {
            const QStringList options = arg.mid(9).split(QLatin1Char(','));
            header = !options.contains(QStringLiteral("noheader"));
            units = !options.contains(QStringLiteral("nounits"));
        }
    }
    if (fields.isEmpty()) {
        job.out = "+-------------------------------------------------------------------------------"
                  "----------+\n"
                  "| NVIDIA-SMI 570.172.08             Driver Version: 570.172.08     CUDA "
                  "Version: 12.8     |\n"
                  "+-------------------------------------------------------------------------------"
                  "----------+\n";
        return job;
    }
    const double busy = 20 + 60 * noise(vm.vmid * 31, 5);
    const long long used = 9000 + static_cast<long long>(8000 * noise(vm.vmid * 37, 5));
    QStringList names;
    QStringList values;
    for (const QString &field : fields) {
        QString name = field;
        QString value;
        if (field == QLatin1String("index")) {
            value = QStringLiteral("0");
        } else if (field == QLatin1String("name")) {
            value = QStringLiteral("NVIDIA L4");
        } else if (field == QLatin1String("uuid")) {
            value = QStringLiteral("GPU-5e1c0a2b-7d4f-4c3a-9e8b-%1")
                        .arg(vm.vmid, 12, 10, QLatin1Char('0'));
        } else if (field == QLatin1String("driver_version")) {
            value = QStringLiteral("570.172.08");
        } else if (field == QLatin1String("pci.bus_id")) {
            value = QStringLiteral("00000000:01:00.0");
        } else if (field == QLatin1String("utilization.gpu")) {
            name += QStringLiteral(" [%]");
            value = QString::number(static_cast<int>(busy)) +
                    (units ? QStringLiteral(" %") : QString());
        } else if (field == QLatin1String("utilization.memory")) {
            name += QStringLiteral(" [%]");
            value = QString::number(static_cast<int>(busy / 3)) +
                    (units ? QStringLiteral(" %") : QString());
        } else if (field == QLatin1String("memory.used")) {
            name += QStringLiteral(" [MiB]");
            value = QString::number(used) + (units ? QStringLiteral(" MiB") : QString());
        } else if (field == QLatin1String("memory.total")) {
            name += QStringLiteral(" [MiB]");
            value = QStringLiteral("23034") + (units ? QStringLiteral(" MiB") : QString());
        } else if (field == QLatin1String("memory.free")) {
            name += QStringLiteral(" [MiB]");
            value = QString::number(23034 - used) + (units ? QStringLiteral(" MiB") : QString());
        } else if (field == QLatin1String("temperature.gpu")) {
            value = QString::number(static_cast<int>(40 + busy / 4));
        } else if (field == QLatin1String("power.draw")) {
            name += QStringLiteral(" [W]");
            value = QString::number(16 + busy * 0.5, 'f', 2) +
                    (units ? QStringLiteral(" W") : QString());
        } else {
            job.exitCode = 2;
            job.out = QStringLiteral("Field \"%1\" is not a valid field to query.\n\n")
                          .arg(field)
                          .toUtf8();
            return job;
        }
        names << name;
        values << value;
    }
    if (header)
        job.out += names.join(QStringLiteral(", ")).toUtf8() + '\n';
    job.out += values.join(QStringLiteral(", ")).toUtf8() + '\n';
    return job;
}

Reply Cluster::agentExec(Call &call)
{
    auto found = agentVm(call, true);
    if (!found)
        return found.error();
    Vm &vm = **found;
    const QStringList command = call.list(QStringLiteral("command"));
    const QString program = command.value(0);
    ExecJob job;
    double delay = 0.2;

    // Nothing a client sends runs on this host. Shell scripts are only parsed (bash -n) so that a
    // syntax error shows up as it would in the guest; everything else is answered from the model.
    QByteArray script;
    bool isScript = false;
    if ((program == QLatin1String("bash") || program == QLatin1String("sh") ||
         program == QLatin1String("/bin/bash")) &&
        command.size() >= 2) {
        if (command.at(1) == QLatin1String("-c"))
            script = command.value(2).toUtf8();
        else
            script = vm.files.value(command.at(1));
        if (script.isEmpty() && command.at(1) != QLatin1String("-c")) {
            job.exitCode = 127;
            job.err =
                QStringLiteral("bash: %1: No such file or directory\n").arg(command.at(1)).toUtf8();
        } else {
            QTemporaryFile file(QDir::tempPath() + QStringLiteral("/rae-sim-script-XXXXXX.sh"));
            if (file.open()) {
                file.write(script);
                file.flush();
                QProcess check;
                check.start(QStringLiteral("bash"), {QStringLiteral("-n"), file.fileName()});
                check.waitForFinished(5000);
                job.exitCode = check.exitCode();
                job.err = check.readAllStandardError().replace(file.fileName().toUtf8(),
                                                               command.value(1).toUtf8());
            }
            if (job.exitCode == 0) {
                isScript = true;
                delay = 30; // a provisioning run takes a while in the guest
                job.out = "provisioning finished\n";
            }
        }
    } else if (program == QLatin1String("nvidia-smi")) {
        job = nvidiaSmi(vm, command.mid(1));
    } else if (program == QLatin1String("cat")) {
        const QString file = command.value(1);
        if (vm.files.contains(file)) {
            job.out = vm.files.value(file);
        } else if (file == QLatin1String("/etc/hostname")) {
            job.out = vm.name().toUtf8() + '\n';
        } else {
            job.exitCode = 1;
            job.err = QStringLiteral("cat: %1: No such file or directory\n").arg(file).toUtf8();
        }
    } else if (program == QLatin1String("hostname")) {
        job.out = vm.name().toUtf8() + '\n';
    } else if (program == QLatin1String("true") || program == QLatin1String("systemctl")) {
        job.exitCode = 0;
    } else if (program == QLatin1String("false")) {
        job.exitCode = 1;
    } else {
        // TODO: unknown commands answer success with no output; real guests would run them.
        // Goes when the provisioning scripts' commands are listed here one by one.
        job.exitCode = 0;
    }

    for (auto it = m_taskFailures.begin(); it != m_taskFailures.end(); ++it) {
        if (it->type == QLatin1String("guest-exec") && it->remaining > 0) {
            job.exitCode = 1;
            job.err = it->message.toUtf8() + '\n';
            if (--it->remaining == 0)
                m_taskFailures.erase(it);
            break;
        }
    }
    job.doneAt = m_clock.now() + delay;
    // A provisioning script that succeeds leaves its role's service running in the guest: from
    // then on the VM answers as that service would (as the `service` control command does).
    // VMs whose role is not imitated (rae-db, rae-redis) or that serve already are left alone.
    if (isScript && job.exitCode == 0) {
        const int vmid = vm.vmid;
        at(job.doneAt, [this, vmid] {
            if (m_services.find(vmid) == m_services.end() && m_vms.find(vmid) != m_vms.end())
                setService(vmid, QStringLiteral("up"), 0);
        });
    }
    const int pid = vm.nextExecPid++;
    vm.execs.insert(pid, job);
    return Reply::ok(QJsonObject{{QStringLiteral("pid"), pid}});
}

Reply Cluster::agentExecStatus(Call &call)
{
    auto found = agentVm(call, true);
    if (!found)
        return found.error();
    const int pid = static_cast<int>(call.integer(QStringLiteral("pid")));
    const auto it = (*found)->execs.find(pid);
    if (it == (*found)->execs.end())
        return Reply::error(500, QStringLiteral("Agent error: Invalid parameter 'pid'"));
    if (m_clock.now() < it->doneAt)
        return Reply::ok(QJsonObject{{QStringLiteral("exited"), 0}});
    QJsonObject out{{QStringLiteral("exited"), 1}, {QStringLiteral("exitcode"), it->exitCode}};
    if (!it->out.isEmpty())
        out.insert(QStringLiteral("out-data"), QString::fromUtf8(it->out));
    if (!it->err.isEmpty())
        out.insert(QStringLiteral("err-data"), QString::fromUtf8(it->err));
    (*found)->execs.erase(it); // the agent forgets a pid once its end was read
    return Reply::ok(out);
}

// --- backups ------------------------------------------------------------------------------

Reply Cluster::vzdump(Call &call)
{
    const QString node = call.text(QStringLiteral("node"));
    const QString storageId = call.text(QStringLiteral("storage"), QStringLiteral("local"));
    if (!storageOnNode(storageId, node))
        return Reply::error(500, QStringLiteral("storage '%1' does not exist").arg(storageId));
    if (!can(call.who, QStringLiteral("/storage/") + storageId,
             QStringLiteral("Datastore.AllocateSpace")))
        return forbidden(QStringLiteral("/storage/") + storageId,
                         QStringLiteral("Datastore.AllocateSpace"));
    QList<int> vmids;
    if (call.flag(QStringLiteral("all"))) {
        for (const auto &[vmid, vm] : m_vms) {
            if (vm.node == node && !vm.isTemplate())
                vmids << vmid;
        }
    } else {
        for (const QString &id :
             call.text(QStringLiteral("vmid"))
                 .split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
            const auto it = m_vms.find(id.toInt());
            if (it == m_vms.end())
                return Reply::error(500, QStringLiteral("guest %1 does not exist").arg(id));
            if (it->second.node != node)
                continue;
            vmids << id.toInt();
        }
    }
    for (int vmid : vmids) {
        if (!can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Backup")))
            return forbidden(QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Backup"));
    }
    return Reply::ok(startBackup(node, vmids, storageId, call.who).upid);
}

Task &Cluster::startBackup(const QString &node, const QList<int> &vmids, const QString &storage,
                           const Identity &who)
{
    double duration = 2;
    for (int vmid : vmids)
        duration += static_cast<double>(m_vms[vmid].memoryBytes()) / (8LL << 30) + 5;
    // The task names the guest only when it backs up exactly one.
    const QString id = vmids.size() == 1 ? QString::number(vmids.first()) : QString();
    Task &task = startTask(node, QStringLiteral("vzdump"), id, who, duration,
                           [this, vmids, storage, node]() -> QString {
                               for (int vmid : vmids) {
                                   BackupVolume backup;
                                   backup.vmid = vmid;
                                   backup.storage = storage;
                                   backup.node = node;
                                   backup.ctime = m_clock.nowSeconds();
                                   backup.size = 4LL << 30;
                                   backup.volid = backupVolid(storage, vmid, backup.ctime);
                                   m_backups << backup;
                               }
                               return {};
                           });
    for (int vmid : vmids)
        task.log << QStringLiteral("INFO: Starting Backup of VM %1 (qemu)").arg(vmid);
    return task;
}

QString Cluster::backupVolid(const QString &storageId, int vmid, long long ctime) const
{
    const QDateTime when = QDateTime::fromSecsSinceEpoch(ctime, Qt::UTC);
    const StorageDef *def = storage(storageId);
    if (def != nullptr && def->type == QLatin1String("pbs"))
        return QStringLiteral("%1:backup/vm/%2/%3")
            .arg(storageId)
            .arg(vmid)
            .arg(when.toString(Qt::ISODate));
    return QStringLiteral("%1:backup/vzdump-qemu-%2-%3.vma.zst")
        .arg(storageId)
        .arg(vmid)
        .arg(when.toString(QStringLiteral("yyyy_MM_dd-HH_mm_ss")));
}

double Cluster::nextBackupRun(const QString &schedule, double after) const
{
    const auto event = CalendarEvent::parse(schedule);
    if (!event)
        return 0;
    const auto next = event->nextAfter(
        QDateTime::fromSecsSinceEpoch(static_cast<qint64>(std::floor(after)), Qt::UTC));
    return next ? static_cast<double>(next->toSecsSinceEpoch()) : 0;
}

void Cluster::scheduleBackupJob(const QString &id)
{
    const auto job = m_backupJobs.constFind(id);
    if (job == m_backupJobs.cend())
        return;
    const double next = nextBackupRun(
        job->value(QStringLiteral("schedule"), QStringLiteral("00:00")), m_clock.now());
    if (next <= 0)
        return;
    const quint64 epoch = m_backupJobEpoch.value(id);
    at(next, [this, id, epoch] { runBackupJob(id, epoch); });
}

void Cluster::runBackupJob(const QString &id, quint64 epoch)
{
    const auto job = m_backupJobs.constFind(id);
    if (job == m_backupJobs.cend() || m_backupJobEpoch.value(id) != epoch)
        return; // removed, or removed and made again (which scheduled itself)
    const QMap<QString, QString> options = *job;
    scheduleBackupJob(id);
    if (options.value(QStringLiteral("enabled"), QStringLiteral("1")) != QLatin1String("1"))
        return;

    const auto ids = [](const QString &text) {
        QSet<int> out;
        for (const QString &part :
             text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts))
            out.insert(part.toInt());
        return out;
    };
    const bool all = options.value(QStringLiteral("all")) == QLatin1String("1");
    const QSet<int> listed = ids(options.value(QStringLiteral("vmid")));
    const QSet<int> excluded = ids(options.value(QStringLiteral("exclude")));
    QSet<int> inPool;
    for (const PoolDef &pool : m_scenario.pools) {
        if (pool.id == options.value(QStringLiteral("pool")))
            inPool = QSet<int>(pool.vmids.cbegin(), pool.vmids.cend());
    }
    const QString onlyNode = options.value(QStringLiteral("node"));
    const QString storage = options.value(QStringLiteral("storage"), QStringLiteral("local"));
    const Identity root{QStringLiteral("root@pam"), {}, false};

    // Each node backs up its own guests in a task of its own; a node that is down misses the run.
    for (const NodeState &node : m_nodes) {
        const QString name = node.def.name;
        if (!node.online() || (!onlyNode.isEmpty() && onlyNode != name) ||
            !storageOnNode(storage, name))
            continue;
        QList<int> vmids;
        for (const auto &[vmid, vm] : m_vms) {
            if (vm.node != name || vm.isTemplate())
                continue;
            if ((all && !excluded.contains(vmid)) || listed.contains(vmid) || inPool.contains(vmid))
                vmids << vmid;
        }
        if (!vmids.isEmpty())
            startBackup(name, vmids, storage, root);
    }
}

} // namespace rae::sim
