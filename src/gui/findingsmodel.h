#pragma once

#include "validation/finding.h"

#include <QAbstractTableModel>
#include <QList>

namespace rae::gui {

// The plan's validation findings as a table: severity, subject, message, rule. The hint is the
// tooltip. A new list replaces the old one only when it differs.
class FindingsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        SeverityColumn,
        SubjectColumn,
        MessageColumn,
        RuleColumn,
        ColumnCount
    };
    enum Roles
    {
        SubjectKindRole = Qt::UserRole + 1, // validation::SubjectKind as int
        SubjectNameRole,
        SeverityRole, // validation::Severity as int
        LineRole,     // the plan file's line, 0 when unknown
    };

    explicit FindingsModel(QObject *parent = nullptr);

    void setFindings(const QList<validation::Finding> &findings);
    const QList<validation::Finding> &findings() const { return m_findings; }
    int count(validation::Severity severity) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<validation::Finding> m_findings;
};

} // namespace rae::gui
