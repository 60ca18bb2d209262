#pragma once

#include "common/result.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QString>

namespace rae::plan {

// A problem found while reading a plan: where it is (file, 1-based line and column, the key
// path such as `roles.db.vms[0].memory`), what was expected, and what to do.
struct ReadProblem
{
    QString file;
    int line = 0;
    int column = 0;
    QString keyPath;
    QString message;
    QString hint;

    QString location() const; // "plan.yaml:12:5"
    Error toError() const;
};

// Every problem of the file at once, so a person can fix them in one pass; never empty.
struct ReadFailure
{
    QList<ReadProblem> problems;
    QString toString() const; // one problem a line, with hints
};

// Reads a plan from YAML text; `fileName` is only used in messages.
Result<Plan, ReadFailure> readPlan(const QByteArray &yaml, const QString &fileName);
Result<Plan, ReadFailure> readPlanFile(const QString &path);

} // namespace rae::plan
