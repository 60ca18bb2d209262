#include "monitoringoverlay.h"
#include "topology.h"
#include "topologyitems.h"
#include "topologyscene.h"

#include "plan/planreader.h"

#include <QTest>

using namespace rae;
using namespace rae::gui;

// Alert badges on the topology graph: on the nodes and tiles named by an active alert, off
// again once it clears, and kept when the graph is refreshed.
class TestMonitoringOverlay final : public QObject
{
    Q_OBJECT

private slots:
    void badgesFollowTheActiveAlerts();
};

void TestMonitoringOverlay::badgesFollowTheActiveAlerts()
{
    auto plan =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY2(plan, plan ? "" : qPrintable(plan.error().toString()));
    TopologyScene scene;
    scene.setTopology(topologyFromPlan(*plan, {}));
    VmTileItem *db = scene.tileItem(QStringLiteral("rae-db"));
    VmTileItem *redis = scene.tileItem(QStringLiteral("rae-redis"));
    QVERIFY(db && redis);
    NodeItem *pve1 = scene.nodeItem(QStringLiteral("pve1"));
    QVERIFY(pve1);

    applyAlertBadges(&scene, {QStringLiteral("rae-db"), QStringLiteral("pve1")});
    QVERIFY(hasAlertBadge(db));
    QVERIFY(hasAlertBadge(pve1));
    QVERIFY(!hasAlertBadge(redis));

    // A refresh of the same plan keeps the items, and applying again adds no second badge.
    scene.setTopology(topologyFromPlan(*plan, {}));
    applyAlertBadges(&scene, {QStringLiteral("rae-db"), QStringLiteral("pve1")});
    int badges = 0;
    for (QGraphicsItem *child : db->childItems())
        badges += child->type() == MonitoringAlertBadge::Type ? 1 : 0;
    QCOMPARE(badges, 1);

    applyAlertBadges(&scene, {});
    QVERIFY(!hasAlertBadge(db));
    QVERIFY(!hasAlertBadge(pve1));
}

QTEST_MAIN(TestMonitoringOverlay)
#include "tst_monitoringoverlay.moc"
