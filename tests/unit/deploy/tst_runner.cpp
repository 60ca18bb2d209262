#include "deploy/runner.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <optional>

using namespace rae;
using namespace rae::deploy;

namespace {

Action action(const QString &id, QStringList dependsOn = {}, bool usesTask = true)
{
    Action result;
    result.id = id;
    result.dependsOn = std::move(dependsOn);
    result.usesTask = usesTask;
    return result;
}

// Answers each action after a turn of the event loop, failing those it is told to, and notes
// how many ran at once.
class FakeExecutor final : public ActionExecutor
{
public:
    void execute(const Action &action, Done done) override
    {
        started << action.id;
        if (onExecute)
            onExecute(action.id);
        ++running;
        maxRunning = std::max(maxRunning, running);
        const bool fail = failing.contains(action.id);
        QTimer::singleShot(1, &context, [this, fail, id = action.id, done = std::move(done)] {
            --running;
            if (fail)
                done(Error{QStringLiteral("task failed on %1").arg(id), {}, {}});
            else
                done(ActionOutcome{id.startsWith(QLatin1String("clone:")) ? 101 : 0,
                                   QStringLiteral("UPID:pve1:%1").arg(id),
                                   {}});
        });
    }

    QObject context; // owns the pending answers
    std::function<void(const QString &)> onExecute;
    QSet<QString> failing;
    QStringList started;
    int running = 0;
    int maxRunning = 0;
};

} // namespace

class TestRunner final : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        std::optional<Status> result;
        std::optional<Journal> reread;
        int finishedSignals = 0;
    };

    Run runAll(const QList<Action> &actions, FakeExecutor &executor, const QString &path)
    {
        Run run;
        auto journal = Journal::create(
            path, {QStringLiteral("rae-prod"), QStringLiteral("p.yaml"), QStringLiteral("00"), {}});
        if (!journal)
            return run;
        Runner runner(ActionScheduler(actions), &journal.value(), &executor);
        connect(&runner, &Runner::finished, this, [&run](const Status &status) {
            run.result = status;
            ++run.finishedSignals;
        });
        runner.start();
        static_cast<void>(QTest::qWaitFor([&run] { return run.result.has_value(); }, 5000));
        QTest::qWait(20); // a second `finished` would come within this
        auto reread = Journal::open(path);
        if (reread)
            run.reread = std::move(reread.value());
        return run;
    }

private slots:
    void everyActionRunsInOrderAndIsJournalled()
    {
        QTemporaryDir dir;
        FakeExecutor executor;
        const QList<Action> actions{
            action(QStringLiteral("clone:a")),
            action(QStringLiteral("clone:b")),
            action(QStringLiteral("clone:c")),
            action(QStringLiteral("clone:d")),
            action(QStringLiteral("start:a"), {QStringLiteral("clone:a")}),
            action(QStringLiteral("ha-rule:x"), {QStringLiteral("start:a")}, false),
        };
        const Run run = runAll(actions, executor, dir.filePath(QStringLiteral("journal.jsonl")));
        QVERIFY(run.result.has_value());
        QVERIFY(run.result->ok());
        QCOMPARE(run.finishedSignals, 1);
        QCOMPARE(executor.started.size(), 6);
        QVERIFY(executor.maxRunning <= 3);
        QVERIFY(executor.started.indexOf(QStringLiteral("start:a")) >
                executor.started.indexOf(QStringLiteral("clone:a")));
        QVERIFY(run.reread.has_value());
        const auto clone = run.reread->latest(QStringLiteral("clone:a"));
        QVERIFY(clone.has_value());
        QCOMPARE(clone->state, ActionState::Done);
        QCOMPARE(clone->upid, QStringLiteral("UPID:pve1:clone:a"));
        QCOMPARE(run.reread->latest(QStringLiteral("ha-rule:x"))->state, ActionState::Done);
    }

    void aFailureBlocksItsDependantsAndNotTheOthers()
    {
        QTemporaryDir dir;
        FakeExecutor executor;
        executor.failing << QStringLiteral("clone:a");
        const QList<Action> actions{
            action(QStringLiteral("clone:a")),
            action(QStringLiteral("clone:b")),
            action(QStringLiteral("start:a"), {QStringLiteral("clone:a")}),
            action(QStringLiteral("ha-resource:a"), {QStringLiteral("start:a")}, false),
            action(QStringLiteral("start:b"), {QStringLiteral("clone:b")}),
        };
        const Run run = runAll(actions, executor, dir.filePath(QStringLiteral("journal.jsonl")));
        QVERIFY(run.result.has_value());
        QVERIFY(run.result->ok());
        QCOMPARE(run.finishedSignals, 1);
        QVERIFY(!executor.started.contains(QStringLiteral("start:a")));
        QVERIFY(executor.started.contains(QStringLiteral("start:b")));
        QVERIFY(run.reread.has_value());
        const auto failed = run.reread->latest(QStringLiteral("clone:a"));
        QCOMPARE(failed->state, ActionState::Failed);
        QVERIFY(failed->detail.contains(QLatin1String("task failed on clone:a")));
        QCOMPARE(run.reread->latest(QStringLiteral("start:a"))->state, ActionState::Blocked);
        QCOMPARE(run.reread->latest(QStringLiteral("ha-resource:a"))->state, ActionState::Blocked);
        QCOMPARE(run.reread->latest(QStringLiteral("start:b"))->state, ActionState::Done);
    }

    void aJournalThatCannotBeWrittenStopsTheRun()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.jsonl"));
        FakeExecutor executor;
        // A directory where the file was: not even root can append to it.
        executor.onExecute = [&path](const QString &id) {
            if (id == QLatin1String("clone:a")) {
                QFile::remove(path);
                QDir().mkdir(path);
            }
        };
        const QList<Action> actions{
            action(QStringLiteral("clone:a")),
            action(QStringLiteral("clone:b")),
            action(QStringLiteral("start:a"), {QStringLiteral("clone:a")}),
        };
        const Run run = runAll(actions, executor, path);
        QVERIFY(run.result.has_value());
        QVERIFY(!run.result->ok());
        QVERIFY(run.result->error().message.contains(QLatin1String("journal")));
        QCOMPARE(run.result->error().where, path);
        QCOMPARE(run.finishedSignals, 1);
        QVERIFY(!executor.started.contains(QStringLiteral("start:a")));
    }

    void anEmptyRunFinishesAtOnce()
    {
        QTemporaryDir dir;
        FakeExecutor executor;
        const Run run = runAll({}, executor, dir.filePath(QStringLiteral("journal.jsonl")));
        QVERIFY(run.result.has_value());
        QVERIFY(run.result->ok());
        QCOMPARE(run.finishedSignals, 1);
    }
};

QTEST_GUILESS_MAIN(TestRunner)
#include "tst_runner.moc"
