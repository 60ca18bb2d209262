#include "chartlayout.h"
#include "reportwriter.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QIODevice>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>

#include <algorithm>

namespace rae::report {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::report::PdfWriter)
};

constexpr int kResolution = 300; // dots per inch of the painter's coordinates
constexpr double kMarginMm = 14;
constexpr int kTextFlags = Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap;

QColor verdictColor(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Healthy:
        return QColor(0xc7, 0xe9, 0xc0);
    case Verdict::Attention:
        return QColor(0xfd, 0xd0, 0xa2);
    case Verdict::Critical:
        break;
    }
    return QColor(0xfc, 0xbb, 0xa1);
}

// Lays the report out on pages and, with a painter, paints it. The layout runs twice: once
// without a painter to count the pages for "Page N of M", then again painting. Both runs take
// their measures from the same device, so they break pages at the same places.
class PdfLayout final
{
public:
    PdfLayout(QPdfWriter &writer, const ReportModel &model, QPainter *painter, int totalPages)
        : m_writer(writer)
        , m_model(model)
        , m_painter(painter)
        , m_totalPages(totalPages)
        , m_scale(double(kResolution) / 72.0)
    {
        const QString sans = QStringLiteral("DejaVu Sans");
        m_body = QFont(sans, 9);
        m_small = QFont(sans, 7);
        m_smallBold = m_small;
        m_smallBold.setBold(true);
        m_bold = m_body;
        m_bold.setBold(true);
        m_heading = QFont(sans, 14, QFont::Bold);
        m_title = QFont(sans, 22, QFont::Bold);
        m_mono = QFont(QStringLiteral("DejaVu Sans Mono"), 7);
        m_mono.setStyleHint(QFont::Monospace);
        m_page = QRectF(0, 0, writer.width(), writer.height());
        m_content = m_page.adjusted(0, pt(22), 0, -pt(22));
    }

    int run()
    {
        startPage();
        titleBlock();
        for (const Section &section : m_model.sections)
            sectionBlock(section);
        return m_pageNumber;
    }

private:
    double pt(double points) const { return points * m_scale; }

    QFontMetricsF metrics(const QFont &font) const { return QFontMetricsF(font, &m_writer); }

    double textHeight(const QFont &font, const QString &text, double width) const
    {
        if (text.isEmpty())
            return metrics(font).height();
        return metrics(font).boundingRect(QRectF(0, 0, width, 1e7), kTextFlags, text).height();
    }

    void drawText(const QFont &font, const QRectF &rect, const QString &text,
                  int flags = kTextFlags, const QColor &color = Qt::black)
    {
        if (!m_painter)
            return;
        m_painter->setFont(font);
        m_painter->setPen(color);
        m_painter->drawText(rect, flags, text);
    }

    void startPage()
    {
        m_y = m_content.top();
        if (!m_painter)
            return;
        const QString left = m_model.title.title + QStringLiteral(" — ") + m_model.title.cluster;
        const QRectF header(m_page.left(), m_page.top(), m_page.width(), pt(12));
        drawText(m_small, header, left, Qt::AlignLeft | Qt::AlignVCenter, Qt::darkGray);
        drawText(m_small, header, m_model.title.generatedAt.toUTC().toString(Qt::ISODate),
                 Qt::AlignRight | Qt::AlignVCenter, Qt::darkGray);
        m_painter->setPen(QPen(Qt::gray, pt(0.5)));
        m_painter->drawLine(QPointF(m_page.left(), header.bottom() + pt(2)),
                            QPointF(m_page.right(), header.bottom() + pt(2)));

        const QRectF footer(m_page.left(), m_page.bottom() - pt(12), m_page.width(), pt(12));
        m_painter->drawLine(QPointF(m_page.left(), footer.top() - pt(2)),
                            QPointF(m_page.right(), footer.top() - pt(2)));
        drawText(m_small, footer, Tr::tr("RAE Deploy %1").arg(m_model.title.applicationVersion),
                 Qt::AlignLeft | Qt::AlignVCenter, Qt::darkGray);
        drawText(m_small, footer, Tr::tr("Page %1 of %2").arg(m_pageNumber).arg(m_totalPages),
                 Qt::AlignRight | Qt::AlignVCenter, Qt::darkGray);
    }

