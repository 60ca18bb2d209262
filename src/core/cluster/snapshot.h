#pragma once

#include "cluster/ha.h"
#include "cluster/replication.h"
#include "cluster/resources.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace rae::cluster {

// The cluster as one poll cycle saw it. HA and replication parts may be carried over from an
// earlier cycle when their data had no reason to change; `haFresh`/`replicationFresh` say whether
// they were read in this one.
struct ClusterSnapshot
{
    quint64 cycle = 0; // counts from 1
    QDateTime takenAt;
    Resources resources;
    std::optional<HaStatus> ha; // empty until read once, or when the cluster has no HA
    bool haFresh = false;
    QList<ReplicationStatus> replication;
    bool replicationFresh = false;
    QStringList unreachableNodes; // asked for something this cycle and did not answer
    QStringList problems;         // parts that could not be read, for people (the rest is valid)
    int requests = 0;             // API calls this cycle cost

    QStringList offlineNodes() const;
};

} // namespace rae::cluster
