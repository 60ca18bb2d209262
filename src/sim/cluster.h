#pragma once

#include "clock.h"
#include "crypto.h"
#include "ha/clusterstate.h"
#include "scenario.h"
#include "schema.h"
#include "services.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QSet>
#include <QString>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace rae::sim {

// One API request as the HTTP front hands it over: path below /api2/json, parameters merged
// from the query and the body (repeated keys as arrays), and the credentials presented.
struct ApiRequest
{
    QString method;
    QString path;
    QJsonObject params;
    QString ticketCookie;
    QString authorization;
    QString csrfToken;
};

// What goes back on the wire. Errors carry their message in the reason phrase.
struct ApiResponse
{
    int status = 200;
    QByteArray reason = "OK";
    QByteArray body;
    std::chrono::milliseconds delay{0}; // the 596 variant answers only after pveproxy's 30 s
};

// The caller, once authenticated.
struct Identity
{
    QString userid;
    QString token; // "app" for deployer@pve!app
    bool ticket = false;
    QString full() const { return token.isEmpty() ? userid : userid + QLatin1Char('!') + token; }
};

// The outcome of a handler: data for the envelope, or an error with its status and message.
struct Reply
{
    int status = 200;
    QString message;
    QJsonValue data;
    QJsonObject errors;
    QJsonObject extra;  // top-level members besides "data" ("total")
    bool bare = false;  // no body at all (auth failures on tickets, 59x)
    QByteArray encoded; // the whole body, already serialised (cached answers)

    static Reply ok(const QJsonValue &data = QJsonValue::Null)
    {
        return Reply{200, {}, data, {}, {}, false, {}};
    }
    static Reply error(int status, const QString &message)
    {
        return Reply{status, message, {}, {}, {}, false, {}};
    }
    static Reply bareError(int status, const QString &message)
    {
        return Reply{status, message, {}, {}, {}, true, {}};
    }
    static Reply invalid(const QJsonObject &errors)
    {
        return Reply{400, QStringLiteral("Parameter verification failed."), {}, errors, {}, false,
                     {}};
    }
    static Reply invalid(const QString &param, const QString &message)
    {
        return invalid(QJsonObject{{param, message}});
    }
};

template<typename T>
using Outcome = Result<T, Reply>;

// A request after routing and the parameter check.
struct Call
{
    Identity who;
    QString method;
    QString schemaPath;
    QMap<QString, QString> pathParams;
    QJsonObject params;

    bool has(const QString &name) const
    {
        return params.contains(name) || pathParams.contains(name);
    }
    QString text(const QString &name, const QString &fallback = {}) const;
    long long integer(const QString &name, long long fallback = 0) const;
    bool flag(const QString &name, bool fallback = false) const;
    QStringList list(const QString &name) const;
};

struct NodeState
{
    NodeDef def;
    bool power = true;
    bool network = true;
    double bootTime = 0;
    double offlineSince = 0;
    int forcedStatus = 0; // 595 or 596 injected through the control interface
    Certificate certificate;
    bool online() const { return power && network; }
};

struct ExecJob
{
    double doneAt = 0;
    int exitCode = 0;
    QByteArray out;
    QByteArray err;
    bool read = false;
};

struct Vm
{
    int vmid = 0;
    QString node;
    QMap<QString, QString> config;
    QMap<QString, QString> pending; // changes that wait for the next start
    QStringList pendingDelete;
    bool running = false;
    double startedAt = 0;
    quint32 pid = 0;
    double frozenAt = 0; // when its node went offline: figures stop there
    int address = 0;     // its loopback address (vmAddress) as a number below 127/8
    bool agentDown = false;
    QMap<int, ExecJob> execs;
    QMap<QString, QByteArray> files;
    int nextExecPid = 1000;

    bool isTemplate() const
    {
        return config.value(QStringLiteral("template")) == QLatin1String("1");
    }
    QString name() const
    {
        return config.value(QStringLiteral("name"), QStringLiteral("VM %1").arg(vmid));
    }
    long long memoryBytes() const;
    int vcpus() const;
    QString lock() const { return config.value(QStringLiteral("lock")); }
};

struct Task
{
    QString upid;
    QString node;
    QString type;
    QString id;
    QString user; // user@realm!token as in the UPID
    quint32 pid = 0;
    quint64 pstart = 0;
    long long starttime = 0;
    long long endtime = 0;
    std::chrono::steady_clock::time_point visibleAt;
    bool running = true;
    QString exitStatus;
    QStringList log;
};

struct HaResource
{
    QString sid;
    QMap<QString, QString> raw; // only the keys that were set, as the config file has them
    QString node;
    QString crmState = QStringLiteral("started");
    double crmSince = 0;
    double startPendingUntil = 0; // the LRM's start after a recovery is under way until then
};

