#pragma once

#include "ha/failureanalysis.h"
#include "plan/plan.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

// The failure analysis of a deployment plan, told in RAE's terms: which role loses what.
namespace rae::ha {

// The HA resource id of a plan VM: `vm:ID`, or its name while it has no vmid.
QString haId(const plan::Vm &vm);

struct PlanClusterState
{
    ClusterState state;
    QHash<QString, QString> vmNameOfId; // HA id (or guest id) → plan VM name
    QStringList notes;                  // what the plan cannot express on this release
};

// The plan as the HA manager will see it once deployed: HA settings become PVE 9 rules (or
// PVE 8 groups on release 8; Detect counts as 9), non-HA VMs become guests, and each VM's nodes
// without its GPU mapping or its disks' storage become unusable nodes with the reason.
PlanClusterState clusterStateFromPlan(const plan::Plan &plan);

enum class ImpactSeverity
{
    Info,
    Warning,
    Critical
};

struct Impact
{
    QString id; // stable: "api-capacity", "role-down", "overcommit", "self-fenced"
    ImpactSeverity severity = ImpactSeverity::Warning;
    QString text; // for people
};

struct PlanFailureReport
{
    PlanClusterState input;
    FailureAnalysis analysis;
    QList<QList<Impact>> impacts; // one list per case, parallel to analysis.cases
};

// Analyses `cases` (lists of nodes failing together) of `plan`.
PlanFailureReport analysePlanFailures(const plan::Plan &plan, const QList<QStringList> &cases);

// What a case means for RAE: API replicas left, roles down and why, overloaded survivors.
QList<Impact> planImpacts(const plan::Plan &plan, const FailureCase &result);

QString impactSeverityName(ImpactSeverity severity);

} // namespace rae::ha
