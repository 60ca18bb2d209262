#pragma once

#include "common/result.h"
#include "deploy/snapshot.h"
#include "plan/plan.h"

#include <QList>
#include <QMap>
#include <QString>

namespace rae::deploy {

enum class ObjectKind
{
    Vm,
    HaGroup,
    HaRule,
    HaResource,
    Replication,
    Backup,
    Pool // a resource pool and the plan VMs to add to it
};

enum class ChangeKind
{
    Create,
    Update,
    Migrate,
    Keep,   // differs from the plan on purpose: HA moved the VM to a node the plan allows
    Remove, // only with prune
    Orphan, // RAE's, not in the plan, left alone without prune
};

struct FieldChange
{
    QString field;
    QString before; // empty for a new object
    QString after;  // empty for a removed one
    friend bool operator==(const FieldChange &, const FieldChange &) = default;
};

struct Change
{
    ObjectKind object = ObjectKind::Vm;
    ChangeKind kind = ChangeKind::Create;
    QString id;     // VM name, group/rule/job id, or HA sid
    QString vmName; // the plan VM it belongs to, when it belongs to one
    int vmid = 0;   // 0: assigned when the VM is created
    QString node;   // VM: where it is to be (create, migrate)
    QList<FieldChange> fields;
    QString note;

    bool counts() const { return kind != ChangeKind::Keep && kind != ChangeKind::Orphan; }
    QString field(const QString &name) const; // the `after` of a field, empty when unchanged
    bool changes(const QString &name) const;
};

struct Changeset
{
    int majorRelease = 9;
    QList<Change> changes;
    QList<Error> errors; // what the plan asks that cannot be done (a disk shrink, a name clash)

    int count() const; // changes that will be made
    int count(ChangeKind kind) const;
    bool hasErrors() const { return !errors.isEmpty(); }
};

struct DiffOptions
{
    bool prune = false;
    // VM name → id given to it by an earlier, unfinished apply (from the journal), so that a
    // clone interrupted before its tags were set is still recognised as ours.
    QMap<QString, int> knownVmids;
};

// The VM as the plan wants it, in Proxmox's terms.
struct DesiredVm
{
    QStringList tags; // sorted
    QList<SnapshotNic> nics;
    QList<SnapshotDisk> disks;
    QString gpuMapping;
    QMap<int, QString> ipConfigs; // ipconfigN → "ip=10.20.0.11/24,gw=10.20.0.1"
};
DesiredVm desiredVm(const plan::Plan &plan, const plan::Vm &vm);

// The HA resource id of a VM: `vm:<id>`, or `vm:<name>` for one a run has not cloned yet (the
// executor resolves it once the VM has an id).
QString sidOf(int vmid, const QString &vmName);
// Stable ids of what the deployment creates around the VMs.
QString haGroupId(const plan::Vm &vm);
QString nodeAffinityRuleId(const plan::Vm &vm);
QString pruneBackupsText(const plan::Retention &retention);
// The field of a pool change that adds a VM: `member rae-db`, before its pool, after the plan's.
QString poolMemberField(const QString &vmName);
QString poolMemberOf(const QString &field); // the VM name, empty for other fields

// Plan against snapshot, per object.
Changeset computeChangeset(const plan::Plan &plan, const ClusterSnapshot &snapshot,
                           const DiffOptions &options = {});

// `terraform plan`-like text: one object a block, `+` create, `~` change, `>` move, `-` remove,
// `!` listed but left alone, then one summary line.
QString renderChangeset(const Changeset &changeset);

} // namespace rae::deploy
