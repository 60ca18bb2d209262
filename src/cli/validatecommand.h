#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli validate PLAN [--format text|json]`. Exit status: 0 without errors, 1 when
// validation found errors, 2 when the plan could not be read.
int runValidateCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
