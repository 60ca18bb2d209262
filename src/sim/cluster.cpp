#include "cluster.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcSim, "raedeploy.sim", QtInfoMsg)

namespace rae::sim {

namespace {

QString propertyValue(const QString &propertyString, const QString &key,
                      const QString &defaultKey = {})
{
    for (const QString &part : propertyString.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0) {
            if (key == defaultKey)
                return part;
            continue;
        }
        if (part.left(eq) == key)
            return part.mid(eq + 1);
    }
    return {};
}

} // namespace

QString Call::text(const QString &name, const QString &fallback) const
{
    if (pathParams.contains(name))
        return pathParams.value(name);
    const QJsonValue value = params.value(name);
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("1") : QStringLiteral("0");
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    if (value.isArray()) {
        QStringList parts;
        for (const QJsonValue &part : value.toArray())
            parts << part.toVariant().toString();
        return parts.join(QLatin1Char(','));
    }
    return fallback;
}

long long Call::integer(const QString &name, long long fallback) const
{
    bool ok = false;
    const long long value = text(name).toLongLong(&ok);
    return ok ? value : fallback;
}

bool Call::flag(const QString &name, bool fallback) const
{
    const QString value = text(name);
    if (value.isEmpty())
        return fallback;
    return value == QLatin1String("1") || value == QLatin1String("true");
}

QStringList Call::list(const QString &name) const
{
    const QJsonValue value = params.value(name);
    QStringList out;
    if (value.isArray()) {
        for (const QJsonValue &part : value.toArray())
            out << part.toVariant().toString();
    } else if (!value.isUndefined()) {
        out << text(name);
    }
    return out;
}

long long Vm::memoryBytes() const
{
    const QString memory = config.value(QStringLiteral("memory"), QStringLiteral("512"));
    const QString current =
        propertyValue(memory, QStringLiteral("current"), QStringLiteral("current"));
    return (current.isEmpty() ? 512 : current.toLongLong()) * 1024 * 1024;
}

int Vm::vcpus() const
{
    const int cores = config.value(QStringLiteral("cores"), QStringLiteral("1")).toInt();
    const int sockets = config.value(QStringLiteral("sockets"), QStringLiteral("1")).toInt();
    return std::max(1, cores) * std::max(1, sockets);
}

Result<std::unique_ptr<Cluster>> Cluster::create(const Scenario &scenario,
                                                 const ClusterOptions &options)
{
    auto schema = ApiSchema::forRelease(scenario.release);
    if (!schema)
        return schema.error();
    std::unique_ptr<Cluster> cluster(new Cluster(scenario, *schema, options));
    return cluster;
}

