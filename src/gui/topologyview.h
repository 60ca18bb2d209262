#pragma once

#include "movecheck.h"
#include "topologyscene.h"

#include <QGraphicsView>
#include <QHash>

#include <functional>

namespace rae::gui {

// The view of the topology scene: zoom, fit, keyboard navigation between tiles, and the drop
// side of dragging VMs onto a node. Whether a drop is allowed is asked from a checker the owner
// sets; hovering a node shows the answer, and a drop re-checks it before moveRequested().
class TopologyView final : public QGraphicsView
{
    Q_OBJECT

public:
    using MoveChecker = std::function<MoveVerdict(const VmDragPayload &, const QString &node)>;

    explicit TopologyView(TopologyScene *scene, QWidget *parent = nullptr);

    TopologyScene *topologyScene() const { return m_scene; }
    void setMoveChecker(MoveChecker checker) { m_checker = std::move(checker); }

    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void resetZoom();
    qreal zoom() const;
    void ensureKeyVisible(const QString &key);

signals:
    void moveRequested(const rae::gui::VmDragPayload &payload, const QString &node);
    void dropRefused(const QString &reason);
    void dropHint(const QString &text); // empty when the drag left the nodes
    // Right click on a node's container (or on a tile: its node). `globalPos` for the menu.
    void nodeContextMenuRequested(const QString &node, const QPoint &globalPos);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    MoveVerdict verdictFor(const VmDragPayload &payload, const QString &node);
    void moveSelection(int dx, int dy);
    void scaleBy(qreal factor);

    TopologyScene *m_scene = nullptr;
    MoveChecker m_checker;
    // The graph follows the window's size until the user zooms by hand; Fit turns it back on.
    bool m_fitsWindow = true;
    QHash<QString, MoveVerdict> m_verdicts; // during one drag: keys + node → verdict
};

} // namespace rae::gui
