#include "monitor/collector.h"

#include "proxmox/client.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <tuple>

Q_LOGGING_CATEGORY(lcCollector, "raedeploy.monitor")

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::Collector)
};

const QString kResourcesTask = QStringLiteral("resources");
const QString kHaTask = QStringLiteral("ha-status");
const QString kProbePrefix = QStringLiteral("probe ");
const QString kReplicationPrefix = QStringLiteral("replication ");
const QString kGpuPrefix = QStringLiteral("gpu ");
const QString kCephTask = QStringLiteral("ceph");
const QString kPrometheusPrefix = QStringLiteral("prometheus ");
constexpr int kScrapeTimeoutMs = 4000;

constexpr int kExecPolls = 10; // nvidia-smi answers in well under a second when healthy
constexpr int kExecPollDelayMs = 300;

} // namespace

Collector::Collector(MetricStore &store, AlertEngine &alerts, Scheduler &scheduler, Clock &clock,
                     QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_alerts(alerts)
    , m_scheduler(scheduler)
    , m_clock(clock)
    , m_network(network)
{
    connect(&m_scheduler, &Scheduler::due, this, &Collector::onDue);
}

Collector::~Collector() = default;

void Collector::addProbe(const ProbeTarget &target)
{
    const QString task =
        kProbePrefix + probeKindName(target.kind) + QLatin1Char(' ') + target.subject;
    if (Probe *old = m_probes.take(task)) {
        // The same subject again with a new target (a password or certificate learned later):
        // the old probe's answer no longer counts; addTask below resets a slot it held.
        old->disconnect(this);
        old->deleteLater();
    }
    Probe *probe = Probe::create(target, m_network, this);
    m_probes.insert(task, probe);
    connect(probe, &Probe::finished, this, [this, task](const ProbeResult &result) {
        recordProbe(result, m_clock.nowMs());
        m_scheduler.reportResult(task, result.ok());
    });
    m_scheduler.addTask(task, PollKind::Probes);
}

void Collector::setClient(proxmox::ProxmoxClient *client)
{
    m_client = client;
    m_scheduler.addTask(kResourcesTask, PollKind::Resources);
    m_scheduler.addTask(kHaTask, PollKind::HaStatus);
}

void Collector::addGpuSource(const GpuSource &source)
{
    const QString task = kGpuPrefix + source.subject;
    m_gpuSources.insert(task, source);
    m_scheduler.addTask(task, PollKind::Gpu);
}

void Collector::addPrometheusSource(const PrometheusSource &source)
{
    // Scraped as often as the GPU, which is what it mostly reports.
    const QString task = kPrometheusPrefix + source.subject;
    m_promSources.insert(task, source);
    m_scheduler.addTask(task, PollKind::Gpu);
}

void Collector::record(const QString &metric, const QString &subject, qint64 nowMs, double value)
{
    m_store.append({metric, subject}, nowMs, value);
    m_alerts.observe(metric, subject, nowMs, value);
}

void Collector::recordProbe(const ProbeResult &result, qint64 nowMs)
{
    const QString subject = result.target.subject;
    const QString kind = probeKindName(result.target.kind);
    // A failed probe's time is how long it took to fail, not the service's latency: it is left
    // out of the latency series, which shows a gap, and counted in probe.failed instead.
    const bool answered = result.ok() || !result.components.isEmpty();
    if (answered)
        record(QStringLiteral("latency.") + kind, subject, nowMs, result.latencyMs);
    if (result.tlsHandshakeMs)
        record(QStringLiteral("tls_handshake.") + kind, subject, nowMs, *result.tlsHandshakeMs);
    for (const ComponentHealth &component : result.components) {
        if (component.responseTimeMs)
            record(QStringLiteral("api_sees.") + component.name, subject, nowMs,
                   *component.responseTimeMs);
    }
    record(QStringLiteral("probe.failed"), subject, nowMs, result.ok() ? 0.0 : 1.0);
    if (result.error)
        emit problem(subject, result.error->message);
}

void Collector::recordResources(const cluster::Resources &resources, qint64 nowMs)
{
    m_nodes.clear();
    for (const cluster::NodeResource &node : resources.nodes) {
        const bool offline = node.status == cluster::NodeStatus::Offline;
        record(QStringLiteral("node.offline"), node.name, nowMs, offline ? 1.0 : 0.0);
        if (offline)
            continue;
        m_nodes.append(node.name);
        if (node.cpu)
            record(QStringLiteral("node.cpu_percent"), node.name, nowMs, *node.cpu * 100.0);
        if (node.memoryTotal > 0) {
            record(QStringLiteral("node.memory_percent"), node.name, nowMs,
                   100.0 * double(node.memoryUsed) / double(node.memoryTotal));
        }
    }
    for (const cluster::GuestResource &guest : resources.guests) {
        // Figures from an offline node are its last broadcast: not a measurement.
        if (guest.isTemplate || guest.statsStale || guest.status != cluster::GuestStatus::Running)
            continue;
        const QString subject = guest.name.isEmpty() ? QString::number(guest.vmid) : guest.name;
        record(QStringLiteral("vm.cpu_percent"), subject, nowMs, guest.cpu * 100.0);
        if (guest.memoryTotal > 0) {
            record(QStringLiteral("vm.memory_percent"), subject, nowMs,
                   100.0 * double(guest.memoryUsed) / double(guest.memoryTotal));
        }
    }
    // Ceph health is cluster-wide: asked once per cycle, and only where Ceph storage exists.
    const bool ceph = std::any_of(resources.storages.cbegin(), resources.storages.cend(),
                                  [](const cluster::StorageResource &storage) {
                                      return storage.pluginType == QLatin1String("rbd") ||
                                             storage.pluginType == QLatin1String("cephfs");
                                  });
    if (ceph && m_client && !m_scheduler.tasks().contains(kCephTask))
        m_scheduler.addTask(kCephTask, PollKind::HaStatus);
    // Replication status is listed by each source node: one request per node, not per job.
    for (const QString &node : std::as_const(m_nodes)) {
        const QString task = kReplicationPrefix + node;
        if (!m_scheduler.tasks().contains(task))
            m_scheduler.addTask(task, PollKind::Replication);
    }
}

void Collector::recordReplication(const QList<cluster::ReplicationStatus> &jobs, qint64 nowMs)
{
    for (const cluster::ReplicationStatus &job : jobs) {
        const cluster::ReplicationAssessment assessment =
            cluster::assessReplication(job, nowMs / 1000);
        if (assessment.health == cluster::ReplicationHealth::Disabled)
            continue;
        record(QStringLiteral("replication.fail_count"), job.id, nowMs, job.failCount);
        if (job.lastSync == 0)
            continue;
        record(QStringLiteral("replication.lag_s"), job.id, nowMs, double(assessment.lagSeconds));
        if (assessment.intervalSeconds > 0) {
            record(QStringLiteral("replication.lag_ratio"), job.id, nowMs,
                   double(assessment.lagSeconds) / double(assessment.intervalSeconds));
        }
    }
}

void Collector::recordHaStatus(const QJsonValue &data, qint64 nowMs)
{
    for (const QJsonValue &entry : data.toArray()) {
        const QJsonObject object = entry.toObject();
        if (object.value(QLatin1String("type")).toString() != QLatin1String("service"))
            continue;
        const QString sid = object.value(QLatin1String("sid")).toString();
        const QString state = object.value(QLatin1String("state")).toString();
        const bool bad = state == QLatin1String("error") || state == QLatin1String("fence");
        record(QStringLiteral("ha.error"), sid, nowMs, bad ? 1.0 : 0.0);
    }
}

void Collector::recordGpu(const QString &subject, const GpuTelemetry &telemetry, qint64 nowMs)
{
    if (telemetry.state != GpuTelemetryState::Ok) {
        emit problem(subject, telemetry.message);
        return;
    }
    for (const GpuSample &gpu : telemetry.gpus) {
        const QString gpuSubject = subject + QStringLiteral("/gpu") + QString::number(gpu.index);
        const std::pair<const char *, std::optional<double>> values[] = {
            {"gpu.utilization", gpu.utilizationGpu},
            {"gpu.memory_used_mib", gpu.memoryUsedMiB},
            {"gpu.memory_total_mib", gpu.memoryTotalMiB},
            {"gpu.temperature_c", gpu.temperatureC},
            {"gpu.power_w", gpu.powerW},
        };
        // A column the card cannot report ([N/A] under MIG) stays a gap, never a zero.
        for (const auto &[metric, value] : values) {
            if (value)
                record(QString::fromLatin1(metric), gpuSubject, nowMs, *value);
        }
    }
}

void Collector::recordCeph(const QString &cluster, const cluster::CephStatus &status, qint64 nowMs)
{
    record(QStringLiteral("ceph.health"), cluster, nowMs, cluster::cephHealthLevel(status.health));
}

void Collector::recordPrometheus(const QString &subject, const PrometheusReadings &readings,
                                 qint64 nowMs)
{
    if (!readings.gpus.isEmpty())
        recordGpu(subject, GpuTelemetry{GpuTelemetryState::Ok, readings.gpus, {}, {}}, nowMs);
    if (!readings.latency)
        return;
    const auto previous = m_latencyTotals.constFind(subject);
    if (previous != m_latencyTotals.constEnd()) {
        if (const auto latency = meanLatencyMs(*previous, *readings.latency))
            record(QStringLiteral("request.latency_ms"), subject, nowMs, *latency);
    }
    m_latencyTotals.insert(subject, *readings.latency);
}

void Collector::backfill(const QString &metricPrefix, const QString &subject,
                         const QList<cluster::RrdRow> &rows, qint64 beforeMs)
{
    const SeriesKey cpuKey{metricPrefix + QStringLiteral(".cpu_percent"), subject};
    const SeriesKey memoryKey{metricPrefix + QStringLiteral(".memory_percent"), subject};
    for (const cluster::RrdRow &row : rows) {
        const qint64 timeMs = row.time * 1000;
        if (timeMs >= beforeMs)
            break;
        if (row.cpu)
            m_store.append(cpuKey, timeMs, *row.cpu * 100.0);
        if (const auto memory = row.memoryPercent())
            m_store.append(memoryKey, timeMs, *memory);
    }
}

void Collector::startBackfill(const cluster::Resources &resources)
{
    proxmox::ProxmoxClient *client = m_client.data();
    struct Pending
    {
        cluster::Resources resources;
        int outstanding = 0;
        QList<std::tuple<QString, QString, QList<cluster::RrdRow>>> histories;
    };
    auto pending = std::make_shared<Pending>();
    pending->resources = resources;
    auto finish = [this, pending] {
        const qint64 now = m_clock.nowMs();
        for (const auto &[prefix, subject, rows] : std::as_const(pending->histories))
            backfill(prefix, subject, rows, now);
        recordResources(pending->resources, now);
    };
    auto ask = [this, client, pending, finish](const proxmox::ApiRequest &request,
                                               cluster::RrdSubject kind, const QString &prefix,
                                               const QString &subject) {
        ++pending->outstanding;
        proxmox::ApiJob *job = client->send(request);
        connect(job, &proxmox::ApiJob::finished, this,
                [pending, finish, kind, prefix,
                 subject](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                    if (result) {
                        if (auto rows = cluster::parseRrdData(result->data, kind))
                            pending->histories.append({prefix, subject, std::move(rows).value()});
                    }
                    // A node or guest without history only leaves its chart to fill live.
                    if (--pending->outstanding == 0)
                        finish();
                });
    };
    if (client) {
        for (const cluster::NodeResource &node : resources.nodes) {
            if (node.status == cluster::NodeStatus::Online)
                ask(cluster::rrdRequest(node.name, 0, cluster::RrdTimeframe::Hour),
                    cluster::RrdSubject::Node, QStringLiteral("node"), node.name);
        }
        for (const cluster::GuestResource &guest : resources.guests) {
            if (guest.type != cluster::GuestType::Qemu || guest.isTemplate || guest.statsStale ||
                guest.status != cluster::GuestStatus::Running)
                continue;
            ask(cluster::rrdRequest(guest.node, guest.vmid, cluster::RrdTimeframe::Hour),
                cluster::RrdSubject::Guest, QStringLiteral("vm"),
                guest.name.isEmpty() ? QString::number(guest.vmid) : guest.name);
        }
    }
    if (pending->outstanding == 0)
        finish();
}

void Collector::pollCeph(const QString &task)
{
    proxmox::ProxmoxClient *client = m_client.data();
    if (!client) {
        m_scheduler.reportResult(task, false);
        return;
    }
    const QString clusterName = client->cluster();
    proxmox::ApiJob *job =
        client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/ceph/status")));
    connect(job, &proxmox::ApiJob::finished, this,
            [this, task, clusterName](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                if (!result) {
                    emit problem(clusterName, result.error().message);
                    m_scheduler.reportResult(task, false);
                    return;
                }
                const auto status = cluster::parseCephStatus(result->data);
                if (!status) {
                    emit problem(clusterName, status.error().message);
                    m_scheduler.reportResult(task, false);
                    return;
                }
                recordCeph(clusterName, *status, m_clock.nowMs());
                m_scheduler.reportResult(task, true);
            });
}

void Collector::pollPrometheus(const QString &task, const PrometheusSource &source)
{
    if (!m_network) {
        m_scheduler.reportResult(task, false);
        return;
    }
    QNetworkRequest request(source.url);
    request.setTransferTimeout(kScrapeTimeoutMs);
    request.setRawHeader("Accept", "text/plain;version=0.0.4");
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, task, source, reply] {
        reply->deleteLater();
        const qint64 now = m_clock.nowMs();
        if (reply->error() != QNetworkReply::NoError) {
            emit problem(source.subject, reply->errorString());
            m_scheduler.reportResult(task, false);
            return;
        }
        const QByteArray body = reply->readAll();
        const auto scrape = parsePrometheusText(body);
        if (!scrape) {
            emit problem(source.subject, scrape.error().message);
            m_scheduler.reportResult(task, false);
            return;
        }
        recordPrometheus(source.subject, readPrometheusMetrics(*scrape), now);
        m_scheduler.reportResult(task, true);
    });
}

