#include "plan/planreader.h"

#include "common/calendarevent.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <limits>

namespace rae::plan {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::plan::PlanReader)
};

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

constexpr int kMinVmid = 100;
constexpr int kMaxVmid = 999999999;

int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The known word closest to `word`, when it is close enough to be a likely slip.
QString nearest(const QString &word, const QStringList &known)
{
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QString &candidate : known) {
        const int distance = editDistance(word, candidate);
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    const int allowed = std::max<int>(2, int(std::max(word.size(), best.size())) / 2);
    return bestDistance <= allowed ? best : QString();
}

QString kindOf(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return Tr::tr("a mapping");
    case YAML::NodeType::Sequence:
        return Tr::tr("a list");
    case YAML::NodeType::Null:
        return Tr::tr("nothing");
    default:
        return Tr::tr("“%1”").arg(fromStd(node.Scalar()));
    }
}

bool looksLikeSecretKey(const QString &key)
{
    static const QRegularExpression secretWords(
        QStringLiteral("pass(word|phrase)?|secret|token|api_?key|private_?key"),
        QRegularExpression::CaseInsensitiveOption);
    return secretWords.match(key).hasMatch();
}

class Reader;

// One YAML mapping of the plan: knows its allowed keys, reports unknown and duplicate ones
// at once, and reads typed values with a message naming the key path when they are wrong.
class MapView
{
public:
    MapView(Reader &reader, const YAML::Node &node, const QString &path, QStringList known);

    bool isMap() const { return m_node.IsMap(); }
    bool has(const char *key) const;
    YAML::Node get(const char *key) const;
    QString path(const char *key) const;
    SourcePos pos() const;

    std::optional<QString> string(const char *key, bool required = false);
    std::optional<int> integer(const char *key, int low, int high, bool required = false);
    std::optional<double> number(const char *key, double low, double high);
    std::optional<bool> boolean(const char *key);
    std::optional<ByteSize> size(const char *key, ByteSize::Unit bareUnit, bool required = false);
    QStringList stringList(const char *key);
    template<typename Enum>
    std::optional<Enum> choice(const char *key, std::optional<Enum> (*fromName)(const QString &),
                               const QStringList &names, bool required = false);

private:
    std::optional<YAML::Node> scalar(const char *key, bool required);

    Reader &m_reader;
    YAML::Node m_node;
    QString m_path;
    QStringList m_known;
    QStringList m_misspelt; // known keys that an unknown key here probably meant
};

class Reader
{
public:
    explicit Reader(QString fileName)
        : m_fileName(std::move(fileName))
    {}

    void problem(const YAML::Node &at, const QString &keyPath, const QString &message,
                 const QString &hint = {})
    {
        const YAML::Mark mark = at.Mark();
        problemAt(mark.is_null() ? SourcePos{} : SourcePos{mark.line + 1, mark.column + 1}, keyPath,
                  message, hint);
    }

    void problemAt(SourcePos pos, const QString &keyPath, const QString &message,
                   const QString &hint = {})
    {
        m_problems.append(ReadProblem{m_fileName, pos.line, pos.column, keyPath, message, hint});
    }

    static SourcePos posOf(const YAML::Node &node)
    {
        const YAML::Mark mark = node.Mark();
        return mark.is_null() ? SourcePos{} : SourcePos{mark.line + 1, mark.column + 1};
    }

    const QList<ReadProblem> &problems() const { return m_problems; }

    Plan read(const YAML::Node &root);

private:
    void readCluster(MapView &top, Plan &plan);
    void readNodes(MapView &top, Plan &plan);
    void readStorages(MapView &top, Plan &plan);
    void readNetworks(MapView &top, Plan &plan);
    void readRoles(MapView &top, Plan &plan);
    void readVm(const YAML::Node &node, const QString &path, Role role, Plan &plan);
    void readHa(MapView &vm, Vm &into);
    void readBackups(MapView &top, Plan &plan);
    void readRae(MapView &top, Plan &plan);
    void readAccess(MapView &top, Plan &plan);
    std::optional<QString> poolName(MapView &map);
    void readValidation(MapView &top, Plan &plan);
    void checkReferences(const Plan &plan);
    void checkSchedule(const QString &schedule, SourcePos pos, const QString &path);

    // Runs `read` on every element of the list at `key`, with the element's key path.
    template<typename Fn>
    void forEachItem(MapView &map, const char *key, Fn read)
    {
        const YAML::Node list = map.get(key);
        if (!list)
            return;
        if (!list.IsSequence()) {
            problem(list, map.path(key), Tr::tr("expected a list but found %1").arg(kindOf(list)),
                    Tr::tr("write one item a line, each starting with “- ”"));
            return;
        }
        for (std::size_t index = 0; index < list.size(); ++index)
            read(list[index], map.path(key) + QStringLiteral("[%1]").arg(index));
    }

    QString m_fileName;
    QList<ReadProblem> m_problems;
    QMap<QString, SourcePos> m_haNodePos; // "vm/node" → where its priority was written
    QList<std::tuple<QString, QString, SourcePos, QString>> m_vmRefs; // vm, target vm, pos, path
};

MapView::MapView(Reader &reader, const YAML::Node &node, const QString &path, QStringList known)
    : m_reader(reader)
    , m_node(node)
    , m_path(path)
    , m_known(std::move(known))
{
    if (!node.IsMap()) {
        reader.problem(
            node, path,
            Tr::tr("expected a mapping (“key: value” lines) but found %1").arg(kindOf(node)));
        return;
    }

    QSet<QString> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = fromStd(it->first.Scalar());
        const QString keyPath = path.isEmpty() ? key : path + QLatin1Char('.') + key;
        if (seen.contains(key)) {
            reader.problem(it->first, keyPath, Tr::tr("the key “%1” appears twice").arg(key),
                           Tr::tr("keep one of them; YAML would silently use only the first"));
        }
        seen.insert(key);

        if (m_known.contains(key))
            continue;
        if (looksLikeSecretKey(key)) {
            reader.problem(
                it->first, keyPath,
                Tr::tr("“%1” looks like a secret, and secrets are never written in a plan")
                    .arg(key),
                Tr::tr("store it in the keychain and name the entry under “rae.secrets”"));
            continue;
        }
        const QString guess = nearest(key, m_known);
        m_misspelt.append(guess);
        reader.problem(it->first, keyPath, Tr::tr("unknown key “%1”").arg(key),
                       guess.isEmpty()
                           ? Tr::tr("known keys here: %1").arg(m_known.join(QStringLiteral(", ")))
                           : Tr::tr("did you mean “%1”?").arg(guess));
    }
}

