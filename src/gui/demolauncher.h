#pragma once

#include "monitor/servicediscovery.h"
#include "plan/plan.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QUrl>

namespace rae::deploy {
class DemoServices;
}
namespace rae::secrets {
class CredentialStore;
}

namespace rae::gui {

class ClusterSession;
class MonitoringPanel;

// Starts rae-pve-sim for `rae-deploy --demo` and reads its "key: value" start-up lines without
// blocking: ready() carries the URL and certificate fingerprint, failed() what went wrong. The
// simulator is stopped when this object goes.
class DemoLauncher final : public QObject
{
    Q_OBJECT

public:
    explicit DemoLauncher(QObject *parent = nullptr);
    ~DemoLauncher() override;

    // $RAE_PVE_SIM, then beside this program's build tree, then PATH; empty when not found.
    static QString findSimulator();
    // $RAE_SIM_SCENARIO, then the source tree's and the installed reference scenario.
    static QString findScenario();

    void start(const QString &simulator, const QString &scenario);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    // The simulator imitates RAE's API, Qdrant, Ollama and the gateway, but not PostgreSQL and
    // Redis: as the panel finds the demo cluster's database and cache VMs, real servers start on
    // their addresses (deploy::DemoServices), Redis with the password a deployment gives the API
    // (read, or first made, in `store`). The panel learns that password and trusts the
    // simulator's gateway. Only while the panel watches `session`. Nothing is owned.
    void serveGuests(MonitoringPanel *panel, ClusterSession *session,
                     secrets::CredentialStore *store, const plan::Plan &plan);

signals:
    void ready(const QUrl &url, const QString &fingerprint, const QString &cluster);
    void failed(const QString &message);
    // What the demo's own servers did, for the event log.
    void guestMessage(const QString &message);

private:
    void readOutput();
    void serveGuest(const monitor::DiscoveredService &service);

    QProcess m_process;
    QByteArray m_buffer;
    QUrl m_url;
    QString m_fingerprint;
    QString m_cluster;
    bool m_ready = false;

    deploy::DemoServices *m_guests = nullptr;
    QPointer<MonitoringPanel> m_panel;
    QPointer<ClusterSession> m_session;
    plan::RaeSettings m_rae;
    QString m_redisPassword;                     // never logged
    QList<monitor::DiscoveredService> m_waiting; // Redis VMs found before the password
};

} // namespace rae::gui
