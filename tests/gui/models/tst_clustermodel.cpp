#include "clustermodel.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTreeView>

using namespace rae;
using namespace rae::gui;

namespace {

cluster::Resources makeCluster(int nodes, int guestsPerNode)
{
    cluster::Resources resources;
    for (int n = 0; n < nodes; ++n) {
        cluster::NodeResource node;
        node.name = QStringLiteral("pve%1").arg(n + 1);
        node.status = cluster::NodeStatus::Online;
        node.cpu = 0.1;
        node.maxCpu = 64;
        node.memoryUsed = 100ull << 30;
        node.memoryTotal = 512ull << 30;
        resources.nodes.append(node);
        for (int g = 0; g < guestsPerNode; ++g) {
            cluster::GuestResource guest;
            guest.vmid = 100 + n * 1000 + g;
            guest.name = QStringLiteral("vm-%1").arg(guest.vmid);
            guest.node = node.name;
            guest.status = cluster::GuestStatus::Running;
            guest.reportedStatus = QStringLiteral("running");
            guest.cpu = 0.05;
            guest.maxCpu = 4;
            guest.memoryUsed = 2ull << 30;
            guest.memoryTotal = 8ull << 30;
            resources.guests.append(guest);
        }
    }
    return resources;
}

cluster::GuestResource *guestOf(cluster::Resources &resources, int vmid)
{
    for (cluster::GuestResource &guest : resources.guests) {
        if (guest.vmid == vmid)
            return &guest;
    }
    return nullptr;
}

// Every signal a model can emit, counted.
struct ModelSignals
{
    explicit ModelSignals(QAbstractItemModel *model)
        : dataChanged(model, &QAbstractItemModel::dataChanged)
        , rowsInserted(model, &QAbstractItemModel::rowsInserted)
        , rowsRemoved(model, &QAbstractItemModel::rowsRemoved)
        , rowsMoved(model, &QAbstractItemModel::rowsMoved)
        , layoutChanged(model, &QAbstractItemModel::layoutChanged)
        , modelReset(model, &QAbstractItemModel::modelReset)
        , aboutToInsert(model, &QAbstractItemModel::rowsAboutToBeInserted)
        , aboutToRemove(model, &QAbstractItemModel::rowsAboutToBeRemoved)
        , aboutToMove(model, &QAbstractItemModel::rowsAboutToBeMoved)
        , aboutToLayout(model, &QAbstractItemModel::layoutAboutToBeChanged)
        , aboutToReset(model, &QAbstractItemModel::modelAboutToBeReset)
    {}
    int total() const
    {
        return int(dataChanged.count() + rowsInserted.count() + rowsRemoved.count() +
                   rowsMoved.count() + layoutChanged.count() + modelReset.count() +
                   aboutToInsert.count() + aboutToRemove.count() + aboutToMove.count() +
                   aboutToLayout.count() + aboutToReset.count());
    }
    QSignalSpy dataChanged, rowsInserted, rowsRemoved, rowsMoved, layoutChanged, modelReset,
        aboutToInsert, aboutToRemove, aboutToMove, aboutToLayout, aboutToReset;
};

} // namespace

class TestClusterModel final : public QObject
{
    Q_OBJECT

private slots:
    void theTreeHasClustersNodesAndGuests();
    void anUnchangedRefreshEmitsNothing();
    void changesTouchOnlyTheirCells_data();
    void changesTouchOnlyTheirCells();
    void aMigratedGuestMovesWithItsSelection();
    void guestsComeAndGo();
    void nodesComeAndGo();
    void theProxySortsAndFilters();
    void thePlanNamesRoles();
    void selectionAndExpansionSurviveRefreshesInAView();
};

void TestClusterModel::theTreeHasClustersNodesAndGuests()
{
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(QStringLiteral("prod"), makeCluster(3, 4));
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex prod = model.clusterIndex(QStringLiteral("prod"));
    QCOMPARE(model.rowCount(prod), 3);
    const QModelIndex pve2 = model.nodeIndex(QStringLiteral("prod"), QStringLiteral("pve2"));
    QCOMPARE(model.rowCount(pve2), 4);
    const QModelIndex guest = model.guestIndex(QStringLiteral("prod"), 1101);
    QCOMPARE(guest.parent(), pve2);
    QCOMPARE(guest.data().toString(), QStringLiteral("vm-1101 (1101)"));
    QCOMPARE(guest.siblingAtColumn(ClusterModel::StatusColumn).data().toString(),
             QStringLiteral("running"));
    QCOMPARE(guest.siblingAtColumn(ClusterModel::CpuColumn).data().toString(),
             QStringLiteral("5%"));
    model.setSnapshot(QStringLiteral("lab"), makeCluster(1, 1));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("lab"));
}