bool MapView::has(const char *key) const
{
    return m_node.IsMap() && m_node[key];
}

YAML::Node MapView::get(const char *key) const
{
    return m_node.IsMap() ? m_node[key] : YAML::Node(YAML::NodeType::Undefined);
}

QString MapView::path(const char *key) const
{
    if (m_path.isEmpty())
        return QLatin1String(key);
    return m_path + QLatin1Char('.') + QLatin1String(key);
}

SourcePos MapView::pos() const
{
    return Reader::posOf(m_node);
}

std::optional<YAML::Node> MapView::scalar(const char *key, bool required)
{
    if (!m_node.IsMap())
        return std::nullopt;
    const YAML::Node value = m_node[key];
    if (!value) {
        // A misspelt required key was reported as unknown with the right name; saying it is
        // also missing would only repeat that.
        if (required && !m_misspelt.contains(QLatin1String(key))) {
            m_reader.problem(m_node, path(key),
                             Tr::tr("the required key “%1” is missing").arg(QLatin1String(key)),
                             Tr::tr("add “%1:” to %2")
                                 .arg(QLatin1String(key),
                                      m_path.isEmpty() ? Tr::tr("the top level")
                                                       : QStringLiteral("“%1”").arg(m_path)));
        }
        return std::nullopt;
    }
    if (!value.IsScalar()) {
        m_reader.problem(value, path(key),
                         Tr::tr("expected a single value but found %1").arg(kindOf(value)));
        return std::nullopt;
    }
    return value;
}

std::optional<QString> MapView::string(const char *key, bool required)
{
    const auto value = scalar(key, required);
    if (!value)
        return std::nullopt;
    return fromStd(value->Scalar());
}

std::optional<int> MapView::integer(const char *key, int low, int high, bool required)
{
    const auto value = scalar(key, required);
    if (!value)
        return std::nullopt;
    bool ok = false;
    const qlonglong number = fromStd(value->Scalar()).toLongLong(&ok);
    if (!ok) {
        m_reader.problem(*value, path(key),
                         Tr::tr("expected a whole number but found %1").arg(kindOf(*value)));
        return std::nullopt;
    }
    if (number < low || number > high) {
        m_reader.problem(
            *value, path(key),
            Tr::tr("%1 is outside the allowed range %2..%3").arg(number).arg(low).arg(high));
        return std::nullopt;
    }
    return int(number);
}

std::optional<double> MapView::number(const char *key, double low, double high)
{
    const auto value = scalar(key, false);
    if (!value)
        return std::nullopt;
    bool ok = false;
    const double number = fromStd(value->Scalar()).toDouble(&ok);
    if (!ok) {
        m_reader.problem(*value, path(key),
                         Tr::tr("expected a number but found %1").arg(kindOf(*value)));
        return std::nullopt;
    }
    if (number < low || number > high) {
        m_reader.problem(
            *value, path(key),
            Tr::tr("%1 is outside the allowed range %2..%3").arg(number).arg(low).arg(high));
        return std::nullopt;
    }
    return number;
}

std::optional<bool> MapView::boolean(const char *key)
{
    const auto value = scalar(key, false);
    if (!value)
        return std::nullopt;
    const QString text = fromStd(value->Scalar());
    if (text == QLatin1String("true"))
        return true;
    if (text == QLatin1String("false"))
        return false;
    m_reader.problem(*value, path(key),
                     Tr::tr("expected true or false but found %1").arg(kindOf(*value)));
    return std::nullopt;
}

std::optional<ByteSize> MapView::size(const char *key, ByteSize::Unit bareUnit, bool required)
{
    const auto value = scalar(key, required);
    if (!value)
        return std::nullopt;
    const auto size = ByteSize::parse(fromStd(value->Scalar()), bareUnit);
    if (!size) {
        m_reader.problem(*value, path(key), size.error().message, size.error().hint);
        return std::nullopt;
    }
    if (size->bytes() == 0) {
        m_reader.problem(*value, path(key), Tr::tr("a size of zero is not allowed"));
        return std::nullopt;
    }
    return *size;
}

QStringList MapView::stringList(const char *key)
{
    const YAML::Node value = get(key);
    if (!value)
        return {};
    if (value.IsScalar())
        return {fromStd(value.Scalar())};
    if (!value.IsSequence()) {
        m_reader.problem(value, path(key),
                         Tr::tr("expected a list but found %1").arg(kindOf(value)),
                         Tr::tr("write it as [a, b] or one “- item” a line"));
        return {};
    }
    QStringList items;
    for (std::size_t index = 0; index < value.size(); ++index) {
        if (!value[index].IsScalar()) {
            m_reader.problem(
                value[index], path(key) + QStringLiteral("[%1]").arg(index),
                Tr::tr("expected a single value but found %1").arg(kindOf(value[index])));
            continue;
        }
        items.append(fromStd(value[index].Scalar()));
    }
    return items;
}

template<typename Enum>
std::optional<Enum> MapView::choice(const char *key,
                                    std::optional<Enum> (*fromName)(const QString &),
                                    const QStringList &names, bool required)
{
    const auto text = string(key, required);
    if (!text)
        return std::nullopt;
    if (const auto value = fromName(*text))
        return value;
    const QString guess = nearest(*text, names);
    m_reader.problem(get(key), path(key),
                     Tr::tr("“%1” is not one of %2").arg(*text, names.join(QStringLiteral(", "))),
                     guess.isEmpty() ? QString() : Tr::tr("did you mean “%1”?").arg(guess));
    return std::nullopt;
}

