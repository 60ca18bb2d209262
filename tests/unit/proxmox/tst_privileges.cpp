// The privileges report: inheritance rules of /access/permissions and what each operation of the
// deployment needs, with the privilege-separated token case.
#include "proxmox/privileges.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace rae::proxmox;

namespace {

Permissions permissions(const char *json)
{
    const auto parsed = Permissions::fromData(QJsonDocument::fromJson(QByteArray(json)).object());
    if (!parsed)
        qFatal("bad test permissions");
    return *parsed;
}

// What the simulator's privilege-separated token deployer@pve!app may do (resources/sim).
const char *kAppToken = R"({"/":{"Sys.Audit":1,"VM.Audit":1,"Datastore.Audit":1,"Mapping.Audit":1},
  "/mapping/pci/gpu-l4":{"Mapping.Audit":1,"Mapping.Use":1},
  "/sdn":{"SDN.Audit":1,"SDN.Use":1},
  "/storage":{"Datastore.AllocateSpace":1,"Datastore.Audit":1},
  "/vms":{"VM.Allocate":1,"VM.Audit":1,"VM.Backup":1,"VM.Clone":1,"VM.Config.CDROM":1,
          "VM.Config.CPU":1,"VM.Config.Cloudinit":1,"VM.Config.Disk":1,"VM.Config.HWType":1,
          "VM.Config.Memory":1,"VM.Config.Network":1,"VM.Config.Options":1,
          "VM.GuestAgent.Audit":1,"VM.GuestAgent.Unrestricted":1,"VM.Migrate":1,
          "VM.PowerMgmt":1,"VM.Replicate":1}})";

DeploymentScope scope()
{
    DeploymentScope s;
    s.storages = {QStringLiteral("ceph-vm")};
    s.bridges = {QStringLiteral("vmbr1/20")};
    s.pciMappings = {QStringLiteral("gpu-l4")};
    s.backupStorage = QStringLiteral("pbs");
    s.usesHa = true;
    s.usesReplication = true;
    s.viaApiToken = true;
    return s;
}

} // namespace

class TestPrivileges final : public QObject
{
    Q_OBJECT

private slots:
    void inheritance_data();
    void inheritance();
    void appTokenMayDeployButNotManageHaOrBackupJobs();
    void emptyPermissionsMissEverythingAndSayWhy();
    void pve8NeedsOtherPrivileges();
};

void TestPrivileges::inheritance_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("privilege");
    QTest::addColumn<bool>("held");
    QTest::newRow("listed on the path itself")
        << QStringLiteral("/vms") << QStringLiteral("VM.Audit") << true;
    QTest::newRow("inherited from a propagating parent")
        << QStringLiteral("/vms/101") << QStringLiteral("VM.Audit") << true;
    QTest::newRow("not inherited without the propagate flag")
        << QStringLiteral("/nodes/pve1") << QStringLiteral("Sys.Modify") << false;
    QTest::newRow("a listed child does not inherit what it lacks")
        << QStringLiteral("/vms") << QStringLiteral("Sys.Audit") << false;
    QTest::newRow("nothing listed above")
        << QStringLiteral("/pool/rae") << QStringLiteral("VM.Allocate") << false;
    QTest::newRow("trailing slash is the same path")
        << QStringLiteral("/vms/") << QStringLiteral("VM.Audit") << true;
}

void TestPrivileges::inheritance()
{
    QFETCH(QString, path);
    QFETCH(QString, privilege);
    QFETCH(bool, held);
    const Permissions p =
        permissions(R"({"/":{"Sys.Audit":1,"Sys.Modify":0},"/vms":{"VM.Audit":1}})");
    QCOMPARE(p.has(path, privilege), held);
}

void TestPrivileges::appTokenMayDeployButNotManageHaOrBackupJobs()
{
    const PrivilegeReport report = checkPrivileges(permissions(kAppToken), scope());
    using Op = OperationCheck::Operation;
    for (Op op : {Op::Inventory, Op::CreateVms, Op::CloneTemplate, Op::PowerVms, Op::MigrateVms,
                  Op::UseGpu, Op::ManageReplication, Op::GuestAgent}) {
        QVERIFY2(report.check(op) && report.check(op)->allowed(),
                 qPrintable(report.toText(QStringLiteral("deployer@pve!app"))));
    }
    QVERIFY(!report.check(Op::ManageHa)->allowed());
    QCOMPARE(report.check(Op::ManageHa)->missing,
             (QList<OperationCheck::Need>{{QStringLiteral("/"), QStringLiteral("Sys.Console")}}));
    QVERIFY(!report.check(Op::Backup)->allowed());
    QVERIFY(!report.allAllowed());

    const QString text = report.toText(QStringLiteral("deployer@pve!app"));
    QVERIFY(text.contains(QLatin1String("Sys.Console on /")));
    QVERIFY(text.contains(QLatin1String("privilege-separated")));
    QVERIFY(text.contains(
        QLatin1String("pveum acl modify / -token 'deployer@pve!app' -role RAEDeploy")));
}

void TestPrivileges::emptyPermissionsMissEverythingAndSayWhy()
{
    const PrivilegeReport report = checkPrivileges(permissions("{}"), scope());
    for (const OperationCheck &check : report.operations)
        QVERIFY(!check.allowed());
    QVERIFY(report.neededPrivileges.contains(QStringLiteral("Mapping.Use")));
    QVERIFY(report.toText(QStringLiteral("deployer@pve!blind"))
                .contains(QLatin1String("pveum role add RAEDeploy")));
}

void TestPrivileges::pve8NeedsOtherPrivileges()
{
    DeploymentScope s = scope();
    s.pveMajor = 8;
    s.viaApiToken = false;
    const PrivilegeReport report = checkPrivileges(permissions(kAppToken), s);
    using Op = OperationCheck::Operation;
    // Replication asked for Datastore.Allocate on /storage and the agent for VM.Monitor up to 8.
    QVERIFY(!report.check(Op::ManageReplication)->allowed());
    QVERIFY(!report.check(Op::GuestAgent)->allowed());
    const QString text = report.toText(QStringLiteral("deployer@pve"));
    QVERIFY(text.contains(QLatin1String("-user 'deployer@pve'")));
    QVERIFY(!text.contains(QLatin1String("privilege-separated")));
}

QTEST_MAIN(TestPrivileges)
#include "tst_privileges.moc"
