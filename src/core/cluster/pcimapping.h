#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace rae::cluster {

// One device of a mapping on one node (an element of `map`, a property string).
struct PciMappingEntry
{
    QString node;
    QStringList paths; // "0000:41:00.0"; several when any of them may be used (`;`-separated)
    QString deviceId;  // vendor:device, "10de:27b8"
    QString subsystemId;
    std::optional<int> iommuGroup;
    friend bool operator==(const PciMappingEntry &, const PciMappingEntry &) = default;
};

// `GET /cluster/mapping/pci`: named devices that guests use as `hostpciN: mapping=<id>`.
struct PciMapping
{
    QString id;
    QString description;
    bool mediatedDevices = false; // `mdev`
    QList<PciMappingEntry> entries;
    friend bool operator==(const PciMapping &, const PciMapping &) = default;

    QStringList nodes() const;
    const PciMappingEntry *entryOn(const QString &node) const;
};

Result<QList<PciMapping>> parsePciMappings(const QJsonValue &data);

} // namespace rae::cluster