template<typename Enum, std::size_t N>
QStringList namesOf(const Enum (&values)[N], QString (*name)(Enum))
{
    QStringList names;
    for (Enum value : values)
        names.append(name(value));
    return names;
}

constexpr StorageType kStorageTypes[] = {
    StorageType::Rbd,     StorageType::CephFs, StorageType::ZfsPool,
    StorageType::LvmThin, StorageType::Lvm,    StorageType::Dir,
    StorageType::Nfs,     StorageType::Cifs,   StorageType::Pbs};
constexpr HaState kHaStates[] = {HaState::Started, HaState::Stopped, HaState::Disabled,
                                 HaState::Ignored};
constexpr LlmBackend kLlmBackends[] = {LlmBackend::Ollama, LlmBackend::Vllm, LlmBackend::Tgi};
constexpr GatewayKind kGatewayKinds[] = {GatewayKind::Nginx, GatewayKind::Traefik,
                                         GatewayKind::Caddy};
constexpr BackupMode kBackupModes[] = {BackupMode::Snapshot, BackupMode::Suspend, BackupMode::Stop};

Plan Reader::read(const YAML::Node &root)
{
    Plan plan;
    MapView top(*this, root, {},
                {QStringLiteral("schema"), QStringLiteral("cluster"), QStringLiteral("nodes"),
                 QStringLiteral("storages"), QStringLiteral("networks"), QStringLiteral("defaults"),
                 QStringLiteral("roles"), QStringLiteral("backups"), QStringLiteral("rae"),
                 QStringLiteral("access"), QStringLiteral("validation")});
    if (!top.isMap())
        return plan;

    if (const auto schema = top.integer("schema", 1, 1000, true)) {
        plan.schemaVersion = *schema;
        if (*schema > kSchemaVersion) {
            problem(
                top.get("schema"), QStringLiteral("schema"),
                Tr::tr("this plan uses schema %1, but this version of RAE Deploy reads up to %2")
                    .arg(*schema)
                    .arg(kSchemaVersion),
                Tr::tr("update RAE Deploy to read it"));
            return plan;
        }
    }

    readCluster(top, plan);
    readNodes(top, plan);
    readStorages(top, plan);
    readNetworks(top, plan);
    if (const YAML::Node defaults = top.get("defaults")) {
        MapView map(*this, defaults, QStringLiteral("defaults"),
                    {QStringLiteral("template"), QStringLiteral("pool")});
        plan.defaultTemplate = map.string("template").value_or(QString());
        plan.defaultPool = poolName(map).value_or(QString());
    }
    readRoles(top, plan);
    readBackups(top, plan);
    readRae(top, plan);
    readAccess(top, plan);
    readValidation(top, plan);

    if (m_problems.isEmpty())
        checkReferences(plan);
    return plan;
}

void Reader::readCluster(MapView &top, Plan &plan)
{
    const YAML::Node node = top.get("cluster");
    if (!node) {
        top.string("cluster", true);
        return;
    }
    MapView map(*this, node, QStringLiteral("cluster"),
                {QStringLiteral("name"), QStringLiteral("endpoints"), QStringLiteral("release"),
                 QStringLiteral("ha_scheduler")});
    plan.cluster.pos = map.pos();
    plan.cluster.name = map.string("name", true).value_or(QString());
    plan.cluster.endpoints = map.stringList("endpoints");
    for (qsizetype index = 0; index < plan.cluster.endpoints.size(); ++index) {
        const QUrl url(plan.cluster.endpoints[index], QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty()) {
            const YAML::Node list = map.get("endpoints");
            problem(list.IsSequence() ? list[std::size_t(index)] : list,
                    map.path("endpoints") + QStringLiteral("[%1]").arg(index),
                    Tr::tr("“%1” is not an https:// address").arg(plan.cluster.endpoints[index]),
                    Tr::tr("write the node's API address, such as https://pve1.example.org:8006"));
        }
    }
    if (const auto release = map.string("release")) {
        if (*release == QLatin1String("detect"))
            plan.cluster.release = Release::Detect;
        else if (*release == QLatin1String("8"))
            plan.cluster.release = Release::Pve8;
        else if (*release == QLatin1String("9"))
            plan.cluster.release = Release::Pve9;
        else
            problem(map.get("release"), map.path("release"),
                    Tr::tr("“%1” is not a supported Proxmox VE release").arg(*release),
                    Tr::tr("write 8, 9 or detect"));
    }
    if (const auto scheduler = map.string("ha_scheduler")) {
        if (*scheduler == QLatin1String("basic"))
            plan.cluster.haScheduler = HaScheduler::Basic;
        else if (*scheduler == QLatin1String("static"))
            plan.cluster.haScheduler = HaScheduler::Static;
        else
            problem(map.get("ha_scheduler"), map.path("ha_scheduler"),
                    Tr::tr("“%1” is not an HA scheduler that can be predicted").arg(*scheduler),
                    Tr::tr("write basic or static (the dynamic scheduler needs live load)"));
    }
}

void Reader::readNodes(MapView &top, Plan &plan)
{
    if (!top.has("nodes")) {
        top.string("nodes", true);
        return;
    }
    forEachItem(top, "nodes", [&](const YAML::Node &item, const QString &path) {
        MapView map(*this, item, path,
                    {QStringLiteral("name"), QStringLiteral("threads"), QStringLiteral("memory"),
                     QStringLiteral("gpus"), QStringLiteral("maintenance")});
        if (!map.isMap())
            return;
        Node node;
        node.pos = map.pos();
        node.name = map.string("name", true).value_or(QString());
        node.threads = map.integer("threads", 1, 4096, true).value_or(0);
        node.memory = map.size("memory", ByteSize::Unit::MiB, true).value_or(ByteSize());
        node.maintenance = map.boolean("maintenance").value_or(false);
        forEachItem(map, "gpus", [&](const YAML::Node &gpuItem, const QString &gpuPath) {
            MapView gpu(*this, gpuItem, gpuPath,
                        {QStringLiteral("mapping"), QStringLiteral("model")});
            if (gpu.isMap())
                node.gpus.append({gpu.string("mapping", true).value_or(QString()),
                                  gpu.string("model").value_or(QString())});
        });
        if (plan.node(node.name)) {
            problem(item, path + QStringLiteral(".name"),
                    Tr::tr("a node named “%1” is already in the plan").arg(node.name),
                    Tr::tr("each node name appears once"));
        }
        plan.nodes.append(node);
    });
}

