#pragma once

#include "cluster/inventory.h"
#include "cluster/scenario.h"
#include "ha/planfailure.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>

// The cluster the failure analysis starts from when it is not a plan: a live cluster read
// through the API, or a simulator scenario file. Both give the same shape as a plan does
// (PlanClusterState: the state, the guests' names by HA id, notes on what could not be read), so
// that one output path serves all three.
namespace rae::ha {

// `crs` of the datacenter options: the HA scheduler. The API gives it decoded
// ({"ha":"static"}); the text of datacenter.cfg ("ha=static,ha-rebalance-on-start=1") is read
// too. Absent or unknown values mean `basic`, the manager's default.
Scheduler schedulerFromCrs(const QJsonValue &crs);

// The cluster a scenario describes as it starts: every node online, every VM where the file puts
// it, HA configuration as written, `crs-ha` as the scheduler. Nodes where a VM's start would
// fail (its PCI mapping missing, a disk's storage missing, a local disk not replicated there)
// are its unusable nodes, with the reason.
PlanClusterState clusterStateFromScenario(const cluster::Scenario &scenario);

// A live cluster from what InventoryLoader read and the data of `GET /cluster/options`. VM sizes
// come from /cluster/resources (maxcpu, maxmem) until applyConfigSizes() refines them. Nodes
// whose HA state is `maintenance` are not candidates.
PlanClusterState clusterStateFromInventory(const cluster::Inventory &inventory,
                                           const QJsonObject &clusterOptions, bool pve9);

// Marks the nodes where an HA VM's start would fail, by the scenario rules above, from each
// VM's config (`GET /nodes/{node}/qemu/{vmid}/config`, by sid; VMs without one are left as
// they are) and the inventory's storages, PCI mappings and replication jobs.
void addStartBlockers(PlanClusterState &input, const cluster::Inventory &inventory,
                      const QHash<QString, QMap<QString, QString>> &configsBySid);

// Sizes each HA VM as the static scheduler counts it, from its config: cores × sockets, or
// cpulimit when set (the resources list gives vCPUs only).
void applyConfigSizes(PlanClusterState &input,
                      const QHash<QString, QMap<QString, QString>> &configsBySid);

// What a case means without a plan to name roles: quorum, self-fencing, services that stay down
// and overloaded survivors.
QList<Impact> clusterImpacts(const PlanClusterState &input, const FailureCase &result);

// The analysis of `cases` with the impacts above, as the plan path reports it.
PlanFailureReport analyseClusterFailures(PlanClusterState input, const QList<QStringList> &cases);

} // namespace rae::ha
