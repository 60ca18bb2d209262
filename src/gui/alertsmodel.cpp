#include "alertsmodel.h"

#include <QApplication>
#include <QColor>
#include <QDateTime>
#include <QIcon>
#include <QLocale>
#include <QStyle>

#include <algorithm>

namespace rae::gui {

namespace {

QString timeText(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}

} // namespace

AlertsModel::AlertsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int AlertsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_alerts.size());
}

int AlertsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const monitor::Alert &alert = m_alerts.at(index.row());
    const bool active = alert.clearedMs == 0;
    const bool critical = alert.severity == monitor::AlertSeverity::Critical;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return critical ? tr("critical") : tr("warning");
        case SubjectColumn:
            return alert.subject;
        case MessageColumn:
            return alert.title;
        case SinceColumn:
            return timeText(alert.sinceMs);
        case ClearedColumn:
            return active ? tr("active") : timeText(alert.clearedMs);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == MessageColumn)
            return tr("%1 (rule %2, value %3)")
                .arg(alert.title, alert.ruleId, QString::number(alert.value, 'g', 4));
        break;
    case Qt::DecorationRole:
        if (index.column() == SeverityColumn)
            return QApplication::style()->standardIcon(critical ? QStyle::SP_MessageBoxCritical
                                                                : QStyle::SP_MessageBoxWarning);
        break;
    case Qt::ForegroundRole:
        // Cleared alerts stay for the record but step back.
        if (!active)
            return QColor(Qt::gray);
        break;
    case RuleIdRole:
        return alert.ruleId;
    case ActiveRole:
        return active;
    }
    return {};
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case SubjectColumn:
        return tr("Subject");
    case MessageColumn:
        return tr("Message");
    case SinceColumn:
        return tr("Since");
    case ClearedColumn:
        return tr("Cleared");
    }
    return {};
}

void AlertsModel::raise(const monitor::Alert &alert)
{
    // The engine raises an alert once until it clears; a repeat updates the row in place.
    if (const int row = findActive(alert.ruleId, alert.subject); row >= 0) {
        m_alerts[row] = alert;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, 0, 0);
    m_alerts.prepend(alert);
    endInsertRows();
    emit activeCountChanged(activeCount());
}

void AlertsModel::clear(const monitor::Alert &alert)
{
    const int row = findActive(alert.ruleId, alert.subject);
    if (row < 0)
        return;
    m_alerts[row].clearedMs = alert.clearedMs > 0 ? alert.clearedMs : 1;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    dropOldCleared();
    emit activeCountChanged(activeCount());
}

void AlertsModel::setMaxCleared(int count)
{
    m_maxCleared = std::max(count, 0);
    dropOldCleared();
}

QList<monitor::Alert> AlertsModel::active() const
{
    QList<monitor::Alert> out;
    for (const monitor::Alert &alert : m_alerts) {
        if (alert.clearedMs == 0)
            out.append(alert);
    }
    return out;
}

int AlertsModel::activeCount() const
{
    return int(std::count_if(m_alerts.cbegin(), m_alerts.cend(),
                             [](const monitor::Alert &alert) { return alert.clearedMs == 0; }));
}

int AlertsModel::findActive(const QString &ruleId, const QString &subject) const
{
    for (int row = 0; row < m_alerts.size(); ++row) {
        const monitor::Alert &alert = m_alerts.at(row);
        if (alert.clearedMs == 0 && alert.ruleId == ruleId && alert.subject == subject)
            return row;
    }
    return -1;
}

void AlertsModel::dropOldCleared()
{
    // Rows are newest first, so the oldest cleared ones are found from the bottom.
    int cleared = 0;
    for (const monitor::Alert &alert : std::as_const(m_alerts))
        cleared += alert.clearedMs != 0 ? 1 : 0;
    for (int row = int(m_alerts.size()) - 1; row >= 0 && cleared > m_maxCleared; --row) {
        if (m_alerts.at(row).clearedMs == 0)
            continue;
        beginRemoveRows({}, row, row);
        m_alerts.removeAt(row);
        endRemoveRows();
        --cleared;
    }
}

} // namespace rae::gui
