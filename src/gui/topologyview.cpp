#include "topologyview.h"

#include "topologyitems.h"

#include <QContextMenuEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QKeyEvent>
#include <QResizeEvent>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>
#include <limits>

namespace rae::gui {

TopologyView::TopologyView(TopologyScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene)
{
    setAcceptDrops(true);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setBackgroundBrush(QColor(0xe8, 0xed, 0xf2));
    setFocusPolicy(Qt::StrongFocus);
}

qreal TopologyView::zoom() const
{
    return transform().m11();
}

void TopologyView::scaleBy(qreal factor)
{
    m_fitsWindow = false;
    const qreal next = zoom() * factor;
    if (next < 0.1 || next > 4.0)
        return;
    scale(factor, factor);
}

void TopologyView::zoomIn()
{
    scaleBy(1.25);
}

void TopologyView::zoomOut()
{
    scaleBy(0.8);
}

void TopologyView::resetZoom()
{
    m_fitsWindow = false;
    resetTransform();
}

void TopologyView::zoomToFit()
{
    m_fitsWindow = true;
    const QRectF bounds = m_scene->itemsBoundingRect().adjusted(-20, -20, 20, 20);
    if (bounds.isEmpty())
        return;
    fitInView(bounds, Qt::KeepAspectRatio);
    if (zoom() > 1.5) {
        // A small plan is enlarged a little, not blown up.
        resetTransform();
        scale(1.5, 1.5);
    }
}

void TopologyView::ensureKeyVisible(const QString &key)
{
    if (VmTileItem *tile = m_scene->tileItem(key))
        ensureVisible(tile, 40, 40);
}

MoveVerdict TopologyView::verdictFor(const VmDragPayload &payload, const QString &node)
{
    const QString cacheKey = payload.source + QLatin1Char('|') +
                             payload.keys.join(QLatin1Char(',')) + QLatin1Char('|') + node;
    if (auto it = m_verdicts.constFind(cacheKey); it != m_verdicts.cend())
        return it.value();
    MoveVerdict verdict;
    if (m_checker) {
        verdict = m_checker(payload, node);
    } else {
        verdict.kind = MoveVerdict::Kind::Forbidden;
        verdict.reason = tr("VMs cannot be moved here.");
    }
    m_verdicts.insert(cacheKey, verdict);
    return verdict;
}

void TopologyView::dragEnterEvent(QDragEnterEvent *event)
{
    m_verdicts.clear();
    if (VmDragPayload::fromMimeData(event->mimeData())) {
        event->setDropAction(Qt::MoveAction);
        event->accept();
        return;
    }
    event->ignore();
}

void TopologyView::dragMoveEvent(QDragMoveEvent *event)
{
    const auto payload = VmDragPayload::fromMimeData(event->mimeData());
    if (!payload) {
        event->ignore();
        return;
    }
    NodeItem *target = m_scene->nodeAt(mapToScene(event->position().toPoint()));
    for (NodeItem *node : m_scene->nodeItems()) {
        if (node != target)
            node->setDropHint(NodeItem::DropHint::None);
    }
    if (!target) {
        emit dropHint({});
        event->ignore();
        return;
    }

    const MoveVerdict verdict = verdictFor(*payload, target->node().name);
    switch (verdict.kind) {
    case MoveVerdict::Kind::Allowed:
        target->setDropHint(NodeItem::DropHint::Allowed);
        emit dropHint(tr("Drop to move to %1").arg(target->node().name));
        QToolTip::hideText();
        event->setDropAction(Qt::MoveAction);
        event->accept();
        return;
    case MoveVerdict::Kind::NoChange:
        target->setDropHint(NodeItem::DropHint::None);
        emit dropHint({});
        event->ignore();
        return;
    case MoveVerdict::Kind::Forbidden:
        target->setDropHint(NodeItem::DropHint::Forbidden);
        emit dropHint(verdict.reason);
        QToolTip::showText(viewport()->mapToGlobal(event->position().toPoint()), verdict.reason,
                           viewport());
        // Accepting keeps the drop events coming so that a drop here can be refused with the
        // reason; the drop itself re-checks and does nothing.
        event->setDropAction(Qt::MoveAction);
        event->accept();
        return;
    }
}

void TopologyView::dragLeaveEvent(QDragLeaveEvent *event)
{
    m_scene->clearDropHints();
    emit dropHint({});
    QGraphicsView::dragLeaveEvent(event);
}

void TopologyView::dropEvent(QDropEvent *event)
{
    m_scene->clearDropHints();
    emit dropHint({});
    const auto payload = VmDragPayload::fromMimeData(event->mimeData());
    NodeItem *target = m_scene->nodeAt(mapToScene(event->position().toPoint()));
    if (!payload || !target) {
        event->ignore();
        return;
    }
    // The plan may have changed since the hover: ask again.
    m_verdicts.clear();
    const MoveVerdict verdict = verdictFor(*payload, target->node().name);
    m_verdicts.clear();
    if (verdict.kind == MoveVerdict::Kind::Forbidden) {
        event->setDropAction(Qt::IgnoreAction);
        event->ignore();
        emit dropRefused(verdict.reason);
        return;
    }
    if (verdict.kind == MoveVerdict::Kind::NoChange) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::MoveAction);
    event->accept();
    emit moveRequested(*payload, target->node().name);
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitsWindow)
        zoomToFit();
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        scaleBy(std::pow(1.0015, event->angleDelta().y()));
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void TopologyView::moveSelection(int dx, int dy)
{
    const QStringList selected = m_scene->selectedKeys();
    VmTileItem *current = selected.isEmpty() ? nullptr : m_scene->tileItem(selected.first());
    QList<VmTileItem *> tiles;
    for (const TopologyVm &vm : m_scene->topology().vms) {
        if (VmTileItem *tile = m_scene->tileItem(vm.key))
            tiles.append(tile);
    }
    if (tiles.isEmpty())
        return;
    if (!current) {
        std::sort(tiles.begin(), tiles.end(), [](VmTileItem *a, VmTileItem *b) {
            return std::pair(a->y(), a->x()) < std::pair(b->y(), b->x());
        });
        m_scene->selectKey(tiles.first()->vm().key);
        ensureKeyVisible(tiles.first()->vm().key);
        return;
    }
    // The nearest tile in the direction pressed, preferring ones straight ahead.
    VmTileItem *best = nullptr;
    double bestScore = std::numeric_limits<double>::max();
    for (VmTileItem *tile : std::as_const(tiles)) {
        if (tile == current)
            continue;
        const QPointF d = tile->pos() - current->pos();
        const double along = d.x() * dx + d.y() * dy;
        if (along <= 0.5)
            continue;
        const double across = std::abs(d.x() * dy) + std::abs(d.y() * dx);
        const double score = along + 2 * across;
        if (score < bestScore) {
            bestScore = score;
            best = tile;
        }
    }
    if (best) {
        m_scene->selectKey(best->vm().key);
        ensureKeyVisible(best->vm().key);
    }
}

void TopologyView::contextMenuEvent(QContextMenuEvent *event)
{
    if (NodeItem *node = m_scene->nodeAt(mapToScene(event->pos()))) {
        m_scene->setFocusItem(node);
        emit nodeContextMenuRequested(node->node().name, event->globalPos());
        event->accept();
        return;
    }
    QGraphicsView::contextMenuEvent(event);
}

void TopologyView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Left:
        moveSelection(-1, 0);
        return;
    case Qt::Key_Right:
        moveSelection(1, 0);
        return;
    case Qt::Key_Up:
        moveSelection(0, -1);
        return;
    case Qt::Key_Down:
        moveSelection(0, 1);
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    default:
        QGraphicsView::keyPressEvent(event);
    }
}

} // namespace rae::gui
