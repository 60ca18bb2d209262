#pragma once

#include "plan/plan.h"

#include <QList>
#include <QString>
#include <QUndoCommand>

namespace rae::gui {

class PlanDocument;

// Moves plan VMs between nodes (a drop on the topology graph).
class MoveVmsCommand final : public QUndoCommand
{
public:
    using Placement = QList<std::pair<QString, QString>>; // VM name, node

    MoveVmsCommand(PlanDocument *document, Placement before, Placement after);

    void undo() override;
    void redo() override;

private:
    PlanDocument *m_document = nullptr;
    Placement m_before;
    Placement m_after;
};

// Replaces one VM's settings (the properties panel). Edits of the same field merge.
class EditVmCommand final : public QUndoCommand
{
public:
    static constexpr int Id = 0x52414501;

    EditVmCommand(PlanDocument *document, const QString &name, plan::Vm before, plan::Vm after,
                  const QString &mergeKey);

    int id() const override { return Id; }
    bool mergeWith(const QUndoCommand *other) override;
    void undo() override;
    void redo() override;

private:
    PlanDocument *m_document = nullptr;
    QString m_name;
    plan::Vm m_before;
    plan::Vm m_after;
    QString m_mergeKey;
};

} // namespace rae::gui
