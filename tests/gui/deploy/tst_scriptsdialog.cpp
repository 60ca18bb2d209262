// The Scripts dialog on the reference plan: every VM listed, the database's script shown with its
// pg_hba block, an API VM's masked .env below its script, and Export (button and Ctrl+S) writing
// the same files as `rae-deploy-cli scripts --out` into the folder chosen.
#include "scriptsdialog.h"

#include "plan/planreader.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;

class TestScriptsDialog final : public QObject
{
    Q_OBJECT

private:
    plan::Plan m_plan;

private slots:
    void initTestCase()
    {
        auto read =
            plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
        QVERIFY(read.ok());
        m_plan = read.value();
    }

    void theSelectedVmsScriptIsShown()
    {
        gui::ScriptsDialog dialog(m_plan);
        dialog.show();
        dialog.activateWindow(); // without a window manager (bare Xvfb) nothing else does
        QVERIFY(QTest::qWaitForWindowActive(&dialog));

        QCOMPARE(dialog.vmList()->count(), m_plan.vms.size());
        QCOMPARE(dialog.vmList()->item(0)->text(), m_plan.vms.first().name);
        QVERIFY(dialog.textView()->isReadOnly());

        dialog.selectVm(QStringLiteral("rae-db"));
        const QString db = dialog.textView()->toPlainText();
        QVERIFY2(db.startsWith(QLatin1String(
                     "# rae-db (101) on pve1, role database: /root/rae-provision.sh\n")),
                 qPrintable(db.left(200)));
        QVERIFY(db.contains(QLatin1String("pg_hba")));
        QVERIFY(!db.contains(QLatin1String("/opt/rae/.env\n")));

        dialog.selectVm(QStringLiteral("rae-api-1"));
        const QString api = dialog.textView()->toPlainText();
        QVERIFY(api.contains(QLatin1String("docker-compose up -d")));
        QVERIFY(api.contains(QLatin1String("role API: /opt/rae/.env\n")));
        QVERIFY(api.contains(QLatin1String("DATABASE_URL=postgresql://rae_user:********@")));

        // The list has the focus first, so the arrow keys move between VMs at once.
        QCOMPARE(QApplication::focusWidget(), dialog.vmList());
        QTest::keyClick(dialog.vmList(), Qt::Key_Down);
        QCOMPARE(dialog.vmList()->currentItem()->text(), QStringLiteral("rae-api-2"));
        QVERIFY(dialog.textView()->toPlainText().startsWith(QLatin1String("# rae-api-2 ")));
    }

    void exportWritesEveryFileIntoTheChosenFolder()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString folder = temp.filePath(QStringLiteral("scripts"));
        gui::ScriptsDialog dialog(m_plan);
        int asked = 0;
        dialog.setFolderChooser([&](QWidget *, const QString &) {
            ++asked;
            return folder;
        });
        dialog.show();
        dialog.activateWindow(); // without a window manager (bare Xvfb) nothing else does
        QVERIFY(QTest::qWaitForWindowActive(&dialog));

        QTest::mouseClick(dialog.exportButton(), Qt::LeftButton);
        QCOMPARE(asked, 1);
        for (const plan::Vm &vm : m_plan.vms)
            QVERIFY2(QFileInfo::exists(QDir(folder).filePath(vm.name + QStringLiteral(".sh"))),
                     qPrintable(vm.name));
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("rae-api-1.env"))));
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("rae-api-2.env"))));
        QCOMPARE(QDir(folder).entryList(QDir::Files).size(), 9);
        QVERIFY2(dialog.statusText().contains(QLatin1String("9")), qPrintable(dialog.statusText()));

        // Ctrl+S does the same; a cancelled choice writes nothing and says nothing.
        QVERIFY(QFile::remove(QDir(folder).filePath(QStringLiteral("rae-db.sh"))));
        QTest::keyClick(&dialog, Qt::Key_S, Qt::ControlModifier);
        QCOMPARE(asked, 2);
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("rae-db.sh"))));
        dialog.setFolderChooser([](QWidget *, const QString &) { return QString(); });
        QVERIFY(QFile::remove(QDir(folder).filePath(QStringLiteral("rae-db.sh"))));
        QTest::keyClick(&dialog, Qt::Key_S, Qt::ControlModifier);
        QVERIFY(!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("rae-db.sh"))));

        // RAE_SCREENSHOT_DIR=/some/folder keeps a picture of the dialog for a person to look at.
        const QString shots = qEnvironmentVariable("RAE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            dialog.selectVm(QStringLiteral("rae-api-1"));
            QCoreApplication::processEvents(); // the text view lays out its new text first
            QVERIFY(dialog.grab().save(QDir(shots).filePath(QStringLiteral("scripts.png"))));
        }
    }

    void aFolderThatCannotBeWrittenIsSaidInTheStatusLine()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString file = temp.filePath(QStringLiteral("a-file"));
        {
            QFile plain(file);
            QVERIFY(plain.open(QIODevice::WriteOnly));
        }
        gui::ScriptsDialog dialog(m_plan);
        dialog.setFolderChooser([&](QWidget *, const QString &) { return file; });
        dialog.show();
        dialog.exportFiles();
        QVERIFY2(dialog.statusText().contains(file), qPrintable(dialog.statusText()));
    }
};

QTEST_MAIN(TestScriptsDialog)
#include "tst_scriptsdialog.moc"
