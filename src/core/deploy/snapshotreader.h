#pragma once

#include "common/result.h"
#include "deploy/snapshot.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

namespace rae::proxmox {
class ProxmoxClient;
}

namespace rae::deploy {

// Reads a ClusterSnapshot through a connected client: `/cluster/resources`, the configuration of
// every VM tagged as RAE's (or named in `names`, so that an untagged VM with a plan name is seen),
// HA resources, PVE 8 groups or PVE 9 rules, replication and backup jobs. The calls after the
// first run in parallel within the client's own limits. Emits `finished` once.
class SnapshotReader final : public QObject
{
    Q_OBJECT

public:
    SnapshotReader(proxmox::ProxmoxClient *client, QObject *parent = nullptr);

    void read(const QStringList &names = {});

signals:
    void finished(const rae::Result<rae::deploy::ClusterSnapshot> &result);

private:
    void onResources(const QJsonValue &data);
    void get(const QString &path, std::function<void(const QJsonValue &)> handle);
    void fail(const Error &error);
    void done();

    QPointer<proxmox::ProxmoxClient> m_client;
    QStringList m_names;
    ClusterSnapshot m_snapshot;
    int m_pending = 0;
    bool m_failed = false;
};

} // namespace rae::deploy
