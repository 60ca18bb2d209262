#include "cluster/resources.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

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

std::optional<quint64> toOptionalBytes(const QJsonValue &value)
{
    if (value.isUndefined())
        return std::nullopt;
    return toBytes(value);
}

Entry readEntry(const QJsonObject &object)
{
    // Looked up by Latin-1 name: no QString is made per key, which is what makes this faster
    // than walking the keys, even though each lookup scans the object.
    auto field = [&object](const char *name) {
        return object.value(QLatin1String(name));
    };
    Entry entry;
    entry.type = field("type").toString();
    entry.node = field("node").toString();
    entry.status = field("status").toString();
    if (entry.type == QLatin1String("qemu") || entry.type == QLatin1String("lxc")) {
        entry.name = lenient::toString(field("name"));
        entry.vmid = lenient::toInt(field("vmid"));
        entry.memHost = toOptionalBytes(field("memhost"));
        entry.netIn = toBytes(field("netin"));
        entry.netOut = toBytes(field("netout"));
        entry.isTemplate = lenient::toBool(field("template")).value_or(false);
        entry.lock = field("lock").toString();
        entry.tags = field("tags").toString();
        entry.pool = field("pool").toString();
    } else if (entry.type == QLatin1String("storage")) {
        entry.storage = field("storage").toString();
        entry.pluginType = field("plugintype").toString();
        entry.shared = lenient::toBool(field("shared")).value_or(false);
        entry.content = field("content").toString();
    } else if (entry.type == QLatin1String("node")) {
        entry.level = field("level").toString();
    } else {
        return entry;
    }
    entry.uptime = lenient::toInt(field("uptime")).value_or(0);
    entry.cpu = lenient::toDouble(field("cpu"));
    entry.maxCpu = lenient::toDouble(field("maxcpu")).value_or(0);
    entry.mem = toBytes(field("mem"));
    entry.maxMem = toBytes(field("maxmem"));
    entry.disk = toBytes(field("disk"));
    entry.maxDisk = toBytes(field("maxdisk"));
    entry.haState = field("hastate").toString();
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
