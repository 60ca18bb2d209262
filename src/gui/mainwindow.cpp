#include "mainwindow.h"

#include "addclusterdialog.h"
#include "alertspanel.h"
#include "applicationservices.h"
#include "certificatedialog.h"
#include "changedcertificatedialog.h"
#include "clustermodel.h"
#include "clustersession.h"
#include "demolauncher.h"
#include "deploydialog.h"
#include "eventlogmodel.h"
#include "exportdialog.h"
#include "failurepreview.h"
#include "findingsmodel.h"
#include "livemigration.h"
#include "messagebar.h"
#include "monitoringoverlay.h"
#include "monitoringpanel.h"
#include "placementsuggestion.h"
#include "plandocument.h"
#include "propertiespanel.h"
#include "topology.h"
#include "topologyitems.h"
#include "topologyview.h"

#include "plan/planreader.h"
#include "plan/planwriter.h"
#include "secrets/credentialstore.h"
#include "validation/validator.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QPromise>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcWindow, "raedeploy.gui")

namespace rae::gui {

namespace {

constexpr int kMaxRecentFiles = 8;
const char kReferencePlan[] = ":/plans/reference.yaml";

QString settingsKey(const char *key)
{
    return QString::fromLatin1(key);
}

} // namespace

MainWindow::MainWindow(ApplicationServices *services, QWidget *parent)
    : QMainWindow(parent)
    , m_services(services)
    , m_settings(services->settings())
    , m_document(new PlanDocument(this))
    , m_scene(new TopologyScene(this))
    , m_clusterModel(new ClusterModel(this))
    , m_clusterProxy(new QSortFilterProxyModel(this))
    , m_findingsModel(new FindingsModel(this))
    , m_eventLog(new EventLogModel(this))
    , m_autosave(new QTimer(this))
{
    setWindowIcon(QIcon(QStringLiteral(":/icons/rae-deploy.svg")));
    setObjectName(QStringLiteral("mainWindow"));

    m_view = new TopologyView(m_scene);
    m_view->setObjectName(QStringLiteral("topologyView"));
    m_view->setMoveChecker([this](const VmDragPayload &payload, const QString &node) {
        return m_mode == Mode::Live ? checkLiveMove(payload, node) : checkPlanMove(payload, node);
    });
    m_migration = new LiveMigration(m_eventLog, this);
    m_failureModel = new FailureTableModel(this);
    m_placement = new PlacementSuggestion(m_document, this);
    connect(m_placement, &PlacementSuggestion::ready, this, &MainWindow::showPlacement);
    m_failureWatcher = std::make_unique<QFutureWatcher<ha::PlanFailureReport>>();
    connect(m_failureWatcher.get(), &QFutureWatcherBase::finished, this, [this] {
        m_failureRunning = false;
        const QFuture<ha::PlanFailureReport> future = m_failureWatcher->future();
        if (future.resultCount() > 0)
            m_failureModel->setReport(future.result());
        if (m_analysedRevision != m_document->revision()) {
            startFailureAnalysis(); // the plan changed during the run
            return;
        }
        updateGraph();
    });

    m_clusterProxy->setSourceModel(m_clusterModel);
    m_clusterProxy->setFilterKeyColumn(-1);
    m_clusterProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_clusterProxy->setSortRole(ClusterModel::SortRole);

    auto *treePane = new QWidget;
    auto *treeLayout = new QVBoxLayout(treePane);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    m_clusterFilter = new QLineEdit(treePane);
    m_clusterFilter->setPlaceholderText(tr("Filter nodes and VMs"));
    m_clusterTree = new QTreeView(treePane);
    m_clusterTree->setObjectName(QStringLiteral("clusterTree"));
    m_clusterTree->setModel(m_clusterProxy);
    m_clusterTree->setSortingEnabled(true);
    m_clusterTree->sortByColumn(ClusterModel::NameColumn, Qt::AscendingOrder);
    m_clusterTree->setUniformRowHeights(true);
    m_clusterTree->setAlternatingRowColors(true);
    m_clusterTree->header()->setStretchLastSection(false);
    // Figures and states are short; the names get the room, and the user can resize any column.
    const QFontMetrics metrics = m_clusterTree->fontMetrics();
    m_clusterTree->header()->setDefaultSectionSize(
        metrics.horizontalAdvance(QStringLiteral("maintenance")) + 16);
    m_clusterTree->header()->resizeSection(
        ClusterModel::NameColumn,
        metrics.horizontalAdvance(QStringLiteral("rae-gateway-blue-1")) + 48);
    treeLayout->addWidget(m_clusterFilter);
    treeLayout->addWidget(m_clusterTree);
    connect(m_clusterFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        // The clear button shows only over text, so it is made at the first text: its icon, which
        // the style decodes from an image, was 3 % of start-up.
        if (!text.isEmpty() && !m_clusterFilter->isClearButtonEnabled())
            m_clusterFilter->setClearButtonEnabled(true);
        // Recursive filtering re-checks ancestors on every dataChanged of a poll (12 ms for 200
        // changed VMs of 2,000 against 5 without): pay for it only while a filter is typed.
        m_clusterProxy->setRecursiveFilteringEnabled(!text.isEmpty());
        m_clusterProxy->setFilterFixedString(text);
    });
    connect(m_clusterTree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onTreeSelection);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(treePane);
    m_splitter->addWidget(m_view);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({420, 1000});

    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(4, 4, 4, 0);
    m_messageBar = new MessageBar(central);
    centralLayout->addWidget(m_messageBar);
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    m_modeLabel = new QLabel;
    m_findingsLabel = new QLabel;
    m_connectionLabel = new QLabel(tr("not connected"));
    statusBar()->addPermanentWidget(m_findingsLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
    statusBar()->addPermanentWidget(m_modeLabel);

    createActions();
    createDocks();
    createMenus();

    connect(m_document, &PlanDocument::planChanged, this, [this] {
        m_clusterModel->setPlan(m_document->plan());
        // Roles of untagged VMs and the services' ports for the probes.
        m_monitoring->setPlan(m_document->plan());
        if (!m_failedNode.isEmpty() && !m_document->plan().node(m_failedNode))
            simulateFailure({});
        startFailureAnalysis();
        updateGraph();
    });
    connect(m_document, &PlanDocument::findingsChanged, this, [this] {
        m_findingsModel->setFindings(m_document->findings());
        updateFindingsSummary();
        updateGraph();
    });
    connect(m_document, &PlanDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &PlanDocument::pathChanged, this, &MainWindow::updateTitle);

    connect(m_scene, &TopologyScene::currentVmChanged, this, &MainWindow::onSceneSelection);
    connect(m_view, &TopologyView::moveRequested, this, &MainWindow::onMoveRequested);
    connect(m_view, &TopologyView::nodeContextMenuRequested, this,
            [this](const QString &node, const QPoint &globalPos) {
                auto *menu = new QMenu(this);
                menu->setAttribute(Qt::WA_DeleteOnClose);
                QAction *simulate = menu->addAction(
                    m_failedNode == node ? tr("End Failure Simulation of %1").arg(node)
                                         : tr("Simulate Failure of %1").arg(node));
                simulate->setEnabled(m_mode == Mode::Plan);
                connect(simulate, &QAction::triggered, this,
                        [this, node] { simulateFailure(m_failedNode == node ? QString() : node); });
                menu->popup(globalPos);
            });
    connect(m_migration, &LiveMigration::activity, m_scene, &TopologyScene::setActivity);
    connect(m_migration, &LiveMigration::failed, this, [this](const QString &text) {
        m_messageBar->showMessage(MessageBar::Level::Error, text);
    });
    const auto updateMigrateBack = [this] {
        m_migrateBackAction->setEnabled(m_migration->canMigrateBack());
        m_migrateBackAction->setText(m_migration->migrateBackText());
    };
    connect(m_migration, &LiveMigration::historyChanged, this, updateMigrateBack);
    connect(m_migration, &LiveMigration::finished, this, updateMigrateBack);
    connect(m_view, &TopologyView::dropHint, this, [this](const QString &text) {
        if (text.isEmpty())
            statusBar()->clearMessage();
        else
            statusBar()->showMessage(text);
    });
    connect(m_view, &TopologyView::dropRefused, this, [this](const QString &reason) {
        m_messageBar->showMessage(MessageBar::Level::Warning,
                                  tr("The move was refused. %1").arg(reason));
        m_eventLog->append(EventLogModel::Level::Warning, tr("plan"),
                           tr("move refused: %1").arg(reason));
    });

    m_autosave->setInterval(std::chrono::seconds(30));
    connect(m_autosave, &QTimer::timeout, this, &MainWindow::writeRecovery);
    m_autosave->start();

    setMode(Mode::Plan);
    updateTitle();
    updateFindingsSummary();
    restoreLayout();
}

MainWindow::~MainWindow()
{
    // Children go in creation order: the document before the scene, whose items deselect as
    // they are deleted. Nothing may reach the window's slots by then.
    m_scene->disconnect(this);
    m_clusterTree->selectionModel()->disconnect(this);
}

void MainWindow::createActions()
{
    const auto icon = [](const char *name) {
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
    };

    m_openAction = new QAction(icon("document-open"), tr("&Open Plan…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openPlanDialog);

    m_openReferenceAction = new QAction(tr("Open &Reference Plan"), this);
    connect(m_openReferenceAction, &QAction::triggered, this, [this] {
        if (maybeDiscard())
            openPlan(QString::fromLatin1(kReferencePlan));
    });

    m_saveAction = new QAction(icon("document-save"), tr("&Save"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::save);

    m_saveAsAction = new QAction(tr("Save &As…"), this);
    m_saveAsAction->setShortcut(QKeySequence::SaveAs);
    connect(m_saveAsAction, &QAction::triggered, this, &MainWindow::saveAs);

    m_exportAction = new QAction(tr("&Export Report…"), this);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportAction->setStatusTip(tr("Write a report of the plan and the connected cluster as "
                                    "PDF, HTML, CSV and JSON"));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::openExportDialog);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::close);

    m_undoAction = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setIcon(icon("edit-undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setIcon(icon("edit-redo"));
    m_redoAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(QKeySequence::Redo)});

    m_migrateBackAction = new QAction(icon("edit-undo"), tr("&Undo Migration"), this);
    m_migrateBackAction->setShortcut(QKeySequence::Undo);
    m_migrateBackAction->setEnabled(false);
    m_migrateBackAction->setVisible(false);
    connect(m_migrateBackAction, &QAction::triggered, this, [this] { m_migration->migrateBack(); });

    m_simulateFailureAction = new QAction(tr("Simulate &Failure"), this);
    m_simulateFailureAction->setCheckable(true);
    m_simulateFailureAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    m_simulateFailureAction->setStatusTip(
        tr("Show what the HA manager would do if the selected node failed (plan mode)"));
    connect(m_simulateFailureAction, &QAction::triggered, this,
            [this](bool on) { simulateFailure(on ? currentNode() : QString()); });
    m_suggestPlacementAction = new QAction(tr("Suggest &Placement…"), this);
    m_suggestPlacementAction->setStatusTip(
        tr("Search the placement that survives any single node failure with the lowest load"));
    connect(m_suggestPlacementAction, &QAction::triggered, this, [this] {
        m_suggestPlacementAction->setEnabled(false);
        statusBar()->showMessage(tr("Searching placements…"));
        m_placement->start();
    });
    m_endSimulationAction = new QAction(tr("End Failure Simulation"), this);
    m_endSimulationAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_endSimulationAction->setEnabled(false);
    connect(m_endSimulationAction, &QAction::triggered, this, [this] { simulateFailure({}); });
    addAction(m_endSimulationAction);

    m_zoomInAction = new QAction(icon("zoom-in"), tr("Zoom &In"), this);
    m_zoomInAction->setShortcut(QKeySequence::ZoomIn);
    connect(m_zoomInAction, &QAction::triggered, m_view, &TopologyView::zoomIn);
    m_zoomOutAction = new QAction(icon("zoom-out"), tr("Zoom &Out"), this);
    m_zoomOutAction->setShortcut(QKeySequence::ZoomOut);
    connect(m_zoomOutAction, &QAction::triggered, m_view, &TopologyView::zoomOut);
    m_fitAction = new QAction(icon("zoom-fit"), tr("&Fit to Window"), this);
    m_fitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_fitAction, &QAction::triggered, m_view, &TopologyView::zoomToFit);

    auto *modes = new QActionGroup(this);
    m_planModeAction = new QAction(icon("mode-plan"), tr("&Plan"), modes);
    m_planModeAction->setCheckable(true);
    m_planModeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    m_planModeAction->setToolTip(tr("Show the plan in the graph (Ctrl+1)"));
    connect(m_planModeAction, &QAction::triggered, this, [this] { setMode(Mode::Plan); });
    m_liveModeAction = new QAction(icon("mode-live"), tr("&Live"), modes);
    m_liveModeAction->setCheckable(true);
    m_liveModeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    m_liveModeAction->setToolTip(tr("Show the connected cluster in the graph (Ctrl+2)"));
    connect(m_liveModeAction, &QAction::triggered, this, [this] { setMode(Mode::Live); });

    m_addClusterAction = new QAction(icon("cluster-add"), tr("&Add Cluster…"), this);
    m_addClusterAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    connect(m_addClusterAction, &QAction::triggered, this, &MainWindow::addClusterDialog);
    m_disconnectAction = new QAction(icon("disconnect"), tr("&Disconnect"), this);
    m_disconnectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_disconnectAction->setEnabled(false);
    connect(m_disconnectAction, &QAction::triggered, this, &MainWindow::disconnectActive);
    m_deployAction = new QAction(icon("deploy"), tr("&Deploy Plan…"), this);
    m_deployAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_deployAction->setStatusTip(
        tr("Preview what the plan changes on the connected cluster, then apply it"));
    m_deployAction->setEnabled(false);
    connect(m_deployAction, &QAction::triggered, this,
            [this] { openDeployDialog(DeployDialog::Start::Apply); });
    m_resumeDeployAction = new QAction(tr("&Resume Deployment…"), this);
    m_resumeDeployAction->setStatusTip(
        tr("Go on with an apply to the connected cluster that stopped before it finished"));
    m_resumeDeployAction->setEnabled(false);
    connect(m_resumeDeployAction, &QAction::triggered, this,
            [this] { openDeployDialog(DeployDialog::Start::Resume); });

    m_aboutAction = new QAction(tr("&About RAE Deploy"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About RAE Deploy"),
                           tr("<b>RAE Deploy %1</b><p>Plan, deploy, watch and report RAE on "
                              "Proxmox VE.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::createDocks()
{
    m_findingsView = new QTableView;
    m_findingsView->setObjectName(QStringLiteral("findingsView"));
    m_findingsView->setModel(m_findingsModel);
    m_findingsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_findingsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_findingsView->verticalHeader()->hide();
    m_findingsView->horizontalHeader()->setSectionResizeMode(FindingsModel::MessageColumn,
                                                             QHeaderView::Stretch);
    m_findingsView->setWordWrap(false);
    connect(m_findingsView, &QTableView::activated, this, &MainWindow::onFindingActivated);
    connect(m_findingsView, &QTableView::clicked, this, &MainWindow::onFindingActivated);

    auto *findingsDock = new QDockWidget(tr("Findings"), this);
    findingsDock->setObjectName(QStringLiteral("findingsDock"));
    findingsDock->setWidget(m_findingsView);
    addDockWidget(Qt::BottomDockWidgetArea, findingsDock);

    auto *logDock = new QDockWidget(tr("Events and Tasks"), this);
    logDock->setObjectName(QStringLiteral("eventLogDock"));
    fillWhenShown(logDock, [this] {
        auto *logView = new QTableView;
        logView->setObjectName(QStringLiteral("eventLogView"));
        logView->setModel(m_eventLog);
        logView->verticalHeader()->hide();
        logView->horizontalHeader()->setSectionResizeMode(EventLogModel::TextColumn,
                                                          QHeaderView::Stretch);
        connect(m_eventLog, &QAbstractItemModel::rowsInserted, logView,
                [logView] { logView->scrollToBottom(); });
        logView->scrollToBottom();
        return logView;
    });
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    tabifyDockWidget(findingsDock, logDock);
    findingsDock->raise();

    m_properties = new PropertiesPanel;
    m_properties->setObjectName(QStringLiteral("propertiesPanel"));
    m_properties->setDocument(m_document);
    auto *propertiesDock = new QDockWidget(tr("Properties"), this);
    propertiesDock->setObjectName(QStringLiteral("propertiesDock"));
    propertiesDock->setWidget(m_properties);
    addDockWidget(Qt::RightDockWidgetArea, propertiesDock);

    // History goes beside the recovery folder, in the application's data folder (a test's
    // temporary one in tests).
    m_monitoring = new MonitoringPanel(m_services->network(), m_settings,
                                       QFileInfo(m_services->recoveryDir()).absolutePath() +
                                           QStringLiteral("/monitoring"));
    // The Redis password a deployment keeps in the keychain, for the probe of its Redis.
    m_monitoring->setCredentialStore(m_services->credentials());
    m_monitoringDock = new QDockWidget(tr("Monitoring"), this);
    m_monitoringDock->setObjectName(QStringLiteral("monitoringDock"));
    m_monitoringDock->setWidget(m_monitoring);
    // The panel collects from the start; its charts are built once the dock is on screen.
    connect(m_monitoringDock, &QDockWidget::visibilityChanged, m_monitoring, [this](bool visible) {
        if (visible)
            m_monitoring->ensureCharts();
    });
    addDockWidget(Qt::BottomDockWidgetArea, m_monitoringDock);
    tabifyDockWidget(findingsDock, m_monitoringDock);
    auto *alertsDock = new QDockWidget(tr("Alerts"), this);
    alertsDock->setObjectName(QStringLiteral("alertsDock"));
    addDockWidget(Qt::BottomDockWidgetArea, alertsDock);
    tabifyDockWidget(findingsDock, alertsDock);
    findingsDock->raise();
    const auto makeAlertsPanel = [this] {
        auto *alertsPanel = new AlertsPanel(m_monitoring);
        connect(alertsPanel, &AlertsPanel::notificationFallback, this,
                [this](const monitor::Alert &alert, const QString &text) {
                    m_messageBar->showMessage(alert.severity == monitor::AlertSeverity::Critical
                                                  ? MessageBar::Level::Error
                                                  : MessageBar::Level::Warning,
                                              text);
                    m_alertInBar = alert.ruleId + QLatin1Char('\n') + alert.subject;
                    m_alertInBarText = text;
                });
        return alertsPanel;
    };
    fillWhenShown(alertsDock, makeAlertsPanel);
    // The panel notifies the desktop of each alert: the first alert makes it if no one has
    // opened the dock yet, and the panel hears of the alerts after that one itself.
    connect(m_monitoring, &MonitoringPanel::alertRaised, this,
            [alertsDock, makeAlertsPanel](const monitor::Alert &alert) {
                if (alertsDock->widget())
                    return;
                auto *alertsPanel = makeAlertsPanel();
                alertsDock->setWidget(alertsPanel);
                alertsPanel->notify(alert);
            });
    // An alert in the message bar that clears says so there, rather than staying as if it held.
    connect(
        m_monitoring, &MonitoringPanel::alertCleared, this, [this](const monitor::Alert &alert) {
            if (m_alertInBar != alert.ruleId + QLatin1Char('\n') + alert.subject)
                return;
            if (m_messageBar->text() == m_alertInBarText) {
                m_messageBar->showMessage(MessageBar::Level::Info,
                                          tr("%2 (cleared at %1)")
                                              .arg(QDateTime::fromMSecsSinceEpoch(alert.clearedMs)
                                                       .toString(QStringLiteral("HH:mm:ss")),
                                                   m_alertInBarText));
            }
            m_alertInBar.clear();
            m_alertInBarText.clear();
        });
    connect(m_monitoring, &MonitoringPanel::alertsChanged, this,
            [this] { applyAlertBadges(m_scene, m_monitoring->alertedItems()); });

    auto *failureDock = new QDockWidget(tr("Node Failures"), this);
    failureDock->setObjectName(QStringLiteral("failureDock"));
    fillWhenShown(failureDock, [this] {
        m_failureView = new QTableView;
        m_failureView->setObjectName(QStringLiteral("failureView"));
        m_failureView->setModel(m_failureModel);
        m_failureView->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_failureView->setSelectionMode(QAbstractItemView::SingleSelection);
        m_failureView->verticalHeader()->hide();
        m_failureView->horizontalHeader()->setSectionResizeMode(FailureTableModel::VerdictColumn,
                                                                QHeaderView::Stretch);
        m_failureView->setWordWrap(false);
        connect(m_failureView, &QTableView::activated, this, [this](const QModelIndex &index) {
            simulateFailure(index.data(FailureTableModel::NodeRole).toString());
        });
        connect(m_failureView, &QTableView::clicked, this, [this](const QModelIndex &index) {
            simulateFailure(index.data(FailureTableModel::NodeRole).toString());
        });
        if (const int row = m_failureModel->rowOfNode(m_failedNode); row >= 0)
            m_failureView->selectRow(row);
        return m_failureView;
    });
    addDockWidget(Qt::BottomDockWidgetArea, failureDock);
    tabifyDockWidget(findingsDock, failureDock);
    findingsDock->raise();

    resizeDocks({findingsDock}, {170}, Qt::Vertical);
    resizeDocks({propertiesDock}, {300}, Qt::Horizontal);

    bringToFrontOrToggle(findingsDock, QKeySequence(Qt::ALT | Qt::Key_1));
    bringToFrontOrToggle(logDock, QKeySequence(Qt::ALT | Qt::Key_2));
    bringToFrontOrToggle(propertiesDock, QKeySequence(Qt::ALT | Qt::Key_3));
    bringToFrontOrToggle(m_monitoringDock, QKeySequence(Qt::ALT | Qt::Key_4));
    bringToFrontOrToggle(alertsDock, QKeySequence(Qt::ALT | Qt::Key_5));
    bringToFrontOrToggle(failureDock, QKeySequence(Qt::ALT | Qt::Key_6));
    m_viewMenu = new QMenu(tr("&View"), this);
    m_viewMenu->addActions({m_planModeAction, m_liveModeAction});
    m_viewMenu->addSeparator();
    m_viewMenu->addActions({m_zoomInAction, m_zoomOutAction, m_fitAction});
    m_viewMenu->addSeparator();
    m_viewMenu->addActions({findingsDock->toggleViewAction(), logDock->toggleViewAction(),
                            propertiesDock->toggleViewAction()});
    m_viewMenu->addSeparator();
    m_viewMenu->addActions({m_monitoringDock->toggleViewAction(), alertsDock->toggleViewAction(),
                            failureDock->toggleViewAction()});
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_simulateFailureAction);
}

void MainWindow::fillWhenShown(QDockWidget *dock, std::function<QWidget *()> make)
{
    connect(dock, &QDockWidget::visibilityChanged, this,
            [dock, make = std::move(make)](bool visible) {
                if (!visible || dock->widget())
                    return;
                QWidget *content = make();
                dock->setWidget(content);
                content->show(); // in this frame, not one event later
            });
}

void MainWindow::bringToFrontOrToggle(QDockWidget *dock, const QKeySequence &shortcut)
{
    // A dock behind another one's tab is open, so its toggle action alone would close it on the
    // first press. Pressed then, it comes to the front instead; pressed while in front, it
    // closes; closed, it opens in front of its tab group. Whether it was in front is read as of the
    // last event loop round, since the action has already closed it when this handler runs.
    static constexpr char kInFront[] = "raeInFront";
    connect(dock, &QDockWidget::visibilityChanged, dock, [dock](bool visible) {
        QTimer::singleShot(0, dock, [dock, visible] { dock->setProperty(kInFront, visible); });
    });
    dock->setProperty(kInFront, dock->isVisible());
    QAction *toggle = dock->toggleViewAction();
    toggle->setShortcut(shortcut);
    connect(toggle, &QAction::triggered, dock, [dock](bool checked) {
        if (!checked && dock->property(kInFront).toBool())
            return; // closed, as asked
        // Opened, or brought from behind a tab: either way in front, where it can be seen.
        dock->show();
        dock->raise();
    });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    file->addAction(m_openReferenceAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);
    edit->addAction(m_migrateBackAction);
    edit->addSeparator();
    edit->addAction(m_suggestPlacementAction);

    menuBar()->addMenu(m_viewMenu);

    QMenu *clusterMenu = menuBar()->addMenu(tr("&Cluster"));
    clusterMenu->addAction(m_addClusterAction);
    m_profilesMenu =
        clusterMenu->addMenu(QIcon(QStringLiteral(":/icons/connect.svg")), tr("&Connect"));
    connect(m_profilesMenu, &QMenu::aboutToShow, this, [this] {
        fillProfilesMenu(m_profilesMenu, [this](const cluster::ClusterProfile &profile) {
            connectProfile(profile);
        });
    });
    clusterMenu->addAction(m_disconnectAction);
    m_removeProfilesMenu = clusterMenu->addMenu(tr("&Remove Cluster"));
    m_removeProfilesMenu->setObjectName(QStringLiteral("removeClusterMenu"));
    connect(m_removeProfilesMenu, &QMenu::aboutToShow, this, [this] {
        fillProfilesMenu(m_removeProfilesMenu, [this](const cluster::ClusterProfile &profile) {
            removeProfile(profile);
        });
    });
    clusterMenu->addSeparator();
    clusterMenu->addAction(m_deployAction);
    clusterMenu->addAction(m_resumeDeployAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);

    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_openAction);
    toolBar->addAction(m_saveAction);
    toolBar->addSeparator();
    toolBar->addAction(m_undoAction);
    toolBar->addAction(m_redoAction);
    toolBar->addAction(m_migrateBackAction);
    toolBar->addSeparator();
    toolBar->addAction(m_planModeAction);
    toolBar->addAction(m_liveModeAction);
    toolBar->addSeparator();
    toolBar->addAction(m_zoomInAction);
    toolBar->addAction(m_zoomOutAction);
    toolBar->addAction(m_fitAction);
    toolBar->addSeparator();
    toolBar->addAction(m_simulateFailureAction);
    toolBar->addAction(m_suggestPlacementAction);
    toolBar->addSeparator();
    toolBar->addAction(m_addClusterAction);
    toolBar->addAction(m_disconnectAction);
    toolBar->addAction(m_deployAction);
    for (QAction *action : toolBar->actions()) {
        if (!action->shortcut().isEmpty())
            action->setToolTip(QStringLiteral("%1 (%2)").arg(
                action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                action->shortcut().toString(QKeySequence::NativeText)));
    }
}

void MainWindow::restoreLayout()
{
    if (!restoreGeometry(m_settings->value(settingsKey("window/geometry")).toByteArray()))
        resize(1440, 900);
    restoreState(m_settings->value(settingsKey("window/state")).toByteArray());
    m_splitter->restoreState(m_settings->value(settingsKey("window/splitter")).toByteArray());
    m_clusterTree->header()->restoreState(
        m_settings->value(settingsKey("window/clusterTreeHeader")).toByteArray());
}

void MainWindow::saveLayout()
{
    m_settings->setValue(settingsKey("window/geometry"), saveGeometry());
    m_settings->setValue(settingsKey("window/state"), saveState());
    m_settings->setValue(settingsKey("window/splitter"), m_splitter->saveState());
    m_settings->setValue(settingsKey("window/clusterTreeHeader"),
                         m_clusterTree->header()->saveState());
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeDiscard()) {
        event->ignore();
        return;
    }
    m_monitoring->detach(); // saves the history
    saveLayout();
    QFile::remove(recoveryFile());
    event->accept();
}

void MainWindow::openDeployDialog(DeployDialog::Start start)
{
    ClusterSession *session = m_activeSession.data();
    if (session == nullptr) {
        m_messageBar->showMessage(MessageBar::Level::Warning,
                                  tr("Connect to a cluster first: Cluster → Connect."));
        return;
    }
    // The journal names the plan file, so that an interrupted apply resumes the same plan. The
    // demo's plan is the bundled one, untitled: a copy in the demo's folder serves.
    QString planPath = m_document->path();
    if (planPath.isEmpty() && session == m_demoSession && m_demoDir) {
        planPath = m_demoDir->filePath(QStringLiteral("reference.yaml"));
        if (const Status written =
                plan::writePlanFile(planPath, m_document->plan(), plan::CommentPolicy::Discard);
            !written) {
            showError(written.error().toString());
            return;
        }
    } else if (start == DeployDialog::Start::Apply &&
               (m_document->isModified() || m_document->path().isEmpty())) {
        save();
        if (m_document->isModified() || m_document->path().isEmpty()) {
            m_messageBar->showMessage(MessageBar::Level::Warning,
                                      tr("Save the plan before deploying it: the deployment "
                                         "journal keeps the plan file for a resume."));
            return;
        }
    }
    secrets::CredentialStore *store = m_demoCredentials && session == m_demoSession
                                          ? m_demoCredentials.get()
                                          : m_services->credentials();
    auto *dialog =
        new DeployDialog(session->client(), store, m_document->plan(), planPath, start, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (session == m_demoSession && m_demoDir) {
        deploy::DeploymentOptions options;
        options.journalDir = m_demoDir->filePath(QStringLiteral("journals"));
        dialog->setOptions(options);
    }
    // Not after the session is gone (disconnected or removed while the dialog runs).
    connect(dialog, &DeployDialog::runFinished, session, [this, session](bool succeeded) {
        m_eventLog->append(succeeded ? EventLogModel::Level::Info : EventLogModel::Level::Error,
                           session->profile().name,
                           succeeded ? tr("deployment applied")
                                     : tr("deployment stopped with failures; it can be resumed"));
        // A first deployment has just stored the Redis password its probe needs.
        if (session == m_monitoring->session())
            m_monitoring->reloadRedisPassword();
        session->pollNow();
    });
    dialog->show();
    dialog->begin();
}

void MainWindow::openExportDialog()
{
    auto *dialog = new ExportDialog(m_document->plan(), m_document->path(), m_settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (ClusterSession *active = m_activeSession.data();
        active && active->client()->state() == proxmox::ProxmoxClient::State::Connected)
        dialog->setClient(active->client());
    // The dialog's worker reads the history from disk, so the newest points are saved first.
    if (ClusterSession *session = m_activeSession.data();
        session && m_monitoring->session() == session) {
        if (const Status saved = m_monitoring->save(); !saved)
            m_messageBar->showMessage(MessageBar::Level::Warning,
                                      tr("The monitoring history could not be saved (%1); the "
                                         "report uses the last saved history.")
                                          .arg(saved.error().message));
        dialog->setCluster(session->profile().name, m_monitoring->storeFolder());
    }
    dialog->open();
}

bool MainWindow::maybeDiscard()
{
    if (!m_document->isModified())
        return true;
    // A question to a person is the one modal wait this window allows itself.
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved Changes"),
        tr("The plan %1 has changes that are not saved.").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        save();
        return !m_document->isModified();
    }
    return answer == QMessageBox::Discard;
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("%1[*] — RAE Deploy").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateFindingsSummary()
{
    const int errors = m_findingsModel->count(validation::Severity::Error);
    const int warnings = m_findingsModel->count(validation::Severity::Warning);
    m_findingsLabel->setText(tr("%n error(s)", nullptr, errors) + QStringLiteral(", ") +
                             tr("%n warning(s)", nullptr, warnings));
}

void MainWindow::updateGraph()
{
    if (m_mode == Mode::Plan) {
        Topology topology = topologyFromPlan(m_document->plan(), m_document->findings());
        const int row = m_failureModel->rowOfNode(m_failedNode);
        if (!m_failedNode.isEmpty() && row >= 0 && !isAnalysingFailures())
            topology = withFailure(std::move(topology), m_failureModel->report(),
                                   m_failureModel->report().analysis.cases.at(row));
        m_scene->setTopology(topology);
    } else if (ClusterSession *active = m_activeSession.data(); active && active->hasSnapshot()) {
        m_scene->setTopology(topologyFromResources(active->lastSnapshot(), &m_document->plan()));
    } else {
        m_scene->setTopology({});
    }
    if (m_monitoring) {
        applyAlertBadges(m_scene, m_monitoring->alertedItems());
        applyEdgeLatencies(m_scene, m_monitoring->store());
    }
}

void MainWindow::setMode(Mode mode)
{
    const bool changed = mode != m_mode || m_scene->topology().nodes.isEmpty();
    m_mode = mode;
    m_planModeAction->setChecked(mode == Mode::Plan);
    m_liveModeAction->setChecked(mode == Mode::Live);
    m_scene->setDragSource(mode == Mode::Plan ? QStringLiteral("plan") : QStringLiteral("live"),
                           true);
    // Ctrl+Z undoes plan edits in plan mode and offers a migration back in live mode; a hidden
    // action's shortcut is inactive, so the two never compete.
    m_undoAction->setVisible(mode == Mode::Plan);
    m_redoAction->setVisible(mode == Mode::Plan);
    m_migrateBackAction->setVisible(mode == Mode::Live);
    // The failure simulation reads the plan; live mode would need the cluster's HA inventory.
    if (mode == Mode::Live && !m_failedNode.isEmpty())
        simulateFailure({});
    m_simulateFailureAction->setEnabled(mode == Mode::Plan);
    m_suggestPlacementAction->setEnabled(mode == Mode::Plan && !m_placement->isRunning());
    m_modeLabel->setText(mode == Mode::Plan ? tr("Plan mode") : tr("Live mode"));
    updateGraph();
    if (changed)
        QTimer::singleShot(0, m_view, &TopologyView::zoomToFit);
}

Status MainWindow::openPlan(const QString &path)
{
    Status loaded = m_document->load(path);
    if (!loaded) {
        showError(loaded.error().toString());
        m_eventLog->append(EventLogModel::Level::Error, tr("plan"), loaded.error().message);
        return loaded;
    }
    m_discardComments = false;
    m_properties->setVm({});
    if (!path.startsWith(QLatin1Char(':')))
        addRecentFile(path);
    m_eventLog->append(EventLogModel::Level::Info, tr("plan"),
                       tr("opened %1").arg(m_document->displayName()));
    setMode(Mode::Plan);
    QTimer::singleShot(0, m_view, &TopologyView::zoomToFit);
    return loaded;
}

void MainWindow::openPlanDialog()
{
    if (!maybeDiscard())
        return;
    auto *dialog = new QFileDialog(this, tr("Open Plan"),
                                   m_settings->value(settingsKey("files/lastDir")).toString(),
                                   tr("Plans (*.yaml *.yml);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_settings->setValue(settingsKey("files/lastDir"), QFileInfo(path).absolutePath());
        openPlan(path);
    });
    dialog->open();
}

void MainWindow::save()
{
    if (m_document->path().isEmpty()) {
        saveAs();
        return;
    }
    saveTo(m_document->path());
}

void MainWindow::saveAs()
{
    auto *dialog = new QFileDialog(this, tr("Save Plan As"),
                                   m_settings->value(settingsKey("files/lastDir")).toString(),
                                   tr("Plans (*.yaml *.yml)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("yaml"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_settings->setValue(settingsKey("files/lastDir"), QFileInfo(path).absolutePath());
        saveTo(path);
    });
    dialog->open();
}

void MainWindow::saveTo(const QString &path)
{
    const QList<int> comments = PlanDocument::commentLinesAt(path);
    if (!comments.isEmpty() && !m_discardComments) {
        // The writer keeps no comments; the person who wrote them decides.
        auto *box = new QMessageBox(
            QMessageBox::Warning, tr("Comments Will Be Lost"),
            tr("%1 has %n comment line(s) that saving cannot keep.", nullptr, int(comments.size()))
                .arg(QFileInfo(path).fileName()),
            QMessageBox::NoButton, this);
        box->setInformativeText(tr("Save anyway and drop the comments, or save under another "
                                   "name and keep the original file as it is."));
        QPushButton *drop =
            box->addButton(tr("&Drop Comments and Save"), QMessageBox::DestructiveRole);
        QPushButton *other = box->addButton(tr("Save &As…"), QMessageBox::AcceptRole);
        box->addButton(QMessageBox::Cancel);
        box->setDefaultButton(other);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, box, drop, other, path] {
            if (box->clickedButton() == static_cast<QAbstractButton *>(drop)) {
                m_discardComments = true;
                saveTo(path);
            } else if (box->clickedButton() == static_cast<QAbstractButton *>(other)) {
                saveAs();
            }
        });
        box->open();
        return;
    }

    Status saved = m_document->save(path, m_discardComments ? plan::CommentPolicy::Discard
                                                            : plan::CommentPolicy::Keep);
    if (!saved) {
        showError(tr("The plan was not saved. %1").arg(saved.error().toString()), tr("Save As…"),
                  [this] { saveAs(); });
        return;
    }
    QFile::remove(recoveryFile());
    addRecentFile(path);
    statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 4000);
    m_eventLog->append(EventLogModel::Level::Info, tr("plan"), tr("saved %1").arg(path));
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = m_settings->value(settingsKey("files/recent")).toStringList();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecentFiles)
        recent.removeLast();
    m_settings->setValue(settingsKey("files/recent"), recent);
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings->value(settingsKey("files/recent")).toStringList();
    int number = 1;
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(number++).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path] {
            if (maybeDiscard())
                openPlan(path);
        });
    }
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("No recent plans"))->setEnabled(false);
}

