#pragma once

#include "proxmox/apierror.h"
#include "proxmox/request.h"
#include "proxmox/upid.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <optional>

namespace rae::proxmox {

class ApiJob;
class ProxmoxClient;

// How a task ended, read from the `exitstatus` of its status: `OK`, `WARNINGS: <n>` (finished,
// but the log has warnings), or anything else, which is the error text of a failed task.
struct TaskExit
{
    enum class Kind
    {
        Ok,
        Warnings,
        Failed
    };
    Kind kind = Kind::Failed;
    int warnings = 0; // Warnings: how many the task counted
    QString text;     // the exit status verbatim (for Failed: the error)

    bool succeeded() const { return kind != Kind::Failed; }
    static TaskExit parse(const QString &exitStatus);
    friend bool operator==(const TaskExit &, const TaskExit &) = default;
};

// One line of `GET /nodes/{node}/tasks/{upid}/log`; `number` counts from 1.
struct TaskLogLine
{
    qint64 number = 0;
    QString text;
    friend bool operator==(const TaskLogLine &, const TaskLogLine &) = default;
};

// What a followed task came to. A task that failed is still a successful follow: its error is in
// `exit`, and the log tail says why.
struct TaskResult
{
    Upid upid;
    TaskExit exit;
    QList<TaskLogLine> log; // the tail (or all lines followed), when the options asked for it
    qint64 logTotal = 0;    // lines the server reported in all; more than `log` holds if cut
    int polls = 0;          // status requests it took
    std::chrono::milliseconds elapsed{0};
};

struct TaskProgress
{
    enum class Phase
    {
        NotVisibleYet, // the status answered "no such task": the worker is still starting
        Running,
        Stopped, // the end is known; the log may still be being fetched
    };
    Phase phase = Phase::NotVisibleYet;
    int polls = 0;
    std::chrono::milliseconds elapsed{0};
    QList<TaskLogLine> newLogLines; // LogMode::Follow: lines that arrived since the last report
};

struct TaskFollowOptions
{
    enum class LogMode
    {
        None,
        TailOnFailure, // fetch the last `tailLines` when the task failed or warned
        TailAlways,
        Follow, // read new lines while it runs (reported with progress) and keep them all
    };

    std::chrono::milliseconds firstInterval{250}; // between status polls, growing by `backoff`
    std::chrono::milliseconds maxInterval{5000};
    double backoff = 1.5;
    // How long "no such task" is taken for a worker that has not written its status yet.
    std::chrono::milliseconds notVisibleGrace{15000};
    // Consecutive polls that may fail on the way (network, time-out, node unreachable, 5xx)
    // before the follow gives up: a node may reboot or fail over during a long task.
    int transientErrorLimit = 6;
    LogMode logMode = LogMode::TailOnFailure;
    int tailLines = 50;
};

// Follows one task to its end by polling `/nodes/{node}/tasks/{upid}/status` on the node named in
// the UPID, with back-off. Emits `progress` after each poll and `finished` exactly once. It is not
// deleted automatically; its parent (or the caller) owns it.
class TaskFollower final : public QObject
{
    Q_OBJECT

public:
    TaskFollower(ProxmoxClient *client, const Upid &upid, const TaskFollowOptions &options = {},
                 QObject *parent = nullptr);
    ~TaskFollower() override;

    const Upid &upid() const { return m_upid; }
    bool isFinished() const { return m_finished; }

    // Polls start on the next turn of the event loop, so that callers can connect first.
    void start();
    // Stops following with a Cancelled error; the task itself goes on on the node.
    void cancel();
    // Asks the node to stop the task (`DELETE .../tasks/{upid}`); following goes on and reports
    // how it ended, usually a failure "unexpected status".
    void stopTask();

signals:
    void progress(const rae::proxmox::TaskProgress &progress);
    void finished(const rae::proxmox::ApiResult<rae::proxmox::TaskResult> &result);

private:
    void poll();
    void onStatus(const ApiResult<ApiReply> &result);
    void scheduleNext();
    void fetchLog(qint64 start, int limit, bool atEnd);
    void onLog(const ApiResult<ApiReply> &result, bool atEnd);
    void complete();
    void fail(const ApiError &error);
    void emitProgress(TaskProgress::Phase phase, QList<TaskLogLine> lines = {});
    QString taskPath(const QString &tail) const;
    std::chrono::milliseconds elapsed() const;

    QPointer<ProxmoxClient> m_client;
    Upid m_upid;
    TaskFollowOptions m_options;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QPointer<ApiJob> m_job;
    std::chrono::milliseconds m_interval{0};
    std::optional<TaskExit> m_exit;
    TaskResult m_result;
    qint64 m_logSeen = 0; // LogMode::Follow: lines read so far
    int m_transientErrors = 0;
    bool m_seen = false; // the status answered at least once
    bool m_finished = false;
};

} // namespace rae::proxmox