    void newPage()
    {
        ++m_pageNumber;
        if (m_painter)
            m_writer.newPage();
        startPage();
    }

    // Starts a new page unless `height` still fits on this one (or the page is still empty).
    void ensure(double height)
    {
        if (m_y + height > m_content.bottom() && m_y > m_content.top())
            newPage();
    }

    void paragraph(const QFont &font, const QString &text, double after = 4)
    {
        const double height = textHeight(font, text, m_content.width());
        ensure(height);
        drawText(font, QRectF(m_content.left(), m_y, m_content.width(), height), text);
        m_y += height + pt(after);
    }

    void titleBlock()
    {
        const TitleInfo &title = m_model.title;
        m_y += pt(30);
        paragraph(m_title, title.title, 10);
        const QList<std::pair<QString, QString>> facts{
            {Tr::tr("Cluster"), title.cluster},
            {Tr::tr("Built from"),
             title.source == QLatin1String("cluster") ? Tr::tr("the cluster") : Tr::tr("the plan")},
            {Tr::tr("Plan file"), title.planFile},
            {Tr::tr("Period"),
             title.periodStart.isValid() ? Tr::tr("%1 to %2 (UTC)")
                                               .arg(title.periodStart.toUTC().toString(Qt::ISODate),
                                                    title.periodEnd.toUTC().toString(Qt::ISODate))
             : title.source == QLatin1String("cluster") ? Tr::tr("none (no monitoring history)")
                                                        : Tr::tr("none (a plan alone)")},
            {Tr::tr("Generated"), title.generatedAt.toUTC().toString(Qt::ISODate)},
            {Tr::tr("Generated by"), title.generatedBy},
            {Tr::tr("Application version"), title.applicationVersion},
        };
        const double labelWidth = pt(120);
        for (const auto &[name, value] : facts) {
            if (value.isEmpty())
                continue;
            const double width = m_content.width() - labelWidth;
            const double height = textHeight(m_body, value, width);
            drawText(m_bold, QRectF(m_content.left(), m_y, labelWidth, height), name);
            drawText(m_body, QRectF(m_content.left() + labelWidth, m_y, width, height), value);
            m_y += height + pt(3);
        }

        m_y += pt(8);
        const QString verdict = Tr::tr("Health verdict: %1").arg(verdictTitle(m_model.verdict));
        const double height = metrics(m_heading).height() + pt(10);
        const QRectF box(m_content.left(), m_y,
                         metrics(m_heading).horizontalAdvance(verdict) + pt(20), height);
        if (m_painter) {
            m_painter->setPen(Qt::NoPen);
            m_painter->setBrush(verdictColor(m_model.verdict));
            m_painter->drawRoundedRect(box, pt(4), pt(4));
            m_painter->setBrush(Qt::NoBrush);
        }
        drawText(m_heading, box, verdict, Qt::AlignCenter);
        m_y += height + pt(14);
    }

    void sectionBlock(const Section &section)
    {
        if (section.preformatted)
            newPage();
        const double headingHeight = metrics(m_heading).height();
        ensure(headingHeight + pt(80)); // a heading never ends a page alone
        m_y += pt(6);
        drawText(m_heading, QRectF(m_content.left(), m_y, m_content.width(), headingHeight),
                 section.title);
        m_y += headingHeight;
        if (m_painter) {
            m_painter->setPen(QPen(Qt::gray, pt(0.7)));
            m_painter->drawLine(QPointF(m_content.left(), m_y), QPointF(m_content.right(), m_y));
        }
        m_y += pt(6);

        if (section.preformatted) {
            const double lineHeight = metrics(m_mono).lineSpacing();
            for (const QString &line : section.paragraphs) {
                ensure(lineHeight);
                drawText(m_mono, QRectF(m_content.left(), m_y, m_content.width(), lineHeight), line,
                         Qt::AlignLeft | Qt::AlignTop);
                m_y += lineHeight;
            }
            return;
        }
        for (const QString &text : section.paragraphs)
            paragraph(m_body, text);
        if (section.topology)
            topology();
        for (const Table &table : section.tables)
            tableBlock(table);
        for (const Chart &chart : section.charts)
            chartBlock(chart);
        m_y += pt(6);
    }