QString MainWindow::recoveryFile() const
{
    return QDir(m_services->recoveryDir()).filePath(QStringLiteral("unsaved-plan.yaml"));
}

void MainWindow::setAutosaveInterval(std::chrono::milliseconds interval)
{
    m_autosave->setInterval(interval);
}

void MainWindow::writeRecovery()
{
    if (!m_document->isModified())
        return;
    QDir().mkpath(m_services->recoveryDir());
    QSaveFile file(recoveryFile());
    if (!file.open(QIODevice::WriteOnly))
        return;
    // The first line says where the plan belongs; it is a YAML comment, so the rest reads as-is.
    file.write("# rae-deploy recovery of: " + m_document->path().toUtf8() + '\n');
    file.write(plan::writePlan(m_document->plan()));
    if (file.commit())
        qCDebug(lcWindow) << "recovery written" << recoveryFile();
}

void MainWindow::offerRecovery()
{
    QFile file(recoveryFile());
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QByteArray yaml = file.readAll();
    const QByteArray firstLine = yaml.left(yaml.indexOf('\n'));
    const QByteArray prefix = "# rae-deploy recovery of: ";
    const QString original =
        firstLine.startsWith(prefix) ? QString::fromUtf8(firstLine.mid(prefix.size())) : QString();
    const QDateTime when = QFileInfo(file).lastModified();
    m_messageBar->showMessage(
        MessageBar::Level::Warning,
        tr("RAE Deploy did not close cleanly. Unsaved changes to %1 from %2 were kept.")
            .arg(original.isEmpty() ? tr("an untitled plan") : QFileInfo(original).fileName(),
                 QLocale().toString(when, QLocale::ShortFormat)),
        tr("&Restore"), [this, yaml, original] {
            auto plan = plan::readPlan(yaml, recoveryFile());
            if (!plan) {
                showError(tr("The kept plan cannot be read: %1").arg(plan.error().toString()));
                return;
            }
            m_document->reset(*plan, original, true);
            setMode(Mode::Plan);
            m_eventLog->append(EventLogModel::Level::Info, tr("plan"),
                               tr("restored unsaved changes"));
        });
}

