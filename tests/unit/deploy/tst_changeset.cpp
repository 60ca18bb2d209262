#include "deploy/changeset.h"
#include "plan/planreader.h"

#include <QTest>

#include <functional>

using namespace rae;
using namespace rae::deploy;

namespace {

plan::Plan reference()
{
    auto plan =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!plan.ok())
        qFatal("reference plan unreadable");
    return plan.value();
}

// The cluster as it is after the reference plan was applied on a PVE 9 cluster.
ClusterSnapshot applied(const plan::Plan &plan, int release = 9)
{
    ClusterSnapshot snapshot;
    snapshot.majorRelease = release;
    ClusterSnapshot empty;
    empty.majorRelease = release;
    const Changeset fresh = computeChangeset(plan, empty);
    for (const plan::Vm &vm : plan.vms) {
        const DesiredVm desired = desiredVm(plan, vm);
        SnapshotVm actual;
        actual.vmid = vm.vmid.value_or(0);
        actual.name = vm.name;
        actual.node = vm.node;
        actual.status = QStringLiteral("running");
        actual.tags = desired.tags;
        actual.cores = vm.cores;
        actual.memory = vm.memory;
        actual.disks = desired.disks;
        actual.nics = desired.nics;
        actual.gpuMapping = desired.gpuMapping;
        actual.ipConfigs = desired.ipConfigs;
        actual.agent = true;
        actual.onBoot = true;
        snapshot.vms.append(actual);
    }
    for (const Change &change : fresh.changes) {
        if (change.object == ObjectKind::HaResource)
            snapshot.haResources.append({change.id, change.field(QStringLiteral("state")),
                                         change.field(QStringLiteral("group")),
                                         change.field(QStringLiteral("max_restart")).toInt(),
                                         change.field(QStringLiteral("max_relocate")).toInt()});
        if (change.object == ObjectKind::HaRule && change.kind == ChangeKind::Create) {
            SnapshotHaRule rule;
            rule.id = change.id;
            rule.type = change.field(QStringLiteral("type"));
            rule.resources = change.field(QStringLiteral("resources")).split(QLatin1Char(','));
            rule.nodes = parseNodePriorities(change.field(QStringLiteral("nodes")));
            rule.strict = change.field(QStringLiteral("strict")) == QLatin1String("1");
            rule.affinity = change.field(QStringLiteral("affinity"));
            snapshot.haRules.append(rule);
        }
        if (change.object == ObjectKind::HaGroup)
            snapshot.haGroups.append(
                {change.id, parseNodePriorities(change.field(QStringLiteral("nodes"))),
                 change.field(QStringLiteral("restricted")) == QLatin1String("1"),
                 change.field(QStringLiteral("nofailback")) == QLatin1String("1")});
        if (change.object == ObjectKind::Backup) {
            SnapshotBackup job;
            job.id = change.id;
            job.storage = change.field(QStringLiteral("storage"));
            job.schedule = change.field(QStringLiteral("schedule"));
            for (const QString &id : change.field(QStringLiteral("vmid")).split(QLatin1Char(',')))
                job.vmids.append(id.toInt());
            job.mode = change.field(QStringLiteral("mode"));
            job.pruneBackups = change.field(QStringLiteral("prune-backups"));
            snapshot.backups.append(job);
        }
    }
    return snapshot;
}

SnapshotVm &vmNamed(ClusterSnapshot &snapshot, const QString &name)
{
    for (SnapshotVm &vm : snapshot.vms)
        if (vm.name == name)
            return vm;
    qFatal("no such VM");
}

using Mutation = std::function<void(plan::Plan &, ClusterSnapshot &, DiffOptions &)>;

} // namespace

Q_DECLARE_METATYPE(Mutation)

class TestChangeset final : public QObject
{
    Q_OBJECT

private slots:
    void emptyClusterGetsEverything()
    {
        const plan::Plan plan = reference();
        const Changeset set = computeChangeset(plan, ClusterSnapshot{});
        QVERIFY(!set.hasErrors());
        int vms = 0, resources = 0, rules = 0, backups = 0;
        for (const Change &change : set.changes) {
            QCOMPARE(change.kind, ChangeKind::Create);
            vms += change.object == ObjectKind::Vm;
            resources += change.object == ObjectKind::HaResource;
            rules += change.object == ObjectKind::HaRule;
            backups += change.object == ObjectKind::Backup;
        }
        QCOMPARE(vms, 7);
        QCOMPARE(resources, 6); // every VM but the LLM
        QCOMPARE(rules, 2);     // db's node affinity and the API replicas apart
        QCOMPARE(backups, 1);
        const QString text = renderChangeset(set);
        QVERIFY(text.contains(QLatin1String("+ vm rae-db (101)")));
        QVERIFY(text.contains(QLatin1String("+ ha rule rae-api-apart")));
        QVERIFY(text.contains(QLatin1String("resources: vm:104,vm:105")));
        QVERIFY(text.contains(QLatin1String("net0: bridge=vmbr1,tag=20,firewall=1")));
        QVERIFY(text.contains(QLatin1String("ipconfig0: ip=10.20.0.11/24,gw=10.20.0.1")));
        QVERIFY(text.contains(QLatin1String("gpu: gpu-l4")));
    }