    QList<double> columnWidths(const Table &table) const
    {
        double total = 0;
        for (const Column &column : table.columns)
            total += column.weight;
        QList<double> widths;
        for (const Column &column : table.columns)
            widths.append(m_content.width() * column.weight / total);
        return widths;
    }

    double rowHeight(const QStringList &cells, const QList<double> &widths, const QFont &font) const
    {
        double height = 0;
        for (qsizetype i = 0; i < widths.size(); ++i)
            height = std::max(height, textHeight(font, cells.value(i), widths.at(i) - pt(6)));
        return height + pt(4);
    }

    enum class RowKind
    {
        Header,
        Body,
    };

    void drawRow(const QStringList &cells, const QList<double> &widths, RowKind kind, double height,
                 const QColor &fill, const Table &table)
    {
        const QFont &font = kind == RowKind::Header ? m_smallBold : m_small;
        if (m_painter) {
            m_painter->setPen(QPen(QColor(0xbb, 0xbb, 0xbb), pt(0.4)));
            m_painter->setBrush(fill.isValid() ? QBrush(fill) : QBrush(Qt::NoBrush));
            double x = m_content.left();
            for (double width : widths) {
                m_painter->drawRect(QRectF(x, m_y, width, height));
                x += width;
            }
            m_painter->setBrush(Qt::NoBrush);
        }
        double x = m_content.left();
        for (qsizetype i = 0; i < widths.size(); ++i) {
            // Figures line up on the right; their headings stay with the others on the left.
            const bool number =
                table.columns.at(i).kind == CellKind::Number && kind == RowKind::Body;
            drawText(font, QRectF(x + pt(3), m_y + pt(2), widths.at(i) - pt(6), height - pt(4)),
                     cells.value(i),
                     (number ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop | Qt::TextWordWrap);
            x += widths.at(i);
        }
        m_y += height;
    }

    void tableBlock(const Table &table)
    {
        if (table.rows.isEmpty()) {
            paragraph(m_body, table.caption + QStringLiteral(": ") + table.emptyText, 8);
            return;
        }
        const QList<double> widths = columnWidths(table);
        QStringList titles;
        for (const Column &column : table.columns)
            titles.append(column.title);
        const double captionHeight = metrics(m_bold).height() + pt(3);
        const double headerHeight = rowHeight(titles, widths, m_smallBold);

        const auto header = [&](bool continued) {
            const QString caption =
                continued ? Tr::tr("%1 (continued)").arg(table.caption) : table.caption;
            drawText(m_bold, QRectF(m_content.left(), m_y, m_content.width(), captionHeight),
                     caption);
            m_y += captionHeight;
            drawRow(titles, widths, RowKind::Header, headerHeight, QColor(0xe4, 0xe4, 0xe4), table);
        };

        ensure(captionHeight + headerHeight + rowHeight(table.rows.first(), widths, m_small));
        header(false);
        for (qsizetype r = 0; r < table.rows.size(); ++r) {
            const double height = rowHeight(table.rows.at(r), widths, m_small);
            if (m_y + height > m_content.bottom()) {
                newPage();
                header(true); // the header row again on every page the table runs over
            }
            // A row that needs attention is tinted red, whatever its stripe.
            const QColor fill = table.flaggedRows.contains(int(r)) ? QColor(0xfc, 0xd5, 0xcc)
                                : r % 2                            ? QColor(0xf5, 0xf5, 0xf5)
                                                                   : QColor();
            drawRow(table.rows.at(r), widths, RowKind::Body, height, fill, table);
        }
        m_y += pt(10);
    }

    void chartBlock(const Chart &chart)
    {
        const double titleHeight = metrics(m_bold).height() + pt(2);
        const double chartHeight = pt(150);
        const double legendLine = metrics(m_small).height() + pt(2);
        // The legend flows in lines of a few entries each.
        const int perLine = 4;
        const qsizetype legendLines = (chart.series.size() + perLine - 1) / perLine;
        ensure(titleHeight + chartHeight + legendLine * double(legendLines) + pt(10));

        drawText(m_bold, QRectF(m_content.left(), m_y, m_content.width(), titleHeight),
                 QStringLiteral("%1 (%2)").arg(chart.title, chart.unit));
        m_y += titleHeight;
        const QRectF area(m_content.left(), m_y, m_content.width(), chartHeight);
        const ChartLayout layout =
            layoutChart(m_model, chart, area, pt(34), metrics(m_small).height());
        if (m_painter) {
            QPainter &painter = *m_painter;
            painter.setPen(QPen(Qt::gray, pt(0.5)));
            painter.setBrush(QColor(0xfb, 0xfb, 0xfb));
            painter.drawRect(layout.plot);
            painter.setBrush(Qt::NoBrush);
            const double labelHeight = metrics(m_small).height();
            for (const ChartTick &tick : layout.valueTicks) {
                painter.setPen(QPen(QColor(0xdd, 0xdd, 0xdd), pt(0.4)));
                painter.drawLine(QPointF(layout.plot.left(), tick.position),
                                 QPointF(layout.plot.right(), tick.position));
                drawText(m_small,
                         QRectF(area.left(), tick.position - labelHeight / 2,
                                layout.plot.left() - area.left() - pt(3), labelHeight),
                         tick.label, Qt::AlignRight | Qt::AlignVCenter, Qt::darkGray);
            }
            // The outer labels stay inside the plot's width instead of running into the margin.
            for (qsizetype i = 0; i < layout.timeTicks.size(); ++i) {
                const ChartTick &tick = layout.timeTicks.at(i);
                const bool first = i == 0;
                const bool last = i == layout.timeTicks.size() - 1;
                const double left = first  ? tick.position
                                    : last ? tick.position - pt(60)
                                           : tick.position - pt(30);
                drawText(m_small, QRectF(left, layout.plot.bottom() + pt(2), pt(60), labelHeight),
                         tick.label,
                         (first  ? Qt::AlignLeft
                          : last ? Qt::AlignRight
                                 : Qt::AlignHCenter) |
                             Qt::AlignTop,
                         Qt::darkGray);
            }
            painter.save();
            painter.setClipRect(layout.plot);
            for (const ChartLine &line : layout.lines) {
                QPainterPath path;
                for (const QPolygonF &segment : line.segments)
                    path.addPolygon(segment);
                painter.setPen(
                    QPen(line.color, pt(0.7), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
                painter.drawPath(path);
            }
            painter.restore();
        }
        m_y += chartHeight;

        const double entryWidth = m_content.width() / perLine;
        for (qsizetype i = 0; i < layout.lines.size(); ++i) {
            const double x = m_content.left() + entryWidth * double(i % perLine);
            const double y = m_y + legendLine * double(i / perLine);
            if (m_painter) {
                m_painter->fillRect(QRectF(x, y + legendLine / 2 - pt(1), pt(12), pt(2)),
                                    layout.lines.at(i).color);
            }
            drawText(m_small, QRectF(x + pt(16), y, entryWidth - pt(18), legendLine),
                     layout.lines.at(i).label, Qt::AlignLeft | Qt::AlignVCenter);
        }
        m_y += legendLine * double(legendLines) + pt(10);
    }

    void topology()
    {
        const QList<TopologyNode> &nodes = m_model.topology;
        if (nodes.isEmpty())
            return;
        const int perRow = int(std::min<qsizetype>(nodes.size(), 3));
        const double gap = pt(8);
        const double boxWidth = (m_content.width() - gap * (perRow - 1)) / perRow;
        const double tileHeight = metrics(m_small).height() + pt(5);
        // A box never runs over a page: a node with more VMs than fit shows how many are left
        // out (the placement table lists them all).
        const double headRoom = metrics(m_bold).height() + metrics(m_small).height() * 2 + pt(10);
        const int maxTiles = std::max(1, int((m_content.height() / 2 - headRoom) / tileHeight));
        for (qsizetype start = 0; start < nodes.size(); start += perRow) {
            double rowHeight = 0;
            const qsizetype end = std::min(start + perRow, nodes.size());
            for (qsizetype i = start; i < end; ++i) {
                const double head = metrics(m_bold).height() +
                                    textHeight(m_small, nodes.at(i).detail, boxWidth - pt(8));
                const int tiles = int(std::min<qsizetype>(nodes.at(i).vms.size(), maxTiles));
                rowHeight = std::max(rowHeight, head + pt(10) + tileHeight * double(tiles));
            }
            ensure(rowHeight);
            for (qsizetype i = start; i < end; ++i)
                nodeBox(nodes.at(i),
                        QRectF(m_content.left() + double(i - start) * (boxWidth + gap), m_y,
                               boxWidth, rowHeight),
                        tileHeight, maxTiles);
            m_y += rowHeight + gap;
        }
        m_y += pt(4);
    }

    void nodeBox(const TopologyNode &node, const QRectF &box, double tileHeight, int maxTiles)
    {
        const double nameHeight = metrics(m_bold).height();
        const double detailHeight = textHeight(m_small, node.detail, box.width() - pt(8));
        if (m_painter) {
            m_painter->setPen(QPen(QColor(0x55, 0x55, 0x55), pt(0.8)));
            m_painter->setBrush(QColor(0xf7, 0xf7, 0xf7));
            m_painter->drawRoundedRect(box, pt(4), pt(4));
        }
        drawText(m_bold,
                 QRectF(box.left() + pt(4), box.top() + pt(3), box.width() - pt(8), nameHeight),
                 node.name);
        drawText(m_small,
                 QRectF(box.left() + pt(4), box.top() + pt(3) + nameHeight, box.width() - pt(8),
                        detailHeight),
                 node.detail, kTextFlags, Qt::darkGray);
        double y = box.top() + pt(6) + nameHeight + detailHeight;
        for (qsizetype i = 0; i < node.vms.size(); ++i) {
            const QRectF tile(box.left() + pt(4), y, box.width() - pt(8), tileHeight - pt(2));
            if (i == maxTiles - 1 && node.vms.size() > maxTiles) {
                drawText(m_small, tile.adjusted(pt(4), 0, -pt(4), 0),
                         Tr::tr("… and %n more", nullptr, int(node.vms.size() - i)),
                         Qt::AlignLeft | Qt::AlignVCenter, Qt::darkGray);
                break;
            }
            const TopologyVm &vm = node.vms.at(i);
            if (m_painter) {
                m_painter->setPen(QPen(QColor(0x33, 0x33, 0x33), vm.ha ? pt(1.4) : pt(0.4)));
                m_painter->setBrush(roleColor(vm.role));
                m_painter->drawRoundedRect(tile, pt(2), pt(2));
            }
            drawText(m_small, tile.adjusted(pt(4), 0, -pt(4), 0), vm.name,
                     Qt::AlignLeft | Qt::AlignVCenter);
            y += tileHeight;
        }
        if (m_painter)
            m_painter->setBrush(Qt::NoBrush);
    }

    QPdfWriter &m_writer;
    const ReportModel &m_model;
    QPainter *m_painter = nullptr;
    int m_totalPages = 0;
    double m_scale = 1;
    int m_pageNumber = 1;
    double m_y = 0;
    QRectF m_page;
    QRectF m_content;
    QFont m_body;
    QFont m_bold;
    QFont m_small;
    QFont m_smallBold;
    QFont m_heading;
    QFont m_title;
    QFont m_mono;
};

} // namespace

Status writePdf(const ReportModel &model, QIODevice &out, Paper paper)
{
    QPdfWriter writer(&out);
    writer.setResolution(kResolution);
    writer.setPageLayout(
        QPageLayout(QPageSize(paper == Paper::Letter ? QPageSize::Letter : QPageSize::A4),
                    QPageLayout::Portrait, QMarginsF(kMarginMm, kMarginMm, kMarginMm, kMarginMm),
                    QPageLayout::Millimeter));
    writer.setTitle(model.title.title + QStringLiteral(" — ") + model.title.cluster);
    writer.setCreator(QStringLiteral("RAE Deploy %1").arg(model.title.applicationVersion));

    const int pages = PdfLayout(writer, model, nullptr, 0).run();

    QPainter painter;
    if (!painter.begin(&writer))
        return Error{
            Tr::tr("cannot start the PDF"), Tr::tr("check that the output can be written"), {}};
    painter.setRenderHint(QPainter::Antialiasing);
    PdfLayout(writer, model, &painter, pages).run();
    if (!painter.end())
        return Error{Tr::tr("cannot finish the PDF: %1").arg(out.errorString()), {}, {}};
    return Done{};
}

} // namespace rae::report
