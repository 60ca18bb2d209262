#pragma once

#include "common/result.h"
#include "plan/bytesize.h"

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// What the deployment compares the plan with: the cluster's VMs and their configuration, HA
// resources, groups or rules, replication and backup jobs, as plain values. It is read with a
// handful of API calls (see SnapshotReader) and is all the changeset needs.
namespace rae::deploy {

struct SnapshotDisk
{
    QString key; // scsi0
    QString storage;
    ByteSize size;
    friend bool operator==(const SnapshotDisk &, const SnapshotDisk &) = default;
};

struct SnapshotNic
{
    QString key; // net0
    QString bridge;
    int vlan = 0;
    bool firewall = false;
    friend bool operator==(const SnapshotNic &, const SnapshotNic &) = default;
};

struct SnapshotVm
{
    int vmid = 0;
    QString name;
    QString node;
    QString status; // running, stopped, ...
    bool isTemplate = false;
    QStringList tags;
    int cores = 0;
    ByteSize memory;
    QList<SnapshotDisk> disks;
    QList<SnapshotNic> nics;
    QString gpuMapping; // hostpci0 mapping, empty without
    QMap<int, QString> ipConfigs;
    bool agent = false;
    bool onBoot = false;
    QString lock;
    QString ciUser;      // cloud-init user; empty when the VM has none set
    QStringList sshKeys; // cloud-init keys, decoded from the stored percent-encoding
    QString pool;        // the resource pool it is in, from /cluster/resources; empty: none

    bool isRae() const; // tagged `rae` or `rae-<role>`
    friend bool operator==(const SnapshotVm &, const SnapshotVm &) = default;
};

struct SnapshotHaResource
{
    QString sid; // vm:101
    QString state;
    QString group; // PVE 8
    int maxRestart = 1;
    int maxRelocate = 1;
    friend bool operator==(const SnapshotHaResource &, const SnapshotHaResource &) = default;
};

struct SnapshotHaGroup // PVE 8
{
    QString id;
    QMap<QString, int> nodes;
    bool restricted = false;
    bool nofailback = false;
    friend bool operator==(const SnapshotHaGroup &, const SnapshotHaGroup &) = default;
};

struct SnapshotHaRule // PVE 9
{
    QString id;
    QString type; // node-affinity, resource-affinity
    QStringList resources;
    QMap<QString, int> nodes; // node-affinity
    bool strict = false;
    QString affinity; // resource-affinity: positive, negative
    friend bool operator==(const SnapshotHaRule &, const SnapshotHaRule &) = default;
};

struct SnapshotReplication
{
    QString id; // 101-0
    int guest = 0;
    QString target;
    QString schedule;
    double rate = 0;
    friend bool operator==(const SnapshotReplication &, const SnapshotReplication &) = default;
};

struct SnapshotBackup
{
    QString id;
    QString storage;
    QString schedule;
    QList<int> vmids;
    QString mode;
    QString pruneBackups; // keep-daily=7,keep-weekly=4
    bool enabled = true;
    friend bool operator==(const SnapshotBackup &, const SnapshotBackup &) = default;
};

// A resource pool; its members are the VMs whose `pool` names it.
struct SnapshotPool
{
    QString id;
    QString comment;
    friend bool operator==(const SnapshotPool &, const SnapshotPool &) = default;
};

struct ClusterSnapshot
{
    int majorRelease = 9;
    QStringList onlineNodes;
    QList<SnapshotVm> vms;
    QList<SnapshotHaResource> haResources;
    QList<SnapshotHaGroup> haGroups;
    QList<SnapshotHaRule> haRules;
    QList<SnapshotReplication> replications;
    QList<SnapshotBackup> backups;
    QList<SnapshotPool> pools;

    const SnapshotVm *vmByName(const QString &name) const;
    const SnapshotVm *vmById(int vmid) const;
    const SnapshotHaResource *haResource(const QString &sid) const;
    friend bool operator==(const ClusterSnapshot &, const ClusterSnapshot &) = default;
};

// Parsers for the replies the snapshot is made of; each takes the envelope's `data`.
Result<SnapshotVm> parseVmConfig(const QJsonValue &data);
QList<SnapshotHaResource> parseHaResources(const QJsonValue &data);
QList<SnapshotHaGroup> parseHaGroups(const QJsonValue &data);
QList<SnapshotHaRule> parseHaRules(const QJsonValue &data);
QList<SnapshotReplication> parseReplicationJobs(const QJsonValue &data);
QList<SnapshotBackup> parseBackupJobs(const QJsonValue &data);
QList<SnapshotPool> parsePools(const QJsonValue &data);

// `pve1:2,pve2` → {pve1: 2, pve2: 0}; and back, sorted by node.
QMap<QString, int> parseNodePriorities(const QString &text);
QString formatNodePriorities(const QMap<QString, int> &nodes);

} // namespace rae::deploy