void Reader::readStorages(MapView &top, Plan &plan)
{
    forEachItem(top, "storages", [&](const YAML::Node &item, const QString &path) {
        MapView map(*this, item, path,
                    {QStringLiteral("id"), QStringLiteral("type"), QStringLiteral("shared"),
                     QStringLiteral("nodes"), QStringLiteral("class"), QStringLiteral("pool")});
        if (!map.isMap())
            return;
        Storage storage;
        storage.pos = map.pos();
        storage.id = map.string("id", true).value_or(QString());
        storage.type =
            map.choice("type", &storageTypeFromName, namesOf(kStorageTypes, &storageTypeName), true)
                .value_or(StorageType::Dir);
        const bool sharedByNature =
            storage.type == StorageType::Rbd || storage.type == StorageType::CephFs ||
            storage.type == StorageType::Nfs || storage.type == StorageType::Cifs ||
            storage.type == StorageType::Pbs;
        storage.shared = map.boolean("shared").value_or(sharedByNature);
        storage.nodes = map.stringList("nodes");
        storage.storageClass = map.string("class").value_or(QString());
        storage.pool = map.string("pool").value_or(QString());
        if (storage.shared && storage.type == StorageType::ZfsPool) {
            problem(
                map.get("shared"), map.path("shared"),
                Tr::tr("a zfspool storage is local to each node and cannot be shared"),
                Tr::tr("set “shared: false” and use replication to keep a copy on other nodes"));
        }
        if (plan.storage(storage.id)) {
            problem(item, path + QStringLiteral(".id"),
                    Tr::tr("a storage with id “%1” is already in the plan").arg(storage.id));
        }
        plan.storages.append(storage);
    });
}

void Reader::readNetworks(MapView &top, Plan &plan)
{
    const YAML::Node node = top.get("networks");
    if (!node) {
        top.string("networks", true);
        return;
    }
    MapView map(*this, node, QStringLiteral("networks"),
                {QStringLiteral("internal"), QStringLiteral("public")});
    if (!map.isMap())
        return;

    const auto checkSubnet = [&](MapView &net, const char *key) {
        const auto text = net.string(key);
        if (!text)
            return QString();
        if (QHostAddress::parseSubnet(*text).second < 0) {
            problem(net.get(key), net.path(key), Tr::tr("“%1” is not a subnet").arg(*text),
                    Tr::tr("write it in CIDR form, such as 10.20.0.0/24"));
        }
        return *text;
    };
    const auto checkAddress = [&](MapView &net, const char *key) {
        const auto text = net.string(key);
        if (!text)
            return QString();
        if (QHostAddress(*text).isNull())
            problem(net.get(key), net.path(key), Tr::tr("“%1” is not an IP address").arg(*text));
        return *text;
    };

    if (const YAML::Node internalNode = map.get("internal")) {
        MapView net(*this, internalNode, map.path("internal"),
                    {QStringLiteral("bridge"), QStringLiteral("vlan"), QStringLiteral("vnet"),
                     QStringLiteral("subnet"), QStringLiteral("gateway")});
        InternalNetwork &internal = plan.networks.internal;
        internal.pos = net.pos();
        internal.bridge = net.string("bridge").value_or(QString());
        internal.vlan = net.integer("vlan", 1, 4094).value_or(0);
        internal.vnet = net.string("vnet").value_or(QString());
        internal.subnet = checkSubnet(net, "subnet");
        internal.gateway = checkAddress(net, "gateway");
        if (net.isMap() && internal.bridge.isEmpty() == internal.vnet.isEmpty()) {
            problem(internalNode, net.path("bridge"),
                    Tr::tr("the internal network needs either a bridge or an SDN vnet, not both"),
                    Tr::tr("write “bridge: vmbr1” with a “vlan:”, or “vnet: <name>”"));
        }
    } else {
        map.string("internal", true);
    }

    if (const YAML::Node publicNode = map.get("public")) {
        MapView net(*this, publicNode, map.path("public"),
                    {QStringLiteral("bridge"), QStringLiteral("vlan"), QStringLiteral("subnet"),
                     QStringLiteral("gateway")});
        PublicNetwork &publicNet = plan.networks.publicNet;
        publicNet.pos = net.pos();
        publicNet.bridge = net.string("bridge", true).value_or(QString());
        publicNet.vlan = net.integer("vlan", 1, 4094).value_or(0);
        publicNet.subnet = checkSubnet(net, "subnet");
        publicNet.gateway = checkAddress(net, "gateway");
    }
}