MoveVerdict MainWindow::checkPlanMove(const VmDragPayload &payload, const QString &node)
{
    if (payload.source != QLatin1String("plan")) {
        MoveVerdict verdict;
        verdict.kind = MoveVerdict::Kind::Forbidden;
        verdict.reason = tr("Only VMs of the plan can be dropped in plan mode.");
        return verdict;
    }
    // Hover answers must be immediate: validate the current plan once per revision, here.
    if (m_checkedRevision != m_document->revision()) {
        m_checkedFindings = validation::validate(m_document->plan());
        m_checkedRevision = m_document->revision();
    }
    return checkMove(m_document->plan(), m_checkedFindings, payload.keys, node);
}

void MainWindow::startFailureAnalysis()
{
    if (m_failureRunning)
        return; // finished() starts the next run for the newer revision
    m_failureRunning = true;
    m_analysedRevision = m_document->revision();
    const plan::Plan plan = m_document->plan();
    QList<QStringList> cases;
    for (const plan::Node &node : plan.nodes)
        cases.append({node.name});
    auto promise = std::make_shared<QPromise<ha::PlanFailureReport>>();
    m_failureWatcher->setFuture(promise->future());
    promise->start();
    // The analysis of a large plan takes long enough to be felt: it runs on a worker.
    QThreadPool::globalInstance()->start([plan, cases, promise] {
        promise->addResult(ha::analysePlanFailures(plan, cases));
        promise->finish();
    });
}

