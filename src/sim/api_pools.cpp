// Resource pools: made, read, and guests added, moved or taken out; and the check qemu-server
// makes of a guest's cloud-init SSH keys.
#include "cluster.h"

#include "common/sshkey.h"

#include <QRegularExpression>
#include <QUrl>

namespace rae::sim {

namespace {

// pve-poolid: up to three levels since PVE 8.1 (`a/b/c`).
QStringList splitList(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
}

bool validPoolId(const QString &id)
{
    static const QRegularExpression pattern(
        QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*){0,2}$"));
    return pattern.match(id).hasMatch();
}

} // namespace

PoolDef *Cluster::findPool(const QString &id)
{
    for (PoolDef &pool : m_scenario.pools)
        if (pool.id == id)
            return &pool;
    return nullptr;
}

void Cluster::leavePools(int vmid)
{
    for (PoolDef &pool : m_scenario.pools)
        pool.vmids.removeAll(vmid);
}

QString Cluster::sshKeysProblem(const QString &value)
{
    // The parameter arrives percent-encoded (its schema format is `urlencoded`); qemu-server
    // decodes it once more and has ssh-keygen read every line.
    const QString keys = QUrl::fromPercentEncoding(value.toUtf8());
    for (const QString &line : keys.split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty())
            continue;
        if (!parseSshPublicKey(line))
            return QStringLiteral("SSH public key validation error");
    }
    return {};
}

Reply Cluster::getPool(Call &call)
{
    const QString id = call.text(QStringLiteral("poolid"));
    if (!can(call.who, QStringLiteral("/pool/") + id, QStringLiteral("Pool.Audit")))
        return forbidden(QStringLiteral("/pool/") + id, QStringLiteral("Pool.Audit"));
    const PoolDef *pool = findPool(id);
    if (pool == nullptr)
        return Reply::error(500, QStringLiteral("pool '%1' does not exist").arg(id));
    // The list form with `poolid` has the members already; one entry of it, without the id.
    Call list = call;
    list.pathParams.clear();
    list.params = {{QStringLiteral("poolid"), id}};
    QJsonObject entry = getPools(list).data.toArray().first().toObject();
    entry.remove(QStringLiteral("poolid"));
    const QString type = call.text(QStringLiteral("type"));
    if (!type.isEmpty()) {
        QJsonArray members;
        for (const QJsonValue &member : entry.value(QStringLiteral("members")).toArray())
            if (member.toObject().value(QStringLiteral("type")).toString() == type)
                members.append(member);
        entry.insert(QStringLiteral("members"), members);
    }
    return Reply::ok(entry);
}

Reply Cluster::postPool(Call &call)
{
    const QString id = call.text(QStringLiteral("poolid"));
    if (!validPoolId(id))
        return Reply::invalid(QStringLiteral("poolid"),
                              QStringLiteral("invalid format - invalid pool ID '%1'").arg(id));
    if (!can(call.who, QStringLiteral("/pool/") + id, QStringLiteral("Pool.Allocate")))
        return forbidden(QStringLiteral("/pool/") + id, QStringLiteral("Pool.Allocate"));
    if (findPool(id) != nullptr)
        return Reply::error(500, QStringLiteral("pool '%1' already exists").arg(id));
    PoolDef pool;
    pool.id = id;
    pool.comment = call.text(QStringLiteral("comment"));
    m_scenario.pools << pool;
    return Reply::ok();
}

Reply Cluster::putPool(Call &call)
{
    const QString id = call.text(QStringLiteral("poolid"));
    if (!can(call.who, QStringLiteral("/pool/") + id, QStringLiteral("Pool.Allocate")))
        return forbidden(QStringLiteral("/pool/") + id, QStringLiteral("Pool.Allocate"));
    PoolDef *pool = findPool(id);
    if (pool == nullptr)
        return Reply::error(500, QStringLiteral("pool '%1' does not exist").arg(id));
    const bool remove = call.flag(QStringLiteral("delete"));
    const bool allowMove = call.flag(QStringLiteral("allow-move"));

    // Every guest is checked before any is changed: the pool config is written once.
    QList<int> vmids;
    for (const QString &text : splitList(call.text(QStringLiteral("vms")))) {
        const int vmid = text.toInt();
        const QString path = QStringLiteral("/vms/%1").arg(vmid);
        // qemu-server's check_perm_modify: Permissions.Modify, or VM.Allocate for a guest.
        if (!can(call.who, path, QStringLiteral("Permissions.Modify")) &&
            !can(call.who, path, QStringLiteral("VM.Allocate")))
            return forbidden(path, QStringLiteral("Permissions.Modify"));
        if (remove) {
            if (!pool->vmids.contains(vmid))
                return Reply::error(500, QStringLiteral("VM %1 is not a pool member").arg(vmid));
        } else {
            if (pool->vmids.contains(vmid))
                return Reply::error(500,
                                    QStringLiteral("VM %1 is already a pool member").arg(vmid));
            if (m_vms.find(vmid) == m_vms.end())
                return Reply::error(500, QStringLiteral("VM %1 does not exist").arg(vmid));
            for (const PoolDef &other : std::as_const(m_scenario.pools))
                if (other.vmids.contains(vmid) && !allowMove)
                    return Reply::error(500, QStringLiteral("VM %1 belongs already to pool '%2' "
                                                            "and 'allow-move' is not set")
                                                 .arg(vmid)
                                                 .arg(other.id));
        }
        vmids << vmid;
    }
    const QStringList storages = splitList(call.text(QStringLiteral("storage")));
    for (const QString &storageId : storages) {
        if (!can(call.who, QStringLiteral("/storage/") + storageId,
                 QStringLiteral("Permissions.Modify")) &&
            !can(call.who, QStringLiteral("/storage/") + storageId,
                 QStringLiteral("Datastore.Allocate")))
            return forbidden(QStringLiteral("/storage/") + storageId,
                             QStringLiteral("Permissions.Modify"));
        if (storage(storageId) == nullptr)
            return Reply::error(500, QStringLiteral("Storage '%1' does not exist").arg(storageId));
    }

    if (call.has(QStringLiteral("comment")))
        pool->comment = call.text(QStringLiteral("comment"));
    for (int vmid : std::as_const(vmids)) {
        if (remove) {
            pool->vmids.removeAll(vmid);
            continue;
        }
        leavePools(vmid);
        pool->vmids << vmid;
    }
    for (const QString &storageId : storages) {
        if (remove)
            pool->storages.removeAll(storageId);
        else if (!pool->storages.contains(storageId))
            pool->storages << storageId;
    }
    return Reply::ok();
}

} // namespace rae::sim
