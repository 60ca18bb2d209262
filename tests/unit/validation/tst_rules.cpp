#include "plan/planreader.h"
#include "validation/validator.h"

#include <QFile>
#include <QTest>

#include <functional>

using namespace rae::plan;
using namespace rae::validation;

using Edit = std::function<void(Plan &)>;
Q_DECLARE_METATYPE(Edit)

namespace {

Plan referencePlan()
{
    const auto plan =
        readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!plan)
        qFatal("the reference plan does not read: %s", qPrintable(plan.error().toString()));
    return *plan;
}

Vm &vmNamed(Plan &plan, const char *name)
{
    for (Vm &vm : plan.vms) {
        if (vm.name == QLatin1String(name))
            return vm;
    }
    qFatal("no VM %s in the reference plan", name);
}

QString describe(const QList<Finding> &findings)
{
    QStringList lines;
    for (const Finding &finding : findings)
        lines.append(finding.ruleId + QStringLiteral(" ") + subjectText(finding.subject) +
                     QStringLiteral(": ") + finding.message);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestRules : public QObject
{
    Q_OBJECT

private slots:
    void theReferencePlanIsClean();
    void everyRuleFires_data();
    void everyRuleFires();
    void rulesHaveUniqueStableIds();
    void sshKeysAreChecked_data();
    void sshKeysAreChecked();
    void sshKeyFindingsPointAtTheKey();
};

void TestRules::theReferencePlanIsClean()
{
    const QList<Finding> findings = validate(referencePlan());
    QVERIFY2(findings.isEmpty(), qPrintable(describe(findings)));
}

void TestRules::everyRuleFires_data()
{
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("subject");

    const auto row = [](const char *name, Edit edit, const char *rule, Severity severity,
                        const char *subject) {
        QTest::newRow(name) << edit << QString::fromLatin1(rule) << int(severity)
                            << QString::fromLatin1(subject);
    };

    row(
        "two nodes cannot keep quorum",
        [](Plan &plan) {
            plan.vms.removeIf([](const Vm &vm) { return vm.node == QLatin1String("pve3"); });
            plan.nodes.removeLast();
        },
        "cluster.min-nodes", Severity::Error, "rae-prod");

    row(
        "a node asked for more memory than it has",
        [](Plan &plan) { vmNamed(plan, "rae-api-1").memory = rae::ByteSize::fromGiB(120); },
        "capacity.node-memory", Severity::Error, "pve1");

    row(
        "a node asked for more vCPUs than four per thread",
        [](Plan &plan) { plan.nodes[0].threads = 2; }, "capacity.node-cpu", Severity::Error,
        "pve1");

    row(
        "a lower overcommit ratio is honoured",
        [](Plan &plan) {
            plan.validation.cpuOvercommit = 1.0;
            plan.nodes[0].threads = 10;
        },
        "capacity.node-cpu", Severity::Error, "pve1");

    row(
        "a VM with more cores than its node has threads",
        [](Plan &plan) { vmNamed(plan, "rae-db").cores = 40; }, "capacity.node-cpu",
        Severity::Error, "rae-db");

    row(
        "the HA VMs of a failed node do not fit elsewhere",
        [](Plan &plan) {
            plan.nodes[1].memory = rae::ByteSize::fromGiB(50);
            plan.nodes[2].memory = rae::ByteSize::fromGiB(80);
        },
        "ha.node-failure-capacity", Severity::Error, "pve1");

    row(
        "an HA database on local storage",
        [](Plan &plan) { vmNamed(plan, "rae-db").disks[0].storage = QStringLiteral("local-lvm"); },
        "storage.ha-needs-shared", Severity::Error, "rae-db");

    row(
        "replication of a disk that is not on ZFS",
        [](Plan &plan) {
            Vm &vector = vmNamed(plan, "rae-vector");
            vector.disks[0].storage = QStringLiteral("local-lvm");
            vector.replication.append({QStringLiteral("pve3"), QStringLiteral("*/15"), 0, {}});
        },
        "storage.replication-needs-zfs", Severity::Error, "rae-vector");

    row(
        "replication to a node without the same pool",
        [](Plan &plan) {
            plan.storages[1].nodes = {QStringLiteral("pve2"), QStringLiteral("pve3")};
            Vm &vector = vmNamed(plan, "rae-vector");
            vector.disks[0].storage = QStringLiteral("local-zfs");
            vector.node = QStringLiteral("pve2");
            vector.replication.append({QStringLiteral("pve1"), QStringLiteral("*/15"), 0, {}});
        },
        "storage.replication-needs-zfs", Severity::Error, "rae-vector");

    row(
        "the LLM on a node without its GPU",
        [](Plan &plan) { vmNamed(plan, "rae-llm").node = QStringLiteral("pve2"); },
        "gpu.llm-needs-mapping", Severity::Error, "rae-llm");

    row(
        "an HA LLM whose GPU exists on one node only",
        [](Plan &plan) { vmNamed(plan, "rae-llm").ha.managed = true; }, "gpu.llm-needs-mapping",
        Severity::Warning, "rae-llm");

    row(
        "the API on the public bridge",
        [](Plan &plan) {
            vmNamed(plan, "rae-api-1")
                .nics.append({NetworkRef::Public, QStringLiteral("dhcp"), true, {}});
        },
        "network.public-only-gateway", Severity::Error, "rae-api-1");

    row(
        "a gateway nobody outside can reach",
        [](Plan &plan) { vmNamed(plan, "rae-gateway").nics.removeFirst(); },
        "network.public-only-gateway", Severity::Warning, "rae-gateway");

    row(
        "Redis on the public bridge",
        [](Plan &plan) { vmNamed(plan, "rae-redis").nics[0].network = NetworkRef::Public; },
        "network.internal-isolated", Severity::Error, "rae-redis");

    row(
        "internal and public on one segment",
        [](Plan &plan) {
            plan.networks.internal.bridge = QStringLiteral("vmbr0");
            plan.networks.internal.vlan = 0;
        },
        "network.internal-isolated", Severity::Error, "internal");

    row(
        "the database without its firewall",
        [](Plan &plan) { vmNamed(plan, "rae-db").nics[0].firewall = false; },
        "network.internal-isolated", Severity::Warning, "rae-db");

    row(
        "two API replicas on one node",
        [](Plan &plan) {
            vmNamed(plan, "rae-api-2").node = QStringLiteral("pve3");
            vmNamed(plan, "rae-api-1").node = QStringLiteral("pve3");
        },
        "placement.api-spread", Severity::Warning, "pve3");

    row(
        "the database and every API replica on one node",
        [](Plan &plan) { vmNamed(plan, "rae-api-2").node = QStringLiteral("pve1"); },
        "placement.api-spread", Severity::Error, "pve1");

    row(
        "VMs kept apart placed together",
        [](Plan &plan) { vmNamed(plan, "rae-api-2").node = QStringLiteral("pve1"); },
        "placement.anti-affinity", Severity::Error, "rae-api-1");

    row(
        "a VM on a node in maintenance", [](Plan &plan) { plan.nodes[1].maintenance = true; },
        "placement.maintenance", Severity::Warning, "rae-vector");

    row(
        "the vector store without a backup",
        [](Plan &plan) { plan.backups[0].vms.removeAll(QStringLiteral("rae-vector")); },
        "backups.required", Severity::Error, "rae-vector");

    row(
        "a backup schedule that does not parse",
        [](Plan &plan) { plan.backups[0].schedule = QStringLiteral("every night"); },
        "backups.required", Severity::Error, "rae-nightly");

    row(
        "backups kept on the cluster's own storage",
        [](Plan &plan) { plan.backups[0].storage = QStringLiteral("local-lvm"); },
        "backups.required", Severity::Info, "rae-nightly");

    row(
        "no Redis",
        [](Plan &plan) { plan.vms.removeIf([](const Vm &vm) { return vm.role == Role::Redis; }); },
        "roles.complete", Severity::Error, "redis");

    row(
        "Ollama named with no LLM anywhere",
        [](Plan &plan) { plan.vms.removeIf([](const Vm &vm) { return vm.role == Role::Llm; }); },
        "roles.complete", Severity::Error, "llm");

    row(
        "the .env names another backend than the LLM runs",
        [](Plan &plan) { plan.llm.backend = LlmBackend::Vllm; }, "roles.complete", Severity::Error,
        "llm");

    row(
        "a plan without SSH keys leaves only the console",
        [](Plan &plan) { plan.access.sshKeys.clear(); }, "access.ssh-keys", Severity::Warning,
        "rae-prod");
    row(
        "a key of a type that is not accepted",
        [](Plan &plan) {
            plan.access.sshKeys.first().text.replace(0, 11, QStringLiteral("ssh-dss"));
        },
        "access.ssh-keys", Severity::Error, "rae-prod");
    row(
        "the same key twice",
        [](Plan &plan) { plan.access.sshKeys.append(plan.access.sshKeys.first()); },
        "access.ssh-keys", Severity::Warning, "rae-prod");
}

void TestRules::sshKeysAreChecked_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message"); // empty: the key is fine

    const auto row = [](const char *name, const QString &key, const char *message) {
        QTest::newRow(name) << key << QString::fromUtf8(message);
    };
    // Fake keys: a blob with the right type names and 32 bytes that spell out what they are.
    const QString ed25519 =
        QStringLiteral("AAAAC3NzaC1lZDI1NTE5AAAAIFJBRS1ERVBMT1ktU0VDT05ELVRFU1QtS0VZLUZBS0Uh");
    row("an ed25519 key with a comment",
        QStringLiteral("ssh-ed25519 ") + ed25519 + QStringLiteral(" admin@ws with spaces"), "");
    row("an ed25519 key without a comment", QStringLiteral("ssh-ed25519 ") + ed25519, "");
    row("a DSA key is not accepted", QStringLiteral("ssh-dss ") + ed25519 + QStringLiteral(" x"),
        "“ssh-dss” is not a key type that is accepted");
    row("an RSA type in front of an ed25519 key", QStringLiteral("ssh-rsa ") + ed25519,
        "is not a ssh-rsa key");
    row("a body that is not base64", QStringLiteral("ssh-ed25519 AAAA!!notbase64 admin@ws"),
        "not valid base64");
    row("a body cut short", QStringLiteral("ssh-ed25519 ") + ed25519.left(40),
        "too short for an ed25519 key");
    row("a key without its body", QStringLiteral("ssh-ed25519"), "not its base64 part");
    row("a key broken over two lines",
        QStringLiteral("ssh-ed25519 ") + ed25519.left(20) + QLatin1Char('\n') + ed25519.mid(20),
        "spans several lines");
    row("a private key pasted by mistake",
        QStringLiteral("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA"),
        "private key");
}

