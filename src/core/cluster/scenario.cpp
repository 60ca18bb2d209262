#include "cluster/scenario.h"

#include <yaml-cpp/yaml.h>

#include <QFile>
#include <QRegularExpression>

#include <cmath>

namespace rae::cluster {

namespace {

// yaml-cpp reports problems by exception; this converts them into an Error with the place.
struct ScenarioProblem
{
    QString message;
    YAML::Mark mark;
};

[[noreturn]] void fail(const YAML::Node &node, const QString &message)
{
    throw ScenarioProblem{message, node.Mark()};
}

QString text(const YAML::Node &node)
{
    if (!node || node.IsNull())
        return {};
    if (!node.IsScalar())
        fail(node, QStringLiteral("expected a single value"));
    return QString::fromStdString(node.as<std::string>());
}

QString text(const YAML::Node &map, const char *key, const QString &fallback = {})
{
    const YAML::Node value = map[key];
    return value ? text(value) : fallback;
}

bool flag(const YAML::Node &map, const char *key, bool fallback)
{
    const QString value = text(map, key).toLower();
    if (value.isEmpty())
        return fallback;
    if (value == QLatin1String("1") || value == QLatin1String("true") ||
        value == QLatin1String("yes"))
        return true;
    if (value == QLatin1String("0") || value == QLatin1String("false") ||
        value == QLatin1String("no"))
        return false;
    fail(map[key], QStringLiteral("'%1' is not a yes/no value").arg(value));
}

// "90", "90s", "45m", "30h", "2d": seconds.
double duration(const YAML::Node &map, const char *key)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)\s*$)"));
    const QString value = text(map, key);
    if (value.isEmpty())
        return 0;
    const auto match = pattern.match(value);
    if (!match.hasMatch())
        fail(map[key], QStringLiteral("'%1' is not a duration such as 30h or 2d").arg(value));
    const QString unit = match.captured(2);
    const double factor = unit == QLatin1String("m")   ? 60
                          : unit == QLatin1String("h") ? 3600
                          : unit == QLatin1String("d") ? 86400
                                                       : 1;
    return match.captured(1).toDouble() * factor;
}

int integer(const YAML::Node &map, const char *key, int fallback)
{
    const QString value = text(map, key);
    if (value.isEmpty())
        return fallback;
    bool ok = false;
    const int number = value.toInt(&ok);
    if (!ok)
        fail(map[key], QStringLiteral("'%1' is not a whole number").arg(value));
    return number;
}

long long bytes(const YAML::Node &map, const char *key, long long fallback)
{
    const QString value = text(map, key);
    if (value.isEmpty())
        return fallback;
    const auto size = parseByteSize(value);
    if (!size)
        fail(map[key], size.error().message);
    return *size;
}

QStringList list(const YAML::Node &node)
{
    QStringList out;
    if (!node)
        return out;
    if (node.IsScalar()) {
        for (const QString &part : text(node).split(QLatin1Char(','), Qt::SkipEmptyParts))
            out << part.trimmed();
        return out;
    }
    if (!node.IsSequence())
        fail(node, QStringLiteral("expected a list"));
    for (const auto &item : node)
        out << text(item);
    return out;
}

// Every key of a map except the ones named, as strings (for raw config sections).
QMap<QString, QString> rest(const YAML::Node &map, const QStringList &skip)
{
    QMap<QString, QString> out;
    for (const auto &entry : map) {
        const QString key = QString::fromStdString(entry.first.as<std::string>());
        if (!skip.contains(key))
            out.insert(key, text(entry.second));
    }
    return out;
}

StorageDef readStorage(const YAML::Node &node)
{
    StorageDef storage;
    storage.id = text(node, "id");
    storage.type = text(node, "type", QStringLiteral("dir"));
    if (storage.id.isEmpty())
        fail(node, QStringLiteral("a storage needs an id"));
    static const QStringList sharedTypes = {QStringLiteral("rbd"), QStringLiteral("cephfs"),
                                            QStringLiteral("nfs"), QStringLiteral("cifs"),
                                            QStringLiteral("pbs"), QStringLiteral("iscsi")};
    storage.shared = flag(node, "shared", sharedTypes.contains(storage.type));
    storage.content = text(node, "content", QStringLiteral("images,rootdir"));
    storage.total = bytes(node, "total", 1LL << 40);
    storage.used = bytes(node, "used", 0);
    storage.options =
        rest(node, {QStringLiteral("id"), QStringLiteral("type"), QStringLiteral("shared"),
                    QStringLiteral("content"), QStringLiteral("total"), QStringLiteral("used")});
    return storage;
}

