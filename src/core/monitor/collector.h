#pragma once

#include "cluster/cephstatus.h"
#include "cluster/replication.h"
#include "cluster/resources.h"
#include "cluster/rrddata.h"
#include "monitor/alerts.h"
#include "monitor/clock.h"
#include "monitor/metricstore.h"
#include "monitor/nvidiasmi.h"
#include "monitor/probe.h"
#include "monitor/prometheusmetrics.h"
#include "monitor/scheduler.h"

#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QUrl>

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

// A Prometheus text endpoint to scrape: the RAE API's /metrics, vLLM's, a DCGM exporter's.
struct PrometheusSource
{
    QString subject; // "llm-1", "api-1": GPUs become "<subject>/gpuN"
    QUrl url;
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
//   gpu.temperature_c, gpu.power_w [VM/gpuN], ceph.health [cluster] 0 OK 1 WARN 2 ERR,
//   request.latency_ms [Prometheus source] mean over the scrape interval.
// On the first resources poll it back-fills the node and VM CPU and memory series from the
// last hour of `rrddata` (one request per node and running VM, once), so charts start full.
// Everything lives on the caller's thread; nothing here is owned except the probes.
class Collector final : public QObject
{
    Q_OBJECT

public:
    Collector(MetricStore &store, AlertEngine &alerts, Scheduler &scheduler, Clock &clock,
              QNetworkAccessManager *network, QObject *parent = nullptr);
    ~Collector() override;

    // A probe of the same kind and subject as an earlier one replaces it.
    void addProbe(const ProbeTarget &target);
    // Not owned; must outlive the collector. Adds the cluster tasks.
    void setClient(proxmox::ProxmoxClient *client);
    void addGpuSource(const GpuSource &source);
    void addPrometheusSource(const PrometheusSource &source);

    // What the pollers hand over; public so that tests and the GUI's own poller can feed it.
    void recordProbe(const ProbeResult &result, qint64 nowMs);
    void recordResources(const cluster::Resources &resources, qint64 nowMs);
    void recordReplication(const QList<cluster::ReplicationStatus> &jobs, qint64 nowMs);
    void recordHaStatus(const QJsonValue &data, qint64 nowMs);
    void recordGpu(const QString &subject, const GpuTelemetry &telemetry, qint64 nowMs);
    void recordCeph(const QString &cluster, const cluster::CephStatus &status, qint64 nowMs);
    void recordPrometheus(const QString &subject, const PrometheusReadings &readings, qint64 nowMs);
    // History: appended to the store only (alerts judge the present), and only rows older than
    // `beforeMs`, since a series only moves forward.
    void backfill(const QString &metricPrefix, const QString &subject,
                  const QList<cluster::RrdRow> &rows, qint64 beforeMs);

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
    void pollCeph(const QString &task);
    void pollPrometheus(const QString &task, const PrometheusSource &source);
    // Reads the history of every online node and running VM, then records `resources`.
    void startBackfill(const cluster::Resources &resources);

    MetricStore &m_store;
    AlertEngine &m_alerts;
    Scheduler &m_scheduler;
    Clock &m_clock;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<proxmox::ProxmoxClient> m_client;
    QHash<QString, Probe *> m_probes;               // task -> probe (children)
    QHash<QString, GpuSource> m_gpuSources;         // task -> source
    QHash<QString, PrometheusSource> m_promSources; // task -> source
    QHash<QString, LatencyTotals> m_latencyTotals;  // subject -> totals at the last scrape
    bool m_backfillStarted = false;
    QStringList m_nodes;
};

} // namespace rae::monitor
