#pragma once

#include "alertsthresholds.h"
#include "chartwidget.h"
#include "clustersession.h"

#include "common/result.h"
#include "monitor/alerts.h"
#include "monitor/metricstore.h"
#include "monitor/scheduler.h"
#include "monitor/servicediscovery.h"
#include "plan/plan.h"

#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include <chrono>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QNetworkAccessManager;
class QSettings;

namespace rae::monitor {
class Collector;
class SystemClock;
} // namespace rae::monitor
namespace rae::secrets {
class CredentialStore;
}

namespace rae::gui {

class AlertsModel;

// The monitoring charts of the connected cluster: latency per target, GPU, replication lag with
// its threshold, node load. While a session is attached a Collector polls it (asynchronously,
// on the GUI thread's event loop) into a MetricStore kept in `<dataFolder>/<cluster>/`, so that
// history survives a restart; the charts are redrawn from the store on a timer, never per point.
//
// It also owns the alert engine (thresholds from the settings) and the model of its alerts.
//
// The charts and their controls are built by ensureCharts(), which the window calls the first
// time the panel's dock is on screen, and which each chart accessor calls: a window whose
// Monitoring dock sits behind another tab starts without them, and collection, history and
// alerts do not need them.
class MonitoringPanel final : public QWidget
{
    Q_OBJECT

public:
    // `network` and `settings` are not owned and must outlive the panel.
    MonitoringPanel(QNetworkAccessManager *network, QSettings *settings, const QString &dataFolder,
                    QWidget *parent = nullptr);
    ~MonitoringPanel() override;

    // Starts collecting from `session` once it is connected (at once if it already is); the
    // previous session's history is saved first. The session is not owned.
    void attach(ClusterSession *session);
    void detach();
    ClusterSession *session() const { return m_session; }
    bool isCollecting() const;

    // Writes the store of the attached cluster; done every few minutes and on detach.
    Status save();
    QString storeFolder() const { return m_storeFolder; }

    // Reads the store again into every chart. The timer does this once a second while the panel
    // is visible.
    void refresh();
    void setRedrawInterval(std::chrono::milliseconds interval);
    // For tests: shorter poll intervals. Takes effect at the next attach().
    void setSchedulerSettings(const monitor::SchedulerSettings &settings);

    // The plan of the attached cluster, when the window has one: roles of VMs without a
    // `rae-<role>` tag, and the services' ports. Without it the RAE defaults are probed.
    void setPlan(const std::optional<plan::Plan> &plan);
    // Where the Redis password of a deployment is looked up (not owned; null: nowhere): at each
    // attach(), and again when the plan names another cluster or account, the panel reads the
    // password a deployment with this tool stored (deploy::findRedisPassword) under the
    // session's cluster name, then the plan's, without blocking. Found, Redis is probed with it;
    // missing, without one, and a Redis that wants one says that the keychain had none.
    void setCredentialStore(secrets::CredentialStore *store);
    // Looks the password up again for the attached session (a deployment has just stored it).
    void reloadRedisPassword();
    // The Redis password of `session`'s deployment, for its probes only; never logged. Redis
    // VMs found already are probed with it from now on. Another session never gets it. It wins
    // over the credential store's for that session (the demo keeps its own).
    void setRedisPassword(ClusterSession *session, const QString &password);
    // The simulator's gateway, for the demo's `session` only: it listens on `port` (443 needs
    // root) with a self-signed certificate for its own address. That certificate is fetched
    // when the gateway is found (again while it does not answer) and trusted for that session
    // only, as the demo trusts the simulator; the trust is logged.
    void trustDemoGateway(ClusterSession *session, quint16 port);

    void setRange(ChartRange range);

    AlertsThresholds thresholds() const { return m_thresholds; }
    // Saves them in the settings and applies them to the alert engine at once.
    void setThresholds(const AlertsThresholds &thresholds);

