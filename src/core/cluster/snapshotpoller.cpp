#include "cluster/snapshotpoller.h"

#include "proxmox/client.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>

Q_LOGGING_CATEGORY(lcPoller, "raedeploy.cluster.poller")

namespace rae::cluster {

using proxmox::ApiError;
using proxmox::ApiJob;
using proxmox::ApiRequest;

QStringList ClusterSnapshot::offlineNodes() const
{
    QStringList names;
    for (const NodeResource &node : resources.nodes) {
        if (node.status != NodeStatus::Online)
            names << node.name;
    }
    return names;
}

namespace {

// What the HA status depends on as far as /cluster/resources shows it.
QString haSignature(const Resources &resources)
{
    QStringList parts;
    for (const NodeResource &node : resources.nodes)
        parts << node.name + QLatin1Char('=') + node.haState;
    for (const GuestResource &guest : resources.guests) {
        if (!guest.haState.isEmpty()) {
            parts << QString::number(guest.vmid) + QLatin1Char('=') + guest.haState +
                         QLatin1Char('@') + guest.node;
        }
    }
    parts.sort();
    return parts.join(QLatin1Char(' '));
}

} // namespace

SnapshotPoller::SnapshotPoller(proxmox::ProxmoxClient *client, const PollerOptions &options,
                               QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_options(options)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SnapshotPoller::beginCycle);
    // The client owns the jobs in flight; a cycle waiting for them would never end.
    if (client) {
        connect(client, &QObject::destroyed, this, [this] {
            const bool wasInCycle = m_inCycle;
            m_jobs.clear();
            stop();
            if (wasInCycle) {
                emit cycleFailed(ApiError::make(ApiError::Kind::Cancelled,
                                                tr("the cluster connection was closed")));
            }
        });
    }
}

SnapshotPoller::~SnapshotPoller()
{
    stop();
}

qint64 SnapshotPoller::now() const
{
    return m_options.now ? m_options.now() : QDateTime::currentSecsSinceEpoch();
}

void SnapshotPoller::start()
{
    m_running = true;
    if (!m_inCycle)
        m_timer.start(0);
}

void SnapshotPoller::stop()
{
    m_running = false;
    m_timer.stop();
    const auto jobs = std::exchange(m_jobs, {});
    for (const QPointer<ApiJob> &guard : jobs) {
        if (ApiJob *job = guard.data()) {
            job->disconnect(this);
            job->cancel();
        }
    }
    m_pending = 0;
    m_inCycle = false;
}

void SnapshotPoller::pollNow()
{
    if (m_inCycle)
        return;
    m_timer.stop();
    beginCycle();
}

void SnapshotPoller::beginCycle()
{
    if (m_inCycle)
        return;
    if (!m_client) {
        emit cycleFailed(
            ApiError::make(ApiError::Kind::Refused, tr("the cluster connection was closed")));
        return;
    }
    m_inCycle = true;
    m_jobs.clear();
    m_building = ClusterSnapshot{};
    m_building.cycle = ++m_cycle;
    m_building.takenAt = QDateTime::currentDateTimeUtc();
    request(QStringLiteral("/cluster/resources"),
            [this](const Reply &reply) { onResources(reply); });
}

void SnapshotPoller::request(const QString &path, Handler handler)
{
    if (!m_client) {
        m_building.problems << tr("the cluster connection was closed");
        return;
    }
    ++m_pending;
    ++m_building.requests;
    ApiJob *job = m_client->send(ApiRequest::get(path));
    m_jobs.append(job);
    connect(job, &ApiJob::finished, this, [this, handler = std::move(handler)](const Reply &reply) {
        --m_pending;
        handler(reply);
        maybeFinish();
    });
}

void SnapshotPoller::onResources(const Reply &reply)
{
    std::optional<ApiError> failure;
    if (!reply) {
        failure = reply.error();
    } else if (auto parsed = parseResources(reply->data)) {
        m_building.resources = std::move(parsed).value();
    } else {
        failure = ApiError::make(ApiError::Kind::MalformedResponse, parsed.error().message);
    }
    if (failure) {
        // Without the resource list there is no snapshot; HA and replication alone would mislead.
        qCInfo(lcPoller) << "cycle" << m_cycle << "failed:" << failure->message;
        m_inCycle = false;
        emit cycleFailed(*failure);
        if (m_running)
            m_timer.start(m_options.interval);
        return;
    }

    const QString signature = haSignature(m_building.resources);
    const bool haDue = !m_last || !m_last->ha || signature != m_haSignature ||
                       m_cycle - m_haReadAt >= quint64(qMax(1, m_options.haRefreshEvery));
    if (m_last)
        m_building.ha = m_last->ha;
    if (haDue) {
        request(QStringLiteral("/cluster/ha/status/current"), [this, signature](const Reply &ha) {
            if (!ha) {
                m_building.problems << tr("HA status: %1").arg(ha.error().message);
                return;
            }
            auto parsed = parseHaStatus(ha->data);
            if (!parsed) {
                m_building.problems << tr("HA status: %1").arg(parsed.error().message);
                return;
            }
            m_building.ha = std::move(parsed).value();
            m_building.haFresh = true;
            m_haSignature = signature;
            m_haReadAt = m_building.cycle;
        });
    }

    const bool configDue =
        !m_replicationConfigKnown ||
        m_cycle - m_replicationConfigReadAt >= quint64(qMax(1, m_options.replicationConfigEvery));
    if (!configDue) {
        readReplicationStatus();
        return;
    }
    request(QStringLiteral("/cluster/replication"), [this](const Reply &config) {
        if (!config) {
            m_building.problems << tr("replication jobs: %1").arg(config.error().message);
        } else if (auto parsed = parseReplicationStatus(config->data)) {
            m_replicationJobs = std::move(parsed).value();
            m_replicationConfigKnown = true;
            m_replicationConfigReadAt = m_building.cycle;
        } else {
            m_building.problems << tr("replication jobs: %1").arg(parsed.error().message);
        }
        readReplicationStatus();
    });
}