void TestClusterModel::anUnchangedRefreshEmitsNothing()
{
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setRecursiveFilteringEnabled(true);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    const cluster::Resources resources = makeCluster(4, 50);
    model.setSnapshot(QStringLiteral("prod"), resources);

    ModelSignals source(&model);
    ModelSignals proxied(&proxy);
    model.setSnapshot(QStringLiteral("prod"), resources);
    model.setSnapshot(QStringLiteral("prod"), cluster::Resources(resources)); // a fresh copy
    QCOMPARE(source.total(), 0);
    QCOMPARE(proxied.total(), 0);
}

void TestClusterModel::changesTouchOnlyTheirCells_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<std::function<void(cluster::GuestResource &)>>("change");

    QTest::newRow("a guest's CPU use changes the CPU cell")
        << int(ClusterModel::CpuColumn)
        << std::function<void(cluster::GuestResource &)>(
               [](cluster::GuestResource &g) { g.cpu = 0.5; });
    QTest::newRow("a guest's memory use changes the memory cell")
        << int(ClusterModel::MemoryColumn)
        << std::function<void(cluster::GuestResource &)>(
               [](cluster::GuestResource &g) { g.memoryUsed = 5ull << 30; });
    QTest::newRow("a stopped guest changes the status cell")
        << int(ClusterModel::StatusColumn)
        << std::function<void(cluster::GuestResource &)>([](cluster::GuestResource &g) {
               g.status = cluster::GuestStatus::Stopped;
               g.reportedStatus = QStringLiteral("stopped");
           });
    QTest::newRow("a new HA state changes the HA cell")
        << int(ClusterModel::HaStateColumn)
        << std::function<void(cluster::GuestResource &)>(
               [](cluster::GuestResource &g) { g.haState = QStringLiteral("started"); });
    QTest::newRow("a renamed guest changes the name cell")
        << int(ClusterModel::NameColumn)
        << std::function<void(cluster::GuestResource &)>(
               [](cluster::GuestResource &g) { g.name = QStringLiteral("renamed"); });
}

void TestClusterModel::changesTouchOnlyTheirCells()
{
    QFETCH(int, column);
    QFETCH(std::function<void(cluster::GuestResource &)>, change);
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cluster::Resources resources = makeCluster(2, 10);
    model.setSnapshot(QStringLiteral("prod"), resources);

    change(*guestOf(resources, 1105));
    ModelSignals spies(&model);
    model.setSnapshot(QStringLiteral("prod"), resources);
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.dataChanged.count(), 1);
    const QModelIndex from = spies.dataChanged.first().at(0).value<QModelIndex>();
    const QModelIndex to = spies.dataChanged.first().at(1).value<QModelIndex>();
    QCOMPARE(from, model.guestIndex(QStringLiteral("prod"), 1105).siblingAtColumn(column));
    QCOMPARE(to, from);
}

