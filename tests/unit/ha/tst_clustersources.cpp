// The failure analysis's input read from a simulator scenario and from a live cluster's
// inventory: nodes, services, rules, the scheduler, maintenance, and nodes where a start fails.
#include "ha/clustersources.h"

#include <QJsonObject>
#include <QTest>

using namespace rae;

namespace {

// Three nodes, a GPU on pve3 only, an LLM VM that uses it, an API VM on shared storage and a
// database on local ZFS replicated to pve2.
const char *kScenario = R"(
release: "9.1"
crs-ha: static
storages:
  - {id: local-zfs, type: zfspool, content: images}
  - {id: ceph-vm, type: rbd, content: images}
nodes:
  - {name: pve1, threads: 32, memory: 256G}
  - {name: pve2, threads: 32, memory: 256G}
  - {name: pve3, threads: 64, memory: 512G}
pci-mappings:
  - id: gpu-l4
    map: ["node=pve3,path=0000:41:00.0,id=10de:27b8"]
vms:
  - {vmid: 101, name: rae-db, node: pve1, status: running,
     config: {cores: "4", memory: "16384", scsi0: "local-zfs:vm-101-disk-0,size=64G"}}
  - {vmid: 102, name: rae-api-1, node: pve2, status: running,
     config: {cores: "2", sockets: "2", memory: "current=8192", scsi0: "ceph-vm:vm-102-disk-0"}}
  - {vmid: 103, name: rae-llm, node: pve3, status: running,
     config: {cores: "8", memory: "65536", hostpci0: "mapping=gpu-l4,pcie=1",
              scsi0: "ceph-vm:vm-103-disk-0", ide2: "local-zfs:vm-103-cloudinit,media=cdrom"}}
  - {vmid: 104, name: scratch, node: pve1, status: running, config: {cores: "1"}}
  - {vmid: 9000, name: tpl, node: pve1, template: 1, config: {cores: "1"}}
ha:
  resources:
    - {sid: "vm:103", state: started}
    - {sid: "vm:101", state: started}
    - {sid: "vm:102", state: stopped}
  rules:
    - {rule: llm-on-gpu, type: node-affinity, resources: "vm:103", nodes: "pve3:2,pve1", strict: 1}
replication:
  - {id: 101-0, target: pve2}
)";

// An inventory of three online nodes with 32 threads and 128 GiB each, and nothing else.
cluster::Inventory threeNodes()
{
    cluster::Inventory inventory;
    for (const char *name : {"pve1", "pve2", "pve3"}) {
        cluster::NodeResource node;
        node.name = QString::fromLatin1(name);
        node.status = cluster::NodeStatus::Online;
        node.maxCpu = 32;
        node.memoryTotal = 128ull << 30;
        inventory.resources.nodes.append(node);
    }
    return inventory;
}

ha::PlanClusterState fromScenario()
{
    const auto scenario = cluster::Scenario::parse(QByteArray(kScenario), QStringLiteral("test"));
    if (!scenario)
        qFatal("the test scenario does not parse: %s", qPrintable(scenario.error().message));
    return ha::clusterStateFromScenario(*scenario);
}

} // namespace

class TestClusterSources final : public QObject
{
    Q_OBJECT

private slots:
    void scenarioGivesNodesServicesAndGuests();
    void scenarioStartBlockers();
    void failingTheGpuNodeLeavesTheLlmDown();
    void scheduler_data();
    void scheduler();
    void inventoryGivesMaintenanceGroupsAndNotes();
    void liveConfigsGiveStartBlockers();
    void liveRaeVmsAreReportedByRole();
};

void TestClusterSources::scenarioGivesNodesServicesAndGuests()
{
    const ha::PlanClusterState input = fromScenario();
    const ha::ClusterState &state = input.state;
    QCOMPARE(state.nodes.size(), 3);
    QCOMPARE(state.node(QStringLiteral("pve3"))->cpus, 64);
    QCOMPARE(state.node(QStringLiteral("pve3"))->memoryBytes, 512ull << 30);
    QCOMPARE(state.scheduler, ha::Scheduler::Static);
    QCOMPARE(state.rulesSource, ha::RulesSource::Rules);
    QCOMPARE(state.services.size(), 3);
    QCOMPARE(state.services.at(0).sid, QStringLiteral("vm:101")); // the manager's order
    const ha::Service *api = state.service(QStringLiteral("vm:102"));
    QVERIFY(api);
    QCOMPARE(api->maxCpu(), 4.0);
    QCOMPARE(api->memoryBytes, 8192ull << 20);
    QCOMPARE(api->state, ha::RequestState::Stopped);
    QCOMPARE(state.guests.size(), 1); // the template is left out
    QCOMPARE(state.guests.constFirst().name, QStringLiteral("scratch"));
    QCOMPARE(state.guests.constFirst().memoryBytes, 512ull << 20); // qemu-server's default
    QCOMPARE(state.nodeAffinity.size(), 1);
    QVERIFY(state.nodeAffinity.constFirst().strict);
    QCOMPARE(input.vmNameOfId.value(QStringLiteral("vm:103")), QStringLiteral("rae-llm"));
}

