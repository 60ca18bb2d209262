// Authentication, permissions, and the read side of the cluster and its nodes.
#include "cluster.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

namespace rae::sim {

namespace {

constexpr long long ticketLifetime = 2 * 3600;
constexpr long long clockSkew = 300;

QString hex8(long long value)
{
    return QStringLiteral("%1").arg(static_cast<quint64>(value), 8, 16, QLatin1Char('0')).toUpper();
}

QString digestOf(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex());
}

} // namespace

void Cluster::registerHandlers()
{
    route("GET", "/version", &Cluster::getVersion);
    route("POST", "/access/ticket", &Cluster::postTicket, true);
    route("GET", "/access/permissions", &Cluster::getPermissions);
    route("GET", "/cluster/status", &Cluster::getClusterStatus);
    route("GET", "/cluster/options", &Cluster::getClusterOptions);
    route("GET", "/cluster/resources", &Cluster::getClusterResources);
    route("GET", "/cluster/nextid", &Cluster::getNextId);
    route("GET", "/cluster/tasks", &Cluster::getClusterTasks);
    route("GET", "/cluster/mapping/pci", &Cluster::getPciMappings);
    route("GET", "/cluster/mapping/pci/{id}", &Cluster::getPciMapping);
    route("GET", "/pools", &Cluster::getPools);
    route("POST", "/pools", &Cluster::postPool);
    route("PUT", "/pools", &Cluster::putPool);
    route("GET", "/pools/{poolid}", &Cluster::getPool);
    route("PUT", "/pools/{poolid}", &Cluster::putPool);
    route("GET", "/storage", &Cluster::getStorageConfig);
    route("GET", "/nodes", &Cluster::getNodes);
    route("GET", "/nodes/{node}/status", &Cluster::getNodeStatus);
    route("GET", "/nodes/{node}/rrddata", &Cluster::getNodeRrdData);
    route("GET", "/nodes/{node}/qemu/{vmid}/rrddata", &Cluster::getVmRrdData);
    route("GET", "/cluster/ceph/status", &Cluster::getCephStatus);
    route("GET", "/nodes/{node}/version", &Cluster::getNodeVersion);
    route("GET", "/nodes/{node}/storage", &Cluster::getNodeStorage);
    route("GET", "/nodes/{node}/storage/{storage}/status", &Cluster::getStorageStatus);
    route("GET", "/nodes/{node}/storage/{storage}/content", &Cluster::getStorageContent);
    route("GET", "/nodes/{node}/network", &Cluster::getNodeNetwork);
    route("GET", "/nodes/{node}/certificates/info", &Cluster::getCertificates);
    route("GET", "/nodes/{node}/hardware/pci", &Cluster::getHardwarePci);
    route("GET", "/nodes/{node}/tasks", &Cluster::getNodeTasks);
    route("GET", "/nodes/{node}/tasks/{upid}/status", &Cluster::getTaskStatus);
    route("GET", "/nodes/{node}/tasks/{upid}/log", &Cluster::getTaskLog);
    route("DELETE", "/nodes/{node}/tasks/{upid}", &Cluster::deleteTask);

    route("GET", "/nodes/{node}/qemu", &Cluster::getVms);
    route("POST", "/nodes/{node}/qemu", &Cluster::createVm);
    route("DELETE", "/nodes/{node}/qemu/{vmid}", &Cluster::deleteVm);
    route("GET", "/nodes/{node}/qemu/{vmid}/config", &Cluster::getVmConfig);
    route("POST", "/nodes/{node}/qemu/{vmid}/config", &Cluster::setVmConfig);
    route("PUT", "/nodes/{node}/qemu/{vmid}/config", &Cluster::setVmConfig);
    route("GET", "/nodes/{node}/qemu/{vmid}/pending", &Cluster::getVmPending);
    route("POST", "/nodes/{node}/qemu/{vmid}/clone", &Cluster::cloneVm);
    route("PUT", "/nodes/{node}/qemu/{vmid}/resize", &Cluster::resizeVm);
    route("GET", "/nodes/{node}/qemu/{vmid}/status/current", &Cluster::getVmStatus);
    route("POST", "/nodes/{node}/qemu/{vmid}/status/start", &Cluster::startVm);
    route("POST", "/nodes/{node}/qemu/{vmid}/status/stop", &Cluster::stopVm);
    route("POST", "/nodes/{node}/qemu/{vmid}/status/shutdown", &Cluster::shutdownVm);
    route("POST", "/nodes/{node}/qemu/{vmid}/status/reboot", &Cluster::rebootVm);
    route("GET", "/nodes/{node}/qemu/{vmid}/migrate", &Cluster::getMigrate);
    route("POST", "/nodes/{node}/qemu/{vmid}/migrate", &Cluster::postMigrate);
    route("POST", "/nodes/{node}/qemu/{vmid}/agent/ping", &Cluster::agentPing);
    route("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces",
          &Cluster::agentInterfaces);
    route("POST", "/nodes/{node}/qemu/{vmid}/agent/file-write", &Cluster::agentFileWrite);
    route("POST", "/nodes/{node}/qemu/{vmid}/agent/exec", &Cluster::agentExec);
    route("GET", "/nodes/{node}/qemu/{vmid}/agent/exec-status", &Cluster::agentExecStatus);
    route("POST", "/nodes/{node}/vzdump", &Cluster::vzdump);

    route("GET", "/cluster/ha/resources", &Cluster::getHaResources);
    route("POST", "/cluster/ha/resources", &Cluster::postHaResource);
    route("GET", "/cluster/ha/resources/{sid}", &Cluster::getHaResource);
    route("PUT", "/cluster/ha/resources/{sid}", &Cluster::putHaResource);
    route("DELETE", "/cluster/ha/resources/{sid}", &Cluster::deleteHaResource);
    route("POST", "/cluster/ha/resources/{sid}/migrate", &Cluster::migrateHaResource);
    route("POST", "/cluster/ha/resources/{sid}/relocate", &Cluster::migrateHaResource);
    route("GET", "/cluster/ha/groups", &Cluster::getHaGroups);
    route("POST", "/cluster/ha/groups", &Cluster::postHaGroup);
    route("GET", "/cluster/ha/groups/{group}", &Cluster::getHaGroup);
    route("DELETE", "/cluster/ha/groups/{group}", &Cluster::deleteHaGroup);
    route("GET", "/cluster/ha/rules", &Cluster::getHaRules);
    route("POST", "/cluster/ha/rules", &Cluster::postHaRule);
    route("GET", "/cluster/ha/rules/{rule}", &Cluster::getHaRule);
    route("PUT", "/cluster/ha/rules/{rule}", &Cluster::putHaRule);
    route("DELETE", "/cluster/ha/rules/{rule}", &Cluster::deleteHaRule);
    route("GET", "/cluster/ha/status/current", &Cluster::getHaStatus);
    route("GET", "/cluster/ha/status/manager_status", &Cluster::getHaManagerStatus);
    route("GET", "/cluster/replication", &Cluster::getReplicationJobs);
    route("POST", "/cluster/replication", &Cluster::postReplicationJob);
    route("GET", "/cluster/replication/{id}", &Cluster::getReplicationJob);
    route("DELETE", "/cluster/replication/{id}", &Cluster::deleteReplicationJob);
    route("GET", "/nodes/{node}/replication", &Cluster::getNodeReplication);
    route("GET", "/nodes/{node}/replication/{id}/status", &Cluster::getReplicationStatus);
    route("POST", "/nodes/{node}/replication/{id}/schedule_now", &Cluster::replicationScheduleNow);
    route("GET", "/cluster/backup", &Cluster::getBackupJobs);
    route("POST", "/cluster/backup", &Cluster::postBackupJob);
    route("GET", "/cluster/backup/{id}", &Cluster::getBackupJob);
    route("DELETE", "/cluster/backup/{id}", &Cluster::deleteBackupJob);
}

// --- authentication -----------------------------------------------------------------------

QString Cluster::makeTicket(const QString &data, long long time) const
{
    const QString plain = QStringLiteral("PVE:%1:%2").arg(data, hex8(time));
    const QByteArray signature = hmacSha256(m_ticketKey, plain.toUtf8()).toBase64();
    return plain + QStringLiteral("::") + QString::fromLatin1(signature);
}

std::optional<QString> Cluster::ticketData(const QString &ticket) const
{
    static const QRegularExpression format(QStringLiteral("^PVE:(.+):([0-9A-Fa-f]{8})::(.+)$"));
    const auto match = format.match(ticket);
    if (!match.hasMatch())
        return std::nullopt;
    const QString data = match.captured(1);
    const long long time = match.captured(2).toLongLong(nullptr, 16);
    if (makeTicket(data, time) != ticket)
        return std::nullopt;
    const long long age = m_clock.nowSeconds() - time;
    if (age < -clockSkew || age > ticketLifetime)
        return std::nullopt;
    return QUrl::fromPercentEncoding(data.toUtf8());
}

