#include "placementsuggestion.h"

#include "plandocument.h"

#include <QPromise>
#include <QThreadPool>
#include <QUndoStack>

namespace rae::gui {

PlacementSuggestion::PlacementSuggestion(PlanDocument *document, QObject *parent)
    : QObject(parent)
    , m_document(document)
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this] {
        const QFuture<ha::PlacementSearch> future = m_watcher.future();
        if (future.resultCount() > 0)
            emit ready(future.result());
    });
}

PlacementSuggestion::~PlacementSuggestion()
{
    // The worker holds its own copy of the plan; only its answer must not arrive here any more.
    m_watcher.disconnect(this);
}

void PlacementSuggestion::start()
{
    if (m_watcher.isRunning())
        return;
    m_searchedRevision = m_document->revision();
    auto promise = std::make_shared<QPromise<ha::PlacementSearch>>();
    m_watcher.setFuture(promise->future());
    promise->start();
    // Exhaustive over up to 8 nodes and 12 VMs: far too long for the GUI thread.
    QThreadPool::globalInstance()->start([plan = m_document->plan(), promise] {
        promise->addResult(ha::searchPlacement(plan));
        promise->finish();
    });
}

QList<std::pair<QString, QString>>
PlacementSuggestion::moves(const ha::PlacementSearch &search) const
{
    QList<std::pair<QString, QString>> out;
    for (const plan::Vm &vm : m_document->plan().vms) {
        const QString node = search.nodeOfVm.value(vm.name);
        if (!node.isEmpty() && node != vm.node)
            out.append({vm.name, node});
    }
    return out;
}

bool PlacementSuggestion::apply(const ha::PlacementSearch &search)
{
    if (!search.found || m_document->revision() != m_searchedRevision)
        return false;
    const auto planned = moves(search);
    if (planned.isEmpty())
        return true;
    QUndoStack *undo = m_document->undoStack();
    undo->beginMacro(tr("Suggested placement (%n move(s))", nullptr, int(planned.size())));
    for (const auto &[vm, node] : planned)
        m_document->moveVms({vm}, node);
    undo->endMacro();
    return true;
}

} // namespace rae::gui
