#include "plan/planreader.h"

#include <QFile>
#include <QTest>

using namespace rae::plan;

namespace {

QByteArray referenceText()
{
    QFile file(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open the reference plan");
    return file.readAll();
}

// The reference plan with the first occurrence of `from` replaced by `to`; the test fails
// loudly if `from` is not there, so a changed reference plan cannot make a row pass vacuously.
QByteArray referenceWith(const QByteArray &from, const QByteArray &to)
{
    QByteArray text = referenceText();
    const qsizetype at = text.indexOf(from);
    if (at < 0)
        qFatal("the reference plan no longer contains the text a test row edits");
    return text.replace(at, from.size(), to);
}

// 1-based line of the first occurrence of `needle` in `text`.
int lineOf(const QByteArray &text, const QByteArray &needle)
{
    return int(text.left(text.indexOf(needle)).count('\n')) + 1;
}

} // namespace

class TestPlanReader : public QObject
{
    Q_OBJECT

private slots:
    void readsTheReferencePlan();
    void readsAccessAndPools();
    void reportsBrokenPlans_data();
    void reportsBrokenPlans();
    void reportsEveryProblemOfAFileAtOnce();
    void missingFileSaysWhy();
    void secretsInThePlanAreRefused();
    void theDocumentedExampleReads();
};

void TestPlanReader::readsTheReferencePlan()
{
    const auto plan = readPlan(referenceText(), QStringLiteral("reference.yaml"));
    QVERIFY2(plan.ok(), qPrintable(plan.ok() ? QString() : plan.error().toString()));

    QCOMPARE(plan->cluster.name, QStringLiteral("rae-prod"));
    QCOMPARE(plan->cluster.endpoints.size(), 3);
    QCOMPARE(plan->nodes.size(), 3);
    QCOMPARE(plan->node(QStringLiteral("pve3"))->gpus.first().mapping, QStringLiteral("gpu-l4"));
    QCOMPARE(plan->node(QStringLiteral("pve1"))->memory, rae::ByteSize::fromGiB(128));
    QCOMPARE(plan->storage(QStringLiteral("ceph-vm"))->type, StorageType::Rbd);
    QVERIFY(plan->storage(QStringLiteral("ceph-vm"))->shared);
    QVERIFY(!plan->storage(QStringLiteral("local-zfs"))->shared);
    QCOMPARE(plan->networks.internal.vlan, 20);
    QCOMPARE(plan->networks.publicNet.bridge, QStringLiteral("vmbr0"));
    QCOMPARE(plan->vms.size(), 7);
    QCOMPARE(plan->apiReplicas, 2);

    const Vm *db = plan->vm(QStringLiteral("rae-db"));
    QVERIFY(db);
    QCOMPARE(db->role, Role::Db);
    QCOMPARE(db->vmid, 101);
    QCOMPARE(db->memory, rae::ByteSize::fromGiB(16));
    QCOMPARE(db->disks.first().storage, QStringLiteral("ceph-vm"));
    QCOMPARE(db->disks.first().size, rae::ByteSize::fromGiB(100));
    QVERIFY(db->ha.managed);
    QCOMPARE(db->ha.nodePriorities.value(QStringLiteral("pve1")), 2);
    QCOMPARE(db->pos.line, lineOf(referenceText(), "      - name: rae-db"));
    QCOMPARE(db->pos.column, 9);

    const Vm *llm = plan->vm(QStringLiteral("rae-llm"));
    QCOMPARE(llm->gpuMapping, QStringLiteral("gpu-l4"));
    QCOMPARE(plan->llm.models, QStringList({QStringLiteral("llama3"), QStringLiteral("mistral")}));
    QCOMPARE(plan->vm(QStringLiteral("rae-api-1"))->ha.antiAffinity,
             QStringList{QStringLiteral("rae-api-2")});
    QCOMPARE(plan->vm(QStringLiteral("rae-gateway"))->nics.first().network, NetworkRef::Public);
    QCOMPARE(plan->backups.first().vms.size(), 2);
    QCOMPARE(plan->backups.first().retention.keepDaily, 7);
    QCOMPARE(plan->rae.llmBackend, LlmBackend::Ollama);
    QCOMPARE(plan->rae.secrets.value(QStringLiteral("database_password")),
             QStringLiteral("rae-prod/database"));
    QCOMPARE(plan->access.user, QStringLiteral("rae"));
    QCOMPARE(plan->access.sshKeys.size(), 1);
    QVERIFY(plan->access.sshKeys.first().text.startsWith(QLatin1String("ssh-ed25519 AAAA")));
    QCOMPARE(plan->access.sshKeys.first().pos.line, lineOf(referenceText(), "    - ssh-ed25519"));
    QCOMPARE(plan->access.sshKeys.first().pos.column, 7);
    QVERIFY(plan->defaultPool.isEmpty());
    QVERIFY(plan->poolOf(*db).isEmpty());
}

void TestPlanReader::readsAccessAndPools()
{
    QByteArray yaml =
        referenceWith("  template: rae-template\n", "  template: rae-template\n  pool: rae\n");
    yaml.replace("        vmid: 106\n", "        vmid: 106\n        pool: gpu-guests\n");
    yaml.replace("  user: rae\n", "  user: admin_1\n");
    yaml.replace("example@rae-deploy.invalid\n",
                 "example@rae-deploy.invalid\n    - \"ssh-rsa AAAA second key\"\n");
    const auto plan = readPlan(yaml, QStringLiteral("pools.yaml"));
    QVERIFY2(plan.ok(), qPrintable(plan.ok() ? QString() : plan.error().toString()));
    QCOMPARE(plan->defaultPool, QStringLiteral("rae"));
    QCOMPARE(plan->poolOf(*plan->vm(QStringLiteral("rae-db"))), QStringLiteral("rae"));
    QCOMPARE(plan->poolOf(*plan->vm(QStringLiteral("rae-llm"))), QStringLiteral("gpu-guests"));
    QCOMPARE(plan->access.user, QStringLiteral("admin_1"));
    // The reader keeps every key as written; whether it is a key is validation's to say.
    QCOMPARE(plan->access.keyLines().size(), 2);
    QCOMPARE(plan->access.keyLines().last(), QStringLiteral("ssh-rsa AAAA second key"));
}

void TestPlanReader::reportsBrokenPlans_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    const auto row = [](const char *name, const QByteArray &yaml, const char *message,
                        const QByteArray &lineText, int column) {
        QTest::newRow(name) << yaml << QString::fromUtf8(message) << lineOf(yaml, lineText)
                            << column;
    };

