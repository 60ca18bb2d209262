#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QString>

#include <optional>

namespace rae::cluster {

// `GET /nodes/{node}/status`: the hardware and load of one node, beyond what
// /cluster/resources carries. Sizes in bytes; `cpu` is a fraction of all threads.
struct NodeStatusDetail
{
    QString cpuModel;
    int sockets = 0;
    int cores = 0;   // physical cores in all
    int threads = 0; // logical CPUs
    bool hardwareVirtualization = false;
    double cpu = 0.0;
    double ioWait = 0.0;
    std::optional<double> load1; // loadavg arrives as strings
    quint64 memoryTotal = 0;
    quint64 memoryUsed = 0;
    std::optional<quint64> memoryAvailable; // PVE 9.0+
    quint64 swapTotal = 0;
    quint64 swapUsed = 0;
    quint64 rootTotal = 0;
    quint64 rootUsed = 0;
    qint64 uptime = 0;
    QString kernel;     // "6.14.11-4-pve"
    QString pveVersion; // "pve-manager/9.1.4/..."
    QString bootMode;   // efi, legacy-bios; empty when not reported
    bool secureBoot = false;
    friend bool operator==(const NodeStatusDetail &, const NodeStatusDetail &) = default;
};

Result<NodeStatusDetail> parseNodeStatus(const QJsonValue &data);

} // namespace rae::cluster
