#include "cluster/network.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::Network)
};

std::optional<int> optionalInt(const QJsonObject &object, const char *key)
{
    if (const auto value = lenient::toInt(object.value(QLatin1String(key))))
        return int(*value);
    return std::nullopt;
}

} // namespace

bool NetworkInterface::isBridge() const
{
    return type == QLatin1String("bridge") || type == QLatin1String("OVSBridge");
}

const NetworkInterface *NodeNetwork::find(const QString &iface) const
{
    for (const NetworkInterface &candidate : interfaces) {
        if (candidate.iface == iface)
            return &candidate;
    }
    return nullptr;
}

QList<NetworkInterface> NodeNetwork::bridges() const
{
    QList<NetworkInterface> result;
    for (const NetworkInterface &candidate : interfaces) {
        if (candidate.isBridge())
            result.append(candidate);
    }
    return result;
}

Result<NodeNetwork> parseNodeNetwork(const QJsonValue &data, const QJsonValue &changes)
{
    if (!data.isArray())
        return Error{Tr::tr("the node's network list is not a list"), {}, {}};
    NodeNetwork network;
    network.pendingChanges = !lenient::toString(changes).trimmed().isEmpty();
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        NetworkInterface nic;
        nic.iface = lenient::toString(object.value(QLatin1String("iface")));
        if (nic.iface.isEmpty())
            return Error{Tr::tr("a network interface without a name"), {}, {}};
        nic.type = lenient::toString(object.value(QLatin1String("type")));
        nic.active = lenient::toBool(object.value(QLatin1String("active"))).value_or(false);
        nic.autostart = lenient::toBool(object.value(QLatin1String("autostart"))).value_or(false);
        nic.method = lenient::toString(object.value(QLatin1String("method")));
        nic.cidr = lenient::toString(object.value(QLatin1String("cidr")));
        nic.gateway = lenient::toString(object.value(QLatin1String("gateway")));
        nic.cidr6 = lenient::toString(object.value(QLatin1String("cidr6")));
        nic.gateway6 = lenient::toString(object.value(QLatin1String("gateway6")));
        nic.bridgePorts = lenient::toString(object.value(QLatin1String("bridge_ports")));
        nic.vlanAware =
            lenient::toBool(object.value(QLatin1String("bridge_vlan_aware"))).value_or(false);
        nic.bridgeVids = lenient::toString(object.value(QLatin1String("bridge_vids")));
        nic.bondSlaves = lenient::toString(object.value(QLatin1String("slaves")));
        nic.bondMode = lenient::toString(object.value(QLatin1String("bond_mode")));
        nic.vlanId = optionalInt(object, "vlan-id");
        nic.vlanRawDevice = lenient::toString(object.value(QLatin1String("vlan-raw-device")));
        nic.mtu = optionalInt(object, "mtu");
        nic.comments = lenient::toString(object.value(QLatin1String("comments"))).trimmed();
        network.interfaces.append(std::move(nic));
    }
    return network;
}

} // namespace rae::cluster
