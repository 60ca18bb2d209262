#include "ha/placement.h"
#include "ha/planfailure.h"

#include <QTest>

using namespace rae;
using namespace rae::ha;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

plan::Vm vm(plan::Role role, const char *name, int vmid, const char *node, const char *storage,
            bool managed)
{
    plan::Vm vm;
    vm.role = role;
    vm.name = s(name);
    vm.vmid = vmid;
    vm.node = s(node);
    vm.cores = 4;
    vm.memory = ByteSize::fromGiB(8);
    vm.disks.append({s(storage), ByteSize::fromGiB(20), {}});
    vm.ha.managed = managed;
    return vm;
}

// Three nodes, shared Ceph and local ZFS, a GPU on pve3 only.
plan::Plan referenceLike()
{
    plan::Plan plan;
    plan.cluster.release = plan::Release::Detect;
    for (const char *name : {"pve1", "pve2", "pve3"})
        plan.nodes.append({s(name), 32, ByteSize::fromGiB(128), {}, false, {}});
    plan.nodes[2].gpus.append({s("gpu-l4"), s("NVIDIA L4")});
    plan.storages.append({s("ceph-vm"), plan::StorageType::Rbd, true, {}, {}, {}, {}});
    plan.storages.append(
        {s("local-zfs"), plan::StorageType::ZfsPool, false, {}, {}, s("rpool/data"), {}});
    plan.vms.append(vm(plan::Role::Db, "rae-db", 101, "pve1", "local-zfs", true));
    plan.vms.append(vm(plan::Role::Api, "rae-api-1", 104, "pve1", "ceph-vm", true));
    plan.vms.append(vm(plan::Role::Api, "rae-api-2", 105, "pve2", "ceph-vm", true));
    plan::Vm llm = vm(plan::Role::Llm, "rae-llm", 106, "pve3", "ceph-vm", true);
    llm.gpuMapping = s("gpu-l4");
    plan.vms.append(llm);
    plan.vms[1].ha.antiAffinity = {s("rae-api-2")};
    plan.vms[2].ha.antiAffinity = {s("rae-api-1")};
    return plan;
}

const Impact *impact(const QList<Impact> &impacts, const QString &id)
{
    for (const Impact &candidate : impacts) {
        if (candidate.id == id)
            return &candidate;
    }
    return nullptr;
}

} // namespace

class TestPlanFailure final : public QObject
{
    Q_OBJECT

private slots:
    void antiAffinityBecomesOneNegativeRulePerPair();
    void groupsOnRelease8();
    void vmWithoutVmidIsNamedByName();
    void localDiskWithoutReplicationCannotRecover();
    void replicatedLocalDiskRecoversToItsTarget();
    void llmWithGpuOnOneNodeIsUnavailable();
    void apiCapacityHalvedWhenTheOtherNodeIsFull();
    void placementKeepsConstraintsAndBeatsCurrent();
};

void TestPlanFailure::antiAffinityBecomesOneNegativeRulePerPair()
{
    const PlanClusterState input = clusterStateFromPlan(referenceLike());
    QCOMPARE(input.state.rulesSource, RulesSource::Rules);
    QCOMPARE(input.state.resourceAffinity.size(), 1);
    QCOMPARE(input.state.resourceAffinity.first().resources,
             (QStringList{s("vm:104"), s("vm:105")}));
    QCOMPARE(input.state.resourceAffinity.first().affinity, Affinity::Negative);
}

void TestPlanFailure::groupsOnRelease8()
{
    plan::Plan plan = referenceLike();
    plan.cluster.release = plan::Release::Pve8;
    plan.vms[0].ha.nodePriorities = {{s("pve1"), 2}, {s("pve2"), 1}};
    plan.vms[0].ha.strict = true;
    plan.vms[0].ha.failback = false;
    const PlanClusterState input = clusterStateFromPlan(plan);
    QCOMPARE(input.state.rulesSource, RulesSource::Groups);
    QCOMPARE(input.state.groups.size(), 1);
    QVERIFY(input.state.groups.first().restricted);
    QVERIFY(input.state.groups.first().nofailback);
    QCOMPARE(input.state.services.first().group, input.state.groups.first().id);
    QVERIFY(input.state.resourceAffinity.isEmpty());
    QVERIFY(!input.notes.isEmpty()); // the anti-affinity cannot be expressed
}

