#include "plan/plan.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <utility>

namespace rae::plan {

namespace {

template<typename Enum, std::size_t N>
QString nameOf(const std::array<std::pair<Enum, const char *>, N> &table, Enum value)
{
    for (const auto &[candidate, name] : table) {
        if (candidate == value)
            return QLatin1String(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, const char *>, N> &table,
                            const QString &name)
{
    for (const auto &[candidate, candidateName] : table) {
        if (name == QLatin1String(candidateName))
            return candidate;
    }
    return std::nullopt;
}

constexpr std::array<std::pair<Role, const char *>, 6> kRoleNames{{{Role::Db, "db"},
                                                                   {Role::Vector, "vector"},
                                                                   {Role::Redis, "redis"},
                                                                   {Role::Api, "api"},
                                                                   {Role::Llm, "llm"},
                                                                   {Role::Gateway, "gateway"}}};

constexpr std::array<std::pair<StorageType, const char *>, 9> kStorageTypeNames{
    {{StorageType::Rbd, "rbd"},
     {StorageType::CephFs, "cephfs"},
     {StorageType::ZfsPool, "zfspool"},
     {StorageType::LvmThin, "lvmthin"},
     {StorageType::Lvm, "lvm"},
     {StorageType::Dir, "dir"},
     {StorageType::Nfs, "nfs"},
     {StorageType::Cifs, "cifs"},
     {StorageType::Pbs, "pbs"}}};

constexpr std::array<std::pair<HaState, const char *>, 4> kHaStateNames{
    {{HaState::Started, "started"},
     {HaState::Stopped, "stopped"},
     {HaState::Disabled, "disabled"},
     {HaState::Ignored, "ignored"}}};

constexpr std::array<std::pair<LlmBackend, const char *>, 3> kLlmBackendNames{
    {{LlmBackend::Ollama, "ollama"}, {LlmBackend::Vllm, "vllm"}, {LlmBackend::Tgi, "tgi"}}};

constexpr std::array<std::pair<GatewayKind, const char *>, 3> kGatewayKindNames{
    {{GatewayKind::Nginx, "nginx"},
     {GatewayKind::Traefik, "traefik"},
     {GatewayKind::Caddy, "caddy"}}};

constexpr std::array<std::pair<BackupMode, const char *>, 3> kBackupModeNames{
    {{BackupMode::Snapshot, "snapshot"},
     {BackupMode::Suspend, "suspend"},
     {BackupMode::Stop, "stop"}}};

template<typename T, typename Key>
const T *findBy(const QList<T> &list, Key key)
{
    const auto found = std::find_if(list.cbegin(), list.cend(), key);
    return found == list.cend() ? nullptr : &*found;
}

} // namespace

const Node *Plan::node(const QString &name) const
{
    return findBy(nodes, [&](const Node &node) { return node.name == name; });
}

const Storage *Plan::storage(const QString &id) const
{
    return findBy(storages, [&](const Storage &storage) { return storage.id == id; });
}

const Vm *Plan::vm(const QString &name) const
{
    return findBy(vms, [&](const Vm &vm) { return vm.name == name; });
}

QList<const Vm *> Plan::vmsWithRole(Role role) const
{
    QList<const Vm *> found;
    for (const Vm &vm : vms) {
        if (vm.role == role)
            found.append(&vm);
    }
    return found;
}

QList<const Vm *> Plan::vmsOnNode(const QString &nodeName) const
{
    QList<const Vm *> found;
    for (const Vm &vm : vms) {
        if (vm.node == nodeName)
            found.append(&vm);
    }
    return found;
}

QString Plan::poolOf(const Vm &vm) const
{
    return vm.pool.isEmpty() ? defaultPool : vm.pool;
}

QStringList Access::keyLines() const
{
    QStringList lines;
    for (const SshKey &key : sshKeys)
        lines << key.text.trimmed();
    return lines;
}

QString roleName(Role role)
{
    return nameOf(kRoleNames, role);
}

QString roleTitle(Role role)
{
    struct Tr
    {
        Q_DECLARE_TR_FUNCTIONS(rae::plan::Plan)
    };
    switch (role) {
    case Role::Db:
        return Tr::tr("database");
    case Role::Vector:
        return Tr::tr("vector store");
    case Role::Redis:
        return Tr::tr("Redis");
    case Role::Api:
        return Tr::tr("API");
    case Role::Llm:
        return Tr::tr("LLM");
    case Role::Gateway:
        break;
    }
    return Tr::tr("gateway");
}

std::optional<Role> roleFromName(const QString &name)
{
    return valueOf(kRoleNames, name);
}
std::optional<Role> roleFromTags(const QStringList &tags)
{
    for (const QString &tag : tags) {
        if (tag.startsWith(QLatin1String("rae-"), Qt::CaseInsensitive)) {
            if (auto role = roleFromName(tag.mid(4).toLower()))
                return role;
        }
    }
    return std::nullopt;
}
QString storageTypeName(StorageType type)
{
    return nameOf(kStorageTypeNames, type);
}
std::optional<StorageType> storageTypeFromName(const QString &name)
{
    return valueOf(kStorageTypeNames, name);
}
QString haStateName(HaState state)
{
    return nameOf(kHaStateNames, state);
}
std::optional<HaState> haStateFromName(const QString &name)
{
    return valueOf(kHaStateNames, name);
}
QString llmBackendName(LlmBackend backend)
{
    return nameOf(kLlmBackendNames, backend);
}
std::optional<LlmBackend> llmBackendFromName(const QString &name)
{
    return valueOf(kLlmBackendNames, name);
}
QString gatewayKindName(GatewayKind kind)
{
    return nameOf(kGatewayKindNames, kind);
}
std::optional<GatewayKind> gatewayKindFromName(const QString &name)
{
    return valueOf(kGatewayKindNames, name);
}
QString backupModeName(BackupMode mode)
{
    return nameOf(kBackupModeNames, mode);
}
std::optional<BackupMode> backupModeFromName(const QString &name)
{
    return valueOf(kBackupModeNames, name);
}

} // namespace rae::plan
