#include "failurepreview.h"

#include <QBrush>
#include <QColor>
#include <QCoreApplication>
#include <QLocale>

namespace rae::gui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("rae::gui::FailurePreview", text);
}

QString gib(quint64 bytes)
{
    return QLocale().toString(double(bytes) / double(1ULL << 30), 'f', 0);
}

QString vmKeyOf(const ha::PlanFailureReport &report, const QString &id)
{
    return report.input.vmNameOfId.value(id, id);
}

double peakOf(const ha::FailureCase &failure, QString *where)
{
    double peak = 0;
    for (const ha::NodeLoadAfter &load : failure.loads) {
        const double cpu = load.cpus > 0 ? load.cpu / load.cpus : 0;
        const double memory =
            load.memoryTotal > 0 ? double(load.memoryBytes) / double(load.memoryTotal) : 0;
        if (std::max(cpu, memory) > peak) {
            peak = std::max(cpu, memory);
            if (where)
                *where =
                    cpu > memory ? tr("%1 CPU").arg(load.node) : tr("%1 memory").arg(load.node);
        }
    }
    return peak;
}

} // namespace

Topology withFailure(Topology topology, const ha::PlanFailureReport &report,
                     const ha::FailureCase &failure)
{
    for (TopologyNode &node : topology.nodes) {
        if (failure.failedNodes.contains(node.name)) {
            node.simulatedDown = true;
            node.online = false;
            continue;
        }
        for (const ha::NodeLoadAfter &load : failure.loads) {
            if (load.node != node.name)
                continue;
            // The analysis counts CPU against threads; the bars compare against the same.
            node.cpuFraction = load.cpus > 0 ? load.cpu / load.cpus : 0;
            node.memoryFraction =
                load.memoryTotal > 0 ? double(load.memoryBytes) / double(load.memoryTotal) : 0;
            node.cpuText = tr("after: %1 vCPU of %2 threads%3")
                               .arg(load.cpu)
                               .arg(load.cpus)
                               .arg(load.cpuOvercommitted ? tr(" — overcommitted") : QString());
            node.memoryText =
                tr("after: %1 of %2 GiB%3")
                    .arg(gib(load.memoryBytes), gib(load.memoryTotal),
                         load.memoryOvercommitted ? tr(" — overcommitted") : QString());
        }
    }

    QHash<QString, const ha::ServiceOutcome *> outcomes;
    for (const ha::ServiceOutcome &outcome : failure.services)
        outcomes.insert(vmKeyOf(report, outcome.sid), &outcome);
    QSet<QString> lost;
    for (const ha::Guest &guest : failure.lostGuests)
        lost.insert(vmKeyOf(report, guest.id));

    for (TopologyVm &vm : topology.vms) {
        if (const ha::ServiceOutcome *outcome = outcomes.value(vm.key)) {
            if (outcome->fate == ha::Fate::Down) {
                vm.lost = true;
                vm.failureNote = tr("down: %1").arg(ha::downReasonName(outcome->reason));
            } else {
                vm.recoversTo = outcome->toNode.value_or(QString());
                vm.failureNote =
                    outcome->fate == ha::Fate::Started
                        ? tr("→ %1 in %2 s").arg(vm.recoversTo).arg(outcome->recoverySeconds)
                        : tr("→ %1, stays stopped").arg(vm.recoversTo);
            }
            vm.details += QStringLiteral("\n") + ha::describeOutcome(*outcome);
        } else if (lost.contains(vm.key)) {
            vm.lost = true;
            vm.failureNote = tr("lost: no HA");
        }
    }
    return topology;
}

QString failureVerdict(const ha::FailureCase &failure, const QList<ha::Impact> &impacts)
{
    if (!failure.quorate)
        return tr("no quorum: nothing is recovered");
    QStringList parts;
    for (const ha::Impact &impact : impacts) {
        if (impact.severity != ha::ImpactSeverity::Info)
            parts << impact.text;
    }
    if (parts.isEmpty())
        return tr("survives: every HA VM recovers");
    return parts.join(QStringLiteral("; "));
}

FailureTableModel::FailureTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void FailureTableModel::setReport(const ha::PlanFailureReport &report)
{
    beginResetModel();
    m_report = report;
    endResetModel();
}

int FailureTableModel::rowOfNode(const QString &node) const
{
    for (qsizetype row = 0; row < m_report.analysis.cases.size(); ++row) {
        if (m_report.analysis.cases.at(row).failedNodes.value(0) == node)
            return int(row);
    }
    return -1;
}

int FailureTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_report.analysis.cases.size());
}

int FailureTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FailureTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ha::FailureCase &failure = m_report.analysis.cases.at(index.row());
    const QList<ha::Impact> impacts = m_report.impacts.value(index.row());
    ha::ImpactSeverity worst = ha::ImpactSeverity::Info;
    for (const ha::Impact &impact : impacts)
        worst = std::max(worst, impact.severity);
    if (role == SeverityRole)
        return int(worst);
    if (role == NodeRole)
        return failure.failedNodes.value(0);
    if (role == Qt::ForegroundRole && index.column() == VerdictColumn)
        return QBrush(worst == ha::ImpactSeverity::Critical  ? QColor(0xb3, 0x26, 0x1e)
                      : worst == ha::ImpactSeverity::Warning ? QColor(0x9a, 0x5b, 0x00)
                                                             : QColor(0x1e, 0x7a, 0x44));
    if (role == Qt::ToolTipRole && index.column() == VerdictColumn) {
        QStringList lines;
        for (const ha::ServiceOutcome &outcome : failure.services)
            lines << ha::describeOutcome(outcome);
        return lines.join(QLatin1Char('\n'));
    }
    if (role != Qt::DisplayRole)
        return {};
    int recovered = 0;
    int down = 0;
    for (const ha::ServiceOutcome &outcome : failure.services)
        (outcome.fate == ha::Fate::Down ? down : recovered) += 1;
    switch (index.column()) {
    case NodeColumn:
        return failure.failedNodes.join(QStringLiteral(", "));
    case VerdictColumn:
        return failureVerdict(failure, impacts);
    case RecoveredColumn:
        return recovered;
    case DownColumn:
        return down;
    case LostColumn:
        return int(failure.lostGuests.size());
    case PeakColumn: {
        QString where;
        const double peak = peakOf(failure, &where);
        return tr("%1% (%2)").arg(qRound(peak * 100)).arg(where);
    }
    case TimeColumn:
        return failure.expectedRecoverySeconds > 0 ? tr("%1 s").arg(failure.expectedRecoverySeconds)
                                                   : QString();
    default:
        return {};
    }
}

QVariant FailureTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NodeColumn:
        return tr("Failed node");
    case VerdictColumn:
        return tr("Verdict");
    case RecoveredColumn:
        return tr("Recovered");
    case DownColumn:
        return tr("HA down");
    case LostColumn:
        return tr("Lost (no HA)");
    case PeakColumn:
        return tr("Peak load after");
    case TimeColumn:
        return tr("Back in");
    default:
        return {};
    }
}

} // namespace rae::gui