void TestPlanFailure::vmWithoutVmidIsNamedByName()
{
    plan::Plan plan = referenceLike();
    plan.vms[3].vmid.reset();
    const PlanClusterState input = clusterStateFromPlan(plan);
    QCOMPARE(haId(plan.vms[3]), s("rae-llm"));
    QCOMPARE(input.vmNameOfId.value(s("rae-llm")), s("rae-llm"));
    QVERIFY(input.notes.join(QLatin1Char('\n')).contains(s("rae-llm")));
}

void TestPlanFailure::localDiskWithoutReplicationCannotRecover()
{
    const PlanFailureReport report = analysePlanFailures(referenceLike(), {{s("pve1")}});
    const FailureCase &result = report.analysis.cases.first();
    QCOMPARE(result.services.first().sid, s("vm:101"));
    QCOMPARE(result.services.first().fate, Fate::Down);
    QCOMPARE(result.services.first().reason, DownReason::StartFails);
    const Impact *down = impact(report.impacts.first(), s("role-down"));
    QVERIFY(down);
    QVERIFY2(down->text.startsWith(s("database down: its disk is on local storage local-zfs")),
             qPrintable(down->text));
}

void TestPlanFailure::replicatedLocalDiskRecoversToItsTarget()
{
    plan::Plan plan = referenceLike();
    plan.vms[0].replication.append({s("pve3"), s("*/15"), 0, {}});
    const PlanFailureReport report = analysePlanFailures(plan, {{s("pve1")}});
    const ServiceOutcome &db = report.analysis.cases.first().services.first();
    QCOMPARE(db.fate, Fate::Started);
    QCOMPARE(*db.toNode, s("pve3"));
}

void TestPlanFailure::llmWithGpuOnOneNodeIsUnavailable()
{
    const PlanFailureReport report = analysePlanFailures(referenceLike(), {{s("pve3")}});
    const Impact *down = impact(report.impacts.first(), s("role-down"));
    QVERIFY(down);
    QCOMPARE(down->text, s("LLM unavailable: its GPU mapping gpu-l4 exists on pve3 only"));
}

void TestPlanFailure::apiCapacityHalvedWhenTheOtherNodeIsFull()
{
    plan::Plan plan = referenceLike();
    // With pve3 out of the picture (maintenance) the two API replicas cannot share a node.
    plan.nodes[2].maintenance = true;
    const PlanFailureReport report = analysePlanFailures(plan, {{s("pve2")}});
    const Impact *capacity = impact(report.impacts.first(), s("api-capacity"));
    QVERIFY(capacity);
    QVERIFY2(capacity->text.startsWith(s("API capacity halved (1 of 2 replicas running)")),
             qPrintable(capacity->text));
}

void TestPlanFailure::placementKeepsConstraintsAndBeatsCurrent()
{
    plan::Plan plan = referenceLike();
    plan.vms[0].disks.first().storage = s("ceph-vm");
    // Both API replicas on pve1 break their anti-affinity: the search must separate them.
    plan.vms[2].node = s("pve1");
    const PlacementSearch search = searchPlacement(plan);
    QVERIFY(search.found);
    QVERIFY(search.exhaustive);
    QVERIFY(!search.currentProblem.isEmpty());
    QCOMPARE(search.nodeOfVm.value(s("rae-llm")), s("pve3"));
    QVERIFY(search.nodeOfVm.value(s("rae-api-1")) != search.nodeOfVm.value(s("rae-api-2")));
    QCOMPARE(search.score.haVmsDown, 1); // the LLM cannot leave pve3, the only GPU node
    QVERIFY(search.score.betterThan(search.currentScore));
}

QTEST_GUILESS_MAIN(TestPlanFailure)
#include "tst_planfailure.moc"