Cluster::Cluster(const Scenario &scenario, const ApiSchema &schema, const ClusterOptions &options)
    : m_scenario(scenario)
    , m_schema(schema)
    , m_options(options)
    , m_clock(scenario.timeScale)
    , m_ticketKey(randomBytes(32))
    , m_csrfKey(randomBytes(32))
{
    m_lastAddress = (std::clamp(options.addressBlock, 0, 255) << 16) + 9;
    const double now = m_clock.now();
    int nodeIndex = 0;
    for (const NodeDef &def : scenario.nodes) {
        NodeState node;
        node.def = def;
        node.bootTime = now - 864000 - 1000 * nodeIndex++;
        // Other nodes' certificates are only ever shown, never served, so a fast EC key will do.
        if (auto certificate =
                makeSelfSignedCertificate(def.name, {def.name, QStringLiteral("localhost")},
                                          {def.ip, QStringLiteral("127.0.0.1")}, KeyKind::EcP256))
            node.certificate = *certificate;
        m_nodes.insert(def.name, node);
    }

    for (const VmDef &def : scenario.vms) {
        Vm vm;
        vm.vmid = def.vmid;
        vm.node = def.node;
        vm.config = def.config;
        vm.running = def.running;
        vm.startedAt = now - 86400 - (def.vmid % 977) * 60;
        vm.pid = 10000 + static_cast<quint32>(def.vmid);
        vm.address = allocateAddress();
        if (!vm.config.contains(QStringLiteral("smbios1")))
            vm.config.insert(QStringLiteral("smbios1"),
                             QString(QStringLiteral("uuid=") + randomUuid()));
        if (!vm.config.contains(QStringLiteral("vmgenid")))
            vm.config.insert(QStringLiteral("vmgenid"), randomUuid());
        m_vms.emplace(vm.vmid, vm);
        if (!def.service.isEmpty()) {
            if (const Status served = setService(def.vmid, def.service, 2000); !served)
                qCWarning(lcSim) << "VM" << def.vmid << served.error().message;
        }
    }

    for (const HaResourceDef &def : scenario.haResources) {
        HaResource resource;
        resource.sid =
            def.sid.contains(QLatin1Char(':')) ? def.sid : QStringLiteral("vm:") + def.sid;
        resource.raw = def.options;
        const int vmid = resource.sid.section(QLatin1Char(':'), 1).toInt();
        const auto vm = m_vms.find(vmid);
        resource.node = vm == m_vms.end() ? QString() : vm->second.node;
        const QString state =
            resource.raw.value(QStringLiteral("state"), QStringLiteral("started"));
        resource.crmState =
            state == QLatin1String("disabled")
                ? QStringLiteral("stopped")
                : (state == QLatin1String("ignored") ? QStringLiteral("ignored") : state);
        if (resource.crmState == QLatin1String("enabled"))
            resource.crmState = QStringLiteral("started");
        m_haResources.insert(resource.sid, resource);
    }
    m_haGroups = scenario.haGroups;
    m_haRules = scenario.haRules;

    for (const ReplicationJobDef &def : scenario.replicationJobs) {
        ReplicationJob job;
        job.def = def;
        job.guest = def.id.section(QLatin1Char('-'), 0, 0).toInt();
        job.jobnum = def.id.section(QLatin1Char('-'), 1, 1).toInt();
        job.lastSync = job.lastTry = nextScheduleTime(def.schedule, now - 3600);
        while (nextScheduleTime(def.schedule, job.lastSync) < now)
            job.lastSync = job.lastTry = nextScheduleTime(def.schedule, job.lastSync);
        job.duration = 2.5 + (job.guest % 7) * 0.37;
        job.nextSync = nextScheduleTime(def.schedule, now);
        m_replication.insert(def.id, job);
        const QString id = def.id;
        at(job.nextSync, [this, id] {
            if (m_replication.contains(id))
                runReplication(m_replication[id]);
        });
    }
    for (const BackupJobDef &def : scenario.backupJobs) {
        m_backupJobs.insert(def.id, def.options);
        scheduleBackupJob(def.id);
    }
    for (const BackupDef &def : scenario.backups) {
        BackupVolume backup;
        backup.vmid = def.vmid;
        backup.storage = def.storage;
        const auto vm = m_vms.find(def.vmid);
        backup.node = !def.node.isEmpty() ? def.node
                      : vm != m_vms.end() ? vm->second.node
                                          : QString();
        backup.ctime = static_cast<long long>(now - def.ageSeconds);
        backup.size = def.size;
        backup.notes = def.notes;
        backup.isProtected = def.isProtected;
        backup.volid = backupVolid(def.storage, def.vmid, backup.ctime);
        m_backups << backup;
    }

    m_haNextRound = now + 10;
    registerHandlers();
}

int Cluster::allocateAddress()
{
    // Never reused, so that a deleted VM's address does not answer for a new one; 127/8 is
    // loopback on Linux, so thousands of VMs still get addresses of their own.
    do {
        ++m_lastAddress;
    } while (m_lastAddress % 256 == 0 || m_lastAddress % 256 == 255);
    return m_lastAddress;
}

QString Cluster::vmAddress(const Vm &vm) const
{
    const auto index = static_cast<quint32>(vm.address);
    return QStringLiteral("127.%1.%2.%3")
        .arg((index >> 16) & 0xff)
        .arg((index >> 8) & 0xff)
        .arg(index & 0xff);
}

void Cluster::setServedCertificate(const Certificate &certificate)
{
    m_served = certificate;
    if (m_nodes.contains(localNode()))
        m_nodes[localNode()].certificate = certificate;
}

void Cluster::route(const char *method, const char *path, Handler handler, bool anonymous)
{
    const QString schemaPath = QString::fromLatin1(path);
    if (!m_schema.paths().contains(schemaPath))
        return; // the persona's release has no such path (HA rules on 8.4)
    m_handlers[schemaPath].insert(QString::fromLatin1(method), handler);
    if (anonymous)
        m_anonymous.insert(QString::fromLatin1(method) + QLatin1Char(' ') + schemaPath);
}

