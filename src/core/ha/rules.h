#pragma once

#include "ha/clusterstate.h"

#include <QHash>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

namespace rae::ha {

// The rules as the HA manager uses them after its feasibility check and transforms: at most one
// node-affinity rule per service, positive and negative partners per service, and the effective
// failback flag. PVE 8 groups are compiled the same way, as the PVE 9 manager does with them.
struct CompiledRules
{
    struct NodeAffinity
    {
        QString ruleId;
        QMap<QString, int> nodes; // node → priority
        bool strict = false;
    };

    QHash<QString, NodeAffinity> nodeAffinity; // sid → its rule
    QHash<QString, QSet<QString>> together;    // sid → sids that must share its node
    QHash<QString, QSet<QString>> separate;    // sid → sids that must not share its node
    QHash<QString, bool> failback;             // sid → failback after group nofailback applied

    // One line per rule the feasibility check dropped, for people.
    QStringList droppedRules;
};

// Checks and compiles the rules of `state` (groups or rules according to state.rulesSource).
// `state.nodes` is the configured node list: the checks count all nodes, online or not.
CompiledRules compileRules(const ClusterState &state);

} // namespace rae::ha
