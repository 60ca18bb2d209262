#pragma once

#include "common/result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace rae::cluster {

// A simulator scenario file (resources/sim/*.yaml): the cluster it describes, as plain values.
// One reader for both users: the simulator runs the scenario (copying what it needs and then
// changing its own state), the failure analysis predicts from it without any simulator.

struct StorageDef
{
    QString id;
    QString type; // rbd, zfspool, dir, pbs, ...
    QString content;
    bool shared = false;
    long long total = 0;
    long long used = 0;
    QMap<QString, QString> options; // type-specific keys as in storage.cfg (pool, server, ...)
};

struct BridgeDef
{
    QString iface;
    bool vlanAware = false;
    QString cidr;
    QString gateway;
    QString ports;
    QString comments;
};

struct PciDeviceDef
{
    QString path; // 0000:41:00.0
    QString id;   // vendor:device
    QString subsystemId;
    int iommuGroup = -1;
    QString vendorName;
    QString deviceName;
    int pciClass = 0x030200; // 3D controller
};

struct NodeDef
{
    QString name;
    QString ip;
    QString cpuModel = QStringLiteral("AMD EPYC 9354 32-Core Processor");
    int sockets = 1;
    int cores = 32;
    int threads = 64;
    long long memory = 0;
    long long rootfs = 100LL * 1000 * 1000 * 1000;
    QStringList storages; // ids of the storages present on this node
    QList<BridgeDef> bridges;
    QList<PciDeviceDef> pci;
};

struct PciMappingDef
{
    QString id;
    QString description;
    QStringList map; // "node=pve3,path=0000:41:00.0,id=10de:27b8,..."
    bool liveMigrationCapable = false;
    bool mdev = false;
};

struct VmDef
{
    int vmid = 0;
    QString name;
    QString node;
    bool templateVm = false;
    bool running = false;
    QMap<QString, QString> config; // keys and values as in the .conf file
    QString service;               // up, slow, error, down: imitate its role's endpoint
};

struct TokenDef
{
    QString name; // "app" of deployer@pve!app
    QString secret;
    bool privsep = true;
    long long expire = 0;
    QString comment;
};

struct UserDef
{
    QString userid; // user@realm
    QString password;
    QString totpSecret; // base32; empty when the user has no TFA
    QString email;
    QList<TokenDef> tokens;
};

struct RoleDef
{
    QString id;
    QStringList privs;
};

// One line of user.cfg's ACL: a role for a user, a group-less token, on a path.
struct AclDef
{
    QString path;
    QString role;
    QString ugid; // "user@realm" or "user@realm!token"
    bool token = false;
    bool propagate = true;
};

struct PoolDef
{
    QString id;
    QString comment;
    QList<int> vmids;
    QStringList storages;
};

struct HaResourceDef
{
    QString sid;                    // vm:104
    QMap<QString, QString> options; // state, group, max_restart, max_relocate, failback, comment
};

struct HaGroupDef
{
    QString group;
    QString nodes;
    bool restricted = false;
    bool nofailback = false;
    QString comment;
};

struct HaRuleDef
{
    QString rule;
    QString type;                   // node-affinity | resource-affinity
    QMap<QString, QString> options; // resources, nodes, strict, affinity, disable, comment
};

struct ReplicationJobDef
{
    QString id; // <vmid>-<jobnum>
    QString target;
    QString schedule = QStringLiteral("*/15");
    QMap<QString, QString> options; // rate, comment, disable
};

struct BackupJobDef
{
    QString id;
    QMap<QString, QString> options; // schedule, storage, vmid | all, mode, ...
};

// A backup that exists when the simulator starts, `age` before its start.
struct BackupDef
{
    int vmid = 0;
    QString storage;
    double ageSeconds = 0;
    long long size = 4LL << 30;
    QString node; // where a local storage holds it; empty: the guest's node
    QString notes;
    bool isProtected = false;
};

struct Scenario
{
    QString cluster = QStringLiteral("prod");
    QString release = QStringLiteral("9.1"); // 8.4 or 9.1
    QString version;                         // full pve-manager version, e.g. 9.1.4
    double timeScale = 1.0;
    bool errorMessage = true;        // the "message" member of error bodies (pve-http-server 5.2+)
    bool unifiedAuthFailure = false; // "Authentication failed!" from pve-manager 9.1.5
    QString crsHa = QStringLiteral("basic");
    QString haShutdownPolicy; // datacenter.cfg `ha: shutdown_policy=`; empty: unset
    QString controlToken;
    QString localNode; // the node that answers; the first one by default

    QList<StorageDef> storages;
    QList<NodeDef> nodes;
    QList<PciMappingDef> pciMappings;
    QList<VmDef> vms;
    QList<UserDef> users;
    QList<RoleDef> roles;
    QList<AclDef> acl;
    QList<PoolDef> pools;
    QList<HaResourceDef> haResources;
    QList<HaGroupDef> haGroups;
    QList<HaRuleDef> haRules;
    QList<ReplicationJobDef> replicationJobs;
    QList<BackupJobDef> backupJobs;
    QList<BackupDef> backups;

    bool isPve9() const { return release.startsWith(QLatin1Char('9')); }

    static Result<Scenario> load(const QString &path);
    static Result<Scenario> parse(const QByteArray &yaml, const QString &origin);
};

// "512G", "1.5T", "2048" (bytes); binary units as Proxmox uses them.
Result<long long> parseByteSize(const QString &text);

} // namespace rae::cluster
