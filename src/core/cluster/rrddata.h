#pragma once

#include "common/result.h"
#include "proxmox/request.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

// `GET /nodes/{node}/rrddata` and `/nodes/{node}/qemu/{vmid}/rrddata`: the history pvestatd
// keeps, one row per archive step (a minute for `hour`, half an hour for `day`, ...).
namespace rae::cluster {

enum class RrdTimeframe
{
    Hour,
    Day,
    Week,
    Month,
    Year
};

enum class RrdConsolidation
{
    Average,
    Max
};

// One row. A value is absent where the archive has none (the node or guest was not running,
// or the step is not complete yet): pve-rrd then leaves the key out or sends null.
struct RrdRow
{
    qint64 time = 0;           // seconds since the epoch, the step's start
    std::optional<double> cpu; // fraction of maxcpu
    std::optional<double> maxCpu;
    std::optional<double> memoryUsed;  // bytes: `memused` of a node, `mem` of a guest
    std::optional<double> memoryTotal; // `memtotal` of a node, `maxmem` of a guest

    // 0..100, when both figures are there and the total is not zero.
    std::optional<double> memoryPercent() const;
};

enum class RrdSubject
{
    Node,
    Guest
};

// The request for a node's history (vmid 0) or a guest's.
proxmox::ApiRequest rrdRequest(const QString &node, int vmid, RrdTimeframe timeframe,
                               RrdConsolidation consolidation = RrdConsolidation::Average);

// Reads the `data` array, oldest row first. Rows without a time are a malformed reply.
Result<QList<RrdRow>> parseRrdData(const QJsonValue &data, RrdSubject subject);

} // namespace rae::cluster
