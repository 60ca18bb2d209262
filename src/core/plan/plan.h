#pragma once

#include "plan/bytesize.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// The deployment plan as plain value types. The YAML reader and writer live in
// planreader.h and planwriter.h; validation reads these types and nothing else.
namespace rae::plan {

inline constexpr int kSchemaVersion = 1;

// Where a value came from in the plan file (1-based), so findings can point at it.
struct SourcePos
{
    int line = 0;
    int column = 0;
    bool isValid() const { return line > 0; }
    // Where a value was written is not part of what the plan says: a plan read back from a
    // rewritten file equals the one that was written.
    friend bool operator==(const SourcePos &, const SourcePos &) { return true; }
};

enum class Release
{
    Detect,
    Pve8,
    Pve9
};
enum class HaScheduler
{
    Basic,
    Static
};

struct Cluster
{
    QString name;
    QStringList endpoints; // https://host:8006, one per node the tool may talk to
    Release release = Release::Detect;
    HaScheduler haScheduler = HaScheduler::Basic; // datacenter.cfg crs: ha=basic|static
    SourcePos pos;
    friend bool operator==(const Cluster &, const Cluster &) = default;
};

struct GpuMapping
{
    QString mapping; // the cluster's PCI resource mapping, e.g. "gpu-l4"
    QString model;   // for people: "NVIDIA L4"
    friend bool operator==(const GpuMapping &, const GpuMapping &) = default;
};

struct Node
{
    QString name;
    int threads = 0;
    ByteSize memory;
    QList<GpuMapping> gpus;
    bool maintenance = false;
    SourcePos pos;
    friend bool operator==(const Node &, const Node &) = default;
};

enum class StorageType
{
    Rbd,
    CephFs,
    ZfsPool,
    LvmThin,
    Lvm,
    Dir,
    Nfs,
    Cifs,
    Pbs
};

struct Storage
{
    QString id;
    StorageType type = StorageType::Dir;
    bool shared = false;
    QStringList nodes;    // empty: every node of the plan
    QString storageClass; // free label such as "fast-ssd"
    QString pool;         // zfspool: the dataset, so replication can compare pools across nodes
    SourcePos pos;

    bool isOnNode(const QString &node) const { return nodes.isEmpty() || nodes.contains(node); }
    friend bool operator==(const Storage &, const Storage &) = default;
};

struct InternalNetwork
{
    QString bridge; // a Linux bridge such as vmbr1, or empty with `vnet`
    int vlan = 0;   // 0: untagged
    QString vnet;   // an SDN VNet instead of bridge + VLAN
    QString subnet; // CIDR, e.g. 10.20.0.0/24
    QString gateway;
    SourcePos pos;
    friend bool operator==(const InternalNetwork &, const InternalNetwork &) = default;
};

struct PublicNetwork
{
    QString bridge;
    int vlan = 0;
    QString subnet;
    QString gateway;
    SourcePos pos;
    friend bool operator==(const PublicNetwork &, const PublicNetwork &) = default;
};

struct Networks
{
    InternalNetwork internal;
    PublicNetwork publicNet;
    friend bool operator==(const Networks &, const Networks &) = default;
};

enum class Role
{
    Db,
    Vector,
    Redis,
    Api,
    Llm,
    Gateway
};
inline constexpr Role kAllRoles[] = {Role::Db,  Role::Vector, Role::Redis,
                                     Role::Api, Role::Llm,    Role::Gateway};

struct Disk
{
    QString storage;
    ByteSize size;
    SourcePos pos;
    friend bool operator==(const Disk &, const Disk &) = default;
};

enum class NetworkRef
{
    Internal,
    Public
};

struct Nic
{
    NetworkRef network = NetworkRef::Internal;
    QString address; // "10.20.0.11/24" or "dhcp"
    bool firewall = true;
    SourcePos pos;
    friend bool operator==(const Nic &, const Nic &) = default;
};

enum class HaState
{
    Started,
    Stopped,
    Disabled,
    Ignored
};

struct HaSettings
{
    bool managed = false;
    HaState state = HaState::Started;
    QMap<QString, int> nodePriorities; // node → priority; higher wins
    bool strict = false;               // PVE 9 strict node affinity, PVE 8 restricted group
    int maxRestart = 1;
    int maxRelocate = 1;
    bool failback = true;     // PVE 8: the group's nofailback, inverted
    QStringList antiAffinity; // names of VMs that must not share a node with this one
    SourcePos pos;
    friend bool operator==(const HaSettings &, const HaSettings &) = default;
};

struct Replication
{
    QString target;      // node
    QString schedule;    // Proxmox calendar event, default "*/15"
    double rateMBps = 0; // 0: unlimited
    SourcePos pos;
    friend bool operator==(const Replication &, const Replication &) = default;
};

struct Vm
{
    Role role = Role::Api;
    QString name;
    std::optional<int> vmid; // empty: the cluster's next free id at deployment
    QString node;
    int cores = 0;
    ByteSize memory;
    QList<Disk> disks;
    QList<Nic> nics;
    QStringList tags;
    QString templateRef; // template VM name or id, or a cloud image volume; empty: plan default
    std::optional<QString> gpuMapping; // llm only: PCI mapping to pass through
    QString pool; // the Proxmox resource pool it joins; empty: the plan's default
    HaSettings ha;
    QList<Replication> replication;
    SourcePos pos;
    friend bool operator==(const Vm &, const Vm &) = default;
};

enum class LlmBackend
{
    Ollama,
    Vllm,
    Tgi
};
enum class GatewayKind
{
    Nginx,
    Traefik,
    Caddy
};

struct LlmSettings
{
    LlmBackend backend = LlmBackend::Ollama;
    QStringList models;
    friend bool operator==(const LlmSettings &, const LlmSettings &) = default;
};

struct GatewaySettings
{
    GatewayKind kind = GatewayKind::Nginx;
    QString publicAddress; // CIDR on the public network
    QString tlsHostname;
    friend bool operator==(const GatewaySettings &, const GatewaySettings &) = default;
};

struct Retention
{
    int keepLast = 0;
    int keepDaily = 0;
    int keepWeekly = 0;
    int keepMonthly = 0;
    int keepYearly = 0;
    friend bool operator==(const Retention &, const Retention &) = default;
};

enum class BackupMode
{
    Snapshot,
    Suspend,
    Stop
};

struct BackupJob
{
    QString id;
    QString storage;
    QString schedule;
    QStringList vms; // VM names
    Retention retention;
    BackupMode mode = BackupMode::Snapshot;
    SourcePos pos;
    SourcePos schedulePos;
    friend bool operator==(const BackupJob &, const BackupJob &) = default;
};

// What becomes the API VMs' .env. Secrets are named here and live in the keychain.
struct RaeSettings
{
    QString databaseName = QStringLiteral("rae");
    QString databaseUser = QStringLiteral("rae_user");
    int databasePort = 5432;
    int apiPort = 8000;
    int qdrantPort = 6333;
    int qdrantGrpcPort = 6334;
    int redisPort = 6379;
    int redisDb = 0;
    int llmPort = 11434;
    std::optional<LlmBackend> llmBackend; // RAE_LLM_BACKEND; empty: no local LLM
    QString llmUrl;                       // an external LLM when the plan has no llm role
    QString defaultModel;
    QMap<QString, QString> secrets; // purpose → keychain entry name, e.g. database_password
    SourcePos pos;
    friend bool operator==(const RaeSettings &, const RaeSettings &) = default;
};

// One public key as written in the plan; checked by the rule `access.ssh-keys`.
struct SshKey
{
    QString text; // "ssh-ed25519 AAAA... admin@ws"
    SourcePos pos;
    friend bool operator==(const SshKey &, const SshKey &) = default;
};

// How the admin gets into the VMs: the cloud-init user and the keys it may log in with.
struct Access
{
    QString user = QStringLiteral("rae"); // Proxmox `ciuser`
    QList<SshKey> sshKeys;                // Proxmox `sshkeys`; none: console only
    SourcePos pos;

