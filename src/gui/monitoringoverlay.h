#pragma once

#include <QGraphicsItem>
#include <QSet>
#include <QString>

namespace rae::monitor {
class MetricStore;
}

namespace rae::gui {

class TopologyScene;

// A red dot with "!" on the corner of a node or VM tile that has an active alert. A child item
// of the tile, so it moves with it and goes with it; the scene's own items stay unchanged.
class MonitoringAlertBadge final : public QGraphicsItem
{
public:
    static constexpr int Type = UserType + 40;
    static constexpr qreal kSize = 18;

    explicit MonitoringAlertBadge(QGraphicsItem *parent);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
};

// Puts a badge on every node and tile whose key (node name, plan VM name or `vm:<vmid>`) or VM
// name is in `alerted`, and takes it off the others. Cheap enough to run after every refresh.
void applyAlertBadges(TopologyScene *scene, const QSet<QString> &alerted);
bool hasAlertBadge(const QGraphicsItem *item);

// Labels each dependency edge with the newest latency measured of the service it points to
// (`latency.*` of the target VM), or as the RAE API sees it (`api_sees.*`) for the API's own
// dependencies; an edge without a measurement keeps no label.
void applyEdgeLatencies(TopologyScene *scene, const monitor::MetricStore &store);

} // namespace rae::gui
