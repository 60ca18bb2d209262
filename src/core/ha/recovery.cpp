#include "ha/recovery.h"

#include <QMap>
#include <QSet>

#include <algorithm>

namespace rae::ha {

namespace {

QStringList sortedList(const QSet<QString> &set)
{
    QStringList list(set.cbegin(), set.cend());
    list.sort();
    return list;
}

} // namespace

NodeChoice selectServiceNode(const CompiledRules &rules, const NodeUsage &usage,
                             const Service &service, const ServiceStatusMap &statuses,
                             NodePreference preference)
{
    NodeChoice choice;
    const ServiceStatus status = statuses.value(service.sid);
    const QString &currentNode = status.node;

    // Node affinity: without a rule every online node at priority 0; a non-strict rule adds the
    // unlisted nodes at -1. Only the highest priority present counts.
    QMap<QString, int> priorities;
    const auto rule = rules.nodeAffinity.constFind(service.sid);
    bool strict = false;
    if (rule != rules.nodeAffinity.cend()) {
        choice.ruleId = rule->ruleId;
        strict = rule->strict;
        for (auto it = rule->nodes.cbegin(); it != rule->nodes.cend(); ++it) {
            if (usage.contains(it.key()))
                priorities.insert(it.key(), it.value());
        }
    } else {
        for (const QString &node : usage.nodes())
            priorities.insert(node, 0);
    }
    if (!strict) {
        for (const QString &node : usage.nodes()) {
            if (!priorities.contains(node))
                priorities.insert(node, -1);
        }
    }
    if (priorities.isEmpty()) {
        choice.reason = strict ? NoNodeReason::StrictNodeAffinity : NoNodeReason::NoOnlineNode;
        return choice;
    }
    const int top = *std::max_element(priorities.cbegin(), priorities.cend());
    QSet<QString> preferred;
    for (auto it = priorities.cbegin(); it != priorities.cend(); ++it) {
        if (it.value() == top)
            preferred.insert(it.key());
    }
    choice.preferredNodes = sortedList(preferred);

    // Resource affinity: where partners run, or are being moved to.
    QHash<QString, int> together;
    QSet<QString> separate;
    QHash<QString, QStringList> separatingPartners;
    const QSet<QString> &togetherPartners = rules.together.value(service.sid);
    const QSet<QString> &separatePartners = rules.separate.value(service.sid);
    const QSet<QString> online = togetherPartners.isEmpty() && separatePartners.isEmpty()
                                     ? QSet<QString>()
                                     : usage.nodeSet();
    for (const QString &partner : togetherPartners) {
        const auto it = statuses.constFind(partner);
        if (it == statuses.cend())
            continue;
        const UsedNodes used = usedServiceNodes(online, it->state, it->node, it->target);
        if (!used.current.isEmpty())
            ++together[used.current];
        if (!used.target.isEmpty())
            ++together[used.target];
    }
    for (const QString &partner : separatePartners) {
        const auto it = statuses.constFind(partner);
        if (it == statuses.cend())
            continue;
        const UsedNodes used = usedServiceNodes(online, it->state, it->node, it->target);
        for (const QString &node : {used.current, used.target}) {
            if (!node.isEmpty()) {
                separate.insert(node);
                separatingPartners[node].append(partner);
            }
        }
    }

    const bool allowedHere = priorities.contains(currentNode) &&
                             (together.value(currentNode) > 0 || !separate.contains(currentNode));
    if (preference == NodePreference::None &&
        !rules.failback.value(service.sid, service.failback) && allowedHere) {
        choice.node = currentNode;
        return choice;
    }

    if (preference == NodePreference::TryNext) {
        for (const QString &node : status.failedNodes)
            preferred.remove(node);
        if (preferred.isEmpty()) {
            choice.reason = NoNodeReason::TriedAllNodes;
            return choice;
        }
    }

    const QSet<QString> beforeSeparation = preferred;
    for (const QString &node : separate)
        preferred.remove(node);
    if (preferred.isEmpty()) {
        choice.reason = NoNodeReason::NegativeAffinity;
        QSet<QString> partners;
        for (const QString &node : beforeSeparation) {
            for (const QString &partner : separatingPartners.value(node))
                partners.insert(partner);
        }
        choice.blockingPartners = sortedList(partners);
        return choice;
    }

    // Positive affinity: the preferred node where most partners are; ties by name.
    QString majorityNode;
    int majority = 0;
    for (const QString &node : sortedList(preferred)) {
        const int count = together.value(node);
        if (count > majority) {
            majority = count;
            majorityNode = node;
        }
    }
    if (!majorityNode.isEmpty())
        preferred = {majorityNode};

    if (!status.maintenanceNode.isEmpty() && preferred.contains(status.maintenanceNode)) {
        choice.node = status.maintenanceNode;
        return choice;
    }
    if (preference == NodePreference::None && preferred.contains(currentNode)) {
        choice.node = currentNode;
        return choice;
    }

    const QHash<QString, double> scores = usage.scoreNodesToStartService(service);
    QStringList candidates = sortedList(preferred);
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&scores](const QString &a, const QString &b) {
                         return scores.value(a) < scores.value(b);
                     });

    if (preference == NodePreference::TryNext) {
        const qsizetype found = candidates.indexOf(currentNode);
        if (found >= 0 && found < candidates.size() - 1) {
            choice.node = candidates.at(found + 1);
            return choice;
        }
    }
    choice.node = candidates.first();
    return choice;
}

} // namespace rae::ha
