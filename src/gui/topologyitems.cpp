#include "topologyitems.h"

#include "topologyscene.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFontMetricsF>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace rae::gui {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::gui::TopologyItems)
};

QColor severityColor(validation::Severity severity)
{
    switch (severity) {
    case validation::Severity::Error:
        return QColor(0xc0, 0x39, 0x2b);
    case validation::Severity::Warning:
        return QColor(0xd6, 0x8a, 0x10);
    case validation::Severity::Info:
        return QColor(0x3a, 0x7b, 0xbf);
    }
    return Qt::gray;
}

QColor stateColor(GuestState state)
{
    switch (state) {
    case GuestState::Planned:
        return QColor(0x8a, 0x9b, 0xad);
    case GuestState::Running:
        return QColor(0x2e, 0x9e, 0x5b);
    case GuestState::Stopped:
        return QColor(0x80, 0x80, 0x80);
    case GuestState::Unknown:
        return QColor(0xc0, 0x39, 0x2b);
    case GuestState::Other:
        return QColor(0xd6, 0x8a, 0x10);
    }
    return Qt::gray;
}

void drawBar(QPainter *painter, const QRectF &rect, double fraction)
{
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0xdd, 0xe4, 0xec));
    painter->drawRoundedRect(rect, 3, 3);
    const double shown = std::clamp(fraction, 0.0, 1.0);
    QColor fill = fraction > 1.0    ? QColor(0xc0, 0x39, 0x2b)
                  : fraction > 0.85 ? QColor(0xd6, 0x8a, 0x10)
                                    : QColor(0x3a, 0x7b, 0xbf);
    painter->setBrush(fill);
    painter->drawRoundedRect(QRectF(rect.topLeft(), QSizeF(rect.width() * shown, rect.height())), 3,
                             3);
}

QRectF drawPill(QPainter *painter, const QPointF &topRight, const QString &text,
                const QColor &color)
{
    QFont font = painter->font();
    font.setPointSizeF(7.5);
    font.setBold(true);
    painter->setFont(font);
    const QFontMetricsF metrics(font);
    const QRectF rect(topRight.x() - metrics.horizontalAdvance(text) - 10, topRight.y(),
                      metrics.horizontalAdvance(text) + 10, metrics.height() + 2);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawRoundedRect(rect, rect.height() / 2, rect.height() / 2);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, text);
    return rect;
}

} // namespace

QColor roleColor(std::optional<plan::Role> role)
{
    if (!role)
        return QColor(0xa0, 0xa8, 0xb0);
    switch (*role) {
    case plan::Role::Db:
        return QColor(0x3a, 0x7b, 0xbf);
    case plan::Role::Vector:
        return QColor(0x2e, 0x9e, 0x8f);
    case plan::Role::Redis:
        return QColor(0xd4, 0x56, 0x4e);
    case plan::Role::Api:
        return QColor(0xe0, 0x8a, 0x3c);
    case plan::Role::Llm:
        return QColor(0x8e, 0x5c, 0xc4);
    case plan::Role::Gateway:
        return QColor(0x4b, 0x9a, 0x4f);
    }
    return Qt::gray;
}

// --- NodeItem ---

NodeItem::NodeItem(const TopologyNode &node)
    : m_node(node)
{
    setZValue(0);
    setFlag(ItemIsFocusable);
    updateToolTip();
}

QRectF NodeItem::boundingRect() const
{
    return QRectF(-2, -2, kWidth + 4, m_height + 4);
}

bool NodeItem::setNode(const TopologyNode &node)
{
    if (node == m_node)
        return false;
    m_node = node;
    updateToolTip();
    update();
    return true;
}

void NodeItem::setHeight(qreal height)
{
    if (qFuzzyCompare(height, m_height))
        return;
    prepareGeometryChange();
    m_height = height;
}

void NodeItem::setDropHint(DropHint hint)
{
    if (hint == m_dropHint)
        return;
    m_dropHint = hint;
    update();
}