void TestClusterSources::scenarioStartBlockers()
{
    const ha::ClusterState state = fromScenario().state;
    const ha::Service *db = state.service(QStringLiteral("vm:101"));
    QVERIFY2(!db->unusableNodes.contains(QStringLiteral("pve2")), "replicated there");
    QVERIFY(db->unusableNodes.value(QStringLiteral("pve3")).contains(QLatin1String("local-zfs")));
    const ha::Service *llm = state.service(QStringLiteral("vm:103"));
    QCOMPARE(llm->unusableNodes.value(QStringLiteral("pve1")),
             QStringLiteral("its GPU mapping gpu-l4 exists on pve3 only"));
    QVERIFY2(state.service(QStringLiteral("vm:102"))->unusableNodes.isEmpty(), "shared storage");
}

void TestClusterSources::failingTheGpuNodeLeavesTheLlmDown()
{
    const ha::PlanFailureReport report =
        ha::analyseClusterFailures(fromScenario(), {{QStringLiteral("pve3")}});
    QCOMPARE(report.analysis.cases.size(), 1);
    const ha::FailureCase &result = report.analysis.cases.constFirst();
    QCOMPARE(result.services.size(), 1);
    const ha::ServiceOutcome &llm = result.services.constFirst();
    QCOMPARE(llm.sid, QStringLiteral("vm:103"));
    QCOMPARE(llm.fate, ha::Fate::Down);
    QCOMPARE(llm.reason, ha::DownReason::StartFails);
    QCOMPARE(llm.startFailure, QStringLiteral("its GPU mapping gpu-l4 exists on pve3 only"));
    bool reported = false;
    for (const ha::Impact &impact : report.impacts.constFirst())
        reported |= impact.id == QLatin1String("vm-down") && impact.text.contains(u"rae-llm");
    QVERIFY(reported);
}

void TestClusterSources::scheduler_data()
{
    QTest::addColumn<QJsonValue>("crs");
    QTest::addColumn<ha::Scheduler>("expected");
    QTest::newRow("unset is basic") << QJsonValue() << ha::Scheduler::Basic;
    QTest::newRow("the API's decoded object")
        << QJsonValue(QJsonObject{{QStringLiteral("ha"), QStringLiteral("static")}})
        << ha::Scheduler::Static;
    QTest::newRow("datacenter.cfg text with more keys")
        << QJsonValue(QStringLiteral("ha=dynamic,ha-rebalance-on-start=1"))
        << ha::Scheduler::Dynamic;
    QTest::newRow("an unknown value is basic")
        << QJsonValue(QStringLiteral("ha=clever")) << ha::Scheduler::Basic;
}

void TestClusterSources::scheduler()
{
    QFETCH(QJsonValue, crs);
    QFETCH(ha::Scheduler, expected);
    QCOMPARE(ha::schedulerFromCrs(crs), expected);
}