void Cluster::at(double simTime, std::function<void()> action)
{
    m_events.emplace(simTime, std::move(action));
}

void Cluster::tick()
{
    // Actions may schedule further actions; take them one at a time in time order.
    while (!m_events.empty() && m_events.begin()->first <= m_clock.now()) {
        auto action = std::move(m_events.begin()->second);
        m_events.erase(m_events.begin());
        action();
        ++m_generation;
    }
    if (m_clock.now() >= m_haNextRound) {
        m_haNextRound = m_clock.now() + 10;
        haRound();
        ++m_generation;
    }
}

ApiResponse Cluster::handle(const ApiRequest &request)
{
    tick();
    const QString method = request.method;
    Reply reply;
    const auto match = m_schema.match(request.path);
    const Handler handler = match ? m_handlers.value(match->path).value(method) : nullptr;
    if (!handler || method == QLatin1String("HEAD")) {
        reply = Reply::error(
            501, QStringLiteral("Method '%1 %2' not implemented").arg(method, request.path));
    } else {
        reply = [&]() -> Reply {
            const bool write = method != QLatin1String("GET");
            Identity who;
            if (!m_anonymous.contains(method + QLatin1Char(' ') + match->path)) {
                auto identity = authenticate(request, write);
                if (!identity)
                    return identity.error();
                who = *identity;
            }

            const QJsonObject info = m_schema.method(match->path, method);
            if (!who.token.isEmpty() && info.value(QStringLiteral("allowtoken")).toInt(1) == 0)
                return Reply::error(403,
                                    QStringLiteral("Permission check failed (URI '%1' not "
                                                   "available with API token, need proper ticket.")
                                        .arg(request.path));

            // pveproxy forwards /nodes/<n>/... before the target's handler sees the parameters.
            if (match->pathParams.contains(QStringLiteral("node"))) {
                const QString nodeName = match->pathParams.value(QStringLiteral("node"));
                if (!m_nodes.contains(nodeName))
                    return Reply::error(
                        500, QStringLiteral("hostname lookup '%1' failed - failed to get address "
                                            "info for: %1: Name or service not known")
                                 .arg(nodeName));
                const NodeState &node = m_nodes[nodeName];
                if (node.forcedStatus == 596) {
                    Reply hung = Reply::bareError(596, QStringLiteral("Connection timed out"));
                    return hung;
                }
                if (node.forcedStatus == 595)
                    return Reply::bareError(595, QStringLiteral("Connection refused"));
                if (!node.online() && nodeName != localNode())
                    return Reply::bareError(595, QStringLiteral("No route to host"));
            }

            QJsonObject params = request.params;
            for (auto it = match->pathParams.begin(); it != match->pathParams.end(); ++it) {
                if (params.contains(it.key()) &&
                    Call{who, method, {}, {}, params}.text(it.key()) != it.value())
                    return Reply::invalid(it.key(),
                                          QStringLiteral("duplicate parameter (already defined in "
                                                         "URI) with conflicting values!"));
                params.insert(it.key(), it.value());
            }
            const QJsonObject errors = ApiSchema::checkParameters(info, params);
            if (!errors.isEmpty())
                return Reply::invalid(errors);
            for (auto it = match->pathParams.begin(); it != match->pathParams.end(); ++it)
                params.remove(it.key());

            Call call{who, method, match->path, match->pathParams, params};
            if (method != QLatin1String("GET"))
                ++m_generation;
            if (match->path != QLatin1String("/cluster/resources"))
                return (this->*handler)(call);
            if (m_cachedGeneration != m_generation) {
                m_resourcesCache.clear();
                m_cachedGeneration = m_generation;
            }
            const QString key = QStringLiteral("%1|%2|%3")
                                    .arg(who.full(), call.text(QStringLiteral("type")))
                                    .arg(static_cast<qint64>(m_clock.now() / 10));
            if (const auto hit = m_resourcesCache.constFind(key);
                hit != m_resourcesCache.constEnd()) {
                Reply cached = Reply::ok();
                cached.encoded = *hit;
                return cached;
            }
            Reply fresh = (this->*handler)(call);
            fresh.encoded = QJsonDocument(QJsonObject{{QStringLiteral("data"), fresh.data}})
                                .toJson(QJsonDocument::Compact);
            if (m_resourcesCache.size() > 64)
                m_resourcesCache.clear();
            m_resourcesCache.insert(key, fresh.encoded);
            return fresh;
        }();
    }

    ApiResponse response;
    response.status = reply.status;
    if (reply.status < 300 && !reply.encoded.isEmpty()) {
        response.body = reply.encoded;
        return response;
    }
    if (reply.status < 300) {
        QJsonObject envelope = reply.extra;
        envelope.insert(QStringLiteral("data"), reply.data);
        response.body = QJsonDocument(envelope).toJson(QJsonDocument::Compact);
        return response;
    }
    response.reason = reply.message.section(QLatin1Char('\n'), 0, 0).toUtf8();
    if (reply.status == 596)
        response.delay = std::chrono::seconds(30);
    if (reply.bare)
        return response;
    QJsonObject envelope{{QStringLiteral("data"), QJsonValue::Null}};
    if (!reply.errors.isEmpty())
        envelope.insert(QStringLiteral("errors"), reply.errors);
    if (m_scenario.errorMessage && reply.status != 501)
        envelope.insert(QStringLiteral("message"), QString(reply.message + QLatin1Char('\n')));
    response.body = QJsonDocument(envelope).toJson(QJsonDocument::Compact);
    return response;
}

