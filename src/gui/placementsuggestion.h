#pragma once

#include "ha/placement.h"

#include <QFutureWatcher>
#include <QObject>

namespace rae::gui {

class PlanDocument;

// "Suggest placement": the placement search of src/core/ha (the CLI's `place`) on a worker
// thread for the document's plan as it is now; its result can be applied as one undoable edit.
// Lives on the GUI thread.
class PlacementSuggestion final : public QObject
{
    Q_OBJECT

public:
    explicit PlacementSuggestion(PlanDocument *document, QObject *parent = nullptr);
    ~PlacementSuggestion() override;

    void start();
    bool isRunning() const { return m_watcher.isRunning(); }

    // The VMs the search moves, as (VM name, node) pairs, in plan order.
    QList<std::pair<QString, QString>> moves(const ha::PlacementSearch &search) const;
    // Pushes the moves as one undo macro. Refused (false) when the plan changed since the search.
    bool apply(const ha::PlacementSearch &search);

signals:
    void ready(const rae::ha::PlacementSearch &search);

private:
    PlanDocument *m_document = nullptr;
    QFutureWatcher<ha::PlacementSearch> m_watcher;
    quint64 m_searchedRevision = 0;
};

} // namespace rae::gui
