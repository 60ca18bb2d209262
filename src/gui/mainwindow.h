#pragma once

#include "cluster/profile.h"
#include "common/result.h"
#include "deploydialog.h"
#include "movecheck.h"
#include "topologyscene.h"

#include "cluster/resources.h"
#include "ha/placement.h"
#include "ha/planfailure.h"
#include "proxmox/apierror.h"
#include "proxmox/client.h"

#include <QFutureWatcher>

#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QKeySequence;
class QLabel;
class QLineEdit;
class QMenu;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTemporaryDir;
class QTimer;
class QTreeView;

namespace rae::secrets {
class CredentialStore;
}

namespace rae::gui {

class ApplicationServices;
class ClusterModel;
class ClusterSession;
class DemoLauncher;
class EventLogModel;
class FailureTableModel;
class PlacementSuggestion;
class FindingsModel;
class LiveMigration;
class MessageBar;
class MonitoringPanel;
class PlanDocument;
class PropertiesPanel;
class TopologyView;

// The application's window: the cluster tree and the topology graph side by side, docks for
// findings, the event log and the selected VM's properties. It owns the plan document and the
// cluster sessions; settings, network and keychain come from ApplicationServices.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    enum class Mode
    {
        Plan, // the graph shows the plan and VMs can be moved in it
        Live  // the graph shows the connected cluster
    };

    explicit MainWindow(ApplicationServices *services, QWidget *parent = nullptr);
    ~MainWindow() override;

    Status openPlan(const QString &path);
    void startDemo();
    // A recovery file from a session that did not end cleanly is offered in the message bar.
    void offerRecovery();
    void writeRecovery();
    QString recoveryFile() const;
    void setAutosaveInterval(std::chrono::milliseconds interval);

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    // Connects with a profile and a secret in hand; `pins` defaults to the application settings.
    void connectCluster(const cluster::ClusterProfile &profile,
                        const proxmox::Credentials &credentials, QSettings *pins = nullptr);

    // Opens the Deploy dialog for the active cluster (its preview first).
    void openDeployDialog(DeployDialog::Start start);
    // Opens it as soon as the next cluster connects (`--demo --deploy`).
    void deployWhenConnected() { m_deployWhenConnected = true; }
    // File → Export Report: the plan, and the active cluster's monitoring history when there is
    // one, as PDF, HTML, CSV and JSON; written off the GUI thread.
    void openExportDialog();
    QAction *exportAction() const { return m_exportAction; }
    PlanDocument *document() const { return m_document; }
    TopologyScene *scene() const { return m_scene; }
    TopologyView *topologyView() const { return m_view; }
    ClusterModel *clusterModel() const { return m_clusterModel; }
    QSortFilterProxyModel *clusterProxy() const { return m_clusterProxy; }
    QTreeView *clusterTree() const { return m_clusterTree; }
    FindingsModel *findingsModel() const { return m_findingsModel; }
    QTableView *findingsView() const { return m_findingsView; }
    EventLogModel *eventLog() const { return m_eventLog; }
    PropertiesPanel *propertiesPanel() const { return m_properties; }
    MessageBar *messageBar() const { return m_messageBar; }
    MonitoringPanel *monitoringPanel() const { return m_monitoring; }
    LiveMigration *liveMigration() const { return m_migration; }