    QByteArray yaml = referenceWith("        memory: 16 GiB", "        memroy: 16 GiB");
    row("a misspelt key names the nearest known one", yaml, "unknown key “memroy”", "memroy", 9);

    yaml = referenceWith("    threads: 32", "    thread: 32");
    row("a misspelt node key is found too", yaml, "did you mean “threads”?", "thread:", 5);

    yaml = referenceWith("    threads: 32", "    threads: many");
    row("a word where a number belongs", yaml, "expected a whole number but found “many”",
        "threads: many", 14);

    yaml = referenceWith("        memory: 16 GiB", "        memory: sixteen");
    row("a size that does not parse", yaml, "“sixteen” is not a size", "memory: sixteen", 17);

    yaml = referenceWith("        vmid: 102", "        vmid: 101");
    row("two VMs with one vmid", yaml, "vmid 101 is already used by “rae-db”",
        "vmid: 101\n        node: pve2", 15);

    yaml = referenceWith("        vmid: 101", "        vmid: 99");
    row("a vmid below 100", yaml, "99 is outside the allowed range 100..999999999", "vmid: 99", 15);

    yaml = referenceWith("        vmid: 101", "        vmid: 1000000000");
    row("a vmid above the largest Proxmox allows", yaml, "outside the allowed range",
        "vmid: 1000000000", 15);

    yaml = referenceWith("      - name: rae-vector", "      - name: rae-db");
    row("two VMs with one name", yaml, "a VM named “rae-db” is already in the plan",
        "      - name: rae-db\n        vmid: 102", 15);

    yaml = referenceWith("  - name: pve2", "  - name: pve1");
    row("two nodes with one name", yaml, "a node named “pve1” is already in the plan",
        "  - name: pve1\n    threads: 32\n    memory: 128 GiB\n  - name: pve3", 5);

    yaml = referenceWith("cluster:\n  name: rae-prod\n", "cluster:\n");
    row("a missing required key", yaml, "the required key “name” is missing", "  endpoints:", 3);