void TestRules::sshKeysAreChecked()
{
    QFETCH(QString, key);
    QFETCH(QString, message);

    Plan plan = referencePlan();
    plan.access.sshKeys = {{key, {}}};
    QList<Finding> findings = validate(plan);
    findings.removeIf(
        [](const Finding &f) { return f.ruleId != QLatin1String("access.ssh-keys"); });
    if (message.isEmpty()) {
        QVERIFY2(findings.isEmpty(), qPrintable(describe(findings)));
        return;
    }
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings.first().severity, Severity::Error);
    QVERIFY2(findings.first().message.contains(message), qPrintable(describe(findings)));
    QVERIFY(findings.first().message.startsWith(QLatin1String("access.ssh_keys[0]: ")));
    QVERIFY(!findings.first().hint.isEmpty());
}

void TestRules::sshKeyFindingsPointAtTheKey()
{
    QFile file(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray yaml = file.readAll();
    const QByteArray good = "    - ssh-ed25519 AAAAC3";
    QVERIFY(yaml.contains(good));
    yaml.replace(good, "    - ssh-ed25519 AAAA%%3");
    const int line = int(yaml.left(yaml.indexOf("AAAA%%3")).count('\n')) + 1;
    const auto plan = readPlan(yaml, QStringLiteral("keys.yaml"));
    QVERIFY(plan.ok());
    const QList<Finding> findings = validate(*plan);
    const auto found = std::find_if(findings.cbegin(), findings.cend(), [](const Finding &f) {
        return f.ruleId == QLatin1String("access.ssh-keys");
    });
    QVERIFY2(found != findings.cend(), qPrintable(describe(findings)));
    QCOMPARE(found->pos.line, line);
    QCOMPARE(found->pos.column, 7);
}

void TestRules::everyRuleFires()
{
    QFETCH(Edit, edit);
    QFETCH(QString, rule);
    QFETCH(int, severity);
    QFETCH(QString, subject);

    const Plan clean = referencePlan();
    const auto before = validate(clean);
    QVERIFY2(std::none_of(before.cbegin(), before.cend(),
                          [&](const Finding &f) { return f.ruleId == rule; }),
             "the rule must be quiet on the reference plan for this row to mean anything");

    Plan plan = clean;
    edit(plan);
    const QList<Finding> findings = validate(plan);
    const auto found = std::find_if(findings.cbegin(), findings.cend(), [&](const Finding &f) {
        return f.ruleId == rule && int(f.severity) == severity && f.subject.name == subject;
    });
    QVERIFY2(found != findings.cend(), qPrintable(describe(findings)));
    QVERIFY(!found->message.isEmpty());
    QVERIFY(!found->hint.isEmpty());
}

void TestRules::rulesHaveUniqueStableIds()
{
    QStringList ids;
    for (const Rule &rule : rules()) {
        QVERIFY2(!ids.contains(rule.id), qPrintable(rule.id));
        QVERIFY(rule.id.contains(QLatin1Char('.')));
        QVERIFY(!rule.summary.isEmpty());
        ids.append(rule.id);
    }
    for (const char *required :
         {"cluster.min-nodes", "capacity.node-memory", "capacity.node-cpu",
          "ha.node-failure-capacity", "storage.ha-needs-shared", "storage.replication-needs-zfs",
          "gpu.llm-needs-mapping", "network.public-only-gateway", "network.internal-isolated",
          "placement.api-spread", "backups.required", "roles.complete", "access.ssh-keys"}) {
        QVERIFY2(ids.contains(QLatin1String(required)), required);
    }
}

QTEST_GUILESS_MAIN(TestRules)
#include "tst_rules.moc"