void TestClusterSources::inventoryGivesMaintenanceGroupsAndNotes()
{
    cluster::Inventory inventory;
    cluster::NodeResource pve1;
    pve1.name = QStringLiteral("pve1");
    pve1.status = cluster::NodeStatus::Online;
    pve1.maxCpu = 16;
    pve1.memoryTotal = 64ull << 30;
    pve1.haState = QStringLiteral("maintenance");
    cluster::NodeResource pve2 = pve1;
    pve2.name = QStringLiteral("pve2");
    pve2.haState = QStringLiteral("online");
    inventory.resources.nodes = {pve1, pve2};
    cluster::GuestResource guest;
    guest.vmid = 100;
    guest.name = QStringLiteral("web");
    guest.node = QStringLiteral("pve2");
    guest.maxCpu = 2;
    guest.memoryTotal = 2ull << 30;
    guest.status = cluster::GuestStatus::Running;
    cluster::GuestResource other = guest;
    other.vmid = 101;
    other.name = QStringLiteral("batch");
    inventory.resources.guests = {guest, other};
    cluster::HaResource resource;
    resource.sid = QStringLiteral("vm:100");
    resource.vmid = 100;
    resource.group = QStringLiteral("prefer-pve1");
    cluster::HaResource orphan;
    orphan.sid = QStringLiteral("vm:999");
    orphan.vmid = 999;
    inventory.haResources = {resource, orphan};
    inventory.haGroups = {{QStringLiteral("prefer-pve1"),
                           {{QStringLiteral("pve1"), 2}, {QStringLiteral("pve2"), std::nullopt}},
                           true,
                           false,
                           {}}};

    const QJsonObject options{{QStringLiteral("ha"), QJsonObject{{QStringLiteral("shutdown_policy"),
                                                                  QStringLiteral("migrate")}}}};
    const ha::PlanClusterState input = ha::clusterStateFromInventory(inventory, options, false);
    const ha::ClusterState &state = input.state;
    QVERIFY(state.node(QStringLiteral("pve1"))->maintenance);
    QVERIFY(!state.node(QStringLiteral("pve2"))->maintenance);
    QCOMPARE(state.rulesSource, ha::RulesSource::Groups);
    QCOMPARE(state.groups.size(), 1);
    QCOMPARE(state.groups.constFirst().nodes.value(QStringLiteral("pve1")), 2);
    QVERIFY(state.groups.constFirst().restricted);
    QCOMPARE(state.services.size(), 1);
    QCOMPARE(state.services.constFirst().node, QStringLiteral("pve2"));
    QCOMPARE(state.services.constFirst().group, QStringLiteral("prefer-pve1"));
    QCOMPARE(state.guests.size(), 1);
    QCOMPARE(state.guests.constFirst().id, QStringLiteral("vm:101"));
    QCOMPARE(input.notes.size(), 2); // the orphan resource and the shutdown policy
    QVERIFY(input.notes.join(u'\n').contains(u"vm:999"));
    QVERIFY(input.notes.join(u'\n').contains(u"migrate"));
}

void TestClusterSources::liveConfigsGiveStartBlockers()
{
    cluster::Inventory inventory = threeNodes();
    cluster::GuestResource llm;
    llm.vmid = 103;
    llm.name = QStringLiteral("rae-llm");
    llm.node = QStringLiteral("pve3");
    llm.maxCpu = 8;
    llm.status = cluster::GuestStatus::Running;
    cluster::GuestResource db = llm;
    db.vmid = 101;
    db.name = QStringLiteral("rae-db");
    db.node = QStringLiteral("pve1");
    inventory.resources.guests = {llm, db};
    cluster::HaResource llmResource;
    llmResource.sid = QStringLiteral("vm:103");
    llmResource.vmid = 103;
    cluster::HaResource dbResource;
    dbResource.sid = QStringLiteral("vm:101");
    dbResource.vmid = 101;
    inventory.haResources = {llmResource, dbResource};
    cluster::StorageConfig zfs;
    zfs.storage = QStringLiteral("local-zfs");
    zfs.type = QStringLiteral("zfspool");
    cluster::StorageConfig ceph;
    ceph.storage = QStringLiteral("ceph-vm");
    ceph.type = QStringLiteral("rbd");
    ceph.shared = true;
    inventory.storages = {zfs, ceph};
    cluster::PciMapping gpu;
    gpu.id = QStringLiteral("gpu-l4");
    gpu.entries.append({QStringLiteral("pve3"), {QStringLiteral("0000:41:00.0")}, {}, {}, {}});
    inventory.pciMappings = {gpu};
    cluster::ReplicationStatus job;
    job.id = QStringLiteral("101-0");
    job.guest = 101;
    job.target = QStringLiteral("pve2");
    inventory.replicationJobs = {job};

    ha::PlanClusterState input = ha::clusterStateFromInventory(inventory, {}, true);
    const QHash<QString, QMap<QString, QString>> configs{
        {QStringLiteral("vm:103"),
         {{QStringLiteral("hostpci0"), QStringLiteral("mapping=gpu-l4,pcie=1")},
          {QStringLiteral("scsi0"), QStringLiteral("ceph-vm:vm-103-disk-0,size=64G")},
          {QStringLiteral("cores"), QStringLiteral("8")},
          {QStringLiteral("cpulimit"), QStringLiteral("2.5")}}},
        {QStringLiteral("vm:101"),
         {{QStringLiteral("scsi0"), QStringLiteral("local-zfs:vm-101-disk-0,size=64G")}}},
    };
    ha::addStartBlockers(input, inventory, configs);
    ha::applyConfigSizes(input, configs);
    QCOMPARE(input.state.service(QStringLiteral("vm:101"))->maxCpu(), 1.0); // no cores: 1
    const ha::Service *llmService = input.state.service(QStringLiteral("vm:103"));
    QCOMPARE(llmService->unusableNodes.value(QStringLiteral("pve1")),
             QStringLiteral("its GPU mapping gpu-l4 exists on pve3 only"));
    QCOMPARE(llmService->unusableNodes.size(), 2);
    QCOMPARE(llmService->maxCpu(), 2.5);
    const ha::Service *dbService = input.state.service(QStringLiteral("vm:101"));
    QVERIFY2(!dbService->unusableNodes.contains(QStringLiteral("pve2")), "replicated there");
    QVERIFY(dbService->unusableNodes.contains(QStringLiteral("pve3")));

    const ha::PlanFailureReport report =
        ha::analyseClusterFailures(input, {{QStringLiteral("pve3")}});
    QCOMPARE(report.analysis.cases.constFirst().services.constFirst().reason,
             ha::DownReason::StartFails);
}

