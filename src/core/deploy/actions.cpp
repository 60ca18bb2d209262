#include "deploy/actions.h"

#include "deploy/apitier.h"

#include <QSet>

#include <algorithm>

namespace rae::deploy {

namespace {

QString idFor(const char *verb, const QString &target)
{
    return QLatin1String(verb) + QLatin1Char(':') + target;
}

} // namespace

QString actionStateName(ActionState state)
{
    switch (state) {
    case ActionState::Pending:
        return QStringLiteral("pending");
    case ActionState::Running:
        return QStringLiteral("running");
    case ActionState::Done:
        return QStringLiteral("done");
    case ActionState::Failed:
        return QStringLiteral("failed");
    case ActionState::Blocked:
        return QStringLiteral("blocked");
    }
    return {};
}

std::optional<ActionState> actionStateFromName(const QString &name)
{
    for (ActionState state : {ActionState::Pending, ActionState::Running, ActionState::Done,
                              ActionState::Failed, ActionState::Blocked})
        if (actionStateName(state) == name)
            return state;
    return std::nullopt;
}

QList<Action> planActions(const plan::Plan &plan, const Changeset &changeset,
                          const QSet<QString> &provisionPending)
{
    QList<Action> actions;
    QHash<QString, QString> lastVmStep; // VM → the last action that brings it up
    QHash<QString, QString> cloneStep;  // new VM → the action after which it exists
    QSet<QString> provisioned = provisionPending;

    auto add = [&actions](Action action) {
        actions.append(std::move(action));
        return actions.last().id;
    };

    for (const Change &change : changeset.changes) {
        if (change.object != ObjectKind::Vm || !change.counts())
            continue;
        const QString &vm = change.id;
        QString last;
        switch (change.kind) {
        case ChangeKind::Create:
            last = add({idFor("clone", vm), ActionType::CloneVm, vm, {}, true, change});
            cloneStep.insert(vm, last);
            last =
                add({idFor("configure", vm), ActionType::ConfigureVm, vm, {last}, false, change});
            last = add({idFor("resize", vm), ActionType::ResizeDisk, vm, {last}, true, change});
            last = add({idFor("start", vm), ActionType::StartVm, vm, {last}, true, change});
            last = add({idFor("agent", vm), ActionType::WaitForAgent, vm, {last}, false, change});
            provisioned.insert(vm);
            break;
        case ChangeKind::Update: {
            const bool config =
                std::any_of(change.fields.cbegin(), change.fields.cend(), [](const FieldChange &f) {
                    return f.field != QLatin1String("status") &&
                           !f.field.startsWith(QLatin1String("disk"));
                });
            const bool disks =
                std::any_of(change.fields.cbegin(), change.fields.cend(), [](const FieldChange &f) {
                    return f.field.startsWith(QLatin1String("disk"));
                });
            if (config)
                last =
                    add({idFor("configure", vm), ActionType::ConfigureVm, vm, {}, false, change});
            if (disks)
                last = add({idFor("resize", vm), ActionType::ResizeDisk, vm,
                            last.isEmpty() ? QStringList() : QStringList{last}, true, change});
            if (change.changes(QStringLiteral("status")))
                last = add({idFor("start", vm), ActionType::StartVm, vm,
                            last.isEmpty() ? QStringList() : QStringList{last}, true, change});
            break;
        }
        case ChangeKind::Migrate:
            last = add({idFor("migrate", vm), ActionType::MigrateVm, vm, {}, true, change});
            break;
        case ChangeKind::Remove:
            add({idFor("remove", vm), ActionType::RemoveVm, vm, {}, true, change});
            break;
        case ChangeKind::Keep:
        case ChangeKind::Orphan:
            break;
        }
        if (!last.isEmpty())
            lastVmStep.insert(vm, last);
    }

    // Provisioning: the database, vector store, cache and LLM first, then the API (its .env names
    // their addresses), the gateway last (it proxies to the API replicas).
    QHash<plan::Role, QStringList> provisionIds;
    for (plan::Role role : plan::kAllRoles) {
        for (const plan::Vm *vm : plan.vmsWithRole(role)) {
            if (!provisioned.contains(vm->name))
                continue;
            QStringList deps;
            if (lastVmStep.contains(vm->name))
                deps.append(lastVmStep.value(vm->name));
            if (role == plan::Role::Api)
                for (plan::Role before : {plan::Role::Db, plan::Role::Vector, plan::Role::Redis})
                    deps += provisionIds.value(before);
            if (role == plan::Role::Gateway)
                deps += provisionIds.value(plan::Role::Api);
            Action action{
                idFor("provision", vm->name), ActionType::Provision, vm->name, deps, false, {}};
            action.change.vmName = vm->name;
            provisionIds[role].append(add(action));
        }
    }

    // HA and jobs, after the VMs they are about.
    QHash<QString, QString> haResourceIds; // sid → action id
    for (ObjectKind kind : {ObjectKind::HaGroup, ObjectKind::HaResource, ObjectKind::HaRule,
                            ObjectKind::Replication, ObjectKind::Backup}) {
        for (const Change &change : changeset.changes) {
            if (change.object != kind || !change.counts())
                continue;
            QStringList deps;
            if (!change.vmName.isEmpty() && lastVmStep.contains(change.vmName))
                deps.append(lastVmStep.value(change.vmName));
            switch (kind) {
            case ObjectKind::HaGroup:
                add({idFor("ha-group", change.id), ActionType::HaGroup, change.vmName, deps, false,
                     change});
                break;
            case ObjectKind::HaResource: {
                const QString vmName = change.vmName;
                const plan::Vm *vm = plan.vm(vmName);
                if (vm && changeset.majorRelease < 9) {
                    const QString group = idFor("ha-group", haGroupOf(plan, *vm));
                    if (std::any_of(actions.cbegin(), actions.cend(),
                                    [&group](const Action &a) { return a.id == group; }))
                        deps.append(group);
                }
                haResourceIds.insert(change.id,
                                     add({idFor("ha-resource", vmName), ActionType::HaResource,
                                          vmName, deps, false, change}));
                break;
            }
            case ObjectKind::HaRule: {
                // A rule names HA resources, which must exist first.
                for (const QString &sid :
                     change.field(QStringLiteral("resources")).split(QLatin1Char(',')))
                    if (haResourceIds.contains(sid))
                        deps.append(haResourceIds.value(sid));
                add({idFor("ha-rule", change.id), ActionType::HaRule, change.vmName, deps, false,
                     change});
                break;
            }
            case ObjectKind::Replication:
                add({idFor("replication", change.id), ActionType::Replication, change.vmName, deps,
                     false, change});
                break;
            case ObjectKind::Backup: {
                if (const plan::BackupJob *job = [&]() -> const plan::BackupJob * {
                        for (const plan::BackupJob &b : plan.backups)
                            if (b.id == change.id)
                                return &b;
                        return nullptr;
                    }())
                    for (const QString &name : job->vms)
                        if (lastVmStep.contains(name))
                            deps.append(lastVmStep.value(name));
                add({idFor("backup", change.id), ActionType::Backup, {}, deps, false, change});
                break;
            }
            case ObjectKind::Vm:
            case ObjectKind::Pool:
                break;
            }
        }
    }

    // Pools, once their new members exist; nothing else waits for them.
    for (const Change &change : changeset.changes) {
        if (change.object != ObjectKind::Pool || !change.counts())
            continue;
        QStringList deps;
        for (const FieldChange &field : change.fields)
            if (const QString member = poolMemberOf(field.field); cloneStep.contains(member))
                deps.append(cloneStep.value(member));
        add({idFor("pool", change.id), ActionType::Pool, {}, deps, false, change});
    }

    // Drop dependencies on actions not in this run.
    QSet<QString> ids;
    for (const Action &action : actions)
        ids.insert(action.id);
    for (Action &action : actions) {
        action.dependsOn.removeIf([&ids](const QString &id) { return !ids.contains(id); });
        action.dependsOn.removeDuplicates();
    }
    return actions;
}

ActionScheduler::ActionScheduler(QList<Action> actions, int maxTasks)
    : m_actions(std::move(actions))
    , m_maxTasks(maxTasks)
{
    m_states.fill(ActionState::Pending, m_actions.size());
    m_dependants.resize(m_actions.size());
    m_missing.fill(0, m_actions.size());
    for (int i = 0; i < m_actions.size(); ++i)
        m_index.insert(m_actions.at(i).id, i);
    for (int i = 0; i < m_actions.size(); ++i)
        for (const QString &dependency : m_actions.at(i).dependsOn) {
            const int from = m_index.value(dependency, -1);
            if (from < 0)
                continue;
            m_dependants[from].append(i);
            ++m_missing[i];
        }
}

ActionState ActionScheduler::state(const QString &id) const
{
    const int index = indexOf(id);
    return index < 0 ? ActionState::Pending : m_states.at(index);
}

void ActionScheduler::markDone(const QString &id)
{
    const int index = indexOf(id);
    if (index < 0 || m_states.at(index) != ActionState::Pending)
        return;
    m_states[index] = ActionState::Done;
    for (int dependant : m_dependants.at(index))
        --m_missing[dependant];
}

QList<int> ActionScheduler::takeReady()
{
    QList<int> ready;
    for (int i = 0; i < m_actions.size(); ++i) {
        if (m_states.at(i) != ActionState::Pending || m_missing.at(i) > 0)
            continue;
        if (m_actions.at(i).usesTask) {
            if (m_runningTasks >= m_maxTasks)
                continue;
            ++m_runningTasks;
        }
        m_states[i] = ActionState::Running;
        ready.append(i);
    }
    return ready;
}

void ActionScheduler::finish(int index, bool succeeded)
{
    if (m_states.at(index) != ActionState::Running)
        return;
    if (m_actions.at(index).usesTask)
        --m_runningTasks;
    m_states[index] = succeeded ? ActionState::Done : ActionState::Failed;
    for (int dependant : m_dependants.at(index)) {
        if (succeeded)
            --m_missing[dependant];
        else
            block(dependant);
    }
}

void ActionScheduler::block(int index)
{
    if (m_states.at(index) != ActionState::Pending)
        return;
    m_states[index] = ActionState::Blocked;
    for (int dependant : m_dependants.at(index))
        block(dependant);
}

bool ActionScheduler::isFinished() const
{
    return std::none_of(m_states.cbegin(), m_states.cend(), [](ActionState state) {
        return state == ActionState::Pending || state == ActionState::Running;
    });
}

int ActionScheduler::count(ActionState state) const
{
    return int(std::count(m_states.cbegin(), m_states.cend(), state));
}

} // namespace rae::deploy
