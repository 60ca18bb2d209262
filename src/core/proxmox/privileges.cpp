#include "proxmox/privileges.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <algorithm>

namespace rae::proxmox {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::proxmox::Privileges)
};

using Operation = OperationCheck::Operation;
using Need = OperationCheck::Need;

QString parentOf(const QString &path)
{
    if (path == QLatin1String("/"))
        return {};
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

QString normalizedPath(QString path)
{
    if (!path.startsWith(QLatin1Char('/')))
        path.prepend(QLatin1Char('/'));
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path;
}

} // namespace

Result<Permissions> Permissions::fromData(const QJsonValue &data)
{
    if (!data.isObject())
        return Error{Tr::tr("the permissions answer is not an object"), {}, {}};
    Permissions permissions;
    const QJsonObject paths = data.toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        QMap<QString, bool> privileges;
        const QJsonObject map = path.value().toObject();
        for (auto privilege = map.begin(); privilege != map.end(); ++privilege)
            privileges.insert(privilege.key(), lenient::toBool(privilege.value()).value_or(true));
        permissions.m_paths.insert(normalizedPath(path.key()), privileges);
    }
    return permissions;
}

bool Permissions::has(const QString &path, const QString &privilege) const
{
    const QString start = normalizedPath(path);
    for (QString at = start; !at.isEmpty(); at = parentOf(at)) {
        const auto listed = m_paths.constFind(at);
        if (listed == m_paths.cend())
            continue;
        // The nearest listed path decides: what it lacks is not inherited from further up.
        if (at == start)
            return listed->contains(privilege);
        return listed->value(privilege, false);
    }
    return false;
}

bool PrivilegeReport::allAllowed() const
{
    return std::all_of(operations.cbegin(), operations.cend(),
                       [](const OperationCheck &check) { return check.allowed(); });
}

const OperationCheck *PrivilegeReport::check(OperationCheck::Operation operation) const
{
    for (const OperationCheck &candidate : operations) {
        if (candidate.operation == operation)
            return &candidate;
    }
    return nullptr;
}