bool MainWindow::isAnalysingFailures() const
{
    return m_failureRunning || m_analysedRevision != m_document->revision();
}

void MainWindow::showPlacement(const ha::PlacementSearch &search)
{
    m_suggestPlacementAction->setEnabled(m_mode == Mode::Plan);
    statusBar()->clearMessage();
    const auto moves = m_placement->moves(search);
    QString text;
    if (!search.found)
        text = tr("No placement of this plan survives every single node failure.");
    else if (moves.isEmpty())
        text = tr("The current placement is already the best one found.");
    else
        text = tr("Moving %n VM(s) makes the plan survive any single node failure with a lower "
                  "peak load.",
                  nullptr, int(moves.size()));
    QStringList details = search.explanation;
    for (const auto &[vm, node] : moves)
        details << tr("%1 → %2").arg(vm, node);

    auto *box = new QMessageBox(QMessageBox::Information, tr("Suggested Placement"), text,
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("placementBox"));
    box->setInformativeText(details.join(QLatin1Char('\n')));
    QPushButton *apply =
        moves.isEmpty() ? nullptr : box->addButton(tr("&Apply to Plan"), QMessageBox::AcceptRole);
    box->addButton(moves.isEmpty() ? QMessageBox::Close : QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, apply, search] {
        if (!apply || box->clickedButton() != static_cast<QAbstractButton *>(apply))
            return;
        if (!m_placement->apply(search)) {
            m_messageBar->showMessage(MessageBar::Level::Warning,
                                      tr("The plan changed while the placement was searched."),
                                      tr("Search Again"),
                                      [this] { m_suggestPlacementAction->trigger(); });
            return;
        }
        m_eventLog->append(EventLogModel::Level::Info, tr("plan"),
                           tr("applied the suggested placement (Ctrl+Z undoes it)"));
    });
    box->open();
}

