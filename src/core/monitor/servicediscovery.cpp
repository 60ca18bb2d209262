#include "monitor/servicediscovery.h"

#include "monitor/collector.h"
#include "proxmox/client.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>

#include <memory>

Q_LOGGING_CATEGORY(lcDiscovery, "raedeploy.monitor.discovery")

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::ServiceDiscovery)
};

// An agent that did not answer is usually still booting; asking every poll would only add load.
constexpr qint64 kRetryAfterMs = 60'000;

} // namespace

ServicePorts ServicePorts::fromPlan(const plan::Plan &plan)
{
    ServicePorts ports;
    ports.rae = plan.rae;
    ports.llm = plan.rae.llmBackend.value_or(plan.llm.backend);
    ports.tlsHostname = plan.gateway.tlsHostname;
    return ports;
}

void fetchPeerCertificate(const QString &host, quint16 port, QObject *context,
                          std::function<void(const QList<QSslCertificate> &)> done,
                          std::chrono::milliseconds timeout)
{
    auto *socket = new QSslSocket(context);
    auto taken = std::make_shared<bool>(false);
    auto take = [socket, taken, done] {
        if (*taken)
            return;
        *taken = true;
        const QList<QSslCertificate> chain = socket->peerCertificateChain().mid(0, 1);
        socket->abort();
        socket->deleteLater();
        done(chain);
    };
    QObject::connect(socket, &QSslSocket::sslErrors, socket, take);
    QObject::connect(socket, &QSslSocket::encrypted, socket, take);
    QObject::connect(socket, &QAbstractSocket::errorOccurred, socket, take);
    // A server that takes the connection and never finishes the handshake is given up on.
    QTimer::singleShot(timeout, socket, [socket] { socket->abort(); });
    socket->connectToHostEncrypted(host, port);
}

std::optional<plan::Role> roleFromVmName(const QString &name)
{
    const QString lower = name.toLower();
    // The first word found wins, so words that hide inside others come last: "api" is in
    // "rae-gateway-api", "db" in "vectordb".
    static const QList<std::pair<QLatin1StringView, plan::Role>> words{
        {QLatin1StringView("gateway"), plan::Role::Gateway},
        {QLatin1StringView("vector"), plan::Role::Vector},
        {QLatin1StringView("qdrant"), plan::Role::Vector},
        {QLatin1StringView("redis"), plan::Role::Redis},
        {QLatin1StringView("ollama"), plan::Role::Llm},
        {QLatin1StringView("vllm"), plan::Role::Llm},
        {QLatin1StringView("llm"), plan::Role::Llm},
        {QLatin1StringView("api"), plan::Role::Api},
        {QLatin1StringView("postgres"), plan::Role::Db},
        {QLatin1StringView("db"), plan::Role::Db},
    };
    for (const auto &[word, role] : words) {
        if (lower.contains(word))
            return role;
    }
    return std::nullopt;
}

std::optional<plan::Role> roleOf(const cluster::GuestResource &guest, const plan::Plan *plan)
{
    if (auto role = plan::roleFromTags(guest.tags))
        return role;
    if (plan) {
        if (const plan::Vm *vm = plan->vm(guest.name))
            return vm->role;
    }
    return roleFromVmName(guest.name);
}

ProbeTarget probeFor(plan::Role role, const QString &subject, const QString &host,
                     const ServicePorts &ports)
{
    ProbeTarget target;
    target.subject = subject;
    target.host = host;
    switch (role) {
    case plan::Role::Db:
        target.kind = ProbeKind::Postgres;
        target.port = quint16(ports.rae.databasePort);
        break;
    case plan::Role::Vector:
        target.kind = ProbeKind::Qdrant;
        target.port = quint16(ports.rae.qdrantPort);
        break;
    case plan::Role::Redis:
        target.kind = ProbeKind::Redis;
        target.port = quint16(ports.rae.redisPort);
        target.redisPassword = ports.redisPassword;
        target.redisPasswordMissing =
            ports.redisPassword.isEmpty() ? ports.redisPasswordMissing : QString();
        break;
    case plan::Role::Api:
        target.kind = ProbeKind::RaeApi;
        target.port = quint16(ports.rae.apiPort);
        break;
    case plan::Role::Llm:
        // TGI answers /health like vLLM.
        target.kind = ports.llm == plan::LlmBackend::Ollama ? ProbeKind::Ollama : ProbeKind::Vllm;
        target.port = quint16(ports.rae.llmPort);
        break;
    case plan::Role::Gateway:
        target.kind = ProbeKind::HttpsGateway;
        target.port = ports.gatewayPort;
        target.tlsPeerName = ports.tlsHostname;
        target.caCertificates = ports.gatewayCa;
        break;
    }
    return target;
}