void TestClusterSources::liveRaeVmsAreReportedByRole()
{
    // A deployed RAE: its VMs carry `rae-<role>` tags. One API replica is not HA-managed, the
    // LLM VM neither, and a stopped API VM of an earlier version is kept for a rollback.
    cluster::Inventory inventory = threeNodes();
    const auto guest = [](int vmid, const char *name, const char *node, QStringList tags,
                          bool running) {
        cluster::GuestResource resource;
        resource.vmid = vmid;
        resource.name = QString::fromLatin1(name);
        resource.node = QString::fromLatin1(node);
        resource.maxCpu = 4;
        resource.memoryTotal = 8ull << 30;
        resource.tags = std::move(tags);
        resource.status = running ? cluster::GuestStatus::Running : cluster::GuestStatus::Stopped;
        return resource;
    };
    const QString rae = QStringLiteral("rae");
    inventory.resources.guests = {
        guest(101, "rae-db", "pve1", {rae, QStringLiteral("rae-db")}, true),
        guest(104, "rae-api-1", "pve1", {rae, QStringLiteral("rae-api")}, true),
        guest(105, "rae-api-2", "pve2", {rae, QStringLiteral("rae-api")}, true),
        guest(106, "rae-llm", "pve3", {rae, QStringLiteral("rae-llm")}, true),
        guest(114, "rae-api-1-v0.9", "pve1",
              {rae, QStringLiteral("rae-api"), QStringLiteral("rae-standby")}, false),
        guest(120, "bastion", "pve3", {}, true),
    };
    cluster::HaResource db;
    db.sid = QStringLiteral("vm:101");
    db.vmid = 101;
    cluster::HaResource api2;
    api2.sid = QStringLiteral("vm:105");
    api2.vmid = 105;
    inventory.haResources = {db, api2};

    const ha::PlanClusterState input = ha::clusterStateFromInventory(inventory, {}, true);
    QCOMPARE(input.roleOfId.value(QStringLiteral("vm:106")), plan::Role::Llm);
    QCOMPARE(input.roleOfId.value(QStringLiteral("vm:114")), plan::Role::Api);
    QVERIFY(!input.roleOfId.contains(QStringLiteral("vm:120")));
    const ha::PlanFailureReport report =
        ha::analyseClusterFailures(input, {{QStringLiteral("pve1")}, {QStringLiteral("pve3")}});
    const auto texts = [&report](int index) {
        QStringList result;
        for (const ha::Impact &impact : report.impacts.at(index))
            result << impact.id + QStringLiteral(": ") + impact.text;
        return result;
    };
    // pve1: the database recovers through HA; of the two API replicas that serve one stays
    // down (the kept one of 0.9 is no replica).
    QCOMPARE(texts(0), QStringList{QStringLiteral(
                           "api-capacity: API capacity halved (1 of 2 replicas running): "
                           "rae-api-1 is not HA-managed and stays down with pve1")});
    // pve3: the LLM is gone, said in RAE's terms; bastion, no RAE VM, stays down by name.
    const QStringList pve3 = texts(1);
    QVERIFY2(pve3.contains(QStringLiteral(
                 "role-down: LLM unavailable: rae-llm is not HA-managed and stays down with pve3")),
             qPrintable(pve3.join(u'\n')));
    QVERIFY2(std::none_of(pve3.cbegin(), pve3.cend(),
                          [](const QString &text) { return text.contains(u"vm:106"); }),
             "the LLM VM is reported by its role, not again by its id");
}

QTEST_GUILESS_MAIN(TestClusterSources)
#include "tst_clustersources.moc"
