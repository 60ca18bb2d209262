#include "deploy/actions.h"
#include "deploy/journal.h"
#include "plan/planreader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

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

QList<Action> referenceActions()
{
    const plan::Plan plan = reference();
    return planActions(plan, computeChangeset(plan, ClusterSnapshot{}));
}

// Runs the scheduler to its end in rounds; `fails` names actions that fail. Returns the ids in
// the order they finished and the most tasks that ran at once.
void check(const Status &status)
{
    if (!status.ok())
        qFatal("journal write failed");
}

struct Run
{
    QStringList finished;
    int maxTasks = 0;
};
Run runAll(ActionScheduler &scheduler, const QSet<QString> &fails = {}, int stopAfter = -1,
           Journal *journal = nullptr)
{
    Run run;
    QList<int> running;
    while (!scheduler.isFinished()) {
        for (int index : scheduler.takeReady()) {
            running.append(index);
            if (journal)
                check(journal->record(
                    {scheduler.actions().at(index).id, ActionState::Running, 0, {}, {}, {}}));
        }
        int tasks = 0;
        for (int index : running)
            tasks += scheduler.actions().at(index).usesTask;
        run.maxTasks = std::max(run.maxTasks, tasks);
        if (running.isEmpty())
            break;
        const int index = running.takeFirst();
        const QString id = scheduler.actions().at(index).id;
        const bool ok = !fails.contains(id);
        if (journal)
            check(journal->record({id,
                                   ok ? ActionState::Done : ActionState::Failed,
                                   0,
                                   {},
                                   ok ? QString() : QStringLiteral("clone failed"),
                                   {}}));
        scheduler.finish(index, ok);
        run.finished.append(id);
        if (stopAfter > 0 && run.finished.size() == stopAfter)
            break;
    }
    return run;
}

} // namespace

