#include "chartlayout.h"
#include "reportwriter.h"

#include <QCoreApplication>
#include <QIODevice>

namespace rae::report {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::report::HtmlWriter)
};

// Everything inline: the file is mailed and attached to tickets, and must not call home.
// It is also well-formed XML, so a plain XML reader can check it.
const char kStyle[] = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin-bottom: 0.2em; }
h2 { font-size: 14pt; border-bottom: 1px solid #999; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1.2em 0; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #e8e8e8; }
tr:nth-child(even) td { background: #f6f6f6; }
td.number { text-align: right; }
tr.flagged td { background: #fcd5cc; }
dl.title { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.title dt { font-weight: bold; }
dl.title dd { margin: 0; }
.verdict { display: inline-block; padding: 0.3em 0.8em; border-radius: 4px; font-weight: bold; }
.verdict.healthy { background: #c7e9c0; } .verdict.attention { background: #fdd0a2; }
.verdict.critical { background: #fcbba1; }
.topology { display: flex; flex-wrap: wrap; gap: 12px; }
.node { border: 1px solid #555; border-radius: 4px; padding: 6px; min-width: 200px; flex: 1; }
.node .name { font-weight: bold; } .node .detail { color: #555; font-size: 9pt; }
.vm { border: 1px solid #888; border-radius: 3px; margin-top: 4px; padding: 2px 6px; }
.vm.ha { border: 2px solid #222; }
.chart { margin: 0.8em 0 1.6em 0; }
.legend span { margin-right: 1.2em; white-space: nowrap; }
.swatch { display: inline-block; width: 14px; height: 4px; vertical-align: middle;
          margin-right: 4px; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.8em; font-size: 8.5pt;
      overflow-x: auto; }
)";

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

QString number(double value)
{
    return QString::number(value, 'f', 1);
}

void writeTable(QString &html, const Table &table)
{
    if (table.rows.isEmpty()) {
        html += QStringLiteral("<p><b>%1:</b> %2</p>\n")
                    .arg(escaped(table.caption), escaped(table.emptyText));
        return;
    }
    html += QStringLiteral("<table id=\"%1\"><caption>%2</caption>\n<thead><tr>")
                .arg(escaped(table.id), escaped(table.caption));
    for (const Column &column : table.columns)
        html += QStringLiteral("<th>%1</th>").arg(escaped(column.title));
    html += QStringLiteral("</tr></thead>\n<tbody>\n");
    for (qsizetype r = 0; r < table.rows.size(); ++r) {
        const QStringList &row = table.rows.at(r);
        html += table.flaggedRows.contains(int(r)) ? QStringLiteral("<tr class=\"flagged\">")
                                                   : QStringLiteral("<tr>");
        for (qsizetype i = 0; i < table.columns.size(); ++i) {
            html += table.columns.at(i).kind == CellKind::Number
                        ? QStringLiteral("<td class=\"number\">")
                        : QStringLiteral("<td>");
            html += escaped(row.value(i)) + QStringLiteral("</td>");
        }
        html += QStringLiteral("</tr>\n");
    }
    html += QStringLiteral("</tbody></table>\n");
}

void writeChart(QString &html, const ReportModel &model, const Chart &chart)
{
    const QRectF area(0, 0, 1000, 260);
    const ChartLayout layout = layoutChart(model, chart, area, 56, 18);
    html += QStringLiteral("<div class=\"chart\"><h3>%1 (%2)</h3>\n")
                .arg(escaped(chart.title), escaped(chart.unit));
    html += QStringLiteral("<svg class=\"chart\" viewBox=\"0 0 %1 %2\" width=\"100%\" "
                           "role=\"img\" font-size=\"11\" font-family=\"sans-serif\">\n")
                .arg(area.width())
                .arg(area.height());
    const QRectF &plot = layout.plot;
    html +=
        QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"#fafafa\" "
                       "stroke=\"#888\"/>\n")
            .arg(number(plot.x()), number(plot.y()), number(plot.width()), number(plot.height()));
    for (const ChartTick &tick : layout.valueTicks) {
        html += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\" stroke=\"#ddd\"/>"
                               "<text x=\"%4\" y=\"%5\" text-anchor=\"end\">%6</text>\n")
                    .arg(number(plot.left()), number(tick.position), number(plot.right()),
                         number(plot.left() - 4), number(tick.position + 4), escaped(tick.label));
    }
    for (qsizetype i = 0; i < layout.timeTicks.size(); ++i) {
        const ChartTick &tick = layout.timeTicks.at(i);
        const QString anchor = i == 0                             ? QStringLiteral("start")
                               : i == layout.timeTicks.size() - 1 ? QStringLiteral("end")
                                                                  : QStringLiteral("middle");
        html += QStringLiteral("<text x=\"%1\" y=\"%2\" text-anchor=\"%3\">%4</text>\n")
                    .arg(number(tick.position), number(plot.bottom() + 15), anchor,
                         escaped(tick.label));
    }
    for (const ChartLine &line : layout.lines) {
        for (const QPolygonF &segment : line.segments) {
            html += QStringLiteral("<polyline fill=\"none\" stroke-width=\"1.2\" stroke=\"%1\" "
                                   "points=\"")
                        .arg(line.color.name());
            for (const QPointF &point : segment) {
                html += number(point.x());
                html += QLatin1Char(',');
                html += number(point.y());
                html += QLatin1Char(' ');
            }
            html += QStringLiteral("\"/>\n");
        }
    }
    html += QStringLiteral("</svg>\n<div class=\"legend\">");
    for (const ChartLine &line : layout.lines)
        html += QStringLiteral("<span><span class=\"swatch\" style=\"background:%1\"></span>%2"
                               "</span>")
                    .arg(line.color.name(), escaped(line.label));
    html += QStringLiteral("</div></div>\n");
}

void writeTopology(QString &html, const ReportModel &model)
{
    html += QStringLiteral("<div class=\"topology\">\n");
    for (const TopologyNode &node : model.topology) {
        html += QStringLiteral("<div class=\"node\"><div class=\"name\">%1</div>"
                               "<div class=\"detail\">%2</div>\n")
                    .arg(escaped(node.name), escaped(node.detail));
        for (const TopologyVm &vm : node.vms)
            html += QStringLiteral("<div class=\"vm%1\" style=\"background:%2\">%3</div>\n")
                        .arg(vm.ha ? QStringLiteral(" ha") : QString(), roleColor(vm.role).name(),
                             escaped(vm.name));
        html += QStringLiteral("</div>\n");
    }
    html += QStringLiteral("</div>\n");
}

QString periodText(const TitleInfo &title)
{
    if (!title.periodStart.isValid())
        return title.source == QLatin1String("cluster") ? Tr::tr("none (no monitoring history)")
                                                        : Tr::tr("none (a plan alone)");
    return Tr::tr("%1 to %2 (UTC)")
        .arg(title.periodStart.toUTC().toString(Qt::ISODate),
             title.periodEnd.toUTC().toString(Qt::ISODate));
}

} // namespace

Status writeHtml(const ReportModel &model, QIODevice &out)
{
    const TitleInfo &title = model.title;
    QString html;
    html.reserve(1 << 20);
    html +=
        QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                       "<title>%1 – %2</title>\n<style>")
            .arg(escaped(title.title), escaped(title.cluster));
    html += QString::fromLatin1(kStyle);
    html += QStringLiteral("</style>\n</head>\n<body>\n");

    html += QStringLiteral("<h1>%1</h1>\n<dl class=\"title\">\n").arg(escaped(title.title));
    const QList<std::pair<QString, QString>> facts{
        {Tr::tr("Cluster"), title.cluster},
        {Tr::tr("Built from"),
         title.source == QLatin1String("cluster") ? Tr::tr("the cluster") : Tr::tr("the plan")},
        {Tr::tr("Plan file"), title.planFile},
        {Tr::tr("Period"), periodText(title)},
        {Tr::tr("Generated"), title.generatedAt.toUTC().toString(Qt::ISODate)},
        {Tr::tr("Generated by"), title.generatedBy},
        {Tr::tr("Application version"), title.applicationVersion},
    };
    for (const auto &[name, value] : facts) {
        if (!value.isEmpty())
            html += QStringLiteral("<dt>%1</dt><dd>%2</dd>\n").arg(escaped(name), escaped(value));
    }
    html += QStringLiteral("</dl>\n<p>%1 <span class=\"verdict %2\">%3</span></p>\n")
                .arg(escaped(Tr::tr("Health verdict:")), verdictName(model.verdict),
                     escaped(verdictTitle(model.verdict)));

    for (const Section &section : model.sections) {
        html += QStringLiteral("<section id=\"%1\">\n<h2>%2</h2>\n")
                    .arg(escaped(section.id), escaped(section.title));
        if (section.preformatted) {
            html += QStringLiteral("<pre>") + escaped(section.paragraphs.join(QLatin1Char('\n'))) +
                    QStringLiteral("</pre>\n");
        } else {
            for (const QString &paragraph : section.paragraphs)
                html += QStringLiteral("<p>%1</p>\n").arg(escaped(paragraph));
        }
        if (section.topology)
            writeTopology(html, model);
        for (const Table &table : section.tables)
            writeTable(html, table);
        for (const Chart &chart : section.charts)
            writeChart(html, model, chart);
        html += QStringLiteral("</section>\n");
    }
    html += QStringLiteral("</body>\n</html>\n");

    if (out.write(html.toUtf8()) < 0)
        return Error{Tr::tr("cannot write the HTML: %1").arg(out.errorString()), {}, {}};
    return Done{};
}

} // namespace rae::report
