#pragma once

#include "common/result.h"
#include "plan/bytesize.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace rae::proxmox {

// `net0` etc.: `virtio=BC:24:11:00:00:01,bridge=vmbr1,tag=20,firewall=1`.
struct NetDevice
{
    int index = 0;
    QString model;      // virtio, e1000, ...
    QString macAddress; // empty when the server has not generated one yet
    QString bridge;
    std::optional<int> vlanTag;
    bool firewall = false;
    bool linkDown = false;
    std::optional<int> mtu;
    friend bool operator==(const NetDevice &, const NetDevice &) = default;
};

// `scsi0`, `virtio1`, `ide2`, `sata0`, `efidisk0`, `tpmstate0`, `unused0`.
struct Disk
{
    QString key;     // "scsi0"
    QString volume;  // "ceph-vm:vm-104-disk-0", "none", "cdrom"
    QString storage; // "ceph-vm"; empty for "none" or a passthrough path
    std::optional<ByteSize> size;
    bool cdrom = false;
    bool cloudInit = false;
    QMap<QString, QString> options; // discard, iothread, ssd, cache, ...
    friend bool operator==(const Disk &, const Disk &) = default;
};

// `hostpci0`: either a cluster resource mapping (what API tokens can set) or raw host ids.
struct PciPassthrough
{
    int index = 0;
    QString mapping; // "gpu-l4"
    QString hostIds; // "0000:41:00.0" or "0000:41:00.0;0000:41:00.1"
    bool pcie = false;
    bool primaryVga = false;
    QString mdev;
    friend bool operator==(const PciPassthrough &, const PciPassthrough &) = default;
};

struct AgentSettings
{
    bool enabled = false;
    bool fstrimClonedDisks = false;
    QString type; // virtio (default), isa
    friend bool operator==(const AgentSettings &, const AgentSettings &) = default;
};

// `GET /nodes/{node}/qemu/{vmid}/config`, with property strings taken apart and loose types read
// the way Proxmox writes them (memory in MiB as a string, cpulimit as a string, 0/1 flags).
struct VmConfig
{
    QString name;
    int cores = 1;
    int sockets = 1;
    ByteSize memory;                 // defaults to 512 MiB on the server when unset
    std::optional<ByteSize> balloon; // 0 disables ballooning
    std::optional<double> cpuLimit;
    bool onBoot = false;
    bool numa = false;
    bool isTemplate = false;
    QString machine;
    QString bios;
    QString ostype;
    QString lock;
    AgentSettings agent;
    QList<NetDevice> nets;
    QList<Disk> disks;
    QList<PciPassthrough> pciDevices;
    QMap<int, QString> ipConfigs; // ipconfigN, left as the property string
    QString sshKeys;              // still percent-encoded, as stored
    QStringList tags;
    QString digest;
    QJsonObject raw; // everything, for keys this struct does not model

    // Reads the `data` object. Fails only on a property string that cannot be read at all.
    static Result<VmConfig> fromData(const QJsonObject &data);
};

} // namespace rae::proxmox
