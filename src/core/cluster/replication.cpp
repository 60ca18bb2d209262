#include "cluster/replication.h"

#include "common/calendarevent.h"
#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimeZone>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::Replication)
};

} // namespace

Result<QList<ReplicationStatus>> parseReplicationStatus(const QJsonValue &data)
{
    // The list call returns an array; `.../{id}/status` returns one object.
    QJsonArray entries;
    if (data.isArray())
        entries = data.toArray();
    else if (data.isObject())
        entries.append(data);
    else
        return Error{Tr::tr("the replication status is neither a list nor an object"), {}, {}};

    QList<ReplicationStatus> jobs;
    for (const QJsonValue &value : std::as_const(entries)) {
        const QJsonObject object = value.toObject();
        ReplicationStatus job;
        job.id = lenient::toString(object.value(QLatin1String("id")));
        if (job.id.isEmpty())
            return Error{Tr::tr("a replication job without an id"), {}, {}};
        job.guest = int(lenient::toInt(object.value(QLatin1String("guest"))).value_or(0));
        job.jobNumber = int(lenient::toInt(object.value(QLatin1String("jobnum"))).value_or(0));
        job.source = object.value(QLatin1String("source")).toString();
        job.target = object.value(QLatin1String("target")).toString();
        job.schedule = object.value(QLatin1String("schedule")).toString(QStringLiteral("*/15"));
        job.lastSync = lenient::toInt(object.value(QLatin1String("last_sync"))).value_or(0);
        job.lastTry = lenient::toInt(object.value(QLatin1String("last_try"))).value_or(0);
        job.nextSync = lenient::toInt(object.value(QLatin1String("next_sync"))).value_or(0);
        job.duration = lenient::toDouble(object.value(QLatin1String("duration"))).value_or(0.0);
        job.failCount = int(lenient::toInt(object.value(QLatin1String("fail_count"))).value_or(0));
        job.error = object.value(QLatin1String("error")).toString().trimmed();
        job.pid = lenient::toInt(object.value(QLatin1String("pid")));
        job.disabled = lenient::toBool(object.value(QLatin1String("disable"))).value_or(false);
        jobs.append(std::move(job));
    }
    return jobs;
}

ReplicationAssessment assessReplication(const ReplicationStatus &status, qint64 now,
                                        double lateFactor)
{
    ReplicationAssessment assessment;
    if (status.lastSync > 0)
        assessment.lagSeconds = qMax<qint64>(0, now - status.lastSync);

    const auto event = CalendarEvent::parse(status.schedule);
    if (event) {
        const QDateTime reference = QDateTime::fromSecsSinceEpoch(now, QTimeZone::utc());
        assessment.intervalSeconds = event->longestIntervalSeconds(reference).value_or(0);
    }

    if (status.disabled) {
        assessment.health = ReplicationHealth::Disabled;
        assessment.message = Tr::tr("replication job %1 is disabled").arg(status.id);
        return assessment;
    }
    if (status.failCount > 0 || !status.error.isEmpty()) {
        assessment.health = ReplicationHealth::Failing;
        assessment.message =
            Tr::tr("replication job %1 to %2 has failed %3 time(s), %4 s behind: %5")
                .arg(status.id, status.target)
                .arg(status.failCount)
                .arg(assessment.lagSeconds)
                .arg(status.error.isEmpty() ? Tr::tr("no error text") : status.error);
        return assessment;
    }
    if (status.pid && status.lastTry > status.lastSync) {
        assessment.health = ReplicationHealth::Running;
        assessment.message = Tr::tr("replication job %1 is running").arg(status.id);
        return assessment;
    }
    if (status.lastSync == 0) {
        assessment.health = ReplicationHealth::NeverSynced;
        assessment.message = Tr::tr("replication job %1 has never completed").arg(status.id);
        return assessment;
    }
    if (assessment.intervalSeconds > 0 &&
        double(assessment.lagSeconds) > lateFactor * double(assessment.intervalSeconds)) {
        assessment.health = ReplicationHealth::Lagging;
        assessment.message = Tr::tr("replication job %1 is %2 s behind (schedule %3)")
                                 .arg(status.id)
                                 .arg(assessment.lagSeconds)
                                 .arg(status.schedule);
        return assessment;
    }
    assessment.health = ReplicationHealth::Ok;
    assessment.message = Tr::tr("replication job %1 is %2 s behind (schedule %3)")
                             .arg(status.id)
                             .arg(assessment.lagSeconds)
                             .arg(status.schedule);
    return assessment;
}

} // namespace rae::cluster
