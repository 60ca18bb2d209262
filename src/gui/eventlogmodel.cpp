#include "eventlogmodel.h"

#include <QApplication>
#include <QLocale>
#include <QStyle>

namespace rae::gui {

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void EventLogModel::append(Level level, const QString &source, const QString &text)
{
    if (m_entries.size() >= m_limit) {
        beginRemoveRows({}, 0, 0);
        m_entries.removeFirst();
        endRemoveRows();
    }
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append({QDateTime::currentDateTime(), level, source, text});
    endInsertRows();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SourceColumn:
        return tr("Source");
    case TextColumn:
        return tr("Event");
    default:
        return {};
    }
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries.at(index.row());
    if (role == Qt::DecorationRole && index.column() == TimeColumn) {
        switch (entry.level) {
        case Level::Info:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxInformation);
        case Level::Warning:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        case Level::Error:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return QLocale().toString(entry.time.time(), QLocale::ShortFormat);
    case SourceColumn:
        return entry.source;
    case TextColumn:
        return entry.text;
    default:
        return {};
    }
}

} // namespace rae::gui
