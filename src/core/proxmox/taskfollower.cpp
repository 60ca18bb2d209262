#include "proxmox/taskfollower.h"

#include "proxmox/client.h"
#include "proxmox/lenient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcTasks, "raedeploy.proxmox.tasks")

namespace rae::proxmox {

namespace {

// Failures on the way to the node rather than answers about the task: worth another poll.
bool isTransient(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
    case ApiError::Kind::NodeUnreachable:
    case ApiError::Kind::Server:
    case ApiError::Kind::MalformedResponse:
        return true;
    default:
        return false;
    }
}

// The log endpoint pages; this many lines per request while following.
constexpr int followPage = 500;

} // namespace

TaskExit TaskExit::parse(const QString &exitStatus)
{
    static const QRegularExpression warnings(QStringLiteral("^WARNINGS:\\s*(\\d+)$"));
    TaskExit exit;
    exit.text = exitStatus.trimmed();
    if (exit.text == QLatin1String("OK")) {
        exit.kind = Kind::Ok;
        return exit;
    }
    const auto match = warnings.match(exit.text);
    if (match.hasMatch()) {
        exit.kind = Kind::Warnings;
        exit.warnings = match.captured(1).toInt();
        return exit;
    }
    exit.kind = Kind::Failed;
    return exit;
}

TaskFollower::TaskFollower(ProxmoxClient *client, const Upid &upid,
                           const TaskFollowOptions &options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_upid(upid)
    , m_options(options)
{
    m_result.upid = upid;
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &TaskFollower::poll);
    // The client owns the jobs in flight; they vanish with it without a word.
    if (client) {
        connect(client, &QObject::destroyed, this, [this] {
            m_job.clear();
            if (!m_finished)
                fail(ApiError::make(ApiError::Kind::Cancelled,
                                    tr("the cluster connection was closed")));
        });
    }
}

TaskFollower::~TaskFollower()
{
    if (ApiJob *job = m_job.data()) {
        job->disconnect(this);
        job->cancel();
    }
}

QString TaskFollower::taskPath(const QString &tail) const
{
    QStringList segments{QStringLiteral("nodes"), m_upid.node, QStringLiteral("tasks"),
                         m_upid.text};
    if (!tail.isEmpty())
        segments << tail;
    return form::path(segments);
}

std::chrono::milliseconds TaskFollower::elapsed() const
{
    return std::chrono::milliseconds(m_clock.isValid() ? m_clock.elapsed() : 0);
}

void TaskFollower::start()
{
    if (m_clock.isValid())
        return;
    m_clock.start();
    m_interval = m_options.firstInterval;
    qCDebug(lcTasks).noquote() << "following" << m_upid.text;
    m_timer.start(0);
}

void TaskFollower::cancel()
{
    if (m_finished)
        return;
    fail(ApiError::make(ApiError::Kind::Cancelled, tr("stopped following task %1").arg(m_upid.text),
                        tr("the task goes on on node %1").arg(m_upid.node)));
}

void TaskFollower::stopTask()
{
    if (m_finished || !m_client)
        return;
    qCInfo(lcTasks).noquote() << "asking node" << m_upid.node << "to stop" << m_upid.text;
    ApiJob *job = m_client->send(ApiRequest::del(taskPath({})));
    connect(job, &ApiJob::finished, this, [this](const ApiResult<ApiReply> &result) {
        if (!result) {
            qCInfo(lcTasks).noquote()
                << "stopping" << m_upid.text << "failed:" << result.error().message;
        }
        if (m_finished)
            return;
        // Look soon: the end of a stopped task should not wait for a long back-off interval.
        m_interval = m_options.firstInterval;
        if (!m_job && m_clock.isValid()) {
            m_timer.stop();
            poll();
        }
    });
}

void TaskFollower::poll()
{
    if (m_finished || m_job)
        return;
    if (!m_client) {
        fail(ApiError::make(ApiError::Kind::Cancelled, tr("the cluster connection was closed")));
        return;
    }
    ++m_result.polls;
    m_job = m_client->send(ApiRequest::get(taskPath(QStringLiteral("status"))));
    connect(m_job.data(), &ApiJob::finished, this, &TaskFollower::onStatus);
}

void TaskFollower::scheduleNext()
{
    if (m_finished)
        return; // cancelled from a progress handler
    m_timer.start(m_interval);
    const auto grown =
        std::chrono::milliseconds(qint64(double(m_interval.count()) * m_options.backoff));
    m_interval = std::min(std::max(grown, m_interval), m_options.maxInterval);
}

