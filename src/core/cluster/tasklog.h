#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>

namespace rae::cluster {

// One entry of `GET /cluster/tasks`: the recent tasks of every node, newest first. Proxmox
// keeps a short list (the active tasks and the last few per node), not the whole history.
struct ClusterTask
{
    QString upid;
    QString node;
    QString type;         // worker type: "qmstart", "vzdump", "qmigrate", ...
    QString id;           // the guest's vmid or another object; empty for some tasks
    QString user;         // "user@realm" or "user@realm!token"
    qint64 startTime = 0; // unix seconds
    qint64 endTime = 0;   // 0 while running
    QString status;       // "OK", "WARNINGS: n" or the error; empty while running
    friend bool operator==(const ClusterTask &, const ClusterTask &) = default;

    bool running() const;
    // Finished with an error: neither OK nor only warnings.
    bool failed() const;
};

Result<QList<ClusterTask>> parseClusterTasks(const QJsonValue &data);

} // namespace rae::cluster
