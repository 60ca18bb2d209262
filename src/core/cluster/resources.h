#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// The cluster as `GET /cluster/resources` shows it, as plain values. One call per poll cycle
// gives nodes, guests and storages; per-node calls fill in only what this lacks.
namespace rae::cluster {

enum class NodeStatus
{
    Online,
    Offline,
    Unknown
};

// What the guest is doing as far as we can tell. `Unknown` also covers a guest whose node is
// offline: pmxcfs keeps broadcasting its last figures for up to five minutes, so "running" from a
// dead node is not believed.
enum class GuestStatus
{
    Running,
    Stopped,
    Paused,
    Suspended,
    Unknown,
    Other
};

enum class GuestType
{
    Qemu,
    Lxc
};

struct NodeResource
{
    QString name;
    NodeStatus status = NodeStatus::Unknown;
    std::optional<double> cpu; // fraction of all threads; absent when offline or not audited
    int maxCpu = 0;
    quint64 memoryUsed = 0;
    quint64 memoryTotal = 0;
    quint64 rootUsed = 0;
    quint64 rootTotal = 0;
    qint64 uptime = 0;
    QString haState; // online, maintenance, fence, unknown, gone; empty without HA
    QString subscriptionLevel;
    friend bool operator==(const NodeResource &, const NodeResource &) = default;
};

struct GuestResource
{
    GuestType type = GuestType::Qemu;
    int vmid = 0;
    QString name;
    QString node;
    GuestStatus status = GuestStatus::Unknown;
    QString reportedStatus;  // verbatim, for display ("running", "prelaunch", ...)
    bool statsStale = false; // the node is offline: the figures are its last broadcast
    double cpu = 0.0;        // fraction of allotted vCPUs
    int maxCpu = 0;
    quint64 memoryUsed = 0;
    quint64 memoryTotal = 0;
    std::optional<quint64> memoryHost; // PVE 9: host-side use
    quint64 diskTotal = 0;
    qint64 uptime = 0;
    quint64 netIn = 0;
    quint64 netOut = 0;
    QString haState; // HA service state; empty when not an HA resource
    QString lock;
    QString pool;
    QStringList tags;
    bool isTemplate = false;
    friend bool operator==(const GuestResource &, const GuestResource &) = default;
};

struct StorageResource
{
    QString node;
    QString storage;
    QString pluginType; // rbd, zfspool, lvmthin, dir, nfs, pbs, ...
    bool available = false;
    bool shared = false;
    QStringList content; // images, rootdir, backup, iso, ...
    quint64 used = 0;
    quint64 total = 0;
    friend bool operator==(const StorageResource &, const StorageResource &) = default;
};

struct Resources
{
    QList<NodeResource> nodes;
    QList<GuestResource> guests;
    QList<StorageResource> storages;
    int ignoredEntries = 0; // pool, sdn, network and types this release added after us

    const NodeResource *node(const QString &name) const;
    const GuestResource *guest(int vmid) const;
    friend bool operator==(const Resources &, const Resources &) = default;
};

// Reads the `data` array. Entries of unknown type are counted and skipped; entries without the
// fields that identify them are a malformed response.
Result<Resources> parseResources(const QJsonValue &data);

// The whole reply body (`{"data":[...]}`), parsed straight from bytes.
Result<Resources> parseResourcesReply(const QByteArray &body);

} // namespace rae::cluster
