#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace rae::proxmox {

// What `GET /access/permissions` says the session may do: path → privilege → propagates.
class Permissions final
{
public:
    static Result<Permissions> fromData(const QJsonValue &data);

    // Whether `privilege` holds on `path`. The reply lists effective privileges per ACL path; a
    // path that is not listed inherits from its nearest listed ancestor, but only the privileges
    // whose propagate flag is set.
    bool has(const QString &path, const QString &privilege) const;
    bool isEmpty() const { return m_paths.isEmpty(); }

private:
    QMap<QString, QMap<QString, bool>> m_paths;
};

// What the deployment needs to reach, so that privileges are checked on the right paths.
struct DeploymentScope
{
    int pveMajor = 9;
    QString pool;            // VMs are allocated in this pool when set
    QStringList storages;    // where disks go
    QString backupStorage;   // empty: no backups planned
    QStringList bridges;     // "vmbr1" or "vmbr1/20" (bridge and VLAN tag)
    QStringList pciMappings; // the GPU mapping ids
    bool usesHa = false;
    bool usesReplication = false;
    bool viaApiToken = false; // a token may be privilege-separated: say so when things are missing
};

// One operation of the application and the privileges it lacks.
struct OperationCheck
{
    enum class Operation
    {
        Inventory,
        CreateVms,
        CloneTemplate,
        PowerVms,
        MigrateVms,
        DeleteVms,
        UseGpu,
        ManageHa,
        ManageReplication,
        Backup,
        GuestAgent,
    };
    struct Need
    {
        QString path;
        QString privilege;
        friend bool operator==(const Need &, const Need &) = default;
    };

    Operation operation = Operation::Inventory;
    QString title;       // for people: "create the VMs"
    QList<Need> missing; // empty: allowed
    bool allowed() const { return missing.isEmpty(); }
};

struct PrivilegeReport
{
    QList<OperationCheck> operations;
    QStringList neededPrivileges; // every privilege the scope asks for, for one role

    bool allAllowed() const;
    const OperationCheck *check(OperationCheck::Operation operation) const;
    // A paragraph per operation that is not allowed, what to grant where, and the `pveum` lines
    // that would grant it (with the token's own ACL when the session is a token).
    QString toText(const QString &authId) const;
    bool viaApiToken = false;
};

PrivilegeReport checkPrivileges(const Permissions &permissions, const DeploymentScope &scope);

} // namespace rae::proxmox
