#include "plandocument.h"

#include "plancommands.h"

#include "plan/planreader.h"
#include "validation/validator.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPromise>
#include <QThreadPool>

Q_LOGGING_CATEGORY(lcPlanDocument, "raedeploy.gui.plan")

namespace rae::gui {

PlanDocument::PlanDocument(QObject *parent)
    : QObject(parent)
{
    connect(&m_undo, &QUndoStack::cleanChanged, this,
            [this](bool) { emit modifiedChanged(isModified()); });
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &PlanDocument::onValidated);
}

PlanDocument::~PlanDocument() = default;

Status PlanDocument::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{tr("Cannot read the plan: %1").arg(file.errorString()),
                     tr("Check that the file exists and that you may read it."), path};
    }
    const bool embedded = path.startsWith(QLatin1Char(':'));
    auto read = plan::readPlan(file.readAll(), QFileInfo(path).fileName());
    if (!read) {
        const auto &problems = read.error().problems;
        Error error{tr("The plan has %n problem(s).", nullptr, int(problems.size())),
                    read.error().toString(), path};
        return error;
    }
    m_untitledName = embedded ? QFileInfo(path).fileName() : QString();
    reset(*read, embedded ? QString() : path, false);
    return Done{};
}

void PlanDocument::reset(const plan::Plan &plan, const QString &path, bool modified)
{
    m_plan = plan;
    m_undo.clear();
    m_modifiedWithoutUndo = modified;
    if (m_path != path) {
        m_path = path;
        emit pathChanged(m_path);
    }
    emit modifiedChanged(isModified());
    changed();
}

QString PlanDocument::displayName() const
{
    if (!m_path.isEmpty())
        return QFileInfo(m_path).fileName();
    return m_untitledName.isEmpty() ? tr("untitled plan") : m_untitledName;
}

QList<int> PlanDocument::commentLinesAt(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return plan::commentLines(file.readAll());
}

Status PlanDocument::save(const QString &path, plan::CommentPolicy comments)
{
    Status written = plan::writePlanFile(path, m_plan, comments);
    if (!written)
        return written;
    qCInfo(lcPlanDocument) << "saved plan" << path;
    m_undo.setClean();
    m_modifiedWithoutUndo = false;
    m_untitledName.clear();
    if (m_path != path) {
        m_path = path;
        emit pathChanged(m_path);
    }
    emit modifiedChanged(false);
    return Done{};
}

void PlanDocument::moveVms(const QStringList &vms, const QString &node)
{
    MoveVmsCommand::Placement before;
    MoveVmsCommand::Placement after;
    for (const QString &name : vms) {
        if (const plan::Vm *vm = m_plan.vm(name); vm && vm->node != node) {
            before.append({name, vm->node});
            after.append({name, node});
        }
    }
    if (after.isEmpty())
        return;
    m_undo.push(new MoveVmsCommand(this, before, after));
}

void PlanDocument::editVm(const QString &name, const plan::Vm &after, const QString &mergeKey)
{
    const plan::Vm *before = m_plan.vm(name);
    if (!before || *before == after)
        return;
    m_undo.push(new EditVmCommand(this, name, *before, after, mergeKey));
}

void PlanDocument::applyVm(const QString &name, const plan::Vm &vm)
{
    for (plan::Vm &candidate : m_plan.vms) {
        if (candidate.name == name) {
            candidate = vm;
            changed();
            return;
        }
    }
}

void PlanDocument::applyNodes(const QList<std::pair<QString, QString>> &nodeOfVm)
{
    for (const auto &[name, node] : nodeOfVm) {
        for (plan::Vm &vm : m_plan.vms) {
            if (vm.name == name)
                vm.node = node;
        }
    }
    changed();
}

void PlanDocument::changed()
{
    ++m_revision;
    emit planChanged();
    startValidation();
}

void PlanDocument::startValidation()
{
    if (m_watcher.isRunning()) {
        m_validationPending = true;
        return;
    }
    m_validationPending = false;
    m_validatedRevision = m_revision;

    // The rules include the failure analysis, which grows with the cluster: keep it off the GUI
    // thread. The worker gets its own copy of the plan.
    auto promise = std::make_shared<QPromise<QList<validation::Finding>>>();
    m_watcher.setFuture(promise->future());
    promise->start();
    QThreadPool::globalInstance()->start([plan = m_plan, promise] {
        promise->addResult(validation::validate(plan));
        promise->finish();
    });
}

void PlanDocument::onValidated()
{
    if (m_validationPending || m_validatedRevision != m_revision) {
        startValidation();
        return;
    }
    const QFuture<QList<validation::Finding>> future = m_watcher.future();
    if (future.resultCount() == 0)
        return;
    m_findings = future.result();
    emit findingsChanged();
}

} // namespace rae::gui