QString Cluster::makeCsrf(const QString &userid, long long time) const
{
    const QString stamp = hex8(time);
    const QByteArray mac = hmacSha256(m_csrfKey, (stamp + QLatin1Char(':') + userid).toUtf8());
    return stamp + QLatin1Char(':') +
           QString::fromLatin1(mac.toBase64(QByteArray::OmitTrailingEquals));
}

Reply Cluster::authFailure(const QString &oldText) const
{
    return Reply::bareError(
        401, m_scenario.unifiedAuthFailure ? QStringLiteral("Authentication failed!") : oldText);
}

Outcome<Identity> Cluster::authenticate(const ApiRequest &request, bool write) const
{
    static const QRegularExpression tokenHeader(QStringLiteral("^PVEAPIToken[ =](.+)$"));
    const auto tokenMatch = tokenHeader.match(request.authorization);
    if (tokenMatch.hasMatch()) {
        const QString value = QUrl::fromPercentEncoding(tokenMatch.captured(1).toUtf8());
        const qsizetype split = value.lastIndexOf(QLatin1Char('='));
        const QString tokenId = value.left(split);
        const QString secret = value.mid(split + 1);
        static const QRegularExpression idFormat(
            QStringLiteral("^([^\\s:/!]+@[A-Za-z][A-Za-z0-9.\\-_]+)!([A-Za-z][A-Za-z0-9.\\-_]+)$"));
        const auto id = idFormat.match(tokenId);
        if (split < 0 || !id.hasMatch())
            return authFailure(QStringLiteral("invalid token value!"));
        for (const UserDef &user : m_scenario.users) {
            if (user.userid != id.captured(1))
                continue;
            for (const TokenDef &token : user.tokens) {
                if (token.name != id.captured(2))
                    continue;
                if (token.secret != secret)
                    return authFailure(QStringLiteral("invalid token value!"));
                return Identity{user.userid, token.name, false};
            }
        }
        return authFailure(
            QStringLiteral("no such token '%1' for user '%2'").arg(id.captured(2), id.captured(1)));
    }

    QString ticket = request.ticketCookie;
    if (ticket.isEmpty() && request.authorization.startsWith(QLatin1String("PVEAuthCookie=")))
        ticket = QUrl::fromPercentEncoding(request.authorization.mid(14).toUtf8());
    if (ticket.isEmpty())
        return Reply::bareError(401, QStringLiteral("No ticket"));

    const auto data = ticketData(ticket);
    if (!data || data->startsWith(QLatin1String("!tfa!")))
        return authFailure(QStringLiteral("permission denied - invalid PVE ticket"));

    if (write) {
        static const QRegularExpression csrfFormat(QStringLiteral("^([0-9A-F]{8}):(.+)$"));
        const auto csrf = csrfFormat.match(request.csrfToken);
        const long long time = csrf.hasMatch() ? csrf.captured(1).toLongLong(nullptr, 16) : 0;
        const long long age = m_clock.nowSeconds() - time;
        if (!csrf.hasMatch() || makeCsrf(*data, time) != request.csrfToken || age < -clockSkew ||
            age > ticketLifetime)
            return Reply::bareError(401, QStringLiteral("Permission denied - invalid csrf token"));
    }
    return Identity{*data, {}, true};
}

