#include "deploy/scriptexport.h"

#include "deploy/envfile.h"
#include "deploy/provisioning.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

namespace rae::deploy {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::ScriptExport)
};

constexpr QFileDevice::Permissions kFileMode = QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                               QFileDevice::ReadGroup | QFileDevice::ReadOther;

Status writeFile(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() ||
        !file.setPermissions(kFileMode) || !file.commit()) {
        return Error{Tr::tr("%1 could not be written: %2.").arg(path, file.errorString()),
                     Tr::tr("Check that the folder is writable and the disk not full, or choose "
                            "another folder."),
                     path};
    }
    return Done{};
}

} // namespace

Result<QList<const plan::Vm *>> scriptVms(const plan::Plan &plan, const QString &onlyVm)
{
    QList<const plan::Vm *> vms;
    QStringList names;
    for (const plan::Vm &vm : plan.vms) {
        names.append(vm.name);
        if (onlyVm.isEmpty() || vm.name == onlyVm)
            vms.append(&vm);
    }
    if (vms.isEmpty() && !onlyVm.isEmpty())
        return Error{Tr::tr("The plan has no VM named %1.").arg(onlyVm),
                     names.isEmpty() ? Tr::tr("The plan has no VMs.")
                                     : Tr::tr("Its VMs are: %1.").arg(names.join(u", ")),
                     {}};
    return vms;
}

QString scriptHeading(const plan::Vm &vm, const QString &guestPath)
{
    const QString role = plan::roleTitle(vm.role);
    if (!vm.vmid)
        return Tr::tr("# %1 (id given at apply) on %2, role %3: %4")
            .arg(vm.name, vm.node, role, guestPath);
    return Tr::tr("# %1 (%2) on %3, role %4: %5")
        .arg(vm.name, QString::number(*vm.vmid), vm.node, role, guestPath);
}

QByteArray maskedApiEnv(const plan::Plan &plan)
{
    // Any non-empty value: only the masked form is rendered, and an apply always has both.
    const ServiceSecrets placeholders{QStringLiteral("unused"), QStringLiteral("unused")};
    const ServiceAddresses addresses = plannedAddresses(plan);

    QStringList onDhcp;
    const std::pair<plan::Role, const QString *> services[] = {
        {plan::Role::Db, &addresses.db},
        {plan::Role::Vector, &addresses.vector},
        {plan::Role::Redis, &addresses.redis},
        {plan::Role::Llm, &addresses.llm},
    };
    for (const auto &[role, address] : services)
        if (address->isEmpty() && !plan.vmsWithRole(role).isEmpty())
            onDhcp.append(plan::roleTitle(role));

    QString preface =
        Tr::tr("# Exported before applying: passwords are masked; an apply writes the real ones "
               "from the keychain.") +
        QLatin1Char('\n') +
        Tr::tr("# Addresses are the plan's planned static ones; VMs on DHCP get theirs when the "
               "plan is applied.") +
        QLatin1Char('\n');
    if (!onDhcp.isEmpty())
        preface += Tr::tr("# On DHCP, so left empty here: %1.").arg(onDhcp.join(u", ")) +
                   QLatin1Char('\n');
    return preface.toUtf8() +
           renderEnv(apiEnvironment(plan, addresses, placeholders), SecretDisplay::Masked);
}

QList<ScriptFile> scriptFiles(const plan::Plan &plan, const plan::Vm &vm)
{
    QList<ScriptFile> files;
    files.append({vm.name + QStringLiteral(".sh"), QString::fromLatin1(kGuestScriptPath),
                  provisioningScript(plan, vm, plannedAddresses(plan))});
    if (vm.role == plan::Role::Api)
        files.append({vm.name + QStringLiteral(".env"), QString::fromLatin1(kGuestEnvPath),
                      maskedApiEnv(plan)});
    return files;
}

Status exportScripts(const plan::Plan &plan, const QString &dir, const QString &onlyVm,
                     QStringList *written)
{
    const auto vms = scriptVms(plan, onlyVm);
    if (!vms)
        return vms.error();

    const QDir folder(dir);
    if (!QDir().mkpath(dir))
        return Error{Tr::tr("The folder %1 could not be created.").arg(dir),
                     Tr::tr("Check that its parent exists and is writable, or choose another "
                            "folder."),
                     dir};
    for (const plan::Vm *vm : vms.value()) {
        for (const ScriptFile &file : scriptFiles(plan, *vm)) {
            const QString path = folder.filePath(file.fileName);
            const Status status = writeFile(path, file.content);
            if (!status)
                return status;
            if (written != nullptr)
                written->append(path);
        }
    }
    return Done{};
}

} // namespace rae::deploy
