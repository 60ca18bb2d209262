#pragma once

#include "ha/clusterstate.h"
#include "ha/recovery.h"
#include "ha/rules.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <optional>

// What happens to a cluster when given nodes fail, following the HA manager's recovery rules
// (see docs/ha-recovery.md for the rules and their sources).
namespace rae::ha {

// The default timings of the HA stack, in seconds. Recovery starts once the failed node's agent
// lock has expired, which also guarantees its watchdog has fenced it; the next CRM round then
// places the service and the LRM round after it starts it.
struct Timings
{
    int fenceDelay = 60;        // node unreachable → its services go to `fence`
    int watchdogTimeout = 60;   // the failed node's watchdog has reset it by then
    int agentLockTimeout = 120; // pmxcfs lock expiry; the CRM steals the node's services after
    int crmRound = 10;
    int lrmRound = 10;
    int failedStartPenalty = 20; // per failed start: one LRM round to fail, one CRM round to move

    int recoverySeconds() const
    {
        return std::max({fenceDelay, watchdogTimeout, agentLockTimeout}) + crmRound + lrmRound;
    }
};

struct AnalysisOptions
{
    double cpuOvercommitLimit = 1.0; // vCPUs per CPU thread before a node counts as overcommitted
    Timings timings;
};

enum class Fate
{
    Started,      // recovered and started on `toNode`
    MovedStopped, // request state `stopped`: moved to `toNode`, not started
    Down,         // not running after the failure; `reason` says why
};

enum class DownReason
{
    None,
    NoQuorum,           // the survivors have no quorum: nothing is recovered
    SelfFenced,         // on a survivor that fenced itself for lack of quorum
    Disabled,           // HA state `disabled`: the manager leaves it where it is
    NoOnlineNode,       // no node left to run it
    StrictNodeAffinity, // strict rule (restricted group) and none of its nodes online
    NegativeAffinity,   // its negative-affinity partners occupy every preferred node
    StartFails,         // every node the manager tries cannot start it (unusableNodes)
};

struct ServiceOutcome
{
    QString sid;
    QString fromNode;
    std::optional<QString> toNode; // where the manager puts it; set even when a start fails
    Fate fate = Fate::Down;
    DownReason reason = DownReason::None;
    QStringList preferredNodes;   // the top-priority nodes the manager chose among
    QStringList blockingPartners; // NegativeAffinity: the partners in the way
    QStringList failedStarts; // nodes where a start failed before `toNode` (or before giving up)
    QString startFailure;     // why the last failed start failed, for people
    int recoverySeconds = 0;  // 0 when it does not run again
};

struct NodeLoadAfter
{
    QString node;
    bool maintenance = false;
    double cpu = 0; // vCPUs of the running guests
    int cpus = 0;
    quint64 memoryBytes = 0;
    quint64 memoryTotal = 0;
    bool cpuOvercommitted = false;
    bool memoryOvercommitted = false;
};

struct FailureCase
{
    QStringList failedNodes; // the case, plus nodes that were down already
    bool quorate = true;
    int votes = 0;
    int totalVotes = 0;
    QStringList selfFencedNodes;
    QList<ServiceOutcome> services;  // affected HA services, in the manager's order
    QList<Guest> lostGuests;         // non-HA (and ignored) guests that were running there
    QList<NodeLoadAfter> loads;      // surviving nodes, by name
    int expectedRecoverySeconds = 0; // until the last recovered service is started
};

struct FailureAnalysis
{
    QList<FailureCase> cases;
    QStringList droppedRules; // rules the manager's feasibility check would drop
    QStringList notes;        // limits of the prediction (scheduler fallback, dynamic scheduler)
    bool predictable = true;  // false with the dynamic scheduler
};

// One failure case against rules compiled once (compileRules(state)).
FailureCase analyseFailure(const ClusterState &state, const CompiledRules &rules,
                           const QStringList &failedNodes, const AnalysisOptions &options = {});

FailureAnalysis analyseFailures(const ClusterState &state, const QList<QStringList> &cases,
                                const AnalysisOptions &options = {});

QList<QStringList> singleNodeFailures(const ClusterState &state);
QList<QStringList> nodePairFailures(const ClusterState &state);

// One sentence for people: "vm:101 pve1 → pve2, started" or why it stays down.
QString describeOutcome(const ServiceOutcome &outcome);
QString downReasonName(DownReason reason); // stable id for JSON: "no-quorum", ...

} // namespace rae::ha