struct ReplicationJob
{
    ReplicationJobDef def;
    int guest = 0;
    int jobnum = 0;
    double lastSync = 0;
    double lastTry = 0;
    double nextSync = 0;
    double duration = 0;
    int failCount = 0;
    QString error;
    double runningUntil = 0;
};

struct BackupVolume
{
    QString volid;
    QString storage;
    QString node; // where a local storage holds it
    int vmid = 0;
    long long size = 0;
    long long ctime = 0;
    QString notes;
    bool isProtected = false;
};

// Faults that live in the cluster state; transport faults are in the HTTP front.
struct TaskFailure
{
    QString type; // worker type, "qmstart"; empty for any
    int remaining = 0;
    QString message;
};

struct ClusterOptions
{
    std::chrono::milliseconds taskVisibilityDelay{300};
    // The VMs' addresses are 127.<addressBlock>.x.y, so that simulators running side by side
    // (parallel tests) never serve a VM's role on the same address and port.
    int addressBlock = 0;
};

// The simulated cluster: nodes, guests, tasks, HA, replication, users. Not thread-safe: it
// lives on the server's I/O thread and every request and timer tick runs there.
class Cluster final
{
public:
    static Result<std::unique_ptr<Cluster>> create(const Scenario &scenario,
                                                   const ClusterOptions &options = {});

    ApiResponse handle(const ApiRequest &request);
    void tick(); // runs what simulated time has made due

    SimClock &clock() { return m_clock; }
    const Scenario &scenario() const { return m_scenario; }
    const ApiSchema &schema() const { return m_schema; }
    QString localNode() const { return m_scenario.localNode; }
    void setServedCertificate(const Certificate &certificate);

    // Control interface (faults and time), used by the /ctl front.
    Status setNodePower(const QString &node, bool on);
    Status setNodeNetwork(const QString &node, bool on);
    Status setNodeForcedStatus(const QString &node, int status);
    // Ceph's overall health as `ceph status` reports it: HEALTH_OK, HEALTH_WARN or HEALTH_ERR,
    // with one check (code and message) for WARN and ERR. An empty status goes back to the
    // health the node states imply (an OSD and a monitor down per offline node).
    Status setCephHealth(const QString &status, const QString &check, const QString &message);
    void invalidateTickets();
    void failNextTasks(const QString &type, int count, const QString &message);
    Status setReplicationFailure(const QString &jobId, const QString &message);
    Status setAgentDown(int vmid, bool down);
    void advanceTime(double seconds);
    QJsonObject describe() const;

    // Services behind the VMs (api_services.cpp). `health` is up, slow, error, down, or off
    // (not imitated at all); the role comes from the VM's tags.
    Status setService(int vmid, const QString &health, int slowMs);
    // Where something should listen now: served VMs that run on an online node, not down.
    QList<ServiceEndpoint> serviceEndpoints() const;
    // Connect time in ms to a TCP port, or nothing when refused; the HTTP front provides it.
    using Reachability = std::function<std::optional<double>(const QString &, quint16)>;
    ServiceAnswer serviceAnswer(int vmid, const QString &method, const QString &path,
                                const Reachability &reach);

    // For tests: a ticket as the server would issue it.
    QString makeTicket(const QString &data, long long time) const;

private:
    QString vmAddress(const Vm &vm) const; // 127.B.0.N, then 127.B.1.N... for thousands
    int allocateAddress();
    const Vm *servingVm(int vmid) const; // running, node online, served and not down
    const Vm *vmWithRole(ServiceRole role) const;
    const Vm *vmWithTag(const QString &tag) const;
    DependencyCheck dependency(const QString &tag, quint16 port, const Reachability &reach) const;
    RaeApiView raeApiView(int vmid, const Reachability &reach);
    QJsonArray describeServices() const;

    using Handler = Reply (Cluster::*)(Call &);

    Cluster(const Scenario &scenario, const ApiSchema &schema, const ClusterOptions &options);
    void registerHandlers();
    void route(const char *method, const char *path, Handler handler, bool anonymous = false);

    // Authentication and permissions (api.cpp).
    Outcome<Identity> authenticate(const ApiRequest &request, bool write) const;
    std::optional<QString> ticketData(const QString &ticket) const; // the data of a valid ticket
    QString makeCsrf(const QString &userid, long long time) const;
    QSet<QString> privileges(const Identity &who, const QString &path) const;
    QSet<QString> aclPrivileges(const QString &ugid, const QString &path) const;
    bool can(const Identity &who, const QString &path, const QString &priv) const;
    Reply forbidden(const QString &path, const QString &priv) const;
    QStringList allPrivileges() const;
    QStringList rolePrivileges(const QString &role) const;
    Reply authFailure(const QString &oldText) const;

