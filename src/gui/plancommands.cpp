#include "plancommands.h"

#include "plandocument.h"

#include <QCoreApplication>

namespace rae::gui {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::gui::PlanCommands)
};

} // namespace

MoveVmsCommand::MoveVmsCommand(PlanDocument *document, Placement before, Placement after)
    : m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{
    if (m_after.size() == 1) {
        setText(Tr::tr("Move %1 to %2").arg(m_after.first().first, m_after.first().second));
    } else {
        setText(Tr::tr("Move %n VMs", nullptr, int(m_after.size())));
    }
}

void MoveVmsCommand::undo()
{
    m_document->applyNodes(m_before);
}

void MoveVmsCommand::redo()
{
    m_document->applyNodes(m_after);
}

EditVmCommand::EditVmCommand(PlanDocument *document, const QString &name, plan::Vm before,
                             plan::Vm after, const QString &mergeKey)
    : m_document(document)
    , m_name(name)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_mergeKey(mergeKey)
{
    setText(Tr::tr("Edit %1").arg(name));
}

bool EditVmCommand::mergeWith(const QUndoCommand *other)
{
    const auto *edit = static_cast<const EditVmCommand *>(other);
    if (edit->m_name != m_name || edit->m_mergeKey != m_mergeKey || m_mergeKey.isEmpty())
        return false;
    m_after = edit->m_after;
    return true;
}

void EditVmCommand::undo()
{
    m_document->applyVm(m_after.name, m_before);
}

void EditVmCommand::redo()
{
    m_document->applyVm(m_before.name, m_after);
}

} // namespace rae::gui
