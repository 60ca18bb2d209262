// The Export dialog with a client connected to the simulator: the inventory is read through the
// client's event loop, the worker renders with it, and no output holds the password.
#include "simprocess.h"

#include "exportdialog.h"

#include "plan/planreader.h"
#include "proxmox/certificatetrust.h"
#include "proxmox/client.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace rae;

namespace {
const QString password = QStringLiteral("sim-deployer-password-test-only");
}

class TestExportCluster final : public QObject
{
    Q_OBJECT

private slots:
    void theClusterSectionsComeFromTheInventory();
};

void TestExportCluster::theClusterSectionsComeFromTheInventory()
{
    SimProcess sim;
    QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    proxmox::PinStore pins(&settings, QStringLiteral("lab"));
    proxmox::ProxmoxClient client(QStringLiteral("lab"),
                                  QList<QUrl>{QUrl(sim.value(QStringLiteral("url")))}, pins);
    client.setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                               std::function<void(bool)> decide) { decide(true); });
    QSignalSpy connected(&client, &proxmox::ProxmoxClient::connected);
    client.connectToCluster(
        proxmox::Credentials::password(QStringLiteral("deployer@pve"), password));
    QVERIFY(connected.wait(20000));

    auto read =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY(read.ok());
    gui::ExportDialog dialog(read.value(), QStringLiteral("reference.yaml"), nullptr);
    dialog.setCluster(QStringLiteral("lab"), {});
    dialog.setClient(&client);
    dialog.setFolder(dir.filePath(QStringLiteral("out")));
    dialog.setFormats({report::Format::Html, report::Format::Json});
    QSignalSpy finished(&dialog, &gui::ExportDialog::exportFinished);
    dialog.startExport();
    QVERIFY(dialog.isExporting());
    QVERIFY(finished.wait(60000));
    QVERIFY2(finished.first().first().toBool(), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.writtenFiles().size(), 2);

    QFile json(dir.filePath(QStringLiteral("out/rae-report.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QByteArray bytes = json.readAll();
    QVERIFY2(bytes.contains("\"source\": \"cluster\"") || bytes.contains("\"source\":\"cluster\""),
             "the report is built from the cluster's inventory");
    for (const QString &path : dialog.writtenFiles()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains(password.toUtf8()), qPrintable(path));
    }
}

QTEST_MAIN(TestExportCluster)
#include "tst_exportcluster.moc"
