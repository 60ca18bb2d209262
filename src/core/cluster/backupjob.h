#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace rae::cluster {

// One entry of `GET /cluster/backup`. The job API has no last-run status; that is read from
// vzdump tasks and backup volumes.
struct BackupJob
{
    QString id;
    QString schedule; // calendar event
    QString storage;
    QString mode = QStringLiteral("snapshot");
    bool enabled = true;
    bool all = false; // every guest, minus `exclude`
    QList<int> vmids; // when not `all` and no pool
    QList<int> excluded;
    QString pool;
    QString node;             // runs only there; empty = every node
    qint64 nextRun = 0;       // unix seconds; 0 when not scheduled
    QMap<QString, int> prune; // keep-daily → 7 ...; arrives as an object (or an older string)
    QString comment;
    friend bool operator==(const BackupJob &, const BackupJob &) = default;

    // Whether the job backs the guest up, as far as the job itself says (pools are not resolved).
    bool covers(int vmid) const;
};

Result<QList<BackupJob>> parseBackupJobs(const QJsonValue &data);

} // namespace rae::cluster
