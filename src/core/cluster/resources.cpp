#include "cluster/resources.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

// Each entry is walked once, key by key, rather than looked up field by field: QJsonObject
// lookups are linear, and this parser runs on every poll of clusters with thousands of guests.
enum class Field
{
    Type,
    Node,
    Status,
    Name,
    Vmid,
    Uptime,
    Cpu,
    MaxCpu,
    Mem,
    MaxMem,
    MemHost,
    Disk,
    MaxDisk,
    NetIn,
    NetOut,
    Template,
    Lock,
    Tags,
    Pool,
    HaState,
    Level,
    Storage,
    PluginType,
    Shared,
    Content
};

const QHash<QString, Field> &fieldNames()
{
    static const QHash<QString, Field> names = {
        {QStringLiteral("type"), Field::Type},
        {QStringLiteral("node"), Field::Node},
        {QStringLiteral("status"), Field::Status},
        {QStringLiteral("name"), Field::Name},
        {QStringLiteral("vmid"), Field::Vmid},
        {QStringLiteral("uptime"), Field::Uptime},
        {QStringLiteral("cpu"), Field::Cpu},
        {QStringLiteral("maxcpu"), Field::MaxCpu},
        {QStringLiteral("mem"), Field::Mem},
        {QStringLiteral("maxmem"), Field::MaxMem},
        {QStringLiteral("memhost"), Field::MemHost},
        {QStringLiteral("disk"), Field::Disk},
        {QStringLiteral("maxdisk"), Field::MaxDisk},
        {QStringLiteral("netin"), Field::NetIn},
        {QStringLiteral("netout"), Field::NetOut},
        {QStringLiteral("template"), Field::Template},
        {QStringLiteral("lock"), Field::Lock},
        {QStringLiteral("tags"), Field::Tags},
        {QStringLiteral("pool"), Field::Pool},
        {QStringLiteral("hastate"), Field::HaState},
        {QStringLiteral("level"), Field::Level},
        {QStringLiteral("storage"), Field::Storage},
        {QStringLiteral("plugintype"), Field::PluginType},
        {QStringLiteral("shared"), Field::Shared},
        {QStringLiteral("content"), Field::Content},
    };
    return names;
}

// Everything an entry may carry, read in one pass; the type decides which parts are used.
struct Entry
{
    QString type, node, status, name, lock, tags, pool, haState, level, storage, pluginType,
        content;
    std::optional<qint64> vmid;
    std::optional<double> cpu;
    double maxCpu = 0;
    quint64 mem = 0, maxMem = 0, disk = 0, maxDisk = 0, netIn = 0, netOut = 0;
    std::optional<quint64> memHost;
    qint64 uptime = 0;
    bool isTemplate = false;
    bool shared = false;
};

quint64 toBytes(const QJsonValue &value)
{
    const auto number =
        value.isDouble() ? std::optional<double>(value.toDouble()) : lenient::toDouble(value);
    return number && *number > 0 ? quint64(*number) : 0;
}

Entry readEntry(const QJsonObject &object)
{
    Entry entry;
    const auto &names = fieldNames();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto field = names.constFind(it.key());
        if (field == names.constEnd())
            continue;
        const QJsonValue value = it.value();
        switch (*field) {
        case Field::Type:
            entry.type = value.toString();
            break;
        case Field::Node:
            entry.node = value.toString();
            break;
        case Field::Status:
            entry.status = value.toString();
            break;
        case Field::Name:
            entry.name = lenient::toString(value);
            break;
        case Field::Vmid:
            entry.vmid = lenient::toInt(value);
            break;
        case Field::Uptime:
            entry.uptime = lenient::toInt(value).value_or(0);
            break;
        case Field::Cpu:
            entry.cpu = lenient::toDouble(value);
            break;
        case Field::MaxCpu:
            entry.maxCpu = lenient::toDouble(value).value_or(0);
            break;
        case Field::Mem:
            entry.mem = toBytes(value);
            break;
        case Field::MaxMem:
            entry.maxMem = toBytes(value);
            break;
        case Field::MemHost:
            entry.memHost = toBytes(value);
            break;
        case Field::Disk:
            entry.disk = toBytes(value);
            break;
        case Field::MaxDisk:
            entry.maxDisk = toBytes(value);
            break;
        case Field::NetIn:
            entry.netIn = toBytes(value);
            break;
        case Field::NetOut:
            entry.netOut = toBytes(value);
            break;
        case Field::Template:
            entry.isTemplate = lenient::toBool(value).value_or(false);
            break;
        case Field::Lock:
            entry.lock = value.toString();
            break;
        case Field::Tags:
            entry.tags = value.toString();
            break;
        case Field::Pool:
            entry.pool = value.toString();
            break;
        case Field::HaState:
            entry.haState = value.toString();
            break;
        case Field::Level:
            entry.level = value.toString();
            break;
        case Field::Storage:
            entry.storage = value.toString();
            break;
        case Field::PluginType:
            entry.pluginType = value.toString();
            break;
        case Field::Shared:
            entry.shared = lenient::toBool(value).value_or(false);
            break;
        case Field::Content:
            entry.content = value.toString();
            break;
        }
    }
    return entry;
}

