#include "monitor/scheduler.h"

#include <QSignalSpy>
#include <QTest>

using namespace rae::monitor;

namespace {

SchedulerSettings settingsWithoutJitter()
{
    SchedulerSettings settings;
    settings.jitter = 0.0;
    return settings;
}

} // namespace

class TestMonitorScheduler final : public QObject
{
    Q_OBJECT

private slots:
    void eachKindRunsAtItsInterval();
    void aRunningTaskIsNotStartedTwice();
    void failuresBackOffExponentiallyUpToTheLimit();
    void aSuccessEndsTheBackOff();
    void jitterStaysWithinItsFraction();
    void aTaskThatNeverReportsIsRetried();
    void stoppedSchedulerFiresNothing();
};

void TestMonitorScheduler::eachKindRunsAtItsInterval()
{
    ManualClock clock;
    const qint64 start = clock.nowMs();
    Scheduler scheduler(clock, settingsWithoutJitter(), [] { return 0.0; });
    QHash<QString, QList<qint64>> runs;
    connect(&scheduler, &Scheduler::due, this, [&](const QString &task, PollKind) {
        runs[task].append(clock.nowMs() - start);
        scheduler.reportResult(task, true);
    });
    scheduler.addTask(QStringLiteral("resources"), PollKind::Resources);
    scheduler.addTask(QStringLiteral("ha"), PollKind::HaStatus);
    scheduler.addTask(QStringLiteral("replication pve1"), PollKind::Replication);
    scheduler.addTask(QStringLiteral("probe redis-1"), PollKind::Probes);
    scheduler.addTask(QStringLiteral("gpu llm-1"), PollKind::Gpu);
    scheduler.start();
    clock.advanceBy(60'000);

    QCOMPARE(runs.value(QStringLiteral("resources")).size(), 13); // 0, 5, ..., 60 s
    QCOMPARE(runs.value(QStringLiteral("ha")),
             (QList<qint64>{0, 10'000, 20'000, 30'000, 40'000, 50'000, 60'000}));
    QCOMPARE(runs.value(QStringLiteral("replication pve1")), (QList<qint64>{0, 30'000, 60'000}));
    QCOMPARE(runs.value(QStringLiteral("probe redis-1")).size(), 13);
    QCOMPARE(runs.value(QStringLiteral("gpu llm-1")).size(), 13);
}

void TestMonitorScheduler::aRunningTaskIsNotStartedTwice()
{
    ManualClock clock;
    Scheduler scheduler(clock, settingsWithoutJitter(), [] { return 0.0; });
    QSignalSpy due(&scheduler, &Scheduler::due);
    scheduler.addTask(QStringLiteral("probe api-1"), PollKind::Probes);
    scheduler.start();
    clock.advanceBy(30'000); // the first run never reports within this time
    QCOMPARE(due.size(), 1);
    scheduler.reportResult(QStringLiteral("probe api-1"), true);
    clock.advanceBy(1);
    QCOMPARE(due.size(), 2); // overdue, so at once
}

void TestMonitorScheduler::failuresBackOffExponentiallyUpToTheLimit()
{
    ManualClock clock;
    Scheduler scheduler(clock, settingsWithoutJitter(), [] { return 0.0; });
    QList<qint64> gaps;
    qint64 last = clock.nowMs();
    connect(&scheduler, &Scheduler::due, this, [&](const QString &task, PollKind) {
        gaps.append(clock.nowMs() - last);
        last = clock.nowMs();
        scheduler.reportResult(task, false);
    });
    scheduler.addTask(QStringLiteral("probe db-1"), PollKind::Probes);
    scheduler.start();
    clock.advanceBy(30 * 60'000);

    // 5 s doubled per failure: 10, 20, 40, 80, 160 s, then the 300 s cap.
    QVERIFY(gaps.size() > 8);
    QCOMPARE(gaps.mid(1, 7),
             (QList<qint64>{10'000, 20'000, 40'000, 80'000, 160'000, 300'000, 300'000}));
    QVERIFY(scheduler.failures(QStringLiteral("probe db-1")) >= 8);
}

void TestMonitorScheduler::aSuccessEndsTheBackOff()
{
    ManualClock clock;
    Scheduler scheduler(clock, settingsWithoutJitter(), [] { return 0.0; });
    bool healthy = false;
    QList<qint64> times;
    connect(&scheduler, &Scheduler::due, this, [&](const QString &task, PollKind) {
        times.append(clock.nowMs());
        scheduler.reportResult(task, healthy);
    });
    scheduler.addTask(QStringLiteral("probe db-1"), PollKind::Probes);
    scheduler.start();
    clock.advanceBy(70'000 + 1); // runs at 0, 10, 30, 70 s, all failing
    QCOMPARE(scheduler.failures(QStringLiteral("probe db-1")), 4);
    healthy = true;
    clock.advanceBy(150'000); // the next, at 150 s, succeeds
    QCOMPARE(scheduler.failures(QStringLiteral("probe db-1")), 0);
    const qint64 afterRecovery = times.size();
    clock.advanceBy(10'000);
    QCOMPARE(times.size(), afterRecovery + 2); // back to every 5 s
}

void TestMonitorScheduler::jitterStaysWithinItsFraction()
{
    ManualClock clock;
    SchedulerSettings settings;
    settings.jitter = 0.2;
    double next = 0.0;
    // A sweep of "random" numbers over [0, 1).
    Scheduler scheduler(clock, settings, [&] {
        next = std::fmod(next + 0.137, 1.0);
        return next;
    });
    QList<qint64> gaps;
    qint64 last = -1;
    connect(&scheduler, &Scheduler::due, this, [&](const QString &task, PollKind) {
        if (last >= 0)
            gaps.append(clock.nowMs() - last);
        last = clock.nowMs();
        scheduler.reportResult(task, true);
    });
    scheduler.addTask(QStringLiteral("ha"), PollKind::HaStatus);
    scheduler.start();
    clock.advanceBy(600'000);
    QVERIFY(gaps.size() > 40);
    bool varied = false;
    for (qint64 gap : std::as_const(gaps)) {
        QVERIFY2(gap >= 8'000 && gap <= 12'000, qPrintable(QString::number(gap)));
        varied = varied || gap != 10'000;
    }
    QVERIFY(varied);
}

void TestMonitorScheduler::aTaskThatNeverReportsIsRetried()
{
    ManualClock clock;
    Scheduler scheduler(clock, settingsWithoutJitter(), [] { return 0.0; });
    QSignalSpy due(&scheduler, &Scheduler::due);
    scheduler.addTask(QStringLiteral("replication pve2"), PollKind::Replication);
    scheduler.start();
    clock.advanceBy(1);
    QCOMPARE(due.size(), 1);
    clock.advanceBy(119'000);
    QCOMPARE(due.size(), 1);
    clock.advanceBy(2'000); // 4 intervals of 30 s without a report
    QCOMPARE(due.size(), 2);
    QCOMPARE(scheduler.failures(QStringLiteral("replication pve2")), 1);
}

void TestMonitorScheduler::stoppedSchedulerFiresNothing()
{
    ManualClock clock;
    Scheduler scheduler(clock, settingsWithoutJitter(), [] { return 0.5; });
    QSignalSpy due(&scheduler, &Scheduler::due);
    scheduler.addTask(QStringLiteral("resources"), PollKind::Resources);
    scheduler.start();
    scheduler.stop();
    clock.advanceBy(60'000);
    QCOMPARE(due.size(), 0);
}

QTEST_GUILESS_MAIN(TestMonitorScheduler)
#include "tst_monitorscheduler.moc"
