#include "proxmox/vmconfig.h"

#include "proxmox/lenient.h"
#include "proxmox/propertystring.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace rae::proxmox {

namespace {

const QStringList &nicModels()
{
    static const QStringList models = {
        QStringLiteral("virtio"),        QStringLiteral("e1000"),
        QStringLiteral("e1000e"),        QStringLiteral("rtl8139"),
        QStringLiteral("vmxnet3"),       QStringLiteral("ne2k_pci"),
        QStringLiteral("ne2k_isa"),      QStringLiteral("pcnet"),
        QStringLiteral("i82551"),        QStringLiteral("i82557b"),
        QStringLiteral("i82559er"),      QStringLiteral("e1000-82540em"),
        QStringLiteral("e1000-82544gc"), QStringLiteral("e1000-82545em")};
    return models;
}

Error keyError(const QString &key, const Error &cause)
{
    return Error{QCoreApplication::translate("rae::proxmox", "VM config key “%1”: %2")
                     .arg(key, cause.message),
                 cause.hint,
                 {}};
}

Result<NetDevice> parseNet(int index, const QString &text)
{
    const auto parsed = PropertyString::parse(text, QStringLiteral("model"));
    if (!parsed)
        return parsed.error();

    NetDevice net;
    net.index = index;
    for (const auto &[key, value] : parsed->pairs()) {
        if (nicModels().contains(key)) {
            // `virtio=<mac>` names the model and the MAC address in one pair.
            net.model = key;
            net.macAddress = value;
        } else if (key == QLatin1String("model")) {
            net.model = value;
        } else if (key == QLatin1String("macaddr")) {
            net.macAddress = value;
        }
    }
    net.bridge = parsed->value(QStringLiteral("bridge"));
    if (const auto tag = parsed->intValue(QStringLiteral("tag")))
        net.vlanTag = int(*tag);
    net.firewall = parsed->boolValue(QStringLiteral("firewall")).value_or(false);
    net.linkDown = parsed->boolValue(QStringLiteral("link_down")).value_or(false);
    if (const auto mtu = parsed->intValue(QStringLiteral("mtu")))
        net.mtu = int(*mtu);
    return net;
}

Result<Disk> parseDisk(const QString &key, const QString &text)
{
    const auto parsed = PropertyString::parse(text, QStringLiteral("file"));
    if (!parsed)
        return parsed.error();

    Disk disk;
    disk.key = key;
    disk.volume = parsed->value(QStringLiteral("file"));
    const qsizetype colon = disk.volume.indexOf(QLatin1Char(':'));
    if (colon > 0 && !disk.volume.startsWith(QLatin1Char('/')))
        disk.storage = disk.volume.left(colon);
    disk.cdrom = parsed->value(QStringLiteral("media")) == QLatin1String("cdrom") ||
                 disk.volume == QLatin1String("cdrom");
    disk.cloudInit = disk.volume.contains(QLatin1String("cloudinit"));
    if (parsed->contains(QStringLiteral("size"))) {
        // Sizes in configs carry a binary unit ("64G", "4M", "528K"); a bare number is bytes.
        const auto size =
            ByteSize::parse(parsed->value(QStringLiteral("size")), ByteSize::Unit::Bytes);
        if (size)
            disk.size = *size;
    }
    for (const auto &[option, value] : parsed->pairs()) {
        if (option != QLatin1String("file") && option != QLatin1String("size"))
            disk.options.insert(option, value);
    }
    return disk;
}

Result<PciPassthrough> parsePci(int index, const QString &text)
{
    const auto parsed = PropertyString::parse(text, QStringLiteral("host"));
    if (!parsed)
        return parsed.error();

    PciPassthrough pci;
    pci.index = index;
    pci.mapping = parsed->value(QStringLiteral("mapping"));
    pci.hostIds = parsed->value(QStringLiteral("host"));
    pci.pcie = parsed->boolValue(QStringLiteral("pcie")).value_or(false);
    pci.primaryVga = parsed->boolValue(QStringLiteral("x-vga")).value_or(false);
    pci.mdev = parsed->value(QStringLiteral("mdev"));
    return pci;
}

Result<AgentSettings> parseAgent(const QJsonValue &value)
{
    AgentSettings agent;
    const QString text = lenient::toString(value);
    if (text.isEmpty())
        return agent;
    const auto parsed = PropertyString::parse(text, QStringLiteral("enabled"));
    if (!parsed)
        return parsed.error();
    agent.enabled = parsed->boolValue(QStringLiteral("enabled")).value_or(false);
    agent.fstrimClonedDisks =
        parsed->boolValue(QStringLiteral("fstrim_cloned_disks")).value_or(false);
    agent.type = parsed->value(QStringLiteral("type"));
    return agent;
}

} // namespace

