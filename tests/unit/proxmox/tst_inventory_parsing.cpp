// Typed parsers of the inventory calls: node status, storages, networks, PCI mappings, HA and
// backup jobs. Inputs are what PVE 8/9 send, with the loose types they are known to use.
#include "cluster/backupjob.h"
#include "cluster/ha.h"
#include "cluster/network.h"
#include "cluster/nodestatus.h"
#include "cluster/pcimapping.h"
#include "cluster/storage.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace rae::cluster;

namespace {

QJsonValue data(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object().value(QStringLiteral("data"));
}

} // namespace

class TestInventoryParsing final : public QObject
{
    Q_OBJECT

private slots:
    void nodeStatusOfPve9();
    void nodeStatusOfPve8WithoutNewKeys();
    void storageConfigAndNodeStatus();
    void networkBridgesAndVlans();
    void pciMappingEntries();
    void haResourcesFillDefaults();
    void haGroupsOfPve8();
    void haRulesOfPve9();
    void haStatusReadsStructuredFieldsOnly();
    void backupJobs();
    void malformed_data();
    void malformed();
};

void TestInventoryParsing::nodeStatusOfPve9()
{
    const auto status =
        parseNodeStatus(data(R"json({"data":{"boot-info":{"mode":"efi","secureboot":0},
        "cpu":0.0312,"cpuinfo":{"cores":32,"cpus":64,"hvm":"1","model":"AMD EPYC 9354 32-Core Processor",
        "sockets":1,"mhz":"3249.998"},"current-kernel":{"release":"6.14.11-4-pve"},
        "kversion":"Linux 6.14.11-4-pve #1 SMP","loadavg":["2.00","1.90","1.80"],
        "memory":{"available":539447892378,"free":539447892378,"total":549755813888,"used":10307921510},
        "pveversion":"pve-manager/9.1.4/7a5d9e1c","rootfs":{"total":100000000000,"used":9090909090},
        "swap":{"free":0,"total":0,"used":0},"uptime":864004,"wait":0.0012}})json"));
    QVERIFY(status.ok());
    QCOMPARE(status->cpuModel, QStringLiteral("AMD EPYC 9354 32-Core Processor"));
    QCOMPARE(status->cores, 32);
    QCOMPARE(status->threads, 64);
    QVERIFY(status->hardwareVirtualization);
    QCOMPARE(status->load1, std::optional<double>(2.0));
    QCOMPARE(status->memoryTotal, quint64(549755813888));
    QCOMPARE(status->memoryAvailable, std::optional<quint64>(539447892378));
    QCOMPARE(status->kernel, QStringLiteral("6.14.11-4-pve"));
    QCOMPARE(status->bootMode, QStringLiteral("efi"));
    QVERIFY(!status->secureBoot);
}

void TestInventoryParsing::nodeStatusOfPve8WithoutNewKeys()
{
    const auto status = parseNodeStatus(data(R"json({"data":{"cpu":"0.5","cpuinfo":{"cores":"8",
        "cpus":"16","hvm":""},"kversion":"Linux 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC",
        "memory":{"total":"68719476736","used":"1024"},"uptime":"100"}})json"));
    QVERIFY(status.ok());
    QCOMPARE(status->cpu, 0.5);
    QCOMPARE(status->cores, 8);
    QVERIFY(!status->hardwareVirtualization);
    QVERIFY(!status->memoryAvailable.has_value());
    QVERIFY(!status->load1.has_value());
    QCOMPARE(status->kernel, QStringLiteral("6.8.12-4-pve"));
    QCOMPARE(status->uptime, qint64(100));
}