void Reader::readRoles(MapView &top, Plan &plan)
{
    const YAML::Node node = top.get("roles");
    if (!node) {
        top.string("roles", true);
        return;
    }
    QStringList roleNames;
    for (Role role : kAllRoles)
        roleNames.append(roleName(role));
    MapView roles(*this, node, QStringLiteral("roles"), roleNames);
    if (!roles.isMap())
        return;

    for (Role role : kAllRoles) {
        const QByteArray key = roleName(role).toLatin1();
        const YAML::Node roleNode = roles.get(key.constData());
        if (!roleNode)
            continue;
        QStringList known{QStringLiteral("vms")};
        if (role == Role::Api)
            known << QStringLiteral("replicas");
        if (role == Role::Llm)
            known << QStringLiteral("backend") << QStringLiteral("models");
        if (role == Role::Gateway)
            known << QStringLiteral("kind") << QStringLiteral("public_address")
                  << QStringLiteral("tls_hostname");
        MapView map(*this, roleNode, roles.path(key.constData()), known);
        if (!map.isMap())
            continue;

        if (role == Role::Api)
            plan.apiReplicas = map.integer("replicas", 1, 64).value_or(0);
        if (role == Role::Llm) {
            plan.llm.backend =
                map.choice("backend", &llmBackendFromName, namesOf(kLlmBackends, &llmBackendName))
                    .value_or(LlmBackend::Ollama);
            plan.llm.models = map.stringList("models");
        }
        if (role == Role::Gateway) {
            plan.gateway.kind =
                map.choice("kind", &gatewayKindFromName, namesOf(kGatewayKinds, &gatewayKindName))
                    .value_or(GatewayKind::Nginx);
            plan.gateway.publicAddress = map.string("public_address").value_or(QString());
            plan.gateway.tlsHostname = map.string("tls_hostname").value_or(QString());
        }

        if (!map.has("vms")) {
            map.string("vms", true);
            continue;
        }
        const qsizetype before = plan.vms.size();
        forEachItem(map, "vms", [&](const YAML::Node &item, const QString &path) {
            readVm(item, path, role, plan);
        });
        const qsizetype count = plan.vms.size() - before;
        if (role == Role::Api && plan.apiReplicas > 0 && plan.apiReplicas != count) {
            problem(
                map.get("replicas"), map.path("replicas"),
                Tr::tr("replicas is %1 but %2 API VMs are listed").arg(plan.apiReplicas).arg(count),
                Tr::tr("list one VM under “vms” per replica"));
        }
        if (role == Role::Api && plan.apiReplicas == 0)
            plan.apiReplicas = int(count);
    }
}

void Reader::readVm(const YAML::Node &item, const QString &path, Role role, Plan &plan)
{
    MapView map(*this, item, path,
                {QStringLiteral("name"), QStringLiteral("vmid"), QStringLiteral("node"),
                 QStringLiteral("cores"), QStringLiteral("memory"), QStringLiteral("disks"),
                 QStringLiteral("nics"), QStringLiteral("tags"), QStringLiteral("template"),
                 QStringLiteral("gpu"), QStringLiteral("pool"), QStringLiteral("ha"),
                 QStringLiteral("replication")});
    if (!map.isMap())
        return;

    Vm vm;
    vm.role = role;
    vm.pos = map.pos();
    vm.name = map.string("name", true).value_or(QString());
    static const QRegularExpression dnsName(
        QStringLiteral("^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"));
    if (!vm.name.isEmpty() && !dnsName.match(vm.name).hasMatch()) {
        problem(map.get("name"), map.path("name"),
                Tr::tr("“%1” is not a valid VM name").arg(vm.name),
                Tr::tr("Proxmox takes letters, digits and inner hyphens, as in a DNS name"));
    }
    if (const auto vmidText = map.string("vmid"); vmidText && *vmidText != QLatin1String("auto"))
        vm.vmid = map.integer("vmid", kMinVmid, kMaxVmid);
    vm.node = map.string("node", true).value_or(QString());
    vm.cores = map.integer("cores", 1, 512, true).value_or(0);
    vm.memory = map.size("memory", ByteSize::Unit::MiB, true).value_or(ByteSize());
    vm.tags = map.stringList("tags");
    vm.templateRef = map.string("template").value_or(QString());
    vm.pool = poolName(map).value_or(QString());
    if (const auto gpu = map.string("gpu"))
        vm.gpuMapping = *gpu;
    if (vm.gpuMapping && role != Role::Llm) {
        problem(map.get("gpu"), map.path("gpu"), Tr::tr("only the llm role takes a GPU"),
                Tr::tr("remove “gpu:” from this VM"));
    }

    forEachItem(map, "disks", [&](const YAML::Node &diskItem, const QString &diskPath) {
        MapView disk(*this, diskItem, diskPath,
                     {QStringLiteral("storage"), QStringLiteral("size")});
        if (disk.isMap())
            vm.disks.append({disk.string("storage", true).value_or(QString()),
                             disk.size("size", ByteSize::Unit::GiB, true).value_or(ByteSize()),
                             disk.pos()});
    });
    if (map.isMap() && !map.has("disks")) {
        problem(item, map.path("disks"), Tr::tr("the VM has no disks"),
                Tr::tr("add “disks:” with a storage and a size"));
    }

    forEachItem(map, "nics", [&](const YAML::Node &nicItem, const QString &nicPath) {
        MapView nicMap(
            *this, nicItem, nicPath,
            {QStringLiteral("network"), QStringLiteral("address"), QStringLiteral("firewall")});
        if (!nicMap.isMap())
            return;
        Nic nic;
        nic.pos = nicMap.pos();
        const QString network = nicMap.string("network", true).value_or(QString());
        if (network == QLatin1String("public")) {
            nic.network = NetworkRef::Public;
        } else if (network != QLatin1String("internal") && !network.isEmpty()) {
            problem(nicMap.get("network"), nicMap.path("network"),
                    Tr::tr("“%1” is not a network of the plan").arg(network),
                    Tr::tr("write internal or public"));
        }
        nic.address = nicMap.string("address").value_or(QStringLiteral("dhcp"));
        if (nic.address != QLatin1String("dhcp") &&
            QHostAddress::parseSubnet(nic.address).second < 0) {
            problem(nicMap.get("address"), nicMap.path("address"),
                    Tr::tr("“%1” is not an address with a prefix length").arg(nic.address),
                    Tr::tr("write it as 10.20.0.11/24, or dhcp"));
        }
        nic.firewall = nicMap.boolean("firewall").value_or(true);
        vm.nics.append(nic);
    });
    if (vm.nics.isEmpty() && !map.has("nics"))
        vm.nics.append(Nic{NetworkRef::Internal, QStringLiteral("dhcp"), true, {}});

    if (map.has("ha"))
        readHa(map, vm);

    forEachItem(map, "replication", [&](const YAML::Node &jobItem, const QString &jobPath) {
        MapView job(*this, jobItem, jobPath,
                    {QStringLiteral("target"), QStringLiteral("schedule"), QStringLiteral("rate")});
        if (!job.isMap())
            return;
        Replication replication;
        replication.pos = job.pos();
        replication.target = job.string("target", true).value_or(QString());
        replication.schedule = job.string("schedule").value_or(QStringLiteral("*/15"));
        checkSchedule(replication.schedule, posOf(job.get("schedule")), job.path("schedule"));
        replication.rateMBps = job.number("rate", 1, 1e6).value_or(0);
        vm.replication.append(replication);
    });

    if (plan.vm(vm.name)) {
        problem(map.get("name"), map.path("name"),
                Tr::tr("a VM named “%1” is already in the plan").arg(vm.name),
                Tr::tr("each VM name appears once"));
    }
    if (vm.vmid) {
        for (const Vm &other : plan.vms) {
            if (other.vmid == vm.vmid) {
                problem(map.get("vmid"), map.path("vmid"),
                        Tr::tr("vmid %1 is already used by “%2”").arg(*vm.vmid).arg(other.name),
                        Tr::tr("give each VM its own vmid, or write “vmid: auto”"));
            }
        }
    }
    plan.vms.append(vm);
}

