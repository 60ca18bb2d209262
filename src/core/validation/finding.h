#pragma once

#include "plan/plan.h"

#include <QList>
#include <QString>

namespace rae::validation {

enum class Severity
{
    Error,
    Warning,
    Info
};

enum class SubjectKind
{
    Cluster,
    Node,
    Vm,
    Storage,
    Network,
    BackupJob,
    Role
};

// What a finding is about, as the user names it: "node pve2", "VM rae-db".
struct Subject
{
    SubjectKind kind = SubjectKind::Cluster;
    QString name;
    friend bool operator==(const Subject &, const Subject &) = default;
};

struct Finding
{
    QString ruleId; // stable: "storage.ha-needs-shared"
    Severity severity = Severity::Error;
    Subject subject;
    QString message; // what is wrong, translated
    QString hint;    // what to do, translated
    plan::SourcePos pos;
};

QString severityName(Severity severity);     // "error", "warning", "info": stable, for JSON
QString subjectKindName(SubjectKind kind);   // "node", "vm", ...: stable, for JSON
QString subjectText(const Subject &subject); // "node pve2", translated

} // namespace rae::validation
