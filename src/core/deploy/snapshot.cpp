#include "deploy/snapshot.h"

#include "proxmox/formencoding.h"
#include "proxmox/propertystring.h"
#include "proxmox/vmconfig.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace rae::deploy {

namespace {

int intOf(const QJsonValue &value, int fallback = 0)
{
    if (value.isDouble())
        return value.toInt();
    if (value.isString()) {
        bool ok = false;
        const int parsed = value.toString().toInt(&ok);
        return ok ? parsed : fallback;
    }
    return fallback;
}

bool boolOf(const QJsonValue &value)
{
    return intOf(value) != 0;
}

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part :
         text.split(QRegularExpression(QStringLiteral("[,; ]")), Qt::SkipEmptyParts))
        out.append(part.trimmed());
    return out;
}

} // namespace

bool SnapshotVm::isRae() const
{
    return std::any_of(tags.cbegin(), tags.cend(), [](const QString &tag) {
        return tag == QLatin1String("rae") || tag.startsWith(QLatin1String("rae-"));
    });
}

const SnapshotVm *ClusterSnapshot::vmByName(const QString &name) const
{
    for (const SnapshotVm &vm : vms)
        if (vm.name == name && !vm.isTemplate)
            return &vm;
    return nullptr;
}

const SnapshotVm *ClusterSnapshot::vmById(int vmid) const
{
    for (const SnapshotVm &vm : vms)
        if (vm.vmid == vmid)
            return &vm;
    return nullptr;
}

const SnapshotHaResource *ClusterSnapshot::haResource(const QString &sid) const
{
    for (const SnapshotHaResource &resource : haResources)
        if (resource.sid == sid)
            return &resource;
    return nullptr;
}

QMap<QString, int> parseNodePriorities(const QString &text)
{
    QMap<QString, int> nodes;
    for (const QString &entry : splitList(text)) {
        const QString node = entry.section(QLatin1Char(':'), 0, 0);
        const QString priority = entry.section(QLatin1Char(':'), 1, 1);
        nodes.insert(node, priority.isEmpty() ? 0 : priority.toInt());
    }
    return nodes;
}

QString formatNodePriorities(const QMap<QString, int> &nodes)
{
    QStringList parts;
    for (auto it = nodes.cbegin(); it != nodes.cend(); ++it)
        parts.append(it.value() > 0 ? it.key() + QLatin1Char(':') + QString::number(it.value())
                                    : it.key());
    return parts.join(QLatin1Char(','));
}

Result<SnapshotVm> parseVmConfig(const QJsonValue &data)
{
    Result<proxmox::VmConfig> config = proxmox::VmConfig::fromData(data.toObject());
    if (!config.ok())
        return config.error();
    SnapshotVm vm;
    vm.name = config->name;
    vm.isTemplate = config->isTemplate;
    vm.tags = config->tags;
    vm.cores = config->cores * config->sockets;
    vm.memory = config->memory;
    for (const proxmox::Disk &disk : config->disks) {
        if (disk.cdrom || disk.cloudInit || disk.key.startsWith(QLatin1String("unused")) ||
            disk.key.startsWith(QLatin1String("efidisk")) ||
            disk.key.startsWith(QLatin1String("tpmstate")))
            continue;
        vm.disks.append({disk.key, disk.storage, disk.size.value_or(ByteSize())});
    }
    for (const proxmox::NetDevice &net : config->nets)
        vm.nics.append({QStringLiteral("net") + QString::number(net.index), net.bridge,
                        net.vlanTag.value_or(0), net.firewall});
    for (const proxmox::PciPassthrough &pci : config->pciDevices)
        if (!pci.mapping.isEmpty()) {
            vm.gpuMapping = pci.mapping;
            break;
        }
    vm.ipConfigs = config->ipConfigs;
    vm.agent = config->agent.enabled;
    vm.onBoot = config->onBoot;
    vm.lock = config->lock;
    vm.ciUser = config->raw.value(QLatin1String("ciuser")).toString();
    vm.sshKeys = proxmox::form::sshKeysFromValue(config->sshKeys);
    return vm;
}

QList<SnapshotPool> parsePools(const QJsonValue &data)
{
    QList<SnapshotPool> out;
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        const QString id = object.value(QLatin1String("poolid")).toString();
        if (!id.isEmpty())
            out.append({id, object.value(QLatin1String("comment")).toString()});
    }
    return out;
}