void TaskFollower::onStatus(const ApiResult<ApiReply> &result)
{
    m_job.clear();
    if (m_finished)
        return;

    if (!result) {
        const ApiError &error = result.error();
        if (error.isNoSuchTask() && !m_seen && elapsed() < m_options.notVisibleGrace) {
            emitProgress(TaskProgress::Phase::NotVisibleYet);
            scheduleNext();
            return;
        }
        if (isTransient(error) && ++m_transientErrors <= m_options.transientErrorLimit) {
            qCDebug(lcTasks).noquote()
                << "status of" << m_upid.text
                << "failed, polling again:" << ApiError::kindName(error.kind);
            scheduleNext();
            return;
        }
        if (error.isNoSuchTask()) {
            ApiError gone = error;
            gone.message =
                m_seen ? tr("task %1 is no longer known to node %2").arg(m_upid.text, m_upid.node)
                       : tr("task %1 did not appear on node %2").arg(m_upid.text, m_upid.node);
            fail(gone);
            return;
        }
        fail(error);
        return;
    }

    m_transientErrors = 0;
    m_seen = true;
    const QJsonObject data = result->data.toObject();
    const QString status = lenient::toString(data.value(QLatin1String("status")));
    if (status != QLatin1String("stopped")) {
        if (m_options.logMode == TaskFollowOptions::LogMode::Follow) {
            fetchLog(m_logSeen, followPage, false);
            return;
        }
        emitProgress(TaskProgress::Phase::Running);
        scheduleNext();
        return;
    }

    m_exit = TaskExit::parse(lenient::toString(data.value(QLatin1String("exitstatus"))));
    qCDebug(lcTasks).noquote() << m_upid.text << "stopped:" << m_exit->text;
    emitProgress(TaskProgress::Phase::Stopped);
    if (m_finished)
        return;
    switch (m_options.logMode) {
    case TaskFollowOptions::LogMode::None:
        break;
    case TaskFollowOptions::LogMode::Follow:
        fetchLog(m_logSeen, followPage, true);
        return;
    case TaskFollowOptions::LogMode::TailOnFailure:
        if (m_exit->kind == TaskExit::Kind::Ok)
            break;
        [[fallthrough]];
    case TaskFollowOptions::LogMode::TailAlways:
        // The first page tells the total; a longer log costs one more request for its tail.
        fetchLog(0, m_options.tailLines, true);
        return;
    }
    complete();
}

void TaskFollower::fetchLog(qint64 start, int limit, bool atEnd)
{
    if (!m_client) {
        fail(ApiError::make(ApiError::Kind::Cancelled, tr("the cluster connection was closed")));
        return;
    }
    m_job = m_client->send(ApiRequest::get(taskPath(QStringLiteral("log")),
                                           {{QStringLiteral("start"), QString::number(start)},
                                            {QStringLiteral("limit"), QString::number(limit)}}));
    connect(m_job.data(), &ApiJob::finished, this,
            [this, atEnd, start](const ApiResult<ApiReply> &result) {
                m_job.clear();
                if (m_finished)
                    return;
                if (!result) {
                    // The outcome is known (or the task still runs); a missing log is not worth
                    // failing the follow for.
                    qCInfo(lcTasks).noquote() << "could not read the log of" << m_upid.text << ":"
                                              << result.error().message;
                    if (atEnd) {
                        complete();
                    } else {
                        emitProgress(TaskProgress::Phase::Running);
                        scheduleNext();
                    }
                    return;
                }
                QList<TaskLogLine> lines;
                for (const QJsonValue &value : result->data.toArray()) {
                    const QJsonObject line = value.toObject();
                    lines.append({lenient::toInt(line.value(QLatin1String("n"))).value_or(0),
                                  lenient::toString(line.value(QLatin1String("t")))});
                }
                // An empty log is answered with one placeholder line; it is not part of the log,
                // and counting it would skip the real first line once it is written.
                const bool placeholder = start == 0 && lines.size() == 1 &&
                                         lines.first().number == 1 &&
                                         lines.first().text == QLatin1String("no content");
                if (placeholder)
                    lines.clear();
                const qint64 total = lenient::toInt(result->envelope.value(QLatin1String("total")))
                                         .value_or(start + lines.size());
                m_result.logTotal = placeholder ? 0 : total;

                if (m_options.logMode == TaskFollowOptions::LogMode::Follow) {
                    m_logSeen = start + lines.size();
                    m_result.log += lines;
                    if (atEnd) {
                        if (!lines.isEmpty() && m_logSeen < total) {
                            fetchLog(m_logSeen, followPage, true);
                            return;
                        }
                        if (!lines.isEmpty())
                            emitProgress(TaskProgress::Phase::Stopped, lines);
                        if (!m_finished)
                            complete();
                        return;
                    }
                    emitProgress(TaskProgress::Phase::Running, lines);
                    scheduleNext();
                    return;
                }

                // A tail: the first page was enough, or now fetch the last page.
                if (start == 0 && total > lines.size() && total > m_options.tailLines) {
                    fetchLog(total - m_options.tailLines, m_options.tailLines, true);
                    return;
                }
                m_result.log = lines;
                complete();
            });
}

void TaskFollower::emitProgress(TaskProgress::Phase phase, QList<TaskLogLine> lines)
{
    TaskProgress report;
    report.phase = phase;
    report.polls = m_result.polls;
    report.elapsed = elapsed();
    report.newLogLines = std::move(lines);
    emit progress(report);
}

void TaskFollower::complete()
{
    m_finished = true;
    m_timer.stop();
    m_result.exit = m_exit.value_or(TaskExit{});
    m_result.elapsed = elapsed();
    emit finished(m_result);
}

void TaskFollower::fail(const ApiError &error)
{
    m_finished = true;
    m_timer.stop();
    if (ApiJob *job = m_job.data()) {
        m_job.clear();
        job->disconnect(this);
        job->cancel();
    }
    qCDebug(lcTasks).noquote() << "stopped following" << m_upid.text << "-"
                               << ApiError::kindName(error.kind);
    emit finished(error);
}

} // namespace rae::proxmox