NodeStatus nodeStatus(const QString &text)
{
    if (text == QLatin1String("online"))
        return NodeStatus::Online;
    if (text == QLatin1String("offline"))
        return NodeStatus::Offline;
    return NodeStatus::Unknown;
}

GuestStatus guestStatus(const QString &text)
{
    if (text == QLatin1String("running"))
        return GuestStatus::Running;
    if (text == QLatin1String("stopped"))
        return GuestStatus::Stopped;
    if (text == QLatin1String("paused"))
        return GuestStatus::Paused;
    if (text == QLatin1String("suspended"))
        return GuestStatus::Suspended;
    if (text.isEmpty() || text == QLatin1String("unknown"))
        return GuestStatus::Unknown;
    return GuestStatus::Other; // QMP run states such as prelaunch, inmigrate, io-error
}

Error malformed(int index, const QString &what)
{
    return Error{QCoreApplication::translate("rae::cluster", "cluster resources entry %1: %2")
                     .arg(index)
                     .arg(what),
                 QCoreApplication::translate("rae::cluster",
                                             "the cluster sent an answer this tool cannot read"),
                 {}};
}

} // namespace

const NodeResource *Resources::node(const QString &name) const
{
    for (const NodeResource &candidate : nodes) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

const GuestResource *Resources::guest(int vmid) const
{
    for (const GuestResource &candidate : guests) {
        if (candidate.vmid == vmid)
            return &candidate;
    }
    return nullptr;
}

Result<Resources> parseResources(const QJsonValue &data)
{
    if (!data.isArray())
        return malformed(0, QStringLiteral("the answer is not a list"));

    const QJsonArray array = data.toArray();
    Resources resources;
    resources.guests.reserve(array.size());
    int index = 0;
    for (const QJsonValue &value : array) {
        ++index;
        const Entry entry = readEntry(value.toObject());
        if (entry.type == QLatin1String("node")) {
            if (entry.node.isEmpty())
                return malformed(index, QStringLiteral("a node without a name"));
            NodeResource node;
            node.name = entry.node;
            node.status = nodeStatus(entry.status);
            if (node.status == NodeStatus::Online)
                node.cpu = entry.cpu;
            node.maxCpu = int(entry.maxCpu);
            node.memoryUsed = entry.mem;
            node.memoryTotal = entry.maxMem;
            node.rootUsed = entry.disk;
            node.rootTotal = entry.maxDisk;
            node.uptime = entry.uptime;
            node.haState = entry.haState;
            node.subscriptionLevel = entry.level;
            resources.nodes.append(std::move(node));
        } else if (entry.type == QLatin1String("qemu") || entry.type == QLatin1String("lxc")) {
            if (!entry.vmid || entry.node.isEmpty())
                return malformed(index, QStringLiteral("a guest without vmid or node"));
            GuestResource guest;
            guest.type = entry.type == QLatin1String("lxc") ? GuestType::Lxc : GuestType::Qemu;
            guest.vmid = int(*entry.vmid);
            guest.name = entry.name;
            guest.node = entry.node;
            guest.reportedStatus = entry.status;
            guest.status = guestStatus(entry.status);
            guest.cpu = entry.cpu.value_or(0.0);
            guest.maxCpu = int(entry.maxCpu);
            guest.memoryUsed = entry.mem;
            guest.memoryTotal = entry.maxMem;
            guest.memoryHost = entry.memHost;
            guest.diskTotal = entry.maxDisk;
            guest.uptime = entry.uptime;
            guest.netIn = entry.netIn;
            guest.netOut = entry.netOut;
            guest.haState = entry.haState;
            guest.lock = entry.lock;
            guest.pool = entry.pool;
            guest.tags = lenient::splitList(entry.tags);
            guest.isTemplate = entry.isTemplate;
            resources.guests.append(std::move(guest));
        } else if (entry.type == QLatin1String("storage")) {
            StorageResource storage;
            storage.node = entry.node;
            storage.storage = entry.storage;
            storage.pluginType = entry.pluginType;
            storage.available = entry.status == QLatin1String("available");
            storage.shared = entry.shared;
            storage.content = entry.content.split(QLatin1Char(','), Qt::SkipEmptyParts);
            storage.used = entry.disk;
            storage.total = entry.maxDisk;
            resources.storages.append(std::move(storage));
        } else {
            ++resources.ignoredEntries;
        }
    }

    // Guest entries outlive their node by up to five minutes; what a dead node last said about
    // its guests is history, not state.
    QSet<QString> downNodes;
    for (const NodeResource &node : std::as_const(resources.nodes)) {
        if (node.status != NodeStatus::Online)
            downNodes.insert(node.name);
    }
    if (!downNodes.isEmpty()) {
        for (GuestResource &guest : resources.guests) {
            if (downNodes.contains(guest.node)) {
                guest.status = GuestStatus::Unknown;
                guest.statsStale = true;
            }
        }
    }
    return resources;
}

Result<Resources> parseResourcesReply(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return malformed(0, QStringLiteral("not JSON (%1 at byte %2)")
                                .arg(parseError.errorString())
                                .arg(parseError.offset));
    }
    return parseResources(document.object().value(QLatin1String("data")));
}

} // namespace rae::cluster