Result<VmConfig> VmConfig::fromData(const QJsonObject &data)
{
    static const QRegularExpression netKey(QStringLiteral("^net(\\d+)$"));
    static const QRegularExpression diskKey(
        QStringLiteral("^(?:scsi|virtio|sata|ide|efidisk|tpmstate|unused)\\d+$"));
    static const QRegularExpression pciKey(QStringLiteral("^hostpci(\\d+)$"));
    static const QRegularExpression ipKey(QStringLiteral("^ipconfig(\\d+)$"));

    VmConfig config;
    config.raw = data;
    config.name = data.value(QLatin1String("name")).toString();
    config.cores = int(lenient::toInt(data.value(QLatin1String("cores"))).value_or(1));
    config.sockets = int(lenient::toInt(data.value(QLatin1String("sockets"))).value_or(1));
    config.cpuLimit = lenient::toDouble(data.value(QLatin1String("cpulimit")));
    config.onBoot = lenient::toBool(data.value(QLatin1String("onboot"))).value_or(false);
    config.numa = lenient::toBool(data.value(QLatin1String("numa"))).value_or(false);
    config.isTemplate = lenient::toBool(data.value(QLatin1String("template"))).value_or(false);
    config.machine = data.value(QLatin1String("machine")).toString();
    config.bios = data.value(QLatin1String("bios")).toString();
    config.ostype = data.value(QLatin1String("ostype")).toString();
    config.lock = data.value(QLatin1String("lock")).toString();
    config.sshKeys = data.value(QLatin1String("sshkeys")).toString();
    config.digest = data.value(QLatin1String("digest")).toString();
    config.tags = lenient::splitList(data.value(QLatin1String("tags")).toString());

    // `memory` is a number on old servers and the property string `[current=]<MiB>` since
    // qemu-server 8.0.8.
    config.memory = ByteSize::fromMiB(512);
    if (const QString memory = lenient::toString(data.value(QLatin1String("memory")));
        !memory.isEmpty()) {
        const auto parsed = PropertyString::parse(memory, QStringLiteral("current"));
        const auto mib = parsed ? parsed->intValue(QStringLiteral("current")) : std::nullopt;
        if (!mib || *mib < 0) {
            return Error{QCoreApplication::translate(
                             "rae::proxmox", "VM config: memory “%1” is not a number of MiB")
                             .arg(memory),
                         {},
                         {}};
        }
        config.memory = ByteSize::fromMiB(quint64(*mib));
    }
    if (const auto balloon = lenient::toInt(data.value(QLatin1String("balloon")));
        balloon && *balloon >= 0)
        config.balloon = ByteSize::fromMiB(quint64(*balloon));

    if (const auto agent = parseAgent(data.value(QLatin1String("agent"))); agent)
        config.agent = *agent;
    else
        return keyError(QStringLiteral("agent"), agent.error());

    for (auto it = data.begin(); it != data.end(); ++it) {
        const QString key = it.key();
        const QString text = lenient::toString(it.value());
        if (const auto match = netKey.match(key); match.hasMatch()) {
            auto net = parseNet(match.captured(1).toInt(), text);
            if (!net)
                return keyError(key, net.error());
            config.nets.append(std::move(net).value());
        } else if (diskKey.match(key).hasMatch()) {
            auto disk = parseDisk(key, text);
            if (!disk)
                return keyError(key, disk.error());
            config.disks.append(std::move(disk).value());
        } else if (const auto pciMatch = pciKey.match(key); pciMatch.hasMatch()) {
            auto pci = parsePci(pciMatch.captured(1).toInt(), text);
            if (!pci)
                return keyError(key, pci.error());
            config.pciDevices.append(std::move(pci).value());
        } else if (const auto ipMatch = ipKey.match(key); ipMatch.hasMatch()) {
            config.ipConfigs.insert(ipMatch.captured(1).toInt(), text);
        }
    }
    return config;
}

} // namespace rae::proxmox
