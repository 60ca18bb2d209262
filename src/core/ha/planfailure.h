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
    // RAE's VMs of a live cluster or scenario by HA id (or guest id), from their `rae-<role>`
    // tags as the deployer writes them; empty for a plan, whose VMs have their roles.
    QHash<QString, plan::Role> roleOfId;
    QStringList notes; // what the plan cannot express on this release
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

// One VM of a RAE role in a case: `why` it does not run afterwards, empty when it does.
struct RoleMember
{
    plan::Role role = plan::Role::Api;
    QString why;
};
// Per role: down ("role-down"), fewer API replicas ("api-capacity") or fewer of another role
// ("role-degraded"), each with the reasons. Roles all of whose VMs run give nothing.
QList<Impact> roleImpacts(const QList<RoleMember> &members);

QString impactSeverityName(ImpactSeverity severity);

} // namespace rae::ha
