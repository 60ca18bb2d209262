#include "applicationservices.h"
#include "clustermodel.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "topologyitems.h"
#include "topologyscene.h"

#include <QAbstractItemModelTester>
#include <QFileInfo>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

// `rae-deploy --demo` against the real simulator over TLS: the reference cluster shows up in the
// tree and, in live mode, in the graph.
class TestLiveCluster final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void theDemoConnectsToTheReferenceCluster();
};

void TestLiveCluster::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("RAE_PVE_SIM")) {
        const QString built = QStringLiteral(RAE_BINARY_DIR "/src/sim/rae-pve-sim");
        if (!QFileInfo(built).isExecutable())
            QSKIP("rae-pve-sim is not built in this tree and RAE_PVE_SIM is not set");
        qputenv("RAE_PVE_SIM", built.toLocal8Bit());
    }
}

void TestLiveCluster::theDemoConnectsToTheReferenceCluster()
{
    QTemporaryDir dir;
    ApplicationServices services(
        std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")),
                                    QSettings::IniFormat),
        dir.filePath(QStringLiteral("recovery")));
    MainWindow window(&services);
    QAbstractItemModelTester tester(window.clusterModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(window.clusterProxy(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    window.startDemo();

    QTRY_VERIFY_WITH_TIMEOUT(window.clusterModel()->rowCount() == 1 ||
                                 window.messageBar()->level() == MessageBar::Level::Error,
                             30000);
    QVERIFY2(window.clusterModel()->rowCount() == 1, qPrintable(window.messageBar()->text()));
    const QModelIndex cluster = window.clusterModel()->index(0, 0);
    QCOMPARE(window.clusterModel()->rowCount(cluster), 3);
    QVERIFY(window.clusterModel()
                ->nodeIndex(cluster.data().toString(), QStringLiteral("pve3"))
                .isValid());
    QVERIFY(window.clusterModel()->guestIndex(cluster.data().toString(), 100).isValid());
    // The certificate was trusted for this run only: nothing was pinned in the real settings.
    QVERIFY(
        !services.settings()->allKeys().join(QLatin1Char(' ')).contains(QStringLiteral("pins")));

    window.setMode(MainWindow::Mode::Live);
    QCOMPARE(window.scene()->nodeItems().size(), 3);
    QVERIFY(window.scene()->tileItem(QStringLiteral("vm:100"))); // the bastion
    QVERIFY(window.scene()->nodeItem(QStringLiteral("pve1"))->node().online);

    window.setMode(MainWindow::Mode::Plan);
    QCOMPARE(window.scene()->topology().vms.size(), 7);
}

QTEST_MAIN(TestLiveCluster)
#include "tst_livecluster.moc"
