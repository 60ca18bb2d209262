#pragma once

#include "plan/plan.h"

#include <QHash>
#include <QString>
#include <QStringList>

// A placement of the plan's VMs on its nodes that survives any single node failure with the
// lowest load after recovery, judged by the same failure analysis as `failover`.
namespace rae::ha {

// How good a placement is, compared in this order (lower is better).
struct PlacementScore
{
    bool feasible = false; // GPU mappings, storage, anti-affinity, capacity, strict HA nodes
    int haVmsDown = 0;     // over all single-node failures: started HA VMs left down
    double peakLoad = 0;   // worst node after any single failure: max(CPU, memory) share of
                           // its capacity, CPU capacity being threads × the plan's overcommit
    QString peakWhere;     // "pve3 memory when pve1 fails"
    int moves = 0;         // VMs not on their current node

    bool betterThan(const PlacementScore &other) const;
};

struct PlacementSearch
{
    QHash<QString, QString> nodeOfVm; // VM name → node
    PlacementScore score;
    PlacementScore currentScore;
    QString currentProblem; // why the current placement is not feasible, if it is not
    bool found = false;     // false: no feasible placement exists (or none was found)
    bool exhaustive = false;
    qint64 evaluated = 0;    // complete placements analysed
    QStringList explanation; // for people: why it beats the current placement
};

struct PlacementOptions
{
    int exhaustiveMaxNodes = 8;
    int exhaustiveMaxVms = 12;
    qint64 exhaustiveBudget = 300000; // complete placements; beyond, the heuristic takes over
};

PlacementScore scorePlacement(const plan::Plan &plan);
PlacementSearch searchPlacement(const plan::Plan &plan, const PlacementOptions &options = {});

// `plan` with each VM moved to `nodeOfVm`.
plan::Plan withPlacement(plan::Plan plan, const QHash<QString, QString> &nodeOfVm);

} // namespace rae::ha
