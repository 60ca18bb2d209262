#pragma once

#include "monitor/servicediscovery.h"

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace rae::plan {
struct Plan;
}
namespace rae::proxmox {
class ProxmoxClient;
}

namespace rae::cli {

// `rae-deploy-cli monitor (--plan PLAN | --cluster URL --token-file FILE) [--duration 30s]
// [--csv FILE]`: probes the deployment's services (and, with a cluster, polls resources, HA,
// replication and the LLM VM's GPU) for a while, then writes every series as CSV.
// Exit status: 0 when the CSV was written, 1 on bad arguments, 2 when nothing could be
// monitored (plan unreadable, cluster unreachable).
int runMonitorCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// "30s", "5m", "1h" or a number of seconds; nothing when it is not a positive duration.
std::optional<qint64> parseDurationMs(const QString &text);

// What `monitor` does once it knows its plan and cluster, for `demo --monitor` too.
struct MonitorRun
{
    const plan::Plan *plan = nullptr; // may be null with a client
    monitor::ServicePorts ports;
    qint64 durationMs = 30'000;
    QString csvPath; // empty: no CSV
};

// With a connected `client`: finds the running RAE VMs and their addresses, probes them and
// polls the cluster. Without one: probes the plan's fixed addresses. Prints problems, alerts
// and the number of series, then writes the CSV. Returns the exit status of `monitor`.
int runMonitoring(proxmox::ProxmoxClient *client, const MonitorRun &run, QTextStream &out,
                  QTextStream &err);

} // namespace rae::cli