    yaml = referenceWith("schema: 1", "schema: 1\nschema: 1");
    // The duplicate is reported where it is written: one line below the first.
    QTest::newRow("a duplicate key") << yaml << QStringLiteral("the key “schema” appears twice")
                                     << lineOf(yaml, "schema: 1\nschema") + 1 << 1;

    yaml = referenceWith("        node: pve1", "        node: pve4");
    row("a VM on a node the plan does not have", yaml, "there is no node “pve4” in the plan",
        "      - name: rae-db", 9);

    yaml = referenceWith("{storage: ceph-vm, size: 100 GiB}", "{storage: ceph-ssd, size: 100 GiB}");
    row("a disk on an unknown storage suggests the nearest", yaml, "did you mean “ceph-vm”?",
        "ceph-ssd", 13);

    yaml = referenceWith("  release: detect", "  release: 7");
    row("an unsupported release", yaml, "“7” is not a supported Proxmox VE release", "release: 7",
        12);

    yaml = referenceWith("    type: rbd", "    type: ceph");
    row("an unknown storage type", yaml, "“ceph” is not one of rbd, cephfs", "type: ceph", 11);

    yaml = referenceWith("    replicas: 2", "    replicas: 3");
    row("replicas that do not match the API VMs", yaml, "replicas is 3 but 2 API VMs are listed",
        "replicas: 3", 15);

    yaml = referenceWith("  - name: pve1\n", "  - name: pve1\n   oops: [\n");
    row("YAML that does not parse", yaml, "this is not valid YAML", "oops", 0);

    yaml = referenceWith("    gpus:\n      - mapping: gpu-l4\n        model: NVIDIA L4",
                         "    gpus:\n      mapping: gpu-l4\n      model: NVIDIA L4");
    row("a mapping where a list belongs", yaml, "expected a list but found a mapping",
        "      mapping: gpu-l4", 7);

    yaml = referenceWith("    subnet: 10.20.0.0/24", "    subnet: 10.20.0.0/33");
    row("a subnet that is not one", yaml, "“10.20.0.0/33” is not a subnet", "10.20.0.0/33", 13);

    yaml = referenceWith("{network: internal, address: 10.20.0.11/24}",
                         "{network: intranet, address: 10.20.0.11/24}");
    row("a NIC on an unknown network", yaml, "“intranet” is not a network of the plan", "intranet",
        23);

    yaml = referenceWith("          anti_affinity: [rae-api-2]",
                         "          anti_affinity: [rae-api-3]");
    row("anti-affinity with an unknown VM", yaml, "there is no VM “rae-api-3” in the plan",
        "[rae-api-3]", 26);

    yaml = referenceWith("schema: 1", "schema: 7");
    row("a schema from a newer version", yaml, "uses schema 7", "schema: 7", 9);

    yaml = referenceWith("    shared: false\n    pool: rpool/data",
                         "    shared: true\n    pool: rpool/data");
    row("a zfspool marked shared", yaml, "a zfspool storage is local to each node",
        "shared: true\n    pool", 13);

    yaml = referenceWith("        gpu: gpu-l4\n", "");
    yaml = yaml.replace(
        "        cores: 4\n        memory: 16 GiB\n        disks:\n          - {storage: ceph-vm, "
        "size: 100 GiB}\n        nics:\n          - {network: internal, address: 10.20.0.12/24}",
        "        cores: 4\n        memory: 16 GiB\n        gpu: gpu-l4\n        disks:\n          "
        "- {storage: ceph-vm, size: 100 GiB}\n        nics:\n          - {network: internal, "
        "address: 10.20.0.12/24}");
    row("a GPU on a role that is not llm", yaml, "only the llm role takes a GPU", "gpu: gpu-l4",
        14);

    yaml = referenceWith("    schedule: \"02:30\"", "    schedule: \"02:30\"\n    hourly: true");
    row("an unknown key in a backup job lists the known ones", yaml,
        "known keys here: id, storage, schedule", "hourly: true", 5);

    yaml = referenceWith("{storage: ceph-vm, size: 100 GiB}", "{storage: pbs, size: 100 GiB}");
    row("a disk on backup storage", yaml, "“pbs” is a backup storage", "{storage: pbs", 13);

    row("an empty file", QByteArray(), "the plan is empty", "", 1);