void Collector::onDue(const QString &task, PollKind kind)
{
    switch (kind) {
    case PollKind::Probes:
        if (Probe *probe = m_probes.value(task))
            probe->start();
        else
            m_scheduler.removeTask(task);
        return;
    case PollKind::Resources:
        pollResources(task);
        return;
    case PollKind::HaStatus:
        if (task == kCephTask)
            pollCeph(task);
        else
            pollHaStatus(task);
        return;
    case PollKind::Replication:
        pollReplication(task, task.mid(kReplicationPrefix.size()));
        return;
    case PollKind::Gpu: {
        if (const auto scrape = m_promSources.constFind(task); scrape != m_promSources.constEnd()) {
            pollPrometheus(task, *scrape);
            return;
        }
        const auto it = m_gpuSources.constFind(task);
        if (it != m_gpuSources.constEnd())
            pollGpu(task, *it);
        else
            m_scheduler.removeTask(task);
        return;
    }
    }
}

void Collector::pollResources(const QString &task)
{
    proxmox::ProxmoxClient *client = m_client.data();
    if (!client) {
        m_scheduler.reportResult(task, false);
        return;
    }
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();
    const QString clusterName = client->cluster();
    proxmox::ApiJob *job =
        client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/resources")));
    connect(
        job, &proxmox::ApiJob::finished, this,
        [this, task, elapsed, clusterName](const proxmox::ApiResult<proxmox::ApiReply> &result) {
            const qint64 now = m_clock.nowMs();
            if (!result) {
                emit problem(clusterName, result.error().message);
                m_scheduler.reportResult(task, false);
                return;
            }
            // The round trip includes the client's queue: what the user waits for. The
            // client fails over between endpoints, so the series is the cluster's.
            record(QStringLiteral("latency.proxmox_api"), clusterName, now,
                   double(elapsed->nsecsElapsed()) / 1e6);
            auto resources = cluster::parseResources(result->data);
            if (!resources) {
                emit problem(clusterName, resources.error().message);
                m_scheduler.reportResult(task, false);
                return;
            }
            if (!m_backfillStarted) {
                m_backfillStarted = true;
                startBackfill(*resources);
            } else {
                recordResources(*resources, now);
            }
            m_scheduler.reportResult(task, true);
        });
}

