#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli diff PLAN --cluster NAME [--prune]`: what an apply of the plan would change on
// the cluster, read once and changed nowhere.
int runDiffCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