    // Shared helpers.
    Outcome<NodeState *> nodeOf(const Call &call);
    Outcome<Vm *> vmOf(const Call &call);
    Task &startTask(const QString &node, const QString &type, const QString &id,
                    const Identity &who, double simDuration, std::function<QString()> finish);
    void at(double simTime, std::function<void()> action);
    QJsonObject vmStats(const Vm &vm, bool forList) const;
    QJsonObject nodeStats(const NodeState &node) const;
    bool storageOnNode(const QString &storage, const QString &node) const;
    const StorageDef *storage(const QString &id) const;
    bool isShared(const QString &storageId) const;
    QStringList diskKeys(const Vm &vm) const;
    QString haSidOf(int vmid) const { return QStringLiteral("vm:%1").arg(vmid); }
    HaResource *haResource(int vmid);
    QString haStateOf(const HaResource &resource) const;
    QJsonValue configValue(const QString &key, const QString &value) const;
    int nextFreeVmid() const;
    double noise(int seed, double period) const;
    double noiseAt(int seed, double period, double time) const;
    bool hasCeph() const;
    void nodeWentOffline(NodeState &node);
    void nodeCameBack(NodeState &node, bool lostPower);
    QString mappingNodesFor(const QString &mappingId, QStringList *paths = nullptr) const;

    // Handlers (api.cpp: access, cluster and node reads).
    Reply getVersion(Call &call);
    Reply postTicket(Call &call);
    Reply getPermissions(Call &call);
    Reply getClusterStatus(Call &call);
    Reply getClusterOptions(Call &call);
    Reply getClusterResources(Call &call);
    Reply getNextId(Call &call);
    Reply getClusterTasks(Call &call);
    Reply getPciMappings(Call &call);
    Reply getPciMapping(Call &call);
    Reply getPools(Call &call);
    // Resource pools (api_pools.cpp): made, listed, members added, moved or taken out.
    Reply getPool(Call &call);
    Reply postPool(Call &call);
    Reply putPool(Call &call);
    PoolDef *findPool(const QString &id);
    void leavePools(int vmid);
    // What Proxmox says of an `sshkeys` value whose decoded keys do not validate; empty if fine.
    static QString sshKeysProblem(const QString &value);
    Reply getStorageConfig(Call &call);
    Reply getNodes(Call &call);
    Reply getNodeStatus(Call &call);
    Reply getNodeRrdData(Call &call);
    Reply getVmRrdData(Call &call);
    Reply getCephStatus(Call &call);
    Reply getNodeVersion(Call &call);
    Reply getNodeStorage(Call &call);
    Reply getStorageStatus(Call &call);
    Reply getStorageContent(Call &call);
    Reply getNodeNetwork(Call &call);
    Reply getCertificates(Call &call);
    Reply getHardwarePci(Call &call);
    Reply getNodeTasks(Call &call);
    Reply getTaskStatus(Call &call);
    Reply getTaskLog(Call &call);
    Reply deleteTask(Call &call);

    // Handlers (api_qemu.cpp: guests, tasks they start, guest agent).
    Reply getVms(Call &call);
    Reply createVm(Call &call);
    Reply getVmConfig(Call &call);
    Reply getVmPending(Call &call);
    Reply setVmConfig(Call &call);
    Reply cloneVm(Call &call);
    Reply resizeVm(Call &call);
    Reply getVmStatus(Call &call);
    Reply startVm(Call &call);
    Reply stopVm(Call &call);
    Reply shutdownVm(Call &call);
    Reply rebootVm(Call &call);
    Reply deleteVm(Call &call);
    Reply getMigrate(Call &call);
    Reply postMigrate(Call &call);
    Reply agentPing(Call &call);
    Reply agentInterfaces(Call &call);
    Reply agentFileWrite(Call &call);
    Reply agentExec(Call &call);
    Reply agentExecStatus(Call &call);
    Reply vzdump(Call &call);
    Outcome<Vm *> agentVm(Call &call, bool write);
    // The volume a disk parameter becomes once allocated ("ceph-vm:32" → a new volume id).
    Result<QString> allocateDisk(const Vm &vm, const QString &key, const QString &value) const;
    void doMigrate(Vm &vm, const QString &target);
    void applyPending(Vm &vm);
    Reply powerAction(Call &call, const QString &action);
    QString checkConfigChange(const Call &call, const Vm *vm, const QString &key,
                              const QString &value) const;
    QJsonObject migratePreconditions(const Vm &vm, const QString &target) const;
    ExecJob nvidiaSmi(const Vm &vm, const QStringList &args) const;

