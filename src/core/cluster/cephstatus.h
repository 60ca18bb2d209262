#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>

// `GET /cluster/ceph/status`: the overall health of the cluster's Ceph, with its checks.
namespace rae::cluster {

enum class CephHealth
{
    Ok,
    Warn,
    Error,
    Unknown // a status this version does not know
};

struct CephCheck
{
    QString code; // OSD_DOWN, MON_DOWN, PG_DEGRADED, ...
    CephHealth severity = CephHealth::Unknown;
    QString message; // summary.message, for people
    bool muted = false;
    friend bool operator==(const CephCheck &, const CephCheck &) = default;
};

struct CephStatus
{
    CephHealth health = CephHealth::Unknown;
    QString healthText; // HEALTH_OK, as sent
    QList<CephCheck> checks;
    friend bool operator==(const CephStatus &, const CephStatus &) = default;
};

CephHealth cephHealthFromText(const QString &text);

// A number for a series: 0 OK, 1 WARN, 2 ERR; unknown counts as WARN, since something answered
// that is not OK.
double cephHealthLevel(CephHealth health);

// Reads the `data` object. Luminous and later send `health.status`; older releases sent
// `overall_status`, still read.
Result<CephStatus> parseCephStatus(const QJsonValue &data);

} // namespace rae::cluster
