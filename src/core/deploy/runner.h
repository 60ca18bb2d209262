#pragma once

#include "common/result.h"
#include "deploy/actions.h"
#include "deploy/journal.h"

#include <QObject>

#include <functional>
#include <utility>

namespace rae::deploy {

// What an executed action leaves for the journal.
struct ActionOutcome
{
    int vmid = 0;   // the id a clone reserved
    QString upid;   // the Proxmox task it ran
    QString detail; // an id it produced; never a secret
};

// Carries out one action against a cluster. The runner owns the order, the journal and the
// parallel limit; an executor only does the work, so it can be swapped for a fake in tests.
class ActionExecutor
{
public:
    using Done = std::function<void(const Result<ActionOutcome> &)>;
    virtual ~ActionExecutor() = default;
    // Calls `done` exactly once, at once or later, from the thread of the runner.
    virtual void execute(const Action &action, Done done) = 0;
};

// Runs a scheduler's actions through an executor, recording each state in the journal before
// it acts on it. A failed action blocks its dependants and leaves the others going. A journal
// that cannot be written stops new starts: an action nobody recorded could not be resumed.
class Runner final : public QObject
{
    Q_OBJECT

public:
    Runner(ActionScheduler scheduler, Journal *journal, ActionExecutor *executor,
           QObject *parent = nullptr);

    void start();
    // Starts nothing more; `finished` comes with an error once the running actions are back.
    // The journal then holds what a resume needs: a safe point to cancel at.
    void stop();
    bool isStopping() const { return m_stopping; }
    const ActionScheduler &scheduler() const { return m_scheduler; }

signals:
    void actionChanged(const QString &id, rae::deploy::ActionState state, const QString &detail);
    // Once, when nothing runs any more: an error when the journal failed, else the counts are in
    // scheduler().
    void finished(const rae::Status &result);

private:
    void startReady();
    void queueAnswer(int index, const Result<ActionOutcome> &result);
    void onAnswers();
    bool record(const QList<JournalEntry> &entries);
    void recordBlocked();
    void finishIfIdle();

    ActionScheduler m_scheduler;
    Journal *m_journal = nullptr;
    ActionExecutor *m_executor = nullptr;
    QList<bool> m_blockedRecorded;
    QList<std::pair<int, Result<ActionOutcome>>> m_answers; // not yet recorded
    int m_running = 0;
    bool m_finished = false;
    bool m_stopping = false;
    std::optional<Error> m_journalError;
};

} // namespace rae::deploy
