#pragma once

#include "topology.h"

#include "ha/planfailure.h"

#include <QAbstractTableModel>

// "Simulate failure" in the plan graph: what the HA analysis (the same engine as the CLI's
// `failover`) predicts for one failed node, drawn onto the plan's topology, and a table of every
// single-node failure with its verdict.
namespace rae::gui {

// `topology` (from topologyFromPlan) as it would look after `failure`: the failed nodes greyed
// out, each affected VM told where it recovers to or why it stays down, and the survivors' CPU
// and memory bars showing their load afterwards. `report` supplies the HA id → VM name map.
Topology withFailure(Topology topology, const ha::PlanFailureReport &report,
                     const ha::FailureCase &failure);

// One line per case for people: "3 recovered, 1 down, LLM unavailable".
QString failureVerdict(const ha::FailureCase &failure, const QList<ha::Impact> &impacts);

// The single-node failures of a plan and their verdicts; one row per failed node.
class FailureTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        NodeColumn,
        VerdictColumn,
        RecoveredColumn,
        DownColumn,
        LostColumn,
        PeakColumn,
        TimeColumn,
        ColumnCount
    };
    enum Role
    {
        SeverityRole = Qt::UserRole + 1, // the worst impact, as int(ha::ImpactSeverity)
        NodeRole,
    };

    explicit FailureTableModel(QObject *parent = nullptr);

    void setReport(const ha::PlanFailureReport &report);
    const ha::PlanFailureReport &report() const { return m_report; }
    int rowOfNode(const QString &node) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    ha::PlanFailureReport m_report;
};

} // namespace rae::gui
