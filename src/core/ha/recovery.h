#pragma once

#include "ha/clusterstate.h"
#include "ha/nodeusage.h"
#include "ha/rules.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

// One placement decision of the HA manager (select_service_node in pve-ha-manager's Manager.pm),
// for one service against the cluster as it is at that moment. The failure analysis and the
// simulator's HA manager both call this; neither duplicates the rules.
namespace rae::ha {

// What the manager knows about each service (its manager_status entry).
struct ServiceStatus
{
    CrmState state = CrmState::Started;
    QString node;
    QString target;          // during migrate, relocate, request_start_balance
    QStringList failedNodes; // nodes where a start already failed
    QString maintenanceNode; // where to return once that node leaves maintenance
};
using ServiceStatusMap = QHash<QString, ServiceStatus>; // sid → status

enum class NodePreference
{
    None,      // stay where it is if allowed (normal rounds)
    BestScore, // recovery after fencing, rebalance on start
    TryNext,   // after a failed start: best node not yet tried
};

enum class NoNodeReason
{
    None,
    NoOnlineNode,       // no online node at all (or none outside maintenance)
    StrictNodeAffinity, // strict rule / restricted group and none of its nodes online
    NegativeAffinity,   // partners of a negative rule occupy every preferred node
    TriedAllNodes,      // try-next: every preferred node already failed
};

struct NodeChoice
{
    std::optional<QString> node;
    NoNodeReason reason = NoNodeReason::None;
    QStringList preferredNodes;   // the highest-priority online allowed nodes, sorted
    QStringList blockingPartners; // for NegativeAffinity: the partners in the way, sorted
    QString ruleId;               // the node-affinity rule that applied, if any
};

NodeChoice selectServiceNode(const CompiledRules &rules, const NodeUsage &usage,
                             const Service &service, const ServiceStatusMap &statuses,
                             NodePreference preference);

// Where the manager recovers `service` after its node was fenced: the best-scored node.
inline NodeChoice chooseRecoveryNode(const CompiledRules &rules, const NodeUsage &usage,
                                     const Service &service, const ServiceStatusMap &statuses)
{
    return selectServiceNode(rules, usage, service, statuses, NodePreference::BestScore);
}

} // namespace rae::ha
