#include "deploy/apitier.h"

#include "deploy/changeset.h"
#include "deploy/provisioning.h"

#include <QRegularExpression>

namespace rae::deploy {

namespace {

constexpr char kApiTag[] = "rae-api";

} // namespace

bool isValidVersion(const QString &version)
{
    // Lower case only: the version becomes a Proxmox tag, and tags are lower case.
    static const QRegularExpression valid(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,39}$"));
    return valid.match(version).hasMatch();
}

QString apiBaseName(const plan::Plan &plan, const QString &vmName)
{
    for (const plan::Vm *api : plan.vmsWithRole(plan::Role::Api))
        if (vmName == api->name || (vmName.startsWith(api->name + QStringLiteral("-v")) &&
                                    isValidVersion(vmName.mid(api->name.size() + 2))))
            return api->name;
    return {};
}

bool isStandby(const SnapshotVm &vm)
{
    return vm.tags.contains(QLatin1String(kStandbyTag));
}

QString configuredAddress(const SnapshotVm &vm)
{
    for (const QString &part : vm.ipConfigs.value(0).split(QLatin1Char(',')))
        if (part.startsWith(QLatin1String("ip=")) && part != QLatin1String("ip=dhcp"))
            return part.mid(3);
    return {};
}

plan::Vm standIn(const plan::Vm &base, const SnapshotVm &vm)
{
    plan::Vm out = base;
    out.name = vm.name;
    out.vmid = vm.vmid;
    const QString address = configuredAddress(vm);
    if (!out.nics.isEmpty() && !address.isEmpty())
        out.nics.first().address = address;
    for (const QString &tag : vm.tags)
        if (tag.startsWith(QLatin1String(kVersionTagPrefix)))
            out.tags.append(tag);
    // HA-managed like the plan VM, under its own HA resource; the plan's anti-affinity names
    // plan VMs, and the rule that keeps the tier apart is the plan's (its resources are the VMs
    // that serve).
    out.ha.antiAffinity.clear();
    out.replication.clear();
    return out;
}

QString haGroupOf(const plan::Plan &plan, const plan::Vm &vm)
{
    const QString base = vm.role == plan::Role::Api ? apiBaseName(plan, vm.name) : QString();
    const plan::Vm *own = base.isEmpty() ? nullptr : plan.vm(base);
    return haGroupId(own != nullptr ? *own : vm);
}

const ApiTierVm *ApiTier::find(const QString &name) const
{
    for (const ApiTierVm &vm : vms)
        if (vm.name == name)
            return &vm;
    return nullptr;
}

QList<ApiTierVm> ApiTier::of(const QString &base) const
{
    QList<ApiTierVm> out;
    for (const ApiTierVm &vm : vms)
        if (vm.base == base)
            out.append(vm);
    return out;
}

QString ApiTier::switchedTo(const QString &base) const
{
    const QString name = serving.value(base);
    return name == base ? QString() : name;
}

ApiTier readApiTier(const plan::Plan &plan, const ClusterSnapshot &snapshot)
{
    ApiTier tier;
    for (const SnapshotVm &vm : snapshot.vms) {
        if (vm.isTemplate || !vm.tags.contains(QLatin1String(kApiTag)))
            continue;
        const QString base = apiBaseName(plan, vm.name);
        // A VM the plan names itself (an upgrade's own plan has the new VMs) is the plan's.
        if (base.isEmpty() || (vm.name != base && plan.vm(vm.name) != nullptr))
            continue;
        tier.vms.append({vm.name, base, vm.vmid, isStandby(vm)});
    }
    for (const plan::Vm *api : plan.vmsWithRole(plan::Role::Api)) {
        QStringList active;
        for (const ApiTierVm &vm : tier.of(api->name))
            if (!vm.standby)
                active.append(vm.name);
        if (active.size() == 1)
            tier.serving.insert(api->name, active.constFirst());
        else if (active.size() > 1)
            tier.unsettled.insert(api->name);
    }
    return tier;
}

plan::Plan deployedPlan(const plan::Plan &plan, const ClusterSnapshot &snapshot)
{
    const ApiTier tier = readApiTier(plan, snapshot);
    plan::Plan out = plan;
    for (plan::Vm &vm : out.vms)
        if (const ApiTierVm *kept = tier.find(vm.name); kept != nullptr && kept->standby)
            vm.tags.append(QLatin1String(kStandbyTag));
    for (const plan::Vm *api : plan.vmsWithRole(plan::Role::Api)) {
        const SnapshotVm *serving = snapshot.vmByName(tier.switchedTo(api->name));
        if (serving != nullptr)
            out.vms.append(standIn(*api, *serving));
    }
    return out;
}

} // namespace rae::deploy
