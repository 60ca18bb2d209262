#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli demo [--pve8] [--time-scale F]`: starts rae-pve-sim with the reference
// scenario, applies the reference plan to it with progress, waits until every service answers,
// and prints each RAE VM with its node, address, status and health. Nothing is kept: the
// simulator's certificate is trusted for this run, its token and the service passwords stay in
// memory, the journal goes to a temporary folder.
// Exit status: 0 every VM is running and healthy; 1 the apply failed or a service did not
// answer in time; 2 the simulator, scenario or plan could not be found or started.
int runDemoCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