    // Handlers (api_ha.cpp: HA, replication, backup jobs).
    Reply getHaResources(Call &call);
    Reply getHaResource(Call &call);
    Reply postHaResource(Call &call);
    Reply putHaResource(Call &call);
    Reply deleteHaResource(Call &call);
    Reply migrateHaResource(Call &call);
    Reply getHaGroups(Call &call);
    Reply postHaGroup(Call &call);
    Reply getHaGroup(Call &call);
    Reply deleteHaGroup(Call &call);
    Reply getHaRules(Call &call);
    Reply postHaRule(Call &call);
    std::optional<Reply> ruleResources(const Call &call, QStringList &resources) const;
    Reply getHaRule(Call &call);
    Reply putHaRule(Call &call);
    Reply deleteHaRule(Call &call);
    Reply getHaStatus(Call &call);
    Reply getHaManagerStatus(Call &call);
    Reply getReplicationJobs(Call &call);
    Reply postReplicationJob(Call &call);
    Reply getReplicationJob(Call &call);
    Reply deleteReplicationJob(Call &call);
    Reply getNodeReplication(Call &call);
    Reply getReplicationStatus(Call &call);
    Reply replicationScheduleNow(Call &call);
    Reply getBackupJobs(Call &call);
    Reply postBackupJob(Call &call);
    Reply getBackupJob(Call &call);
    Reply deleteBackupJob(Call &call);
    void haQueue(Vm &vm, const QString &request, const QString &target);
    void haRound();
    void haRecover();
    bool quorate() const;
    QString haMaster() const; // the answering node, or the first online one when it is down
    // The cluster as the shared HA engine (src/core/ha) sees it.
    rae::ha::ClusterState haClusterState() const;
    void runReplication(ReplicationJob &job);
    double nextScheduleTime(const QString &schedule, double after) const;
    // Backup jobs run on their calendar event (UTC), as pvescheduler runs vzdump on each node.
    double nextBackupRun(const QString &schedule, double after) const; // 0: never
    void scheduleBackupJob(const QString &id);
    void runBackupJob(const QString &id, quint64 epoch);
    // "pbs:backup/vm/100/2026-12-03T02:30:00Z" on PBS, the vzdump file name elsewhere.
    QString backupVolid(const QString &storage, int vmid, long long ctime) const;
    Task &startBackup(const QString &node, const QList<int> &vmids, const QString &storage,
                      const Identity &who);
    QJsonObject replicationStatus(const ReplicationJob &job) const;
    Reply replicationPermission(const Call &call, int vmid) const;

    Scenario m_scenario;
    ApiSchema m_schema;
    ClusterOptions m_options;
    SimClock m_clock;
    QByteArray m_ticketKey;
    QByteArray m_csrfKey;
    long long m_ticketsValidFrom = 0;
    Certificate m_served;

    QMap<QString, NodeState> m_nodes;
    std::map<int, Vm> m_vms;
    QMap<QString, Task> m_tasks;
    QStringList m_taskOrder;
    QMap<QString, HaResource> m_haResources;
    QList<HaGroupDef> m_haGroups;
    QList<HaRuleDef> m_haRules;
    QMap<QString, ReplicationJob> m_replication;
    QMap<QString, QString> m_replicationFaults;
    QMap<QString, QMap<QString, QString>> m_backupJobs;
    QHash<QString, quint64> m_backupJobEpoch; // a job removed and made again runs afresh
    std::map<int, ServiceState> m_services;   // VMs whose role's endpoint is imitated
    QList<BackupVolume> m_backups;
    QList<TaskFailure> m_taskFailures;
    QMap<QString, QString> m_pendingTfa; // half tickets issued, by user
    std::multimap<double, std::function<void()>> m_events;
    QMap<QString, QMap<QString, Handler>> m_handlers; // schema path -> method -> handler
    QSet<QString> m_anonymous;
    quint32 m_nextPid = 0x2000;
    int m_lastAddress = 9; // 127.B.0.10 is a block's first VM (127.0.0.1 is the API's own)
    double m_haNextRound = 0;
    QString m_cephStatus; // set through /ctl; empty: derived from the nodes
    QString m_cephCheck;
    QString m_cephMessage;
    // ACLs do not change at run time; /cluster/resources asks once per guest.
    mutable QHash<QString, QSet<QString>> m_privilegeCache;
    // /cluster/resources answers by caller and query, valid until the state changes or the
    // figures move on (every 10 s, like pvestatd's broadcasts).
    QHash<QString, QByteArray> m_resourcesCache;
    quint64 m_generation = 0;
    quint64 m_cachedGeneration = 0;
};

} // namespace rae::sim
