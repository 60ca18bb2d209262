#include "topology.h"
#include "topologyitems.h"
#include "topologyscene.h"

#include "plan/planreader.h"

#include <QSignalSpy>
#include <QTest>

using namespace rae;
using namespace rae::gui;

// The scene applies topologies as diffs: same items, stable places, edges for the dependencies.
class TestTopologyScene final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void thePlanShowsEveryNodeAndVm();
    void dependencyEdgesFollowTheRoles();
    void anUnchangedTopologyKeepsEveryItem();
    void aChangedFigureDoesNotMoveTiles();
    void aMovedVmChangesOnlyItsNodes();
    void liveGuestsBecomeTiles();
    void dragPayloadsRoundTrip();

private:
    plan::Plan m_plan;
};

void TestTopologyScene::initTestCase()
{
    auto read =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY(read.ok());
    m_plan = *read;
}

void TestTopologyScene::thePlanShowsEveryNodeAndVm()
{
    TopologyScene scene;
    scene.setTopology(topologyFromPlan(m_plan, {}));
    QCOMPARE(scene.nodeItems().size(), 3);
    for (const plan::Vm &vm : m_plan.vms) {
        VmTileItem *tile = scene.tileItem(vm.name);
        QVERIFY(tile);
        QVERIFY(scene.nodeItem(vm.node)->sceneBoundingRect().contains(tile->sceneBoundingRect()));
        QVERIFY(tile->toolTip().contains(vm.name));
    }
    QCOMPARE(scene.nodeItem(QStringLiteral("pve3"))->node().gpus,
             QStringList{QStringLiteral("NVIDIA L4")});
    QVERIFY(scene.nodeItem(QStringLiteral("pve1"))->node().memoryFraction > 0.0);
}

void TestTopologyScene::dependencyEdgesFollowTheRoles()
{
    TopologyScene scene;
    scene.setTopology(topologyFromPlan(m_plan, {}));
    // gateway → 2 API; each API → db, vector, redis, llm.
    QCOMPARE(scene.edgeCount(), 2 + 2 * 4);
}

void TestTopologyScene::anUnchangedTopologyKeepsEveryItem()
{
    TopologyScene scene;
    const Topology topology = topologyFromPlan(m_plan, {});
    scene.setTopology(topology);
    const QList<QGraphicsItem *> before = scene.items();
    QCoreApplication::processEvents(); // the first paint's change notice
    QSignalSpy changed(&scene, &QGraphicsScene::changed);
    scene.setTopology(topology);
    QCOMPARE(scene.items(), before);
    QCoreApplication::processEvents();
    QCOMPARE(changed.count(), 0);
}

void TestTopologyScene::aChangedFigureDoesNotMoveTiles()
{
    TopologyScene scene;
    scene.setTopology(topologyFromPlan(m_plan, {}));
    QHash<QString, QPointF> positions;
    for (const plan::Vm &vm : m_plan.vms)
        positions.insert(vm.name, scene.tileItem(vm.name)->pos());
    VmTileItem *db = scene.tileItem(QStringLiteral("rae-db"));

    plan::Plan bigger = m_plan;
    for (plan::Vm &vm : bigger.vms) {
        if (vm.name == QLatin1String("rae-db"))
            vm.cores = 12;
    }
    scene.setTopology(topologyFromPlan(bigger, {}));
    QCOMPARE(scene.tileItem(QStringLiteral("rae-db")), db);
    for (const plan::Vm &vm : m_plan.vms)
        QCOMPARE(scene.tileItem(vm.name)->pos(), positions.value(vm.name));
}

void TestTopologyScene::aMovedVmChangesOnlyItsNodes()
{
    TopologyScene scene;
    scene.setTopology(topologyFromPlan(m_plan, {}));
    const QPointF vector = scene.tileItem(QStringLiteral("rae-vector"))->pos();
    plan::Plan moved = m_plan;
    for (plan::Vm &vm : moved.vms) {
        if (vm.name == QLatin1String("rae-redis"))
            vm.node = QStringLiteral("pve1");
    }
    scene.setTopology(topologyFromPlan(moved, {}));
    QVERIFY(scene.nodeItem(QStringLiteral("pve1"))
                ->sceneBoundingRect()
                .contains(scene.tileItem(QStringLiteral("rae-redis"))->sceneBoundingRect()));
    QCOMPARE(scene.tileItem(QStringLiteral("rae-vector"))->pos().y(), vector.y());
}

void TestTopologyScene::liveGuestsBecomeTiles()
{
    cluster::Resources resources;
    cluster::NodeResource node;
    node.name = QStringLiteral("pve1");
    node.status = cluster::NodeStatus::Online;
    node.cpu = 0.25;
    node.maxCpu = 64;
    node.memoryUsed = 64ull << 30;
    node.memoryTotal = 512ull << 30;
    resources.nodes.append(node);
    cluster::GuestResource guest;
    guest.vmid = 101;
    guest.name = QStringLiteral("rae-db");
    guest.node = QStringLiteral("pve1");
    guest.status = cluster::GuestStatus::Running;
    guest.haState = QStringLiteral("started");
    resources.guests.append(guest);
    guest.vmid = 9000;
    guest.name = QStringLiteral("rae-template");
    guest.isTemplate = true;
    resources.guests.append(guest);

    TopologyScene scene;
    scene.setTopology(topologyFromResources(resources, &m_plan));
    VmTileItem *tile = scene.tileItem(QStringLiteral("vm:101"));
    QVERIFY(tile);
    QCOMPARE(tile->vm().role, plan::Role::Db);
    QCOMPARE(tile->vm().state, GuestState::Running);
    QVERIFY(tile->vm().haManaged);
    QVERIFY(!scene.tileItem(QStringLiteral("vm:9000"))); // templates are not guests to watch
    QCOMPARE(scene.nodeItem(QStringLiteral("pve1"))->node().cpuFraction, 0.25);
}

void TestTopologyScene::dragPayloadsRoundTrip()
{
    const VmDragPayload payload{QStringLiteral("plan"), {QStringLiteral("a"), QStringLiteral("b")}};
    std::unique_ptr<QMimeData> mime(payload.toMimeData());
    const auto back = VmDragPayload::fromMimeData(mime.get());
    QVERIFY(back);
    QCOMPARE(back->source, payload.source);
    QCOMPARE(back->keys, payload.keys);

    QMimeData garbage;
    garbage.setData(QString::fromLatin1(VmDragPayload::kMimeType), "not json");
    QVERIFY(!VmDragPayload::fromMimeData(&garbage));
}

QTEST_MAIN(TestTopologyScene)
#include "tst_topologyscene.moc"
