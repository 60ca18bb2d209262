#include "applicationservices.h"
#include "chartwidget.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "monitoringpanel.h"
#include "plandocument.h"

#include "cluster/profile.h"
#include "monitor/alerts.h"
#include "plan/planwriter.h"
#include "proxmox/certificatetrust.h"
#include "secrets/credentialstore.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace rae;
using namespace rae::gui;

// The window around the plan: remembered layout, saving (with the comment question), recovery.
class TestMainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void layoutIsRemembered();
    void savingAPlanWithCommentsAsksFirst();
    void anUnsavedPlanIsOfferedBackAfterACrash();
    void theTitleMarksUnsavedChanges();
    void aBrokenPlanIsReportedInTheMessageBar();
    void docksBehindATabAreFilledWhenBroughtToFront();
    void theTreeFilterGetsItsClearButtonWithText();
    void anAlertInTheMessageBarSaysWhenItClears();
    void aClusterIsRemovedAfterAskingFirst();

private:
    std::unique_ptr<ApplicationServices> services();
    QString copyReferencePlan();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestMainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
}

void TestMainWindow::cleanup()
{
    m_dir.reset();
}

std::unique_ptr<ApplicationServices> TestMainWindow::services()
{
    return std::make_unique<ApplicationServices>(
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("settings.ini")),
                                    QSettings::IniFormat),
        m_dir->filePath(QStringLiteral("recovery")));
}

QString TestMainWindow::copyReferencePlan()
{
    const QString plan = m_dir->filePath(QStringLiteral("plan.yaml"));
    QFile::remove(plan);
    QFile::copy(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"), plan);
    QFile::setPermissions(plan, QFile::ReadOwner | QFile::WriteOwner);
    return plan;
}

void TestMainWindow::layoutIsRemembered()
{
    QList<int> sizes;
    {
        auto shared = services();
        MainWindow window(shared.get());
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.splitter()->setSizes({300, 900});
        sizes = window.splitter()->sizes();
        window.findChild<QDockWidget *>(QStringLiteral("propertiesDock"))->hide();
        QVERIFY(window.openPlan(copyReferencePlan()).ok());
        window.close();
    }
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.size(), QSize(1200, 800));
    // The tree keeps its width; the graph takes what the hidden dock left.
    QCOMPARE(window.splitter()->sizes().first(), sizes.first());
    QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("propertiesDock"))->isHidden());
    QCOMPARE(shared->settings()->value(QStringLiteral("files/recent")).toStringList(),
             QStringList{m_dir->filePath(QStringLiteral("plan.yaml"))});
}

void TestMainWindow::savingAPlanWithCommentsAsksFirst()
{
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    const QString path = copyReferencePlan();
    QVERIFY(window.openPlan(path).ok());
    QVERIFY(!PlanDocument::commentLinesAt(path).isEmpty());
    window.document()->moveVms({QStringLiteral("rae-redis")}, QStringLiteral("pve2"));

    // The question is asked without blocking; answer it when it shows.
    bool asked = false;
    QTimer::singleShot(0, this, [&] {
        auto *box = window.findChild<QMessageBox *>();
        QVERIFY(box);
        asked = true;
        for (QAbstractButton *button : box->buttons()) {
            if (box->buttonRole(button) == QMessageBox::DestructiveRole)
                button->click();
        }
    });
    const auto actions = window.findChildren<QAction *>();
    for (QAction *action : actions) {
        if (action->shortcut() == QKeySequence(QKeySequence::Save))
            action->trigger();
    }
    QTRY_VERIFY(asked);
    QTRY_VERIFY(!window.document()->isModified());
    QVERIFY(PlanDocument::commentLinesAt(path).isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("rae-redis"));
}

void TestMainWindow::anUnsavedPlanIsOfferedBackAfterACrash()
{
    const QString path = copyReferencePlan();
    {
        auto shared = services();
        auto *window = new MainWindow(shared.get());
        QVERIFY(window->openPlan(path).ok());
        window->document()->moveVms({QStringLiteral("rae-redis")}, QStringLiteral("pve1"));
        window->writeRecovery();
        QVERIFY(QFile::exists(window->recoveryFile()));
        // A crash: the window goes without closeEvent, so the recovery file stays.
        window->document()->undoStack()->setClean();
        QFile::copy(window->recoveryFile(), m_dir->filePath(QStringLiteral("kept.yaml")));
        delete window;
    }
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    QVERIFY(QFile::exists(window.recoveryFile()));
    window.offerRecovery();
    QVERIFY(window.messageBar()->text().contains(QStringLiteral("plan.yaml")));
    const auto buttons = window.messageBar()->findChildren<QPushButton *>();
    QCOMPARE(buttons.size(), 1);
    buttons.first()->click();
    QCOMPARE(window.document()->plan().vm(QStringLiteral("rae-redis"))->node,
             QStringLiteral("pve1"));
    QCOMPARE(window.document()->path(), path);
    QVERIFY(window.document()->isModified());
    window.document()->undoStack()->setClean();
    window.document()->reset(window.document()->plan(), path, false);
}

