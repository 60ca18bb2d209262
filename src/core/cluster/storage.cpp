#include "cluster/storage.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::Storage)
};

quint64 bytes(const QJsonObject &object, const char *key)
{
    return quint64(qMax<qint64>(0, lenient::toInt(object.value(QLatin1String(key))).value_or(0)));
}

} // namespace

Result<QList<StorageConfig>> parseStorageConfig(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the storage configuration is not a list"), {}, {}};
    QList<StorageConfig> storages;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        StorageConfig config;
        config.storage = lenient::toString(object.value(QLatin1String("storage")));
        if (config.storage.isEmpty())
            return Error{Tr::tr("a storage without a name in the storage configuration"), {}, {}};
        config.type = lenient::toString(object.value(QLatin1String("type")));
        config.content =
            lenient::splitList(lenient::toString(object.value(QLatin1String("content"))));
        config.nodes = lenient::splitList(lenient::toString(object.value(QLatin1String("nodes"))));
        config.shared = lenient::toBool(object.value(QLatin1String("shared"))).value_or(false);
        config.disabled = lenient::toBool(object.value(QLatin1String("disable"))).value_or(false);
        config.pool = lenient::toString(object.value(QLatin1String("pool")));
        config.path = lenient::toString(object.value(QLatin1String("path")));
        config.server = lenient::toString(object.value(QLatin1String("server")));
        config.datastore = lenient::toString(object.value(QLatin1String("datastore")));
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString text = lenient::toString(it.value());
            if (!text.isEmpty() || it.value().isString())
                config.raw.insert(it.key(), text);
        }
        storages.append(std::move(config));
    }
    return storages;
}

Result<QList<NodeStorage>> parseNodeStorage(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the node's storage list is not a list"), {}, {}};
    QList<NodeStorage> storages;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        NodeStorage storage;
        storage.storage = lenient::toString(object.value(QLatin1String("storage")));
        if (storage.storage.isEmpty())
            return Error{Tr::tr("a storage without a name in the node's storage list"), {}, {}};
        storage.type = lenient::toString(object.value(QLatin1String("type")));
        storage.content =
            lenient::splitList(lenient::toString(object.value(QLatin1String("content"))));
        storage.shared = lenient::toBool(object.value(QLatin1String("shared"))).value_or(false);
        storage.active = lenient::toBool(object.value(QLatin1String("active"))).value_or(false);
        storage.enabled = lenient::toBool(object.value(QLatin1String("enabled"))).value_or(true);
        storage.total = bytes(object, "total");
        storage.used = bytes(object, "used");
        storage.available = bytes(object, "avail");
        storages.append(std::move(storage));
    }
    return storages;
}

} // namespace rae::cluster