class TestActions final : public QObject
{
    Q_OBJECT

private slots:
    void dependencies_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("needs");
        QTest::newRow("a VM is configured after its clone") << "configure:rae-db"
                                                            << "clone:rae-db";
        QTest::newRow("an HA resource waits for its VM") << "ha-resource:rae-db"
                                                         << "start:rae-db";
        QTest::newRow("the API is provisioned after the database") << "provision:rae-api-1"
                                                                   << "provision:rae-db";
        QTest::newRow("the API is provisioned after Redis") << "provision:rae-api-2"
                                                            << "provision:rae-redis";
        QTest::newRow("the gateway is provisioned after the API replicas")
            << "provision:rae-gateway"
            << "provision:rae-api-2";
        QTest::newRow("the keep-apart rule names existing HA resources") << "ha-rule:rae-api-apart"
                                                                         << "ha-resource:rae-api-1";
        QTest::newRow("the backup job waits for the VMs it backs up") << "backup:rae-nightly"
                                                                      << "agent:rae-vector";
    }

    void dependencies()
    {
        QFETCH(QString, action);
        QFETCH(QString, needs);
        const QList<Action> actions = referenceActions();
        // `needs` must come before `action` through the dependency chain.
        QHash<QString, QStringList> deps;
        for (const Action &a : actions)
            deps.insert(a.id, a.dependsOn);
        QVERIFY2(deps.contains(action), qPrintable(action));
        QSet<QString> seen;
        QStringList todo{action};
        while (!todo.isEmpty()) {
            const QString id = todo.takeFirst();
            for (const QString &dependency : deps.value(id))
                if (!seen.contains(dependency)) {
                    seen.insert(dependency);
                    todo.append(dependency);
                }
        }
        QVERIFY2(seen.contains(needs), qPrintable(deps.value(action).join(QLatin1Char(' '))));
    }

    void atMostThreeTasksAtOnce()
    {
        ActionScheduler scheduler(referenceActions(), 3);
        const Run run = runAll(scheduler);
        QCOMPARE(run.maxTasks, 3);
        QCOMPARE(scheduler.count(ActionState::Done), scheduler.actions().size());
    }

    void aFailureStopsOnlyItsDependants()
    {
        ActionScheduler scheduler(referenceActions(), 3);
        runAll(scheduler, {QStringLiteral("clone:rae-db")});
        QCOMPARE(scheduler.state(QStringLiteral("clone:rae-db")), ActionState::Failed);
        QCOMPARE(scheduler.state(QStringLiteral("ha-resource:rae-db")), ActionState::Blocked);
        QCOMPARE(scheduler.state(QStringLiteral("provision:rae-api-1")), ActionState::Blocked);
        QCOMPARE(scheduler.state(QStringLiteral("provision:rae-gateway")), ActionState::Blocked);
        QCOMPARE(scheduler.state(QStringLiteral("provision:rae-vector")), ActionState::Done);
        QCOMPARE(scheduler.state(QStringLiteral("provision:rae-llm")), ActionState::Done);
        QCOMPARE(scheduler.state(QStringLiteral("ha-resource:rae-gateway")), ActionState::Done);
    }

    void aKilledApplyResumesWithoutRepeatingDoneActions()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rae-prod.journal"));
        {
            auto journal = Journal::create(path, {QStringLiteral("rae-prod"),
                                                  QStringLiteral("plan.yaml"),
                                                  QStringLiteral("abc"),
                                                  {}});
            QVERIFY(journal.ok());
            ActionScheduler scheduler(referenceActions(), 3);
            runAll(scheduler, {}, 15, &journal.value());
        }
        // The kill tore the line being written.
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::Append));
            file.write("{\"action\":\"clone:rae-ga");
        }
        auto reopened = Journal::open(path);
        QVERIFY(reopened.ok());
        QCOMPARE(reopened->tornLines(), 1);
        QCOMPARE(reopened->header().cluster, QStringLiteral("rae-prod"));
        QVERIFY(reopened->header().change.isEmpty()); // an apply's
        ActionScheduler scheduler(referenceActions(), 3);
        QSet<QString> doneBefore;
        for (const JournalEntry &entry : reopened->latest())
            if (entry.state == ActionState::Done) {
                scheduler.markDone(entry.action);
                doneBefore.insert(entry.action);
            }
        QCOMPARE(doneBefore.size(), 15);
        const Run second = runAll(scheduler, {}, -1, &reopened.value());
        for (const QString &id : second.finished)
            QVERIFY2(!doneBefore.contains(id), qPrintable(id));
        QCOMPARE(doneBefore.size() + second.finished.size(), scheduler.actions().size());

        // Every action reached Done exactly once across both runs.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QHash<QString, int> doneCount;
        for (const QByteArray &line : file.readAll().split('\n'))
            if (line.contains("\"state\":\"done\""))
                ++doneCount[QString::fromUtf8(line.split('"').value(3))];
        for (const Action &action : scheduler.actions())
            QCOMPARE(doneCount.value(action.id), 1);
    }

    void reservedVmidsComeBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("j"));
        auto journal = Journal::create(path, {});
        QVERIFY(journal.ok());
        QVERIFY(journal.value()
                    .record({QStringLiteral("clone:rae-db"), ActionState::Running, 101, {}, {}, {}})
                    .ok());
        auto reopened = Journal::open(path);
        QVERIFY(reopened.ok());
        QCOMPARE(reopened->reservedVmids().value(QStringLiteral("rae-db")), 101);
    }

    // An upgrade's or rollback's journal says which change it records.
    void theChangeOfAJournalComesBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("j"));
        QVERIFY(Journal::create(path, {QStringLiteral("lab"), QStringLiteral("plan.yaml"),
                                       QStringLiteral("abc"), QStringLiteral("rollback-api")})
                    .ok());
        auto reopened = Journal::open(path);
        QVERIFY(reopened.ok());
        QCOMPARE(reopened->header().change, QStringLiteral("rollback-api"));
        QCOMPARE(reopened->header().planSha256, QStringLiteral("abc"));
    }
};

QTEST_GUILESS_MAIN(TestActions)
#include "tst_actions.moc"
