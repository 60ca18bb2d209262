// The runner's own bookkeeping per action: changeset, action planning, scheduling and a journal
// line (with fsync) for each state change, on the reference plan. Target: under 5 ms an action.
#include "deploy/actions.h"
#include "deploy/journal.h"
#include "plan/planreader.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

using namespace rae;
using namespace rae::deploy;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    auto plan =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!plan.ok()) {
        out << "reference plan unreadable\n";
        return 1;
    }
    QTemporaryDir dir;
    const int rounds = 50;
    qint64 planningNs = 0;
    qint64 journalNs = 0;
    qsizetype actionsRun = 0;
    for (int round = 0; round < rounds; ++round) {
        QElapsedTimer timer;
        timer.start();
        const Changeset changeset = computeChangeset(plan.value(), ClusterSnapshot{});
        ActionScheduler scheduler(planActions(plan.value(), changeset), 3);
        QList<int> running;
        qint64 journalRound = 0;
        auto journal = Journal::create(dir.filePath(QStringLiteral("bench.journal")), {});
        if (!journal.ok())
            return 1;
        while (!scheduler.isFinished()) {
            QList<JournalEntry> started;
            for (int index : scheduler.takeReady()) {
                running.append(index);
                started.append(
                    {scheduler.actions().at(index).id, ActionState::Running, 0, {}, {}, {}});
            }
            QElapsedTimer write;
            write.start();
            (void)journal.value().record(started);
            journalRound += write.nsecsElapsed();
            if (running.isEmpty())
                break;
            const int index = running.takeFirst();
            write.restart();
            (void)journal.value().record(
                JournalEntry{scheduler.actions().at(index).id, ActionState::Done, 0, {}, {}, {}});
            journalRound += write.nsecsElapsed();
            scheduler.finish(index, true);
        }
        planningNs += timer.nsecsElapsed() - journalRound;
        journalNs += journalRound;
        actionsRun += scheduler.actions().size();
    }
    const double perActionPlanning = double(planningNs) / double(actionsRun) / 1e6;
    const double perActionJournal = double(journalNs) / double(actionsRun) / 1e6;
    out << "actions per apply of the reference plan: " << actionsRun / rounds << '\n';
    out << "planning + scheduling per action: " << QString::number(perActionPlanning, 'f', 4)
        << " ms\n";
    out << "journal (fsync'ed; starts of one turn share one) per action: "
        << QString::number(perActionJournal, 'f', 4) << " ms\n";
    out << "runner overhead per action: "
        << QString::number(perActionPlanning + perActionJournal, 'f', 4) << " ms (target < 5)\n";
    return 0;
}