PrivilegeReport checkPrivileges(const Permissions &permissions, const DeploymentScope &scope)
{
    PrivilegeReport report;
    report.viaApiToken = scope.viaApiToken;
    const QString vmRoot =
        scope.pool.isEmpty() ? QStringLiteral("/vms") : QStringLiteral("/pool/") + scope.pool;

    auto add = [&](Operation operation, const QString &title, const QList<Need> &needs) {
        OperationCheck check;
        check.operation = operation;
        check.title = title;
        for (const Need &need : needs) {
            if (!report.neededPrivileges.contains(need.privilege))
                report.neededPrivileges << need.privilege;
            // A VM privilege may come from the pool or from /vms.
            const bool held =
                permissions.has(need.path, need.privilege) ||
                (need.path == vmRoot && permissions.has(QStringLiteral("/vms"), need.privilege));
            if (!held && !check.missing.contains(need))
                check.missing << need;
        }
        report.operations << check;
    };
    auto onVms = [&](std::initializer_list<const char *> privileges) {
        QList<Need> needs;
        for (const char *privilege : privileges)
            needs << Need{vmRoot, QString::fromLatin1(privilege)};
        return needs;
    };

    add(Operation::Inventory, Tr::tr("read the inventory (nodes, guests, storages, HA)"),
        {{QStringLiteral("/"), QStringLiteral("Sys.Audit")},
         {QStringLiteral("/nodes"), QStringLiteral("Sys.Audit")},
         {QStringLiteral("/vms"), QStringLiteral("VM.Audit")},
         {QStringLiteral("/storage"), QStringLiteral("Datastore.Audit")},
         {QStringLiteral("/mapping/pci"), QStringLiteral("Mapping.Audit")}});

    QList<Need> create = onVms({"VM.Allocate", "VM.Config.CPU", "VM.Config.Memory",
                                "VM.Config.Disk", "VM.Config.Network", "VM.Config.Options",
                                "VM.Config.Cloudinit", "VM.Config.HWType", "VM.Config.CDROM"});
    for (const QString &storage : scope.storages)
        create << Need{QStringLiteral("/storage/") + storage,
                       QStringLiteral("Datastore.AllocateSpace")};
    for (const QString &bridge : scope.bridges)
        create << Need{QStringLiteral("/sdn/zones/localnetwork/") + bridge,
                       QStringLiteral("SDN.Use")};
    add(Operation::CreateVms, Tr::tr("create and configure the VMs"), create);
    add(Operation::CloneTemplate, Tr::tr("clone VMs from a template"),
        onVms({"VM.Clone", "VM.Allocate"}));
    add(Operation::PowerVms, Tr::tr("start, stop and reboot the VMs"), onVms({"VM.PowerMgmt"}));
    add(Operation::MigrateVms, Tr::tr("migrate the VMs between nodes"), onVms({"VM.Migrate"}));
    add(Operation::DeleteVms, Tr::tr("remove the VMs"), onVms({"VM.Allocate"}));
    add(Operation::GuestAgent, Tr::tr("check services inside the VMs through the guest agent"),
        scope.pveMajor >= 9 ? onVms({"VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"})
                            : onVms({"VM.Monitor"}));

    if (!scope.pciMappings.isEmpty()) {
        QList<Need> gpu = onVms({"VM.Config.HWType"});
        for (const QString &mapping : scope.pciMappings)
            gpu << Need{QStringLiteral("/mapping/pci/") + mapping, QStringLiteral("Mapping.Use")};
        add(Operation::UseGpu, Tr::tr("pass the GPU through to the LLM VM"), gpu);
    }
    if (scope.usesHa) {
        add(Operation::ManageHa, Tr::tr("make the VMs highly available (HA resources and rules)"),
            {{QStringLiteral("/"), QStringLiteral("Sys.Console")}});
    }
    if (scope.usesReplication) {
        // PVE 9 checks the guest; earlier releases checked the storage.
        add(Operation::ManageReplication, Tr::tr("set up storage replication"),
            scope.pveMajor >= 9
                ? onVms({"VM.Replicate"})
                : QList<Need>{{QStringLiteral("/storage"), QStringLiteral("Datastore.Allocate")}});
    }
    if (!scope.backupStorage.isEmpty()) {
        QList<Need> backup = onVms({"VM.Backup"});
        backup << Need{QStringLiteral("/storage/") + scope.backupStorage,
                       QStringLiteral("Datastore.AllocateSpace")};
        backup << Need{QStringLiteral("/"), QStringLiteral("Sys.Modify")}; // backup jobs
        add(Operation::Backup, Tr::tr("schedule backups"), backup);
    }
    return report;
}

QString PrivilegeReport::toText(const QString &authId) const
{
    QStringList lines;
    QMap<QString, QStringList> byPath; // path → privileges to grant there
    for (const OperationCheck &check : operations) {
        if (check.allowed()) {
            lines << Tr::tr("✓ may %1").arg(check.title);
            continue;
        }
        QStringList missing;
        for (const Need &need : check.missing) {
            missing << Tr::tr("%1 on %2").arg(need.privilege, need.path);
            if (!byPath[need.path].contains(need.privilege))
                byPath[need.path] << need.privilege;
        }
        lines << Tr::tr("✗ may not %1: missing %2")
                     .arg(check.title, missing.join(QStringLiteral(", ")));
    }
    if (byPath.isEmpty())
        return lines.join(QLatin1Char('\n'));

    lines << QString();
    if (viaApiToken) {
        lines << Tr::tr("This session uses an API token. A privilege-separated token only has the "
                        "privileges granted both to its user and to the token itself, so grant "
                        "them to the token (-token), or create it with privsep=0.");
    }
    lines << Tr::tr("A role with what RAE Deploy needs, and where to grant it:");
    lines << QStringLiteral("  pveum role add RAEDeploy -privs \"%1\"")
                 .arg(neededPrivileges.join(QLatin1Char(' ')));
    const QString who = viaApiToken ? QStringLiteral("-token '%1'").arg(authId)
                                    : QStringLiteral("-user '%1'").arg(authId);
    const QStringList paths = byPath.keys();
    for (const QString &path : paths)
        lines << QStringLiteral("  pveum acl modify %1 %2 -role RAEDeploy").arg(path, who);
    return lines.join(QLatin1Char('\n'));
}

} // namespace rae::proxmox
