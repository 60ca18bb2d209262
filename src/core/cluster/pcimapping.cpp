#include "cluster/pcimapping.h"

#include "proxmox/lenient.h"
#include "proxmox/propertystring.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::PciMapping)
};

} // namespace

QStringList PciMapping::nodes() const
{
    QStringList result;
    for (const PciMappingEntry &entry : entries) {
        if (!result.contains(entry.node))
            result << entry.node;
    }
    return result;
}

const PciMappingEntry *PciMapping::entryOn(const QString &node) const
{
    for (const PciMappingEntry &entry : entries) {
        if (entry.node == node)
            return &entry;
    }
    return nullptr;
}

Result<QList<PciMapping>> parsePciMappings(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the PCI mappings are not a list"), {}, {}};
    QList<PciMapping> mappings;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        PciMapping mapping;
        mapping.id = lenient::toString(object.value(QLatin1String("id")));
        if (mapping.id.isEmpty())
            return Error{Tr::tr("a PCI mapping without an id"), {}, {}};
        mapping.description = lenient::toString(object.value(QLatin1String("description")));
        mapping.mediatedDevices =
            lenient::toBool(object.value(QLatin1String("mdev"))).value_or(false);
        // One string for a single node, a list otherwise.
        QJsonArray map = object.value(QLatin1String("map")).toArray();
        if (object.value(QLatin1String("map")).isString())
            map.append(object.value(QLatin1String("map")));
        for (const QJsonValue &item : std::as_const(map)) {
            const auto parsed = proxmox::PropertyString::parse(item.toString());
            if (!parsed) {
                return Error{
                    Tr::tr("PCI mapping “%1”: %2").arg(mapping.id, parsed.error().message), {}, {}};
            }
            PciMappingEntry entry;
            entry.node = parsed->value(QStringLiteral("node"));
            entry.paths =
                parsed->value(QStringLiteral("path")).split(QLatin1Char(';'), Qt::SkipEmptyParts);
            entry.deviceId = parsed->value(QStringLiteral("id"));
            entry.subsystemId = parsed->value(QStringLiteral("subsystem-id"));
            if (const auto group = parsed->intValue(QStringLiteral("iommugroup")))
                entry.iommuGroup = int(*group);
            if (entry.node.isEmpty()) {
                return Error{
                    Tr::tr("PCI mapping “%1” has an entry without a node").arg(mapping.id), {}, {}};
            }
            mapping.entries.append(std::move(entry));
        }
        mappings.append(std::move(mapping));
    }
    return mappings;
}

} // namespace rae::cluster
