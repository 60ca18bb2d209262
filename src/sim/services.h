#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <optional>

// The services that RAE's VMs run, imitated on each VM's loopback address so that monitoring
// has something to measure. What they answer lives here; the sockets live in the HTTP front.
namespace rae::sim {

// The role of a VM, from its Proxmox tags.
enum class ServiceRole
{
    RaeApi,  // rae-api: /health, /health/ready, /health/live, /metrics
    Vector,  // rae-vector: Qdrant's /readyz
    Llm,     // rae-llm: Ollama's /api/version, /api/ps
    Gateway, // rae-gateway: HTTPS in front of the API
};

enum class ServiceHealth
{
    Up,
    Slow,  // answers after a delay
    Error, // answers, but with a server error
    Down,  // nothing listens: connection refused
};

struct ServiceState
{
    ServiceRole role = ServiceRole::RaeApi;
    ServiceHealth health = ServiceHealth::Up;
    std::chrono::milliseconds slowDelay{2000};
    quint64 requests = 0;
};

struct ServiceEndpoint
{
    int vmid = 0;
    QString address; // 127.0.0.N
    quint16 port = 0;
    bool tls = false;
    friend bool operator==(const ServiceEndpoint &, const ServiceEndpoint &) = default;
};

struct ServiceAnswer
{
    int status = 200;
    QByteArray reason = "OK";
    QByteArray contentType = "application/json";
    QByteArray body;
    std::chrono::milliseconds delay{0};
    bool close = false; // the service went away: drop the connection
};

// A dependency of the RAE API as its /health reports it.
struct DependencyCheck
{
    bool up = false;
    double responseTimeMs = 0;
    QString error;
};

struct RaeApiView
{
    DependencyCheck database;
    DependencyCheck redis;
    DependencyCheck vectorStore;
    double uptimeSeconds = 0;
    quint64 requests = 0;
    double now = 0; // simulated epoch seconds
};

std::optional<ServiceRole> serviceRoleFromTags(const QString &tags);
std::optional<ServiceHealth> serviceHealthFromName(const QString &name);
QString serviceRoleName(ServiceRole role);
QString serviceHealthName(ServiceHealth health);
// The ports of plan.h's defaults; the gateway listens on 8443 because 443 needs root.
quint16 servicePort(ServiceRole role);

ServiceAnswer raeApiAnswer(const QString &method, const QString &path, const RaeApiView &view);
ServiceAnswer qdrantAnswer(const QString &method, const QString &path);
ServiceAnswer ollamaAnswer(const QString &method, const QString &path, double now, bool gpu);
ServiceAnswer gatewayAnswer(const QString &method, const QString &path, const RaeApiView *api);

} // namespace rae::sim
