#pragma once

#include "deploy/changeset.h"
#include "plan/plan.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace rae::deploy {

enum class ActionType
{
    CloneVm,
    ConfigureVm,
    ResizeDisk,
    StartVm,
    WaitForAgent,
    Provision,
    MigrateVm,
    RemoveVm,
    HaGroup,
    HaRule,
    HaResource,
    Replication,
    Backup,
    // Blue-green upgrade of the API tier (deploy/upgrade.h):
    CheckHealth,   // the API VM's /health answers 200
    SwitchGateway, // the gateway's upstreams become the VMs named in the change's `upstreams`
    StopVm,        // shut down (through HA when managed), waited for until stopped
    TagVm,         // the change's `tag+` / `tag-` fields added to or taken from the VM's tags
    Pool,          // the resource pool made when missing, the change's `member` VMs added to it
};

// One step of an apply. Ids are stable across runs (`clone:rae-db`) so the journal can name them.
struct Action
{
    QString id;
    ActionType type = ActionType::CloneVm;
    QString vmName; // empty for cluster-wide objects
    QStringList dependsOn;
    bool usesTask = false; // starts a Proxmox worker task: counts against the parallel limit
    Change change;         // what it is to do
};

// The ordered actions for a changeset. `provisionPending` names VMs whose provisioning has not
// finished yet (new VMs, and those an interrupted apply left unprovisioned, from the journal).
// Only dependencies on actions in the list are kept: what exists already needs no waiting for.
QList<Action> planActions(const plan::Plan &plan, const Changeset &changeset,
                          const QSet<QString> &provisionPending = {});

enum class ActionState
{
    Pending,
    Running,
    Done,
    Failed,
    Blocked, // a dependency failed
};
QString actionStateName(ActionState state);
std::optional<ActionState> actionStateFromName(const QString &name);

// Decides what may start next: dependencies done, at most `maxTasks` Proxmox tasks at once,
// everything else without a limit. A failed action blocks its dependants, transitively, and
// leaves independent ones running. Pure bookkeeping; the runner does the work.
class ActionScheduler final
{
public:
    explicit ActionScheduler(QList<Action> actions, int maxTasks = 3);

    const QList<Action> &actions() const { return m_actions; }
    ActionState state(int index) const { return m_states.at(index); }
    ActionState state(const QString &id) const;
    int indexOf(const QString &id) const { return m_index.value(id, -1); }

    // Marks actions done that an earlier run finished (from the journal).
    void markDone(const QString &id);

    // Actions that may start now; they are marked Running.
    QList<int> takeReady();
    void finish(int index, bool succeeded);

    bool isFinished() const; // nothing pending or running
    int count(ActionState state) const;

private:
    void block(int index);

    QList<Action> m_actions;
    QList<ActionState> m_states;
    QHash<QString, int> m_index;
    QList<QList<int>> m_dependants;
    QList<int> m_missing; // unfinished dependencies per action
    int m_maxTasks = 3;
    int m_runningTasks = 0;
};

} // namespace rae::deploy
