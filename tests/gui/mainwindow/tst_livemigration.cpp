#include "applicationservices.h"
#include "clustermodel.h"
#include "livemigration.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "migrationdialog.h"
#include "topologyitems.h"
#include "topologyscene.h"
#include "topologyview.h"

#include "proxmox/certificatetrust.h"
#include "simprocess.h"

#include <QAction>
#include <QMimeData>
#include <QPixmap>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

// Live mode: a VM tile dragged to another node of the simulated cluster → the cluster's
// preconditions in a confirmation → the migration runs in the simulator → the model shows the
// guest on its new node; Undo offers the way back with a new confirmation. The drag is driven
// as in tst_topologydrag: real drag events on the view carrying the payload the scene builds.
class TestLiveMigration final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void aRunningVmMigratesLiveAndUndoMovesItBack();
    void aGpuVmIsOfferedOfflineMigrationOnly();
    void anHaVmMovesThroughTheHaManager();
    void aCancelledConfirmationSendsNothing();

private:
    // Drags the tile of `vmid` onto `node`; true when the view accepted the drop. The
    // confirmation it opens lands in m_dialog.
    bool dragTo(int vmid, const QString &node);
    QString nodeOfGuest(int vmid) const;
    QString tileNode(int vmid) const;
    // With RAE_GUI_SCREENSHOTS=<dir>, saves what the user would see, for review.
    void screenshot(QWidget *widget, const QString &name) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SimProcess> m_sim;
    std::unique_ptr<ApplicationServices> m_services;
    std::unique_ptr<QSettings> m_pins;
    std::unique_ptr<MainWindow> m_window;
    QPointer<MigrationDialog> m_dialog;
};

void TestLiveMigration::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_sim = std::make_unique<SimProcess>();
    QVERIFY(
        m_sim->start(QStringLiteral(RAE_SOURCE_DIR "/tests/gui/mainwindow/migration-scenario.yaml"),
                     {QStringLiteral("--task-visibility-delay-ms"), QStringLiteral("50")}));
    const QUrl url(m_sim->value(QStringLiteral("url")));
    m_services = std::make_unique<ApplicationServices>(
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("settings.ini")),
                                    QSettings::IniFormat),
        m_dir->filePath(QStringLiteral("recovery")));
    m_pins = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("pins.ini")),
                                         QSettings::IniFormat);
    cluster::ClusterProfile profile;
    profile.name = QStringLiteral("prod");
    profile.endpoints = {url.toString()};
    profile.user = QStringLiteral("deployer@pve");
    profile.tokenName = QStringLiteral("full");
    proxmox::PinStore(m_pins.get(), profile.name)
        .pin(url.host(), m_sim->value(QStringLiteral("fingerprint")));

    m_window = std::make_unique<MainWindow>(m_services.get());
    m_window->resize(1500, 950);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    connect(m_window->liveMigration(), &LiveMigration::confirmationShown, this,
            [this](MigrationDialog *dialog) { m_dialog = dialog; });
    // Test-only secret of the scenario's token without privilege separation.
    m_window->connectCluster(
        profile,
        proxmox::Credentials::apiToken(profile.user, profile.tokenName,
                                       QStringLiteral("00000000-0000-4000-8000-00000000a002")),
        m_pins.get());
    m_window->setMode(MainWindow::Mode::Live);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->scene()->tileItem(QStringLiteral("vm:121")), 20000);
    m_window->topologyView()->resetZoom();
}

void TestLiveMigration::cleanup()
{
    m_window.reset();
    m_pins.reset();
    m_services.reset();
    m_sim.reset();
    m_dir.reset();
}

QString TestLiveMigration::nodeOfGuest(int vmid) const
{
    ClusterModel *model = m_window->clusterModel();
    const QModelIndex guest = model->guestIndex(QStringLiteral("prod"), vmid);
    return guest.isValid() ? guest.parent().data().toString() : QString();
}

QString TestLiveMigration::tileNode(int vmid) const
{
    const VmTileItem *tile = m_window->scene()->tileItem(LiveMigration::tileKey(vmid));
    return tile ? tile->vm().node : QString();
}

