#pragma once

#include "plan/plan.h"
#include "validation/finding.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace rae::gui {

// Whether moving plan VMs to a node is allowed, and if not, which rule says so and why.
struct MoveVerdict
{
    enum class Kind
    {
        Allowed,
        NoChange, // every VM is on that node already
        Forbidden
    };
    Kind kind = Kind::Allowed;
    QString ruleId; // Forbidden by a rule: its id; empty for an unknown VM or node
    QString reason; // for people: the rule's message and hint
    QList<validation::Finding> introduced; // errors the move would add

    bool allowed() const { return kind == Kind::Allowed; }
};

// The plan with `vms` (names) placed on `node`.
plan::Plan planWithMove(const plan::Plan &plan, const QStringList &vms, const QString &node);

// Runs every rule on the plan as it would be after the move. The move is forbidden when it adds
// an error that `current` (the findings of `plan` as it is) does not have: a rule such as
// gpu.llm-needs-mapping, placement.anti-affinity or capacity.* would fail because of it.
MoveVerdict checkMove(const plan::Plan &plan, const QList<validation::Finding> &current,
                      const QStringList &vms, const QString &node);

} // namespace rae::gui