Outcome<NodeState *> Cluster::nodeOf(const Call &call)
{
    const QString name = call.text(QStringLiteral("node"));
    if (!m_nodes.contains(name))
        return Reply::error(500, QStringLiteral("no such node '%1'").arg(name));
    return &m_nodes[name];
}

Outcome<Vm *> Cluster::vmOf(const Call &call)
{
    const QString node = call.text(QStringLiteral("node"));
    const int vmid = static_cast<int>(call.integer(QStringLiteral("vmid")));
    const auto it = m_vms.find(vmid);
    if (it == m_vms.end() || it->second.node != node)
        return Reply::error(
            500, QStringLiteral("Configuration file 'nodes/%1/qemu-server/%2.conf' does not exist")
                     .arg(node)
                     .arg(vmid));
    return &it->second;
}

Task &Cluster::startTask(const QString &node, const QString &type, const QString &id,
                         const Identity &who, double simDuration, std::function<QString()> finish)
{
    Task task;
    task.node = node;
    task.type = type;
    task.id = id;
    task.user = who.full();
    task.starttime = m_clock.nowSeconds();
    task.pstart = static_cast<quint64>((m_clock.now() - m_nodes[node].bootTime) * 100);
    task.pid = m_nextPid;
    m_nextPid += 1 + static_cast<quint32>(randomBytes(1).at(0) & 0x1f);
    task.upid =
        QStringLiteral("UPID:%1:%2:%3:%4:%5:%6:%7:")
            .arg(node, QStringLiteral("%1").arg(task.pid, 8, 16, QLatin1Char('0')).toUpper(),
                 QStringLiteral("%1").arg(task.pstart, 8, 16, QLatin1Char('0')).toUpper(),
                 QStringLiteral("%1")
                     .arg(static_cast<quint64>(task.starttime), 8, 16, QLatin1Char('0'))
                     .toUpper(),
                 type, id, task.user);
    task.visibleAt = std::chrono::steady_clock::now() + m_options.taskVisibilityDelay;

    // An injected failure replaces whatever the task would have done.
    QString injected;
    for (auto it = m_taskFailures.begin(); it != m_taskFailures.end(); ++it) {
        if ((it->type.isEmpty() || it->type == type) && it->remaining > 0) {
            injected = it->message;
            if (--it->remaining == 0)
                m_taskFailures.erase(it);
            break;
        }
    }

    const QString upid = task.upid;
    m_tasks.insert(upid, task);
    m_taskOrder.prepend(upid);
    at(m_clock.now() + simDuration, [this, upid, finish = std::move(finish), injected] {
        if (!m_tasks.contains(upid))
            return;
        const QString outcome = injected.isEmpty() ? finish() : injected;
        Task &done = m_tasks[upid];
        done.running = false;
        done.endtime = m_clock.nowSeconds();
        static const QRegularExpression warnings(QStringLiteral("^WARNINGS: \\d+$"));
        if (outcome.isEmpty()) {
            done.exitStatus = QStringLiteral("OK");
            done.log << QStringLiteral("TASK OK");
        } else if (warnings.match(outcome).hasMatch()) {
            done.exitStatus = outcome;
            done.log << QStringLiteral("TASK ") + outcome;
        } else {
            done.exitStatus = outcome;
            done.log << QStringLiteral("TASK ERROR: ") + outcome;
        }
    });
    return m_tasks[upid];
}

