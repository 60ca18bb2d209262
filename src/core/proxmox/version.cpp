#include "proxmox/version.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace rae::proxmox {

ApiResult<PveVersion> PveVersion::fromData(const QJsonValue &data)
{
    const QJsonObject object = data.toObject();
    PveVersion version;
    version.version = lenient::toString(object.value(QLatin1String("version")));
    version.release = lenient::toString(object.value(QLatin1String("release")));
    version.repoId = object.value(QLatin1String("repoid")).toString();

    // `release` is "9.1"; old servers may lack it, so fall back to the full version.
    const QString source = version.release.isEmpty() ? version.version : version.release;
    const QStringList parts = source.split(QLatin1Char('.'));
    bool ok = false;
    version.major = parts.value(0).toInt(&ok);
    if (!ok || version.major <= 0) {
        return ApiError::make(ApiError::Kind::MalformedResponse,
                              QCoreApplication::translate("rae::proxmox",
                                                          "the cluster's /version answer has no "
                                                          "release number"));
    }
    version.minor = parts.value(1).toInt();
    return version;
}

} // namespace rae::proxmox