    monitor::MetricStore &store() { return m_store; }
    monitor::AlertEngine *alertEngine() const { return m_alerts; }
    AlertsModel *alertsModel() const { return m_alertsModel; }
    // Nodes and VMs with an active alert, named as the topology names them (`pve1`, `vm:101`).
    QSet<QString> alertedItems() const;

    // Each builds the charts when they do not exist yet.
    ChartWidget *latencyChart();
    ChartWidget *gpuChart();
    ChartWidget *replicationChart();
    ChartWidget *nodeLoadChart();
    bool hasCharts() const { return m_latency != nullptr; }
    // Builds the charts and controls once, filled from the store.
    void ensureCharts();

signals:
    void alertRaised(const rae::monitor::Alert &alert);
    void alertCleared(const rae::monitor::Alert &alert);
    // The set of active alerts changed (raised or cleared).
    void alertsChanged();
    void problem(const QString &subject, const QString &message);
    // A running RAE VM found with its address (the guest agent's), as it is added to the probes.
    void serviceFound(const rae::monitor::DiscoveredService &service);

private:
    void setStatus(const QString &text);
    void addService(const monitor::DiscoveredService &service);
    void fetchDemoGatewayCertificate(const monitor::DiscoveredService &service, int attempt);
    void lookUpRedisPassword();
    void applyRedisPassword(ClusterSession *session, const QString &password);
    // Re-adds the Redis VMs found so far, so that they are probed with `session`'s password.
    void reprobeRedis(ClusterSession *session);
    // The plan's ports with what belongs to the attached session: its Redis password, and for
    // the demo's session its gateway.
    monitor::ServicePorts servicePorts() const;
    bool isDemoSession() const;
    void startCollecting();
    // Probes and GPU polls for the RAE VMs of the session's newest snapshot not yet known.
    void discoverServices();
    void refreshChart(ChartWidget *chart);
    void onChartRangeChanged(ChartWidget *chart);
    void askCustomRange();
    QList<ChartWidget *> charts() const;

    QNetworkAccessManager *m_network = nullptr;
    QSettings *m_settings = nullptr;
    QString m_dataFolder;
    QString m_storeFolder;
    monitor::MetricStore m_store;
    monitor::AlertEngine *m_alerts = nullptr;
    AlertsModel *m_alertsModel = nullptr;
    AlertsThresholds m_thresholds;
    monitor::SchedulerSettings m_schedulerSettings;
    std::unique_ptr<monitor::SystemClock> m_clock;
    std::unique_ptr<monitor::Scheduler> m_scheduler;
    std::unique_ptr<monitor::Collector> m_collector;
    QPointer<ClusterSession> m_session;
    std::unique_ptr<monitor::ServiceDiscovery> m_discovery;
    std::optional<plan::Plan> m_plan;
    QPointer<ClusterSession> m_secretsSession;
    QString m_redisPassword;        // of m_secretsSession; never logged
    QString m_redisPasswordMissing; // of m_secretsSession: why it has none, what to do
    QPointer<ClusterSession> m_explicitPasswordSession; // given by setRedisPassword()
    QString m_explicitPassword;                         // of that session; never logged
    secrets::CredentialStore *m_credentials = nullptr;
    QString m_passwordLookup;       // the names last looked up for the attached session
    quint64 m_passwordLookupId = 0; // answers of older lookups are dropped
    QPointer<ClusterSession> m_demoSession;
    quint16 m_demoGatewayPort = 0;
    QList<QSslCertificate> m_demoGatewayCa;

    ChartWidget *m_latency = nullptr;
    ChartWidget *m_gpu = nullptr;
    ChartWidget *m_replication = nullptr;
    ChartWidget *m_nodeLoad = nullptr;
    QComboBox *m_rangeBox = nullptr;
    QCheckBox *m_followBox = nullptr;
    QCheckBox *m_logBox = nullptr;
    QLabel *m_statusLabel = nullptr;
    QString m_status; // kept while the label does not exist
    QTimer m_redraw;
    QTimer m_saveTimer;
    bool m_syncingRange = false;
};

} // namespace rae::gui
