#include "cluster/inventory.h"

#include "proxmox/client.h"

namespace rae::cluster {

using proxmox::ApiError;
using proxmox::ApiJob;
using proxmox::ApiRequest;

InventoryLoader::InventoryLoader(proxmox::ProxmoxClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{}

InventoryLoader::~InventoryLoader()
{
    for (const QPointer<ApiJob> &guard : std::as_const(m_jobs)) {
        if (ApiJob *job = guard.data()) {
            job->disconnect(this);
            job->cancel();
        }
    }
}

void InventoryLoader::load()
{
    if (!m_client) {
        emit finished(
            ApiError::make(ApiError::Kind::Refused, tr("the cluster connection was closed")));
        return;
    }
    request(QStringLiteral("/cluster/resources"),
            [this](const Reply &reply) { onResources(reply); });
}

void InventoryLoader::request(const QString &path, std::function<void(const Reply &)> handler,
                              const proxmox::form::Params &params)
{
    if (!m_client)
        return;
    ++m_pending;
    ++m_requests;
    ApiJob *job = m_client->send(ApiRequest::get(path, params));
    m_jobs.append(job);
    connect(job, &ApiJob::finished, this, [this, handler = std::move(handler)](const Reply &reply) {
        --m_pending;
        if (!m_failed)
            handler(reply);
        if (!m_failed && m_pending == 0)
            done();
    });
}

void InventoryLoader::onResources(const Reply &reply)
{
    if (!reply) {
        m_failed = true;
        emit finished(reply.error());
        return;
    }
    auto resources = parseResources(reply->data);
    if (!resources) {
        m_failed = true;
        emit finished(ApiError::make(ApiError::Kind::MalformedResponse, resources.error().message));
        return;
    }
    m_inventory.resources = std::move(resources).value();

    // One cluster-wide part: parse it into `target`, or note why it is missing.
    auto part = [this](const QString &path, const QString &what, auto parse, auto &target) {
        request(path, [this, what, parse, &target](const Reply &answer) {
            if (!answer) {
                m_inventory.problems << tr("%1: %2").arg(what, answer.error().message);
                return;
            }
            auto parsed = parse(answer->data);
            if (!parsed) {
                m_inventory.problems << tr("%1: %2").arg(what, parsed.error().message);
                return;
            }
            target = std::move(parsed).value();
        });
    };
    // The backups are listed per storage once the configuration says which storages hold them.
    request(QStringLiteral("/storage"), [this](const Reply &answer) { onStorageConfig(answer); });
    part(QStringLiteral("/cluster/mapping/pci"), tr("PCI mappings"), &parsePciMappings,
         m_inventory.pciMappings);
    part(QStringLiteral("/cluster/ha/resources"), tr("HA resources"), &parseHaResources,
         m_inventory.haResources);
    // PVE 9 answers the groups call with a 500 once groups became rules; ask what the release has.
    const proxmox::ProxmoxClient *client = m_client.data();
    if (client != nullptr && client->version().usesHaRules())
        part(QStringLiteral("/cluster/ha/rules"), tr("HA rules"), &parseHaRules,
             m_inventory.haRules);
    else
        part(QStringLiteral("/cluster/ha/groups"), tr("HA groups"), &parseHaGroups,
             m_inventory.haGroups);
    part(QStringLiteral("/cluster/replication"), tr("replication jobs"), &parseReplicationStatus,
         m_inventory.replicationJobs);
    part(QStringLiteral("/cluster/backup"), tr("backup jobs"), &parseBackupJobs,
         m_inventory.backupJobs);
    part(QStringLiteral("/cluster/tasks"), tr("task list"), &parseClusterTasks, m_inventory.tasks);

    m_inventory.nodes.reserve(m_inventory.resources.nodes.size());
    for (const NodeResource &node : std::as_const(m_inventory.resources.nodes))
        m_inventory.nodes.append(NodeInventory{node.name, std::nullopt, {}, std::nullopt, {}});
    for (qsizetype i = 0; i < m_inventory.nodes.size(); ++i) {
        const NodeResource &resource = m_inventory.resources.nodes.at(i);
        if (resource.status != NodeStatus::Online) {
            m_inventory.nodes[i].problems << tr("the node is offline");
            continue;
        }
        const QString name = resource.name;
        auto perNode = [this, i, name](const char *tail, const QString &what, auto store) {
            request(proxmox::form::path({QStringLiteral("nodes"), name, QLatin1String(tail)}),
                    [this, i, what, store](const Reply &answer) {
                        NodeInventory &node = m_inventory.nodes[i];
                        if (!answer) {
                            node.problems << tr("%1: %2").arg(what, answer.error().message);
                            return;
                        }
                        if (const auto problem = store(node, *answer))
                            node.problems << tr("%1: %2").arg(what, *problem);
                    });
        };
        perNode("status", tr("status"),
                [](NodeInventory &node, const proxmox::ApiReply &answer) -> std::optional<QString> {
                    auto parsed = parseNodeStatus(answer.data);
                    if (!parsed)
                        return parsed.error().message;
                    node.status = std::move(parsed).value();
                    return std::nullopt;
                });
        perNode("storage", tr("storages"),
                [](NodeInventory &node, const proxmox::ApiReply &answer) -> std::optional<QString> {
                    auto parsed = parseNodeStorage(answer.data);
                    if (!parsed)
                        return parsed.error().message;
                    node.storages = std::move(parsed).value();
                    return std::nullopt;
                });
        perNode("network", tr("network"),
                [](NodeInventory &node, const proxmox::ApiReply &answer) -> std::optional<QString> {
                    auto parsed = parseNodeNetwork(answer.data,
                                                   answer.envelope.value(QLatin1String("changes")));
                    if (!parsed)
                        return parsed.error().message;
                    node.network = std::move(parsed).value();
                    return std::nullopt;
                });
    }
}

void InventoryLoader::onStorageConfig(const Reply &reply)
{
    const QString what = tr("storage configuration");
    if (!reply) {
        m_inventory.problems << tr("%1: %2").arg(what, reply.error().message);
        return;
    }
    auto parsed = parseStorageConfig(reply->data);
    if (!parsed) {
        m_inventory.problems << tr("%1: %2").arg(what, parsed.error().message);
        return;
    }
    m_inventory.storages = std::move(parsed).value();

    // A shared storage (and a Proxmox Backup Server, the same datastore from every node) is
    // listed once, from the first online node that has it; a local one from each online node.
    for (const StorageConfig &storage : std::as_const(m_inventory.storages)) {
        if (storage.disabled || !storage.content.contains(QLatin1String("backup")))
            continue;
        const bool sharedStorage = storage.shared || storage.type == QLatin1String("pbs");
        for (const NodeResource &node : std::as_const(m_inventory.resources.nodes)) {
            if (node.status != NodeStatus::Online || !storage.availableOn(node.name))
                continue;
            const QString id = storage.storage;
            const QString name = node.name;
            request(proxmox::form::path({QStringLiteral("nodes"), name, QStringLiteral("storage"),
                                         id, QStringLiteral("content")}),
                    [this, id, name](const Reply &answer) {
                        const QString part = tr("backups on %1 (node %2)").arg(id, name);
                        if (!answer) {
                            m_inventory.problems << tr("%1: %2").arg(part, answer.error().message);
                            return;
                        }
                        auto volumes = parseBackupVolumes(answer->data, id, name);
                        if (!volumes) {
                            m_inventory.problems << tr("%1: %2").arg(part, volumes.error().message);
                            return;
                        }
                        m_inventory.backups.append(std::move(volumes).value());
                    },
                    {{QStringLiteral("content"), QStringLiteral("backup")}});
            if (sharedStorage)
                break;
        }
    }
}

void InventoryLoader::done()
{
    m_jobs.clear();
    emit finished(m_inventory);
}

} // namespace rae::cluster
