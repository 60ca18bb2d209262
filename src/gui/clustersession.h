#pragma once

#include "cluster/profile.h"

#include "cluster/resources.h"
#include "proxmox/client.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>

class QNetworkAccessManager;
class QSettings;

namespace rae::gui {

// One connected cluster for the window: its client, and a poll of /cluster/resources that hands
// each snapshot on. One request in flight at a time; a slow cluster delays the next poll instead
// of piling requests up.
// TODO: the poller belongs in src/core/cluster/ (with replication and HA status); move it there
// when that lands, and keep this class as the window's handle on a connection.
class ClusterSession final : public QObject
{
    Q_OBJECT

public:
    // `pins` holds the approved certificates (not owned; the application's settings, or a
    // temporary one for a demo run).
    ClusterSession(const cluster::ClusterProfile &profile, QSettings *pins,
                   QNetworkAccessManager *network, QObject *parent = nullptr);
    ~ClusterSession() override;

    const cluster::ClusterProfile &profile() const { return m_profile; }
    proxmox::ProxmoxClient *client() const { return m_client; }
    void setPollInterval(std::chrono::milliseconds interval);

    void start(const proxmox::Credentials &credentials);
    void stop();
    void pollNow();

    const cluster::Resources &lastSnapshot() const { return m_last; }
    bool hasSnapshot() const { return m_hasSnapshot; }

signals:
    void connected();
    void connectionFailed(const rae::proxmox::ApiError &error);
    void snapshot(const rae::cluster::Resources &resources);
    void pollFailed(const rae::proxmox::ApiError &error);
    void stateChanged(const QString &text);

private:
    cluster::ClusterProfile m_profile;
    proxmox::ProxmoxClient *m_client = nullptr;
    QTimer m_timer;
    QPointer<proxmox::ApiJob> m_inFlight;
    cluster::Resources m_last;
    bool m_hasSnapshot = false;
};

} // namespace rae::gui
