#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli place PLAN [--out NEW_PLAN]`: searches a placement of the plan's VMs that
// survives any single node failure with the lowest peak load after recovery, and explains why
// it beats the current one. With --out, writes the plan with the new placement.
// Exit status: 0 when a placement was found, 1 on bad arguments or when none exists,
// 2 when the plan cannot be read, 3 when the new plan cannot be written.
int runPlaceCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