void NodeItem::updateToolTip()
{
    QStringList lines{QStringLiteral("<b>%1</b>").arg(m_node.name.toHtmlEscaped())};
    if (!m_node.planned)
        lines << (m_node.online ? Tr::tr("online") : Tr::tr("offline"));
    if (!m_node.haState.isEmpty())
        lines << Tr::tr("HA: %1").arg(m_node.haState.toHtmlEscaped());
    if (m_node.maintenance)
        lines << Tr::tr("in maintenance");
    lines << m_node.cpuText.toHtmlEscaped() << m_node.memoryText.toHtmlEscaped();
    for (const QString &gpu : m_node.gpus)
        lines << Tr::tr("GPU: %1").arg(gpu.toHtmlEscaped());
    setToolTip(lines.join(QStringLiteral("<br>")));
}

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF frame(0, 0, kWidth, m_height);

    QColor border = m_node.online ? QColor(0x9f, 0xb3, 0xc8) : QColor(0xc0, 0x39, 0x2b);
    QColor background(0xf4, 0xf7, 0xfa);
    qreal borderWidth = 1.2;
    if (m_node.maintenance)
        border = QColor(0xd6, 0x8a, 0x10);
    if (m_dropHint == DropHint::Allowed) {
        border = QColor(0x2e, 0x9e, 0x5b);
        background = QColor(0xe9, 0xf7, 0xee);
        borderWidth = 3;
    } else if (m_dropHint == DropHint::Forbidden) {
        border = QColor(0xc0, 0x39, 0x2b);
        background = QColor(0xfb, 0xea, 0xe8);
        borderWidth = 3;
    }
    QPen pen(border, borderWidth);
    if (!m_node.online)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(background);
    painter->drawRoundedRect(frame, 8, 8);
    if (hasFocus()) {
        painter->setPen(QPen(QColor(0x3a, 0x7b, 0xbf), 1, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(frame.adjusted(3, 3, -3, -3), 6, 6);
    }
    if (m_node.simulatedDown) {
        // Drawn under the tiles (they stack above the node), so they read as stranded there.
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0x6b, 0x75, 0x80, 90));
        painter->drawRoundedRect(frame, 8, 8);
        QFont banner = painter->font();
        banner.setPointSizeF(9);
        banner.setBold(true);
        painter->setFont(banner);
        painter->setPen(QColor(0x3a, 0x40, 0x48));
        painter->drawText(QRectF(12, 30, kWidth - 24, 50), Qt::AlignCenter,
                          Tr::tr("SIMULATED FAILURE"));
        banner.setPointSizeF(11);
        painter->setFont(banner);
        painter->drawText(QRectF(12, 6, kWidth - 24, 22), Qt::AlignLeft | Qt::AlignVCenter,
                          m_node.name);
        return;
    }

    QFont font = painter->font();
    font.setPointSizeF(11);
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(QColor(0x1f, 0x2d, 0x3d));
    painter->drawText(QRectF(12, 6, kWidth - 24, 22), Qt::AlignLeft | Qt::AlignVCenter,
                      m_node.name);
    const qreal nameWidth = QFontMetricsF(font).horizontalAdvance(m_node.name);

    // Status at the right of the title: a dot and a word.
    QString status = m_node.planned  ? Tr::tr("planned")
                     : m_node.online ? Tr::tr("online")
                                     : Tr::tr("offline");
    if (!m_node.haState.isEmpty() && m_node.haState != QLatin1String("online"))
        status += QStringLiteral(" · HA ") + m_node.haState;
    if (m_node.maintenance && m_node.planned)
        status += QStringLiteral(" · ") + Tr::tr("maintenance");
    font.setPointSizeF(8);
    font.setBold(false);
    painter->setFont(font);
    const QColor dot = m_node.planned  ? QColor(0x8a, 0x9b, 0xad)
                       : m_node.online ? QColor(0x2e, 0x9e, 0x5b)
                                       : QColor(0xc0, 0x39, 0x2b);
    const QFontMetricsF metrics(font);
    const qreal statusWidth = metrics.horizontalAdvance(status);
    painter->setPen(QColor(0x4a, 0x5a, 0x6a));
    painter->drawText(QRectF(kWidth - 12 - statusWidth, 8, statusWidth, 18),
                      Qt::AlignRight | Qt::AlignVCenter, status);
    painter->setPen(Qt::NoPen);
    painter->setBrush(dot);
    painter->drawEllipse(QPointF(kWidth - 20 - statusWidth, 17), 4, 4);

    // CPU and memory bars with their figures.
    painter->setFont(font);
    const qreal labelWidth = 52;
    const qreal barX = 12 + labelWidth;
    const qreal barWidth = kWidth - barX - 12;
    const auto barRow = [&](qreal y, const QString &label, double fraction, const QString &text) {
        painter->setPen(QColor(0x4a, 0x5a, 0x6a));
        painter->drawText(QRectF(12, y, labelWidth, 14), Qt::AlignLeft | Qt::AlignVCenter, label);
        drawBar(painter, QRectF(barX, y + 2, barWidth, 10), fraction);
        painter->setPen(QColor(0x4a, 0x5a, 0x6a));
        painter->drawText(QRectF(barX, y + 13, barWidth, 13), Qt::AlignRight | Qt::AlignVCenter,
                          text);
    };
    barRow(30, Tr::tr("CPU"), m_node.cpuFraction, m_node.cpuText);
    barRow(56, Tr::tr("Memory"), m_node.memoryFraction, m_node.memoryText);

    if (!m_node.gpus.isEmpty()) {
        // Beside the name: the bars below need their whole width.
        const QString gpu = Tr::tr("GPU %1").arg(m_node.gpus.join(QStringLiteral(", ")));
        font.setPointSizeF(7.5);
        font.setBold(true);
        const qreal width = QFontMetricsF(font).horizontalAdvance(gpu) + 10;
        drawPill(painter, QPointF(12 + nameWidth + 10 + width, 10), gpu, QColor(0x8e, 0x5c, 0xc4));
    }
}

