#include "findingsmodel.h"

#include <QApplication>
#include <QIcon>
#include <QStyle>

namespace rae::gui {

namespace {

bool sameFindings(const QList<validation::Finding> &a, const QList<validation::Finding> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].ruleId != b[i].ruleId || a[i].severity != b[i].severity ||
            !(a[i].subject == b[i].subject) || a[i].message != b[i].message ||
            a[i].hint != b[i].hint || a[i].pos.line != b[i].pos.line)
            return false;
    }
    return true;
}

} // namespace

FindingsModel::FindingsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void FindingsModel::setFindings(const QList<validation::Finding> &findings)
{
    if (sameFindings(findings, m_findings))
        return;
    // Findings are recomputed as a whole after an edit; rows carry no identity worth keeping.
    beginResetModel();
    m_findings = findings;
    endResetModel();
}

int FindingsModel::count(validation::Severity severity) const
{
    return int(std::count_if(m_findings.cbegin(), m_findings.cend(),
                             [severity](const auto &f) { return f.severity == severity; }));
}

int FindingsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_findings.size());
}

int FindingsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case RuleColumn:
        return tr("Rule");
    default:
        return {};
    }
}

QVariant FindingsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const validation::Finding &finding = m_findings.at(index.row());
    switch (role) {
    case SubjectKindRole:
        return int(finding.subject.kind);
    case SubjectNameRole:
        return finding.subject.name;
    case SeverityRole:
        return int(finding.severity);
    case LineRole:
        return finding.pos.line;
    case Qt::ToolTipRole:
        return finding.hint.isEmpty() ? finding.message
                                      : finding.message + QLatin1Char('\n') + finding.hint;
    case Qt::DecorationRole:
        if (index.column() != SeverityColumn)
            return {};
        switch (finding.severity) {
        case validation::Severity::Error:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
        case validation::Severity::Warning:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        case validation::Severity::Info:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxInformation);
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            switch (finding.severity) {
            case validation::Severity::Error:
                return tr("error");
            case validation::Severity::Warning:
                return tr("warning");
            case validation::Severity::Info:
                return tr("info");
            }
            return {};
        case SubjectColumn:
            return validation::subjectText(finding.subject);
        case MessageColumn:
            return finding.message;
        case RuleColumn:
            return finding.ruleId;
        default:
            return {};
        }
    default:
        return {};
    }
}

} // namespace rae::gui
