#pragma once

#include "deploy/snapshot.h"
#include "plan/plan.h"

#include <QList>
#include <QMap>
#include <QSet>
#include <QString>

// The API tier as a cluster has it after blue-green changes (deploy/upgrade.h): which VM serves
// for each API VM of the plan, and which are kept stopped for a rollback. The changeset and the
// apply read it so that they carry a switched tier on instead of undoing it.
namespace rae::deploy {

// The tag that marks API VMs kept stopped for a rollback.
inline constexpr char kStandbyTag[] = "rae-standby";

// `rae-api-1-v2.1.0` → `rae-api-1` when that is an API VM of the plan; empty otherwise.
QString apiBaseName(const plan::Plan &plan, const QString &vmName);
// A Git ref that is also valid in a VM name and a Proxmox tag.
bool isValidVersion(const QString &version);
bool isStandby(const SnapshotVm &vm);
// `ip=10.20.0.21/24,gw=10.20.0.1` in ipconfig0 → `10.20.0.21/24`; empty for DHCP or none.
QString configuredAddress(const SnapshotVm &vm);
// A plan VM for an API VM the cluster has under another name (a tier an upgrade made), so that
// the changeset and the executor can work with it: the plan VM it stands for with its own name,
// id, address and version tag, on the plan VM's node, HA-managed as the plan VM is (its own HA
// resource; the anti-affinity is the plan VM's rule, not one of its own), not replicated.
plan::Vm standIn(const plan::Vm &base, const SnapshotVm &vm);
// The HA group (PVE 8) of a VM: an API VM of another tier shares the plan VM's, since a group
// id cannot hold the dots of a version and the node priorities are the same.
QString haGroupOf(const plan::Plan &plan, const plan::Vm &vm);

struct ApiTierVm
{
    QString name; // on the cluster
    QString base; // the plan API VM it is a form of
    int vmid = 0;
    bool standby = false; // tagged `rae-standby`
};

struct ApiTier
{
    // The API VMs on the cluster, tagged `rae-api`, named like a plan API VM or like one followed
    // by `-v<version>`; a VM the plan has under its own name is not one of them.
    QList<ApiTierVm> vms;
    // Plan API VM → the one VM not kept for a rollback, when there is exactly one.
    QMap<QString, QString> serving;
    // Plan API VMs with more than one VM not kept: an upgrade or rollback stopped half-way.
    QSet<QString> unsettled;

    const ApiTierVm *find(const QString &name) const;
    QList<ApiTierVm> of(const QString &base) const;
    // The VM that serves for `base` when it is not the plan's VM itself; empty otherwise.
    QString switchedTo(const QString &base) const;
};
ApiTier readApiTier(const plan::Plan &plan, const ClusterSnapshot &snapshot);

// The plan as the cluster runs it, for the apply's actions and executor: the VMs that serve in
// place of plan API VMs added under their own names (see standIn), and the plan's API VMs that
// are kept for a rollback tagged `rae-standby`, so that a gateway provisioned by the apply
// proxies to the tier that serves.
plan::Plan deployedPlan(const plan::Plan &plan, const ClusterSnapshot &snapshot);

} // namespace rae::deploy
