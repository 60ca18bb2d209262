#pragma once

#include "cluster/resources.h"
#include "monitor/probe.h"
#include "plan/plan.h"

#include <QDateTime>
#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>

#include <chrono>
#include <functional>
#include <optional>

namespace rae::proxmox {
class ProxmoxClient;
}

namespace rae::monitor {

class Collector;

// What a probe needs besides the VM's address: the plan's ports and the services' secrets.
struct ServicePorts
{
    plan::RaeSettings rae;
    plan::LlmBackend llm = plan::LlmBackend::Ollama;
    QString tlsHostname;
    quint16 gatewayPort = 443;
    QList<QSslCertificate> gatewayCa; // a self-signed or private gateway certificate
    QString redisPassword;            // never logged
    QString redisPasswordMissing;     // without a password: why, and what to do

    static ServicePorts fromPlan(const plan::Plan &plan);
};

// The role guessed from a VM's name when neither tags nor a plan tell ("rae-db-1", "qdrant").
std::optional<plan::Role> roleFromVmName(const QString &name);
// Tags first, then the plan's VM of that name (`plan` may be null), then the name.
std::optional<plan::Role> roleOf(const cluster::GuestResource &guest, const plan::Plan *plan);

ProbeTarget probeFor(plan::Role role, const QString &subject, const QString &host,
                     const ServicePorts &ports);

// The certificate a TLS server at host:port shows, whoever signed it, for a caller that then
// decides to trust it (the demos trust the simulator's gateway so). `done` gets the leaf
// certificate, or nothing when no TLS server answered within `timeout`; never before this
// returns. The connection is closed as soon as the certificate is seen.
void fetchPeerCertificate(const QString &host, quint16 port, QObject *context,
                          std::function<void(const QList<QSslCertificate> &)> done,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The first IPv4 address of the guest agent's `network-get-interfaces` answer that is not on the
// loopback interface; empty when there is none.
QString addressFromAgent(const QJsonValue &data);

// A running RAE VM and where its service listens.
struct DiscoveredService
{
    QString name;
    QString node;
    int vmid = 0;
    plan::Role role = plan::Role::Api;
    QString address;
};

// Finds the running RAE VMs of a cluster and asks each one's guest agent for its address, once
// per VM (a VM whose agent did not answer is asked again after a minute). Feed it every fresh
// list of guests; it only asks about the ones it does not know yet.
class ServiceDiscovery final : public QObject
{
    Q_OBJECT

public:
    // Not owned; must outlive the discovery.
    explicit ServiceDiscovery(proxmox::ProxmoxClient *client, QObject *parent = nullptr);

    // `plan` may be null; it is read during the call only.
    void discover(const QList<cluster::GuestResource> &guests, const plan::Plan *plan);
    int pending() const { return m_pending; }
    QList<DiscoveredService> services() const { return m_found.values(); }

signals:
    // A running RAE VM with its address. An LLM VM whose agent gave no address is reported
    // with an empty one too, since its GPU is read through the agent all the same; it may be
    // reported again once the address is known.
    void found(const rae::monitor::DiscoveredService &service);
    void failed(const QString &vmName, const QString &message);
    // The last outstanding agent request of a discover() call answered.
    void idle();

private:
    QPointer<proxmox::ProxmoxClient> m_client;
    QHash<QString, DiscoveredService> m_found; // VM name -> service
    QHash<QString, qint64> m_failedAtMs;       // VM name -> when its agent last failed
    QSet<QString> m_asking;
    int m_pending = 0;
};

// Adds what a discovered service offers to a collector: its probe (when it has an address)
// and, for an LLM VM, its GPU through nvidia-smi.
void addToCollector(Collector &collector, const DiscoveredService &service,
                    const ServicePorts &ports);

} // namespace rae::monitor