    yaml =
        referenceWith("  template: rae-template\n", "  template: rae-template\n  pool: rae/x y\n");
    row("a pool name Proxmox would refuse", yaml, "“rae/x y” is not a Proxmox resource pool name",
        "pool: rae/x y", 9);

    yaml = referenceWith("  user: rae\n", "  user: Root Admin\n");
    row("a cloud-init user that cannot be created", yaml,
        "“Root Admin” is not a user name cloud-init can create", "user: Root Admin", 9);

    yaml = referenceWith("  ssh_keys:\n", "  ssh_keys:\n    - {type: ssh-ed25519}\n");
    row("a key written as a mapping", yaml, "expected a public key line but found a mapping",
        "{type: ssh-ed25519}", 7);

    yaml = referenceWith("  ssh_keys:\n", "  ssh_key:\n");
    row("a misspelt access key", yaml, "did you mean “ssh_keys”?", "ssh_key:", 3);
}

void TestPlanReader::reportsBrokenPlans()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    QFETCH(int, line);
    QFETCH(int, column);

    const auto plan = readPlan(yaml, QStringLiteral("broken.yaml"));
    QVERIFY2(!plan.ok(), "a broken plan was read without complaint");

    const QList<ReadProblem> &problems = plan.error().problems;
    const auto match = std::find_if(problems.cbegin(), problems.cend(), [&](const ReadProblem &p) {
        return QString(p.message + QLatin1Char(' ') + p.hint).contains(message);
    });
    QVERIFY2(match != problems.cend(),
             qPrintable(
                 QStringLiteral("expected “%1” among:\n%2").arg(message, plan.error().toString())));
    QCOMPARE(match->file, QStringLiteral("broken.yaml"));
    QCOMPARE(match->line, line);
    if (column > 0)
        QCOMPARE(match->column, column);
    QVERIFY(match->toError().where.startsWith(QStringLiteral("broken.yaml:%1:").arg(line)));
}

void TestPlanReader::reportsEveryProblemOfAFileAtOnce()
{
    QByteArray yaml = referenceWith("    threads: 32", "    threads: lots");
    yaml.replace("        cores: 8", "        corez: 8");

    const auto plan = readPlan(yaml, QStringLiteral("two.yaml"));
    QVERIFY(!plan.ok());
    QString all = plan.error().toString();
    QVERIFY2(all.contains(QStringLiteral("expected a whole number")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("did you mean “cores”?")), qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("“cores” is missing")),
             "a misspelt key should not also be reported as missing");
    QCOMPARE(plan.error().problems.first().line, lineOf(yaml, "threads: lots"));
}

void TestPlanReader::missingFileSaysWhy()
{
    const auto plan = readPlanFile(QStringLiteral("/nonexistent/plan.yaml"));
    QVERIFY(!plan.ok());
    QVERIFY(plan.error().toString().contains(QStringLiteral("cannot open the plan")));
}

void TestPlanReader::secretsInThePlanAreRefused()
{
    const QByteArray yaml =
        referenceWith("  database: {name: rae, user: rae_user, port: 5432}",
                      "  database: {name: rae, user: rae_user, port: 5432, password: hunter2}");
    const auto plan = readPlan(yaml, QStringLiteral("secret.yaml"));
    QVERIFY(!plan.ok());
    const QString all = plan.error().toString();
    QVERIFY2(all.contains(QStringLiteral("secrets are never written in a plan")), qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("hunter2")), "the message must not repeat the secret");
}

void TestPlanReader::theDocumentedExampleReads()
{
    QFile doc(QStringLiteral(RAE_SOURCE_DIR "/docs/plan-format.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QByteArray text = doc.readAll();
    const qsizetype start = text.indexOf("```yaml\n");
    QVERIFY2(start >= 0, "docs/plan-format.md has no YAML example");
    const qsizetype end = text.indexOf("```", start + 8);
    const QByteArray example = text.mid(start + 8, end - start - 8);

    const auto plan = readPlan(example, QStringLiteral("plan-format.md"));
    QVERIFY2(plan.ok(), qPrintable(plan.ok() ? QString() : plan.error().toString()));
    QCOMPARE(plan->nodes.size(), 3);
}

QTEST_GUILESS_MAIN(TestPlanReader)
#include "tst_planreader.moc"