NodeDef readNode(const YAML::Node &node, const NodeDef &base)
{
    NodeDef def = base;
    def.name = text(node, "name", base.name);
    def.ip = text(node, "ip", base.ip);
    def.cpuModel = text(node, "cpu-model", base.cpuModel);
    def.sockets = integer(node, "sockets", base.sockets);
    def.cores = integer(node, "cores", base.cores);
    def.threads = integer(node, "threads", base.threads);
    def.memory = bytes(node, "memory", base.memory ? base.memory : 256LL << 30);
    def.rootfs = bytes(node, "rootfs", base.rootfs);
    if (node["storages"])
        def.storages = list(node["storages"]);
    if (node["bridges"]) {
        def.bridges.clear();
        for (const auto &item : node["bridges"]) {
            BridgeDef bridge;
            bridge.iface = text(item, "iface");
            bridge.vlanAware = flag(item, "vlan-aware", false);
            bridge.cidr = text(item, "cidr");
            bridge.gateway = text(item, "gateway");
            bridge.ports = text(item, "ports");
            bridge.comments = text(item, "comments");
            def.bridges << bridge;
        }
    }
    if (node["pci"]) {
        def.pci.clear();
        for (const auto &item : node["pci"]) {
            PciDeviceDef device;
            device.path = text(item, "path");
            device.id = text(item, "id");
            device.subsystemId = text(item, "subsystem-id");
            device.iommuGroup = integer(item, "iommu-group", -1);
            device.vendorName = text(item, "vendor-name");
            device.deviceName = text(item, "device-name");
            def.pci << device;
        }
    }
    if (def.name.isEmpty())
        fail(node, QStringLiteral("a node needs a name"));
    return def;
}

VmDef readVm(const YAML::Node &node)
{
    VmDef vm;
    vm.vmid = integer(node, "vmid", 0);
    if (vm.vmid < 100)
        fail(node, QStringLiteral("a VM needs a vmid of 100 or more"));
    vm.node = text(node, "node");
    vm.name = text(node, "name");
    vm.templateVm = flag(node, "template", false);
    vm.running = text(node, "status") == QLatin1String("running");
    vm.service = text(node, "service");
    if (node["config"])
        vm.config = rest(node["config"], {});
    if (!vm.name.isEmpty())
        vm.config.insert(QStringLiteral("name"), vm.name);
    if (vm.templateVm)
        vm.config.insert(QStringLiteral("template"), QStringLiteral("1"));
    return vm;
}

// Many nodes and VMs without listing each one, for the large benchmark scenario.
void generate(const YAML::Node &node, Scenario &scenario)
{
    const int nodeCount = integer(node, "nodes", 0);
    NodeDef base = scenario.nodes.isEmpty() ? NodeDef{} : scenario.nodes.constLast();
    if (node["node-template"])
        base = readNode(node["node-template"], base);
    const QString prefix = text(node, "node-prefix", QStringLiteral("pve"));
    for (int i = scenario.nodes.size() + 1; i <= nodeCount; ++i) {
        NodeDef def = base;
        def.name = prefix + QString::number(i);
        def.ip = QStringLiteral("192.0.2.%1").arg(10 + i);
        def.pci.clear();
        scenario.nodes << def;
    }

    const int vmCount = integer(node, "vms", 0);
    const int firstVmid = integer(node, "first-vmid", 1000);
    const YAML::Node vmTemplate = node["vm-template"];
    for (int i = 0; i < vmCount; ++i) {
        VmDef vm;
        vm.vmid = firstVmid + i;
        vm.node = scenario.nodes.at(i % scenario.nodes.size()).name;
        vm.name = QStringLiteral("vm-%1").arg(vm.vmid);
        vm.running = (i % 10) != 9; // every tenth VM is stopped
        if (vmTemplate)
            vm.config = rest(vmTemplate, {});
        vm.config.insert(QStringLiteral("name"), vm.name);
        for (auto it = vm.config.begin(); it != vm.config.end(); ++it)
            it.value().replace(QStringLiteral("{vmid}"), QString::number(vm.vmid));
        scenario.vms << vm;
    }
}