QString MainWindow::currentNode() const
{
    if (auto *node = dynamic_cast<NodeItem *>(m_scene->focusItem()))
        return node->node().name;
    for (const QString &key : m_scene->selectedKeys()) {
        if (VmTileItem *tile = m_scene->tileItem(key))
            return tile->vm().node;
    }
    return {};
}

void MainWindow::simulateFailure(const QString &node)
{
    if (!node.isEmpty() && (m_mode != Mode::Plan || !m_document->plan().node(node))) {
        statusBar()->showMessage(
            tr("Select a node of the plan to simulate its failure (plan mode)."), 5000);
        m_simulateFailureAction->setChecked(!m_failedNode.isEmpty());
        return;
    }
    m_failedNode = node;
    m_simulateFailureAction->setChecked(!node.isEmpty());
    m_endSimulationAction->setEnabled(!node.isEmpty());
    if (node.isEmpty()) {
        if (m_failureView)
            m_failureView->clearSelection();
        statusBar()->clearMessage();
    } else {
        const int row = m_failureModel->rowOfNode(node);
        if (row >= 0 && m_failureView)
            m_failureView->selectRow(row);
        statusBar()->showMessage(tr("Simulating the failure of %1 — Esc ends it").arg(node));
        m_eventLog->append(EventLogModel::Level::Info, tr("plan"),
                           tr("simulating the failure of %1").arg(node));
    }
    updateGraph();
}

