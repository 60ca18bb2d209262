#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli upgrade-api PLAN --cluster NAME --version V [--yes]`: a blue-green upgrade of
// the API tier. New API VMs of version V are cloned, provisioned and checked on /health, then
// the gateway is switched to them and the old VMs are stopped and kept for `rollback-api`.
// Running it again after a failure or a kill goes on from its journal.
// Exit status: 0 switched; 1 the cluster could not be read or a step failed (the gateway then
// still serves the old VMs unless the switch itself was done); 2 the command line or the plan.
int runUpgradeApiCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// `rae-deploy-cli rollback-api --cluster NAME [--yes]`: back to the kept API VMs.
int runRollbackApiCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