Scenario readScenario(const YAML::Node &root)
{
    if (!root.IsMap())
        fail(root, QStringLiteral("a scenario is a map with 'cluster', 'nodes', ..."));
    Scenario scenario;
    scenario.cluster = text(root, "cluster", scenario.cluster);
    scenario.release = text(root, "release", scenario.release);
    if (scenario.release != QLatin1String("8.4") && scenario.release != QLatin1String("9.1"))
        fail(root["release"], QStringLiteral("release must be 8.4 or 9.1"));
    scenario.version = text(root, "version",
                            scenario.isPve9() ? QStringLiteral("9.1.4") : QStringLiteral("8.4.14"));
    scenario.unifiedAuthFailure = flag(root, "unified-auth-failure", false);
    scenario.errorMessage = flag(root, "error-message", true);
    scenario.crsHa = text(root, "crs-ha", scenario.crsHa);
    scenario.haShutdownPolicy = text(root, "ha-shutdown-policy");
    scenario.controlToken = text(root, "control-token");
    const QString scale = text(root, "time-scale", QStringLiteral("1"));
    bool ok = false;
    scenario.timeScale = scale.toDouble(&ok);
    if (!ok || scenario.timeScale <= 0)
        fail(root["time-scale"], QStringLiteral("time-scale must be a positive number"));

    for (const auto &item : root["storages"])
        scenario.storages << readStorage(item);
    NodeDef previous;
    for (const auto &item : root["nodes"]) {
        previous = readNode(item, NodeDef{});
        scenario.nodes << previous;
    }
    if (root["generate"])
        generate(root["generate"], scenario);
    if (scenario.nodes.isEmpty())
        fail(root, QStringLiteral("a scenario needs at least one node"));
    scenario.localNode = text(root, "local-node", scenario.nodes.constFirst().name);

    QStringList allStorages;
    for (const StorageDef &storage : scenario.storages)
        allStorages << storage.id;
    for (NodeDef &def : scenario.nodes) {
        if (def.storages.isEmpty())
            def.storages = allStorages;
        for (const QString &id : def.storages) {
            if (!allStorages.contains(id))
                fail(root["nodes"],
                     QStringLiteral("node %1 names unknown storage '%2'").arg(def.name, id));
        }
    }

    for (const auto &item : root["pci-mappings"]) {
        PciMappingDef mapping;
        mapping.id = text(item, "id");
        mapping.description = text(item, "description");
        mapping.map = list(item["map"]);
        mapping.liveMigrationCapable = flag(item, "live-migration-capable", false);
        mapping.mdev = flag(item, "mdev", false);
        scenario.pciMappings << mapping;
    }

    for (const auto &item : root["vms"])
        scenario.vms << readVm(item);

    for (const auto &item : root["users"]) {
        UserDef user;
        user.userid = text(item, "userid");
        if (!user.userid.contains(QLatin1Char('@')))
            fail(item, QStringLiteral("a userid is user@realm"));
        user.password = text(item, "password");
        user.totpSecret = text(item, "totp");
        user.email = text(item, "email");
        for (const auto &tokenNode : item["tokens"]) {
            TokenDef token;
            token.name = text(tokenNode, "id");
            token.secret = text(tokenNode, "secret");
            token.privsep = flag(tokenNode, "privsep", true);
            token.comment = text(tokenNode, "comment");
            user.tokens << token;
        }
        scenario.users << user;
    }
    for (const auto &item : root["roles"])
        scenario.roles << RoleDef{text(item, "id"), list(item["privs"])};
    for (const auto &item : root["acl"]) {
        AclDef acl;
        acl.path = text(item, "path", QStringLiteral("/"));
        acl.role = text(item, "role");
        acl.propagate = flag(item, "propagate", true);
        if (item["user"]) {
            acl.ugid = text(item, "user");
        } else {
            acl.ugid = text(item, "token");
            acl.token = true;
        }
        scenario.acl << acl;
    }
    for (const auto &item : root["pools"]) {
        PoolDef pool;
        pool.id = text(item, "id");
        pool.comment = text(item, "comment");
        for (const QString &vmid : list(item["vms"]))
            pool.vmids << vmid.toInt();
        pool.storages = list(item["storages"]);
        scenario.pools << pool;
    }

    const YAML::Node ha = root["ha"] ? root["ha"] : YAML::Node(YAML::NodeType::Map);
    for (const auto &item : ha["resources"])
        scenario.haResources << HaResourceDef{text(item, "sid"),
                                              rest(item, {QStringLiteral("sid")})};
    for (const auto &item : ha["groups"]) {
        HaGroupDef group;
        group.group = text(item, "group");
        group.nodes = text(item, "nodes");
        group.restricted = flag(item, "restricted", false);
        group.nofailback = flag(item, "nofailback", false);
        group.comment = text(item, "comment");
        scenario.haGroups << group;
    }
    for (const auto &item : ha["rules"]) {
        scenario.haRules << HaRuleDef{text(item, "rule"), text(item, "type"),
                                      rest(item, {QStringLiteral("rule"), QStringLiteral("type")})};
    }
    for (const auto &item : root["replication"]) {
        ReplicationJobDef job;
        job.id = text(item, "id");
        job.target = text(item, "target");
        job.schedule = text(item, "schedule", job.schedule);
        job.options = rest(
            item, {QStringLiteral("id"), QStringLiteral("target"), QStringLiteral("schedule")});
        scenario.replicationJobs << job;
    }
    for (const auto &item : root["backup-jobs"])
        scenario.backupJobs << BackupJobDef{text(item, "id"), rest(item, {QStringLiteral("id")})};
    for (const auto &item : root["backups"]) {
        BackupDef backup;
        backup.vmid = integer(item, "vmid", 0);
        if (backup.vmid <= 0)
            fail(item, QStringLiteral("a backup needs the vmid of its guest"));
        backup.storage = text(item, "storage");
        if (backup.storage.isEmpty())
            fail(item, QStringLiteral("a backup needs a storage"));
        backup.ageSeconds = duration(item, "age");
        const QString size = text(item, "size");
        if (!size.isEmpty()) {
            const auto bytes = parseByteSize(size);
            if (!bytes)
                fail(item["size"], bytes.error().message);
            backup.size = *bytes;
        }
        backup.node = text(item, "node");
        backup.notes = text(item, "notes");
        backup.isProtected = flag(item, "protected", false);
        scenario.backups << backup;
    }
    return scenario;
}

} // namespace

