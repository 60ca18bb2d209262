#include "cluster/backupjob.h"

#include "proxmox/lenient.h"
#include "proxmox/propertystring.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::BackupJob)
};

QList<int> vmidList(const QString &text)
{
    QList<int> ids;
    for (const QString &part : lenient::splitList(text)) {
        bool ok = false;
        const int id = part.toInt(&ok);
        if (ok)
            ids << id;
    }
    return ids;
}

} // namespace

bool BackupJob::covers(int vmid) const
{
    if (all)
        return !excluded.contains(vmid);
    return vmids.contains(vmid);
}

Result<QList<BackupJob>> parseBackupJobs(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the backup jobs are not a list"), {}, {}};
    QList<BackupJob> jobs;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        BackupJob job;
        job.id = lenient::toString(object.value(QLatin1String("id")));
        if (job.id.isEmpty())
            return Error{Tr::tr("a backup job without an id"), {}, {}};
        job.schedule = lenient::toString(object.value(QLatin1String("schedule")));
        job.storage = lenient::toString(object.value(QLatin1String("storage")));
        const QString mode = lenient::toString(object.value(QLatin1String("mode")));
        if (!mode.isEmpty())
            job.mode = mode;
        job.enabled = lenient::toBool(object.value(QLatin1String("enabled"))).value_or(true);
        job.all = lenient::toBool(object.value(QLatin1String("all"))).value_or(false);
        job.vmids = vmidList(lenient::toString(object.value(QLatin1String("vmid"))));
        job.excluded = vmidList(lenient::toString(object.value(QLatin1String("exclude"))));
        job.pool = lenient::toString(object.value(QLatin1String("pool")));
        job.node = lenient::toString(object.value(QLatin1String("node")));
        job.nextRun = lenient::toInt(object.value(QLatin1String("next-run"))).value_or(0);
        job.comment = lenient::toString(object.value(QLatin1String("comment")));

        const QJsonValue prune = object.value(QLatin1String("prune-backups"));
        if (prune.isObject()) {
            const QJsonObject keep = prune.toObject();
            for (auto it = keep.begin(); it != keep.end(); ++it) {
                if (const auto count = lenient::toInt(it.value()))
                    job.prune.insert(it.key(), int(*count));
            }
        } else if (prune.isString()) {
            if (const auto parsed = proxmox::PropertyString::parse(prune.toString())) {
                for (const auto &[key, text] : parsed->pairs()) {
                    if (const auto count = lenient::intFromText(text))
                        job.prune.insert(key, int(*count));
                }
            }
        }
        jobs.append(std::move(job));
    }
    return jobs;
}

} // namespace rae::cluster
