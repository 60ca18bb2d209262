#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli demo [--pve8] [--time-scale F] [--monitor TIME [--csv FILE]]`: starts
// rae-pve-sim with the reference scenario, applies the reference plan to it with progress, waits
// until every service answers, and prints each RAE VM with its node, address, status and health.
// With --monitor it then runs what `monitor` runs against the demo cluster for that long, since
// the simulator and the services the demo started go with this process. Nothing is kept: the
// simulator's certificate is trusted for this run, its token and the service passwords stay in
// memory, the journal goes to a temporary folder.
// Exit status: 0 every VM is running and healthy; 1 the apply failed or a service did not
// answer in time (after the monitoring, with --monitor); otherwise the monitoring's status;
// 2 the simulator, scenario or plan could not be found or started.
int runDemoCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
