#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QString>

namespace rae::gui {

// The user-visible log of what the application did to and heard from clusters: connections,
// trust decisions, plan saves, tasks. Apart from the debug log; never holds a secret.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Level
    {
        Info,
        Warning,
        Error
    };
    enum Column
    {
        TimeColumn,
        SourceColumn,
        TextColumn,
        ColumnCount
    };

    explicit EventLogModel(QObject *parent = nullptr);

    void append(Level level, const QString &source, const QString &text);
    void setLimit(int limit) { m_limit = limit; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        QDateTime time;
        Level level = Level::Info;
        QString source;
        QString text;
    };
    QList<Entry> m_entries;
    int m_limit = 5000;
};

} // namespace rae::gui
