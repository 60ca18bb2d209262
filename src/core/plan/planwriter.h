#pragma once

#include "common/result.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace rae::plan {

// The plan as YAML in one stable layout: the same plan always gives the same bytes, and
// reading them back gives the same plan.
QByteArray writePlan(const Plan &plan);

// 1-based lines of the comments a person wrote in `yaml`. Writing a plan does not keep them.
QList<int> commentLines(const QByteArray &yaml);

enum class CommentPolicy
{
    Keep,    // refuse to overwrite a file whose comments would be lost
    Discard, // the user was told and agreed
};

// Saves atomically: the old file stays whole until the new one is complete. With
// CommentPolicy::Keep, a file that has comments is left alone and the error names their lines.
Status writePlanFile(const QString &path, const Plan &plan,
                     CommentPolicy comments = CommentPolicy::Keep);

} // namespace rae::plan
