#include "cluster/rrddata.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace rae::cluster {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::RrdData)
};

QString timeframeName(RrdTimeframe timeframe)
{
    switch (timeframe) {
    case RrdTimeframe::Hour:
        return QStringLiteral("hour");
    case RrdTimeframe::Day:
        return QStringLiteral("day");
    case RrdTimeframe::Week:
        return QStringLiteral("week");
    case RrdTimeframe::Month:
        return QStringLiteral("month");
    case RrdTimeframe::Year:
        return QStringLiteral("year");
    }
    return QStringLiteral("hour");
}

// Numbers arrive as JSON numbers, as strings from some proxies, or as null for unknown values;
// NaN and infinities are unknown too.
std::optional<double> number(const QJsonObject &row, const QString &key)
{
    const QJsonValue value = row.value(key);
    double result = 0;
    if (value.isDouble()) {
        result = value.toDouble();
    } else if (value.isString()) {
        bool ok = false;
        result = value.toString().toDouble(&ok);
        if (!ok)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(result))
        return std::nullopt;
    return result;
}

} // namespace

std::optional<double> RrdRow::memoryPercent() const
{
    if (!memoryUsed || !memoryTotal || *memoryTotal <= 0)
        return std::nullopt;
    return 100.0 * *memoryUsed / *memoryTotal;
}

proxmox::ApiRequest rrdRequest(const QString &node, int vmid, RrdTimeframe timeframe,
                               RrdConsolidation consolidation)
{
    QStringList segments{QStringLiteral("nodes"), node};
    if (vmid > 0)
        segments << QStringLiteral("qemu") << QString::number(vmid);
    segments << QStringLiteral("rrddata");
    return proxmox::ApiRequest::get(proxmox::form::path(segments),
                                    {{QStringLiteral("timeframe"), timeframeName(timeframe)},
                                     {QStringLiteral("cf"), consolidation == RrdConsolidation::Max
                                                                ? QStringLiteral("MAX")
                                                                : QStringLiteral("AVERAGE")}});
}

Result<QList<RrdRow>> parseRrdData(const QJsonValue &data, RrdSubject subject)
{
    if (!data.isArray())
        return Error{Tr::tr("RRD data is not a list"), {}, {}};
    const QString usedKey =
        subject == RrdSubject::Node ? QStringLiteral("memused") : QStringLiteral("mem");
    const QString totalKey =
        subject == RrdSubject::Node ? QStringLiteral("memtotal") : QStringLiteral("maxmem");
    QList<RrdRow> rows;
    const QJsonArray array = data.toArray();
    rows.reserve(array.size());
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        const std::optional<double> time = number(object, QStringLiteral("time"));
        if (!time)
            return Error{Tr::tr("an RRD row has no time"), {}, {}};
        RrdRow row;
        row.time = static_cast<qint64>(*time);
        row.cpu = number(object, QStringLiteral("cpu"));
        row.maxCpu = number(object, QStringLiteral("maxcpu"));
        row.memoryUsed = number(object, usedKey);
        row.memoryTotal = number(object, totalKey);
        rows.append(row);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const RrdRow &a, const RrdRow &b) { return a.time < b.time; });
    return rows;
}

} // namespace rae::cluster
