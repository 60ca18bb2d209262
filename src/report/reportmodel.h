#pragma once

#include <QDateTime>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

// The report as plain data, gathered once and then handed to the writers (reportwriter.h). It
// holds no QObject and no pointer into the plan, the cluster or the metric store, so that it
// can be copied to a worker thread and rendered there.
namespace rae::report {

enum class Verdict
{
    Healthy,   // nothing to act on
    Attention, // warnings: the deployment works but something should be looked at
    Critical,  // errors, open critical alerts or a node failure that takes RAE down
};

QString verdictName(Verdict verdict);  // stable, for JSON: "healthy", "attention", "critical"
QString verdictTitle(Verdict verdict); // translated

enum class CellKind
{
    Text,
    Number, // written as a JSON number when it parses as one
};

struct Column
{
    QString key;   // stable, for JSON: "failed_node"
    QString title; // translated, for people
    CellKind kind = CellKind::Text;
    double weight = 1.0; // share of the table's width in the PDF
};

struct Table
{
    QString id;      // stable, for JSON: "node-failures"
    QString caption; // translated
    QList<Column> columns;
    QList<QStringList> rows;  // each as long as `columns`
    QString emptyText;        // said instead of an empty table
    QList<int> flaggedRows{}; // indexes of rows that need attention (a failed task, a stale backup)
};

// One line of a chart: the points of one series of the period, in (milliseconds since the
// epoch, value). Every point is kept; the writers thin them to what a chart can show.
struct Series
{
    QString metric;  // "latency.rae_api"
    QString subject; // "api-1"
    QList<QPointF> points;
};

struct Chart
{
    QString id;        // stable: the metric, "latency.rae_api"
    QString title;     // translated
    QString unit;      // "ms", "%", "s"
    QList<int> series; // indexes into ReportModel::series
};

// The topology picture: nodes as boxes holding their VMs.
struct TopologyVm
{
    QString name;
    QString role; // stable role name, for the colour
    bool ha = false;
};

struct TopologyNode
{
    QString name;
    QString detail; // "32 threads, 128 GiB, NVIDIA L4"
    QList<TopologyVm> vms;
};

struct Section
{
    QString id;    // stable: "summary", "inventory", "placement", "findings", ...
    QString title; // translated
    QStringList paragraphs;
    QList<Table> tables;
    QList<Chart> charts;
    bool topology = false;     // the topology picture comes after the paragraphs
    bool preformatted = false; // paragraphs are monospaced text kept line by line (the plan)
};

struct TitleInfo
{
    QString title;         // translated: "RAE deployment report"
    QString cluster;       // the cluster's name
    QString source;        // "plan" or "cluster": what the report was built from
    QString planFile;      // empty without a plan
    QDateTime periodStart; // invalid when the report has no period (a plan alone)
    QDateTime periodEnd;
    QDateTime generatedAt;
    QString generatedBy;
    QString applicationVersion;
};

struct ReportModel
{
    int schemaVersion = 1; // of the JSON output
    TitleInfo title;
    Verdict verdict = Verdict::Healthy;
    QStringList verdictReasons; // translated, one line each
    QList<Section> sections;
    QList<TopologyNode> topology;
    QList<Series> series;
    QString planText; // the plan as the plan writer writes it, which never holds a secret

    const Section *section(const QString &id) const;
};

} // namespace rae::report
