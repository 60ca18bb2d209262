#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli cluster add|list|remove ...`: cluster profiles in the settings, secrets in
// the keychain, certificates pinned on first use.
int runClusterCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// `rae-deploy-cli inventory --cluster NAME [--json]`: what the cluster has, read once.
int runInventoryCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