void TestInventoryParsing::storageConfigAndNodeStatus()
{
    const auto config = parseStorageConfig(data(R"json({"data":[
        {"content":"images,rootdir","pool":"rpool/data","sparse":"1","storage":"local-zfs",
         "type":"zfspool","nodes":"pve1,pve2"},
        {"content":"images,rootdir","krbd":"0","pool":"ceph-vm","shared":1,"storage":"ceph-vm",
         "type":"rbd"},
        {"content":"backup","datastore":"rae","server":"192.0.2.50","shared":"1","storage":"pbs",
         "type":"pbs","disable":1}]})json"));
    QVERIFY(config.ok());
    QCOMPARE(config->size(), 3);
    QCOMPARE(config->at(0).content,
             (QStringList{QStringLiteral("images"), QStringLiteral("rootdir")}));
    QVERIFY(config->at(0).availableOn(QStringLiteral("pve2")));
    QVERIFY(!config->at(0).availableOn(QStringLiteral("pve3")));
    QCOMPARE(config->at(0).raw.value(QStringLiteral("sparse")), QStringLiteral("1"));
    QVERIFY(config->at(1).shared);
    QVERIFY(config->at(1).availableOn(QStringLiteral("pve3")));
    QVERIFY(config->at(2).shared && config->at(2).disabled);
    QCOMPARE(config->at(2).datastore, QStringLiteral("rae"));

    const auto onNode = parseNodeStorage(data(R"json({"data":[
        {"active":1,"avail":94489280512,"content":"iso,backup","enabled":1,"shared":0,
         "storage":"local","total":107374182400,"type":"dir","used":12884901888},
        {"active":0,"content":"backup","storage":"nfs-backup","type":"nfs","total":0,"used":0}]})json"));
    QVERIFY(onNode.ok());
    QCOMPARE(onNode->size(), 2);
    QCOMPARE(onNode->at(0).available, quint64(94489280512));
    QVERIFY(onNode->at(0).active);
    QVERIFY(!onNode->at(1).active);
    QVERIFY(onNode->at(1).enabled); // omitted means enabled
}

void TestInventoryParsing::networkBridgesAndVlans()
{
    const auto network =
        parseNodeNetwork(data(R"json({"data":[
        {"active":1,"address":"192.0.2.11","autostart":1,"bridge_ports":"eno1","cidr":"192.0.2.11/24",
         "comments":"public\n","gateway":"192.0.2.1","iface":"vmbr0","method":"static","type":"bridge"},
        {"active":1,"exists":1,"iface":"eno1","method":"manual","type":"eth"},
        {"active":1,"bridge_vids":"2-4094","bridge_vlan_aware":"1","iface":"vmbr1","type":"bridge","mtu":"9000"},
        {"iface":"vmbr1.20","type":"vlan","vlan-id":"20","vlan-raw-device":"vmbr1"}]})json"),
                         QJsonValue(QStringLiteral("--- /etc/network/interfaces\n+++ ...\n")));
    QVERIFY(network.ok());
    QVERIFY(network->pendingChanges);
    QCOMPARE(network->bridges().size(), 2);
    const NetworkInterface *vmbr0 = network->find(QStringLiteral("vmbr0"));
    QVERIFY(vmbr0);
    QCOMPARE(vmbr0->comments, QStringLiteral("public"));
    QCOMPARE(vmbr0->gateway, QStringLiteral("192.0.2.1"));
    QVERIFY(!vmbr0->vlanAware);
    const NetworkInterface *vmbr1 = network->find(QStringLiteral("vmbr1"));
    QVERIFY(vmbr1 && vmbr1->vlanAware);
    QCOMPARE(vmbr1->mtu, std::optional<int>(9000));
    QCOMPARE(network->find(QStringLiteral("vmbr1.20"))->vlanId, std::optional<int>(20));
    QVERIFY(!network->find(QStringLiteral("vmbr9")));
}

void TestInventoryParsing::pciMappingEntries()
{
    const auto mappings = parsePciMappings(data(R"json({"data":[
        {"description":"NVIDIA L4","id":"gpu-l4","map":[
          "node=pve3,path=0000:41:00.0,id=10de:27b8,iommugroup=25,subsystem-id=10de:16ca",
          "node=pve2,path=0000:01:00.0;0000:02:00.0,id=10de:27b8"]},
        {"id":"single","map":"node=pve1,path=0000:03:00.0,id=8086:1572","mdev":"1"}]})json"));
    QVERIFY2(mappings.ok(), qPrintable(mappings ? QString() : mappings.error().message));
    QCOMPARE(mappings->size(), 2);
    const PciMapping &gpu = mappings->at(0);
    QCOMPARE(gpu.nodes(), (QStringList{QStringLiteral("pve3"), QStringLiteral("pve2")}));
    QCOMPARE(gpu.entryOn(QStringLiteral("pve3"))->iommuGroup, std::optional<int>(25));
    QCOMPARE(gpu.entryOn(QStringLiteral("pve3"))->subsystemId, QStringLiteral("10de:16ca"));
    QCOMPARE(gpu.entryOn(QStringLiteral("pve2"))->paths.size(), 2);
    QVERIFY(!gpu.entryOn(QStringLiteral("pve1")));
    QCOMPARE(mappings->at(1).entries.size(), 1);
    QVERIFY(mappings->at(1).mediatedDevices);
}

