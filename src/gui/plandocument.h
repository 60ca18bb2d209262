#pragma once

#include "common/result.h"
#include "plan/plan.h"
#include "plan/planwriter.h"
#include "validation/finding.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QUndoStack>

namespace rae::gui {

// An open plan: its value, where it is saved, its undo history and its latest findings. Every
// edit goes through a QUndoCommand on undoStack(); validation reruns after each change on a
// worker thread and findingsChanged() hands the result back here. Lives on the GUI thread.
class PlanDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlanDocument)

public:
    explicit PlanDocument(QObject *parent = nullptr);
    ~PlanDocument() override;

    // Reads a plan from a file; a path in the resources (":/...") opens as an untitled copy.
    Status load(const QString &path);
    // Replaces the document by `plan` (for example a recovered one); marks it modified when
    // `modified` says the text differs from the file at `path`.
    void reset(const plan::Plan &plan, const QString &path, bool modified);

    // Atomic save. With CommentPolicy::Keep a file with comments is left alone (see
    // hasCommentsAt()); the caller asks the user and repeats with Discard.
    Status save(const QString &path, plan::CommentPolicy comments);
    static QList<int> commentLinesAt(const QString &path);

    const plan::Plan &plan() const { return m_plan; }
    QString path() const { return m_path; }
    QString displayName() const;
    bool isModified() const { return !m_undo.isClean() || m_modifiedWithoutUndo; }
    QUndoStack *undoStack() { return &m_undo; }

    const QList<validation::Finding> &findings() const { return m_findings; }
    bool isValidating() const { return m_watcher.isRunning(); }
    quint64 revision() const { return m_revision; }

    // Edits, each an undoable command.
    void moveVms(const QStringList &vms, const QString &node);
    // Replaces the VM called `name` by `after`. Successive edits with the same `mergeKey` (a field
    // of the same VM) merge into one undo step, as typing in one box should.
    void editVm(const QString &name, const plan::Vm &after, const QString &mergeKey);

    // Used by the undo commands only.
    void applyVm(const QString &name, const plan::Vm &vm);
    void applyNodes(const QList<std::pair<QString, QString>> &nodeOfVm); // VM name, node

signals:
    void planChanged();
    void findingsChanged();
    void modifiedChanged(bool modified);
    void pathChanged(const QString &path);

private:
    void changed();
    void startValidation();
    void onValidated();

    plan::Plan m_plan;
    QString m_path;
    QString m_untitledName;
    QUndoStack m_undo;
    bool m_modifiedWithoutUndo = false;
    QList<validation::Finding> m_findings;
    QFutureWatcher<QList<validation::Finding>> m_watcher;
    quint64 m_revision = 0;           // bumped on every change of the plan
    quint64 m_validatedRevision = 0;  // what m_watcher is computing
    bool m_validationPending = false; // the plan changed while a validation ran
};

} // namespace rae::gui