Result<long long> parseByteSize(const QString &value)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?)i?B?\s*$)"),
        QRegularExpression::CaseInsensitiveOption);
    const auto match = pattern.match(value);
    if (!match.hasMatch())
        return Error{QStringLiteral("'%1' is not a size such as 512G").arg(value), {}, {}};
    const double number = match.captured(1).toDouble();
    const QString unit = match.captured(2).toUpper();
    const int power =
        unit.isEmpty() ? 0 : static_cast<int>(QStringLiteral("KMGTP").indexOf(unit)) + 1;
    return static_cast<long long>(std::llround(number * std::pow(1024.0, power)));
}

Result<Scenario> Scenario::parse(const QByteArray &yaml, const QString &origin)
{
    try {
        return readScenario(YAML::Load(yaml.toStdString()));
    } catch (const ScenarioProblem &problem) {
        return Error{problem.message,
                     {},
                     QStringLiteral("%1:%2:%3")
                         .arg(origin)
                         .arg(problem.mark.line + 1)
                         .arg(problem.mark.column + 1)};
    } catch (const YAML::Exception &error) {
        return Error{QString::fromStdString(error.msg),
                     {},
                     QStringLiteral("%1:%2:%3")
                         .arg(origin)
                         .arg(error.mark.line + 1)
                         .arg(error.mark.column + 1)};
    }
}

Result<Scenario> Scenario::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{
            QStringLiteral("cannot read the scenario: %1").arg(file.errorString()), {}, path};
    return parse(file.readAll(), path);
}

} // namespace rae::cluster