void TestClusterModel::aMigratedGuestMovesWithItsSelection()
{
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cluster::Resources resources = makeCluster(3, 5);
    model.setSnapshot(QStringLiteral("prod"), resources);
    QItemSelectionModel selection(&model);
    selection.select(model.guestIndex(QStringLiteral("prod"), 102),
                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const QPersistentModelIndex persistent = model.guestIndex(QStringLiteral("prod"), 102);

    guestOf(resources, 102)->node = QStringLiteral("pve3");
    ModelSignals spies(&model);
    model.setSnapshot(QStringLiteral("prod"), resources);
    QCOMPARE(spies.rowsMoved.count(), 1);
    QCOMPARE(spies.rowsInserted.count(), 0);
    QCOMPARE(spies.rowsRemoved.count(), 0);
    QCOMPARE(persistent.parent(), model.nodeIndex(QStringLiteral("prod"), QStringLiteral("pve3")));
    QCOMPARE(persistent.data(ClusterModel::VmidRole).toInt(), 102);
    QVERIFY(selection.isRowSelected(persistent.row(), persistent.parent()));
    // Guests stay in vmid order on their new node.
    const QModelIndex pve3 = model.nodeIndex(QStringLiteral("prod"), QStringLiteral("pve3"));
    QCOMPARE(model.index(0, 0, pve3).data(ClusterModel::VmidRole).toInt(), 102);
}

void TestClusterModel::guestsComeAndGo()
{
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cluster::Resources resources = makeCluster(2, 6);
    model.setSnapshot(QStringLiteral("prod"), resources);

    // Remove two neighbours and one more, add three new guests between and after old ones.
    resources.guests.removeIf([](const cluster::GuestResource &g) {
        return g.vmid == 101 || g.vmid == 102 || g.vmid == 104;
    });
    for (int vmid : {150, 151, 99}) {
        cluster::GuestResource guest = resources.guests.first();
        guest.vmid = vmid;
        guest.name = QStringLiteral("new-%1").arg(vmid);
        resources.guests.append(guest);
    }
    ModelSignals spies(&model);
    model.setSnapshot(QStringLiteral("prod"), resources);
    QCOMPARE(spies.rowsRemoved.count(), 2);  // 101-102 as one run, 104 alone
    QCOMPARE(spies.rowsInserted.count(), 2); // 99 in front, 150-151 at the end
    QCOMPARE(spies.dataChanged.count(), 0);
    const QModelIndex pve1 = model.nodeIndex(QStringLiteral("prod"), QStringLiteral("pve1"));
    QList<int> vmids;
    for (int row = 0; row < model.rowCount(pve1); ++row)
        vmids.append(model.index(row, 0, pve1).data(ClusterModel::VmidRole).toInt());
    QCOMPARE(vmids, (QList<int>{99, 100, 103, 105, 150, 151}));
}

void TestClusterModel::nodesComeAndGo()
{
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cluster::Resources resources = makeCluster(3, 2);
    model.setSnapshot(QStringLiteral("prod"), resources);
    resources.nodes.removeAt(1); // pve2 leaves with its guests
    resources.guests.removeIf(
        [](const cluster::GuestResource &g) { return g.node == QLatin1String("pve2"); });
    cluster::NodeResource pve0 = resources.nodes.first();
    pve0.name = QStringLiteral("pve0");
    resources.nodes.append(pve0);
    model.setSnapshot(QStringLiteral("prod"), resources);
    const QModelIndex prod = model.clusterIndex(QStringLiteral("prod"));
    QCOMPARE(model.rowCount(prod), 3);
    QCOMPARE(model.index(0, 0, prod).data().toString(), QStringLiteral("pve0"));
    QVERIFY(!model.nodeIndex(QStringLiteral("prod"), QStringLiteral("pve2")).isValid());

    model.removeCluster(QStringLiteral("prod"));
    QCOMPARE(model.rowCount(), 0);
}

void TestClusterModel::theProxySortsAndFilters()
{
    ClusterModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setRecursiveFilteringEnabled(true);
    proxy.setFilterKeyColumn(-1);
    proxy.setSortRole(ClusterModel::SortRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cluster::Resources resources = makeCluster(2, 5);
    guestOf(resources, 103)->cpu = 0.9;
    model.setSnapshot(QStringLiteral("prod"), resources);
    proxy.sort(ClusterModel::CpuColumn, Qt::DescendingOrder);
    const QModelIndex pve1 = proxy.index(0, 0, proxy.index(0, 0));
    QCOMPARE(proxy.index(0, 0, pve1).data(ClusterModel::VmidRole).toInt(), 103);

    proxy.setFilterFixedString(QStringLiteral("vm-1102"));
    QCOMPARE(proxy.rowCount(proxy.index(0, 0)), 1); // only pve2 keeps a match
    QCOMPARE(proxy.rowCount(proxy.index(0, 0, proxy.index(0, 0))), 1);

    // Polling under a filter and a sort is still a diff.
    guestOf(resources, 1102)->cpu = 0.4;
    model.setSnapshot(QStringLiteral("prod"), resources);
    QCOMPARE(proxy.rowCount(proxy.index(0, 0, proxy.index(0, 0))), 1);
}

void TestClusterModel::thePlanNamesRoles()
{
    ClusterModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cluster::Resources resources = makeCluster(1, 3);
    guestOf(resources, 102)->tags = {QStringLiteral("rae-redis")};
    model.setSnapshot(QStringLiteral("prod"), resources);
    QCOMPARE(model.guestIndex(QStringLiteral("prod"), 102)
                 .siblingAtColumn(ClusterModel::RoleColumn)
                 .data()
                 .toString(),
             QStringLiteral("Redis"));

    plan::Plan plan;
    plan::Vm vm;
    vm.name = QStringLiteral("rae-db");
    vm.vmid = 101;
    vm.role = plan::Role::Db;
    plan.vms.append(vm);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setPlan(plan);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.guestIndex(QStringLiteral("prod"), 101)
                 .siblingAtColumn(ClusterModel::RoleColumn)
                 .data()
                 .toString(),
             QStringLiteral("database"));
    model.setPlan(plan);
    QCOMPARE(changed.count(), 1);
}

void TestClusterModel::selectionAndExpansionSurviveRefreshesInAView()
{
    ClusterModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QTreeView view;
    view.setModel(&proxy);
    view.setSortingEnabled(true);
    cluster::Resources resources = makeCluster(2, 30);
    model.setSnapshot(QStringLiteral("prod"), resources);
    view.expandAll();
    const QModelIndex guest = proxy.mapFromSource(model.guestIndex(QStringLiteral("prod"), 1110));
    view.selectionModel()->select(guest,
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view.setCurrentIndex(guest);

    for (int round = 0; round < 5; ++round) {
        for (cluster::GuestResource &g : resources.guests)
            g.cpu = 0.01 * round;
        model.setSnapshot(QStringLiteral("prod"), resources);
    }
    QCOMPARE(view.currentIndex().data(ClusterModel::VmidRole).toInt(), 1110);
    QVERIFY(view.isExpanded(
        proxy.mapFromSource(model.nodeIndex(QStringLiteral("prod"), QStringLiteral("pve2")))));
    QCOMPARE(view.selectionModel()->selectedRows().size(), 1);
}

QTEST_MAIN(TestClusterModel)
#include "tst_clustermodel.moc"
