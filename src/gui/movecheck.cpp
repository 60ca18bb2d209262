#include "movecheck.h"

#include "validation/validator.h"

#include <QCoreApplication>
#include <QSet>

namespace rae::gui {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::gui::MoveCheck)
};

// Findings are compared by what they say, not where in the file they point.
QString identity(const validation::Finding &finding)
{
    return finding.ruleId + QLatin1Char('|') + validation::subjectKindName(finding.subject.kind) +
           QLatin1Char('|') + finding.subject.name + QLatin1Char('|') + finding.message;
}

} // namespace

plan::Plan planWithMove(const plan::Plan &plan, const QStringList &vms, const QString &node)
{
    plan::Plan moved = plan;
    for (plan::Vm &vm : moved.vms) {
        if (vms.contains(vm.name))
            vm.node = node;
    }
    return moved;
}

MoveVerdict checkMove(const plan::Plan &plan, const QList<validation::Finding> &current,
                      const QStringList &vms, const QString &node)
{
    MoveVerdict verdict;
    if (!plan.node(node)) {
        verdict.kind = MoveVerdict::Kind::Forbidden;
        verdict.reason = Tr::tr("The plan has no node %1.").arg(node);
        return verdict;
    }
    bool changes = false;
    for (const QString &name : vms) {
        const plan::Vm *vm = plan.vm(name);
        if (!vm) {
            verdict.kind = MoveVerdict::Kind::Forbidden;
            verdict.reason = Tr::tr("The plan has no VM %1 any more.").arg(name);
            return verdict;
        }
        changes = changes || vm->node != node;
    }
    if (!changes) {
        verdict.kind = MoveVerdict::Kind::NoChange;
        return verdict;
    }

    QSet<QString> before;
    for (const validation::Finding &finding : current) {
        if (finding.severity == validation::Severity::Error)
            before.insert(identity(finding));
    }
    for (const validation::Finding &finding : validation::validate(planWithMove(plan, vms, node))) {
        if (finding.severity == validation::Severity::Error && !before.contains(identity(finding)))
            verdict.introduced.append(finding);
    }
    if (verdict.introduced.isEmpty())
        return verdict;

    const validation::Finding &first = verdict.introduced.first();
    verdict.kind = MoveVerdict::Kind::Forbidden;
    verdict.ruleId = first.ruleId;
    verdict.reason = first.hint.isEmpty()
                         ? Tr::tr("%1: %2").arg(first.ruleId, first.message)
                         : Tr::tr("%1: %2 %3").arg(first.ruleId, first.message, first.hint);
    return verdict;
}

} // namespace rae::gui
