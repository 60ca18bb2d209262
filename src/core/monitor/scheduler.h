#pragma once

#include "monitor/clock.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <array>
#include <chrono>
#include <functional>

namespace rae::monitor {

enum class PollKind
{
    Resources,   // /cluster/resources: node and VM CPU, memory, status
    HaStatus,    // /cluster/ha/status/current
    Replication, // /nodes/{node}/replication per source node
    Probes,      // service health probes
    Gpu,         // nvidia-smi through the guest agent, or a Prometheus endpoint
};

QString pollKindName(PollKind kind);

struct SchedulerSettings
{
    std::array<std::chrono::milliseconds, 5> intervals{
        std::chrono::milliseconds(5000),  // Resources
        std::chrono::milliseconds(10000), // HaStatus
        std::chrono::milliseconds(30000), // Replication
        std::chrono::milliseconds(5000),  // Probes
        std::chrono::milliseconds(5000),  // Gpu
    };
    double jitter = 0.1; // each wait is the interval ± this fraction, so targets do not march
    std::chrono::milliseconds maxBackoff{5 * 60 * 1000};

    std::chrono::milliseconds interval(PollKind kind) const { return intervals.at(size_t(kind)); }
};

// Says when each task is due: one interval per kind, spread by jitter, and for a failing task
// a wait that doubles per consecutive failure up to `maxBackoff`. A task is never due again
// while its previous run has not been reported, so slow targets do not pile up requests.
//
// Lives on the polling thread; time and wake-ups come from the injected clock.
class Scheduler final : public QObject
{
    Q_OBJECT

public:
    // `random` gives uniform numbers in [0, 1); tests pass a fixed one.
    Scheduler(Clock &clock, SchedulerSettings settings = {}, std::function<double()> random = {},
              QObject *parent = nullptr);

    // `task` is the caller's name for one unit of work ("probe redis-1", "replication pve2").
    void addTask(const QString &task, PollKind kind);
    void removeTask(const QString &task);
    QStringList tasks() const { return m_tasks.keys(); }

    void start();
    void stop();
    bool isRunning() const { return m_running; }

    // Ends the run that `due` started; `ok` decides between the interval and the back-off.
    void reportResult(const QString &task, bool ok);

    int failures(const QString &task) const;
    qint64 nextDueMs(const QString &task) const; // -1 for an unknown task or one in flight
    std::chrono::milliseconds backoffFor(PollKind kind, int failures) const;

signals:
    void due(const QString &task, rae::monitor::PollKind kind);

private:
    struct Task
    {
        PollKind kind = PollKind::Probes;
        qint64 nextDueMs = 0;
        qint64 startedMs = 0;
        int failures = 0;
        bool inFlight = false;
    };

    qint64 jittered(qint64 waitMs);
    qint64 stuckAfterMs(const Task &task) const;
    void onWake();
    void rearm();

    Clock &m_clock;
    SchedulerSettings m_settings;
    std::function<double()> m_random;
    QHash<QString, Task> m_tasks;
    bool m_running = false;
};

} // namespace rae::monitor
