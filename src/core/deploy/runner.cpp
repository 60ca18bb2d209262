#include "deploy/runner.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QPointer>

namespace rae::deploy {

namespace {

Q_LOGGING_CATEGORY(lcRunner, "raedeploy.deploy.runner")

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::Runner)
};

JournalEntry entryFor(const QString &action, ActionState state)
{
    JournalEntry entry;
    entry.action = action;
    entry.state = state;
    entry.time = QDateTime::currentDateTimeUtc();
    return entry;
}

} // namespace

Runner::Runner(ActionScheduler scheduler, Journal *journal, ActionExecutor *executor,
               QObject *parent)
    : QObject(parent)
    , m_scheduler(std::move(scheduler))
    , m_journal(journal)
    , m_executor(executor)
    , m_blockedRecorded(m_scheduler.actions().size(), false)
{}

void Runner::start()
{
    startReady();
    finishIfIdle();
}

bool Runner::record(const QList<JournalEntry> &entries)
{
    if (m_journalError || entries.isEmpty())
        return !m_journalError;
    const Status written = m_journal->record(entries);
    if (!written) {
        qCWarning(lcRunner) << "journal write failed:" << written.error().message;
        m_journalError = written.error();
    }
    return !m_journalError;
}

void Runner::stop()
{
    m_stopping = true;
    finishIfIdle();
}

void Runner::startReady()
{
    if (m_journalError || m_stopping)
        return;
    const QList<int> ready = m_scheduler.takeReady();
    if (ready.isEmpty())
        return;
    QList<JournalEntry> entries;
    for (int index : ready)
        entries << entryFor(m_scheduler.actions().at(index).id, ActionState::Running);
    if (!record(entries)) {
        // Nothing was started: hand the actions back as failed so the scheduler stays whole.
        for (int index : ready)
            m_scheduler.finish(index, false);
        return;
    }
    m_running += int(ready.size());
    for (int index : ready) {
        const Action &action = m_scheduler.actions().at(index);
        emit actionChanged(action.id, ActionState::Running, {});
        QPointer<Runner> self(this);
        // Queued, so that an executor answering at once does not re-enter the scheduling turn;
        // the answers that arrive before that turn share one journal write.
        m_executor->execute(action, [self, index](const Result<ActionOutcome> &result) {
            if (Runner *runner = self.data())
                runner->queueAnswer(index, result);
        });
    }
}

void Runner::queueAnswer(int index, const Result<ActionOutcome> &result)
{
    m_answers.append({index, result});
    if (m_answers.size() == 1)
        QMetaObject::invokeMethod(this, &Runner::onAnswers, Qt::QueuedConnection);
}

void Runner::onAnswers()
{
    const QList<std::pair<int, Result<ActionOutcome>>> answers = std::exchange(m_answers, {});
    m_running -= int(answers.size());
    QList<JournalEntry> entries;
    for (const auto &[index, result] : answers) {
        const Action &action = m_scheduler.actions().at(index);
        JournalEntry entry = entryFor(action.id, result ? ActionState::Done : ActionState::Failed);
        if (result) {
            entry.vmid = result->vmid;
            entry.upid = result->upid;
            entry.detail = result->detail;
        } else {
            entry.detail = result.error().toString();
        }
        entries.append(entry);
    }
    // The states are recorded before the scheduler acts on them; when the journal fails, the
    // actions count as failed so that nothing depending on them starts unrecorded.
    const bool recorded = record(entries);
    for (qsizetype i = 0; i < answers.size(); ++i) {
        const JournalEntry &entry = entries.at(i);
        m_scheduler.finish(answers.at(i).first, recorded && answers.at(i).second.ok());
        emit actionChanged(entry.action, recorded ? entry.state : ActionState::Failed,
                           entry.detail);
    }
    recordBlocked();
    startReady();
    finishIfIdle();
}

void Runner::recordBlocked()
{
    QList<JournalEntry> entries;
    for (int index = 0; index < m_blockedRecorded.size(); ++index) {
        if (m_blockedRecorded.at(index) || m_scheduler.state(index) != ActionState::Blocked)
            continue;
        m_blockedRecorded[index] = true;
        entries << entryFor(m_scheduler.actions().at(index).id, ActionState::Blocked);
    }
    record(entries);
    for (const JournalEntry &entry : std::as_const(entries))
        emit actionChanged(entry.action, ActionState::Blocked, {});
}

void Runner::finishIfIdle()
{
    if (m_finished || m_running > 0)
        return;
    if (!m_journalError && !m_stopping && !m_scheduler.isFinished())
        return;
    m_finished = true;
    if (m_journalError) {
        emit finished(Error{
            Tr::tr("The deployment journal could not be written: %1").arg(m_journalError->message),
            Tr::tr("Free space or fix the permissions of the data folder, then "
                   "resume the apply."),
            m_journal->path()});
        return;
    }
    if (m_stopping && !m_scheduler.isFinished()) {
        emit finished(Error{Tr::tr("The apply was stopped before it finished."),
                            Tr::tr("Resume it to do the rest."), m_journal->path()});
        return;
    }
    emit finished(Done{});
}

} // namespace rae::deploy
