#include "applicationservices.h"
#include "failurepreview.h"
#include "mainwindow.h"
#include "plandocument.h"
#include "topologyitems.h"
#include "topologyscene.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

// "Simulate failure" on a node of the reference plan, offscreen: the node greys out, its HA VMs
// get arrows to where the HA manager puts them, the LLM (GPU on pve3 only) is marked down, the
// survivors' bars show the load afterwards, and Esc ends it. The table lists every single-node
// failure with a verdict.
class TestFailureSimulation final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void theTableListsEveryNodeFailure();
    void failingANodeShowsRecoveriesLossesAndLoads();
    void escapeEndsTheSimulation();
    void liveModeEndsTheSimulation();

private:
    // Empty values when the scene lacks the item, so that a missing item fails a comparison.
    TopologyVm vmOf(const QString &key) const;
    TopologyNode nodeOf(const QString &name) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ApplicationServices> m_services;
    std::unique_ptr<MainWindow> m_window;
};

void TestFailureSimulation::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_services = std::make_unique<ApplicationServices>(
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("settings.ini")),
                                    QSettings::IniFormat),
        m_dir->filePath(QStringLiteral("recovery")));
    m_window = std::make_unique<MainWindow>(m_services.get());
    m_window->resize(1500, 950);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(
        m_window->openPlan(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml")).ok());
    QTRY_VERIFY(!m_window->isAnalysingFailures());
}

TopologyVm TestFailureSimulation::vmOf(const QString &key) const
{
    const VmTileItem *tile = m_window->scene()->tileItem(key);
    return tile ? tile->vm() : TopologyVm{};
}

TopologyNode TestFailureSimulation::nodeOf(const QString &name) const
{
    const NodeItem *node = m_window->scene()->nodeItem(name);
    return node ? node->node() : TopologyNode{};
}

void TestFailureSimulation::cleanup()
{
    m_window.reset();
    m_services.reset();
    m_dir.reset();
}

void TestFailureSimulation::theTableListsEveryNodeFailure()
{
    FailureTableModel *model = m_window->failureModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->index(0, FailureTableModel::NodeColumn).data().toString(),
             QStringLiteral("pve1"));
    // pve3 holds the only GPU: its failure takes the LLM down, and the verdict says so.
    const int pve3 = model->rowOfNode(QStringLiteral("pve3"));
    QVERIFY(pve3 >= 0);
    QVERIFY(model->index(pve3, FailureTableModel::VerdictColumn)
                .data()
                .toString()
                .contains(QStringLiteral("LLM"), Qt::CaseInsensitive));
    QCOMPARE(model->index(pve3, 0).data(FailureTableModel::SeverityRole).toInt(),
             int(ha::ImpactSeverity::Critical));
}

void TestFailureSimulation::failingANodeShowsRecoveriesLossesAndLoads()
{
    TopologyScene *scene = m_window->scene();
    const QString before = nodeOf(QStringLiteral("pve1")).cpuText;
    scene->setFocusItem(scene->nodeItem(QStringLiteral("pve3")));
    m_window->simulateFailureAction()->trigger();
    QCOMPARE(m_window->simulatedFailure(), QStringLiteral("pve3"));

    QVERIFY(nodeOf(QStringLiteral("pve3")).simulatedDown);
    QVERIFY(!nodeOf(QStringLiteral("pve1")).simulatedDown);
    // rae-redis and rae-gateway are HA-managed on shared storage: they recover elsewhere.
    const TopologyVm redis = vmOf(QStringLiteral("rae-redis"));
    QVERIFY(redis.recoversTo == QLatin1String("pve1") || redis.recoversTo == QLatin1String("pve2"));
    QVERIFY(!redis.lost);
    QVERIFY(vmOf(QStringLiteral("rae-gateway")).failureNote.startsWith(QStringLiteral("→")));
    QCOMPARE(scene->recoveryArrowCount(), 2);
    // The LLM needs the GPU mapping that exists on pve3 only.
    QVERIFY(vmOf(QStringLiteral("rae-llm")).lost);
    // The survivors show their load afterwards.
    const QString after = nodeOf(QStringLiteral("pve1")).cpuText;
    QVERIFY2(after != before && after.startsWith(QStringLiteral("after")), qPrintable(after));
    if (const QString dir = qEnvironmentVariable("RAE_GUI_SCREENSHOTS"); !dir.isEmpty())
        m_window->grab().save(dir + QStringLiteral("/simulate-failure.png"));
    // VMs elsewhere are untouched.
    QVERIFY(vmOf(QStringLiteral("rae-db")).failureNote.isEmpty());
}

void TestFailureSimulation::escapeEndsTheSimulation()
{
    m_window->simulateFailure(QStringLiteral("pve1"));
    QVERIFY(m_window->scene()->recoveryArrowCount() > 0);
    m_window->activateWindow();
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QVERIFY(m_window->simulatedFailure().isEmpty());
    QCOMPARE(m_window->scene()->recoveryArrowCount(), 0);
    QVERIFY(!nodeOf(QStringLiteral("pve1")).simulatedDown);
    QVERIFY(!m_window->simulateFailureAction()->isChecked());
}

void TestFailureSimulation::liveModeEndsTheSimulation()
{
    m_window->simulateFailure(QStringLiteral("pve2"));
    m_window->setMode(MainWindow::Mode::Live);
    QVERIFY(m_window->simulatedFailure().isEmpty());
    QVERIFY(!m_window->simulateFailureAction()->isEnabled());
}

QTEST_MAIN(TestFailureSimulation)
#include "tst_failuresimulation.moc"
