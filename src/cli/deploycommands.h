#pragma once

#include <QStringList>
#include <QTextStream>

#include <functional>

namespace rae::deploy {
class Deployment;
}

namespace rae::cli {

// `rae-deploy-cli diff PLAN --cluster NAME [--prune]`: what an apply of the plan would change on
// the cluster, read once and changed nowhere.
int runDiffCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// `rae-deploy-cli apply PLAN --cluster NAME [--yes] [--prune]`: previews, asks, applies.
// Exit status: 0 applied (or nothing to do); 1 actions failed, the cluster could not be read, or
// the preview has errors; 2 the command line or the plan is wrong, or no confirmation.
int runApplyCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// `rae-deploy-cli resume --cluster NAME [--yes]`: finishes the cluster's unfinished apply.
int runResumeCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// Calls `prepare` (which starts the deployment's preparation), prints the preview, confirms
// unless `assumeYes`, applies with a progress line per action, and prints each failure. Returns
// the exit status of `apply`.
int previewAndApply(deploy::Deployment &deployment, const std::function<void()> &prepare,
                    bool assumeYes, QTextStream &out, QTextStream &err);

} // namespace rae::cli
