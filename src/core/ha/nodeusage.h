#pragma once

#include "ha/clusterstate.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace rae::ha {

// The CRM's own service states (manager_status), the ones that decide where a service counts.
enum class CrmState
{
    Started,
    RequestStart,
    RequestStartBalance,
    RequestStop,
    Stopped,
    Fence,
    Recovery,
    Freeze,
    Error,
    Migrate,
    Relocate,
};

// The online nodes a service puts load on in a given state: its node, and for a migration also
// the target. Empty strings where there is none (stopped, or the node is not online).
struct UsedNodes
{
    QString current;
    QString target;
};
UsedNodes usedServiceNodes(const QSet<QString> &onlineNodes, CrmState state, const QString &node,
                           const QString &target);

// How loaded each online node is, as the HA manager's scheduler sees it: a count of services for
// `basic`, configured CPU and memory for `static` (non-HA guests do not count in either). Scores
// are lower-is-better, as the manager sorts them.
//
// A value type; cheap to copy for a few dozen nodes.
class NodeUsage final
{
public:
    // `nodes` are the online nodes that are not in maintenance. Like the manager, `static` falls
    // back to `basic` when a node lacks its CPU or memory figure; `dynamic` is approximated by
    // `static` (callers say so to people).
    NodeUsage(Scheduler scheduler, const QList<Node> &nodes);

    Scheduler scheduler() const { return m_scheduler; }
    QString fallbackReason() const { return m_fallbackReason; }

    const QStringList &nodes() const { return m_names; } // sorted by name
    QSet<QString> nodeSet() const;
    bool contains(const QString &node) const { return m_index.contains(node); }

    // Adds the load of `service` in `state` on `node` (and `target` while migrating).
    void addServiceUsage(const Service &service, CrmState state, const QString &node,
                         const QString &target = {});
    void removeServiceUsage(const QString &sid);

    // node → score for starting `service` on it; lower is better. For `static`, the TOPSIS
    // closeness of each node, negated.
    QHash<QString, double> scoreNodesToStartService(const Service &service) const;

    int serviceCount(const QString &node) const;

private:
    struct NodeLoad
    {
        int cpus = 0;
        quint64 memoryBytes = 0;
        int services = 0;
        double cpu = 0;
        double memory = 0;
    };
    struct Placement
    {
        QList<int> nodes;
        double cpu = 0;
        double memory = 0;
    };

    void addToNode(int index, const Service &service);
    double addedCpu(const NodeLoad &node, const Service &service) const;

    Scheduler m_scheduler;
    QString m_fallbackReason;
    QStringList m_names;
    QHash<QString, int> m_index;
    QList<NodeLoad> m_loads;
    QHash<QString, Placement> m_services;
};

} // namespace rae::ha
