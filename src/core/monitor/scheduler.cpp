#include "monitor/scheduler.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

#include <algorithm>
#include <limits>

Q_LOGGING_CATEGORY(lcScheduler, "raedeploy.monitor.scheduler")

namespace rae::monitor {

QString pollKindName(PollKind kind)
{
    switch (kind) {
    case PollKind::Resources:
        return QStringLiteral("resources");
    case PollKind::HaStatus:
        return QStringLiteral("ha-status");
    case PollKind::Replication:
        return QStringLiteral("replication");
    case PollKind::Probes:
        return QStringLiteral("probes");
    case PollKind::Gpu:
        return QStringLiteral("gpu");
    }
    return {};
}

Scheduler::Scheduler(Clock &clock, SchedulerSettings settings, std::function<double()> random,
                     QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_settings(settings)
    , m_random(std::move(random))
{
    if (!m_random)
        m_random = [] {
            return QRandomGenerator::global()->generateDouble();
        };
}

void Scheduler::addTask(const QString &task, PollKind kind)
{
    Task entry;
    entry.kind = kind;
    // The first runs are spread over one interval rather than all fired at once.
    entry.nextDueMs =
        m_clock.nowMs() + qint64(m_random() * double(m_settings.interval(kind).count()));
    m_tasks.insert(task, entry);
    if (m_running)
        rearm();
}

void Scheduler::removeTask(const QString &task)
{
    m_tasks.remove(task);
    if (m_running)
        rearm();
}

void Scheduler::start()
{
    m_running = true;
    rearm();
}

void Scheduler::stop()
{
    m_running = false;
    m_clock.wakeAt(std::numeric_limits<qint64>::max(), [] {});
}

std::chrono::milliseconds Scheduler::backoffFor(PollKind kind, int failures) const
{
    qint64 wait = m_settings.interval(kind).count();
    for (int i = 0; i < failures && wait < m_settings.maxBackoff.count(); ++i)
        wait *= 2;
    return std::chrono::milliseconds(std::min(wait, qint64(m_settings.maxBackoff.count())));
}

qint64 Scheduler::jittered(qint64 waitMs)
{
    const double spread = (m_random() * 2.0 - 1.0) * m_settings.jitter;
    return std::max<qint64>(0, waitMs + qint64(double(waitMs) * spread));
}

// A run that never reports (a bug, or a reply lost for good) must not stop its task forever.
qint64 Scheduler::stuckAfterMs(const Task &task) const
{
    return std::max<qint64>(4 * m_settings.interval(task.kind).count(), 60000);
}

void Scheduler::reportResult(const QString &task, bool ok)
{
    auto it = m_tasks.find(task);
    if (it == m_tasks.end() || !it->inFlight)
        return;
    const qint64 now = m_clock.nowMs();
    it->inFlight = false;
    if (ok) {
        it->failures = 0;
        // Keep the cadence from the start of the run, not its end.
        it->nextDueMs =
            std::max(now, it->startedMs + jittered(m_settings.interval(it->kind).count()));
    } else {
        ++it->failures;
        const qint64 wait = backoffFor(it->kind, it->failures).count();
        it->nextDueMs = now + jittered(wait);
        qCDebug(lcScheduler) << "task" << task << "failed" << it->failures << "times; next in"
                             << (it->nextDueMs - now) << "ms";
    }
    if (m_running)
        rearm();
}

int Scheduler::failures(const QString &task) const
{
    return m_tasks.value(task).failures;
}

qint64 Scheduler::nextDueMs(const QString &task) const
{
    const auto it = m_tasks.constFind(task);
    if (it == m_tasks.constEnd() || it->inFlight)
        return -1;
    return it->nextDueMs;
}

void Scheduler::onWake()
{
    if (!m_running)
        return;
    const qint64 now = m_clock.nowMs();
    QList<std::pair<QString, PollKind>> dueNow;
    for (auto it = m_tasks.begin(); it != m_tasks.end(); ++it) {
        if (it->inFlight && now - it->startedMs >= stuckAfterMs(*it)) {
            qCDebug(lcScheduler) << "task" << it.key() << "never reported; counted as failed";
            it->inFlight = false;
            ++it->failures;
            it->nextDueMs = now;
        }
        if (!it->inFlight && it->nextDueMs <= now) {
            it->inFlight = true;
            it->startedMs = now;
            dueNow.append({it.key(), it->kind});
        }
    }
    // Stable order for people reading logs and for tests.
    std::sort(dueNow.begin(), dueNow.end());
    for (const auto &[task, kind] : std::as_const(dueNow)) {
        if (m_tasks.contains(task))
            emit due(task, kind);
    }
    rearm();
}

void Scheduler::rearm()
{
    if (!m_running)
        return;
    qint64 next = std::numeric_limits<qint64>::max();
    for (const Task &task : std::as_const(m_tasks))
        next = std::min(next, task.inFlight ? task.startedMs + stuckAfterMs(task) : task.nextDueMs);
    if (next == std::numeric_limits<qint64>::max())
        return;
    m_clock.wakeAt(next, [this] { onWake(); });
}

} // namespace rae::monitor