void TestLiveMigration::screenshot(QWidget *widget, const QString &name) const
{
    const QString dir = qEnvironmentVariable("RAE_GUI_SCREENSHOTS");
    if (!dir.isEmpty())
        widget->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

bool TestLiveMigration::dragTo(int vmid, const QString &node)
{
    TopologyView *view = m_window->topologyView();
    TopologyScene *scene = m_window->scene();
    VmTileItem *tile = scene->tileItem(LiveMigration::tileKey(vmid));
    NodeItem *target = scene->nodeItem(node);
    if (!tile || !target)
        return false;
    view->ensureVisible(tile, 0, 0);
    const QPoint start = view->mapFromScene(tile->sceneBoundingRect().center());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, start);
    std::unique_ptr<QMimeData> mime(scene->payloadFor(tile).toMimeData());

    view->ensureVisible(target, 0, 0);
    const QRectF rect = target->sceneBoundingRect();
    const QPoint point = view->mapFromScene(QPointF(rect.center().x(), rect.bottom() - 8));
    QDragEnterEvent enter(point, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QDragMoveEvent move(point, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    if (!move.isAccepted())
        return false;
    QDropEvent drop(point, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &drop);
    return drop.isAccepted();
}

void TestLiveMigration::aRunningVmMigratesLiveAndUndoMovesItBack()
{
    MigrationDialog *dialog = nullptr;
    QCOMPARE(nodeOfGuest(120), QStringLiteral("pve1"));
    QVERIFY(dragTo(120, QStringLiteral("pve2")));
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog, 10000);
    dialog = m_dialog.data();
    QVERIFY(dialog);
    QCOMPARE(dialog->offeredMethods().first(), MigrationMethod::Online);
    QVERIFY(dialog->canProceed());
    QSignalSpy finished(m_window->liveMigration(), &LiveMigration::finished);
    dialog->accept();

    // While it moves, the tile carries the progress band.
    QTRY_VERIFY(!m_window->scene()->activity(QStringLiteral("vm:120")).isEmpty());
    QTest::qWait(1200); // only for the picture: one tick of the elapsed time on the band
    screenshot(m_window.get(), QStringLiteral("live-migrating"));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(1).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(nodeOfGuest(120), QStringLiteral("pve2"), 15000);
    QTRY_COMPARE(tileNode(120), QStringLiteral("pve2"));
    QVERIFY(m_window->scene()->activity(QStringLiteral("vm:120")).isEmpty());

    // Undo is a migration back, with a confirmation of its own.
    QAction *undo = m_window->migrateBackAction();
    QVERIFY(undo->isVisible());
    QVERIFY(undo->isEnabled());
    QVERIFY(undo->text().contains(QStringLiteral("pve1")));
    m_dialog = nullptr;
    undo->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog, 10000);
    dialog = m_dialog.data();
    QVERIFY(dialog);
    QVERIFY(dialog->request().back);
    QCOMPARE(dialog->request().target, QStringLiteral("pve1"));
    finished.clear();
    dialog->accept();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(1).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(nodeOfGuest(120), QStringLiteral("pve1"), 15000);
    QVERIFY(!undo->isEnabled());
}

void TestLiveMigration::aGpuVmIsOfferedOfflineMigrationOnly()
{
    MigrationDialog *dialog = nullptr;
    // Not to pve1: the GPU mapping has no device there.
    QVERIFY(dragTo(121, QStringLiteral("pve1")));
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog, 10000);
    dialog = m_dialog.data();
    QVERIFY(dialog);
    QVERIFY(!dialog->canProceed());
    QVERIFY(dialog->blockingReason().contains(QStringLiteral("gpu-l4")));
    screenshot(dialog, QStringLiteral("gpu-refused-dialog"));
    dialog->reject();
    m_dialog = nullptr;

    QVERIFY(dragTo(121, QStringLiteral("pve2")));
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog, 10000);
    dialog = m_dialog.data();
    QVERIFY(dialog);
    QVERIFY(dialog->canProceed());
    QCOMPARE(dialog->offeredMethods(), QList<MigrationMethod>{MigrationMethod::ShutdownAndMove});
    screenshot(dialog, QStringLiteral("gpu-migration-dialog"));
    QCOMPARE(dialog->method(), MigrationMethod::ShutdownAndMove);
    QSignalSpy finished(m_window->liveMigration(), &LiveMigration::finished);
    dialog->accept();
    QVERIFY(finished.wait(90000));
    QCOMPARE(finished.first().at(1).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(nodeOfGuest(121), QStringLiteral("pve2"), 15000);
    // It was shut down for the move and started again on pve2.
    QCOMPARE(m_window->scene()->tileItem(QStringLiteral("vm:121"))->vm().state,
             GuestState::Running);
}

void TestLiveMigration::anHaVmMovesThroughTheHaManager()
{
    MigrationDialog *dialog = nullptr;
    QCOMPARE(nodeOfGuest(111), QStringLiteral("pve3"));
    QVERIFY(dragTo(111, QStringLiteral("pve2")));
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog, 10000);
    dialog = m_dialog.data();
    QVERIFY(dialog);
    QCOMPARE(dialog->method(), MigrationMethod::HaMigrate);
    QSignalSpy finished(m_window->liveMigration(), &LiveMigration::finished);
    dialog->accept();
    QVERIFY(finished.wait(90000));
    QCOMPARE(finished.first().at(1).toBool(), true);
    QCOMPARE(nodeOfGuest(111), QStringLiteral("pve2"));
}

void TestLiveMigration::aCancelledConfirmationSendsNothing()
{
    MigrationDialog *dialog = nullptr;
    QVERIFY(dragTo(120, QStringLiteral("pve3")));
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog, 10000);
    dialog = m_dialog.data();
    QVERIFY(dialog);
    dialog->reject();
    // Nothing was sent: no operation is under way and there is nothing to undo.
    QCOMPARE(nodeOfGuest(120), QStringLiteral("pve1"));
    QVERIFY(!m_window->liveMigration()->isBusy(120));
    QVERIFY(!m_window->migrateBackAction()->isEnabled());
}

QTEST_MAIN(TestLiveMigration)
#include "tst_livemigration.moc"
