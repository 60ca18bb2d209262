#pragma once

#include "topology.h"

#include <QGraphicsScene>
#include <QHash>
#include <QList>
#include <QMimeData>
#include <QStringList>

namespace rae::gui {

class EdgeItem;
class NodeItem;
class VmTileItem;

// What a drag of VM tiles carries: the keys of the VMs and where they came from, never the VMs
// themselves. The drop side looks them up again and re-checks the move.
struct VmDragPayload
{
    static constexpr char kMimeType[] = "application/x-rae-deploy-vms";

    QString source; // "plan" or "live"
    QStringList keys;

    QMimeData *toMimeData() const; // caller owns
    static std::optional<VmDragPayload> fromMimeData(const QMimeData *mime);
};

// The topology graph: nodes as containers holding VM tiles, and dependency edges between the
// tiles. A new Topology is applied as a diff: items are kept, changed in place, added or removed,
// and the layout only moves when a node's set of VMs changes, so a refresh does not shuffle tiles.
// Lives on the GUI thread.
class TopologyScene final : public QGraphicsScene
{
    Q_OBJECT

public:
    explicit TopologyScene(QObject *parent = nullptr);
    ~TopologyScene() override;

    void setTopology(const Topology &topology);
    const Topology &topology() const { return m_topology; }

    // "plan" or "live": written into drag payloads. Tiles can be dragged only when enabled.
    void setDragSource(const QString &source, bool enabled);
    QString dragSource() const { return m_dragSource; }

    NodeItem *nodeItem(const QString &name) const { return m_nodes.value(name); }
    VmTileItem *tileItem(const QString &key) const { return m_tiles.value(key); }
    NodeItem *nodeAt(const QPointF &scenePos) const;
    QList<NodeItem *> nodeItems() const; // in layout order
    int edgeCount() const { return int(m_edges.size()); }
    int recoveryArrowCount() const { return int(m_recoveryArrows.size()); }

    QStringList selectedKeys() const;
    void selectKey(const QString &key); // and nothing else
    void clearDropHints();
    // Kept by key across refreshes, so a tile that moves to another node keeps its band.
    void setActivity(const QString &key, const QString &text);
    QString activity(const QString &key) const { return m_activities.value(key); }

    // Called by a tile when the mouse has moved far enough; runs QDrag.
    void startDrag(VmTileItem *tile, QWidget *source);
    // The payload a drag of `tile` carries: the selection when the tile is part of it.
    VmDragPayload payloadFor(VmTileItem *tile) const;

signals:
    void currentVmChanged(const QString &key); // empty when no VM is selected

private:
    void relayout();
    void rebuildEdges();
    void rebuildRecoveryArrows();
    QList<QStringList> layoutSignature() const;

    Topology m_topology;
    QHash<QString, NodeItem *> m_nodes;
    QHash<QString, VmTileItem *> m_tiles;
    QHash<QString, EdgeItem *> m_edges; // "from>to"
    QHash<QString, QString> m_activities;
    QList<QGraphicsItem *> m_recoveryArrows; // "Simulate failure": VM → node it recovers to
    QList<QStringList> m_signature;          // node name followed by its tiles' keys, in order
    QString m_dragSource = QStringLiteral("plan");
    bool m_dragEnabled = true;
};

} // namespace rae::gui
