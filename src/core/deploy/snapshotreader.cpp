#include "deploy/snapshotreader.h"

#include "cluster/resources.h"
#include "proxmox/client.h"

#include <QCoreApplication>

#include <algorithm>

namespace rae::deploy {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::SnapshotReader)
};

QString guestStatusText(cluster::GuestStatus status, const QString &reported)
{
    switch (status) {
    case cluster::GuestStatus::Running:
        return QStringLiteral("running");
    case cluster::GuestStatus::Stopped:
        return QStringLiteral("stopped");
    default:
        return reported.isEmpty() ? QStringLiteral("unknown") : reported;
    }
}

} // namespace

SnapshotReader::SnapshotReader(proxmox::ProxmoxClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{}

void SnapshotReader::read(const QStringList &names)
{
    m_names = names;
    m_snapshot = {};
    m_failed = false;
    m_pending = 0;
    proxmox::ProxmoxClient *client = m_client.data();
    if (client == nullptr) {
        fail({Tr::tr("No connection to the cluster."), {}, {}});
        return;
    }
    const int major = client->version().major;
    m_snapshot.majorRelease = major > 0 ? major : 9;
    get(QStringLiteral("/cluster/resources"),
        [this](const QJsonValue &data) { onResources(data); });
    get(QStringLiteral("/cluster/ha/resources"),
        [this](const QJsonValue &data) { m_snapshot.haResources = parseHaResources(data); });
    if (m_snapshot.majorRelease >= 9)
        get(QStringLiteral("/cluster/ha/rules"),
            [this](const QJsonValue &data) { m_snapshot.haRules = parseHaRules(data); });
    else
        get(QStringLiteral("/cluster/ha/groups"),
            [this](const QJsonValue &data) { m_snapshot.haGroups = parseHaGroups(data); });
    get(QStringLiteral("/cluster/replication"),
        [this](const QJsonValue &data) { m_snapshot.replications = parseReplicationJobs(data); });
    get(QStringLiteral("/cluster/backup"),
        [this](const QJsonValue &data) { m_snapshot.backups = parseBackupJobs(data); });
    // Only the pools this account may audit; membership comes with /cluster/resources.
    get(QStringLiteral("/pools"),
        [this](const QJsonValue &data) { m_snapshot.pools = parsePools(data); });
}

void SnapshotReader::onResources(const QJsonValue &data)
{
    Result<cluster::Resources> resources = cluster::parseResources(data);
    if (!resources.ok()) {
        fail(resources.error());
        return;
    }
    for (const cluster::NodeResource &node : resources->nodes)
        if (node.status == cluster::NodeStatus::Online)
            m_snapshot.onlineNodes.append(node.name);
    for (const cluster::GuestResource &guest : resources->guests) {
        if (guest.type != cluster::GuestType::Qemu)
            continue;
        SnapshotVm probe;
        probe.tags = guest.tags;
        if (!probe.isRae() && !m_names.contains(guest.name))
            continue;
        const int vmid = guest.vmid;
        const QString node = guest.node;
        const QString status = guestStatusText(guest.status, guest.reportedStatus);
        const QString pool = guest.pool;
        get(QStringLiteral("/nodes/") + node + QStringLiteral("/qemu/") + QString::number(vmid) +
                QStringLiteral("/config"),
            [this, vmid, node, status, pool](const QJsonValue &config) {
                Result<SnapshotVm> vm = parseVmConfig(config);
                if (!vm.ok()) {
                    fail(vm.error());
                    return;
                }
                SnapshotVm value = vm.value();
                value.vmid = vmid;
                value.node = node;
                value.status = status;
                value.pool = pool;
                m_snapshot.vms.append(value);
            });
    }
}

void SnapshotReader::get(const QString &path, std::function<void(const QJsonValue &)> handle)
{
    proxmox::ProxmoxClient *client = m_client.data();
    if (client == nullptr) {
        fail({Tr::tr("No connection to the cluster."), {}, {}});
        return;
    }
    ++m_pending;
    proxmox::ApiJob *job = client->send(proxmox::ApiRequest::get(path));
    connect(job, &proxmox::ApiJob::finished, this,
            [this, handle = std::move(handle)](const proxmox::ApiResult<proxmox::ApiReply> &reply) {
                if (m_failed)
                    return;
                if (!reply.ok()) {
                    fail(reply.error().toError());
                    return;
                }
                handle(reply->data);
                --m_pending;
                if (m_pending == 0 && !m_failed)
                    done();
            });
}

void SnapshotReader::fail(const Error &error)
{
    if (m_failed)
        return;
    m_failed = true;
    emit finished(error);
}

void SnapshotReader::done()
{
    std::sort(m_snapshot.vms.begin(), m_snapshot.vms.end(),
              [](const SnapshotVm &a, const SnapshotVm &b) { return a.vmid < b.vmid; });
    emit finished(m_snapshot);
}

} // namespace rae::deploy