QList<SnapshotHaResource> parseHaResources(const QJsonValue &data)
{
    QList<SnapshotHaResource> out;
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        SnapshotHaResource resource;
        resource.sid = object.value(QLatin1String("sid")).toString();
        resource.state = object.value(QLatin1String("state")).toString(QStringLiteral("started"));
        resource.group = object.value(QLatin1String("group")).toString();
        resource.maxRestart = intOf(object.value(QLatin1String("max_restart")), 1);
        resource.maxRelocate = intOf(object.value(QLatin1String("max_relocate")), 1);
        out.append(resource);
    }
    return out;
}

QList<SnapshotHaGroup> parseHaGroups(const QJsonValue &data)
{
    QList<SnapshotHaGroup> out;
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        SnapshotHaGroup group;
        group.id = object.value(QLatin1String("group")).toString();
        group.nodes = parseNodePriorities(object.value(QLatin1String("nodes")).toString());
        group.restricted = boolOf(object.value(QLatin1String("restricted")));
        group.nofailback = boolOf(object.value(QLatin1String("nofailback")));
        out.append(group);
    }
    return out;
}

QList<SnapshotHaRule> parseHaRules(const QJsonValue &data)
{
    QList<SnapshotHaRule> out;
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        SnapshotHaRule rule;
        rule.id = object.value(QLatin1String("rule")).toString();
        rule.type = object.value(QLatin1String("type")).toString();
        rule.resources = splitList(object.value(QLatin1String("resources")).toString());
        rule.resources.sort();
        rule.nodes = parseNodePriorities(object.value(QLatin1String("nodes")).toString());
        rule.strict = boolOf(object.value(QLatin1String("strict")));
        rule.affinity = object.value(QLatin1String("affinity")).toString();
        out.append(rule);
    }
    return out;
}

QList<SnapshotReplication> parseReplicationJobs(const QJsonValue &data)
{
    QList<SnapshotReplication> out;
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        SnapshotReplication job;
        job.id = object.value(QLatin1String("id")).toString();
        job.guest = intOf(object.value(QLatin1String("guest")));
        if (job.guest == 0)
            job.guest = job.id.section(QLatin1Char('-'), 0, 0).toInt();
        job.target = object.value(QLatin1String("target")).toString();
        job.schedule = object.value(QLatin1String("schedule")).toString(QStringLiteral("*/15"));
        const QJsonValue rate = object.value(QLatin1String("rate"));
        job.rate = rate.isString() ? rate.toString().toDouble() : rate.toDouble();
        out.append(job);
    }
    return out;
}

QList<SnapshotBackup> parseBackupJobs(const QJsonValue &data)
{
    QList<SnapshotBackup> out;
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        SnapshotBackup job;
        job.id = object.value(QLatin1String("id")).toString();
        job.storage = object.value(QLatin1String("storage")).toString();
        job.schedule = object.value(QLatin1String("schedule")).toString();
        for (const QString &id : splitList(object.value(QLatin1String("vmid")).toString()))
            job.vmids.append(id.toInt());
        std::sort(job.vmids.begin(), job.vmids.end());
        job.mode = object.value(QLatin1String("mode")).toString(QStringLiteral("snapshot"));
        // The API answers with the property string parsed into an object; it is compared in
        // the order pruneBackupsText() writes it.
        const QJsonValue prune = object.value(QLatin1String("prune-backups"));
        if (prune.isObject()) {
            QStringList parts;
            for (const char *key :
                 {"keep-last", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"}) {
                const QJsonValue value = prune.toObject().value(QLatin1String(key));
                const QString text =
                    value.isString() ? value.toString() : QString::number(value.toInteger());
                if (!value.isUndefined() && !value.isNull() && text != QLatin1String("0"))
                    parts.append(QLatin1String(key) + QLatin1Char('=') + text);
            }
            job.pruneBackups = parts.join(QLatin1Char(','));
        } else {
            job.pruneBackups = prune.toString();
        }
        const QJsonValue enabled = object.value(QLatin1String("enabled"));
        job.enabled = enabled.isUndefined() || boolOf(enabled);
        out.append(job);
    }
    return out;
}

} // namespace rae::deploy
