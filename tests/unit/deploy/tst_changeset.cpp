#include "deploy/actions.h"
#include "deploy/apitier.h"
#include "deploy/changeset.h"
#include "deploy/provisioning.h"
#include "deploy/upgrade.h"
#include "plan/planreader.h"
#include "proxmox/formencoding.h"

#include <QJsonObject>

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
        actual.ciUser = plan.access.user;
        actual.sshKeys = plan.access.keyLines();
        actual.pool = plan.poolOf(vm);
        if (!actual.pool.isEmpty() &&
            std::none_of(snapshot.pools.cbegin(), snapshot.pools.cend(),
                         [&actual](const SnapshotPool &p) { return p.id == actual.pool; }))
            snapshot.pools.append({actual.pool, {}});
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

// A second fake key: its 32 key bytes spell "RAE-DEPLOY-SECOND-TEST-KEY-FAKE!".
const QString kSecondKey = QStringLiteral(
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJBRS1ERVBMT1ktU0VDT05ELVRFU1QtS0VZLUZBS0Uh second@test");

SnapshotVm &vmNamed(ClusterSnapshot &snapshot, const QString &name)
{
    for (SnapshotVm &vm : snapshot.vms)
        if (vm.name == name)
            return vm;
    qFatal("no such VM");
}

using Mutation = std::function<void(plan::Plan &, ClusterSnapshot &, DiffOptions &)>;

// The cluster after `upgrade-api --version 2.1.0`: new API VMs `<name>-v2.1.0` on the next
// addresses serve, the plan's own are stopped (through HA) and tagged `rae-standby`.
void switchApiTier(ClusterSnapshot &snapshot)
{
    const QList<SnapshotVm> before = snapshot.vms;
    int vmid = 200;
    for (const SnapshotVm &old : before) {
        if (!old.tags.contains(QLatin1String("rae-api")))
            continue;
        SnapshotVm fresh = old;
        fresh.vmid = vmid++;
        fresh.name = old.name + QStringLiteral("-v2.1.0");
        fresh.tags.append(QStringLiteral("rae-version-2.1.0"));
        fresh.tags.sort();
        fresh.ipConfigs[0].replace(QLatin1String("10.20.0.2"), QLatin1String("10.20.0.12"));
        snapshot.vms.append(fresh);
        SnapshotVm &kept = vmNamed(snapshot, old.name);
        kept.status = QStringLiteral("stopped");
        kept.tags.append(QLatin1String(kStandbyTag));
        kept.tags.sort();
        // The new VM is HA-managed as the plan VM was, which HA keeps stopped; the plan's rules
        // name the new VM.
        const QString oldSid = QStringLiteral("vm:") + QString::number(old.vmid);
        const QString newSid = QStringLiteral("vm:") + QString::number(fresh.vmid);
        for (qsizetype i = 0; i < snapshot.haResources.size(); ++i)
            if (snapshot.haResources[i].sid == oldSid) {
                SnapshotHaResource serving = snapshot.haResources[i];
                serving.sid = newSid;
                snapshot.haResources[i].state = QStringLiteral("stopped");
                snapshot.haResources.append(serving);
                break;
            }
        for (SnapshotHaRule &rule : snapshot.haRules)
            rule.resources.replaceInStrings(oldSid, newSid);
    }
}

// An upgrade made before the new VMs were HA-managed: no HA resources of theirs, and the rules
// name the plan's VMs.
void switchApiTierWithoutHa(ClusterSnapshot &snapshot)
{
    const ClusterSnapshot before = snapshot;
    switchApiTier(snapshot);
    snapshot.haRules = before.haRules;
    snapshot.haResources.removeIf([](const SnapshotHaResource &resource) {
        return resource.sid.startsWith(QLatin1String("vm:20"));
    });
}

// And after `rollback-api`: the plan's API VMs serve again, the new ones are kept.
void rollBackApiTier(ClusterSnapshot &snapshot)
{
    for (SnapshotVm &vm : snapshot.vms) {
        if (!vm.tags.contains(QLatin1String("rae-api")))
            continue;
        const bool fresh = vm.name.endsWith(QLatin1String("-v2.1.0"));
        vm.status = fresh ? QStringLiteral("stopped") : QStringLiteral("running");
        vm.tags.removeAll(QLatin1String(kStandbyTag));
        if (fresh)
            vm.tags.append(QLatin1String(kStandbyTag));
        vm.tags.sort();
    }
    for (SnapshotHaResource &resource : snapshot.haResources)
        resource.state = resource.sid.startsWith(QLatin1String("vm:20"))
                             ? QStringLiteral("stopped")
                             : QStringLiteral("started");
    for (SnapshotHaRule &rule : snapshot.haRules) {
        rule.resources.replaceInStrings(QStringLiteral("vm:200"), QStringLiteral("vm:104"));
        rule.resources.replaceInStrings(QStringLiteral("vm:201"), QStringLiteral("vm:105"));
    }
}

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

    // A switched API tier is carried on, not undone: the serving VMs are the plan's API VMs in
    // their upgraded form, the kept ones stay stopped with their tag, nothing is removed.
    void switchedApiTier_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<int>("count");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QStringList>("absent");

        const QStringList noApiChange{QStringLiteral("~ vm rae-api"), QStringLiteral("+ vm"),
                                      QStringLiteral("- vm"), QStringLiteral("! vm"),
                                      QStringLiteral("ha resource vm:104\n    state")};
        QTest::newRow("after an upgrade the plan is 0 changes")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTier(snapshot);
               })
            << 0
            << QStringList{QStringLiteral("= vm rae-api-1 (104)  # kept stopped for a rollback "
                                          "(rae-standby); rae-api-1-v2.1.0 serves in its place"),
                           QStringLiteral("= vm rae-api-1-v2.1.0 (200)  # serves in place of "
                                          "rae-api-1 since upgrade-api to 2.1.0"),
                           QStringLiteral("= ha resource vm:104  # rae-api-1 is kept stopped"),
                           QStringLiteral("Plan: 0 to create, 0 to change, 0 to move, 0 to "
                                          "remove; 0 left alone.")}
            << noApiChange;
        QTest::newRow("prune removes no VM of a switched tier")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &options) {
                   switchApiTier(snapshot);
                   options.prune = true;
               })
            << 0 << QStringList{QStringLiteral("= vm rae-api-2-v2.1.0 (201)")} << noApiChange;
        QTest::newRow("a db change is applied while the tier is switched")
            << Mutation([](plan::Plan &plan, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTier(snapshot);
                   plan.vms[0].memory = ByteSize::fromGiB(24);
               })
            << 1 << QStringList{QStringLiteral("~ vm rae-db (101)\n    memory: 16 GiB → 24 GiB")}
            << noApiChange;
        QTest::newRow("API cores go to the VMs that serve, not the kept ones")
            << Mutation([](plan::Plan &plan, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTier(snapshot);
                   for (plan::Vm &vm : plan.vms)
                       if (vm.role == plan::Role::Api)
                           vm.cores = 12;
               })
            << 2
            << QStringList{QStringLiteral("~ vm rae-api-1-v2.1.0 (200)  # serves in place of "
                                          "rae-api-1 since upgrade-api to 2.1.0\n    cores: 8 → "
                                          "12"),
                           QStringLiteral("= vm rae-api-1 (104)  # kept stopped")}
            << QStringList{QStringLiteral("~ vm rae-api-1 ")};
        QTest::newRow("the kept plan VMs removed by hand are not made again")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTier(snapshot);
                   snapshot.vms.removeIf([](const SnapshotVm &vm) {
                       return vm.name == QLatin1String("rae-api-1") ||
                              vm.name == QLatin1String("rae-api-2");
                   });
                   snapshot.haResources.removeIf([](const SnapshotHaResource &resource) {
                       return resource.sid == QLatin1String("vm:104") ||
                              resource.sid == QLatin1String("vm:105");
                   });
               })
            << 0 << QStringList{QStringLiteral("= vm rae-api-2-v2.1.0 (201)")}
            << noApiChange + QStringList{QStringLiteral("ha rule rae-api-apart")};
        QTest::newRow("the serving VMs of an upgrade without HA are made HA-managed")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTierWithoutHa(snapshot);
               })
            << 3
            << QStringList{QStringLiteral("+ ha resource vm:200\n    state: started"),
                           QStringLiteral("+ ha resource vm:201"),
                           QStringLiteral("~ ha rule rae-api-apart\n    resources: "
                                          "vm:104,vm:105 → vm:200,vm:201"),
                           QStringLiteral("= ha resource vm:104  # rae-api-1 is kept stopped")}
            << noApiChange;
        QTest::newRow("a kept plan VM that nothing serves for is not started through HA")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTier(snapshot);
                   snapshot.vms.removeIf([](const SnapshotVm &vm) {
                       return vm.name.endsWith(QLatin1String("-v2.1.0"));
                   });
                   snapshot.haResources.removeIf([](const SnapshotHaResource &resource) {
                       return resource.sid.startsWith(QLatin1String("vm:20"));
                   });
               })
            << 1
            << QStringList{QStringLiteral("= ha resource vm:104  # rae-api-1 is kept stopped"),
                           QStringLiteral("no VM serves in its place"),
                           QStringLiteral("~ ha rule rae-api-apart\n    resources: vm:200,vm:201 "
                                          "→ vm:104,vm:105")}
            << noApiChange;
        QTest::newRow("after a rollback the plan is 0 changes and the new VMs are kept")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &options) {
                   switchApiTier(snapshot);
                   rollBackApiTier(snapshot);
                   options.prune = true;
               })
            << 0
            << QStringList{QStringLiteral("= vm rae-api-1-v2.1.0 (200)  # kept stopped for a "
                                          "rollback (rae-standby) of rae-api-1")}
            << QStringList{QStringLiteral("rae-api-1 (104)"), QStringLiteral("- vm")};
        QTest::newRow("a tier change stopped half-way is left alone")
            << Mutation([](plan::Plan &, ClusterSnapshot &snapshot, DiffOptions &) {
                   switchApiTier(snapshot);
                   SnapshotVm &old = vmNamed(snapshot, QStringLiteral("rae-api-2"));
                   old.tags.removeAll(QLatin1String(kStandbyTag));
               })
            << 0
            << QStringList{QStringLiteral("= vm rae-api-2 (105)  # an upgrade-api or "
                                          "rollback-api of rae-api-2 has not finished")}
            << noApiChange;
    }

    // The HA rules name the VMs that serve after an upgrade or rollback, also those of the
    // plan VMs a stopped run had tagged `rae-standby` already.
    void tierChangesRenameTheHaRules()
    {
        const auto ruleResources = [](const TierPlan &tier) {
            for (const Action &action : tier.actions)
                if (action.id == QLatin1String("ha-rule:rae-api-apart"))
                    return action.change.field(QStringLiteral("resources"));
            return QStringLiteral("(no ha-rule action)");
        };
        plan::Plan plan = reference();
        ClusterSnapshot switched = applied(plan);
        switchApiTier(switched);
        auto rollback = planApiRollback(plan, switched);
        QVERIFY2(rollback.ok(), qPrintable(rollback.ok() ? QString() : rollback.error().message));
        QCOMPARE(ruleResources(rollback.value()), QStringLiteral("vm:104,vm:105"));

        // Stopped after rae-api-1 was kept and before the rule was renamed: rae-api-2 still
        // serves, and the new VMs are not HA-managed yet.
        ClusterSnapshot halfWay = applied(plan);
        switchApiTierWithoutHa(halfWay);
        SnapshotVm &stillServing = vmNamed(halfWay, QStringLiteral("rae-api-2"));
        stillServing.status = QStringLiteral("running");
        stillServing.tags.removeAll(QLatin1String(kStandbyTag));
        auto resumed = planApiUpgrade(plan, halfWay, QStringLiteral("2.1.0"));
        QVERIFY2(resumed.ok(), qPrintable(resumed.ok() ? QString() : resumed.error().message));
        QCOMPARE(resumed->from, QStringList{QStringLiteral("rae-api-2")});
        QCOMPARE(ruleResources(resumed.value()), QStringLiteral("vm:200,vm:201"));
    }

    void switchedApiTier()
    {
        QFETCH(Mutation, mutate);
        QFETCH(int, count);
        QFETCH(QStringList, expected);
        QFETCH(QStringList, absent);
        plan::Plan plan = reference();
        ClusterSnapshot snapshot = applied(plan);
        DiffOptions options;
        mutate(plan, snapshot, options);
        const Changeset set = computeChangeset(plan, snapshot, options);
        const QString text = renderChangeset(set);
        QVERIFY2(!set.hasErrors(), qPrintable(text));
        QVERIFY2(set.count() == count, qPrintable(text));
        for (const QString &line : expected)
            QVERIFY2(text.contains(line), qPrintable(line + QLatin1String(" not in:\n") + text));
        for (const QString &line : absent)
            QVERIFY2(!text.contains(line), qPrintable(line + QLatin1String(" in:\n") + text));
        // The kept VMs are never started, retagged or removed by the actions.
        const plan::Plan deployed = deployedPlan(plan, snapshot);
        // The serving ones may be made HA-managed.
        for (const Action &action : planActions(deployed, set)) {
            const SnapshotVm *vm = snapshot.vmByName(action.vmName);
            QVERIFY2(
                !action.vmName.startsWith(QLatin1String("rae-api")) ||
                    action.type == ActionType::ConfigureVm ||
                    (action.type == ActionType::HaResource && vm != nullptr && !isStandby(*vm)),
                qPrintable(action.id));
        }
    }

    // Cloud-init keys compare as sets of keys; pools are made and joined, never left silently.
    void accessAndPools_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("expected"); // a line of the rendering

        QTest::newRow("the same keys in another order are no change")
            << Mutation([](plan::Plan &p, ClusterSnapshot &s, DiffOptions &) {
                   p.access.sshKeys.append({kSecondKey, {}});
                   for (SnapshotVm &vm : s.vms)
                       vm.sshKeys = {kSecondKey, p.access.sshKeys.first().text};
               })
            << 0 << "Plan: 0 to create, 0 to change, 0 to move, 0 to remove; 0 left alone.";
        QTest::newRow("another comment on the same key is no change")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   for (SnapshotVm &vm : s.vms)
                       vm.sshKeys.first().replace(QLatin1String("example@rae-deploy.invalid"),
                                                  QLatin1String("old comment"));
               })
            << 0 << "Plan: 0 to create, 0 to change, 0 to move, 0 to remove; 0 left alone.";
        QTest::newRow("a key added to the plan updates every VM")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.access.sshKeys.append({kSecondKey, {}});
               })
            << 7
            << "    sshkeys: ssh-ed25519 …LVJFQUwh example@rae-deploy.invalid → ssh-ed25519 "
               "…LUZBS0Uh second@test, ssh-ed25519 …LVJFQUwh example@rae-deploy.invalid";
        QTest::newRow("keys set by hand stay when the plan has none")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.access.sshKeys.clear();
               })
            << 0 << "Plan: 0 to create, 0 to change, 0 to move, 0 to remove; 0 left alone.";
        QTest::newRow("another cloud-init user is an update")
            << Mutation([](plan::Plan &, ClusterSnapshot &s, DiffOptions &) {
                   vmNamed(s, QStringLiteral("rae-db")).ciUser = QStringLiteral("ubuntu");
               })
            << 1 << "    ciuser: ubuntu → rae";
        QTest::newRow("a missing pool is made with the plan's VMs")
            << Mutation([](plan::Plan &p, ClusterSnapshot &, DiffOptions &) {
                   p.defaultPool = QStringLiteral("rae");
               })
            << 1 << "    member rae-gateway: rae";
        QTest::newRow("a VM outside the pool is added to it")
            << Mutation([](plan::Plan &p, ClusterSnapshot &s, DiffOptions &) {
                   p.defaultPool = QStringLiteral("rae");
                   s.pools.append({QStringLiteral("rae"), {}});
                   for (SnapshotVm &vm : s.vms)
                       vm.pool =
                           vm.name == QLatin1String("rae-db") ? QString() : QStringLiteral("rae");
               })
            << 1 << "~ pool rae\n    member rae-db: rae\nPlan:";
        QTest::newRow("a VM in another pool is moved, and the preview says so")
            << Mutation([](plan::Plan &p, ClusterSnapshot &s, DiffOptions &) {
                   p.defaultPool = QStringLiteral("rae");
                   s.pools = {{QStringLiteral("rae"), {}}, {QStringLiteral("other"), {}}};
                   for (SnapshotVm &vm : s.vms)
                       vm.pool = vm.name == QLatin1String("rae-db") ? QStringLiteral("other")
                                                                    : QStringLiteral("rae");
               })
            << 1
            << "~ pool rae  # rae-db leaves pool other, which the plan does not name for it\n"
               "    member rae-db: other → rae";
        QTest::newRow("the LLM in a pool of its own")
            << Mutation([](plan::Plan &p, ClusterSnapshot &s, DiffOptions &) {
                   p.defaultPool = QStringLiteral("rae");
                   p.vms[5].pool = QStringLiteral("gpu");
                   s.pools.append({QStringLiteral("rae"), {}});
                   for (SnapshotVm &vm : s.vms)
                       vm.pool = QStringLiteral("rae");
               })
            << 1 << "    comment: RAE on rae-prod\n    member rae-llm: rae → gpu";
    }

    void accessAndPools()
    {
        QFETCH(Mutation, mutate);
        QFETCH(int, count);
        QFETCH(QString, expected);
        plan::Plan plan = reference();
        ClusterSnapshot snapshot = applied(plan);
        DiffOptions options;
        mutate(plan, snapshot, options);
        const Changeset set = computeChangeset(plan, snapshot, options);
        const QString text = renderChangeset(set);
        QVERIFY2(text.contains(expected), qPrintable(text));
        QVERIFY(!set.hasErrors());
        QCOMPARE(set.count(), count);
        // What changes is done by actions: keys and user by configuring, pools by their own.
        const QList<Action> actions = planActions(plan, set);
        for (const Change &change : set.changes) {
            if (!change.counts())
                continue;
            const QString id = change.object == ObjectKind::Pool
                                   ? QStringLiteral("pool:") + change.id
                                   : QStringLiteral("configure:") + change.id;
            QVERIFY2(std::any_of(actions.cbegin(), actions.cend(),
                                 [&id](const Action &a) { return a.id == id; }),
                     qPrintable(id));
        }
    }

    // Proxmox keeps `sshkeys` percent-encoded; the snapshot holds the keys themselves.
    void storedKeysAreDecodedBeforeTheyAreCompared()
    {
        const plan::Plan plan = reference();
        const QStringList keys{plan.access.keyLines().first(), kSecondKey};
        const QString stored = proxmox::form::sshKeysValue(keys);
        QVERIFY(stored.contains(QLatin1String("%20")));
        QVERIFY(stored.contains(QLatin1String("%0A")));
        QVERIFY(!stored.contains(QLatin1Char(' ')));
        const auto vm = parseVmConfig(QJsonObject{{QStringLiteral("name"), QStringLiteral("x")},
                                                  {QStringLiteral("sshkeys"), stored}});
        QVERIFY(vm.ok());
        QCOMPARE(vm->sshKeys, keys);
        QVERIFY(!vm->sshKeys.contains(stored));
    }

    void newVmsGetTheirKeysAndJoinThePoolOnceCloned()
    {
        plan::Plan plan = reference();
        plan.defaultPool = QStringLiteral("rae");
        const Changeset set = computeChangeset(plan, ClusterSnapshot{});
        const QString text = renderChangeset(set);
        QVERIFY2(text.contains(QStringLiteral("    ciuser: rae\n    sshkeys: ssh-ed25519 "
                                              "…LVJFQUwh example@rae-deploy.invalid\n")),
                 qPrintable(text));
        QVERIFY(text.contains(QLatin1String("+ pool rae\n    comment: RAE on rae-prod\n")));
        const QList<Action> actions = planActions(plan, set);
        const auto pool = std::find_if(actions.cbegin(), actions.cend(), [](const Action &a) {
            return a.id == QLatin1String("pool:rae");
        });
        QVERIFY(pool != actions.cend());
        QCOMPARE(pool->dependsOn.size(), plan.vms.size());
        for (const plan::Vm &vm : plan.vms)
            QVERIFY(pool->dependsOn.contains(QStringLiteral("clone:") + vm.name));
    }

    void gatewayOfASwitchedTierProxiesToTheServingVms()
    {
        const plan::Plan plan = reference();
        ClusterSnapshot snapshot = applied(plan);
        switchApiTier(snapshot);
        const plan::Plan deployed = deployedPlan(plan, snapshot);
        QVERIFY(deployed.vm(QStringLiteral("rae-api-1-v2.1.0")));
        QVERIFY(
            deployed.vm(QStringLiteral("rae-api-1"))->tags.contains(QLatin1String(kStandbyTag)));
        const plan::Vm *gateway = deployed.vm(QStringLiteral("rae-gateway"));
        QVERIFY(gateway);
        const QString script = QString::fromUtf8(provisioningScript(deployed, *gateway, {}));
        QVERIFY2(script.contains(QLatin1String("server 10.20.0.121:8000;\n  server "
                                               "10.20.0.122:8000;\n}")),
                 qPrintable(script));
        QVERIFY(!script.contains(QLatin1String("10.20.0.21:")));
        // The database admits both tiers, so that a rollback finds it open.
        const QString db = QString::fromUtf8(
            provisioningScript(deployed, *deployed.vm(QStringLiteral("rae-db")), {}));
        QVERIFY(db.contains(QLatin1String("10.20.0.21/32")));
        QVERIFY(db.contains(QLatin1String("10.20.0.121/32")));
    }
};

QTEST_GUILESS_MAIN(TestChangeset)
#include "tst_changeset.moc"
