#include "topologyscene.h"

#include "topologyitems.h"

#include <QDrag>
#include <QGraphicsPathItem>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QSet>
#include <QStyleOptionGraphicsItem>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace rae::gui {

namespace {

constexpr qreal kNodeGap = 40;
constexpr qreal kTileGap = 10;
constexpr int kTileColumns = 2;
constexpr int kMaxNodesPerRow = 6;

int roleOrder(std::optional<plan::Role> role)
{
    return role ? int(*role) : 100;
}

} // namespace

QMimeData *VmDragPayload::toMimeData() const
{
    QJsonObject object{{QStringLiteral("source"), source},
                       {QStringLiteral("keys"), QJsonArray::fromStringList(keys)}};
    auto *mime = new QMimeData;
    mime->setData(QString::fromLatin1(kMimeType), QJsonDocument(object).toJson());
    mime->setText(keys.join(QLatin1Char(' ')));
    return mime;
}

std::optional<VmDragPayload> VmDragPayload::fromMimeData(const QMimeData *mime)
{
    if (!mime || !mime->hasFormat(QString::fromLatin1(kMimeType)))
        return std::nullopt;
    const QJsonDocument document =
        QJsonDocument::fromJson(mime->data(QString::fromLatin1(kMimeType)));
    if (!document.isObject())
        return std::nullopt;
    VmDragPayload payload;
    payload.source = document.object().value(QLatin1String("source")).toString();
    for (const QJsonValue &key : document.object().value(QLatin1String("keys")).toArray()) {
        if (key.isString())
            payload.keys.append(key.toString());
    }
    if (payload.keys.isEmpty())
        return std::nullopt;
    return payload;
}

TopologyScene::TopologyScene(QObject *parent)
    : QGraphicsScene(parent)
{
    setItemIndexMethod(QGraphicsScene::NoIndex); // few items that move together; BSP costs more
    connect(this, &QGraphicsScene::selectionChanged, this, [this] {
        const QStringList keys = selectedKeys();
        emit currentVmChanged(keys.size() == 1 ? keys.first() : QString());
    });
}

TopologyScene::~TopologyScene()
{
    blockSignals(true); // deleting selected items is not a selection change anyone should see
}