// --- VmTileItem ---

VmTileItem::VmTileItem(const TopologyVm &vm)
    : m_vm(vm)
{
    setZValue(2);
    setFlags(ItemIsSelectable | ItemIsFocusable);
    setAcceptHoverEvents(true);
    setCursor(Qt::OpenHandCursor);
    updateToolTip();
}

QRectF VmTileItem::boundingRect() const
{
    return QRectF(-2, -8, kWidth + 10, kHeight + 10);
}

bool VmTileItem::setVm(const TopologyVm &vm)
{
    if (vm == m_vm)
        return false;
    m_vm = vm;
    updateToolTip();
    update();
    return true;
}

void VmTileItem::setActivity(const QString &text)
{
    if (text == m_activity)
        return;
    m_activity = text;
    update();
}

void VmTileItem::updateToolTip()
{
    QString text = QStringLiteral("<b>%1</b>").arg(m_vm.name.toHtmlEscaped());
    if (m_vm.vmid)
        text += QStringLiteral(" (%1)").arg(*m_vm.vmid);
    if (m_vm.role)
        text += QStringLiteral("<br>") + Tr::tr("role: %1").arg(plan::roleTitle(*m_vm.role));
    text += QStringLiteral("<br>") + Tr::tr("node: %1").arg(m_vm.node.toHtmlEscaped());
    if (m_vm.haManaged)
        text += QStringLiteral("<br>") + Tr::tr("HA: %1").arg(m_vm.haState.toHtmlEscaped());
    if (!m_vm.details.isEmpty())
        text += QStringLiteral("<br>") +
                m_vm.details.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    setToolTip(text);
}

void VmTileItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF frame(0, 0, kWidth, kHeight);
    const bool selected = option->state & QStyle::State_Selected;
    const QColor accent = roleColor(m_vm.role);

    painter->setPen(selected ? QPen(QColor(0x1d, 0x5f, 0xb0), 2.5)
                             : QPen(QColor(0xb8, 0xc4, 0xd0), 1));
    painter->setBrush(Qt::white);
    painter->drawRoundedRect(frame, 6, 6);
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawRoundedRect(QRectF(0, 0, 6, kHeight), 3, 3);

    QFont font = painter->font();
    font.setPointSizeF(7.5);
    font.setBold(true);
    font.setCapitalization(QFont::AllUppercase);
    painter->setFont(font);
    painter->setPen(accent.darker(115));
    // The plan's own role name fits the tile; the tooltip gives the full title.
    painter->drawText(QRectF(12, 4, 80, 14), Qt::AlignLeft | Qt::AlignVCenter,
                      m_vm.role ? plan::roleName(*m_vm.role) : Tr::tr("other"));

    font.setCapitalization(QFont::MixedCase);
    font.setBold(false);
    painter->setFont(font);
    painter->setPen(QColor(0x5a, 0x6a, 0x7a));
    const QString vmid = m_vm.vmid ? QString::number(*m_vm.vmid) : Tr::tr("new");
    painter->drawText(QRectF(kWidth - 60, 4, 50, 14), Qt::AlignRight | Qt::AlignVCenter, vmid);

    font.setPointSizeF(9.5);
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(QColor(0x1f, 0x2d, 0x3d));
    const QFontMetricsF nameMetrics(font);
    painter->drawText(QRectF(12, 19, kWidth - 20, 18), Qt::AlignLeft | Qt::AlignVCenter,
                      nameMetrics.elidedText(m_vm.name, Qt::ElideMiddle, kWidth - 20));

    // Status dot and word, then the HA badge.
    painter->setPen(Qt::NoPen);
    painter->setBrush(stateColor(m_vm.state));
    painter->drawEllipse(QPointF(16, 48), 4, 4);
    font.setPointSizeF(7.5);
    font.setBold(false);
    painter->setFont(font);
    painter->setPen(QColor(0x5a, 0x6a, 0x7a));
    QString state;
    switch (m_vm.state) {
    case GuestState::Planned:
        state = Tr::tr("planned");
        break;
    case GuestState::Running:
        state = Tr::tr("running");
        break;
    case GuestState::Stopped:
        state = Tr::tr("stopped");
        break;
    case GuestState::Unknown:
        state = Tr::tr("unknown");
        break;
    case GuestState::Other:
        state = Tr::tr("other");
        break;
    }
    painter->drawText(QRectF(24, 41, 70, 14), Qt::AlignLeft | Qt::AlignVCenter, state);
    if (m_vm.haManaged)
        drawPill(painter, QPointF(kWidth - 8, 41), Tr::tr("HA"), QColor(0x1d, 0x5f, 0xb0));

    if (m_vm.findings > 0 && m_vm.worstFinding) {
        const QPointF centre(kWidth, 0);
        painter->setPen(QPen(Qt::white, 1.5));
        painter->setBrush(severityColor(*m_vm.worstFinding));
        painter->drawEllipse(centre, 8, 8);
        font.setPointSizeF(7);
        font.setBold(true);
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(QRectF(centre.x() - 8, centre.y() - 8, 16, 16), Qt::AlignCenter,
                          QString::number(m_vm.findings));
    }
    const QString band = !m_activity.isEmpty() ? m_activity : m_vm.failureNote;
    if (!band.isEmpty()) {
        const QRectF bandRect(6, kHeight - 17, kWidth - 6, 17);
        const QColor fill = !m_activity.isEmpty() ? QColor(0xf0, 0xa2, 0x02)
                            : m_vm.lost           ? QColor(0xc0, 0x39, 0x2b)
                                                  : QColor(0x1d, 0x5f, 0xb0);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(bandRect, 3, 3);
        font.setPointSizeF(7.5);
        font.setBold(true);
        painter->setFont(font);
        painter->setPen(!m_activity.isEmpty() ? QColor(0x2b, 0x1d, 0x00) : QColor(Qt::white));
        painter->drawText(
            bandRect.adjusted(6, 0, -4, 0), Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(font).elidedText(band, Qt::ElideRight, bandRect.width() - 10));
    }
    if (hasFocus() && !selected) {
        painter->setPen(QPen(QColor(0x3a, 0x7b, 0xbf), 1, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(frame.adjusted(2, 2, -2, -2), 5, 5);
    }
}

void VmTileItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    m_pressPos = event->scenePos();
    QGraphicsItem::mousePressEvent(event);
}

