#pragma once

#include "topology.h"

#include <QGraphicsItem>
#include <QPointF>

// The graphics items of the topology graph. They only draw what they are given; the scene
// decides where they go and what they show.
namespace rae::gui {

class TopologyScene;

class NodeItem final : public QGraphicsItem
{
public:
    enum class DropHint
    {
        None,
        Allowed,
        Forbidden
    };

    static constexpr int Type = UserType + 1;
    static constexpr qreal kWidth = 340;
    static constexpr qreal kHeaderHeight = 86;

    explicit NodeItem(const TopologyNode &node);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    const TopologyNode &node() const { return m_node; }
    bool setNode(const TopologyNode &node); // false when nothing changed
    void setHeight(qreal height);
    void setDropHint(DropHint hint);
    DropHint dropHint() const { return m_dropHint; }

private:
    void updateToolTip();

    TopologyNode m_node;
    qreal m_height = kHeaderHeight;
    DropHint m_dropHint = DropHint::None;
};

class VmTileItem final : public QGraphicsItem
{
public:
    static constexpr int Type = UserType + 2;
    static constexpr qreal kWidth = 155;
    static constexpr qreal kHeight = 62;

    explicit VmTileItem(const TopologyVm &vm);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    const TopologyVm &vm() const { return m_vm; }
    bool setVm(const TopologyVm &vm); // false when nothing changed
    void setDraggable(bool draggable) { m_draggable = draggable; }
    // A cluster action under way on this guest ("→ pve2 · 12 s"), drawn as a band across the
    // tile; empty when there is none.
    void setActivity(const QString &text);
    QString activity() const { return m_activity; }

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;

private:
    void updateToolTip();

    TopologyVm m_vm;
    QString m_activity;
    bool m_draggable = false;
    QPointF m_pressPos;
};

// A service dependency, drawn from the client tile to the server tile, with a label for a
// measured latency when there is one.
class EdgeItem final : public QGraphicsItem
{
public:
    static constexpr int Type = UserType + 3;

    EdgeItem(VmTileItem *from, VmTileItem *to);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    VmTileItem *from() const { return m_from; }
    VmTileItem *to() const { return m_to; }
    void adjust(); // the tiles moved
    void setLabel(const QString &label);

private:
    VmTileItem *m_from = nullptr;
    VmTileItem *m_to = nullptr;
    QPointF m_start;
    QPointF m_end;
    QString m_label;
};

QColor roleColor(std::optional<plan::Role> role);

} // namespace rae::gui