void TestInventoryParsing::haResourcesFillDefaults()
{
    const auto resources = parseHaResources(data(R"json({"data":[
        {"sid":"vm:100","type":"vm","comment":"bastion","digest":"x"},
        {"sid":"vm:104","state":"stopped","max_restart":"3","failback":0,"group":"gpu"},
        {"sid":"ct:200","state":"enabled"}]})json"));
    QVERIFY(resources.ok());
    QCOMPARE(resources->size(), 3);
    QCOMPARE(resources->at(0).state, QStringLiteral("started"));
    QCOMPARE(resources->at(0).maxRestart, 1);
    QCOMPARE(resources->at(0).vmid, 100);
    QVERIFY(resources->at(0).failback);
    QCOMPARE(resources->at(1).state, QStringLiteral("stopped"));
    QCOMPARE(resources->at(1).maxRestart, 3);
    QVERIFY(!resources->at(1).failback);
    QCOMPARE(resources->at(1).type, QStringLiteral("vm"));
    QCOMPARE(resources->at(2).state, QStringLiteral("started"));
    QCOMPARE(resources->at(2).type, QStringLiteral("ct"));
}

void TestInventoryParsing::haGroupsOfPve8()
{
    const auto groups = parseHaGroups(data(R"json({"data":[
        {"group":"gpu","type":"group","nodes":"pve2:2,pve3:1","restricted":1,"digest":"x"},
        {"group":"any","nodes":"pve1,pve2"}]})json"));
    QVERIFY(groups.ok());
    QCOMPARE(groups->at(0).nodes.size(), 2);
    QCOMPARE(groups->at(0).nodes.at(0), (HaNodePriority{QStringLiteral("pve2"), 2}));
    QVERIFY(groups->at(0).restricted);
    QVERIFY(!groups->at(0).noFailback);
    QCOMPARE(groups->at(1).nodes.at(1), (HaNodePriority{QStringLiteral("pve2"), std::nullopt}));
}

void TestInventoryParsing::haRulesOfPve9()
{
    const auto rules = parseHaRules(data(R"json({"data":[
        {"rule":"gpu-nodes","type":"node-affinity","resources":"vm:104","nodes":"pve2:2,pve3:1",
         "strict":1,"order":1},
        {"rule":"db-separate","type":"resource-affinity","resources":"vm:101,vm:102",
         "affinity":"negative","order":2,
         "errors":{"resources":["more resources than nodes"]}},
        {"rule":"future","type":"something-new","resources":"vm:1"}]})json"));
    QVERIFY(rules.ok());
    QCOMPARE(rules->size(), 3);
    QCOMPARE(rules->at(0).type, HaRule::Type::NodeAffinity);
    QVERIFY(rules->at(0).strict);
    QCOMPARE(rules->at(0).nodes.size(), 2);
    QCOMPARE(rules->at(1).type, HaRule::Type::ResourceAffinity);
    QVERIFY(!rules->at(1).positive);
    QCOMPARE(rules->at(1).resources.size(), 2);
    QCOMPARE(rules->at(1).error, QStringLiteral("more resources than nodes"));
    QCOMPARE(rules->at(2).type, HaRule::Type::Other);
    QCOMPARE(rules->at(2).typeText, QStringLiteral("something-new"));
}

