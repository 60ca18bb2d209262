#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli monitor (--plan PLAN | --cluster URL --token-file FILE) [--duration 30s]
// [--csv FILE]`: probes the deployment's services (and, with a cluster, polls resources, HA,
// replication and the LLM VM's GPU) for a while, then writes every series as CSV.
// Exit status: 0 when the CSV was written, 1 on bad arguments, 2 when nothing could be
// monitored (plan unreadable, cluster unreachable).
int runMonitorCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