void Collector::pollHaStatus(const QString &task)
{
    if (!m_client) {
        m_scheduler.reportResult(task, false);
        return;
    }
    proxmox::ApiJob *job =
        m_client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/ha/status/current")));
    connect(job, &proxmox::ApiJob::finished, this,
            [this, task](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                if (result)
                    recordHaStatus(result->data, m_clock.nowMs());
                m_scheduler.reportResult(task, result.ok());
            });
}

void Collector::pollReplication(const QString &task, const QString &node)
{
    if (!m_client) {
        m_scheduler.reportResult(task, false);
        return;
    }
    proxmox::ApiJob *job =
        m_client->send(proxmox::ApiRequest::get(QStringLiteral("/nodes/%1/replication").arg(node)));
    connect(job, &proxmox::ApiJob::finished, this,
            [this, task, node](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                if (!result) {
                    emit problem(node, result.error().message);
                    m_scheduler.reportResult(task, false);
                    return;
                }
                auto jobs = cluster::parseReplicationStatus(result->data);
                if (jobs)
                    recordReplication(*jobs, m_clock.nowMs());
                else
                    emit problem(node, jobs.error().message);
                m_scheduler.reportResult(task, jobs.ok());
            });
}

void Collector::pollGpu(const QString &task, const GpuSource &source)
{
    if (!m_client) {
        m_scheduler.reportResult(task, false);
        return;
    }
    const QString base =
        QStringLiteral("/nodes/%1/qemu/%2/agent/").arg(source.node).arg(source.vmid);
    proxmox::form::Params params;
    for (const QString &argument : nvidiaSmiCommand())
        params.append({QStringLiteral("command"), argument});
    proxmox::ApiJob *job =
        m_client->send(proxmox::ApiRequest::post(base + QStringLiteral("exec"), params));
    connect(job, &proxmox::ApiJob::finished, this,
            [this, task, source, base](const proxmox::ApiResult<proxmox::ApiReply> &started) {
                if (!started) {
                    emit problem(source.subject, started.error().message);
                    m_scheduler.reportResult(task, false);
                    return;
                }
                const QString pid = QString::number(
                    started->data.toObject().value(QLatin1String("pid")).toInteger());
                // exec is asynchronous: ask for its status until it has exited.
                auto poll = std::make_shared<std::function<void(int)>>();
                *poll = [this, task, source, base, pid, poll](int attempt) {
                    proxmox::ApiJob *status = m_client->send(proxmox::ApiRequest::get(
                        base + QStringLiteral("exec-status"), {{QStringLiteral("pid"), pid}}));
                    connect(status, &proxmox::ApiJob::finished, this,
                            [this, task, source, poll,
                             attempt](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                                if (!result) {
                                    emit problem(source.subject, result.error().message);
                                    m_scheduler.reportResult(task, false);
                                    *poll = nullptr; // breaks the cycle through the capture
                                    return;
                                }
                                const QJsonObject data = result->data.toObject();
                                if (data.value(QLatin1String("exited")).toInt() != 1) {
                                    if (attempt + 1 >= kExecPolls) {
                                        emit problem(source.subject,
                                                     Tr::tr("nvidia-smi did not finish in time"));
                                        m_scheduler.reportResult(task, false);
                                        *poll = nullptr;
                                        return;
                                    }
                                    QTimer::singleShot(kExecPollDelayMs, this, [poll, attempt] {
                                        if (*poll)
                                            (*poll)(attempt + 1);
                                    });
                                    return;
                                }
                                const GpuTelemetry telemetry = interpretNvidiaSmi(
                                    data.value(QLatin1String("exitcode")).toInt(),
                                    data.value(QLatin1String("out-data")).toString(),
                                    data.value(QLatin1String("err-data")).toString());
                                recordGpu(source.subject, telemetry, m_clock.nowMs());
                                m_scheduler.reportResult(task,
                                                         telemetry.state == GpuTelemetryState::Ok);
                                *poll = nullptr;
                            });
                };
                (*poll)(0);
            });
}

} // namespace rae::monitor