double Cluster::noise(int seed, double period) const
{
    return noiseAt(seed, period, m_clock.now());
}

double Cluster::noiseAt(int seed, double period, double time) const
{
    // splitmix64 over (seed, time slot): stable within a pvestatd period, new in the next.
    auto slot = static_cast<unsigned long long>(std::max(0.0, time) / period);
    unsigned long long x = slot * 0x9E3779B97F4A7C15ULL + static_cast<unsigned long long>(seed);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return static_cast<double>(x % 1000000ULL) / 1000000.0;
}

QJsonObject Cluster::vmStats(const Vm &vm, bool forList) const
{
    QJsonObject entry;
    const double now = vm.frozenAt > 0 ? vm.frozenAt : m_clock.now();
    const long long maxmem = vm.memoryBytes();
    long long maxdisk = 0;
    for (const QString &key : diskKeys(vm)) {
        const QString value = vm.config.value(key);
        if (value.contains(QLatin1String("media=cdrom")))
            continue;
        if (auto size = parseByteSize(propertyValue(value, QStringLiteral("size")));
            size && maxdisk == 0)
            maxdisk = *size;
    }
    entry.insert(QStringLiteral("maxmem"), maxmem);
    entry.insert(QStringLiteral("maxdisk"), maxdisk);
    entry.insert(QStringLiteral("disk"), 0);
    entry.insert(forList ? QStringLiteral("cpus") : QStringLiteral("maxcpu"), vm.vcpus());
    if (vm.running) {
        const double uptime = now - vm.startedAt;
        const double load = 0.02 + 0.4 * noise(vm.vmid, 10);
        entry.insert(QStringLiteral("uptime"), static_cast<qint64>(uptime));
        entry.insert(QStringLiteral("cpu"), std::round(load * 10000) / 10000);
        entry.insert(QStringLiteral("mem"),
                     static_cast<qint64>(maxmem * (0.35 + 0.3 * noise(vm.vmid + 7, 10))));
        entry.insert(QStringLiteral("netin"), static_cast<qint64>(uptime * 1800));
        entry.insert(QStringLiteral("netout"), static_cast<qint64>(uptime * 950));
        entry.insert(QStringLiteral("diskread"), static_cast<qint64>(uptime * 4096));
        entry.insert(QStringLiteral("diskwrite"), static_cast<qint64>(uptime * 8192));
        if (m_scenario.isPve9())
            entry.insert(QStringLiteral("memhost"), static_cast<qint64>(maxmem * 0.7));
    } else {
        for (const char *key : {"uptime", "cpu", "mem", "netin", "netout", "diskread", "diskwrite"})
            entry.insert(QString::fromLatin1(key), 0);
    }
    return entry;
}

QJsonObject Cluster::nodeStats(const NodeState &node) const
{
    long long used = 6LL << 30;
    double cpu = 0.01;
    for (const auto &[vmid, vm] : m_vms) {
        if (vm.node == node.def.name && vm.running) {
            used += vm.memoryBytes() * 9 / 10;
            cpu += vm.vcpus() * 0.2 / std::max(1, node.def.threads);
        }
    }
    QJsonObject entry;
    entry.insert(QStringLiteral("uptime"), static_cast<qint64>(m_clock.now() - node.bootTime));
    entry.insert(QStringLiteral("cpu"),
                 std::round(std::min(1.0, cpu + 0.02 * noise(node.def.threads, 10)) * 10000) /
                     10000);
    entry.insert(QStringLiteral("maxcpu"), node.def.threads);
    entry.insert(QStringLiteral("mem"), std::min(used, node.def.memory));
    entry.insert(QStringLiteral("maxmem"), node.def.memory);
    entry.insert(QStringLiteral("disk"), node.def.rootfs / 11);
    entry.insert(QStringLiteral("maxdisk"), node.def.rootfs);
    return entry;
}

