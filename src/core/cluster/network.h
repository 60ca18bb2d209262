#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace rae::cluster {

// One entry of `GET /nodes/{node}/network`.
struct NetworkInterface
{
    QString iface;
    QString type; // bridge, bond, eth, vlan, OVSBridge, vnet, ...
    bool active = false;
    bool autostart = false;
    QString method; // static, manual, dhcp
    QString cidr;
    QString gateway;
    QString cidr6;
    QString gateway6;
    QString bridgePorts;
    bool vlanAware = false;
    QString bridgeVids;
    QString bondSlaves;
    QString bondMode;
    std::optional<int> vlanId;
    QString vlanRawDevice;
    std::optional<int> mtu;
    QString comments; // without the trailing newline the server keeps
    friend bool operator==(const NetworkInterface &, const NetworkInterface &) = default;

    bool isBridge() const;
};

struct NodeNetwork
{
    QList<NetworkInterface> interfaces;
    bool pendingChanges = false; // interfaces.new differs from the running configuration

    const NetworkInterface *find(const QString &iface) const;
    QList<NetworkInterface> bridges() const;
};

// `data` is the list; `envelope` carries `changes` when edits are staged.
Result<NodeNetwork> parseNodeNetwork(const QJsonValue &data, const QJsonValue &changes = {});

} // namespace rae::cluster