void VmTileItem::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_draggable || !(event->buttons() & Qt::LeftButton) ||
        (event->scenePos() - m_pressPos).manhattanLength() < QApplication::startDragDistance()) {
        QGraphicsItem::mouseMoveEvent(event);
        return;
    }
    if (auto *topology = qobject_cast<TopologyScene *>(scene()))
        topology->startDrag(this, event->widget());
}

// --- EdgeItem ---

EdgeItem::EdgeItem(VmTileItem *from, VmTileItem *to)
    : m_from(from)
    , m_to(to)
{
    setZValue(1);
    adjust();
}

void EdgeItem::adjust()
{
    prepareGeometryChange();
    const QPointF a = m_from->pos() + QPointF(VmTileItem::kWidth / 2, VmTileItem::kHeight / 2);
    const QPointF b = m_to->pos() + QPointF(VmTileItem::kWidth / 2, VmTileItem::kHeight / 2);
    // Clip the line to the tiles' borders so that the arrowhead stays visible.
    const auto clip = [](QPointF centre, QPointF towards) {
        const QPointF d = towards - centre;
        const double sx = std::abs(d.x()) > 0 ? (VmTileItem::kWidth / 2) / std::abs(d.x()) : 1e9;
        const double sy = std::abs(d.y()) > 0 ? (VmTileItem::kHeight / 2) / std::abs(d.y()) : 1e9;
        const double s = std::min({sx, sy, 1.0});
        return centre + d * s;
    };
    m_start = clip(a, b);
    m_end = clip(b, a);
}

void EdgeItem::setLabel(const QString &label)
{
    if (label == m_label)
        return;
    prepareGeometryChange();
    m_label = label;
}

QRectF EdgeItem::boundingRect() const
{
    return QRectF(m_start, m_end).normalized().adjusted(-40, -20, 40, 20);
}

QPainterPath EdgeItem::shape() const
{
    QPainterPath path(m_start);
    path.lineTo(m_end);
    return path;
}

void EdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    QColor color = roleColor(m_to->vm().role);
    color.setAlpha(150);
    painter->setPen(QPen(color, 1.6));
    painter->drawLine(m_start, m_end);

    const QPointF d = m_end - m_start;
    const double length = std::hypot(d.x(), d.y());
    if (length < 1)
        return;
    const QPointF unit = d / length;
    const QPointF normal(-unit.y(), unit.x());
    QPolygonF head;
    head << m_end << m_end - unit * 9 + normal * 4 << m_end - unit * 9 - normal * 4;
    painter->setBrush(color);
    painter->drawPolygon(head);

    if (!m_label.isEmpty()) {
        const QPointF middle = (m_start + m_end) / 2;
        painter->setPen(QColor(0x4a, 0x5a, 0x6a));
        painter->drawText(QRectF(middle.x() - 40, middle.y() - 16, 80, 14), Qt::AlignCenter,
                          m_label);
    }
}

} // namespace rae::gui