void TopologyScene::setTopology(const Topology &topology)
{
    if (topology == m_topology)
        return;

    QSet<QString> nodeNames;
    for (const TopologyNode &node : topology.nodes) {
        nodeNames.insert(node.name);
        if (NodeItem *item = m_nodes.value(node.name)) {
            item->setNode(node);
        } else {
            item = new NodeItem(node);
            addItem(item);
            m_nodes.insert(node.name, item);
        }
    }
    QSet<QString> vmKeys;
    for (const TopologyVm &vm : topology.vms) {
        vmKeys.insert(vm.key);
        if (VmTileItem *tile = m_tiles.value(vm.key)) {
            tile->setVm(vm);
        } else {
            tile = new VmTileItem(vm);
            tile->setDraggable(m_dragEnabled);
            tile->setActivity(m_activities.value(vm.key));
            addItem(tile);
            m_tiles.insert(vm.key, tile);
        }
    }

    // Edges point at tiles: drop them before the tiles they refer to.
    bool removedTiles = false;
    for (auto it = m_tiles.begin(); it != m_tiles.end();) {
        if (!vmKeys.contains(it.key())) {
            removedTiles = true;
            for (auto edge = m_edges.begin(); edge != m_edges.end();) {
                if (edge.value()->from() == it.value() || edge.value()->to() == it.value()) {
                    delete edge.value();
                    edge = m_edges.erase(edge);
                } else {
                    ++edge;
                }
            }
            delete it.value();
            it = m_tiles.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        if (!nodeNames.contains(it.key())) {
            delete it.value();
            it = m_nodes.erase(it);
        } else {
            ++it;
        }
    }

    const bool rolesChanged = [&] {
        if (topology.vms.size() != m_topology.vms.size() || removedTiles)
            return true;
        for (qsizetype i = 0; i < topology.vms.size(); ++i) {
            if (topology.vms[i].role != m_topology.vms[i].role ||
                topology.vms[i].key != m_topology.vms[i].key)
                return true;
        }
        return false;
    }();
    m_topology = topology;

    const QList<QStringList> signature = layoutSignature();
    const bool moved = signature != m_signature;
    if (moved) {
        m_signature = signature;
        relayout();
    }
    if (rolesChanged)
        rebuildEdges();
    else if (moved) {
        for (EdgeItem *edge : std::as_const(m_edges))
            edge->adjust();
    }
    rebuildRecoveryArrows();
}

void TopologyScene::rebuildRecoveryArrows()
{
    qDeleteAll(m_recoveryArrows);
    m_recoveryArrows.clear();
    for (const TopologyVm &vm : std::as_const(m_topology.vms)) {
        VmTileItem *tile = m_tiles.value(vm.key);
        NodeItem *target = m_nodes.value(vm.recoversTo);
        if (vm.recoversTo.isEmpty() || !tile || !target)
            continue;
        const QPointF from = tile->sceneBoundingRect().center();
        const QRectF box = target->sceneBoundingRect();
        // Into the free space at the bottom of the node, where the tile would be placed.
        const QPointF to(box.center().x(), box.bottom() - 14);
        QPainterPath path(from);
        const QPointF control((from.x() + to.x()) / 2, std::min(from.y(), to.y()) - 60);
        path.quadTo(control, to);
        const QLineF tail(path.pointAtPercent(0.97), to);
        const qreal angle = std::atan2(tail.dy(), tail.dx());
        constexpr qreal kHead = 13;
        QPolygonF head;
        head << to << to - QPointF(std::cos(angle - 0.45) * kHead, std::sin(angle - 0.45) * kHead)
             << to - QPointF(std::cos(angle + 0.45) * kHead, std::sin(angle + 0.45) * kHead) << to;
        path.addPolygon(head);
        auto *arrow = new QGraphicsPathItem(path);
        arrow->setPen(QPen(QColor(0x1d, 0x5f, 0xb0), 2.5, Qt::DashLine, Qt::RoundCap));
        arrow->setBrush(Qt::NoBrush);
        arrow->setZValue(5);
        arrow->setToolTip(tr("%1 recovers to %2").arg(vm.name, vm.recoversTo));
        auto *headItem = new QGraphicsPolygonItem(head, arrow);
        headItem->setBrush(QColor(0x1d, 0x5f, 0xb0));
        headItem->setPen(Qt::NoPen);
        addItem(arrow);
        m_recoveryArrows.append(arrow);
    }
}

QList<QStringList> TopologyScene::layoutSignature() const
{
    QHash<QString, QList<const TopologyVm *>> byNode;
    for (const TopologyVm &vm : m_topology.vms)
        byNode[vm.node].append(&vm);

    QList<QStringList> signature;
    signature.reserve(m_topology.nodes.size());
    for (const TopologyNode &node : m_topology.nodes) {
        QList<const TopologyVm *> vms = byNode.value(node.name);
        std::sort(vms.begin(), vms.end(), [](const TopologyVm *a, const TopologyVm *b) {
            const int ra = roleOrder(a->role);
            const int rb = roleOrder(b->role);
            if (ra != rb)
                return ra < rb;
            if (a->name != b->name)
                return a->name < b->name;
            return a->key < b->key;
        });
        QStringList entry{node.name};
        entry.reserve(vms.size() + 1);
        for (const TopologyVm *vm : vms)
            entry.append(vm->key);
        signature.append(entry);
    }
    return signature;
}

void TopologyScene::relayout()
{
    qreal x = 0;
    qreal y = 0;
    qreal rowHeight = 0;
    int column = 0;
    const int perRow = std::min<int>(kMaxNodesPerRow, std::max<int>(1, int(m_signature.size())));
    for (const QStringList &entry : std::as_const(m_signature)) {
        NodeItem *node = m_nodes.value(entry.first());
        if (!node)
            continue;
        const int tiles = int(entry.size()) - 1;
        const int rows = std::max(1, (tiles + kTileColumns - 1) / kTileColumns);
        const qreal height =
            NodeItem::kHeaderHeight + rows * (VmTileItem::kHeight + kTileGap) + kTileGap;
        node->setHeight(height);
        node->setPos(x, y);
        for (int i = 0; i < tiles; ++i) {
            if (VmTileItem *tile = m_tiles.value(entry[i + 1])) {
                const int row = i / kTileColumns;
                const int col = i % kTileColumns;
                tile->setPos(x + 10 + col * (VmTileItem::kWidth + kTileGap),
                             y + NodeItem::kHeaderHeight + kTileGap +
                                 row * (VmTileItem::kHeight + kTileGap));
            }
        }
        rowHeight = std::max(rowHeight, height);
        if (++column == perRow) {
            column = 0;
            x = 0;
            y += rowHeight + kNodeGap;
            rowHeight = 0;
        } else {
            x += NodeItem::kWidth + kNodeGap;
        }
    }
    // Tiles on a node the topology does not list (a guest on an unknown node) park below.
    qreal parked = 0;
    QSet<QString> placed;
    for (const QStringList &entry : std::as_const(m_signature)) {
        for (qsizetype i = 1; i < entry.size(); ++i)
            placed.insert(entry[i]);
    }
    for (auto it = m_tiles.cbegin(); it != m_tiles.cend(); ++it) {
        if (!placed.contains(it.key())) {
            it.value()->setPos(parked, y + rowHeight + kNodeGap);
            parked += VmTileItem::kWidth + kTileGap;
        }
    }
    setSceneRect(itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

void TopologyScene::rebuildEdges()
{
    QHash<plan::Role, QList<VmTileItem *>> byRole;
    for (const TopologyVm &vm : std::as_const(m_topology.vms)) {
        if (vm.role)
            byRole[*vm.role].append(m_tiles.value(vm.key));
    }
    static const QList<std::pair<plan::Role, plan::Role>> dependencies = {
        {plan::Role::Gateway, plan::Role::Api}, {plan::Role::Api, plan::Role::Db},
        {plan::Role::Api, plan::Role::Vector},  {plan::Role::Api, plan::Role::Redis},
        {plan::Role::Api, plan::Role::Llm},
    };
    QHash<QString, EdgeItem *> edges;
    for (const auto &[client, server] : dependencies) {
        for (VmTileItem *from : byRole.value(client)) {
            for (VmTileItem *to : byRole.value(server)) {
                if (!from || !to)
                    continue;
                const QString key = from->vm().key + QLatin1Char('>') + to->vm().key;
                EdgeItem *edge = m_edges.take(key);
                if (!edge) {
                    edge = new EdgeItem(from, to);
                    addItem(edge);
                } else {
                    edge->adjust();
                }
                edges.insert(key, edge);
            }
        }
    }
    qDeleteAll(m_edges);
    m_edges = edges;
}

NodeItem *TopologyScene::nodeAt(const QPointF &scenePos) const
{
    for (NodeItem *node : std::as_const(m_nodes)) {
        if (node->sceneBoundingRect().contains(scenePos))
            return node;
    }
    return nullptr;
}

QList<NodeItem *> TopologyScene::nodeItems() const
{
    QList<NodeItem *> nodes;
    for (const QStringList &entry : m_signature) {
        if (NodeItem *node = m_nodes.value(entry.first()))
            nodes.append(node);
    }
    return nodes;
}

QStringList TopologyScene::selectedKeys() const
{
    QStringList keys;
    for (QGraphicsItem *item : selectedItems()) {
        if (item->type() == VmTileItem::Type)
            keys.append(static_cast<VmTileItem *>(item)->vm().key);
    }
    keys.sort();
    return keys;
}

void TopologyScene::selectKey(const QString &key)
{
    clearSelection();
    if (VmTileItem *tile = m_tiles.value(key)) {
        tile->setSelected(true);
        setFocusItem(tile);
    }
}

void TopologyScene::clearDropHints()
{
    for (NodeItem *node : std::as_const(m_nodes))
        node->setDropHint(NodeItem::DropHint::None);
}

void TopologyScene::setActivity(const QString &key, const QString &text)
{
    if (text.isEmpty())
        m_activities.remove(key);
    else
        m_activities.insert(key, text);
    if (VmTileItem *tile = m_tiles.value(key))
        tile->setActivity(text);
}

void TopologyScene::setDragSource(const QString &source, bool enabled)
{
    m_dragSource = source;
    m_dragEnabled = enabled;
    for (VmTileItem *tile : std::as_const(m_tiles))
        tile->setDraggable(enabled);
}

VmDragPayload TopologyScene::payloadFor(VmTileItem *tile) const
{
    VmDragPayload payload;
    payload.source = m_dragSource;
    payload.keys = tile->isSelected() ? selectedKeys() : QStringList{tile->vm().key};
    return payload;
}

void TopologyScene::startDrag(VmTileItem *tile, QWidget *source)
{
    auto *drag = new QDrag(source);
    drag->setMimeData(payloadFor(tile).toMimeData());
    QPixmap pixmap(int(VmTileItem::kWidth), int(VmTileItem::kHeight));
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setOpacity(0.8);
        QStyleOptionGraphicsItem option;
        tile->paint(&painter, &option, nullptr);
    }
    drag->setPixmap(pixmap);
    drag->setHotSpot(QPoint(int(VmTileItem::kWidth / 2), int(VmTileItem::kHeight / 2)));
    drag->exec(Qt::MoveAction);
}

} // namespace rae::gui
