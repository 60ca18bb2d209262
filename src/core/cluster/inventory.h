#pragma once

#include "cluster/backupjob.h"
#include "cluster/backupvolume.h"
#include "cluster/ha.h"
#include "cluster/network.h"
#include "cluster/nodestatus.h"
#include "cluster/pcimapping.h"
#include "cluster/replication.h"
#include "cluster/resources.h"
#include "cluster/storage.h"
#include "cluster/tasklog.h"
#include "proxmox/apierror.h"
#include "proxmox/request.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace rae::proxmox {
class ApiJob;
class ProxmoxClient;
} // namespace rae::proxmox

namespace rae::cluster {

// What a node showed of itself; empty parts when it could not be asked.
struct NodeInventory
{
    QString name;
    std::optional<NodeStatusDetail> status;
    QList<NodeStorage> storages;
    std::optional<NodeNetwork> network;
    QStringList problems; // for people: what could not be read from this node
};

// Everything the inventory command, the plan checks and the report read once: the resources,
// the configuration of storages, mappings, HA, replication and backups, the recent tasks, the
// backups on every storage that holds backups, and each online node's status, storages and
// network.
struct Inventory
{
    Resources resources;
    QList<StorageConfig> storages;
    QList<PciMapping> pciMappings;
    QList<HaResource> haResources;
    QList<HaGroup> haGroups;                  // PVE 8
    QList<HaRule> haRules;                    // PVE 9
    QList<ReplicationStatus> replicationJobs; // configuration only (no sync status)
    QList<BackupJob> backupJobs;
    QList<ClusterTask> tasks;    // /cluster/tasks: the recent tasks of every node, newest first
    QList<BackupVolume> backups; // every backup listed by the storages with `backup` content
    QList<NodeInventory> nodes;  // in the order of resources.nodes
    QStringList problems;        // cluster-wide parts that could not be read
};

// Reads an Inventory in one go. A node that is down or unreachable leaves its part empty with a
// problem; only /cluster/resources failing fails the whole load.
class InventoryLoader final : public QObject
{
    Q_OBJECT

public:
    explicit InventoryLoader(proxmox::ProxmoxClient *client, QObject *parent = nullptr);
    ~InventoryLoader() override;

    void load(); // once; `finished` follows
    int requests() const { return m_requests; }

signals:
    void finished(const rae::proxmox::ApiResult<rae::cluster::Inventory> &result);

private:
    using Reply = proxmox::ApiResult<proxmox::ApiReply>;
    void request(const QString &path, std::function<void(const Reply &)> handler,
                 const proxmox::form::Params &params = {});
    void onResources(const Reply &reply);
    void onStorageConfig(const Reply &reply);
    void done();

    QPointer<proxmox::ProxmoxClient> m_client;
    QList<QPointer<proxmox::ApiJob>> m_jobs;
    Inventory m_inventory;
    int m_pending = 0;
    int m_requests = 0;
    bool m_failed = false;
};

} // namespace rae::cluster