void TestMainWindow::theTitleMarksUnsavedChanges()
{
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    QVERIFY(window.openPlan(copyReferencePlan()).ok());
    QVERIFY(window.windowTitle().startsWith(QStringLiteral("plan.yaml")));
    QVERIFY(!window.isWindowModified());
    window.document()->moveVms({QStringLiteral("rae-redis")}, QStringLiteral("pve2"));
    QVERIFY(window.isWindowModified());
    window.document()->undoStack()->undo();
    QVERIFY(!window.isWindowModified());
}

void TestMainWindow::aBrokenPlanIsReportedInTheMessageBar()
{
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    const QString path = m_dir->filePath(QStringLiteral("broken.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("schema: 1\ncluster: [not, a, map]\n");
    file.close();
    QVERIFY(!window.openPlan(path).ok());
    QCOMPARE(window.messageBar()->level(), MessageBar::Level::Error);
    QVERIFY(window.messageBar()->text().contains(QStringLiteral("broken.yaml")));
}

void TestMainWindow::docksBehindATabAreFilledWhenBroughtToFront()
{
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Start-up builds only what the first frame shows: Findings is in front of the others.
    QVERIFY(!window.monitoringPanel()->hasCharts());
    for (const char *name : {"alertsDock", "failureDock", "eventLogDock"})
        QVERIFY2(!window.findChild<QDockWidget *>(QLatin1String(name))->widget(), name);

    // As a click on the dock's tab does.
    const auto toFront = [&window](const char *name) {
        auto *dock = window.findChild<QDockWidget *>(QLatin1String(name));
        dock->raise();
        return dock;
    };
    toFront("monitoringDock");
    QTRY_VERIFY(window.monitoringPanel()->hasCharts());
    QTRY_VERIFY(window.monitoringPanel()->latencyChart()->isVisible());
    QDockWidget *alerts = toFront("alertsDock");
    QTRY_VERIFY(alerts->widget() && alerts->widget()->isVisible());
    QCOMPARE(alerts->widget()->objectName(), QStringLiteral("alertsPanel"));
    QDockWidget *failures = toFront("failureDock");
    QTRY_VERIFY(failures->widget() && failures->widget()->isVisible());
    QCOMPARE(failures->widget()->objectName(), QStringLiteral("failureView"));
    QDockWidget *log = toFront("eventLogDock");
    QTRY_VERIFY(log->widget() && log->widget()->isVisible());

    // Alt+6 with Node Failures behind the Events tab brings it to the front rather than
    // closing it; pressed again it closes; once more it opens, with what it had.
    QAction *toggle = failures->toggleViewAction();
    QCOMPARE(toggle->shortcut(), QKeySequence(Qt::ALT | Qt::Key_6));
    QWidget *content = failures->widget();
    // A dock behind a tab counts as visible; only its visible region tells it is not in front.
    const auto inFront = [](QDockWidget *dock) {
        return dock->isVisible() && !dock->visibleRegion().isEmpty();
    };
    QVERIFY(!inFront(failures));
    QTest::keyClick(&window, Qt::Key_6, Qt::AltModifier);
    QTRY_VERIFY(inFront(failures));
    QVERIFY(!inFront(log));
    QTest::qWait(50); // keys come one event loop round apart
    QTest::keyClick(&window, Qt::Key_6, Qt::AltModifier);
    QTRY_VERIFY(!failures->isVisible());
    QVERIFY(!toggle->isChecked());
    QTest::qWait(50);
    QTest::keyClick(&window, Qt::Key_6, Qt::AltModifier);
    QTRY_VERIFY(inFront(failures));
    QCOMPARE(failures->widget(), content);
}

void TestMainWindow::theTreeFilterGetsItsClearButtonWithText()
{
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QLineEdit *filter = nullptr;
    for (QLineEdit *edit : window.findChildren<QLineEdit *>()) {
        if (edit->placeholderText() == QLatin1String("Filter nodes and VMs"))
            filter = edit;
    }
    QVERIFY(filter);
    // Made at the first text rather than during start-up; there is nothing to clear before.
    QVERIFY(!filter->isClearButtonEnabled());
    QTest::keyClicks(filter, QStringLiteral("rae-db"));
    QVERIFY(filter->isClearButtonEnabled());
    // The line edit's clear button is a tool button of its own.
    auto *clear = filter->findChild<QToolButton *>();
    QVERIFY(clear);
    QTRY_VERIFY(clear->isVisible());
    QTest::mouseClick(clear, Qt::LeftButton);
    QVERIFY(filter->text().isEmpty());
}

void TestMainWindow::anAlertInTheMessageBarSaysWhenItClears()
{
    auto shared = services();
    MainWindow window(shared.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Offscreen there is no tray, so alerts go to the message bar.
    monitor::AlertEngine *engine = window.monitoringPanel()->alertEngine();
    const auto gatewayFails = [engine](qint64 fromMs, double value) {
        // The service.down rule raises and clears after 10 s.
        engine->observe(QStringLiteral("probe.failed"), QStringLiteral("rae-gateway"), fromMs,
                        value);
        engine->observe(QStringLiteral("probe.failed"), QStringLiteral("rae-gateway"),
                        fromMs + 11'000, value);
    };
    gatewayFails(0, 1);
    QCOMPARE(window.messageBar()->level(), MessageBar::Level::Error);
    QVERIFY2(window.messageBar()->text().startsWith(QLatin1String("rae-gateway: ")),
             qPrintable(window.messageBar()->text()));
    const QString raised = window.messageBar()->text();

    gatewayFails(20'000, 0);
    QCOMPARE(window.messageBar()->level(), MessageBar::Level::Info);
    QVERIFY2(window.messageBar()->text().startsWith(raised + QLatin1String(" (cleared at ")),
             qPrintable(window.messageBar()->text()));

    // Raised again, then something else takes the bar: the clearing leaves that message alone.
    gatewayFails(40'000, 1);
    QCOMPARE(window.messageBar()->text(), raised);
    window.openPlan(m_dir->filePath(QStringLiteral("missing.yaml")));
    const QString other = window.messageBar()->text();
    QVERIFY(other.contains(QLatin1String("missing.yaml")));
    gatewayFails(60'000, 0);
    QCOMPARE(window.messageBar()->text(), other);
}

void TestMainWindow::aClusterIsRemovedAfterAskingFirst()
{
    auto shared = services();
    // Never the desktop's keychain: the secret is kept for this run only.
    secrets::CredentialStore *store = shared->credentials();
    store->setSessionOnly(true);
    cluster::ClusterProfile profile;
    profile.name = QStringLiteral("lab");
    profile.endpoints = {QStringLiteral("https://pve1.lab.example:8006")};
    profile.user = QStringLiteral("deployer@pve");
    profile.tokenName = QStringLiteral("app");
    cluster::saveClusterProfile(*shared->settings(), profile);
    bool written = false;
    store->write(profile.name, profile.account(), QStringLiteral("secret-test-only"), this,
                 [&written](const secrets::SecretResult<Done> &result) { written = result.ok(); });
    QTRY_VERIFY(written);
    const auto secretKept = [this, store, &profile] {
        std::optional<bool> found;
        store->read(profile.name, profile.account(), this,
                    [&found](const secrets::SecretResult<QString> &read) { found = read.ok(); });
        return QTest::qWaitFor([&found] { return found.has_value(); }) && *found;
    };
    proxmox::PinStore pins(shared->settings(), profile.name);
    pins.pin(QStringLiteral("pve1.lab.example"), QString(64, QLatin1Char('a')));
    MainWindow window(shared.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    auto *menu = window.findChild<QMenu *>(QStringLiteral("removeClusterMenu"));
    QVERIFY(menu);
    const auto chooseLab = [&window, menu] {
        emit menu->aboutToShow();
        QAction *lab = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->text() == QLatin1String("lab"))
                lab = action;
        }
        if (!lab)
            return static_cast<QMessageBox *>(nullptr);
        lab->trigger();
        return window.findChild<QMessageBox *>();
    };
    // Cancel keeps it.
    QMessageBox *box = chooseLab();
    QVERIFY(box);
    QVERIFY(box->text().contains(QLatin1String("lab")));
    QVERIFY(box->informativeText().contains(QLatin1String("deployer@pve!app")));
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!window.findChild<QMessageBox *>());
    QCOMPARE(cluster::loadClusterProfiles(*shared->settings()).size(), 1);
    QCOMPARE(pins.fingerprints().size(), 1);
    QVERIFY(secretKept());

    // Remove forgets it and its pinned certificate: no longer listed, gone from the settings.
    box = chooseLab();
    QVERIFY(box);
    QAbstractButton *remove = nullptr;
    for (QAbstractButton *button : box->buttons()) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            remove = button;
    }
    QVERIFY(remove);
    remove->click();
    QVERIFY(cluster::loadClusterProfiles(*shared->settings()).isEmpty());
    QVERIFY(pins.fingerprints().isEmpty());
    QTRY_VERIFY(!secretKept());
    QTRY_VERIFY(!window.findChild<QMessageBox *>());
    QVERIFY(!chooseLab());
    QVERIFY(window.findChild<QMessageBox *>() == nullptr);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
