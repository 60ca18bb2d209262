#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// What the HA recovery engine needs to know about a cluster, whatever it was read from (a plan,
// a live snapshot, the simulator's own state). Plain values; nothing here touches the network.
namespace rae::ha {

// datacenter.cfg `crs: ha=...`. Dynamic scoring needs live load, so it cannot be predicted.
enum class Scheduler
{
    Basic,
    Static,
    Dynamic
};

// The HA resource's requested state (`state` in resources.cfg).
enum class RequestState
{
    Started,
    Stopped,
    Disabled,
    Ignored
};

struct Node
{
    QString name;
    bool online = true;       // false: already down before any failure case is applied
    bool maintenance = false; // in maintenance mode: online for quorum, never a candidate
    int cpus = 0;             // CPU threads, as the static scheduler counts them
    quint64 memoryBytes = 0;
};

// An HA resource (`vm:101`).
struct Service
{
    QString sid;
    QString node; // where it is now
    RequestState state = RequestState::Started;
    int cores = 1;
    int sockets = 1;
    double cpulimit = 0; // 0: unset; otherwise it replaces cores × sockets
    quint64 memoryBytes = 0;
    bool failback = true;
    int maxRelocate = 1;
    QString group; // PVE 8 only: the HA group it belongs to; empty: none

    // Nodes where a start would fail for reasons the HA manager cannot see (a PCI mapping or a
    // local disk missing there), with the reason for people. The manager still picks them when
    // they score best; the start then fails and it relocates (see failureanalysis.h).
    QMap<QString, QString> unusableNodes;

    // What the static scheduler counts: cpulimit when set, otherwise cores × sockets.
    double maxCpu() const { return cpulimit > 0 ? cpulimit : double(cores) * double(sockets); }
};

// PVE 8 HA group; the manager turns it into a node-affinity rule for its members.
struct Group
{
    QString id;
    QMap<QString, int> nodes; // node → priority (higher wins; default 0)
    bool restricted = false;
    bool nofailback = false;
};

// PVE 9 `node-affinity` rule.
struct NodeAffinityRule
{
    QString id;
    QStringList resources;    // sids
    QMap<QString, int> nodes; // node → priority
    bool strict = false;
    bool disabled = false;
};

enum class Affinity
{
    Positive,
    Negative
};

// PVE 9 `resource-affinity` rule.
struct ResourceAffinityRule
{
    QString id;
    QStringList resources;
    Affinity affinity = Affinity::Negative;
    bool disabled = false;
};

// A guest that is not an HA resource (or whose HA state is `ignored`): it stays down with its
// node, but it counts in the load of the node it runs on.
struct Guest
{
    QString id;   // "vm:105", or a name when the guest has no vmid yet
    QString name; // for people
    QString node;
    double cpu = 0; // vCPUs
    quint64 memoryBytes = 0;
    bool running = true;
};

enum class RulesSource
{
    Groups, // PVE 8: `groups` and Service::group are read, resource affinity does not exist
    Rules,  // PVE 9: `nodeAffinity` and `resourceAffinity` are read
};

struct ClusterState
{
    QList<Node> nodes;
    QList<Service> services;
    QList<Guest> guests;
    Scheduler scheduler = Scheduler::Basic;
    RulesSource rulesSource = RulesSource::Rules;
    QList<Group> groups;
    QList<NodeAffinityRule> nodeAffinity;
    QList<ResourceAffinityRule> resourceAffinity;
    int externalVotes = 0; // a QDevice's vote, assumed to stay reachable in every case

    const Node *node(const QString &name) const;
    const Service *service(const QString &sid) const;
};

} // namespace rae::ha