Reply Cluster::postTicket(Call &call)
{
    QString username = call.text(QStringLiteral("username"));
    if (call.has(QStringLiteral("realm")) && !username.contains(QLatin1Char('@')))
        username += QLatin1Char('@') + call.text(QStringLiteral("realm"));
    const QString password = call.text(QStringLiteral("password"));
    const Reply refused = Reply::error(401, QStringLiteral("authentication failure"));

    const UserDef *user = nullptr;
    for (const UserDef &candidate : m_scenario.users) {
        if (candidate.userid == username)
            user = &candidate;
    }
    if (!user)
        return refused;

    const long long now = m_clock.nowSeconds();
    auto fullTicket = [&]() {
        QJsonObject data{
            {QStringLiteral("username"), user->userid},
            {QStringLiteral("ticket"),
             makeTicket(QString::fromUtf8(QUrl::toPercentEncoding(user->userid, "@")), now)},
            {QStringLiteral("CSRFPreventionToken"), makeCsrf(user->userid, now)}};
        const Identity who{user->userid, {}, true};
        if (can(who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
            data.insert(QStringLiteral("clustername"), m_scenario.cluster);
        auto section = [&](const QString &path, const QString &prefix) {
            QJsonObject privs;
            for (const QString &priv : privileges(who, path)) {
                if (priv.startsWith(prefix))
                    privs.insert(priv, 1);
            }
            return privs;
        };
        data.insert(
            QStringLiteral("cap"),
            QJsonObject{
                {QStringLiteral("vms"), section(QStringLiteral("/vms"), QStringLiteral("VM."))},
                {QStringLiteral("storage"),
                 section(QStringLiteral("/storage"), QStringLiteral("Datastore."))},
                {QStringLiteral("access"),
                 section(QStringLiteral("/access"), QStringLiteral("User."))},
                {QStringLiteral("nodes"),
                 section(QStringLiteral("/nodes"), QStringLiteral("Sys."))},
                {QStringLiteral("dc"), section(QStringLiteral("/"), QStringLiteral("Sys."))},
                {QStringLiteral("sdn"), section(QStringLiteral("/sdn"), QStringLiteral("SDN."))},
                {QStringLiteral("mapping"),
                 section(QStringLiteral("/mapping"), QStringLiteral("Mapping."))}});
        return Reply::ok(data);
    };

    if (call.has(QStringLiteral("tfa-challenge"))) {
        if (call.has(QStringLiteral("otp")))
            return Reply::error(500,
                                QStringLiteral("TFA response should be in 'password', not 'otp'"));
        const QString challenge = call.text(QStringLiteral("tfa-challenge"));
        const auto data = ticketData(challenge);
        if (!data || !data->startsWith(QLatin1String("!tfa!")) ||
            m_pendingTfa.value(challenge) != user->userid)
            return refused;
        if (!password.startsWith(QLatin1String("totp:")))
            return Reply::error(500, QStringLiteral("bad otp response"));
        const QString code = password.mid(5);
        for (long long step = -1; step <= 1; ++step) {
            const auto expected = totpCode(user->totpSecret, now + step * 30);
            if (expected && *expected == code) {
                m_pendingTfa.remove(challenge);
                return fullTicket();
            }
        }
        return refused;
    }

    // Renewal: a still-valid ticket of the same user stands in for the password.
    if (password.startsWith(QLatin1String("PVE:"))) {
        const auto data = ticketData(password);
        if (data && *data == user->userid)
            return fullTicket();
        return refused;
    }
    if (user->password.isEmpty() || password != user->password)
        return refused;

    if (!user->totpSecret.isEmpty()) {
        const QByteArray challenge = QUrl::toPercentEncoding(QStringLiteral("{\"totp\":true}"));
        const QString half =
            makeTicket(QStringLiteral("!tfa!") + QString::fromLatin1(challenge), now);
        m_pendingTfa.insert(half, user->userid);
        return Reply::ok(QJsonObject{{QStringLiteral("username"), user->userid},
                                     {QStringLiteral("ticket"), half},
                                     {QStringLiteral("NeedTFA"), 1}});
    }
    return fullTicket();
}

// --- permissions --------------------------------------------------------------------------

QStringList Cluster::allPrivileges() const
{
    QStringList privs = {QStringLiteral("Datastore.Allocate"),
                         QStringLiteral("Datastore.AllocateSpace"),
                         QStringLiteral("Datastore.AllocateTemplate"),
                         QStringLiteral("Datastore.Audit"),
                         QStringLiteral("Group.Allocate"),
                         QStringLiteral("Mapping.Audit"),
                         QStringLiteral("Mapping.Modify"),
                         QStringLiteral("Mapping.Use"),
                         QStringLiteral("Permissions.Modify"),
                         QStringLiteral("Pool.Allocate"),
                         QStringLiteral("Pool.Audit"),
                         QStringLiteral("Realm.Allocate"),
                         QStringLiteral("Realm.AllocateUser"),
                         QStringLiteral("SDN.Allocate"),
                         QStringLiteral("SDN.Audit"),
                         QStringLiteral("SDN.Use"),
                         QStringLiteral("Sys.AccessNetwork"),
                         QStringLiteral("Sys.Audit"),
                         QStringLiteral("Sys.Console"),
                         QStringLiteral("Sys.Incoming"),
                         QStringLiteral("Sys.Modify"),
                         QStringLiteral("Sys.PowerMgmt"),
                         QStringLiteral("Sys.Syslog"),
                         QStringLiteral("User.Modify"),
                         QStringLiteral("VM.Allocate"),
                         QStringLiteral("VM.Audit"),
                         QStringLiteral("VM.Backup"),
                         QStringLiteral("VM.Clone"),
                         QStringLiteral("VM.Config.CDROM"),
                         QStringLiteral("VM.Config.CPU"),
                         QStringLiteral("VM.Config.Cloudinit"),
                         QStringLiteral("VM.Config.Disk"),
                         QStringLiteral("VM.Config.HWType"),
                         QStringLiteral("VM.Config.Memory"),
                         QStringLiteral("VM.Config.Network"),
                         QStringLiteral("VM.Config.Options"),
                         QStringLiteral("VM.Console"),
                         QStringLiteral("VM.Migrate"),
                         QStringLiteral("VM.PowerMgmt"),
                         QStringLiteral("VM.Snapshot"),
                         QStringLiteral("VM.Snapshot.Rollback")};
    if (m_scenario.isPve9()) {
        privs << QStringLiteral("VM.GuestAgent.Audit") << QStringLiteral("VM.GuestAgent.FileRead")
              << QStringLiteral("VM.GuestAgent.FileWrite")
              << QStringLiteral("VM.GuestAgent.FileSystemMgmt")
              << QStringLiteral("VM.GuestAgent.Unrestricted") << QStringLiteral("VM.Replicate");
    } else {
        privs << QStringLiteral("VM.Monitor");
    }
    return privs;
}

QStringList Cluster::rolePrivileges(const QString &role) const
{
    for (const RoleDef &def : m_scenario.roles) {
        if (def.id == role)
            return def.privs;
    }
    const QStringList all = allPrivileges();
    auto matching = [&](const QStringList &prefixes) {
        QStringList out;
        for (const QString &priv : all) {
            for (const QString &prefix : prefixes) {
                if (priv.startsWith(prefix) || priv == prefix)
                    out << priv;
            }
        }
        return out;
    };
    if (role == QLatin1String("Administrator"))
        return all;
    if (role == QLatin1String("PVEAuditor")) {
        QStringList out;
        for (const QString &priv : all) {
            if (priv.endsWith(QLatin1String(".Audit")))
                out << priv;
        }
        return out;
    }
    if (role == QLatin1String("PVEVMAdmin"))
        return matching({QStringLiteral("VM."), QStringLiteral("Pool.Audit"),
                         QStringLiteral("Mapping.Use"), QStringLiteral("SDN.Use"),
                         QStringLiteral("Mapping.Audit")});
    if (role == QLatin1String("PVEVMUser"))
        return matching({QStringLiteral("VM.Audit"), QStringLiteral("VM.Console"),
                         QStringLiteral("VM.PowerMgmt"), QStringLiteral("VM.Backup"),
                         QStringLiteral("VM.Config.CDROM"), QStringLiteral("VM.Config.Cloudinit"),
                         QStringLiteral("VM.Snapshot"), QStringLiteral("Pool.Audit")});
    if (role == QLatin1String("PVEDatastoreUser"))
        return {QStringLiteral("Datastore.AllocateSpace"),
                QStringLiteral("Datastore.AllocateTemplate"), QStringLiteral("Datastore.Audit")};
    if (role == QLatin1String("PVESDNUser"))
        return {QStringLiteral("SDN.Audit"), QStringLiteral("SDN.Use")};
    if (role == QLatin1String("PVEMappingUser"))
        return {QStringLiteral("Mapping.Audit"), QStringLiteral("Mapping.Use")};
    return {};
}

QSet<QString> Cluster::aclPrivileges(const QString &ugid, const QString &path) const
{
    // More specific paths replace what was inherited; non-propagating entries apply only to
    // their own path.
    QStringList prefixes{QStringLiteral("/")};
    QString walked;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        walked += QLatin1Char('/') + part;
        prefixes << walked;
    }
    QSet<QString> current;
    for (const QString &prefix : prefixes) {
        QSet<QString> here;
        bool found = false;
        for (const AclDef &acl : m_scenario.acl) {
            if (acl.ugid != ugid || acl.path != prefix)
                continue;
            if (prefix != path && !acl.propagate)
                continue;
            found = true;
            for (const QString &priv : rolePrivileges(acl.role))
                here.insert(priv);
        }
        if (found)
            current = here;
    }
    return current;
}

QSet<QString> Cluster::privileges(const Identity &who, const QString &path) const
{
    const QString key = who.full() + QLatin1Char('|') + path;
    if (const auto cached = m_privilegeCache.constFind(key); cached != m_privilegeCache.constEnd())
        return *cached;
    bool privsep = true;
    for (const UserDef &user : m_scenario.users) {
        for (const TokenDef &token : user.tokens) {
            if (user.userid == who.userid && token.name == who.token)
                privsep = token.privsep;
        }
    }
    QSet<QString> user;
    if (who.userid == QLatin1String("root@pam")) {
        const QStringList all = allPrivileges();
        user = QSet<QString>(all.begin(), all.end());
    } else {
        user = aclPrivileges(who.userid, path);
    }
    if (!who.token.isEmpty() && privsep)
        user.intersect(aclPrivileges(who.full(), path));
    m_privilegeCache.insert(key, user);
    return user;
}

bool Cluster::can(const Identity &who, const QString &path, const QString &priv) const
{
    return privileges(who, path).contains(priv);
}

Reply Cluster::forbidden(const QString &path, const QString &priv) const
{
    return Reply::error(403, QStringLiteral("Permission check failed (%1, %2)").arg(path, priv));
}

Reply Cluster::getPermissions(Call &call)
{
    Identity subject = call.who;
    if (call.has(QStringLiteral("userid"))) {
        const QString userid = call.text(QStringLiteral("userid"));
        const QString owner = userid.section(QLatin1Char('!'), 0, 0);
        if (owner != call.who.userid &&
            !can(call.who, QStringLiteral("/access"), QStringLiteral("Sys.Audit")))
            return forbidden(QStringLiteral("/access"), QStringLiteral("Sys.Audit"));
        subject = Identity{owner,
                           userid.contains(QLatin1Char('!')) ? userid.section(QLatin1Char('!'), 1)
                                                             : QString(),
                           false};
    }
    QStringList paths;
    if (call.has(QStringLiteral("path"))) {
        paths << call.text(QStringLiteral("path"));
    } else {
        paths << QStringLiteral("/") << QStringLiteral("/access") << QStringLiteral("/mapping")
              << QStringLiteral("/nodes") << QStringLiteral("/pool") << QStringLiteral("/sdn")
              << QStringLiteral("/storage") << QStringLiteral("/vms");
        for (const AclDef &acl : m_scenario.acl) {
            if ((acl.ugid == subject.userid || acl.ugid == subject.full()) &&
                !paths.contains(acl.path))
                paths << acl.path;
        }
    }
    QJsonObject out;
    for (const QString &path : paths) {
        QJsonObject privs;
        for (const QString &priv : privileges(subject, path))
            privs.insert(priv, 1);
        if (!privs.isEmpty() || call.has(QStringLiteral("path")))
            out.insert(path, privs);
    }
    return Reply::ok(out);
}

// --- cluster-wide reads -------------------------------------------------------------------

Reply Cluster::getVersion(Call &)
{
    return Reply::ok(QJsonObject{
        {QStringLiteral("version"), m_scenario.version},
        {QStringLiteral("release"), m_scenario.release},
        {QStringLiteral("repoid"), m_scenario.isPve9() ? QStringLiteral("7a5d9e1c0b3f8a21")
                                                       : QStringLiteral("c3e1a6f59d0b4e72")}});
}

Reply Cluster::getClusterStatus(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    int online = 0;
    for (const NodeState &node : m_nodes)
        online += node.online() ? 1 : 0;
    QJsonArray out;
    out.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("cluster")},
                           {QStringLiteral("id"), QStringLiteral("cluster")},
                           {QStringLiteral("name"), m_scenario.cluster},
                           {QStringLiteral("nodes"), static_cast<int>(m_nodes.size())},
                           {QStringLiteral("quorate"), online * 2 > m_nodes.size() ? 1 : 0},
                           {QStringLiteral("version"), 3 + static_cast<int>(m_nodes.size())}});
    int nodeid = 1;
    for (const NodeDef &def : m_scenario.nodes) {
        const NodeState &node = m_nodes[def.name];
        out.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("node")},
                               {QStringLiteral("id"), QString(QStringLiteral("node/") + def.name)},
                               {QStringLiteral("name"), def.name},
                               {QStringLiteral("nodeid"), nodeid++},
                               {QStringLiteral("ip"), def.ip},
                               {QStringLiteral("local"), def.name == localNode() ? 1 : 0},
                               {QStringLiteral("online"), node.online() ? 1 : 0},
                               {QStringLiteral("level"), QString()}});
    }
    return Reply::ok(out);
}