void Reader::readHa(MapView &vmMap, Vm &vm)
{
    MapView map(*this, vmMap.get("ha"), vmMap.path("ha"),
                {QStringLiteral("managed"), QStringLiteral("state"), QStringLiteral("nodes"),
                 QStringLiteral("strict"), QStringLiteral("max_restart"),
                 QStringLiteral("max_relocate"), QStringLiteral("failback"),
                 QStringLiteral("anti_affinity")});
    if (!map.isMap())
        return;
    HaSettings &ha = vm.ha;
    ha.pos = map.pos();
    ha.managed = map.boolean("managed").value_or(true);
    ha.state = map.choice("state", &haStateFromName, namesOf(kHaStates, &haStateName))
                   .value_or(HaState::Started);
    ha.strict = map.boolean("strict").value_or(false);
    ha.maxRestart = map.integer("max_restart", 0, 10).value_or(1);
    ha.maxRelocate = map.integer("max_relocate", 0, 10).value_or(1);
    ha.failback = map.boolean("failback").value_or(true);
    ha.antiAffinity = map.stringList("anti_affinity");
    for (const QString &other : std::as_const(ha.antiAffinity))
        m_vmRefs.append(
            {vm.name, other, posOf(map.get("anti_affinity")), map.path("anti_affinity")});

    if (const YAML::Node nodes = map.get("nodes")) {
        if (nodes.IsMap()) {
            for (auto it = nodes.begin(); it != nodes.end(); ++it) {
                const QString nodeName = fromStd(it->first.Scalar());
                bool ok = false;
                const int priority =
                    it->second.IsScalar() ? fromStd(it->second.Scalar()).toInt(&ok) : 0;
                const QString path = map.path("nodes") + QLatin1Char('.') + nodeName;
                if (!ok || priority < 0 || priority > 1000) {
                    problem(it->second, path,
                            Tr::tr("expected a priority from 0 to 1000 but found %1")
                                .arg(kindOf(it->second)),
                            Tr::tr("higher priorities win; write “%1: 1”").arg(nodeName));
                }
                ha.nodePriorities.insert(nodeName, priority);
                m_haNodePos.insert(vm.name + QLatin1Char('/') + nodeName, posOf(it->first));
            }
        } else if (nodes.IsSequence()) {
            for (std::size_t index = 0; index < nodes.size(); ++index) {
                const QString nodeName = fromStd(nodes[index].Scalar());
                ha.nodePriorities.insert(nodeName, 0);
                m_haNodePos.insert(vm.name + QLatin1Char('/') + nodeName, posOf(nodes[index]));
            }
        } else {
            problem(
                nodes, map.path("nodes"),
                Tr::tr("expected node priorities but found %1").arg(kindOf(nodes)),
                Tr::tr("write them as {pve1: 2, pve2: 1}, or a list of nodes of equal priority"));
        }
    }
}

void Reader::readBackups(MapView &top, Plan &plan)
{
    forEachItem(top, "backups", [&](const YAML::Node &item, const QString &path) {
        MapView map(*this, item, path,
                    {QStringLiteral("id"), QStringLiteral("storage"), QStringLiteral("schedule"),
                     QStringLiteral("vms"), QStringLiteral("retention"), QStringLiteral("mode")});
        if (!map.isMap())
            return;
        BackupJob job;
        job.pos = map.pos();
        job.id = map.string("id", true).value_or(QString());
        job.storage = map.string("storage", true).value_or(QString());
        job.schedule = map.string("schedule", true).value_or(QString());
        job.schedulePos = posOf(map.get("schedule"));
        job.vms = map.stringList("vms");
        for (const QString &vmName : std::as_const(job.vms))
            m_vmRefs.append({QString(), vmName, posOf(map.get("vms")), map.path("vms")});
        job.mode = map.choice("mode", &backupModeFromName, namesOf(kBackupModes, &backupModeName))
                       .value_or(BackupMode::Snapshot);
        if (const YAML::Node retention = map.get("retention")) {
            MapView keep(*this, retention, map.path("retention"),
                         {QStringLiteral("keep_last"), QStringLiteral("keep_daily"),
                          QStringLiteral("keep_weekly"), QStringLiteral("keep_monthly"),
                          QStringLiteral("keep_yearly")});
            job.retention.keepLast = keep.integer("keep_last", 0, 10000).value_or(0);
            job.retention.keepDaily = keep.integer("keep_daily", 0, 10000).value_or(0);
            job.retention.keepWeekly = keep.integer("keep_weekly", 0, 10000).value_or(0);
            job.retention.keepMonthly = keep.integer("keep_monthly", 0, 10000).value_or(0);
            job.retention.keepYearly = keep.integer("keep_yearly", 0, 10000).value_or(0);
        }
        for (const BackupJob &other : std::as_const(plan.backups)) {
            if (other.id == job.id) {
                problem(map.get("id"), map.path("id"),
                        Tr::tr("a backup job with id “%1” is already in the plan").arg(job.id));
            }
        }
        plan.backups.append(job);
    });
}