MoveVerdict MainWindow::checkLiveMove(const VmDragPayload &payload, const QString &node) const
{
    MoveVerdict verdict;
    verdict.kind = MoveVerdict::Kind::Forbidden;
    if (payload.source != QLatin1String("live")) {
        verdict.reason = tr("Only VMs of the cluster can be dropped in live mode.");
        return verdict;
    }
    if (payload.keys.size() != 1) {
        verdict.reason = tr("Move one VM at a time: each migration is confirmed on its own.");
        return verdict;
    }
    const TopologyVm *vm = nullptr;
    for (const TopologyVm &candidate : m_scene->topology().vms) {
        if (candidate.key == payload.keys.first())
            vm = &candidate;
    }
    const TopologyNode *target = nullptr;
    for (const TopologyNode &candidate : m_scene->topology().nodes) {
        if (candidate.name == node)
            target = &candidate;
    }
    if (!vm || !vm->vmid || !target) {
        verdict.reason = tr("The cluster no longer shows this VM or node.");
        return verdict;
    }
    if (vm->node == node) {
        verdict.kind = MoveVerdict::Kind::NoChange;
        return verdict;
    }
    if (!target->online) {
        verdict.reason = tr("%1 is offline.").arg(node);
        return verdict;
    }
    if (m_migration->isBusy(*vm->vmid)) {
        verdict.reason = tr("%1 is being moved already.").arg(vm->name);
        return verdict;
    }
    // What the cluster itself says (disks, devices, HA) comes in the confirmation after the drop.
    verdict.kind = MoveVerdict::Kind::Allowed;
    return verdict;
}

void MainWindow::requestLiveMove(const VmDragPayload &payload, const QString &node)
{
    for (const TopologyVm &vm : m_scene->topology().vms) {
        if (vm.key != payload.keys.value(0) || !vm.vmid)
            continue;
        MigrationRequest request;
        request.vmid = *vm.vmid;
        request.name = vm.name;
        request.source = vm.node;
        request.target = node;
        request.haManaged = vm.haManaged;
        request.running = vm.state == GuestState::Running;
        m_messageBar->hide();
        m_migration->request(request);
    }
}

void MainWindow::onMoveRequested(const VmDragPayload &payload, const QString &node)
{
    if (payload.source == QLatin1String("live")) {
        requestLiveMove(payload, node);
        return;
    }
    m_document->moveVms(payload.keys, node);
    m_messageBar->hide();
    m_eventLog->append(EventLogModel::Level::Info, tr("plan"),
                       tr("moved %1 to %2").arg(payload.keys.join(QStringLiteral(", ")), node));
}

void MainWindow::onFindingActivated(const QModelIndex &index)
{
    const auto kind = validation::SubjectKind(index.data(FindingsModel::SubjectKindRole).toInt());
    const QString name = index.data(FindingsModel::SubjectNameRole).toString();
    if (kind == validation::SubjectKind::Vm) {
        QString key = name;
        if (m_mode == Mode::Live) {
            const plan::Vm *vm = m_document->plan().vm(name);
            key = vm && vm->vmid ? QStringLiteral("vm:%1").arg(*vm->vmid) : QString();
        }
        m_scene->selectKey(key);
        m_view->ensureKeyVisible(key);
    } else if (kind == validation::SubjectKind::Node) {
        if (NodeItem *item = m_scene->nodeItem(name)) {
            m_scene->clearSelection();
            m_scene->setFocusItem(item);
            m_view->ensureVisible(item, 40, 40);
        }
    }
}

void MainWindow::onSceneSelection(const QString &key)
{
    m_selectedVm = key;
    if (m_mode == Mode::Plan) {
        m_properties->setVm(key);
        return;
    }
    // A live tile: edit the plan VM that matches it, if any.
    QString planName;
    if (const TopologyVm *vm = [&]() -> const TopologyVm * {
            for (const TopologyVm &candidate : m_scene->topology().vms) {
                if (candidate.key == key)
                    return &candidate;
            }
            return nullptr;
        }()) {
        for (const plan::Vm &planned : m_document->plan().vms) {
            if ((planned.vmid && vm->vmid && *planned.vmid == *vm->vmid) ||
                planned.name == vm->name)
                planName = planned.name;
        }
    }
    m_properties->setVm(planName);
}

