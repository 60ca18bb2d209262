#pragma once

#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <chrono>
#include <functional>

namespace rae::sim {

class Cluster;

// Faults of the wire itself, applied by the HTTP front before or instead of an answer.
struct TransportFaults
{
    struct Latency
    {
        QRegularExpression pattern; // matched against the request path
        std::chrono::milliseconds delay{0};
    };
    QList<Latency> latencies;
    double errorRate = 0;  // share of /api2 requests answered with a 500
    int dropNext = 0;      // close the connection instead of answering
    int truncateNext = 0;  // announce the whole body, send half, close
    int malformedNext = 0; // answer with JSON that does not parse

    std::chrono::milliseconds latencyFor(const QString &path) const;
};

struct ControlOutcome
{
    int status = 200;
    QJsonObject body;
};

// The control interface (/ctl/<command> and `rae-pve-sim ctl`): faults, time, state.
class Controller final
{
public:
    using RenewCertificate = std::function<QString()>; // returns the new fingerprint

    Controller(Cluster &cluster, TransportFaults &faults, RenewCertificate renew);
    ControlOutcome handle(const QString &command, const QJsonObject &args);
    static QStringList commands();

private:
    Cluster &m_cluster;
    TransportFaults &m_faults;
    RenewCertificate m_renew;
};

} // namespace rae::sim
