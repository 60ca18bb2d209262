#include "cluster/nodestatus.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::NodeStatus)
};

quint64 bytes(const QJsonObject &object, const char *key)
{
    return quint64(qMax<qint64>(0, lenient::toInt(object.value(QLatin1String(key))).value_or(0)));
}

} // namespace

Result<NodeStatusDetail> parseNodeStatus(const QJsonValue &data)
{
    if (!data.isObject())
        return Error{Tr::tr("the node status is not an object"), {}, {}};
    const QJsonObject object = data.toObject();
    NodeStatusDetail status;

    const QJsonObject cpuInfo = object.value(QLatin1String("cpuinfo")).toObject();
    status.cpuModel = lenient::toString(cpuInfo.value(QLatin1String("model")));
    status.sockets = int(lenient::toInt(cpuInfo.value(QLatin1String("sockets"))).value_or(0));
    status.cores = int(lenient::toInt(cpuInfo.value(QLatin1String("cores"))).value_or(0));
    status.threads = int(lenient::toInt(cpuInfo.value(QLatin1String("cpus"))).value_or(0));
    // "1" or "" rather than a boolean.
    status.hardwareVirtualization =
        lenient::toBool(cpuInfo.value(QLatin1String("hvm"))).value_or(false);

    status.cpu = lenient::toDouble(object.value(QLatin1String("cpu"))).value_or(0.0);
    status.ioWait = lenient::toDouble(object.value(QLatin1String("wait"))).value_or(0.0);
    const QJsonArray load = object.value(QLatin1String("loadavg")).toArray();
    if (!load.isEmpty())
        status.load1 = lenient::toDouble(load.first());

    const QJsonObject memory = object.value(QLatin1String("memory")).toObject();
    status.memoryTotal = bytes(memory, "total");
    status.memoryUsed = bytes(memory, "used");
    if (const auto available = lenient::toInt(memory.value(QLatin1String("available"))))
        status.memoryAvailable = quint64(qMax<qint64>(0, *available));
    const QJsonObject swap = object.value(QLatin1String("swap")).toObject();
    status.swapTotal = bytes(swap, "total");
    status.swapUsed = bytes(swap, "used");
    const QJsonObject root = object.value(QLatin1String("rootfs")).toObject();
    status.rootTotal = bytes(root, "total");
    status.rootUsed = bytes(root, "used");

    status.uptime = lenient::toInt(object.value(QLatin1String("uptime"))).value_or(0);
    const QJsonObject kernel = object.value(QLatin1String("current-kernel")).toObject();
    status.kernel = lenient::toString(kernel.value(QLatin1String("release")));
    if (status.kernel.isEmpty()) {
        // Before current-kernel existed: "Linux 6.8.12-4-pve #1 SMP ..."
        status.kernel = lenient::toString(object.value(QLatin1String("kversion")))
                            .section(QLatin1Char(' '), 1, 1);
    }
    status.pveVersion = lenient::toString(object.value(QLatin1String("pveversion")));
    const QJsonObject boot = object.value(QLatin1String("boot-info")).toObject();
    status.bootMode = lenient::toString(boot.value(QLatin1String("mode")));
    status.secureBoot = lenient::toBool(boot.value(QLatin1String("secureboot"))).value_or(false);
    return status;
}

} // namespace rae::cluster
