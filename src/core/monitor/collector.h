#pragma once

#include "cluster/replication.h"
#include "cluster/resources.h"
#include "monitor/alerts.h"
#include "monitor/clock.h"
#include "monitor/metricstore.h"
#include "monitor/nvidiasmi.h"
#include "monitor/probe.h"
#include "monitor/scheduler.h"

#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QPointer>

class QNetworkAccessManager;

namespace rae::proxmox {
class ProxmoxClient;
}

namespace rae::monitor {

// Where the LLM VM's GPU figures come from when a cluster is connected.
struct GpuSource
{
    QString subject; // "llm-1"
    QString node;
    int vmid = 0;
};

// Turns what the pollers and probes see into series and alerts: it owns the probes and asks the
// scheduler when to run each task. With a Proxmox client it also polls the cluster resources,
// HA status, replication per source node and nvidia-smi through the guest agent, a handful of
// requests per cycle whatever the number of VMs.
//
// Series it writes (subject in brackets):
//   latency.<kind> [VM] ms, tls_handshake.gateway [VM] ms, probe.failed [VM] 0/1,
//   api_sees.<component> [API VM] ms, latency.proxmox_api [cluster] ms,
//   node.cpu_percent, node.memory_percent, node.offline [node],
//   vm.cpu_percent, vm.memory_percent [VM name],
//   replication.lag_s, replication.lag_ratio, replication.fail_count [job id],
//   ha.error [sid], gpu.utilization, gpu.memory_used_mib, gpu.memory_total_mib,
//   gpu.temperature_c, gpu.power_w [VM/gpuN].
// Everything lives on the caller's thread; nothing here is owned except the probes.
class Collector final : public QObject
{
    Q_OBJECT

public:
    Collector(MetricStore &store, AlertEngine &alerts, Scheduler &scheduler, Clock &clock,
              QNetworkAccessManager *network, QObject *parent = nullptr);
    ~Collector() override;

    void addProbe(const ProbeTarget &target);
    // Not owned; must outlive the collector. Adds the cluster tasks.
    void setClient(proxmox::ProxmoxClient *client);
    void addGpuSource(const GpuSource &source);

    // What the pollers hand over; public so that tests and the GUI's own poller can feed it.
    void recordProbe(const ProbeResult &result, qint64 nowMs);
    void recordResources(const cluster::Resources &resources, qint64 nowMs);
    void recordReplication(const QList<cluster::ReplicationStatus> &jobs, qint64 nowMs);
    void recordHaStatus(const QJsonValue &data, qint64 nowMs);
    void recordGpu(const QString &subject, const GpuTelemetry &telemetry, qint64 nowMs);

    // Nodes seen online in the last resources poll, for the replication tasks.
    QStringList knownNodes() const { return m_nodes; }

signals:
    // A probe or poll failed; one line for people, for a log or a status bar.
    void problem(const QString &subject, const QString &message);

private:
    void onDue(const QString &task, PollKind kind);
    void record(const QString &metric, const QString &subject, qint64 nowMs, double value);
    void pollResources(const QString &task);
    void pollHaStatus(const QString &task);
    void pollReplication(const QString &task, const QString &node);
    void pollGpu(const QString &task, const GpuSource &source);

    MetricStore &m_store;
    AlertEngine &m_alerts;
    Scheduler &m_scheduler;
    Clock &m_clock;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<proxmox::ProxmoxClient> m_client;
    QHash<QString, Probe *> m_probes;       // task -> probe (children)
    QHash<QString, GpuSource> m_gpuSources; // task -> source
    QStringList m_nodes;
};

} // namespace rae::monitor
