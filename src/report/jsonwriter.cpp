#include "reportwriter.h"

#include "monitor/lttb.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>

namespace rae::report {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::report::JsonWriter)
};

// Every point is in the CSV; the JSON keeps enough of each series to draw it again.
constexpr qsizetype kJsonPointsPerSeries = 500;

QJsonValue time(const QDateTime &when)
{
    return when.isValid() ? QJsonValue(when.toUTC().toString(Qt::ISODate)) : QJsonValue();
}

QJsonValue cell(const Column &column, const QString &text)
{
    if (text.isEmpty())
        return QJsonValue();
    if (column.kind == CellKind::Number) {
        bool ok = false;
        const double value = text.toDouble(&ok);
        if (ok)
            return value;
    }
    return text;
}

QJsonObject tableToJson(const Table &table)
{
    QJsonArray columns;
    for (const Column &column : table.columns)
        columns.append(QJsonObject{{QStringLiteral("key"), column.key},
                                   {QStringLiteral("title"), column.title},
                                   {QStringLiteral("kind"), column.kind == CellKind::Number
                                                                ? QStringLiteral("number")
                                                                : QStringLiteral("text")}});
    QJsonArray rows;
    for (const QStringList &row : table.rows) {
        QJsonObject object;
        for (qsizetype i = 0; i < table.columns.size(); ++i)
            object.insert(table.columns.at(i).key, cell(table.columns.at(i), row.value(i)));
        rows.append(object);
    }
    QJsonArray flagged;
    for (int row : table.flaggedRows)
        flagged.append(row);
    return QJsonObject{{QStringLiteral("id"), table.id},
                       {QStringLiteral("caption"), table.caption},
                       {QStringLiteral("columns"), columns},
                       {QStringLiteral("rows"), rows},
                       {QStringLiteral("flagged_rows"), flagged}};
}

QJsonObject seriesToJson(const Series &series)
{
    double minimum = std::numeric_limits<double>::infinity();
    double maximum = -minimum;
    double sum = 0;
    qsizetype count = 0;
    for (const QPointF &point : series.points) {
        if (std::isnan(point.y()))
            continue;
        minimum = std::min(minimum, point.y());
        maximum = std::max(maximum, point.y());
        sum += point.y();
        ++count;
    }
    const QList<QPointF> thinned =
        monitor::lttbWith(series.points.size(), kJsonPointsPerSeries,
                          [&series](qsizetype i) { return series.points.at(i); });
    QJsonArray points;
    for (const QPointF &point : thinned) {
        if (!std::isnan(point.y()))
            points.append(QJsonArray{qint64(point.x()), point.y()});
    }
    const auto number = [count](double value) {
        return count > 0 ? QJsonValue(value) : QJsonValue();
    };
    return QJsonObject{
        {QStringLiteral("metric"), series.metric},
        {QStringLiteral("subject"), series.subject},
        {QStringLiteral("count"), double(count)},
        {QStringLiteral("first"),
         series.points.isEmpty() ? QJsonValue() : QJsonValue(qint64(series.points.first().x()))},
        {QStringLiteral("last"),
         series.points.isEmpty() ? QJsonValue() : QJsonValue(qint64(series.points.last().x()))},
        {QStringLiteral("min"), number(minimum)},
        {QStringLiteral("max"), number(maximum)},
        {QStringLiteral("mean"), number(count > 0 ? sum / double(count) : 0.0)},
        {QStringLiteral("points"), points},
    };
}

} // namespace

Status writeJson(const ReportModel &model, QIODevice &out)
{
    const TitleInfo &title = model.title;
    const QJsonObject titleObject{
        {QStringLiteral("title"), title.title},
        {QStringLiteral("cluster"), title.cluster},
        {QStringLiteral("source"), title.source},
        {QStringLiteral("plan_file"),
         title.planFile.isEmpty() ? QJsonValue() : QJsonValue(title.planFile)},
        {QStringLiteral("period_start"), time(title.periodStart)},
        {QStringLiteral("period_end"), time(title.periodEnd)},
        {QStringLiteral("generated_at"), time(title.generatedAt)},
        {QStringLiteral("generated_by"), title.generatedBy},
        {QStringLiteral("application_version"), title.applicationVersion},
    };

    QJsonArray sections;
    for (const Section &section : model.sections) {
        QJsonArray tables;
        for (const Table &table : section.tables)
            tables.append(tableToJson(table));
        QJsonArray charts;
        for (const Chart &chart : section.charts) {
            QJsonArray series;
            for (int index : chart.series)
                series.append(
                    QJsonObject{{QStringLiteral("metric"), model.series.at(index).metric},
                                {QStringLiteral("subject"), model.series.at(index).subject}});
            charts.append(QJsonObject{{QStringLiteral("id"), chart.id},
                                      {QStringLiteral("title"), chart.title},
                                      {QStringLiteral("unit"), chart.unit},
                                      {QStringLiteral("series"), series}});
        }
        // The plan's lines are the "plan" member once, not a second time here.
        sections.append(QJsonObject{
            {QStringLiteral("id"), section.id},
            {QStringLiteral("title"), section.title},
            {QStringLiteral("paragraphs"),
             section.preformatted ? QJsonArray() : QJsonArray::fromStringList(section.paragraphs)},
            {QStringLiteral("tables"), tables},
            {QStringLiteral("charts"), charts},
        });
    }

    QJsonArray topology;
    for (const TopologyNode &node : model.topology) {
        QJsonArray vms;
        for (const TopologyVm &vm : node.vms)
            vms.append(QJsonObject{{QStringLiteral("name"), vm.name},
                                   {QStringLiteral("role"), vm.role},
                                   {QStringLiteral("ha"), vm.ha}});
        topology.append(QJsonObject{{QStringLiteral("node"), node.name},
                                    {QStringLiteral("detail"), node.detail},
                                    {QStringLiteral("vms"), vms}});
    }

    QJsonArray series;
    for (const Series &one : model.series)
        series.append(seriesToJson(one));

    const QJsonObject root{
        {QStringLiteral("schema_version"), model.schemaVersion},
        {QStringLiteral("title"), titleObject},
        {QStringLiteral("verdict"),
         QJsonObject{
             {QStringLiteral("level"), verdictName(model.verdict)},
             {QStringLiteral("title"), verdictTitle(model.verdict)},
             {QStringLiteral("reasons"), QJsonArray::fromStringList(model.verdictReasons)}}},
        {QStringLiteral("sections"), sections},
        {QStringLiteral("topology"), topology},
        {QStringLiteral("series"), series},
        {QStringLiteral("plan"),
         model.planText.isEmpty() ? QJsonValue() : QJsonValue(model.planText)},
    };
    if (out.write(QJsonDocument(root).toJson(QJsonDocument::Indented)) < 0)
        return Error{Tr::tr("cannot write the JSON: %1").arg(out.errorString()), {}, {}};
    return Done{};
}

} // namespace rae::report