void TestInventoryParsing::haStatusReadsStructuredFieldsOnly()
{
    const auto status = parseHaStatus(data(R"json({"data":[
        {"id":"quorum","node":"pve1","quorate":"1","status":"No quorum on node 'x'!","type":"quorum"},
        {"id":"master","node":"pve1","status":"pve1 (active, ...)","timestamp":1796315100,"type":"master"},
        {"id":"fencing","type":"fencing","node":"pve1","armed-state":"armed"},
        {"id":"lrm:pve2","node":"pve2","status":"old timestamp - dead?","timestamp":"1796315000","type":"lrm"},
        {"crm_state":"fence","id":"service:vm:100","node":"pve2","request_state":"started",
         "sid":"vm:100","state":"fence","status":"vm:100 (pve2, started)","type":"service"},
        {"id":"x","type":"from-the-future"}]
})json"));
    QVERIFY(status.ok());
    QVERIFY(status->quorate); // the structured field wins over the text
    QCOMPARE(status->master, QStringLiteral("pve1"));
    QCOMPARE(status->fencingArmedState, QStringLiteral("armed"));
    QCOMPARE(status->lrms.size(), 1);
    QCOMPARE(status->lrms.first().timestamp, qint64(1796315000));
    const HaStatus::Service *service = status->service(QStringLiteral("vm:100"));
    QVERIFY(service);
    QCOMPARE(service->state, QStringLiteral("fence"));
    QCOMPARE(service->requestState, QStringLiteral("started"));
    QVERIFY(!status->service(QStringLiteral("vm:101")));
}

void TestInventoryParsing::backupJobs()
{
    const auto jobs = parseBackupJobs(data(R"json({"data":[
        {"enabled":1,"id":"backup-rae-daily","mode":"snapshot","next-run":1796351400,
         "prune-backups":{"keep-daily":7,"keep-weekly":"4"},"schedule":"02:30","storage":"pbs",
         "type":"vzdump","vmid":"100,101"},
        {"id":"all-but","all":"1","exclude":"9000","enabled":"0","prune-backups":"keep-last=3"}]})json"));
    QVERIFY(jobs.ok());
    QCOMPARE(jobs->size(), 2);
    const BackupJob &daily = jobs->at(0);
    QCOMPARE(daily.vmids, (QList<int>{100, 101}));
    QVERIFY(daily.covers(101) && !daily.covers(102));
    QCOMPARE(daily.prune.value(QStringLiteral("keep-weekly")), 4);
    QCOMPARE(daily.nextRun, qint64(1796351400));
    const BackupJob &all = jobs->at(1);
    QVERIFY(!all.enabled);
    QVERIFY(all.covers(100) && !all.covers(9000));
    QCOMPARE(all.mode, QStringLiteral("snapshot"));
    QCOMPARE(all.prune.value(QStringLiteral("keep-last")), 3);
}

void TestInventoryParsing::malformed_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("node status that is a list") << QStringLiteral("node") << QByteArray("[]");
    QTest::newRow("storage without a name")
        << QStringLiteral("storage") << QByteArray(R"([{"type":"dir"}])");
    QTest::newRow("interface without a name")
        << QStringLiteral("network") << QByteArray(R"([{"type":"eth"}])");
    QTest::newRow("mapping entry without a node")
        << QStringLiteral("pci") << QByteArray(R"([{"id":"g","map":["path=0000:01:00.0"]}])");
    QTest::newRow("HA resource without a sid") << QStringLiteral("ha") << QByteArray(R"([{}])");
    QTest::newRow("backup jobs that are an object")
        << QStringLiteral("backup") << QByteArray(R"({"id":"x"})");
}

void TestInventoryParsing::malformed()
{
    QFETCH(QString, which);
    QFETCH(QByteArray, json);
    const QJsonValue value =
        QJsonDocument::fromJson("{\"data\":" + json + "}").object().value(QStringLiteral("data"));
    bool ok = true;
    if (which == QLatin1String("node"))
        ok = parseNodeStatus(value).ok();
    else if (which == QLatin1String("storage"))
        ok = parseStorageConfig(value).ok() || parseNodeStorage(value).ok();
    else if (which == QLatin1String("network"))
        ok = parseNodeNetwork(value).ok();
    else if (which == QLatin1String("pci"))
        ok = parsePciMappings(value).ok();
    else if (which == QLatin1String("ha"))
        ok = parseHaResources(value).ok();
    else if (which == QLatin1String("backup"))
        ok = parseBackupJobs(value).ok();
    QVERIFY(!ok);
}

QTEST_MAIN(TestInventoryParsing)
#include "tst_inventory_parsing.moc"
