#include "monitoringoverlay.h"

#include "topologyitems.h"
#include "topologyscene.h"

#include "monitor/metricstore.h"

#include <QCoreApplication>
#include <QPainter>

#include <cmath>

namespace rae::gui {

namespace {

MonitoringAlertBadge *badgeOf(const QGraphicsItem *item)
{
    for (QGraphicsItem *child : item->childItems()) {
        if (child->type() == MonitoringAlertBadge::Type)
            return static_cast<MonitoringAlertBadge *>(child);
    }
    return nullptr;
}

void setBadge(QGraphicsItem *item, bool wanted, qreal width)
{
    MonitoringAlertBadge *badge = badgeOf(item);
    if (wanted && !badge) {
        badge = new MonitoringAlertBadge(item);
        // Over the top right corner, where it does not hide the name or the status.
        badge->setPos(width - MonitoringAlertBadge::kSize / 2 - 2,
                      -MonitoringAlertBadge::kSize / 2 + 2);
    } else if (!wanted && badge) {
        delete badge;
    }
}

// The component name the RAE API's /health uses for the service of a role's VM.
QString componentFor(const VmTileItem *tile)
{
    if (!tile->vm().role)
        return {};
    switch (*tile->vm().role) {
    case plan::Role::Db:
        return QStringLiteral("database");
    case plan::Role::Vector:
        return QStringLiteral("qdrant");
    case plan::Role::Redis:
        return QStringLiteral("redis");
    case plan::Role::Llm:
        return QStringLiteral("llm");
    default:
        return {};
    }
}

} // namespace

MonitoringAlertBadge::MonitoringAlertBadge(QGraphicsItem *parent)
    : QGraphicsItem(parent)
{
    setZValue(10);
    setToolTip(
        QCoreApplication::translate("MonitoringAlertBadge", "Active alert: see the Alerts panel"));
}

QRectF MonitoringAlertBadge::boundingRect() const
{
    return QRectF(0, 0, kSize, kSize);
}

void MonitoringAlertBadge::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(Qt::white, 1.5));
    painter->setBrush(QColor(0xc6, 0x28, 0x28));
    painter->drawEllipse(boundingRect().adjusted(1, 1, -1, -1));
    QFont font = painter->font();
    font.setBold(true);
    font.setPixelSize(12);
    painter->setFont(font);
    painter->drawText(boundingRect(), Qt::AlignCenter, QStringLiteral("!"));
}

bool hasAlertBadge(const QGraphicsItem *item)
{
    return item && badgeOf(item) != nullptr;
}

void applyAlertBadges(TopologyScene *scene, const QSet<QString> &alerted)
{
    // The scene's list includes the badges themselves: pick the containers first, since
    // removing a badge while walking that list would leave a dangling entry in it.
    QList<QGraphicsItem *> containers;
    for (QGraphicsItem *item : scene->items()) {
        if (item->type() == NodeItem::Type || item->type() == VmTileItem::Type)
            containers.append(item);
    }
    for (QGraphicsItem *item : std::as_const(containers)) {
        if (item->type() == NodeItem::Type) {
            auto *node = static_cast<NodeItem *>(item);
            setBadge(node, alerted.contains(node->node().name), NodeItem::kWidth);
        } else {
            auto *tile = static_cast<VmTileItem *>(item);
            setBadge(tile, alerted.contains(tile->vm().key) || alerted.contains(tile->vm().name),
                     VmTileItem::kWidth);
        }
    }
}

void applyEdgeLatencies(TopologyScene *scene, const monitor::MetricStore &store)
{
    // Newest latency per subject, and what the API VMs report of their dependencies.
    QHash<QString, double> latencyOf;
    QHash<QString, double> apiSees;
    for (const monitor::SeriesKey &key : store.keys()) {
        const bool probe = key.metric.startsWith(QLatin1String("latency."));
        const bool seen = key.metric.startsWith(QLatin1String("api_sees."));
        if (!probe && !seen)
            continue;
        const qint64 newest = store.newestMs(key);
        const QList<monitor::Sample> last =
            store.samples(key, newest, newest, monitor::Resolution::Native);
        if (last.isEmpty() || !std::isfinite(last.last().value))
            continue;
        if (probe)
            latencyOf.insert(key.subject, last.last().value);
        else
            apiSees.insert(key.metric.mid(9), last.last().value);
    }

    for (QGraphicsItem *item : scene->items()) {
        if (item->type() != EdgeItem::Type)
            continue;
        auto *edge = static_cast<EdgeItem *>(item);
        const VmTileItem *to = edge->to();
        std::optional<double> ms;
        if (const auto seen = apiSees.constFind(componentFor(to)); seen != apiSees.cend())
            ms = *seen;
        else if (const auto own = latencyOf.constFind(to->vm().name); own != latencyOf.cend())
            ms = *own;
        edge->setLabel(ms ? QCoreApplication::translate("MonitoringAlertBadge", "%1 ms")
                                .arg(QString::number(*ms, 'f', *ms < 10 ? 1 : 0))
                          : QString());
    }
}

} // namespace rae::gui