void MainWindow::onTreeSelection()
{
    const QModelIndexList rows = m_clusterTree->selectionModel()->selectedRows();
    if (rows.size() != 1)
        return;
    const QModelIndex index = rows.first();
    if (ClusterModel::Kind(index.data(ClusterModel::KindRole).toInt()) != ClusterModel::Kind::Guest)
        return;
    const int vmid = index.data(ClusterModel::VmidRole).toInt();
    QString key;
    if (m_mode == Mode::Live) {
        key = QStringLiteral("vm:%1").arg(vmid);
    } else {
        for (const plan::Vm &vm : m_document->plan().vms) {
            if (vm.vmid && *vm.vmid == vmid)
                key = vm.name;
        }
    }
    if (!key.isEmpty() && m_scene->tileItem(key)) {
        m_scene->selectKey(key);
        m_view->ensureKeyVisible(key);
    }
}

void MainWindow::showError(const QString &text, const QString &actionText,
                           std::function<void()> action)
{
    m_messageBar->showMessage(MessageBar::Level::Error, text, actionText, std::move(action));
}

// --- Clusters ---

void MainWindow::fillProfilesMenu(
    QMenu *menu, const std::function<void(const cluster::ClusterProfile &)> &chosen)
{
    menu->clear();
    const QList<cluster::ClusterProfile> profiles = cluster::loadClusterProfiles(*m_settings);
    for (const cluster::ClusterProfile &profile : profiles) {
        QAction *action = menu->addAction(profile.name);
        action->setToolTip(profile.endpoints.join(QStringLiteral(", ")));
        connect(action, &QAction::triggered, this, [chosen, profile] { chosen(profile); });
    }
    if (profiles.isEmpty())
        menu->addAction(tr("No clusters yet: use Add Cluster"))->setEnabled(false);
}

void MainWindow::removeProfile(const cluster::ClusterProfile &profile)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Remove Cluster"),
                                tr("Remove the cluster %1 from RAE Deploy?").arg(profile.name),
                                QMessageBox::Cancel, this);
    box->setInformativeText(
        tr("Its connection settings, the secret of %1 in the keychain and its pinned "
           "certificates are forgotten, and it is disconnected. Nothing on the cluster changes; "
           "Add Cluster connects it again.")
            .arg(profile.account()));
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, remove, profile](QAbstractButton *button) {
                if (button != remove)
                    return;
                for (ClusterSession *session : QList<ClusterSession *>(m_sessions)) {
                    if (session->profile().name == profile.name)
                        disconnectSession(session);
                }
                cluster::removeClusterProfile(*m_settings, profile.name);
                m_eventLog->append(EventLogModel::Level::Info, profile.name, tr("cluster removed"));
                m_services->credentials()->remove(
                    profile.name, profile.account(), this,
                    [this, profile](const secrets::SecretResult<Done> &removed) {
                        // Without a keychain there is no entry to remove (a secret kept for
                        // the session only is the store's own to drop).
                        if (removed.ok() ||
                            removed.error().kind == secrets::SecretError::Kind::NotFound ||
                            removed.error().kind == secrets::SecretError::Kind::NoKeychain)
                            return;
                        showError(
                            tr("The cluster %1 was removed, but its secret could not be removed "
                               "from the keychain: %2. Remove the entry for %3 with the desktop's "
                               "keychain tool (e.g. Seahorse).")
                                .arg(profile.name, removed.error().message, profile.account()));
                    });
            });
    box->open();
}

void MainWindow::addClusterDialog()
{
    auto *dialog = new AddClusterDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const cluster::ClusterProfile profile = dialog->profile();
        const QString secret = dialog->secret();
        cluster::saveClusterProfile(*m_settings, profile);
        const auto credentials =
            profile.auth == cluster::ClusterProfile::Auth::ApiToken
                ? proxmox::Credentials::apiToken(profile.user, profile.tokenName, secret)
                : proxmox::Credentials::password(profile.user, secret);
        if (dialog->rememberSecret()) {
            m_services->credentials()->write(
                profile.name, profile.account(), secret, this,
                [this, profile, secret](const secrets::SecretResult<Done> &written) {
                    if (written.ok())
                        return;
                    if (written.error().kind == secrets::SecretError::Kind::NoKeychain) {
                        m_messageBar->showMessage(
                            MessageBar::Level::Warning,
                            tr("No keychain is running, so the secret of %1 was not stored. "
                               "It can be kept in memory until RAE Deploy quits.")
                                .arg(profile.name),
                            tr("Keep for This Session"), [this, profile, secret] {
                                m_services->credentials()->setSessionOnly(true);
                                m_services->credentials()->write(
                                    profile.name, profile.account(), secret, this,
                                    [](const secrets::SecretResult<Done> &) {});
                            });
                    } else {
                        showError(tr("The secret of %1 was not stored: %2")
                                      .arg(profile.name, written.error().message));
                    }
                });
        }
        connectCluster(profile, credentials);
    });
    dialog->open();
}

void MainWindow::connectProfile(const cluster::ClusterProfile &profile)
{
    m_services->credentials()->read(
        profile.name, profile.account(), this,
        [this, profile](const secrets::SecretResult<QString> &secret) {
            if (!secret) {
                if (secret.error().kind != secrets::SecretError::Kind::NotFound)
                    m_eventLog->append(EventLogModel::Level::Warning, profile.name,
                                       secret.error().message);
                askSecretAndConnect(profile);
                return;
            }
            connectCluster(profile, profile.auth == cluster::ClusterProfile::Auth::ApiToken
                                        ? proxmox::Credentials::apiToken(profile.user,
                                                                         profile.tokenName, *secret)
                                        : proxmox::Credentials::password(profile.user, *secret));
        });
}

void MainWindow::askSecretAndConnect(const cluster::ClusterProfile &profile)
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Sign In to %1").arg(profile.name));
    dialog->setLabelText(profile.auth == cluster::ClusterProfile::Auth::ApiToken
                             ? tr("Secret of the token %1:").arg(profile.account())
                             : tr("Password of %1:").arg(profile.user));
    dialog->setTextEchoMode(QLineEdit::Password);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, profile](const QString &secret) {
        connectCluster(profile,
                       profile.auth == cluster::ClusterProfile::Auth::ApiToken
                           ? proxmox::Credentials::apiToken(profile.user, profile.tokenName, secret)
                           : proxmox::Credentials::password(profile.user, secret));
    });
    dialog->open();
}

void MainWindow::connectCluster(const cluster::ClusterProfile &profile,
                                const proxmox::Credentials &credentials, QSettings *pins)
{
    for (ClusterSession *existing : std::as_const(m_sessions)) {
        if (existing->profile().name == profile.name) {
            m_sessions.removeAll(existing);
            existing->deleteLater();
        }
    }
    auto *session =
        new ClusterSession(profile, pins ? pins : m_settings, m_services->network(), this);
    m_sessions.append(session);
    m_activeSession = session;
    m_migration->setSession(session);
    m_disconnectAction->setEnabled(true);
    m_deployAction->setEnabled(true);
    m_resumeDeployAction->setEnabled(true);

    session->client()->setTrustCallback(
        [this](const proxmox::CertificateFacts &facts, const QUrl &endpoint,
               std::function<void(bool)> decide) { askTrust(facts, endpoint, std::move(decide)); });
    session->client()->setTotpCallback(
        [this](const QString &, std::function<void(std::optional<QString>)> answer) {
            askTotp(std::move(answer));
        });
    connect(session, &ClusterSession::stateChanged, this, [this, session](const QString &text) {
        m_connectionLabel->setText(QStringLiteral("%1: %2").arg(session->profile().name, text));
        m_clusterModel->setClusterStatus(session->profile().name, text);
    });
    connect(session, &ClusterSession::connected, this, [this, session] {
        m_messageBar->hide();
        if (std::exchange(m_deployWhenConnected, false))
            QTimer::singleShot(0, this, [this] { openDeployDialog(DeployDialog::Start::Apply); });
        m_eventLog->append(
            EventLogModel::Level::Info, session->profile().name,
            tr("connected to Proxmox VE %1").arg(session->client()->version().version));
    });
    connect(
        session, &ClusterSession::connectionFailed, this,
        [this, session](const proxmox::ApiError &error) { onConnectionFailed(session, error); });
    connect(session, &ClusterSession::pollFailed, this,
            [this, session](const proxmox::ApiError &error) {
                m_eventLog->append(EventLogModel::Level::Warning, session->profile().name,
                                   tr("refresh failed: %1").arg(error.message));
            });
    connect(session, &ClusterSession::snapshot, this,
            [this, session](const cluster::Resources &resources) {
                const bool first = !m_clusterModel->clusterIndex(session->profile().name).isValid();
                m_clusterModel->setSnapshot(session->profile().name, resources);
                m_clusterModel->setClusterStatus(session->profile().name, tr("connected"));
                if (first)
                    m_clusterTree->expandToDepth(1);
                if (session == m_activeSession && m_mode == Mode::Live) {
                    updateGraph();
                    if (first)
                        m_view->zoomToFit();
                }
            });
    // Charts follow the active cluster; the panel shows itself once, tall enough to read.
    m_monitoring->attach(session);
    m_monitoringDock->raise();
    resizeDocks({m_monitoringDock}, {440}, Qt::Vertical);
    m_eventLog->append(EventLogModel::Level::Info, profile.name,
                       tr("connecting to %1").arg(profile.endpoints.join(QStringLiteral(", "))));
    session->start(credentials);
}