const StorageDef *Cluster::storage(const QString &id) const
{
    for (const StorageDef &def : m_scenario.storages) {
        if (def.id == id)
            return &def;
    }
    return nullptr;
}

bool Cluster::storageOnNode(const QString &storageId, const QString &node) const
{
    return m_nodes.contains(node) && m_nodes[node].def.storages.contains(storageId);
}

bool Cluster::isShared(const QString &storageId) const
{
    const StorageDef *def = storage(storageId);
    return def && def->shared;
}

QStringList Cluster::diskKeys(const Vm &vm) const
{
    static const QRegularExpression disk(
        QStringLiteral("^(scsi|virtio|sata|ide|efidisk|tpmstate)\\d+$"));
    QStringList keys;
    for (auto it = vm.config.begin(); it != vm.config.end(); ++it) {
        if (disk.match(it.key()).hasMatch())
            keys << it.key();
    }
    return keys;
}

HaResource *Cluster::haResource(int vmid)
{
    const auto it = m_haResources.find(haSidOf(vmid));
    return it == m_haResources.end() ? nullptr : &it.value();
}

QJsonValue Cluster::configValue(const QString &key, const QString &value) const
{
    // Integer and boolean keys come as JSON numbers; everything else (memory and "number" keys
    // such as cpulimit included) as strings, the way qemu-server's config reader hands them out.
    static const QRegularExpression indexed(QStringLiteral("^[a-z]+\\d+$"));
    const QJsonObject returns =
        m_schema.method(QStringLiteral("/nodes/{node}/qemu/{vmid}/config"), QStringLiteral("GET"))
            .value(QStringLiteral("returns"))
            .toObject()
            .value(QStringLiteral("properties"))
            .toObject();
    const QString type = returns.value(key).toObject().value(QStringLiteral("type")).toString();
    if ((type == QLatin1String("integer") || type == QLatin1String("boolean")) &&
        !indexed.match(key).hasMatch()) {
        bool ok = false;
        const long long number = value.toLongLong(&ok);
        if (ok)
            return number;
    }
    return value;
}

int Cluster::nextFreeVmid() const
{
    int vmid = 100;
    while (m_vms.count(vmid))
        ++vmid;
    return vmid;
}

QString Cluster::mappingNodesFor(const QString &mappingId, QStringList *paths) const
{
    QStringList nodes;
    for (const PciMappingDef &mapping : m_scenario.pciMappings) {
        if (mapping.id != mappingId)
            continue;
        for (const QString &entry : mapping.map) {
            nodes << propertyValue(entry, QStringLiteral("node"));
            if (paths)
                *paths << propertyValue(entry, QStringLiteral("path"));
        }
    }
    return nodes.join(QLatin1Char(','));
}

void Cluster::nodeWentOffline(NodeState &node)
{
    node.offlineSince = m_clock.now();
    for (auto &[vmid, vm] : m_vms) {
        if (vm.node == node.def.name)
            vm.frozenAt = m_clock.now();
    }
    for (auto it = m_tasks.begin(); it != m_tasks.end(); ++it) {
        if (it->node == node.def.name && it->running) {
            it->running = false;
            it->exitStatus = QStringLiteral("unexpected status");
        }
    }
}

void Cluster::nodeCameBack(NodeState &node, bool lostPower)
{
    node.offlineSince = 0;
    if (lostPower)
        node.bootTime = m_clock.now();
    for (auto &[vmid, vm] : m_vms) {
        if (vm.node != node.def.name)
            continue;
        vm.frozenAt = 0;
        if (lostPower) {
            // The guests died with the power; onboot ones start with the node unless HA owns them.
            vm.running = vm.config.value(QStringLiteral("onboot")) == QLatin1String("1") &&
                         !haResource(vmid);
            vm.startedAt = m_clock.now();
        }
    }
}

bool Cluster::hasCeph() const
{
    return std::any_of(
        m_scenario.storages.cbegin(), m_scenario.storages.cend(), [](const StorageDef &def) {
            return def.type == QLatin1String("rbd") || def.type == QLatin1String("cephfs");
        });
}