    // "Simulate failure" of a plan node (plan mode): the graph shows the HA analysis' outcome
    // until it ends (Esc, or the action again). Empty: no simulation.
    void simulateFailure(const QString &node);
    QString simulatedFailure() const { return m_failedNode; }
    FailureTableModel *failureModel() const { return m_failureModel; }
    bool isAnalysingFailures() const;
    QAction *simulateFailureAction() const { return m_simulateFailureAction; }
    PlacementSuggestion *placementSuggestion() const { return m_placement; }
    QAction *suggestPlacementAction() const { return m_suggestPlacementAction; }
    QAction *migrateBackAction() const { return m_migrateBackAction; }
    QSplitter *splitter() const { return m_splitter; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    // The dock's contents are made the first time it shows, so that start-up pays only for
    // what the first frame shows; title, toggle action and place in the layout exist at once.
    void fillWhenShown(QDockWidget *dock, std::function<QWidget *()> make);
    // `shortcut` on the dock's toggle action, which brings a dock behind a tab to the front.
    void bringToFrontOrToggle(QDockWidget *dock, const QKeySequence &shortcut);
    void restoreLayout();
    void saveLayout();

    void updateTitle();
    void updateGraph();
    void updateFindingsSummary();
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();

    void openPlanDialog();
    void save();
    void saveAs();
    void saveTo(const QString &path);
    bool maybeDiscard();

    MoveVerdict checkPlanMove(const VmDragPayload &payload, const QString &node);
    MoveVerdict checkLiveMove(const VmDragPayload &payload, const QString &node) const;
    void requestLiveMove(const VmDragPayload &payload, const QString &node);
    void onMoveRequested(const VmDragPayload &payload, const QString &node);
    void onFindingActivated(const QModelIndex &index);
    void startFailureAnalysis();
    void showPlacement(const ha::PlacementSearch &search);
    QString currentNode() const;
    void onTreeSelection();
    void onSceneSelection(const QString &key);

    void addClusterDialog();
    void connectProfile(const cluster::ClusterProfile &profile);
    void askSecretAndConnect(const cluster::ClusterProfile &profile);
    void disconnectActive();
    void disconnectSession(ClusterSession *session);
    // Lists the cluster profiles in `menu`, each calling `chosen` with its profile.
    void fillProfilesMenu(QMenu *menu,
                          const std::function<void(const cluster::ClusterProfile &)> &chosen);
    // Asks, then disconnects the cluster and forgets its profile, secret and pinned certificates.
    void removeProfile(const cluster::ClusterProfile &profile);
    void onConnectionFailed(ClusterSession *session, const proxmox::ApiError &error);
    void askTrust(const proxmox::CertificateFacts &facts, const QUrl &endpoint,
                  std::function<void(bool)> decide);
    void askTotp(std::function<void(std::optional<QString>)> answer);
    void showError(const QString &text, const QString &actionText = {},
                   std::function<void()> action = {});

    ApplicationServices *m_services = nullptr;
    QSettings *m_settings = nullptr;
    PlanDocument *m_document = nullptr;
    TopologyScene *m_scene = nullptr;
    TopologyView *m_view = nullptr;
    ClusterModel *m_clusterModel = nullptr;
    QSortFilterProxyModel *m_clusterProxy = nullptr;
    QTreeView *m_clusterTree = nullptr;
    QLineEdit *m_clusterFilter = nullptr;
    FindingsModel *m_findingsModel = nullptr;
    QTableView *m_findingsView = nullptr;
    EventLogModel *m_eventLog = nullptr;
    PropertiesPanel *m_properties = nullptr;
    MessageBar *m_messageBar = nullptr;
    MonitoringPanel *m_monitoring = nullptr;
    QDockWidget *m_monitoringDock = nullptr;
    LiveMigration *m_migration = nullptr;
    FailureTableModel *m_failureModel = nullptr;
    PlacementSuggestion *m_placement = nullptr;
    QTableView *m_failureView = nullptr;
    std::unique_ptr<QFutureWatcher<ha::PlanFailureReport>> m_failureWatcher;
    quint64 m_analysedRevision = ~quint64(0);
    bool m_failureRunning = false; // until finished() is delivered, not only until the worker ends
    QString m_failedNode;
    // The alert the message bar shows when the desktop has no tray: rule id and subject, and the
    // text, so that its clearing replaces it only while the bar still shows it.
    QString m_alertInBar;
    QString m_alertInBarText;
    QSplitter *m_splitter = nullptr;
    QLabel *m_modeLabel = nullptr;
    QLabel *m_findingsLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QTimer *m_autosave = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_profilesMenu = nullptr;
    QMenu *m_removeProfilesMenu = nullptr;
    QMenu *m_viewMenu = nullptr;

    QAction *m_openAction = nullptr;
    QAction *m_openReferenceAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_migrateBackAction = nullptr; // live mode's Undo: a confirmed migration back
    QAction *m_simulateFailureAction = nullptr;
    QAction *m_endSimulationAction = nullptr; // Esc
    QAction *m_suggestPlacementAction = nullptr;
    QAction *m_zoomInAction = nullptr;
    QAction *m_zoomOutAction = nullptr;
    QAction *m_fitAction = nullptr;
    QAction *m_planModeAction = nullptr;
    QAction *m_liveModeAction = nullptr;
    QAction *m_addClusterAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_deployAction = nullptr;
    QAction *m_resumeDeployAction = nullptr;
    QAction *m_aboutAction = nullptr;

    Mode m_mode = Mode::Plan;
    QList<ClusterSession *> m_sessions;
    QPointer<ClusterSession> m_activeSession;
    DemoLauncher *m_demo = nullptr;
    std::unique_ptr<QTemporaryDir> m_demoDir;
    std::unique_ptr<QSettings> m_demoPins;
    // The demo's service passwords live in memory only, like its certificate pin.
    std::unique_ptr<secrets::CredentialStore> m_demoCredentials;
    QPointer<ClusterSession> m_demoSession;
    bool m_deployWhenConnected = false;
    quint64 m_checkedRevision = ~quint64(0);
    QList<validation::Finding> m_checkedFindings; // synchronous findings of that revision
    bool m_discardComments = false;               // asked once per document
    QString m_selectedVm;
};

} // namespace rae::gui
