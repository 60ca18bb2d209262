#pragma once

#include "monitor/alerts.h"

#include <QAbstractTableModel>
#include <QList>

namespace rae::gui {

// Active and recent alerts, newest first: an alert that clears stays as a row with its clearing
// time until `maxCleared` newer cleared ones push it out. Fed by the AlertEngine's signals; lives
// on the GUI thread.
class AlertsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        SeverityColumn,
        SubjectColumn,
        MessageColumn,
        SinceColumn,
        ClearedColumn,
        ColumnCount
    };
    enum Role
    {
        RuleIdRole = Qt::UserRole + 1,
        ActiveRole, // bool
    };

    explicit AlertsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void raise(const monitor::Alert &alert);
    void clear(const monitor::Alert &alert);
    void setMaxCleared(int count);

    QList<monitor::Alert> active() const;
    const monitor::Alert &alertAt(int row) const { return m_alerts.at(row); }
    int activeCount() const;

signals:
    void activeCountChanged(int count);

private:
    int findActive(const QString &ruleId, const QString &subject) const;
    void dropOldCleared();

    QList<monitor::Alert> m_alerts; // newest first
    int m_maxCleared = 200;
};

} // namespace rae::gui