Status Cluster::setCephHealth(const QString &status, const QString &check, const QString &message)
{
    if (!hasCeph())
        return Error{QStringLiteral("the scenario has no Ceph storage"), {}, {}};
    static const QStringList known = {QString(), QStringLiteral("HEALTH_OK"),
                                      QStringLiteral("HEALTH_WARN"), QStringLiteral("HEALTH_ERR")};
    if (!known.contains(status))
        return Error{QStringLiteral("status must be HEALTH_OK, HEALTH_WARN or HEALTH_ERR"), {}, {}};
    m_cephStatus = status;
    m_cephCheck = check.isEmpty() && status != QLatin1String("HEALTH_OK")
                      ? QStringLiteral("SIMULATED")
                      : check;
    m_cephMessage =
        message.isEmpty() ? QStringLiteral("set through the control endpoint") : message;
    ++m_generation;
    return Done{};
}

Status Cluster::setNodePower(const QString &name, bool on)
{
    ++m_generation;
    if (!m_nodes.contains(name))
        return Error{QStringLiteral("no such node '%1'").arg(name), {}, {}};
    NodeState &node = m_nodes[name];
    const bool wasOnline = node.online();
    node.power = on;
    if (wasOnline && !node.online())
        nodeWentOffline(node);
    else if (!wasOnline && node.online())
        nodeCameBack(node, true);
    return Done{};
}

Status Cluster::setNodeNetwork(const QString &name, bool on)
{
    ++m_generation;
    if (!m_nodes.contains(name))
        return Error{QStringLiteral("no such node '%1'").arg(name), {}, {}};
    NodeState &node = m_nodes[name];
    const bool wasOnline = node.online();
    node.network = on;
    if (wasOnline && !node.online())
        nodeWentOffline(node);
    else if (!wasOnline && node.online())
        nodeCameBack(node, false);
    return Done{};
}

Status Cluster::setNodeForcedStatus(const QString &name, int status)
{
    ++m_generation;
    if (!m_nodes.contains(name))
        return Error{QStringLiteral("no such node '%1'").arg(name), {}, {}};
    if (status != 0 && status != 595 && status != 596)
        return Error{QStringLiteral("the forced status must be 595, 596 or 0"), {}, {}};
    m_nodes[name].forcedStatus = status;
    return Done{};
}

void Cluster::invalidateTickets()
{
    ++m_generation;
    m_ticketKey = randomBytes(32);
    m_csrfKey = randomBytes(32);
}

void Cluster::failNextTasks(const QString &type, int count, const QString &message)
{
    m_taskFailures << TaskFailure{type, count, message};
}

Status Cluster::setReplicationFailure(const QString &jobId, const QString &message)
{
    if (!m_replication.contains(jobId))
        return Error{QStringLiteral("no such replication job '%1'").arg(jobId), {}, {}};
    if (message.isEmpty())
        m_replicationFaults.remove(jobId);
    else
        m_replicationFaults.insert(jobId, message);
    return Done{};
}

Status Cluster::setAgentDown(int vmid, bool down)
{
    ++m_generation;
    const auto it = m_vms.find(vmid);
    if (it == m_vms.end())
        return Error{QStringLiteral("no such VM %1").arg(vmid), {}, {}};
    it->second.agentDown = down;
    return Done{};
}

void Cluster::advanceTime(double seconds)
{
    ++m_generation;
    m_clock.advance(seconds);
    tick();
}

QJsonObject Cluster::describe() const
{
    QJsonObject nodes;
    for (const NodeState &node : m_nodes) {
        nodes.insert(node.def.name, QJsonObject{{QStringLiteral("power"), node.power},
                                                {QStringLiteral("network"), node.network},
                                                {QStringLiteral("forced"), node.forcedStatus}});
    }
    return QJsonObject{{QStringLiteral("time"), m_clock.now()},
                       {QStringLiteral("scale"), m_clock.scale()},
                       {QStringLiteral("nodes"), nodes},
                       {QStringLiteral("vms"), static_cast<qint64>(m_vms.size())},
                       {QStringLiteral("services"), describeServices()},
                       {QStringLiteral("tasks"), static_cast<qint64>(m_tasks.size())}};
}

} // namespace rae::sim
