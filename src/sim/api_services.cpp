// The services behind the VMs: which VM serves what, and what it answers.
#include "cluster.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace rae::sim {

namespace {

// Redis and PostgreSQL are never imitated: a real server on the VM's address, or nothing.
constexpr quint16 postgresPort = 5432;
constexpr quint16 redisPort = 6379;

} // namespace

Status Cluster::setService(int vmid, const QString &health, int slowMs)
{
    ++m_generation;
    const auto vm = m_vms.find(vmid);
    if (vm == m_vms.end())
        return Error{QStringLiteral("no such VM %1").arg(vmid), {}, {}};
    if (health == QLatin1String("off")) {
        m_services.erase(vmid);
        return Done{};
    }
    const auto wanted = serviceHealthFromName(health);
    if (!wanted)
        return Error{QStringLiteral("unknown service state '%1'").arg(health),
                     QStringLiteral("one of up, slow, error, down, off"),
                     {}};
    const auto role = serviceRoleFromTags(vm->second.config.value(QStringLiteral("tags")));
    if (!role)
        return Error{QStringLiteral("VM %1 has no role tag").arg(vmid),
                     QStringLiteral("tag it rae-api, rae-vector, rae-llm or rae-gateway"),
                     {}};
    ServiceState &state = m_services[vmid];
    state.role = *role;
    state.health = *wanted;
    if (slowMs > 0)
        state.slowDelay = std::chrono::milliseconds(slowMs);
    return Done{};
}

const Vm *Cluster::servingVm(int vmid) const
{
    const auto service = m_services.find(vmid);
    const auto vm = m_vms.find(vmid);
    if (service == m_services.end() || vm == m_vms.end() || !vm->second.running ||
        service->second.health == ServiceHealth::Down)
        return nullptr;
    const auto node = m_nodes.constFind(vm->second.node);
    return node != m_nodes.cend() && node->online() ? &vm->second : nullptr;
}

QList<ServiceEndpoint> Cluster::serviceEndpoints() const
{
    QList<ServiceEndpoint> out;
    for (const auto &[vmid, service] : m_services) {
        if (const Vm *vm = servingVm(vmid))
            out.append({vmid, vmAddress(*vm), servicePort(service.role),
                        service.role == ServiceRole::Gateway});
    }
    return out;
}

const Vm *Cluster::vmWithRole(ServiceRole role) const
{
    for (const auto &[vmid, service] : m_services) {
        if (service.role == role) {
            if (const Vm *vm = servingVm(vmid))
                return vm;
        }
    }
    return nullptr;
}

const Vm *Cluster::vmWithTag(const QString &tag) const
{
    static const QRegularExpression separators(QStringLiteral("[;, ]+"));
    for (const auto &[vmid, vm] : m_vms) {
        if (!vm.running || vm.isTemplate())
            continue;
        const auto node = m_nodes.constFind(vm.node);
        if (node == m_nodes.cend() || !node->online())
            continue;
        if (vm.config.value(QStringLiteral("tags"))
                .split(separators, Qt::SkipEmptyParts)
                .contains(tag))
            return &vm;
    }
    return nullptr;
}

DependencyCheck Cluster::dependency(const QString &tag, quint16 port,
                                    const Reachability &reach) const
{
    const Vm *vm = vmWithTag(tag);
    if (!vm)
        return {false, 0, QStringLiteral("no running VM tagged %1").arg(tag)};
    const QString address = vmAddress(*vm);
    const auto service = m_services.find(vm->vmid);
    if (service != m_services.end() && serviceRoleName(service->second.role) == tag) {
        // Imitated here: its state decides, without a round trip to ourselves.
        switch (service->second.health) {
        case ServiceHealth::Up:
            return {true, 1.2 + noise(vm->vmid, 60), {}};
        case ServiceHealth::Slow:
            return {true, double(service->second.slowDelay.count()), {}};
        case ServiceHealth::Error:
            return {false, 0, QStringLiteral("HTTP 500 from %1:%2").arg(address).arg(port)};
        case ServiceHealth::Down:
            break;
        }
        return {false, 0, QStringLiteral("connection refused (%1:%2)").arg(address).arg(port)};
    }
    const std::optional<double> time = reach ? reach(address, port) : std::nullopt;
    if (!time)
        return {false, 0, QStringLiteral("connection refused (%1:%2)").arg(address).arg(port)};
    return {true, *time, {}};
}

RaeApiView Cluster::raeApiView(int vmid, const Reachability &reach)
{
    RaeApiView view;
    view.database = dependency(QStringLiteral("rae-db"), postgresPort, reach);
    view.redis = dependency(QStringLiteral("rae-redis"), redisPort, reach);
    view.vectorStore =
        dependency(QStringLiteral("rae-vector"), servicePort(ServiceRole::Vector), reach);
    view.now = m_clock.now();
    const auto vm = m_vms.find(vmid);
    view.uptimeSeconds = vm == m_vms.end() ? 0 : view.now - vm->second.startedAt;
    const auto service = m_services.find(vmid);
    view.requests = service == m_services.end() ? 0 : service->second.requests;
    return view;
}

ServiceAnswer Cluster::serviceAnswer(int vmid, const QString &method, const QString &path,
                                     const Reachability &reach)
{
    tick();
    const Vm *vm = servingVm(vmid);
    if (!vm) {
        ServiceAnswer gone;
        gone.close = true;
        return gone;
    }
    ServiceState &state = m_services[vmid];
    ++state.requests;
    ServiceAnswer answer;
    if (state.health == ServiceHealth::Error) {
        answer = ServiceAnswer{500,
                               "Internal Server Error",
                               "application/json",
                               R"({"detail":"Internal Server Error"})",
                               {},
                               false};
    } else {
        switch (state.role) {
        case ServiceRole::RaeApi:
            answer = raeApiAnswer(method, path, raeApiView(vmid, reach));
            break;
        case ServiceRole::Vector:
            answer = qdrantAnswer(method, path);
            break;
        case ServiceRole::Llm:
            answer = ollamaAnswer(method, path, m_clock.now(),
                                  vm->config.contains(QStringLiteral("hostpci0")));
            break;
        case ServiceRole::Gateway: {
            const Vm *api = vmWithRole(ServiceRole::RaeApi);
            if (api) {
                const RaeApiView view = raeApiView(api->vmid, reach);
                answer = gatewayAnswer(method, path, &view);
            } else {
                answer = gatewayAnswer(method, path, nullptr);
            }
            break;
        }
        }
    }
    if (state.health == ServiceHealth::Slow)
        answer.delay = state.slowDelay;
    return answer;
}

QJsonArray Cluster::describeServices() const
{
    QJsonArray out;
    for (const auto &[vmid, service] : m_services) {
        const auto vm = m_vms.find(vmid);
        if (vm == m_vms.end())
            continue;
        out.append(QJsonObject{{QStringLiteral("vmid"), vmid},
                               {QStringLiteral("role"), serviceRoleName(service.role)},
                               {QStringLiteral("state"), serviceHealthName(service.health)},
                               {QStringLiteral("address"), vmAddress(vm->second)},
                               {QStringLiteral("port"), servicePort(service.role)},
                               {QStringLiteral("listening"), servingVm(vmid) != nullptr},
                               {QStringLiteral("scheme"), service.role == ServiceRole::Gateway
                                                              ? QStringLiteral("https")
                                                              : QStringLiteral("http")}});
    }
    return out;
}

} // namespace rae::sim
