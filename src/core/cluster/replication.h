#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace rae::cluster {

// One job's state from `GET /nodes/{source}/replication` (the source node only lists it).
// Times are unix seconds; 0 means never.
struct ReplicationStatus
{
    QString id; // "101-0"
    int guest = 0;
    int jobNumber = 0;
    QString source;
    QString target;
    QString schedule; // calendar event, default "*/15"
    qint64 lastSync = 0;
    qint64 lastTry = 0;
    qint64 nextSync = 0;
    double duration = 0.0;
    int failCount = 0;
    QString error;
    std::optional<qint64> pid; // set while a run is in progress
    bool disabled = false;
    friend bool operator==(const ReplicationStatus &, const ReplicationStatus &) = default;
};

Result<QList<ReplicationStatus>> parseReplicationStatus(const QJsonValue &data);

enum class ReplicationHealth
{
    Ok,
    Running, // a run is in progress; lag is not judged meanwhile
    Lagging, // no failures reported, but the last sync is older than the schedule allows
    Failing, // failures or an error text
    NeverSynced,
    Disabled,
};

struct ReplicationAssessment
{
    ReplicationHealth health = ReplicationHealth::Ok;
    qint64 lagSeconds = 0;      // now - lastSync (0 when never synced)
    qint64 intervalSeconds = 0; // the longest gap the schedule allows
    QString message;            // for people; carries the server's error text when failing
};

// Lag is late when it exceeds `lateFactor` times the schedule's longest interval.
ReplicationAssessment assessReplication(const ReplicationStatus &status, qint64 now,
                                        double lateFactor = 2.0);

} // namespace rae::cluster
