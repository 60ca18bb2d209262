#include "cluster/backupvolume.h"

#include "common/calendarevent.h"
#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::BackupVolume)
};

QString hoursText(qint64 seconds)
{
    return QString::number(double(seconds) / 3600.0, 'f', 1);
}

} // namespace

Result<QList<BackupVolume>> parseBackupVolumes(const QJsonValue &data, const QString &storage,
                                               const QString &node)
{
    if (!data.isArray())
        return Error{Tr::tr("the content of storage %1 is not a list").arg(storage), {}, {}};
    QList<BackupVolume> volumes;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        // The list may hold other content when the storage ignores the filter.
        const QString content = lenient::toString(object.value(QLatin1String("content")));
        if (!content.isEmpty() && content != QLatin1String("backup"))
            continue;
        BackupVolume volume;
        volume.volid = lenient::toString(object.value(QLatin1String("volid")));
        if (volume.volid.isEmpty())
            return Error{Tr::tr("a volume of storage %1 without a volid").arg(storage), {}, {}};
        volume.storage = storage;
        volume.node = node;
        volume.vmid = int(lenient::toInt(object.value(QLatin1String("vmid"))).value_or(0));
        volume.ctime = lenient::toInt(object.value(QLatin1String("ctime"))).value_or(0);
        volume.size = lenient::toInt(object.value(QLatin1String("size"))).value_or(0);
        volume.format = lenient::toString(object.value(QLatin1String("format")));
        volume.notes = lenient::toString(object.value(QLatin1String("notes")));
        volume.isProtected =
            lenient::toBool(object.value(QLatin1String("protected"))).value_or(false);
        volume.verification = lenient::toString(
            object.value(QLatin1String("verification")).toObject().value(QLatin1String("state")));
        volumes.append(std::move(volume));
    }
    return volumes;
}

BackupAssessment assessBackups(int vmid, const QString &guestNode, const QString &guestPool,
                               const QList<BackupJob> &jobs, const QList<BackupVolume> &volumes,
                               qint64 now, qint64 graceSeconds)
{
    BackupAssessment result;
    for (const BackupVolume &volume : volumes) {
        if (volume.vmid == vmid && (!result.newest || volume.ctime > result.newest->ctime))
            result.newest = volume;
    }

    const QDateTime reference = QDateTime::fromSecsSinceEpoch(now, Qt::UTC);
    for (const BackupJob &job : jobs) {
        const bool inPool = !job.pool.isEmpty() && job.pool == guestPool;
        if (!job.enabled || !(job.covers(vmid) || inPool) ||
            (!job.node.isEmpty() && job.node != guestNode))
            continue;
        result.jobs.append(job.id);
        const auto event = CalendarEvent::parse(job.schedule);
        if (!event)
            continue;
        if (const auto gap = event->longestIntervalSeconds(reference)) {
            const qint64 allowed = *gap + graceSeconds;
            if (!result.allowedAgeSeconds || allowed < *result.allowedAgeSeconds)
                result.allowedAgeSeconds = allowed;
        }
    }

    const qint64 age = result.newest ? now - result.newest->ctime : 0;
    if (result.jobs.isEmpty()) {
        result.message = result.newest ? Tr::tr("no backup job covers it")
                                       : Tr::tr("no backup, and no backup job covers it");
    } else if (!result.allowedAgeSeconds) {
        result.message = Tr::tr("the schedule of job %1 cannot be read")
                             .arg(result.jobs.join(QStringLiteral(", ")));
    } else if (!result.newest) {
        result.stale = true;
        result.message = Tr::tr("no backup, although job %1 covers it")
                             .arg(result.jobs.join(QStringLiteral(", ")));
    } else if (age > *result.allowedAgeSeconds) {
        result.stale = true;
        result.message = Tr::tr("stale: %1 h old, job %2 allows %3 h")
                             .arg(hoursText(age), result.jobs.join(QStringLiteral(", ")),
                                  hoursText(*result.allowedAgeSeconds));
    } else {
        result.message = Tr::tr("ok");
    }
    return result;
}

} // namespace rae::cluster
