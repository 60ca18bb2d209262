#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli failover (--plan PLAN | --cluster NAME | --scenario FILE) [--fail NODE]...
// [--pairs] [--json]`: what the HA manager does when nodes fail. Without --fail, one case per
// node (and with --pairs, every pair of nodes as well); each --fail adds a node to one case of
// nodes failing together. Exit status: 0 when the analysis ran, 1 on bad arguments, 2 when the
// plan, the cluster or the scenario cannot be read.
int runFailoverCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
