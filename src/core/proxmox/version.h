#pragma once

#include "proxmox/apierror.h"

#include <QJsonValue>
#include <QString>

namespace rae::proxmox {

// What `GET /version` says. Features are gated on `major`: 8 has HA groups, 9 has HA rules.
struct PveVersion
{
    QString version; // "9.1.4"
    QString release; // "9.1"
    QString repoId;
    int major = 0;
    int minor = 0;

    bool isSupported() const { return major == 8 || major == 9; }
    bool usesHaRules() const { return major >= 9; }

    static ApiResult<PveVersion> fromData(const QJsonValue &data);
};

} // namespace rae::proxmox
