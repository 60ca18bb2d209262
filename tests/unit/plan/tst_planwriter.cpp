#include "plan/planreader.h"
#include "plan/planwriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace rae::plan;

namespace {

Plan referencePlan()
{
    const auto plan =
        readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!plan)
        qFatal("the reference plan does not read: %s", qPrintable(plan.error().toString()));
    return *plan;
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

QByteArray readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestPlanWriter : public QObject
{
    Q_OBJECT

private slots:
    void roundTrips_data();
    void roundTrips();
    void writesTheSameBytesEveryTime();
    void findsComments_data();
    void findsComments();
    void refusesToDropCommentsUnlessTold();
    void savesAtomically();
};

void TestPlanWriter::roundTrips_data()
{
    QTest::addColumn<Plan>("plan");

    const Plan reference = referencePlan();
    QTest::newRow("the reference plan") << reference;

    Plan changed = reference;
    changed.vms[0].vmid.reset();
    changed.vms[0].ha.state = HaState::Stopped;
    changed.vms[0].ha.strict = true;
    changed.vms[0].ha.failback = false;
    changed.vms[1].replication.append({QStringLiteral("pve3"), QStringLiteral("*/5"), 50, {}});
    changed.vms[1].disks[0].storage = QStringLiteral("local-zfs");
    changed.vms[2].nics[0].firewall = false;
    changed.vms[2].tags = {QStringLiteral("blue"), QStringLiteral("rae-extra")};
    changed.nodes[0].maintenance = true;
    changed.networks.internal.bridge.clear();
    changed.networks.internal.vlan = 0;
    changed.networks.internal.vnet = QStringLiteral("raenet");
    changed.cluster.release = Release::Pve8;
    changed.cluster.haScheduler = HaScheduler::Static;
    changed.validation.cpuOvercommit = 2.5;
    changed.rae.llmUrl = QStringLiteral("http://llm.example.org:11434");
    changed.storages[0].nodes = {QStringLiteral("pve1"), QStringLiteral("pve2")};
    changed.backups[0].mode = BackupMode::Stop;
    changed.backups[0].schedule = QStringLiteral("mon..fri 22:00");
    changed.defaultPool = QStringLiteral("rae");
    changed.vms[5].pool = QStringLiteral("gpu-guests");
    changed.access.user = QStringLiteral("admin");
    changed.access.sshKeys.append(
        {QStringLiteral("ssh-rsa AAAAB3Nza second key # with a hash: and a colon"), {}});
    QTest::newRow("a plan with every optional setting changed") << changed;

    Plan small = reference;
    small.vms.removeIf([](const Vm &vm) { return vm.role == Role::Llm; });
    small.llm = {};
    small.rae.llmBackend.reset();
    small.backups.clear();
    small.rae.secrets.clear();
    small.access = {};
    QTest::newRow("a plan without llm, backups, secrets or keys") << small;
}

void TestPlanWriter::roundTrips()
{
    QFETCH(Plan, plan);

    const QByteArray text = writePlan(plan);
    const auto reread = readPlan(text, QStringLiteral("written.yaml"));
    QVERIFY2(reread.ok(), qPrintable(reread.ok() ? QString()
                                                 : reread.error().toString() + QLatin1Char('\n') +
                                                       QString::fromUtf8(text)));
    QVERIFY2(*reread == plan, text.constData());
}

void TestPlanWriter::writesTheSameBytesEveryTime()
{
    const QByteArray first = writePlan(referencePlan());
    const auto reread = readPlan(first, QStringLiteral("first.yaml"));
    QVERIFY(reread.ok());
    QCOMPARE(writePlan(*reread), first);
    QVERIFY(first.startsWith("schema: 1\ncluster:\n"));
    QVERIFY2(first.contains("memory: 16 GiB"), "sizes are written for people, not in bytes");
}

void TestPlanWriter::findsComments_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QList<int>>("lines");

    QTest::newRow("a file without comments") << QByteArray("a: 1\nb: [x, y]\n") << QList<int>{};
    QTest::newRow("a whole-line comment") << QByteArray("# top\na: 1\n") << QList<int>{1};
    QTest::newRow("a comment after a value") << QByteArray("a: 1 # one\nb: 2\n") << QList<int>{1};
    QTest::newRow("a hash inside quotes is not a comment")
        << QByteArray("a: \"x # y\"\nb: 'p #q'\n") << QList<int>{};
    QTest::newRow("a hash without a blank before it is not a comment")
        << QByteArray("a: x#y\n") << QList<int>{};
    QTest::newRow("a hash inside a block scalar is not a comment")
        << QByteArray("a: |\n  line\n  # kept\nb: 1 # real\n") << QList<int>{4};
}

void TestPlanWriter::findsComments()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QList<int>, lines);
    QCOMPARE(commentLines(yaml), lines);
}

void TestPlanWriter::refusesToDropCommentsUnlessTold()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("plan.yaml"));
    const QByteArray original =
        readText(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY(writeText(path, original));

    const auto refused = writePlanFile(path, referencePlan());
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QStringLiteral("line 1, 2")),
             qPrintable(refused.error().message));
    QCOMPARE(readText(path), original);

    QVERIFY(writePlanFile(path, referencePlan(), CommentPolicy::Discard).ok());
    QCOMPARE(readText(path), writePlan(referencePlan()));

    // A file without comments is simply overwritten.
    QVERIFY(writePlanFile(path, referencePlan()).ok());
}

void TestPlanWriter::savesAtomically()
{
    QTemporaryDir dir;
    const auto missingFolder =
        writePlanFile(dir.filePath(QStringLiteral("no/such/plan.yaml")), referencePlan());
    QVERIFY(!missingFolder.ok());
    QVERIFY(missingFolder.error().where.endsWith(QStringLiteral("no/such/plan.yaml")));

    // No temporary file is left beside the plan.
    const QString path = dir.filePath(QStringLiteral("plan.yaml"));
    QVERIFY(writePlanFile(path, referencePlan()).ok());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("plan.yaml")});
}

QTEST_GUILESS_MAIN(TestPlanWriter)
#include "tst_planwriter.moc"