bool SnapshotPoller::replicationDue(const QHash<QString, QString> &sourceOf) const
{
    QStringList placement;
    for (auto it = sourceOf.cbegin(); it != sourceOf.cend(); ++it)
        placement << it.key() + QLatin1Char('@') + it.value();
    placement.sort();
    if (placement.join(QLatin1Char(' ')) != m_replicationPlacement)
        return true; // a guest moved: its jobs are now listed by another node
    const qint64 current = now();
    for (auto it = sourceOf.cbegin(); it != sourceOf.cend(); ++it) {
        if (!m_replicationStatus.contains(it.key()))
            return true;
        const ReplicationStatus known = m_replicationStatus.value(it.key());
        if (known.pid || (known.nextSync > 0 && known.nextSync <= current))
            return true; // running, or a run was due: its outcome is news
    }
    return false;
}

void SnapshotPoller::readReplicationStatus()
{
    // Jobs are listed by the node the guest is on; ask only nodes that can answer.
    QHash<QString, QString> sourceOf; // job id → node
    QSet<QString> jobIds;
    for (const ReplicationStatus &job : std::as_const(m_replicationJobs)) {
        jobIds.insert(job.id);
        const GuestResource *guest = m_building.resources.guest(job.guest);
        const NodeResource *node = guest ? m_building.resources.node(guest->node) : nullptr;
        if (node && node->status == NodeStatus::Online)
            sourceOf.insert(job.id, guest->node);
    }
    m_replicationStatus.removeIf(
        [&jobIds](const auto &entry) { return !jobIds.contains(entry.key()); });
    if (sourceOf.isEmpty() || !replicationDue(sourceOf))
        return;

    QStringList placement;
    for (auto it = sourceOf.cbegin(); it != sourceOf.cend(); ++it)
        placement << it.key() + QLatin1Char('@') + it.value();
    placement.sort();
    m_replicationPlacement = placement.join(QLatin1Char(' '));

    QStringList nodes = sourceOf.values();
    nodes.sort();
    nodes.removeDuplicates();
    for (const QString &node : std::as_const(nodes)) {
        request(proxmox::form::path({QStringLiteral("nodes"), node, QStringLiteral("replication")}),
                [this, node](const Reply &reply) {
                    if (!reply) {
                        if (reply.error().kind == ApiError::Kind::NodeUnreachable ||
                            reply.error().kind == ApiError::Kind::Timeout)
                            m_building.unreachableNodes << node;
                        m_building.problems
                            << tr("replication on %1: %2").arg(node, reply.error().message);
                        // Read again next cycle rather than trust the old figures longer.
                        m_replicationPlacement.clear();
                        return;
                    }
                    auto parsed = parseReplicationStatus(reply->data);
                    if (!parsed) {
                        m_building.problems
                            << tr("replication on %1: %2").arg(node, parsed.error().message);
                        return;
                    }
                    for (const ReplicationStatus &status : std::as_const(parsed.value()))
                        m_replicationStatus.insert(status.id, status);
                    m_building.replicationFresh = true;
                });
    }
}

void SnapshotPoller::maybeFinish()
{
    if (m_inCycle && m_pending == 0)
        finishCycle();
}

void SnapshotPoller::finishCycle()
{
    for (const ReplicationStatus &job : std::as_const(m_replicationJobs)) {
        if (m_replicationStatus.contains(job.id))
            m_building.replication << m_replicationStatus.value(job.id);
    }
    m_building.unreachableNodes.sort();
    m_building.unreachableNodes.removeDuplicates();
    m_inCycle = false;
    m_jobs.clear();
    m_last = m_building;
    qCDebug(lcPoller) << "cycle" << m_building.cycle << "took" << m_building.requests << "requests";
    emit snapshotReady(*m_last);
    if (m_running)
        m_timer.start(m_options.interval);
}

} // namespace rae::cluster