    QStringList keyLines() const;
    friend bool operator==(const Access &, const Access &) = default;
};

struct ValidationSettings
{
    double cpuOvercommit = 4.0; // vCPUs per host thread
    friend bool operator==(const ValidationSettings &, const ValidationSettings &) = default;
};

struct Plan
{
    int schemaVersion = kSchemaVersion;
    Cluster cluster;
    QList<Node> nodes;
    QList<Storage> storages;
    Networks networks;
    QString defaultTemplate;
    QString defaultPool; // the Proxmox resource pool VMs join unless they name another
    int apiReplicas = 0; // as the plan says it; the reader checks it against the API VMs
    LlmSettings llm;
    GatewaySettings gateway;
    QList<Vm> vms;
    QList<BackupJob> backups;
    RaeSettings rae;
    Access access;
    ValidationSettings validation;

    const Node *node(const QString &name) const;
    const Storage *storage(const QString &id) const;
    const Vm *vm(const QString &name) const;
    QList<const Vm *> vmsWithRole(Role role) const;
    QList<const Vm *> vmsOnNode(const QString &node) const;
    QString poolOf(const Vm &vm) const; // empty: in no pool

    friend bool operator==(const Plan &, const Plan &) = default;
};

// Stable names used in files, messages and ids.
QString roleName(Role role);
// What a role is called for people, translated: "database", "vector store", "API".
QString roleTitle(Role role);
std::optional<Role> roleFromName(const QString &name);
// The role a deployed VM was tagged with (`rae-db`, `rae-api`, ...: the deployer writes
// `rae-<role>`); `rae`, `rae-standby` and `rae-version-*` name none.
std::optional<Role> roleFromTags(const QStringList &tags);
QString storageTypeName(StorageType type);
std::optional<StorageType> storageTypeFromName(const QString &name);
QString haStateName(HaState state);
std::optional<HaState> haStateFromName(const QString &name);
QString llmBackendName(LlmBackend backend);
std::optional<LlmBackend> llmBackendFromName(const QString &name);
QString gatewayKindName(GatewayKind kind);
std::optional<GatewayKind> gatewayKindFromName(const QString &name);
QString backupModeName(BackupMode mode);
std::optional<BackupMode> backupModeFromName(const QString &name);

} // namespace rae::plan
