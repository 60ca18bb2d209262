#pragma once

#include "cluster/resources.h"
#include "plan/plan.h"
#include "validation/finding.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// What the topology graph draws, as plain values: the same shape for a plan and for a live
// cluster, so that one scene shows both and applies either as a diff.
namespace rae::gui {

enum class GuestState
{
    Planned,
    Running,
    Stopped,
    Unknown,
    Other
};

struct TopologyNode
{
    QString name;
    bool online = true;   // a planned node counts as online
    bool planned = false; // from a plan: no live figures
    bool maintenance = false;
    double cpuFraction = 0.0;    // planned vCPUs per (threads × overcommit), or live use
    double memoryFraction = 0.0; // planned or used memory over the node's memory
    QString cpuText;
    QString memoryText;
    QStringList gpus;           // models or mapping names
    QString haState;            // live: online, maintenance, fence, ...
    bool simulatedDown = false; // "Simulate failure": drawn greyed out
    friend bool operator==(const TopologyNode &, const TopologyNode &) = default;
};

struct TopologyVm
{
    QString key; // plan: the VM's name; live: "vm:<vmid>"
    QString name;
    std::optional<int> vmid;
    std::optional<plan::Role> role;
    QString node;
    GuestState state = GuestState::Planned;
    bool haManaged = false;
    QString haState;
    int findings = 0;
    std::optional<validation::Severity> worstFinding;
    QString details; // the tooltip's extra lines: cores, memory, disks, findings
    // "Simulate failure": where the HA manager would put it, or why it would stay down.
    QString recoversTo;
    QString failureNote; // band text on the tile; empty when the failure does not touch it
    bool lost = false;
    friend bool operator==(const TopologyVm &, const TopologyVm &) = default;
};

struct Topology
{
    QList<TopologyNode> nodes; // in the order they are laid out
    QList<TopologyVm> vms;
    friend bool operator==(const Topology &, const Topology &) = default;
};

// The plan with each VM's findings (counted per VM subject, and per node for node rows).
Topology topologyFromPlan(const plan::Plan &plan, const QList<validation::Finding> &findings);

// The cluster as seen; `plan` (optional) names each guest's role when its name or vmid matches.
Topology topologyFromResources(const cluster::Resources &resources,
                               const plan::Plan *plan = nullptr);

// A guest's role: the plan's VM with that vmid or name, else a `rae-<role>` or `<role>` tag.
std::optional<plan::Role> roleOfGuest(const cluster::GuestResource &guest, const plan::Plan *plan);

} // namespace rae::gui
