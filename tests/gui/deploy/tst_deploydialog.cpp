// The Deploy dialog against the real simulator over TLS: the preview lists the plan's VMs, Apply
// runs every action to the end with the progress bar full, a second preview has nothing to do,
// and a failed task leaves the failure in view with Resume offered, which then finishes the job.
#include "simprocess.h"

#include "deploydialog.h"
#include "scriptsdialog.h"

#include "deploy/deployment.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "secrets/credentialstore.h"

#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace rae;

namespace {

class Connection
{
public:
    bool start()
    {
        if (!m_sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml"),
                         {QStringLiteral("--time-scale"), QStringLiteral("100")}))
            return false;
        m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("pins.ini")),
                                                 QSettings::IniFormat);
        m_pins = std::make_unique<proxmox::PinStore>(m_settings.get(), QStringLiteral("lab"));
        m_client = std::make_unique<proxmox::ProxmoxClient>(
            QStringLiteral("lab"), QList<QUrl>{QUrl(m_sim.value(QStringLiteral("url")))}, *m_pins);
        m_client->setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                                      std::function<void(bool)> decide) { decide(true); });
        QSignalSpy connected(m_client.get(), &proxmox::ProxmoxClient::connected);
        m_client->connectToCluster(proxmox::Credentials::password(
            QStringLiteral("deployer@pve"), QStringLiteral("sim-deployer-password-test-only")));
        if (!connected.wait(20000))
            return false;
        m_store.setSessionOnly(true);
        auto read =
            plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
        if (!read.ok())
            return false;
        m_plan = read.value();
        return true;
    }

    std::unique_ptr<gui::DeployDialog> dialog(gui::DeployDialog::Start start)
    {
        auto dialog = std::make_unique<gui::DeployDialog>(
            m_client.get(), &m_store, m_plan,
            QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"), start);
        deploy::DeploymentOptions options;
        options.journalDir = m_dir.filePath(QStringLiteral("journals"));
        options.executor.tasks.firstInterval = std::chrono::milliseconds(50);
        options.executor.tasks.maxInterval = std::chrono::milliseconds(300);
        options.executor.agentFirstInterval = std::chrono::milliseconds(100);
        options.executor.agentMaxInterval = std::chrono::milliseconds(400);
        options.executor.execPollInterval = std::chrono::milliseconds(100);
        dialog->setOptions(options);
        dialog->show();
        return dialog;
    }

    SimProcess &sim() { return m_sim; }
    const plan::Plan &plan() const { return m_plan; }

private:
    SimProcess m_sim;
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<proxmox::PinStore> m_pins;
    std::unique_ptr<proxmox::ProxmoxClient> m_client;
    secrets::CredentialStore m_store;
    plan::Plan m_plan;
};

QStringList topLevelNames(const QTreeWidget *tree)
{
    QStringList names;
    for (int row = 0; row < tree->topLevelItemCount(); ++row)
        names.append(tree->topLevelItem(row)->text(2));
    return names;
}

} // namespace

class TestDeployDialog final : public QObject
{
    Q_OBJECT

private slots:
    void previewThenApplyThenNothingToDo()
    {
        Connection connection;
        QVERIFY(connection.start());

        auto first = connection.dialog(gui::DeployDialog::Start::Apply);
        first->begin();
        QTRY_VERIFY_WITH_TIMEOUT(first->applyButton()->isEnabled(), 30000);
        const QStringList objects = topLevelNames(first->previewTree());
        for (const plan::Vm &vm : connection.plan().vms)
            QVERIFY2(objects.contains(vm.name), qPrintable(vm.name));
        QVERIFY2(first->statusText().contains(QLatin1String("to create")),
                 qPrintable(first->statusText()));

        // The preview offers what will run on the VMs before anything runs.
        QVERIFY(first->scriptsButton()->isVisible());
        QTest::mouseClick(first->scriptsButton(), Qt::LeftButton);
        QTRY_VERIFY(first->scriptsDialog() != nullptr);
        gui::ScriptsDialog *scripts = first->scriptsDialog();
        QTRY_VERIFY(scripts->isVisible());
        QCOMPARE(scripts->vmList()->count(), connection.plan().vms.size());
        scripts->selectVm(QStringLiteral("rae-db"));
        QVERIFY(scripts->textView()->toPlainText().contains(QLatin1String("pg_hba")));
        scripts->reject();
        QTRY_VERIFY(first->scriptsDialog() == nullptr);

        QSignalSpy finished(first.get(), &gui::DeployDialog::runFinished);
        QTest::mouseClick(first->applyButton(), Qt::LeftButton);
        QVERIFY(first->isRunning());
        QVERIFY(first->stopButton()->isVisible());
        QVERIFY(!first->scriptsButton()->isVisible());
        // Closing while actions run is refused with a reason, not a silent abandon.
        first->reject();
        QVERIFY(first->isVisible());
        QVERIFY(finished.wait(180000));
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(first->progressBar()->value(), first->progressBar()->maximum());
        QVERIFY(first->actionTree()->topLevelItemCount() > 0);
        for (int row = 0; row < first->actionTree()->topLevelItemCount(); ++row)
            QCOMPARE(first->actionTree()->topLevelItem(row)->text(1), QStringLiteral("done"));
        QVERIFY(!first->resumeButton()->isVisible());
        first->reject();
        QVERIFY(!first->isVisible());

        auto second = connection.dialog(gui::DeployDialog::Start::Apply);
        second->begin();
        QTRY_VERIFY_WITH_TIMEOUT(second->statusText().contains(QLatin1String("Nothing to do")),
                                 30000);
        QVERIFY(!second->applyButton()->isEnabled());
    }

    void aFailedTaskOffersResume()
    {
        Connection connection;
        QVERIFY(connection.start());
        QCOMPARE(connection.sim()
                     .control(QStringLiteral("fail-tasks"),
                              R"({"type":"qmstart","count":1,"message":"injected: no start"})")
                     .status,
                 200);

        auto dialog = connection.dialog(gui::DeployDialog::Start::Apply);
        dialog->begin();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->applyButton()->isEnabled(), 30000);
        QSignalSpy finished(dialog.get(), &gui::DeployDialog::runFinished);
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QVERIFY(finished.wait(180000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY2(dialog->statusText().contains(QLatin1String("injected: no start")),
                 qPrintable(dialog->statusText()));
        QVERIFY(dialog->resumeButton()->isVisible());

        // Resume previews what is left, then finishes it.
        QTest::mouseClick(dialog->resumeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->applyButton()->isEnabled(), 30000);
        finished.clear();
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.first().first().toBool(), qPrintable(dialog->statusText()));
    }
};

QTEST_MAIN(TestDeployDialog)
#include "tst_deploydialog.moc"