void Reader::readRae(MapView &top, Plan &plan)
{
    const YAML::Node node = top.get("rae");
    if (!node)
        return;
    MapView map(*this, node, QStringLiteral("rae"),
                {QStringLiteral("database"), QStringLiteral("ports"), QStringLiteral("redis_db"),
                 QStringLiteral("llm_backend"), QStringLiteral("llm_url"),
                 QStringLiteral("default_model"), QStringLiteral("secrets")});
    if (!map.isMap())
        return;
    RaeSettings &rae = plan.rae;
    rae.pos = map.pos();
    if (const YAML::Node database = map.get("database")) {
        MapView db(*this, database, map.path("database"),
                   {QStringLiteral("name"), QStringLiteral("user"), QStringLiteral("port")});
        rae.databaseName = db.string("name").value_or(rae.databaseName);
        rae.databaseUser = db.string("user").value_or(rae.databaseUser);
        rae.databasePort = db.integer("port", 1, 65535).value_or(rae.databasePort);
    }
    if (const YAML::Node ports = map.get("ports")) {
        MapView port(*this, ports, map.path("ports"),
                     {QStringLiteral("api"), QStringLiteral("qdrant"),
                      QStringLiteral("qdrant_grpc"), QStringLiteral("redis"),
                      QStringLiteral("llm")});
        rae.apiPort = port.integer("api", 1, 65535).value_or(rae.apiPort);
        rae.qdrantPort = port.integer("qdrant", 1, 65535).value_or(rae.qdrantPort);
        rae.qdrantGrpcPort = port.integer("qdrant_grpc", 1, 65535).value_or(rae.qdrantGrpcPort);
        rae.redisPort = port.integer("redis", 1, 65535).value_or(rae.redisPort);
        rae.llmPort = port.integer("llm", 1, 65535).value_or(rae.llmPort);
    }
    rae.redisDb = map.integer("redis_db", 0, 15).value_or(0);
    rae.llmBackend =
        map.choice("llm_backend", &llmBackendFromName, namesOf(kLlmBackends, &llmBackendName));
    rae.llmUrl = map.string("llm_url").value_or(QString());
    rae.defaultModel = map.string("default_model").value_or(QString());

    if (const YAML::Node secrets = map.get("secrets")) {
        static const QStringList purposes{
            QStringLiteral("database_password"), QStringLiteral("redis_password"),
            QStringLiteral("qdrant_api_key"), QStringLiteral("llm_api_key"),
            QStringLiteral("gateway_tls_key")};
        static const QRegularExpression entryName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._/@-]*$"));
        MapView names(*this, secrets, map.path("secrets"), purposes);
        for (const QString &purpose : purposes) {
            const QByteArray key = purpose.toLatin1();
            const auto entry = names.string(key.constData());
            if (!entry)
                continue;
            if (!entryName.match(*entry).hasMatch()) {
                problem(
                    names.get(key.constData()), names.path(key.constData()),
                    Tr::tr("“%1” does not look like a keychain entry name").arg(purpose),
                    Tr::tr("name the keychain entry (letters, digits, . _ / @ -), never the secret "
                           "itself"));
                continue;
            }
            rae.secrets.insert(purpose, *entry);
        }
    }
}