// datacenter.cfg as the API decodes it: property-string options come back as objects. Only what
// the scenario says is set, as on a cluster whose file holds just those lines.
Reply Cluster::getClusterOptions(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    QJsonObject out{{QStringLiteral("keyboard"), QStringLiteral("en-us")}};
    if (m_scenario.crsHa != QLatin1String("basic"))
        out.insert(QStringLiteral("crs"), QJsonObject{{QStringLiteral("ha"), m_scenario.crsHa}});
    if (!m_scenario.haShutdownPolicy.isEmpty())
        out.insert(QStringLiteral("ha"),
                   QJsonObject{{QStringLiteral("shutdown_policy"), m_scenario.haShutdownPolicy}});
    return Reply::ok(out);
}

QString Cluster::haStateOf(const HaResource &resource) const
{
    return resource.crmState;
}

Reply Cluster::getClusterResources(Call &call)
{
    const QString type = call.text(QStringLiteral("type"));
    const double now = m_clock.now();
    QJsonArray out;

    if (type.isEmpty() || type == QLatin1String("node")) {
        for (const NodeDef &def : m_scenario.nodes) {
            const NodeState &node = m_nodes[def.name];
            QJsonObject entry{{QStringLiteral("id"), QString(QStringLiteral("node/") + def.name)},
                              {QStringLiteral("type"), QStringLiteral("node")},
                              {QStringLiteral("node"), def.name},
                              {QStringLiteral("status"), node.online()
                                                             ? QStringLiteral("online")
                                                             : QStringLiteral("offline")}};
            if (node.online()) {
                entry.insert(QStringLiteral("level"), QString());
                entry.insert(QStringLiteral("cgroup-mode"), 2);
                if (can(call.who, QStringLiteral("/nodes/") + def.name,
                        QStringLiteral("Sys.Audit"))) {
                    const QJsonObject stats = nodeStats(node);
                    for (auto it = stats.begin(); it != stats.end(); ++it)
                        entry.insert(it.key(), it.value());
                }
                if (!m_haResources.isEmpty())
                    entry.insert(QStringLiteral("hastate"), QStringLiteral("online"));
            } else if (!m_haResources.isEmpty()) {
                entry.insert(QStringLiteral("hastate"), now - node.offlineSince > 60
                                                            ? QStringLiteral("fence")
                                                            : QStringLiteral("unknown"));
            }
            out.append(entry);
        }
    }

    if (type.isEmpty() || type == QLatin1String("vm")) {
        for (const auto &[vmid, vm] : m_vms) {
            if (!can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Audit")))
                continue;
            const NodeState &node = m_nodes[vm.node];
            // pmxcfs keeps an offline node's last broadcast for five minutes, then forgets it.
            const bool expired = !node.online() && now - node.offlineSince > 300;
            QJsonObject entry{{QStringLiteral("id"), QStringLiteral("qemu/%1").arg(vmid)},
                              {QStringLiteral("type"), QStringLiteral("qemu")},
                              {QStringLiteral("vmid"), vmid},
                              {QStringLiteral("node"), vm.node},
                              {QStringLiteral("name"), vm.name()},
                              {QStringLiteral("template"), vm.isTemplate() ? 1 : 0}};
            if (expired) {
                entry.insert(QStringLiteral("status"), QStringLiteral("unknown"));
            } else {
                entry.insert(QStringLiteral("status"),
                             vm.running ? QStringLiteral("running") : QStringLiteral("stopped"));
                const QJsonObject stats = vmStats(vm, false);
                for (auto it = stats.begin(); it != stats.end(); ++it)
                    entry.insert(it.key(), it.value());
            }
            if (vm.config.contains(QStringLiteral("tags")))
                entry.insert(QStringLiteral("tags"), vm.config.value(QStringLiteral("tags")));
            if (!vm.lock().isEmpty())
                entry.insert(QStringLiteral("lock"), vm.lock());
            for (const PoolDef &pool : m_scenario.pools) {
                if (pool.vmids.contains(vmid))
                    entry.insert(QStringLiteral("pool"), pool.id);
            }
            if (const auto it = m_haResources.find(haSidOf(vmid)); it != m_haResources.end())
                entry.insert(QStringLiteral("hastate"), haStateOf(*it));
            out.append(entry);
        }
    }

    if (type.isEmpty() || type == QLatin1String("storage")) {
        for (const NodeDef &def : m_scenario.nodes) {
            const NodeState &node = m_nodes[def.name];
            for (const QString &id : def.storages) {
                if (!can(call.who, QStringLiteral("/storage/") + id,
                         QStringLiteral("Datastore.Audit")))
                    continue;
                const StorageDef *store = storage(id);
                QJsonObject entry{
                    {QStringLiteral("id"), QStringLiteral("storage/%1/%2").arg(def.name, id)},
                    {QStringLiteral("type"), QStringLiteral("storage")},
                    {QStringLiteral("node"), def.name},
                    {QStringLiteral("storage"), id},
                    {QStringLiteral("plugintype"), store->type},
                    {QStringLiteral("shared"), store->shared ? 1 : 0},
                    {QStringLiteral("content"), store->content}};
                if (node.online()) {
                    entry.insert(QStringLiteral("status"), QStringLiteral("available"));
                    entry.insert(QStringLiteral("disk"), store->used);
                    entry.insert(QStringLiteral("maxdisk"), store->total);
                } else {
                    entry.insert(QStringLiteral("status"), QStringLiteral("unknown"));
                }
                out.append(entry);
            }
        }
    }

    if (type.isEmpty()) {
        for (const PoolDef &pool : m_scenario.pools) {
            if (can(call.who, QStringLiteral("/pool/") + pool.id, QStringLiteral("Pool.Audit")))
                out.append(
                    QJsonObject{{QStringLiteral("id"), QString(QStringLiteral("/pool/") + pool.id)},
                                {QStringLiteral("type"), QStringLiteral("pool")},
                                {QStringLiteral("pool"), pool.id}});
        }
    }
    // The per-node local zone: an sdn entry up to 9.0, a network entry from 9.1 on.
    if ((type.isEmpty() || (type == QLatin1String("sdn") && !m_scenario.isPve9())) &&
        can(call.who, QStringLiteral("/sdn"), QStringLiteral("SDN.Audit"))) {
        for (const NodeDef &def : m_scenario.nodes) {
            if (!m_nodes[def.name].online())
                continue;
            if (m_scenario.isPve9()) {
                out.append(
                    QJsonObject{{QStringLiteral("id"),
                                 QStringLiteral("network/%1/zone/localnetwork").arg(def.name)},
                                {QStringLiteral("type"), QStringLiteral("network")},
                                {QStringLiteral("network"), QStringLiteral("localnetwork")},
                                {QStringLiteral("network-type"), QStringLiteral("zone")},
                                {QStringLiteral("zone-type"), QStringLiteral("local")},
                                {QStringLiteral("node"), def.name},
                                {QStringLiteral("status"), QStringLiteral("ok")}});
            } else {
                out.append(QJsonObject{
                    {QStringLiteral("id"), QStringLiteral("sdn/%1/localnetwork").arg(def.name)},
                    {QStringLiteral("type"), QStringLiteral("sdn")},
                    {QStringLiteral("sdn"), QStringLiteral("localnetwork")},
                    {QStringLiteral("node"), def.name},
                    {QStringLiteral("status"), QStringLiteral("ok")}});
            }
        }
    }
    return Reply::ok(out);
}

Reply Cluster::getNextId(Call &call)
{
    if (call.has(QStringLiteral("vmid"))) {
        const int vmid = static_cast<int>(call.integer(QStringLiteral("vmid")));
        if (m_vms.count(vmid))
            return Reply::invalid(QStringLiteral("vmid"),
                                  QStringLiteral("VM %1 already exists").arg(vmid));
        return Reply::ok(call.text(QStringLiteral("vmid")));
    }
    // Perl hands the loop counter out as a string on the releases we imitate.
    return Reply::ok(QString::number(nextFreeVmid()));
}

Reply Cluster::getClusterTasks(Call &call)
{
    QJsonArray out;
    int count = 0;
    for (const QString &upid : std::as_const(m_taskOrder)) {
        const Task &task = m_tasks[upid];
        if (task.user != call.who.full() &&
            !can(call.who, QStringLiteral("/nodes/") + task.node, QStringLiteral("Sys.Audit")))
            continue;
        QJsonObject entry{{QStringLiteral("upid"), task.upid},
                          {QStringLiteral("node"), task.node},
                          {QStringLiteral("pid"), static_cast<qint64>(task.pid)},
                          {QStringLiteral("pstart"), static_cast<qint64>(task.pstart)},
                          {QStringLiteral("starttime"), task.starttime},
                          {QStringLiteral("type"), task.type},
                          {QStringLiteral("id"), task.id},
                          {QStringLiteral("user"), task.user}};
        if (!task.running) {
            entry.insert(QStringLiteral("status"), task.exitStatus);
            entry.insert(QStringLiteral("endtime"), task.endtime);
        }
        out.append(entry);
        if (++count >= 200)
            break;
    }
    return Reply::ok(out);
}

Reply Cluster::getPciMappings(Call &call)
{
    QJsonArray out;
    const QString checkNode = call.text(QStringLiteral("check-node"));
    if (!checkNode.isEmpty() && checkNode != localNode())
        return Reply::error(
            500, QStringLiteral("wrong node to check - %1 != %2").arg(checkNode, localNode()));
    for (const PciMappingDef &mapping : m_scenario.pciMappings) {
        const QString path = QStringLiteral("/mapping/pci/") + mapping.id;
        if (!can(call.who, path, QStringLiteral("Mapping.Audit")) &&
            !can(call.who, path, QStringLiteral("Mapping.Use")) &&
            !can(call.who, path, QStringLiteral("Mapping.Modify")))
            continue;
        QJsonObject entry{{QStringLiteral("id"), mapping.id},
                          {QStringLiteral("description"), mapping.description},
                          {QStringLiteral("map"), QJsonArray::fromStringList(mapping.map)}};
        if (mapping.mdev)
            entry.insert(QStringLiteral("mdev"), 1);
        if (mapping.liveMigrationCapable)
            entry.insert(QStringLiteral("live-migration-capable"), 1);
        entry.insert(QStringLiteral("digest"), digestOf(entry));
        if (!checkNode.isEmpty())
            entry.insert(QStringLiteral("checks"), QJsonArray{});
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getPciMapping(Call &call)
{
    Call all = call;
    all.params = {};
    const QJsonArray list = getPciMappings(all).data.toArray();
    for (const QJsonValue &entry : list) {
        if (entry.toObject().value(QStringLiteral("id")).toString() ==
            call.text(QStringLiteral("id")))
            return Reply::ok(entry);
    }
    return Reply::error(
        500,
        QStringLiteral("PCI mapping '%1' does not exist").arg(call.text(QStringLiteral("id"))));
}

Reply Cluster::getPools(Call &call)
{
    QJsonArray out;
    for (const PoolDef &pool : m_scenario.pools) {
        if (call.has(QStringLiteral("poolid")) && call.text(QStringLiteral("poolid")) != pool.id)
            continue;
        if (!can(call.who, QStringLiteral("/pool/") + pool.id, QStringLiteral("Pool.Audit")))
            continue;
        QJsonObject entry{{QStringLiteral("poolid"), pool.id}};
        if (!pool.comment.isEmpty())
            entry.insert(QStringLiteral("comment"), pool.comment);
        if (call.has(QStringLiteral("poolid"))) {
            QJsonArray members;
            for (int vmid : pool.vmids) {
                const auto it = m_vms.find(vmid);
                if (it == m_vms.end())
                    continue;
                QJsonObject member{{QStringLiteral("id"), QStringLiteral("qemu/%1").arg(vmid)},
                                   {QStringLiteral("type"), QStringLiteral("qemu")},
                                   {QStringLiteral("vmid"), vmid},
                                   {QStringLiteral("node"), it->second.node},
                                   {QStringLiteral("name"), it->second.name()},
                                   {QStringLiteral("status"), it->second.running
                                                                  ? QStringLiteral("running")
                                                                  : QStringLiteral("stopped")}};
                members.append(member);
            }
            entry.insert(QStringLiteral("members"), members);
        }
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getStorageConfig(Call &call)
{
    QJsonArray out;
    for (const StorageDef &def : m_scenario.storages) {
        if (call.has(QStringLiteral("type")) && call.text(QStringLiteral("type")) != def.type)
            continue;
        if (!can(call.who, QStringLiteral("/storage/") + def.id,
                 QStringLiteral("Datastore.Audit")) &&
            !can(call.who, QStringLiteral("/storage/") + def.id,
                 QStringLiteral("Datastore.AllocateSpace")))
            continue;
        QJsonObject entry{{QStringLiteral("storage"), def.id},
                          {QStringLiteral("type"), def.type},
                          {QStringLiteral("content"), def.content}};
        if (def.shared)
            entry.insert(QStringLiteral("shared"), 1);
        for (auto it = def.options.begin(); it != def.options.end(); ++it) {
            if (it.key() != QLatin1String("password"))
                entry.insert(it.key(), it.value());
        }
        QStringList nodes;
        for (const NodeDef &node : m_scenario.nodes) {
            if (node.storages.contains(def.id))
                nodes << node.name;
        }
        if (nodes.size() != m_scenario.nodes.size())
            entry.insert(QStringLiteral("nodes"), nodes.join(QLatin1Char(',')));
        entry.insert(QStringLiteral("digest"), digestOf(entry));
        out.append(entry);
    }
    return Reply::ok(out);
}

// --- nodes --------------------------------------------------------------------------------

Reply Cluster::getNodes(Call &call)
{
    QJsonArray out;
    for (const NodeDef &def : m_scenario.nodes) {
        const NodeState &node = m_nodes[def.name];
        QJsonObject entry{{QStringLiteral("node"), def.name},
                          {QStringLiteral("id"), QString(QStringLiteral("node/") + def.name)},
                          {QStringLiteral("type"), QStringLiteral("node")},
                          {QStringLiteral("status"),
                           node.online() ? QStringLiteral("online") : QStringLiteral("offline")},
                          {QStringLiteral("level"), QString()},
                          {QStringLiteral("ssl_fingerprint"), node.certificate.fingerprint}};
        if (node.online() &&
            can(call.who, QStringLiteral("/nodes/") + def.name, QStringLiteral("Sys.Audit"))) {
            const QJsonObject stats = nodeStats(node);
            for (auto it = stats.begin(); it != stats.end(); ++it)
                entry.insert(it.key(), it.value());
        }
        out.append(entry);
    }
    return Reply::ok(out);
}

namespace {

// The steps of pve-rrd's archives (one minute for the last hour, half an hour for the day, ...),
// 70 rows each, as `rrddata` returns them.
double rrdStep(const QString &timeframe)
{
    if (timeframe == QLatin1String("day"))
        return 1800;
    if (timeframe == QLatin1String("week"))
        return 10800;
    if (timeframe == QLatin1String("month"))
        return 43200;
    if (timeframe == QLatin1String("year"))
        return 604800;
    if (timeframe == QLatin1String("decade"))
        return 6048000;
    return 60;
}

constexpr int kRrdRows = 70;

double rounded(double value)
{
    return std::round(value * 10000) / 10000;
}

} // namespace

// Past figures that the current model would have produced at each step: the guests as they are
// now, with the time slot's noise. Rows before the node booted carry the time only, as pve-rrd
// answers for unknown values.
Reply Cluster::getNodeRrdData(Call &call)
{
    auto node = nodeOf(call);
    if (!node)
        return node.error();
    const NodeDef &def = (*node)->def;
    if (!can(call.who, QStringLiteral("/nodes/") + def.name, QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/nodes/") + def.name, QStringLiteral("Sys.Audit"));
    const double step = rrdStep(call.text(QStringLiteral("timeframe")));
    const bool max = call.text(QStringLiteral("cf")) == QLatin1String("MAX");
    long long used = 6LL << 30;
    double base = 0.01;
    for (const auto &[vmid, vm] : m_vms) {
        if (vm.node == def.name && vm.running) {
            used += vm.memoryBytes() * 9 / 10;
            base += vm.vcpus() * 0.2 / std::max(1, def.threads);
        }
    }
    // Row times in the simulated clock, which is what the node's own clock says.
    const double last = std::floor(m_clock.now() / step) * step;
    QJsonArray out;
    for (int row = kRrdRows - 1; row >= 0; --row) {
        const double time = last - row * step;
        QJsonObject entry{{QStringLiteral("time"), static_cast<qint64>(time)}};
        if (time >= (*node)->bootTime && (*node)->online()) {
            const double spread = max ? 0.06 : 0.02;
            const double cpu = std::min(1.0, base + spread * noiseAt(def.threads, step, time));
            const double memory = double(std::min(used, def.memory)) *
                                  (0.97 + 0.03 * noiseAt(def.threads + 1, step, time));
            entry.insert(QStringLiteral("cpu"), rounded(cpu));
            entry.insert(QStringLiteral("maxcpu"), def.threads);
            entry.insert(QStringLiteral("memused"), std::round(memory));
            entry.insert(QStringLiteral("memtotal"), double(def.memory));
            entry.insert(QStringLiteral("loadavg"), rounded(cpu * def.threads));
            entry.insert(QStringLiteral("rootused"), double(def.rootfs / 11));
            entry.insert(QStringLiteral("roottotal"), double(def.rootfs));
        }
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getVmRrdData(Call &call)
{
    auto found = vmOf(call);
    if (!found)
        return found.error();
    const Vm &vm = **found;
    if (!can(call.who, QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.Audit")))
        return forbidden(QStringLiteral("/vms/%1").arg(vm.vmid), QStringLiteral("VM.Audit"));
    const double step = rrdStep(call.text(QStringLiteral("timeframe")));
    const bool max = call.text(QStringLiteral("cf")) == QLatin1String("MAX");
    const double last = std::floor(m_clock.now() / step) * step;
    const double maxmem = double(vm.memoryBytes());
    QJsonArray out;
    for (int row = kRrdRows - 1; row >= 0; --row) {
        const double time = last - row * step;
        QJsonObject entry{{QStringLiteral("time"), static_cast<qint64>(time)}};
        if (vm.running && time >= vm.startedAt) {
            const double cpu = 0.02 + (max ? 0.6 : 0.4) * noiseAt(vm.vmid, step, time);
            entry.insert(QStringLiteral("cpu"), rounded(cpu));
            entry.insert(QStringLiteral("maxcpu"), vm.vcpus());
            entry.insert(QStringLiteral("mem"),
                         std::round(maxmem * (0.35 + 0.3 * noiseAt(vm.vmid + 7, step, time))));
            entry.insert(QStringLiteral("maxmem"), maxmem);
        }
        out.append(entry);
    }
    return Reply::ok(out);
}

// `ceph status` through the API: the health with its checks, and the maps a dashboard shows.
// Without Ceph storage in the scenario it fails as an uninitialised node does.
Reply Cluster::getCephStatus(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")) &&
        !can(call.who, QStringLiteral("/"), QStringLiteral("Datastore.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    if (!hasCeph())
        return Reply::error(500, QStringLiteral("pveceph configuration not initialized"));

    int down = 0;
    for (const NodeState &node : std::as_const(m_nodes))
        down += node.online() ? 0 : 1;
    const int osds = static_cast<int>(m_nodes.size()) * 2;
    QString status = m_cephStatus;
    QJsonObject checks;
    auto addCheck = [&checks](const QString &code, const QString &severity, const QString &text,
                              int count) {
        checks.insert(code, QJsonObject{{QStringLiteral("severity"), severity},
                                        {QStringLiteral("summary"),
                                         QJsonObject{{QStringLiteral("message"), text},
                                                     {QStringLiteral("count"), count}}},
                                        {QStringLiteral("muted"), false}});
    };
    if (!status.isEmpty()) {
        if (status != QLatin1String("HEALTH_OK"))
            addCheck(m_cephCheck, status, m_cephMessage, 1);
    } else if (down > 0) {
        status = QStringLiteral("HEALTH_WARN");
        addCheck(QStringLiteral("OSD_DOWN"), status, QStringLiteral("%1 osds down").arg(down * 2),
                 down * 2);
        addCheck(QStringLiteral("MON_DOWN"), status,
                 QStringLiteral("%1/%2 mons down").arg(down).arg(m_nodes.size()), down);
    } else {
        status = QStringLiteral("HEALTH_OK");
    }
    const QJsonObject health{{QStringLiteral("status"), status},
                             {QStringLiteral("checks"), checks},
                             {QStringLiteral("mutes"), QJsonArray()}};
    return Reply::ok(QJsonObject{
        {QStringLiteral("fsid"), QStringLiteral("5b1f3e2a-6c4d-4e8f-9a0b-1c2d3e4f5a6b")},
        {QStringLiteral("health"), health},
        {QStringLiteral("osdmap"), QJsonObject{{QStringLiteral("num_osds"), osds},
                                               {QStringLiteral("num_up_osds"), osds - down * 2},
                                               {QStringLiteral("num_in_osds"), osds}}},
        {QStringLiteral("quorum_names"), QJsonArray()},
    });
}

Reply Cluster::getNodeStatus(Call &call)
{
    auto node = nodeOf(call);
    if (!node)
        return node.error();
    const NodeDef &def = (*node)->def;
    if (!can(call.who, QStringLiteral("/nodes/") + def.name, QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/nodes/") + def.name, QStringLiteral("Sys.Audit"));
    const QJsonObject stats = nodeStats(**node);
    const long long used = stats.value(QStringLiteral("mem")).toInteger();
    const double load = stats.value(QStringLiteral("cpu")).toDouble() * def.threads;
    auto loadText = [](double value) {
        return QString::number(value, 'f', 2);
    };
    const QString kernel =
        m_scenario.isPve9() ? QStringLiteral("6.14.11-4-pve") : QStringLiteral("6.8.12-13-pve");
    const QString kernelVersion =
        QStringLiteral("#1 SMP PREEMPT_DYNAMIC PMX 6.14.11-4 (2025-10-10T08:04Z)");
    QJsonObject status{
        {QStringLiteral("uptime"), stats.value(QStringLiteral("uptime"))},
        {QStringLiteral("idle"), 0},
        {QStringLiteral("cpu"), stats.value(QStringLiteral("cpu"))},
        {QStringLiteral("wait"), 0.0012},
        {QStringLiteral("loadavg"),
         QJsonArray{loadText(load), loadText(load * 0.95), loadText(load * 0.9)}},
        {QStringLiteral("cpuinfo"),
         QJsonObject{{QStringLiteral("model"), def.cpuModel},
                     {QStringLiteral("vendor"), def.cpuModel.contains(QLatin1String("AMD"))
                                                    ? QStringLiteral("AuthenticAMD")
                                                    : QStringLiteral("GenuineIntel")},
                     {QStringLiteral("family"), QStringLiteral("25")},
                     {QStringLiteral("mhz"), QStringLiteral("3249.998")},
                     {QStringLiteral("cpus"), def.threads},
                     {QStringLiteral("cores"), def.cores},
                     {QStringLiteral("sockets"), def.sockets},
                     {QStringLiteral("user_hz"), 100},
                     {QStringLiteral("hvm"), QStringLiteral("1")},
                     {QStringLiteral("flags"),
                      QStringLiteral(
                          "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov svm")}}},
        {QStringLiteral("memory"), QJsonObject{{QStringLiteral("total"), def.memory},
                                               {QStringLiteral("used"), used},
                                               {QStringLiteral("free"), def.memory - used},
                                               {QStringLiteral("available"), def.memory - used}}},
        {QStringLiteral("swap"), QJsonObject{{QStringLiteral("total"), 0},
                                             {QStringLiteral("used"), 0},
                                             {QStringLiteral("free"), 0}}},
        {QStringLiteral("ksm"), QJsonObject{{QStringLiteral("shared"), 0}}},
        {QStringLiteral("rootfs"),
         QJsonObject{{QStringLiteral("total"), def.rootfs},
                     {QStringLiteral("used"), def.rootfs / 11},
                     {QStringLiteral("avail"), def.rootfs - def.rootfs / 11 - def.rootfs / 20},
                     {QStringLiteral("free"), def.rootfs - def.rootfs / 11}}},
        {QStringLiteral("kversion"),
         QString(QStringLiteral("Linux ") + kernel + QLatin1Char(' ') + kernelVersion)},
        {QStringLiteral("current-kernel"),
         QJsonObject{{QStringLiteral("sysname"), QStringLiteral("Linux")},
                     {QStringLiteral("release"), kernel},
                     {QStringLiteral("version"), kernelVersion},
                     {QStringLiteral("machine"), QStringLiteral("x86_64")}}},
        {QStringLiteral("boot-info"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("efi")},
                                                  {QStringLiteral("secureboot"), 0}}},
        {QStringLiteral("pveversion"),
         QStringLiteral("pve-manager/%1/%2")
             .arg(m_scenario.version,
                  getVersion(call).data.toObject().value(QStringLiteral("repoid")).toString())}};
    if (!m_scenario.isPve9()) {
        QJsonObject memory = status.value(QStringLiteral("memory")).toObject();
        memory.remove(QStringLiteral("available"));
        status.insert(QStringLiteral("memory"), memory);
    }
    return Reply::ok(status);
}

Reply Cluster::getNodeVersion(Call &call)
{
    return getVersion(call);
}

Reply Cluster::getNodeStorage(Call &call)
{
    auto node = nodeOf(call);
    if (!node)
        return node.error();
    QJsonArray out;
    for (const QString &id : (*node)->def.storages) {
        const StorageDef *def = storage(id);
        if (call.has(QStringLiteral("storage")) && call.text(QStringLiteral("storage")) != id)
            continue;
        if (call.has(QStringLiteral("content")) &&
            !def->content.split(QLatin1Char(',')).contains(call.text(QStringLiteral("content"))))
            continue;
        if (!can(call.who, QStringLiteral("/storage/") + id, QStringLiteral("Datastore.Audit")) &&
            !can(call.who, QStringLiteral("/storage/") + id,
                 QStringLiteral("Datastore.AllocateSpace")))
            continue;
        out.append(QJsonObject{
            {QStringLiteral("storage"), id},
            {QStringLiteral("type"), def->type},
            {QStringLiteral("content"), def->content},
            {QStringLiteral("shared"), def->shared ? 1 : 0},
            {QStringLiteral("active"), 1},
            {QStringLiteral("enabled"), 1},
            {QStringLiteral("total"), def->total},
            {QStringLiteral("used"), def->used},
            {QStringLiteral("avail"), def->total - def->used},
            {QStringLiteral("used_fraction"),
             def->total ? static_cast<double>(def->used) / static_cast<double>(def->total) : 0.0}});
    }
    return Reply::ok(out);
}

Reply Cluster::getStorageStatus(Call &call)
{
    const QString id = call.text(QStringLiteral("storage"));
    if (!storageOnNode(id, call.text(QStringLiteral("node"))))
        return Reply::error(500, QStringLiteral("storage '%1' does not exist").arg(id));
    Call filtered = call;
    filtered.params = QJsonObject{{QStringLiteral("storage"), id}};
    const QJsonArray list = getNodeStorage(filtered).data.toArray();
    if (list.isEmpty())
        return forbidden(QStringLiteral("/storage/") + id, QStringLiteral("Datastore.Audit"));
    QJsonObject entry = list.first().toObject();
    entry.remove(QStringLiteral("storage"));
    entry.remove(QStringLiteral("used_fraction"));
    return Reply::ok(entry);
}

Reply Cluster::getStorageContent(Call &call)
{
    const QString id = call.text(QStringLiteral("storage"));
    const QString node = call.text(QStringLiteral("node"));
    if (!storageOnNode(id, node))
        return Reply::error(500, QStringLiteral("storage '%1' does not exist").arg(id));
    if (!can(call.who, QStringLiteral("/storage/") + id, QStringLiteral("Datastore.Audit")) &&
        !can(call.who, QStringLiteral("/storage/") + id, QStringLiteral("Datastore.AllocateSpace")))
        return forbidden(QStringLiteral("/storage/") + id, QStringLiteral("Datastore.Audit"));
    const QString content = call.text(QStringLiteral("content"));
    const int vmidFilter = static_cast<int>(call.integer(QStringLiteral("vmid")));
    QJsonArray out;
    if (content.isEmpty() || content == QLatin1String("images")) {
        for (const auto &[vmid, vm] : m_vms) {
            if ((vmidFilter && vmid != vmidFilter) || (!isShared(id) && vm.node != node))
                continue;
            for (const QString &key : diskKeys(vm)) {
                const QString value = vm.config.value(key);
                const QString volid = value.section(QLatin1Char(','), 0, 0);
                if (!volid.startsWith(id + QLatin1Char(':')) ||
                    value.contains(QLatin1String("media=cdrom")))
                    continue;
                QString sizeText;
                for (const QString &part : value.split(QLatin1Char(','))) {
                    if (part.startsWith(QLatin1String("size=")))
                        sizeText = part.mid(5);
                }
                const long long size =
                    parseByteSize(sizeText.isEmpty() ? QStringLiteral("4M") : sizeText).value();
                out.append(
                    QJsonObject{{QStringLiteral("volid"), volid},
                                {QStringLiteral("format"), QStringLiteral("raw")},
                                {QStringLiteral("size"), size},
                                {QStringLiteral("used"), size / 3},
                                {QStringLiteral("vmid"), vmid},
                                {QStringLiteral("content"), QStringLiteral("images")},
                                {QStringLiteral("ctime"), static_cast<qint64>(vm.startedAt)}});
            }
        }
    }
    if (content.isEmpty() || content == QLatin1String("backup")) {
        // A local storage lists what is on this node; PBS and shared storages list all.
        const bool pbs = storage(id)->type == QLatin1String("pbs");
        const bool everywhere = isShared(id) || pbs;
        const QString format = pbs ? QStringLiteral("pbs-vm") : QStringLiteral("vma.zst");
        for (const BackupVolume &backup : m_backups) {
            if (backup.storage != id || (vmidFilter && backup.vmid != vmidFilter) ||
                (!everywhere && backup.node != node))
                continue;
            QJsonObject entry{{QStringLiteral("volid"), backup.volid},
                              {QStringLiteral("format"), format},
                              {QStringLiteral("size"), backup.size},
                              {QStringLiteral("vmid"), backup.vmid},
                              {QStringLiteral("ctime"), backup.ctime},
                              {QStringLiteral("content"), QStringLiteral("backup")},
                              {QStringLiteral("subtype"), QStringLiteral("qemu")}};
            if (!backup.notes.isEmpty())
                entry.insert(QStringLiteral("notes"), backup.notes);
            if (backup.isProtected)
                entry.insert(QStringLiteral("protected"), 1);
            if (storage(id)->type == QLatin1String("pbs"))
                entry.insert(
                    QStringLiteral("verification"),
                    QJsonObject{
                        {QStringLiteral("state"), QStringLiteral("ok")},
                        {QStringLiteral("upid"),
                         QStringLiteral(
                             "UPID:pbs:00001A2B:0000C3D4:00000000:%1:verificationjob:%2:root@pam:")
                             .arg(hex8(backup.ctime + 600), QStringLiteral("rae"))}});
            out.append(entry);
        }
    }
    return Reply::ok(out);
}

Reply Cluster::getNodeNetwork(Call &call)
{
    auto node = nodeOf(call);
    if (!node)
        return node.error();
    const QString type = call.text(QStringLiteral("type"));
    QJsonArray out;
    int index = 0;
    for (const BridgeDef &bridge : (*node)->def.bridges) {
        QJsonObject entry{{QStringLiteral("iface"), bridge.iface},
                          {QStringLiteral("type"), QStringLiteral("bridge")},
                          {QStringLiteral("active"), 1},
                          {QStringLiteral("autostart"), 1},
                          {QStringLiteral("method"), bridge.cidr.isEmpty()
                                                         ? QStringLiteral("manual")
                                                         : QStringLiteral("static")},
                          {QStringLiteral("method6"), QStringLiteral("manual")},
                          {QStringLiteral("families"), QJsonArray{QStringLiteral("inet")}},
                          {QStringLiteral("priority"), 10 + index}};
        if (!bridge.ports.isEmpty())
            entry.insert(QStringLiteral("bridge_ports"), bridge.ports);
        entry.insert(QStringLiteral("bridge_stp"), QStringLiteral("off"));
        entry.insert(QStringLiteral("bridge_fd"), QStringLiteral("0"));
        if (bridge.vlanAware) {
            entry.insert(QStringLiteral("bridge_vlan_aware"), 1);
            entry.insert(QStringLiteral("bridge_vids"), QStringLiteral("2-4094"));
        }
        if (!bridge.cidr.isEmpty()) {
            entry.insert(QStringLiteral("cidr"), bridge.cidr);
            entry.insert(QStringLiteral("address"), bridge.cidr.section(QLatin1Char('/'), 0, 0));
            const int prefix = bridge.cidr.section(QLatin1Char('/'), 1).toInt();
            const quint32 mask = prefix == 0 ? 0 : ~((1u << (32 - prefix)) - 1);
            entry.insert(QStringLiteral("netmask"), QStringLiteral("%1.%2.%3.%4")
                                                        .arg(mask >> 24)
                                                        .arg((mask >> 16) & 0xff)
                                                        .arg((mask >> 8) & 0xff)
                                                        .arg(mask & 0xff));
        }
        if (!bridge.gateway.isEmpty())
            entry.insert(QStringLiteral("gateway"), bridge.gateway);
        if (!bridge.comments.isEmpty())
            entry.insert(QStringLiteral("comments"), QString(bridge.comments + QLatin1Char('\n')));
        ++index;
        if (type.isEmpty() || type == QLatin1String("bridge") ||
            type == QLatin1String("any_bridge") || type == QLatin1String("any_local_bridge"))
            out.append(entry);
        for (const QString &port : bridge.ports.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (!type.isEmpty() && type != QLatin1String("eth"))
                continue;
            out.append(QJsonObject{{QStringLiteral("iface"), port},
                                   {QStringLiteral("type"), QStringLiteral("eth")},
                                   {QStringLiteral("active"), 1},
                                   {QStringLiteral("exists"), 1},
                                   {QStringLiteral("method"), QStringLiteral("manual")},
                                   {QStringLiteral("method6"), QStringLiteral("manual")},
                                   {QStringLiteral("families"), QJsonArray{QStringLiteral("inet")}},
                                   {QStringLiteral("priority"), 3 + index}});
        }
    }
    return Reply::ok(out);
}

Reply Cluster::getCertificates(Call &call)
{
    auto node = nodeOf(call);
    if (!node)
        return node.error();
    const Certificate &cert = (*node)->certificate;
    // One certificate stands for both the cluster CA and the node's own, since the simulator
    // signs its certificate itself.
    QJsonArray out;
    for (const QString &file : {QStringLiteral("pve-root-ca.pem"), QStringLiteral("pve-ssl.pem")}) {
        out.append(QJsonObject{
            {QStringLiteral("filename"), file},
            {QStringLiteral("fingerprint"), cert.fingerprint},
            {QStringLiteral("pem"), QString::fromLatin1(cert.certPem)},
            {QStringLiteral("subject"), cert.subject},
            {QStringLiteral("issuer"), cert.issuer},
            {QStringLiteral("notbefore"), cert.notBefore},
            {QStringLiteral("notafter"), cert.notAfter},
            {QStringLiteral("san"), QJsonArray::fromStringList(cert.san)},
            {QStringLiteral("public-key-type"), (*node)->def.name == localNode()
                                                    ? QStringLiteral("rsaEncryption")
                                                    : QStringLiteral("id-ecPublicKey")},
            {QStringLiteral("public-key-bits"), (*node)->def.name == localNode() ? 2048 : 256}});
    }
    return Reply::ok(out);
}

Reply Cluster::getHardwarePci(Call &call)
{
    auto node = nodeOf(call);
    if (!node)
        return node.error();
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")) &&
        !can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Modify")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    QJsonArray out;
    for (const PciDeviceDef &device : (*node)->def.pci) {
        QJsonObject entry{
            {QStringLiteral("id"), device.path},
            {QStringLiteral("class"),
             QStringLiteral("0x%1").arg(device.pciClass, 6, 16, QLatin1Char('0'))},
            {QStringLiteral("vendor"),
             QString(QStringLiteral("0x") + device.id.section(QLatin1Char(':'), 0, 0))},
            {QStringLiteral("device"),
             QString(QStringLiteral("0x") + device.id.section(QLatin1Char(':'), 1, 1))},
            {QStringLiteral("iommugroup"), device.iommuGroup},
            {QStringLiteral("vendor_name"), device.vendorName},
            {QStringLiteral("device_name"), device.deviceName},
            {QStringLiteral("mdev"), 0}};
        if (!device.subsystemId.isEmpty()) {
            entry.insert(
                QStringLiteral("subsystem_vendor"),
                QString(QStringLiteral("0x") + device.subsystemId.section(QLatin1Char(':'), 0, 0)));
            entry.insert(
                QStringLiteral("subsystem_device"),
                QString(QStringLiteral("0x") + device.subsystemId.section(QLatin1Char(':'), 1, 1)));
        }
        out.append(entry);
    }
    return Reply::ok(out);
}

// --- tasks --------------------------------------------------------------------------------

Reply Cluster::getNodeTasks(Call &call)
{
    const QString node = call.text(QStringLiteral("node"));
    const QString typeFilter = call.text(QStringLiteral("typefilter"));
    const QString vmid = call.text(QStringLiteral("vmid"));
    const long long since = call.integer(QStringLiteral("since"), 0);
    const long long start = call.integer(QStringLiteral("start"), 0);
    const long long limit = call.integer(QStringLiteral("limit"), 50);
    const bool errorsOnly = call.flag(QStringLiteral("errors"));
    const QString source = call.text(QStringLiteral("source"), QStringLiteral("archive"));
    QJsonArray out;
    long long matched = 0;
    for (const QString &upid : std::as_const(m_taskOrder)) {
        const Task &task = m_tasks[upid];
        if (task.node != node || (!typeFilter.isEmpty() && task.type != typeFilter) ||
            (!vmid.isEmpty() && task.id != vmid) || task.starttime < since)
            continue;
        if ((source == QLatin1String("archive") && task.running) ||
            (source == QLatin1String("active") && !task.running))
            continue;
        if (errorsOnly && (task.running || task.exitStatus == QLatin1String("OK")))
            continue;
        if (task.user != call.who.full() &&
            !can(call.who, QStringLiteral("/nodes/") + node, QStringLiteral("Sys.Audit")))
            continue;
        if (matched++ < start || out.size() >= limit)
            continue;
        QJsonObject entry{{QStringLiteral("upid"), task.upid},
                          {QStringLiteral("node"), task.node},
                          {QStringLiteral("pid"), static_cast<qint64>(task.pid)},
                          {QStringLiteral("pstart"), static_cast<qint64>(task.pstart)},
                          {QStringLiteral("starttime"), task.starttime},
                          {QStringLiteral("type"), task.type},
                          {QStringLiteral("id"), task.id},
                          {QStringLiteral("user"), task.user}};
        if (!task.running) {
            entry.insert(QStringLiteral("status"), task.exitStatus);
            entry.insert(QStringLiteral("endtime"), task.endtime);
        }
        out.append(entry);
    }
    Reply reply = Reply::ok(out);
    reply.extra.insert(QStringLiteral("total"), matched);
    return reply;
}

Reply Cluster::getTaskStatus(Call &call)
{
    const QString upid = call.text(QStringLiteral("upid"));
    const auto it = m_tasks.find(upid);
    // The worker's status file appears a moment after the UPID is handed out.
    if (it == m_tasks.end() || it->node != call.text(QStringLiteral("node")) ||
        std::chrono::steady_clock::now() < it->visibleAt)
        return Reply::invalid(QStringLiteral("upid"), QStringLiteral("no such task"));
    const Task &task = *it;
    if (task.user != call.who.full() &&
        !can(call.who, QStringLiteral("/nodes/") + task.node, QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/nodes/") + task.node, QStringLiteral("Sys.Audit"));
    QJsonObject status{{QStringLiteral("upid"), task.upid},
                       {QStringLiteral("node"), task.node},
                       {QStringLiteral("pid"), static_cast<qint64>(task.pid)},
                       {QStringLiteral("pstart"), static_cast<qint64>(task.pstart)},
                       {QStringLiteral("starttime"), task.starttime},
                       {QStringLiteral("type"), task.type},
                       {QStringLiteral("id"), task.id},
                       {QStringLiteral("user"), task.user.section(QLatin1Char('!'), 0, 0)},
                       {QStringLiteral("status"),
                        task.running ? QStringLiteral("running") : QStringLiteral("stopped")}};
    if (task.user.contains(QLatin1Char('!')))
        status.insert(QStringLiteral("tokenid"), task.user.section(QLatin1Char('!'), 1));
    if (!task.running)
        status.insert(QStringLiteral("exitstatus"), task.exitStatus);
    return Reply::ok(status);
}

Reply Cluster::getTaskLog(Call &call)
{
    const QString upid = call.text(QStringLiteral("upid"));
    const auto it = m_tasks.find(upid);
    if (it == m_tasks.end() || it->node != call.text(QStringLiteral("node")))
        return Reply::invalid(QStringLiteral("upid"), QStringLiteral("no such task"));
    if (it->user != call.who.full() &&
        !can(call.who, QStringLiteral("/nodes/") + it->node, QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/nodes/") + it->node, QStringLiteral("Sys.Audit"));
    const long long start = call.integer(QStringLiteral("start"), 0);
    const long long limit = call.integer(QStringLiteral("limit"), 50);
    QStringList lines = it->log;
    if (lines.isEmpty())
        lines << QStringLiteral("no content");
    QJsonArray out;
    for (long long i = start; i < lines.size() && (limit == 0 || i < start + limit); ++i)
        out.append(QJsonObject{{QStringLiteral("n"), i + 1}, {QStringLiteral("t"), lines.at(i)}});
    Reply reply = Reply::ok(out);
    reply.extra.insert(QStringLiteral("total"), static_cast<qint64>(lines.size()));
    return reply;
}

Reply Cluster::deleteTask(Call &call)
{
    const auto it = m_tasks.find(call.text(QStringLiteral("upid")));
    if (it == m_tasks.end())
        return Reply::invalid(QStringLiteral("upid"), QStringLiteral("no such task"));
    if (it->user != call.who.full() &&
        !can(call.who, QStringLiteral("/nodes/") + it->node, QStringLiteral("Sys.Modify")))
        return forbidden(QStringLiteral("/nodes/") + it->node, QStringLiteral("Sys.Modify"));
    if (it->running) {
        it->running = false;
        it->endtime = m_clock.nowSeconds();
        it->exitStatus = QStringLiteral("unexpected status");
        it->log << QStringLiteral("received interrupt");
    }
    return Reply::ok();
}

} // namespace rae::sim
