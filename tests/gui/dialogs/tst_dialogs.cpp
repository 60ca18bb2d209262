#include "addclusterdialog.h"
#include "certificatedialog.h"
#include "changedcertificatedialog.h"
#include "messagebar.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

using namespace rae;
using namespace rae::gui;

class TestDialogs final : public QObject
{
    Q_OBJECT

private slots:
    void theCertificateDialogShowsTheFacts();
    void theCertificateDialogAccepts();
    void theCertificateDialogRefusesByDefault();
    void aChangedCertificateNeedsConfirmation();
    void addClusterNamesWhatIsMissing_data();
    void addClusterNamesWhatIsMissing();
    void theMessageBarRunsItsAction();

private:
    static proxmox::CertificateFacts facts();
};

proxmox::CertificateFacts TestDialogs::facts()
{
    proxmox::CertificateFacts facts;
    facts.subject = QStringLiteral("CN=pve1.example.internal");
    facts.issuer = QStringLiteral("CN=Proxmox Virtual Environment");
    facts.subjectAltNames = {QStringLiteral("pve1.example.internal"), QStringLiteral("192.0.2.11")};
    facts.notBefore = QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
    facts.notAfter = QDateTime(QDate(2027, 1, 1), QTime(0, 0), Qt::UTC);
    facts.fingerprint = QStringLiteral("AA:BB:CC:DD");
    return facts;
}

void TestDialogs::theCertificateDialogShowsTheFacts()
{
    CertificateDialog dialog(facts(), QUrl(QStringLiteral("https://pve1.example.internal:8006")));
    const auto *fingerprint = dialog.findChild<QLabel *>(QStringLiteral("fingerprint"));
    QVERIFY(fingerprint);
    QCOMPARE(fingerprint->text(), QStringLiteral("AA:BB:CC:DD"));
    bool subjectShown = false;
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        subjectShown = subjectShown || label->text() == QLatin1String("CN=pve1.example.internal");
    QVERIFY(subjectShown);
}

void TestDialogs::theCertificateDialogAccepts()
{
    CertificateDialog dialog(facts(), QUrl(QStringLiteral("https://pve1:8006")));
    QSignalSpy finished(&dialog, &QDialog::finished);
    dialog.open();
    QTest::mouseClick(dialog.trustButton(), Qt::LeftButton);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().first().toInt(), int(QDialog::Accepted));
}

void TestDialogs::theCertificateDialogRefusesByDefault()
{
    CertificateDialog dialog(facts(), QUrl(QStringLiteral("https://pve1:8006")));
    QSignalSpy finished(&dialog, &QDialog::finished);
    dialog.open();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.refuseButton()->isDefault());
    QTest::keyClick(&dialog, Qt::Key_Return); // the default button
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().first().toInt(), int(QDialog::Rejected));
}

void TestDialogs::aChangedCertificateNeedsConfirmation()
{
    ChangedCertificateDialog dialog(QStringLiteral("pve1"), QStringLiteral("AA:AA"),
                                    QStringLiteral("BB:BB"));
    QSignalSpy finished(&dialog, &QDialog::finished);
    dialog.open();
    QVERIFY(!dialog.forgetButton()->isEnabled());
    dialog.verifiedCheck()->setChecked(true);
    QVERIFY(dialog.forgetButton()->isEnabled());
    QTest::mouseClick(dialog.forgetButton(), Qt::LeftButton);
    QCOMPARE(finished.first().first().toInt(), int(QDialog::Accepted));
}

void TestDialogs::addClusterNamesWhatIsMissing_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("endpoints");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("problem"); // a word the problem must contain; empty: accepted

    QTest::newRow("a complete token profile is accepted") << "prod"
                                                          << "https://pve1:8006\nhttps://pve2:8006"
                                                          << "deployer@pve"
                                                          << "app"
                                                          << "";
    QTest::newRow("a cluster needs a name") << ""
                                            << "https://pve1:8006"
                                            << "deployer@pve"
                                            << "app"
                                            << "name";
    QTest::newRow("plain http is not an endpoint") << "prod"
                                                   << "http://pve1:8006"
                                                   << "deployer@pve"
                                                   << "app"
                                                   << "https";
    QTest::newRow("a user needs a realm") << "prod"
                                          << "https://pve1:8006"
                                          << "deployer"
                                          << "app"
                                          << "realm";
    QTest::newRow("a token needs its ID") << "prod"
                                          << "https://pve1:8006"
                                          << "deployer@pve"
                                          << ""
                                          << "ID";
}

void TestDialogs::addClusterNamesWhatIsMissing()
{
    QFETCH(QString, name);
    QFETCH(QString, endpoints);
    QFETCH(QString, user);
    QFETCH(QString, token);
    QFETCH(QString, problem);

    AddClusterDialog dialog;
    rae::cluster::ClusterProfile profile;
    profile.name = name;
    profile.endpoints = endpoints.split(QLatin1Char('\n'));
    profile.user = user;
    profile.tokenName = token;
    dialog.setProfile(profile);
    auto *secret = dialog.findChild<QLineEdit *>(QStringLiteral("secretEdit"));
    QVERIFY(secret);
    QTest::keyClicks(secret, QStringLiteral("s3cret"));

    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.accept();
    if (problem.isEmpty()) {
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(dialog.profile(), profile);
        QCOMPARE(dialog.profile().account(), QStringLiteral("deployer@pve!app"));
    } else {
        QCOMPARE(accepted.count(), 0);
        QVERIFY2(dialog.problem().contains(problem), qPrintable(dialog.problem()));
    }
}

void TestDialogs::theMessageBarRunsItsAction()
{
    QWidget parent;
    MessageBar bar(&parent);
    parent.show();
    bool ran = false;
    bar.showMessage(MessageBar::Level::Error, QStringLiteral("Could not connect."),
                    QStringLiteral("Try Again"), [&ran] { ran = true; });
    QCOMPARE(bar.text(), QStringLiteral("Could not connect."));
    auto buttons = bar.findChildren<QPushButton *>();
    QCOMPARE(buttons.size(), 1);
    QTest::mouseClick(buttons.first(), Qt::LeftButton);
    QVERIFY(ran);
    QVERIFY(bar.isHidden());
}

QTEST_MAIN(TestDialogs)
#include "tst_dialogs.moc"
