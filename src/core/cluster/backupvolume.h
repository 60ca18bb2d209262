#pragma once

#include "cluster/backupjob.h"
#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace rae::cluster {

// One backup of `GET /nodes/{node}/storage/{storage}/content?content=backup`.
struct BackupVolume
{
    QString volid;    // "pbs:backup/vm/100/2026-12-03T02:30:00Z"
    QString storage;  // the storage it was listed from
    QString node;     // the node it was listed on
    int vmid = 0;     // 0 when the storage does not say
    qint64 ctime = 0; // unix seconds; 0 when unknown
    qint64 size = 0;  // bytes
    QString format;   // "pbs-vm", "vma.zst", ...
    QString notes;
    bool isProtected = false;
    QString verification; // PBS: "ok", "failed"; empty when not verified
    friend bool operator==(const BackupVolume &, const BackupVolume &) = default;
};

// `storage` and `node` say where the list was read; the answer does not carry them.
Result<QList<BackupVolume>> parseBackupVolumes(const QJsonValue &data, const QString &storage,
                                               const QString &node);

// How one guest's backups stand against the jobs that cover it.
struct BackupAssessment
{
    std::optional<BackupVolume> newest; // the youngest backup of the guest, any storage
    QStringList jobs;                   // ids of the enabled jobs that cover the guest
    // The oldest the newest backup may be: the longest gap of the most frequent covering job's
    // schedule plus `grace`; empty when no enabled job covers the guest or no schedule is read.
    std::optional<qint64> allowedAgeSeconds;
    bool stale = false; // covered, and no backup younger than allowed (or none at all)
    QString message;    // for people: "ok", "no backup although job … covers it", ...
};

// A daily job gets 24 h + `graceSeconds` (a backup run takes time and may wait for others). A job
// restricted to a node covers the guest only when it is on that node (`guestNode`); a job of a
// pool covers the guests of that pool (`guestPool`, from /cluster/resources).
BackupAssessment assessBackups(int vmid, const QString &guestNode, const QString &guestPool,
                               const QList<BackupJob> &jobs, const QList<BackupVolume> &volumes,
                               qint64 now, qint64 graceSeconds = 2 * 3600);

} // namespace rae::cluster
