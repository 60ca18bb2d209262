#pragma once

#include "cluster/snapshot.h"
#include "proxmox/apierror.h"
#include "proxmox/request.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <functional>

namespace rae::proxmox {
class ApiJob;
class ProxmoxClient;
} // namespace rae::proxmox

namespace rae::cluster {

struct PollerOptions
{
    std::chrono::milliseconds interval{10000}; // pvestatd broadcasts about every 10 s
    // HA status is read when the `hastate` fields of /cluster/resources change, and at least
    // every this many cycles in case a change does not show there (a new master, say).
    int haRefreshEvery = 6;
    // The replication job list is configuration: read it this often. Each job's status is read
    // from its source node when its next sync is due, a run is in progress, or the guest moved.
    int replicationConfigEvery = 30;
    std::function<qint64()> now; // unix seconds; the system clock when empty
};

// Polls one cluster: each cycle reads /cluster/resources and, only when their data may have
// changed, the HA status and replication status, then emits one snapshot. A node being down never
// fails a cycle; only /cluster/resources failing does (no endpoint answered).
class SnapshotPoller final : public QObject
{
    Q_OBJECT

public:
    SnapshotPoller(proxmox::ProxmoxClient *client, const PollerOptions &options = {},
                   QObject *parent = nullptr);
    ~SnapshotPoller() override;

    void start();   // first cycle on the next turn of the event loop, then every interval
    void stop();    // cancels a cycle in progress
    void pollNow(); // a cycle now unless one is running; the timer restarts after it
    bool isRunning() const { return m_running; }
    const std::optional<ClusterSnapshot> &last() const { return m_last; }

signals:
    void snapshotReady(const rae::cluster::ClusterSnapshot &snapshot);
    void cycleFailed(const rae::proxmox::ApiError &error);

private:
    using Reply = proxmox::ApiResult<proxmox::ApiReply>;
    using Handler = std::function<void(const Reply &)>;

    void beginCycle();
    void request(const QString &path, Handler handler);
    void onResources(const Reply &reply);
    void maybeFinish();
    void finishCycle();
    qint64 now() const;
    void readReplicationStatus();
    bool replicationDue(const QHash<QString, QString> &sourceOf) const;

    QPointer<proxmox::ProxmoxClient> m_client;
    PollerOptions m_options;
    QTimer m_timer;
    bool m_running = false;
    bool m_inCycle = false;
    quint64 m_cycle = 0;
    int m_pending = 0;
    QList<QPointer<proxmox::ApiJob>> m_jobs;

    ClusterSnapshot m_building;
    std::optional<ClusterSnapshot> m_last;

    // What decides whether HA and replication are read again.
    QString m_haSignature;
    quint64 m_haReadAt = 0;                     // cycle
    QList<ReplicationStatus> m_replicationJobs; // config: id, guest, target
    quint64 m_replicationConfigReadAt = 0;
    bool m_replicationConfigKnown = false;
    QHash<QString, ReplicationStatus> m_replicationStatus; // by job id
    QString m_replicationPlacement; // guest → node of replicated guests, last read
};

} // namespace rae::cluster