    void pve8GetsGroups()
    {
        ClusterSnapshot empty;
        empty.majorRelease = 8;
        const Changeset set = computeChangeset(reference(), empty);
        const QString text = renderChangeset(set);
        QVERIFY(text.contains(QLatin1String("+ ha group rae-db")));
        QVERIFY(text.contains(QLatin1String("nodes: pve1:2,pve2:1,pve3:1")));
        QVERIFY(text.contains(QLatin1String("group: rae-db")));
        QVERIFY(text.contains(QLatin1String("PVE 8 has no resource-affinity rules")));
        QVERIFY(!text.contains(QLatin1String("+ ha rule")));
    }

    void differences_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("expected"); // a line of the rendering
        QTest::addColumn<bool>("error");

        QTest::newRow("an applied plan has no changes")
            << Mutation([](plan::Plan &, ClusterSnapshot &, DiffOptions &) {}) << 0
            << "Plan: 0 to create, 0 to change, 0 to move, 0 to remove; 0 left alone." << false;
        QTest::newRow("more cores in the plan is a change")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-db")).cores = 2;
               })
            << 1 << "    cores: 2 → 4" << false;
        QTest::newRow("a bigger disk in the plan grows it")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.vms[0].disks[0].size = ByteSize::fromGiB(120);
               })
            << 1 << "    disk scsi0: 100 GiB → 120 GiB" << false;
        QTest::newRow("a smaller disk in the plan is an error")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.vms[0].disks[0].size = ByteSize::fromGiB(50);
               })
            << 0 << "cannot shrink a disk" << true;
        QTest::newRow("another VLAN changes the NIC")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.networks.internal.vlan = 30;
               })
            << 7 << "    net0: bridge=vmbr1,tag=20,firewall=1 → bridge=vmbr1,tag=30,firewall=1"
            << false;
        QTest::newRow("a missing tag is put back")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-redis")).tags = {QStringLiteral("rae")};
               })
            << 1 << "    tags: rae → rae;rae-redis" << false;
        QTest::newRow("a lost GPU mapping is put back")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-llm")).gpuMapping.clear();
               })
            << 1 << "    gpu: gpu-l4" << false;
        QTest::newRow("HA moving a VM to an allowed node is left alone")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-db")).node = QStringLiteral("pve2");
               })
            << 0 << "= vm rae-db (101)  # HA moved it to pve2, a node the plan allows; left there"
            << false;
        QTest::newRow("a VM on a node the plan does not allow is migrated")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-llm")).node = QStringLiteral("pve1");
               })
            << 1 << "    node: pve1 → pve3" << false;
        QTest::newRow("a stopped VM is started")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-vector")).status = QStringLiteral("stopped");
               })
            << 1 << "    status: stopped → running" << false;
        QTest::newRow("a RAE VM not in the plan is listed, not removed")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   SnapshotVm stray;
                   stray.vmid = 150;
                   stray.name = QStringLiteral("rae-api-3");
                   stray.tags = {QStringLiteral("rae"), QStringLiteral("rae-api")};
                   s.vms.append(stray);
               })
            << 0 << "! vm rae-api-3 (150)  # not in the plan; --prune removes it" << false;
        QTest::newRow("with prune it is removed")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &o) {
                   SnapshotVm stray;
                   stray.vmid = 150;
                   stray.name = QStringLiteral("rae-api-3");
                   stray.tags = {QStringLiteral("rae-api")};
                   s.vms.append(stray);
                   o.prune = true;
               })
            << 1 << "- vm rae-api-3 (150)  # not in the plan" << false;
        QTest::newRow("other VMs are not ours")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   SnapshotVm other;
                   other.vmid = 300;
                   other.name = QStringLiteral("mail");
                   s.vms.append(other);
               })
            << 0 << "Plan: 0 to create, 0 to change, 0 to move, 0 to remove; 0 left alone."
            << false;
        QTest::newRow("a vmid taken by another VM is an error")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-gateway")).name = QStringLiteral("mail");
                   vmNamed(s, QStringLiteral("mail")).tags.clear();
               })
            << 0 << "VM id 107 is taken by mail." << true;
        QTest::newRow("changed HA limits update the resource")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.vms[1].ha.maxRestart = 3;
               })
            << 1 << "    max_restart: 1 → 3" << false;
        QTest::newRow("a new backup retention updates the job")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.backups[0].retention.keepDaily = 14;
               })
            << 1
            << "    prune-backups: keep-daily=7,keep-weekly=4,keep-monthly=6 → "
               "keep-daily=14,keep-weekly=4,keep-monthly=6"
            << false;
        QTest::newRow("a new replication job is created")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.vms[5].replication.append({QStringLiteral("pve1"), {}, 0, {}});
               })
            << 1 << "+ replication 106→pve1" << false;
    }

    void differences()
    {
        QFETCH(Mutation, mutate);
        QFETCH(int, count);
        QFETCH(QString, expected);
        QFETCH(bool, error);
        plan::Plan plan = reference();
        ClusterSnapshot snapshot = applied(plan);
        DiffOptions options;
        mutate(plan, snapshot, options);
        const Changeset set = computeChangeset(plan, snapshot, options);
        const QString text = renderChangeset(set);
        QVERIFY2(text.contains(expected), qPrintable(text));
        QCOMPARE(set.hasErrors(), error);
        QCOMPARE(set.count(), count);
    }
};

QTEST_GUILESS_MAIN(TestChangeset)
#include "tst_changeset.moc"
