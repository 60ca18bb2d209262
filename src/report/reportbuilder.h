#pragma once

#include "reportmodel.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace rae::plan {
struct Plan;
}
namespace rae::cluster {
struct Inventory;
}
namespace rae::monitor {
class MetricStore;
}
namespace rae::ha {
struct PlanClusterState;
}

namespace rae::report {

// What a report is built from. The pointers are not owned and may be null; each part that is
// present adds its sections. Building only reads them, so the caller may build on any thread
// that may read them.
struct ReportInput
{
    const plan::Plan *plan = nullptr;
    QString planFile;
    const cluster::Inventory *inventory = nullptr; // a cluster as read once
    // The same cluster as the HA engine sees it (ha/clustersources.h); its failure analysis is
    // reported when there is no plan.
    const ha::PlanClusterState *clusterState = nullptr;
    QString clusterName;                         // the profile's name with --cluster
    const monitor::MetricStore *store = nullptr; // series of the period
    QDateTime periodStart;                       // with a store or a cluster
    QDateTime periodEnd;
    QDateTime generatedAt; // the caller's clock, so tests can fix it
    QString generatedBy;
    QString applicationVersion;
    // Ids of the sections to keep ("summary", "charts", ...); empty keeps every section. The
    // topology picture and the plan text go with their sections; the series stay for the CSV.
    QStringList sections;
};

// Gathers everything a report shows: plan, findings and failure analysis (one case per node)
// from the plan; inventory, HA, replication and backups from the cluster; the charts' series
// from the store. Nothing secret is read.
ReportModel buildReport(const ReportInput &input);

} // namespace rae::report