std::optional<QString> Reader::poolName(MapView &map)
{
    const auto pool = map.string("pool");
    if (!pool)
        return std::nullopt;
    // Proxmox's pool ids, one level: nested pools (`a/b`) are not planned for.
    static const QRegularExpression poolId(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"));
    if (!poolId.match(*pool).hasMatch()) {
        problem(map.get("pool"), map.path("pool"),
                Tr::tr("“%1” is not a Proxmox resource pool name").arg(*pool),
                Tr::tr("use letters, digits, “.”, “-” and “_”, not starting with “.” or “-”, "
                       "such as rae"));
        return std::nullopt;
    }
    return pool;
}

void Reader::readAccess(MapView &top, Plan &plan)
{
    const YAML::Node node = top.get("access");
    if (!node)
        return;
    MapView map(*this, node, QStringLiteral("access"),
                {QStringLiteral("user"), QStringLiteral("ssh_keys")});
    if (!map.isMap())
        return;
    plan.access.pos = map.pos();
    if (const auto user = map.string("user")) {
        // What cloud-init's useradd takes, and what people can type after ssh.
        static const QRegularExpression userName(QStringLiteral("^[a-z_][a-z0-9_-]{0,31}$"));
        if (userName.match(*user).hasMatch())
            plan.access.user = *user;
        else
            problem(map.get("user"), map.path("user"),
                    Tr::tr("“%1” is not a user name cloud-init can create").arg(*user),
                    Tr::tr("use lower-case letters, digits, “-” and “_”, starting with a letter, "
                           "at most 32 characters, such as rae"));
    }
    const YAML::Node keys = map.get("ssh_keys");
    if (!keys)
        return;
    if (keys.IsScalar()) {
        plan.access.sshKeys.append({fromStd(keys.Scalar()), posOf(keys)});
        return;
    }
    if (!keys.IsSequence()) {
        problem(keys, map.path("ssh_keys"),
                Tr::tr("expected a list of public keys but found %1").arg(kindOf(keys)),
                Tr::tr("write one key a line, each starting with “- ”"));
        return;
    }
    for (std::size_t index = 0; index < keys.size(); ++index) {
        const YAML::Node item = keys[index];
        if (!item.IsScalar()) {
            problem(item, map.path("ssh_keys") + QStringLiteral("[%1]").arg(index),
                    Tr::tr("expected a public key line but found %1").arg(kindOf(item)),
                    Tr::tr("quote the key if it contains “: ” or starts with a special "
                           "character"));
            continue;
        }
        plan.access.sshKeys.append({fromStd(item.Scalar()), posOf(item)});
    }
}

void Reader::readValidation(MapView &top, Plan &plan)
{
    const YAML::Node node = top.get("validation");
    if (!node)
        return;
    MapView map(*this, node, QStringLiteral("validation"), {QStringLiteral("cpu_overcommit")});
    plan.validation.cpuOvercommit = map.number("cpu_overcommit", 1, 64).value_or(4.0);
}

void Reader::checkSchedule(const QString &schedule, SourcePos pos, const QString &path)
{
    if (const auto event = CalendarEvent::parse(schedule); !event)
        problemAt(pos, path, event.error().message, event.error().hint);
}

void Reader::checkReferences(const Plan &plan)
{
    QStringList nodeNames;
    for (const Node &node : plan.nodes)
        nodeNames.append(node.name);
    QStringList storageIds;
    for (const Storage &storage : plan.storages)
        storageIds.append(storage.id);
    QStringList vmNames;
    for (const Vm &vm : plan.vms)
        vmNames.append(vm.name);

    const auto unknown = [&](SourcePos pos, const QString &path, const QString &what,
                             const QString &name, const QStringList &known) {
        const QString guess = nearest(name, known);
        problemAt(pos, path, Tr::tr("there is no %1 “%2” in the plan").arg(what, name),
                  guess.isEmpty() ? Tr::tr("known: %1").arg(known.join(QStringLiteral(", ")))
                                  : Tr::tr("did you mean “%1”?").arg(guess));
    };

    for (const Storage &storage : plan.storages) {
        for (const QString &node : storage.nodes) {
            if (!nodeNames.contains(node))
                unknown(storage.pos, QStringLiteral("storages.%1.nodes").arg(storage.id),
                        Tr::tr("node"), node, nodeNames);
        }
    }
    for (const Vm &vm : plan.vms) {
        const QString vmPath = QStringLiteral("roles.%1.vms.%2").arg(roleName(vm.role), vm.name);
        if (!nodeNames.contains(vm.node))
            unknown(vm.pos, vmPath + QStringLiteral(".node"), Tr::tr("node"), vm.node, nodeNames);
        for (const Disk &disk : vm.disks) {
            if (!storageIds.contains(disk.storage)) {
                unknown(disk.pos, vmPath + QStringLiteral(".disks"), Tr::tr("storage"),
                        disk.storage, storageIds);
            } else if (const Storage *storage = plan.storage(disk.storage);
                       storage->type == StorageType::Pbs) {
                problemAt(
                    disk.pos, vmPath + QStringLiteral(".disks"),
                    Tr::tr("“%1” is a backup storage and cannot hold VM disks").arg(disk.storage),
                    Tr::tr("put the disk on a storage for images, such as rbd or zfspool"));
            }
        }
        for (auto it = vm.ha.nodePriorities.cbegin(); it != vm.ha.nodePriorities.cend(); ++it) {
            if (!nodeNames.contains(it.key())) {
                unknown(m_haNodePos.value(vm.name + QLatin1Char('/') + it.key()),
                        vmPath + QStringLiteral(".ha.nodes"), Tr::tr("node"), it.key(), nodeNames);
            }
        }
        for (const Replication &job : vm.replication) {
            if (!nodeNames.contains(job.target))
                unknown(job.pos, vmPath + QStringLiteral(".replication"), Tr::tr("node"),
                        job.target, nodeNames);
            else if (job.target == vm.node)
                problemAt(job.pos, vmPath + QStringLiteral(".replication"),
                          Tr::tr("“%1” replicates to its own node").arg(vm.name),
                          Tr::tr("replicate to another node"));
        }
    }
    for (const auto &[from, target, pos, path] : std::as_const(m_vmRefs)) {
        if (!vmNames.contains(target))
            unknown(pos, path, Tr::tr("VM"), target, vmNames);
        else if (from == target)
            problemAt(pos, path, Tr::tr("“%1” cannot be kept apart from itself").arg(from));
    }
    for (const BackupJob &job : plan.backups) {
        if (!storageIds.contains(job.storage)) {
            unknown(job.pos, QStringLiteral("backups.%1.storage").arg(job.id), Tr::tr("storage"),
                    job.storage, storageIds);
        }
    }
}

} // namespace

QString ReadProblem::location() const
{
    if (line <= 0)
        return file;
    return QStringLiteral("%1:%2:%3").arg(file).arg(line).arg(column);
}

Error ReadProblem::toError() const
{
    return Error{keyPath.isEmpty() ? message : QStringLiteral("%1: %2").arg(keyPath, message), hint,
                 location()};
}

QString ReadFailure::toString() const
{
    QStringList lines;
    for (const ReadProblem &problem : problems)
        lines.append(problem.toError().toString());
    return lines.join(QLatin1Char('\n'));
}

Result<Plan, ReadFailure> readPlan(const QByteArray &yaml, const QString &fileName)
{
    Reader reader(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &error) {
        reader.problemAt({error.mark.line + 1, error.mark.column + 1}, {},
                         Tr::tr("this is not valid YAML: %1").arg(fromStd(error.msg)),
                         Tr::tr("check the indentation and quoting near this place"));
        return ReadFailure{reader.problems()};
    }
    if (!root || root.IsNull()) {
        reader.problemAt({1, 1}, {}, Tr::tr("the plan is empty"),
                         Tr::tr("start from resources/plans/reference.yaml"));
        return ReadFailure{reader.problems()};
    }

    Plan plan;
    try {
        plan = reader.read(root);
    } catch (const YAML::Exception &error) {
        reader.problemAt({error.mark.line + 1, error.mark.column + 1}, {},
                         Tr::tr("the plan could not be read: %1").arg(fromStd(error.msg)));
    }
    if (!reader.problems().isEmpty()) {
        QList<ReadProblem> problems = reader.problems();
        std::stable_sort(problems.begin(), problems.end(), [](const auto &a, const auto &b) {
            return std::pair(a.line, a.column) < std::pair(b.line, b.column);
        });
        return ReadFailure{problems};
    }
    return plan;
}

Result<Plan, ReadFailure> readPlanFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return ReadFailure{{ReadProblem{path,
                                        0,
                                        0,
                                        {},
                                        Tr::tr("cannot open the plan: %1").arg(file.errorString()),
                                        Tr::tr("check the path and that you may read the file")}}};
    }
    return readPlan(file.readAll(), path);
}

} // namespace rae::plan
