#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace rae::cluster {

// One entry of `GET /storage`: the cluster-wide configuration of a storage.
struct StorageConfig
{
    QString storage;
    QString type; // rbd, zfspool, lvmthin, dir, nfs, pbs, ...
    QStringList content;
    QStringList nodes; // restricted to these nodes; empty = all nodes
    bool shared = false;
    bool disabled = false;
    QString pool;               // rbd, zfspool
    QString path;               // dir, nfs
    QString server;             // nfs, cifs, pbs
    QString datastore;          // pbs
    QMap<QString, QString> raw; // every key as text, for what is not typed here
    friend bool operator==(const StorageConfig &, const StorageConfig &) = default;

    bool availableOn(const QString &node) const { return nodes.isEmpty() || nodes.contains(node); }
};

// One entry of `GET /nodes/{node}/storage`: what the storage looks like from that node.
struct NodeStorage
{
    QString storage;
    QString type;
    QStringList content;
    bool shared = false;
    bool active = false; // an unreachable NFS or PBS is inactive with zero totals
    bool enabled = true;
    quint64 total = 0;
    quint64 used = 0;
    quint64 available = 0;
    friend bool operator==(const NodeStorage &, const NodeStorage &) = default;
};

Result<QList<StorageConfig>> parseStorageConfig(const QJsonValue &data);
Result<QList<NodeStorage>> parseNodeStorage(const QJsonValue &data);

} // namespace rae::cluster