void MainWindow::onConnectionFailed(ClusterSession *session, const proxmox::ApiError &error)
{
    const cluster::ClusterProfile profile = session->profile();
    m_eventLog->append(EventLogModel::Level::Error, profile.name, error.toError().toString());
    if (error.kind == proxmox::ApiError::Kind::Tls && !error.pinnedFingerprint.isEmpty()) {
        const QString host = QUrl(error.endpoint).host();
        auto *dialog = new ChangedCertificateDialog(host, error.pinnedFingerprint,
                                                    error.presentedFingerprint, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, profile, host] {
            proxmox::PinStore(m_settings, profile.name).forgetHost(host);
            m_eventLog->append(EventLogModel::Level::Warning, profile.name,
                               tr("pinned certificate of %1 forgotten by the user").arg(host));
            m_messageBar->showMessage(MessageBar::Level::Info,
                                      tr("The old pin of %1 is gone. Connect again to review "
                                         "the new certificate.")
                                          .arg(host),
                                      tr("Connect"), [this, profile] { connectProfile(profile); });
        });
        dialog->open();
        return;
    }
    QString text = tr("Could not connect to %1: %2").arg(profile.name, error.message);
    if (!error.hint.isEmpty())
        text += QLatin1Char(' ') + error.hint;
    showError(text, tr("Try Again"), [this, profile] { connectProfile(profile); });
}

void MainWindow::askTrust(const proxmox::CertificateFacts &facts, const QUrl &endpoint,
                          std::function<void(bool)> decide)
{
    auto *dialog = new CertificateDialog(facts, endpoint, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, this,
            [this, decide, endpoint, fingerprint = facts.fingerprint](int result) {
                const bool approved = result == QDialog::Accepted;
                m_eventLog->append(
                    approved ? EventLogModel::Level::Info : EventLogModel::Level::Warning,
                    endpoint.host(),
                    approved ? tr("certificate %1 trusted and pinned").arg(fingerprint)
                             : tr("certificate %1 refused").arg(fingerprint));
                decide(approved);
            });
    dialog->open();
}

void MainWindow::askTotp(std::function<void(std::optional<QString>)> answer)
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Second Factor"));
    dialog->setLabelText(tr("This account needs a one-time code from its authenticator app:"));
    dialog->setInputMode(QInputDialog::TextInput);
    auto answered = std::make_shared<bool>(false);
    connect(dialog, &QInputDialog::textValueSelected, this,
            [answer, answered](const QString &code) {
                *answered = true;
                answer(code.trimmed());
            });
    connect(dialog, &QDialog::rejected, this, [answer, answered] {
        if (!*answered)
            answer(std::nullopt);
    });
    dialog->open();
}

void MainWindow::disconnectActive()
{
    if (ClusterSession *session = m_activeSession.data())
        disconnectSession(session);
}

void MainWindow::disconnectSession(ClusterSession *session)
{
    session->stop();
    m_clusterModel->removeCluster(session->profile().name);
    m_eventLog->append(EventLogModel::Level::Info, session->profile().name, tr("disconnected"));
    m_sessions.removeAll(session);
    session->deleteLater();
    m_disconnectAction->setEnabled(!m_sessions.isEmpty());
    m_deployAction->setEnabled(!m_sessions.isEmpty());
    m_resumeDeployAction->setEnabled(!m_sessions.isEmpty());
    // Removing another cluster leaves the active one, its status and its monitoring as they are.
    if (m_activeSession == session) {
        m_activeSession = m_sessions.isEmpty() ? nullptr : m_sessions.last();
        m_migration->setSession(m_activeSession);
        m_connectionLabel->setText(tr("not connected"));
        m_monitoring->attach(m_activeSession);
    }
    updateGraph();
}

// --- Demo ---

void MainWindow::startDemo()
{
    openPlan(QString::fromLatin1(kReferencePlan));

    const QString simulator = DemoLauncher::findSimulator();
    const QString scenario = DemoLauncher::findScenario();
    if (simulator.isEmpty() || scenario.isEmpty()) {
        showError(simulator.isEmpty()
                      ? tr("The demo needs rae-pve-sim. Build it, put it on PATH, or name it in "
                           "the RAE_PVE_SIM environment variable.")
                      : tr("The demo cannot find the reference scenario. Name it in the "
                           "RAE_SIM_SCENARIO environment variable."));
        return;
    }
    m_demo = new DemoLauncher(this);
    connect(m_demo, &DemoLauncher::failed, this, [this](const QString &message) {
        showError(message);
        m_eventLog->append(EventLogModel::Level::Error, tr("demo"), message);
    });
    connect(m_demo, &DemoLauncher::ready, this,
            [this](const QUrl &url, const QString &fingerprint, const QString &clusterName) {
                // Trusted for this run only: the pin lives in settings that vanish on exit.
                m_demoDir = std::make_unique<QTemporaryDir>();
                m_demoPins = std::make_unique<QSettings>(
                    m_demoDir->filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
                cluster::ClusterProfile profile;
                profile.name = clusterName.isEmpty() ? QStringLiteral("demo") : clusterName;
                profile.endpoints = {url.toString()};
                profile.user = QStringLiteral("deployer@pve");
                proxmox::PinStore(m_demoPins.get(), profile.name).pin(url.host(), fingerprint);
                m_eventLog->append(EventLogModel::Level::Info, tr("demo"),
                                   tr("simulator at %1, certificate %2 trusted for this run")
                                       .arg(url.toString(), fingerprint));
                m_demoCredentials = std::make_unique<secrets::CredentialStore>();
                m_demoCredentials->setSessionOnly(true);
                // The reference scenario's deployer account; its file marks every secret as
                // test-only. Its account rather than its privilege-separated token: a deployment
                // creates HA resources and backup jobs, which need Sys.Console and Sys.Modify.
                connectCluster(profile,
                               proxmox::Credentials::password(
                                   profile.user, QStringLiteral("sim-deployer-password-test-only")),
                               m_demoPins.get());
                m_demoSession = m_activeSession;
                // The demo's PostgreSQL and Redis, as its deployment brings those VMs up.
                m_demo->serveGuests(m_monitoring, m_demoSession, m_demoCredentials.get(),
                                    m_document->plan());
            });
    connect(m_demo, &DemoLauncher::guestMessage, this, [this](const QString &message) {
        m_eventLog->append(EventLogModel::Level::Info, tr("demo"), message);
    });
    m_eventLog->append(EventLogModel::Level::Info, tr("demo"),
                       tr("starting %1").arg(QFileInfo(simulator).fileName()));
    m_demo->start(simulator, scenario);
}

} // namespace rae::gui