QString addressFromAgent(const QJsonValue &data)
{
    const QJsonArray interfaces = data.toObject().value(QLatin1String("result")).toArray();
    for (const QJsonValue &interface : interfaces) {
        const QJsonObject object = interface.toObject();
        if (object.value(QLatin1String("name")).toString() == QLatin1String("lo"))
            continue;
        for (const QJsonValue &address : object.value(QLatin1String("ip-addresses")).toArray()) {
            const QJsonObject entry = address.toObject();
            if (entry.value(QLatin1String("ip-address-type")).toString() == QLatin1String("ipv4"))
                return entry.value(QLatin1String("ip-address")).toString();
        }
    }
    return {};
}

ServiceDiscovery::ServiceDiscovery(proxmox::ProxmoxClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{}

void ServiceDiscovery::discover(const QList<cluster::GuestResource> &guests, const plan::Plan *plan)
{
    if (!m_client)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const cluster::GuestResource &guest : guests) {
        if (guest.type != cluster::GuestType::Qemu || guest.isTemplate ||
            guest.status != cluster::GuestStatus::Running)
            continue;
        const auto known = m_found.constFind(guest.name);
        if (known != m_found.cend() && !known->address.isEmpty())
            continue;
        if (m_asking.contains(guest.name))
            continue;
        const auto failedAt = m_failedAtMs.constFind(guest.name);
        if (failedAt != m_failedAtMs.cend() && now - *failedAt < kRetryAfterMs)
            continue;
        const auto role = roleOf(guest, plan);
        if (!role)
            continue;
        DiscoveredService service{guest.name, guest.node, guest.vmid, *role, {}};
        m_asking.insert(guest.name);
        ++m_pending;
        proxmox::ApiJob *job = m_client->send(proxmox::ApiRequest::get(
            QStringLiteral("/nodes/%1/qemu/%2/agent/network-get-interfaces")
                .arg(guest.node)
                .arg(guest.vmid)));
        connect(job, &proxmox::ApiJob::finished, this,
                [this, service](const proxmox::ApiResult<proxmox::ApiReply> &result) mutable {
                    m_asking.remove(service.name);
                    service.address = result ? addressFromAgent(result->data) : QString();
                    if (service.address.isEmpty()) {
                        m_failedAtMs.insert(service.name, QDateTime::currentMSecsSinceEpoch());
                        const QString message = result
                                                    ? Tr::tr("no IPv4 address from the guest agent")
                                                    : Tr::tr("no address from the guest agent: %1")
                                                          .arg(result.error().message);
                        qCInfo(lcDiscovery) << service.name << message;
                        emit failed(service.name, message);
                        if (service.role == plan::Role::Llm && !m_found.contains(service.name)) {
                            m_found.insert(service.name, service);
                            emit found(service);
                        }
                    } else {
                        m_failedAtMs.remove(service.name);
                        m_found.insert(service.name, service);
                        emit found(service);
                    }
                    if (--m_pending == 0)
                        emit idle();
                });
    }
}

void addToCollector(Collector &collector, const DiscoveredService &service,
                    const ServicePorts &ports)
{
    if (service.role == plan::Role::Llm)
        collector.addGpuSource({service.name, service.node, service.vmid});
    if (!service.address.isEmpty())
        collector.addProbe(probeFor(service.role, service.name, service.address, ports));
}

} // namespace rae::monitor
