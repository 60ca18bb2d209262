#include "cluster/cephstatus.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace rae::cluster {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::CephStatus)
};

} // namespace

CephHealth cephHealthFromText(const QString &text)
{
    if (text == QLatin1String("HEALTH_OK"))
        return CephHealth::Ok;
    if (text == QLatin1String("HEALTH_WARN"))
        return CephHealth::Warn;
    if (text == QLatin1String("HEALTH_ERR"))
        return CephHealth::Error;
    return CephHealth::Unknown;
}

double cephHealthLevel(CephHealth health)
{
    switch (health) {
    case CephHealth::Ok:
        return 0;
    case CephHealth::Warn:
    case CephHealth::Unknown:
        return 1;
    case CephHealth::Error:
        return 2;
    }
    return 1;
}

Result<CephStatus> parseCephStatus(const QJsonValue &data)
{
    const QJsonObject root = data.toObject();
    const QJsonObject health = root.value(QStringLiteral("health")).toObject();
    CephStatus status;
    status.healthText = health.value(QStringLiteral("status")).toString();
    if (status.healthText.isEmpty())
        status.healthText = health.value(QStringLiteral("overall_status")).toString();
    if (status.healthText.isEmpty())
        return Error{Tr::tr("the Ceph status has no health"), {}, {}};
    status.health = cephHealthFromText(status.healthText);

    const QJsonObject checks = health.value(QStringLiteral("checks")).toObject();
    for (auto it = checks.begin(); it != checks.end(); ++it) {
        const QJsonObject check = it->toObject();
        status.checks.append(
            {it.key(), cephHealthFromText(check.value(QStringLiteral("severity")).toString()),
             check.value(QStringLiteral("summary"))
                 .toObject()
                 .value(QStringLiteral("message"))
                 .toString(),
             check.value(QStringLiteral("muted")).toBool()});
    }
    return status;
}

} // namespace rae::cluster
