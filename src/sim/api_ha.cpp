// HA resources, groups (PVE 8) and rules (PVE 9), the CRM's rounds, replication and backup jobs.
#include "cluster.h"

#include "ha/failureanalysis.h"
#include "ha/nodeusage.h"
#include "ha/recovery.h"
#include "ha/rules.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcSimHa, "raedeploy.sim.ha", QtInfoMsg)

namespace rae::sim {

namespace {

// The HA stack's default timings, the same the failure analysis predicts with.
const rae::ha::Timings haTimings{};

// "pve1:2,pve2" as groups and node-affinity rules write their nodes.
QMap<QString, int> nodePriorities(const QString &text)
{
    QMap<QString, int> nodes;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        nodes.insert(item.section(QLatin1Char(':'), 0, 0).trimmed(),
                     item.section(QLatin1Char(':'), 1, 1).toInt());
    return nodes;
}

rae::ha::RequestState requestState(const QString &state)
{
    if (state == QLatin1String("stopped"))
        return rae::ha::RequestState::Stopped;
    if (state == QLatin1String("disabled"))
        return rae::ha::RequestState::Disabled;
    if (state == QLatin1String("ignored"))
        return rae::ha::RequestState::Ignored;
    return rae::ha::RequestState::Started; // "started" and its old name "enabled"
}

rae::ha::CrmState crmStateOf(const QString &state)
{
    using rae::ha::CrmState;
    static const QHash<QString, CrmState> states = {
        {QStringLiteral("started"), CrmState::Started},
        {QStringLiteral("request_start"), CrmState::RequestStart},
        {QStringLiteral("stopping"), CrmState::RequestStop},
        {QStringLiteral("request_stop"), CrmState::RequestStop},
        {QStringLiteral("stopped"), CrmState::Stopped},
        {QStringLiteral("disabled"), CrmState::Stopped},
        {QStringLiteral("fence"), CrmState::Fence},
        {QStringLiteral("recovery"), CrmState::Recovery},
        {QStringLiteral("freeze"), CrmState::Freeze},
        {QStringLiteral("error"), CrmState::Error},
        {QStringLiteral("migrate"), CrmState::Migrate},
        {QStringLiteral("relocate"), CrmState::Relocate},
    };
    return states.value(state, CrmState::Stopped);
}

QString digest(const QByteArray &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex());
}

QString normalSid(const QString &sid)
{
    return sid.contains(QLatin1Char(':')) ? sid : QStringLiteral("vm:") + sid;
}

QString statusTime(double time)
{
    // "Mon Oct  7 10:00:00 2025", as Perl's localtime prints it.
    const QDateTime when = QDateTime::fromSecsSinceEpoch(static_cast<qint64>(time), Qt::UTC);
    const QLocale c = QLocale::c();
    return c.toString(when, QStringLiteral("ddd MMM ")) +
           QStringLiteral("%1").arg(when.date().day(), 2) +
           c.toString(when, QStringLiteral(" HH:mm:ss yyyy"));
}

// The same call without its parameters: how a single-item GET asks for the whole list.
Call withoutParameters(const Call &call)
{
    Call list = call;
    list.params = {};
    return list;
}

// The entry of a list answer whose `key` is `value`; the list's own error when it failed, or
// `missing` when nothing matches.
Reply entryOf(const Reply &list, const QString &key, const QString &value, const Reply &missing)
{
    if (list.status != 200)
        return list;
    for (const QJsonValue &entry : list.data.toArray()) {
        if (entry.toObject().value(key).toString() == value)
            return Reply::ok(entry);
    }
    return missing;
}

} // namespace

// --- HA resources -------------------------------------------------------------------------

Reply Cluster::getHaResources(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    QJsonArray out;
    for (const HaResource &resource : std::as_const(m_haResources)) {
        const QString type = resource.sid.section(QLatin1Char(':'), 0, 0);
        if (call.has(QStringLiteral("type")) && call.text(QStringLiteral("type")) != type)
            continue;
        QJsonObject entry{{QStringLiteral("sid"), resource.sid}, {QStringLiteral("type"), type}};
        for (auto it = resource.raw.begin(); it != resource.raw.end(); ++it) {
            const bool numeric = it.key() == QLatin1String("max_restart") ||
                                 it.key() == QLatin1String("max_relocate") ||
                                 it.key() == QLatin1String("failback");
            entry.insert(it.key(),
                         numeric ? QJsonValue(it.value().toInt()) : QJsonValue(it.value()));
        }
        entry.insert(QStringLiteral("digest"), digest(QJsonDocument(entry).toJson()));
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getHaResource(Call &call)
{
    const QString sid = normalSid(call.text(QStringLiteral("sid")));
    Call list = withoutParameters(call);
    return entryOf(getHaResources(list), QStringLiteral("sid"), sid,
                   Reply::error(500, QStringLiteral("no such resource '%1'").arg(sid)));
}

Reply Cluster::postHaResource(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const QString sid = normalSid(call.text(QStringLiteral("sid")));
    if (m_haResources.contains(sid))
        return Reply::error(500, QStringLiteral("resource ID '%1' already defined").arg(sid));
    if (call.has(QStringLiteral("group")) && m_scenario.isPve9())
        return Reply::error(
            500,
            QStringLiteral("invalid parameter 'group': ha groups have been migrated to rules"));
    const int vmid = sid.section(QLatin1Char(':'), 1).toInt();
    const auto vm = m_vms.find(vmid);
    if (vm == m_vms.end())
        return Reply::error(500, QStringLiteral("unable to find VM '%1'").arg(vmid));
    HaResource resource;
    resource.sid = sid;
    resource.node = vm->second.node;
    for (const char *key :
         {"state", "group", "max_restart", "max_relocate", "comment", "failback"}) {
        if (call.has(QString::fromLatin1(key)))
            resource.raw.insert(QString::fromLatin1(key), call.text(QString::fromLatin1(key)));
    }
    resource.crmState = vm->second.running ? QStringLiteral("started") : QStringLiteral("stopped");
    resource.crmSince = m_clock.now();
    m_haResources.insert(sid, resource);
    haQueue(vm->second, resource.raw.value(QStringLiteral("state"), QStringLiteral("started")), {});
    return Reply::ok();
}

Reply Cluster::putHaResource(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const QString sid = normalSid(call.text(QStringLiteral("sid")));
    if (!m_haResources.contains(sid))
        return Reply::error(500, QStringLiteral("no such resource '%1'").arg(sid));
    HaResource &resource = m_haResources[sid];
    if (resource.crmState == QLatin1String("error") &&
        call.text(QStringLiteral("state")) != QLatin1String("disabled"))
        return Reply::error(
            500, QStringLiteral("service '%1' in error state, must be disabled and fixed first")
                     .arg(sid));
    for (const char *key :
         {"state", "group", "max_restart", "max_relocate", "comment", "failback"}) {
        if (call.has(QString::fromLatin1(key)))
            resource.raw.insert(QString::fromLatin1(key), call.text(QString::fromLatin1(key)));
    }
    for (const QString &key :
         call.text(QStringLiteral("delete")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        resource.raw.remove(key.trimmed());
    const auto vm = m_vms.find(sid.section(QLatin1Char(':'), 1).toInt());
    if (vm != m_vms.end() && call.has(QStringLiteral("state")))
        haQueue(vm->second, call.text(QStringLiteral("state")), {});
    return Reply::ok();
}

Reply Cluster::deleteHaResource(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const QString sid = normalSid(call.text(QStringLiteral("sid")));
    if (!m_haResources.remove(sid))
        return Reply::error(500,
                            QStringLiteral("cannot delete service '%1', not HA managed!").arg(sid));
    return Reply::ok();
}

Reply Cluster::migrateHaResource(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const QString sid = normalSid(call.text(QStringLiteral("sid")));
    if (!m_haResources.contains(sid))
        return Reply::error(500, QStringLiteral("service '%1' is not HA managed").arg(sid));
    const QString node = call.text(QStringLiteral("node"));
    if (!m_nodes.contains(node))
        return Reply::error(500, QStringLiteral("no such cluster node '%1'").arg(node));
    const auto vm = m_vms.find(sid.section(QLatin1Char(':'), 1).toInt());
    if (vm != m_vms.end())
        haQueue(vm->second,
                call.schemaPath.endsWith(QLatin1String("relocate")) ? QStringLiteral("relocate")
                                                                    : QStringLiteral("migrate"),
                node);
    if (!m_scenario.isPve9())
        return Reply::ok();
    return Reply::ok(QJsonObject{{QStringLiteral("sid"), sid},
                                 {QStringLiteral("requested-node"), node},
                                 {QStringLiteral("comigrated-resources"), QJsonArray{}},
                                 {QStringLiteral("blocking-resources"), QJsonArray{}}});
}

// --- groups (PVE 8) and rules (PVE 9) -----------------------------------------------------

Reply Cluster::getHaGroups(Call &call)
{
    if (m_scenario.isPve9())
        return Reply::error(
            500, QStringLiteral("cannot index groups: ha groups have been migrated to rules"));
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    QJsonArray out;
    for (const HaGroupDef &group : std::as_const(m_haGroups)) {
        QJsonObject entry{{QStringLiteral("group"), group.group},
                          {QStringLiteral("type"), QStringLiteral("group")},
                          {QStringLiteral("nodes"), group.nodes}};
        if (group.restricted)
            entry.insert(QStringLiteral("restricted"), 1);
        if (group.nofailback)
            entry.insert(QStringLiteral("nofailback"), 1);
        if (!group.comment.isEmpty())
            entry.insert(QStringLiteral("comment"), group.comment);
        entry.insert(QStringLiteral("digest"), digest(QJsonDocument(entry).toJson()));
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getHaGroup(Call &call)
{
    if (m_scenario.isPve9())
        return Reply::error(
            500, QStringLiteral("cannot read group: ha groups have been migrated to rules"));
    Call list = call;
    list.params = {};
    for (const QJsonValue &entry : getHaGroups(list).data.toArray()) {
        if (entry.toObject().value(QStringLiteral("group")).toString() ==
            call.text(QStringLiteral("group")))
            return Reply::ok(entry);
    }
    return Reply::error(
        500, QStringLiteral("no such ha group '%1'").arg(call.text(QStringLiteral("group"))));
}

Reply Cluster::postHaGroup(Call &call)
{
    if (m_scenario.isPve9())
        return Reply::error(
            500, QStringLiteral("cannot create group: ha groups have been migrated to rules"));
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    for (const HaGroupDef &group : std::as_const(m_haGroups)) {
        if (group.group == call.text(QStringLiteral("group")))
            return Reply::error(500,
                                QStringLiteral("ha group '%1' already defined").arg(group.group));
    }
    m_haGroups << HaGroupDef{call.text(QStringLiteral("group")), call.text(QStringLiteral("nodes")),
                             call.flag(QStringLiteral("restricted")),
                             call.flag(QStringLiteral("nofailback")),
                             call.text(QStringLiteral("comment"))};
    return Reply::ok();
}

Reply Cluster::deleteHaGroup(Call &call)
{
    if (m_scenario.isPve9())
        return Reply::error(
            500, QStringLiteral("cannot delete group: ha groups have been migrated to rules"));
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const qsizetype before = m_haGroups.size();
    m_haGroups.removeIf(
        [&](const HaGroupDef &group) { return group.group == call.text(QStringLiteral("group")); });
    if (before == m_haGroups.size())
        return Reply::error(
            500, QStringLiteral("no such ha group '%1'").arg(call.text(QStringLiteral("group"))));
    return Reply::ok();
}

Reply Cluster::getHaRules(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    QJsonArray out;
    int order = 1;
    for (const HaRuleDef &rule : std::as_const(m_haRules)) {
        const int position = order++;
        if (call.has(QStringLiteral("type")) && call.text(QStringLiteral("type")) != rule.type)
            continue;
        if (call.has(QStringLiteral("resource")) &&
            !rule.options.value(QStringLiteral("resources"))
                 .split(QLatin1Char(','))
                 .contains(normalSid(call.text(QStringLiteral("resource")))))
            continue;
        QJsonObject entry{{QStringLiteral("rule"), rule.rule},
                          {QStringLiteral("type"), rule.type},
                          {QStringLiteral("order"), position}};
        for (auto it = rule.options.begin(); it != rule.options.end(); ++it) {
            const bool numeric =
                it.key() == QLatin1String("strict") || it.key() == QLatin1String("disable");
            entry.insert(it.key(),
                         numeric ? QJsonValue(it.value().toInt()) : QJsonValue(it.value()));
        }
        entry.insert(QStringLiteral("digest"), digest(QJsonDocument(entry).toJson()));
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getHaRule(Call &call)
{
    const QString rule = call.text(QStringLiteral("rule"));
    Call list = withoutParameters(call);
    return entryOf(getHaRules(list), QStringLiteral("rule"), rule,
                   Reply::error(500, QStringLiteral("no such ha rule '%1'").arg(rule)));
}

// A rule's `resources`, as sids; like Proxmox, every one must be an HA resource.
std::optional<Reply> Cluster::ruleResources(const Call &call, QStringList &resources) const
{
    QStringList unmanaged;
    for (const QString &sid :
         call.text(QStringLiteral("resources")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        resources << normalSid(sid.trimmed());
        if (!m_haResources.contains(resources.constLast()))
            unmanaged << resources.constLast();
    }
    if (unmanaged.isEmpty())
        return std::nullopt;
    return Reply::error(500, QStringLiteral("cannot use unmanaged resource(s) %1.")
                                 .arg(unmanaged.join(QStringLiteral(", "))));
}

Reply Cluster::postHaRule(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const QString id = call.text(QStringLiteral("rule"));
    for (const HaRuleDef &rule : std::as_const(m_haRules)) {
        if (rule.rule == id)
            return Reply::error(500, QStringLiteral("ha rule '%1' already defined").arg(id));
    }
    QStringList resources;
    if (std::optional<Reply> refused = ruleResources(call, resources))
        return *refused;
    const QString type = call.text(QStringLiteral("type"));
    if (type == QLatin1String("resource-affinity") && !call.has(QStringLiteral("affinity")))
        return Reply::invalid(QStringLiteral("affinity"),
                              QStringLiteral("property is missing and it is not optional"));
    if (type == QLatin1String("node-affinity") && !call.has(QStringLiteral("nodes")))
        return Reply::invalid(QStringLiteral("nodes"),
                              QStringLiteral("property is missing and it is not optional"));
    HaRuleDef rule{id, type, {}};
    rule.options.insert(QStringLiteral("resources"), resources.join(QLatin1Char(',')));
    for (const char *key : {"nodes", "strict", "affinity", "disable", "comment"}) {
        if (call.has(QString::fromLatin1(key)))
            rule.options.insert(QString::fromLatin1(key), call.text(QString::fromLatin1(key)));
    }
    m_haRules << rule;
    return Reply::ok();
}

// Like Proxmox: the type is required and must be the rule's; the options given replace the
// rule's, `delete` drops options; the resources must be HA resources.
Reply Cluster::putHaRule(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const QString id = call.text(QStringLiteral("rule"));
    const auto rule = std::find_if(m_haRules.begin(), m_haRules.end(),
                                   [&](const HaRuleDef &r) { return r.rule == id; });
    if (rule == m_haRules.end())
        return Reply::error(500, QStringLiteral("no such ha rule '%1'").arg(id));
    if (!call.has(QStringLiteral("type")))
        return Reply::invalid(QStringLiteral("type"),
                              QStringLiteral("property is missing and it is not optional"));
    if (call.text(QStringLiteral("type")) != rule->type)
        return Reply::error(500, QStringLiteral("rule type '%1' does not match rule '%2' of "
                                                "type '%3'")
                                     .arg(call.text(QStringLiteral("type")), id, rule->type));
    if (call.has(QStringLiteral("resources"))) {
        QStringList resources;
        if (std::optional<Reply> refused = ruleResources(call, resources))
            return *refused;
        rule->options.insert(QStringLiteral("resources"), resources.join(QLatin1Char(',')));
    }
    for (const char *key : {"nodes", "strict", "affinity", "disable", "comment"})
        if (call.has(QString::fromLatin1(key)))
            rule->options.insert(QString::fromLatin1(key), call.text(QString::fromLatin1(key)));
    for (const QString &key :
         call.text(QStringLiteral("delete")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        rule->options.remove(key.trimmed());
    return Reply::ok();
}

Reply Cluster::deleteHaRule(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Console")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Console"));
    const qsizetype before = m_haRules.size();
    m_haRules.removeIf(
        [&](const HaRuleDef &rule) { return rule.rule == call.text(QStringLiteral("rule")); });
    if (before == m_haRules.size())
        return Reply::error(
            500, QStringLiteral("no such ha rule '%1'").arg(call.text(QStringLiteral("rule"))));
    return Reply::ok();
}

// --- the CRM ------------------------------------------------------------------------------

void Cluster::haQueue(Vm &vm, const QString &request, const QString &target)
{
    HaResource *resource = haResource(vm.vmid);
    if (!resource)
        return;
    if (request == QLatin1String("started") || request == QLatin1String("stopped") ||
        request == QLatin1String("disabled") || request == QLatin1String("ignored"))
        resource->raw.insert(QStringLiteral("state"), request);
    if (request == QLatin1String("migrate") || request == QLatin1String("relocate")) {
        resource->raw.insert(QStringLiteral("requested-node"), target); // internal; stripped below
        resource->crmState = request;
        resource->crmSince = m_clock.now();
    }
    // The API answers at once; the CRM acts on its next round (about 10 s).
    if (m_haNextRound > m_clock.now() + 10)
        m_haNextRound = m_clock.now() + 10;
}

void Cluster::haRound()
{
    const double now = m_clock.now();
    // Without quorum the manager loses its lock and changes nothing.
    const bool haQuorate = quorate();
    const Identity root{QStringLiteral("root@pam"), {}, false};
    for (HaResource &resource : m_haResources) {
        const int vmid = resource.sid.section(QLatin1Char(':'), 1).toInt();
        const auto it = m_vms.find(vmid);
        if (it == m_vms.end())
            continue;
        Vm &vm = it->second;
        const NodeState &node = m_nodes[vm.node];
        const QString requested =
            resource.raw.value(QStringLiteral("state"), QStringLiteral("started"));

        if (!node.online()) {
            // Disabled services stay where they are; the manager only fences the others. The
            // recovery itself waits for the node's agent lock (haRecover).
            if (haQuorate && now - node.offlineSince >= haTimings.fenceDelay &&
                requested != QLatin1String("ignored") && requested != QLatin1String("disabled") &&
                resource.crmState != QLatin1String("recovery"))
                resource.crmState = QStringLiteral("fence");
            continue;
        }
        if (resource.crmState == QLatin1String("fence") ||
            resource.crmState == QLatin1String("recovery")) {
            resource.crmState = vm.running ? QStringLiteral("started") : QStringLiteral("stopped");
        }
        if (now < resource.startPendingUntil)
            continue;

        if (resource.crmState == QLatin1String("migrate") ||
            resource.crmState == QLatin1String("relocate")) {
            const QString target = resource.raw.take(QStringLiteral("requested-node"));
            if (target.isEmpty() || target == vm.node || !m_nodes.value(target).online()) {
                resource.crmState =
                    vm.running ? QStringLiteral("started") : QStringLiteral("stopped");
                continue;
            }
            const double duration = 3 + static_cast<double>(vm.memoryBytes()) / (1LL << 30);
            startTask(vm.node, QStringLiteral("qmigrate"), QString::number(vmid), root, duration,
                      [this, vmid, target]() -> QString {
                          const auto found = m_vms.find(vmid);
                          if (found == m_vms.end())
                              return QStringLiteral("VM vanished");
                          doMigrate(found->second, target);
                          if (HaResource *done = haResource(vmid))
                              done->crmState = found->second.running ? QStringLiteral("started")
                                                                     : QStringLiteral("stopped");
                          return {};
                      });
            continue;
        }
        if (requested == QLatin1String("started") && !vm.running &&
            resource.crmState != QLatin1String("request_start") && vm.lock().isEmpty()) {
            resource.crmState = QStringLiteral("request_start");
            startTask(vm.node, QStringLiteral("qmstart"), QString::number(vmid), root, 2,
                      [this, vmid]() -> QString {
                          const auto found = m_vms.find(vmid);
                          if (found == m_vms.end())
                              return QStringLiteral("VM vanished");
                          applyPending(found->second);
                          found->second.running = true;
                          found->second.startedAt = m_clock.now();
                          if (HaResource *done = haResource(vmid))
                              done->crmState = QStringLiteral("started");
                          return {};
                      });
        } else if ((requested == QLatin1String("stopped") ||
                    requested == QLatin1String("disabled")) &&
                   vm.running && resource.crmState != QLatin1String("stopping")) {
            resource.crmState = QStringLiteral("stopping");
            startTask(vm.node, QStringLiteral("qmshutdown"), QString::number(vmid), root, 5,
                      [this, vmid]() -> QString {
                          const auto found = m_vms.find(vmid);
                          if (found == m_vms.end())
                              return QStringLiteral("VM vanished");
                          found->second.running = false;
                          if (HaResource *done = haResource(vmid))
                              done->crmState = QStringLiteral("stopped");
                          return {};
                      });
        } else if (requested == QLatin1String("started") && vm.running) {
            resource.crmState = QStringLiteral("started");
        } else if (!vm.running && resource.crmState != QLatin1String("request_start")) {
            resource.crmState = requested == QLatin1String("disabled") ? QStringLiteral("disabled")
                                                                       : QStringLiteral("stopped");
        }
    }
    haRecover();
}

QString Cluster::haMaster() const
{
    // The CRM master moves to another node when its own fails.
    const auto local = m_nodes.constFind(localNode());
    if (local != m_nodes.cend() && local->online())
        return localNode();
    for (const NodeDef &def : m_scenario.nodes) {
        const auto node = m_nodes.constFind(def.name);
        if (node != m_nodes.cend() && node->online())
            return def.name;
    }
    return localNode();
}

bool Cluster::quorate() const
{
    qsizetype online = 0;
    for (const NodeState &node : m_nodes)
        online += node.online() ? 1 : 0;
    return online * 2 > m_nodes.size();
}

rae::ha::ClusterState Cluster::haClusterState() const
{
    namespace ha = rae::ha;
    ha::ClusterState state;
    for (const NodeDef &def : m_scenario.nodes) {
        const auto node = m_nodes.constFind(def.name);
        ha::Node entry;
        entry.name = def.name;
        entry.online = node != m_nodes.cend() && node->online();
        entry.cpus = def.threads;
        entry.memoryBytes = static_cast<quint64>(def.memory);
        state.nodes.append(entry);
    }
    for (const HaResource &resource : m_haResources) {
        const auto vm = m_vms.find(resource.sid.section(QLatin1Char(':'), 1).toInt());
        ha::Service service;
        service.sid = resource.sid;
        service.node = resource.node;
        service.state =
            requestState(resource.raw.value(QStringLiteral("state"), QStringLiteral("started")));
        service.failback = resource.raw.value(QStringLiteral("failback"), QStringLiteral("1")) !=
                           QLatin1String("0");
        service.maxRelocate =
            resource.raw.value(QStringLiteral("max_relocate"), QStringLiteral("1")).toInt();
        service.group = resource.raw.value(QStringLiteral("group"));
        if (vm != m_vms.end()) {
            const QMap<QString, QString> &config = vm->second.config;
            service.cores = std::max(1, config.value(QStringLiteral("cores")).toInt());
            service.sockets = std::max(1, config.value(QStringLiteral("sockets")).toInt());
            service.cpulimit = config.value(QStringLiteral("cpulimit")).toDouble();
            service.memoryBytes = static_cast<quint64>(vm->second.memoryBytes());
        }
        state.services.append(service);
    }
    for (const auto &[vmid, vm] : m_vms) {
        if (vm.isTemplate() || m_haResources.contains(haSidOf(vmid)))
            continue;
        state.guests.append({haSidOf(vmid), vm.name(), vm.node, double(vm.vcpus()),
                             static_cast<quint64>(vm.memoryBytes()), vm.running});
    }
    if (m_scenario.crsHa == QLatin1String("static"))
        state.scheduler = ha::Scheduler::Static;
    else if (m_scenario.crsHa == QLatin1String("dynamic"))
        state.scheduler = ha::Scheduler::Dynamic;
    state.rulesSource = m_scenario.isPve9() ? ha::RulesSource::Rules : ha::RulesSource::Groups;
    for (const HaGroupDef &group : m_haGroups)
        state.groups.append(
            {group.group, nodePriorities(group.nodes), group.restricted, group.nofailback});
    for (const HaRuleDef &rule : m_haRules) {
        const QStringList resources =
            rule.options.value(QStringLiteral("resources")).split(u',', Qt::SkipEmptyParts);
        const bool disabled = rule.options.value(QStringLiteral("disable")) == QLatin1String("1");
        if (rule.type == QLatin1String("node-affinity")) {
            state.nodeAffinity.append(
                {rule.rule, resources, nodePriorities(rule.options.value(QStringLiteral("nodes"))),
                 rule.options.value(QStringLiteral("strict")) == QLatin1String("1"), disabled});
        } else if (rule.type == QLatin1String("resource-affinity")) {
            state.resourceAffinity.append(
                {rule.rule, resources,
                 rule.options.value(QStringLiteral("affinity")) == QLatin1String("positive")
                     ? ha::Affinity::Positive
                     : ha::Affinity::Negative,
                 disabled});
        }
    }
    return state;
}

// Recovers the services of fenced nodes once those nodes' agent locks have expired, one after
// the other in the manager's order (QMap: by sid as a string), each to the node the shared
// engine chooses with the placements made so far counted.
void Cluster::haRecover()
{
    namespace ha = rae::ha;
    const double now = m_clock.now();
    const double lockExpiry =
        std::max({haTimings.fenceDelay, haTimings.watchdogTimeout, haTimings.agentLockTimeout});
    QStringList due;
    for (const HaResource &resource : std::as_const(m_haResources)) {
        if (resource.crmState != QLatin1String("fence") &&
            resource.crmState != QLatin1String("recovery"))
            continue;
        const auto node = m_nodes.constFind(resource.node);
        if (node != m_nodes.cend() && !node->online() && now - node->offlineSince >= lockExpiry)
            due << resource.sid;
    }
    // Without quorum the manager may not act at all.
    if (due.isEmpty() || !quorate())
        return;

    const ha::ClusterState state = haClusterState();
    const ha::CompiledRules rules = ha::compileRules(state);
    QList<ha::Node> candidates;
    for (const ha::Node &node : state.nodes) {
        if (node.online && !node.maintenance)
            candidates.append(node);
    }
    ha::NodeUsage usage(state.scheduler, candidates);
    ha::ServiceStatusMap statuses;
    for (const ha::Service &service : state.services) {
        if (service.state == ha::RequestState::Ignored)
            continue;
        const HaResource &resource = m_haResources[service.sid];
        ha::ServiceStatus status;
        status.node = service.node;
        status.state =
            due.contains(service.sid) ? ha::CrmState::Recovery : crmStateOf(resource.crmState);
        if (status.state == ha::CrmState::Migrate || status.state == ha::CrmState::Relocate)
            status.target = resource.raw.value(QStringLiteral("requested-node"));
        statuses.insert(service.sid, status);
        usage.addServiceUsage(service, status.state, status.node, status.target);
    }

    const Identity root{QStringLiteral("root@pam"), {}, false};
    for (const QString &sid : std::as_const(due)) {
        HaResource &resource = m_haResources[sid];
        const ha::Service &service = *state.service(sid);
        const ha::NodeChoice choice = ha::chooseRecoveryNode(rules, usage, service, statuses);
        if (!choice.node) {
            if (resource.crmState != QLatin1String("recovery"))
                qCWarning(lcSimHa) << "recovering service" << sid << "failed, no recovery node";
            resource.crmState = QStringLiteral("recovery");
            resource.crmSince = now;
            continue;
        }
        const QString target = *choice.node;
        const bool start = service.state == ha::RequestState::Started;
        ha::ServiceStatus &status = statuses[sid];
        status.node = target;
        status.state = start ? ha::CrmState::Started : ha::CrmState::RequestStop;
        usage.removeServiceUsage(sid);
        usage.addServiceUsage(service, status.state, target);

        const int vmid = sid.section(QLatin1Char(':'), 1).toInt();
        const auto vm = m_vms.find(vmid);
        if (vm == m_vms.end())
            continue;
        qCInfo(lcSimHa) << "recover service" << sid << "from fenced node" << resource.node
                        << "to node" << target;
        // The guest died with its node: it is moved (its config changes node in pmxcfs) and
        // started fresh there.
        vm->second.node = target;
        vm->second.running = false;
        vm->second.frozenAt = 0;
        vm->second.config.remove(QStringLiteral("lock"));
        resource.node = target;
        resource.crmSince = now;
        resource.crmState = start ? QStringLiteral("started") : QStringLiteral("stopped");
        if (!start)
            continue;
        resource.startPendingUntil = now + haTimings.lrmRound;
        startTask(target, QStringLiteral("qmstart"), QString::number(vmid), root, 2,
                  [this, vmid]() -> QString {
                      const auto found = m_vms.find(vmid);
                      if (found == m_vms.end())
                          return QStringLiteral("VM vanished");
                      applyPending(found->second);
                      found->second.running = true;
                      found->second.startedAt = m_clock.now();
                      return {};
                  });
    }
    ++m_generation;
}

Reply Cluster::getHaStatus(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    const double now = m_clock.now();
    const bool quorate = this->quorate();
    const QString master = haMaster();
    QJsonArray out;
    out.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("quorum")},
                           {QStringLiteral("type"), QStringLiteral("quorum")},
                           {QStringLiteral("node"), localNode()},
                           {QStringLiteral("status"),
                            quorate ? QStringLiteral("OK")
                                    : QStringLiteral("No quorum on node '%1'!").arg(localNode())},
                           {QStringLiteral("quorate"), quorate ? 1 : 0}});
    if (m_haResources.isEmpty())
        return Reply::ok(out);
    out.append(QJsonObject{
        {QStringLiteral("id"), QStringLiteral("master")},
        {QStringLiteral("type"), QStringLiteral("master")},
        {QStringLiteral("node"), master},
        {QStringLiteral("status"), QStringLiteral("%1 (active, %2)").arg(master, statusTime(now))},
        {QStringLiteral("timestamp"), static_cast<qint64>(now)}});
    for (const NodeDef &def : m_scenario.nodes) {
        const NodeState &node = m_nodes[def.name];
        const double stamp = node.online() ? now : node.offlineSince;
        QString status =
            node.online()
                ? QStringLiteral("%1 (active, watchdog active, %2)")
                      .arg(def.name, statusTime(stamp))
                : QStringLiteral("%1 (old timestamp - dead?, %2)").arg(def.name, statusTime(stamp));
        out.append(QJsonObject{{QStringLiteral("id"), QString(QStringLiteral("lrm:") + def.name)},
                               {QStringLiteral("type"), QStringLiteral("lrm")},
                               {QStringLiteral("node"), def.name},
                               {QStringLiteral("status"), status},
                               {QStringLiteral("timestamp"), static_cast<qint64>(stamp)}});
    }
    for (const HaResource &resource : std::as_const(m_haResources)) {
        const QString request =
            resource.raw.value(QStringLiteral("state"), QStringLiteral("started"));
        QJsonObject entry{
            {QStringLiteral("id"), QString(QStringLiteral("service:") + resource.sid)},
            {QStringLiteral("type"), QStringLiteral("service")},
            {QStringLiteral("sid"), resource.sid},
            {QStringLiteral("node"), resource.node},
            {QStringLiteral("crm_state"), resource.crmState},
            {QStringLiteral("request_state"),
             request == QLatin1String("enabled") ? QStringLiteral("started") : request},
            {QStringLiteral("state"), resource.crmState == QLatin1String("request_start")
                                          ? QStringLiteral("starting")
                                          : resource.crmState},
            {QStringLiteral("status"),
             QStringLiteral("%1 (%2, %3)").arg(resource.sid, resource.node, resource.crmState)},
            {QStringLiteral("max_relocate"),
             resource.raw.value(QStringLiteral("max_relocate"), QStringLiteral("1")).toInt()},
            {QStringLiteral("max_restart"),
             resource.raw.value(QStringLiteral("max_restart"), QStringLiteral("1")).toInt()}};
        if (m_scenario.isPve9())
            entry.insert(
                QStringLiteral("failback"),
                resource.raw.value(QStringLiteral("failback"), QStringLiteral("1")).toInt());
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getHaManagerStatus(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    const double now = m_clock.now();
    QJsonObject nodeStatus;
    QJsonObject lrm;
    for (const NodeDef &def : m_scenario.nodes) {
        const NodeState &node = m_nodes[def.name];
        QString state = QStringLiteral("online");
        if (!node.online())
            state =
                now - node.offlineSince >= 60 ? QStringLiteral("fence") : QStringLiteral("unknown");
        nodeStatus.insert(def.name, state);
        if (node.online())
            lrm.insert(def.name,
                       QJsonObject{{QStringLiteral("mode"), QStringLiteral("active")},
                                   {QStringLiteral("state"),
                                    m_haResources.isEmpty() ? QStringLiteral("wait_for_agent_lock")
                                                            : QStringLiteral("active")},
                                   {QStringLiteral("timestamp"), static_cast<qint64>(now)},
                                   {QStringLiteral("results"), QJsonObject{}}});
    }
    QJsonObject services;
    for (const HaResource &resource : std::as_const(m_haResources)) {
        const auto vm = m_vms.find(resource.sid.section(QLatin1Char(':'), 1).toInt());
        services.insert(
            resource.sid,
            QJsonObject{
                {QStringLiteral("node"), resource.node},
                {QStringLiteral("state"), resource.crmState},
                {QStringLiteral("running"), vm != m_vms.end() && vm->second.running ? 1 : 0},
                {QStringLiteral("uid"),
                 digest((resource.sid + resource.crmState).toUtf8()).left(22)}});
    }
    QJsonObject manager{{QStringLiteral("master_node"), haMaster()},
                        {QStringLiteral("timestamp"), static_cast<qint64>(now)},
                        {QStringLiteral("node_status"), nodeStatus},
                        {QStringLiteral("service_status"), services}};
    return Reply::ok(QJsonObject{
        {QStringLiteral("manager_status"), manager},
        {QStringLiteral("lrm_status"), lrm},
        {QStringLiteral("quorum"), QJsonObject{{QStringLiteral("node"), localNode()},
                                               {QStringLiteral("quorate"), quorate() ? 1 : 0}}}});
}

// --- replication --------------------------------------------------------------------------

double Cluster::nextScheduleTime(const QString &schedule, double after) const
{
    // The calendar events replication jobs use in practice: "*/N" minutes, "hourly", "daily",
    // "HH:MM". Others fall back to the default */15.
    static const QRegularExpression everyMinutes(QStringLiteral("^\\*/(\\d+)$"));
    static const QRegularExpression clock(QStringLiteral("^(\\d{1,2}):(\\d{2})$"));
    const auto minutes = everyMinutes.match(schedule);
    double period = 15 * 60;
    if (minutes.hasMatch())
        period = std::max(1, minutes.captured(1).toInt()) * 60.0;
    else if (schedule == QLatin1String("hourly"))
        period = 3600;
    else if (schedule == QLatin1String("daily") || clock.match(schedule).hasMatch())
        period = 86400;
    double offset = 0;
    if (const auto time = clock.match(schedule); time.hasMatch())
        offset = time.captured(1).toInt() * 3600.0 + time.captured(2).toInt() * 60.0;
    return std::floor((after - offset) / period + 1) * period + offset;
}

void Cluster::runReplication(ReplicationJob &job)
{
    const double now = m_clock.now();
    const QString id = job.def.id;
    const auto vm = m_vms.find(job.guest);
    if (vm == m_vms.end())
        return;
    const bool disabled = job.def.options.value(QStringLiteral("disable")) == QLatin1String("1");
    const NodeState &source = m_nodes[vm->second.node];
    if (disabled || !source.online()) {
        job.nextSync = nextScheduleTime(job.def.schedule, now);
        at(job.nextSync, [this, id] {
            if (m_replication.contains(id))
                runReplication(m_replication[id]);
        });
        return;
    }
    job.lastTry = now;
    const QString fault = m_replicationFaults.value(id);
    const bool targetDown = !m_nodes.contains(job.def.target) || !m_nodes[job.def.target].online();
    if (!fault.isEmpty() || targetDown) {
        job.failCount += 1;
        job.duration = targetDown ? 3.01 : 30.02;
        job.error =
            !fault.isEmpty()
                ? fault
                : QStringLiteral(
                      "command '/usr/bin/ssh -e none -o 'BatchMode=yes' -o 'HostKeyAlias=%1' "
                      "root@%2 -- pvesr prepare-local-job %3' failed: exit code 255")
                      .arg(job.def.target, m_nodes.value(job.def.target).def.ip, id);
        // Back off 5 minutes per failure, at most 30, as pvesr does.
        job.nextSync = job.lastTry + std::min(30, 5 * job.failCount) * 60.0;
    } else {
        job.runningUntil = now + job.duration;
        job.lastSync = now;
        job.failCount = 0;
        job.error.clear();
        job.duration = 2.5 + (job.guest % 7) * 0.37 + 0.5 * noise(job.guest, 900);
        job.nextSync = nextScheduleTime(job.def.schedule, now);
    }
    at(job.nextSync, [this, id] {
        if (m_replication.contains(id))
            runReplication(m_replication[id]);
    });
}

Reply Cluster::replicationPermission(const Call &call, int vmid) const
{
    if (m_scenario.isPve9()) {
        if (!can(call.who, QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Replicate")))
            return forbidden(QStringLiteral("/vms/%1").arg(vmid), QStringLiteral("VM.Replicate"));
    } else if (!can(call.who, QStringLiteral("/storage"), QStringLiteral("Datastore.Allocate"))) {
        return forbidden(QStringLiteral("/storage"), QStringLiteral("Datastore.Allocate"));
    }
    return Reply::ok();
}

Reply Cluster::getReplicationJobs(Call &call)
{
    QJsonArray out;
    for (const ReplicationJob &job : std::as_const(m_replication)) {
        if (!can(call.who, QStringLiteral("/vms/%1").arg(job.guest), QStringLiteral("VM.Audit")))
            continue;
        const auto vm = m_vms.find(job.guest);
        QJsonObject entry{{QStringLiteral("id"), job.def.id},
                          {QStringLiteral("type"), QStringLiteral("local")},
                          {QStringLiteral("guest"), job.guest},
                          {QStringLiteral("jobnum"), job.jobnum},
                          {QStringLiteral("target"), job.def.target},
                          {QStringLiteral("schedule"), job.def.schedule}};
        if (vm != m_vms.end())
            entry.insert(QStringLiteral("source"), vm->second.node);
        for (auto it = job.def.options.begin(); it != job.def.options.end(); ++it) {
            if (it.key() == QLatin1String("rate"))
                entry.insert(it.key(), it.value().toDouble());
            else if (it.key() == QLatin1String("disable"))
                entry.insert(it.key(), it.value().toInt());
            else if (it.key() != QLatin1String("source"))
                entry.insert(it.key(), it.value());
        }
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getReplicationJob(Call &call)
{
    Call list = call;
    list.params = {};
    for (const QJsonValue &entry : getReplicationJobs(list).data.toArray()) {
        if (entry.toObject().value(QStringLiteral("id")).toString() ==
            call.text(QStringLiteral("id"))) {
            QJsonObject job = entry.toObject();
            job.insert(QStringLiteral("digest"), digest(QJsonDocument(job).toJson()));
            return Reply::ok(job);
        }
    }
    return Reply::error(
        500,
        QStringLiteral("replication job '%1' does not exist").arg(call.text(QStringLiteral("id"))));
}

Reply Cluster::postReplicationJob(Call &call)
{
    const QString id = call.text(QStringLiteral("id"));
    const int guest = id.section(QLatin1Char('-'), 0, 0).toInt();
    if (Reply denied = replicationPermission(call, guest); denied.status != 200)
        return denied;
    if (m_replication.contains(id))
        return Reply::error(500, QStringLiteral("replication job '%1' already exists").arg(id));
    const auto vm = m_vms.find(guest);
    if (vm == m_vms.end())
        return Reply::error(500, QStringLiteral("guest '%1' does not exist").arg(guest));
    const QString target = call.text(QStringLiteral("target"));
    if (!m_nodes.contains(target))
        return Reply::error(500, QStringLiteral("no such node '%1'").arg(target));
    if (target == vm->second.node)
        return Reply::error(500, QStringLiteral("unable to replicate to local node"));
    for (const QString &key : diskKeys(vm->second)) {
        const QString volid = vm->second.config.value(key).section(QLatin1Char(','), 0, 0);
        const StorageDef *def = storage(volid.section(QLatin1Char(':'), 0, 0));
        if (def && def->type != QLatin1String("zfspool") &&
            !vm->second.config.value(key).contains(QLatin1String("replicate=0")))
            return Reply::error(
                500, QStringLiteral("missing replicate feature on volume '%1'").arg(volid));
    }
    ReplicationJob job;
    job.def.id = id;
    job.def.target = target;
    job.def.schedule = call.text(QStringLiteral("schedule"), QStringLiteral("*/15"));
    for (const char *key : {"rate", "comment", "disable"}) {
        if (call.has(QString::fromLatin1(key)))
            job.def.options.insert(QString::fromLatin1(key), call.text(QString::fromLatin1(key)));
    }
    job.guest = guest;
    job.jobnum = id.section(QLatin1Char('-'), 1).toInt();
    job.nextSync = m_clock.now() + 5;
    m_replication.insert(id, job);
    at(job.nextSync, [this, id] {
        if (m_replication.contains(id))
            runReplication(m_replication[id]);
    });
    return Reply::ok();
}

Reply Cluster::deleteReplicationJob(Call &call)
{
    const QString id = call.text(QStringLiteral("id"));
    if (Reply denied = replicationPermission(call, id.section(QLatin1Char('-'), 0, 0).toInt());
        denied.status != 200)
        return denied;
    if (!m_replication.remove(id))
        return Reply::error(500, QStringLiteral("replication job '%1' does not exist").arg(id));
    return Reply::ok();
}

QJsonObject Cluster::replicationStatus(const ReplicationJob &job) const
{
    const auto vm = m_vms.find(job.guest);
    QJsonObject entry{{QStringLiteral("id"), job.def.id},
                      {QStringLiteral("type"), QStringLiteral("local")},
                      {QStringLiteral("guest"), job.guest},
                      {QStringLiteral("jobnum"), job.jobnum},
                      {QStringLiteral("target"), job.def.target},
                      {QStringLiteral("schedule"), job.def.schedule},
                      {QStringLiteral("vmtype"), QStringLiteral("qemu")},
                      {QStringLiteral("last_sync"), static_cast<qint64>(job.lastSync)},
                      {QStringLiteral("last_try"), static_cast<qint64>(job.lastTry)},
                      {QStringLiteral("next_sync"), static_cast<qint64>(job.nextSync)},
                      {QStringLiteral("duration"), std::round(job.duration * 1e6) / 1e6},
                      {QStringLiteral("fail_count"), job.failCount}};
    if (vm != m_vms.end())
        entry.insert(QStringLiteral("source"), vm->second.node);
    if (!job.error.isEmpty())
        entry.insert(QStringLiteral("error"), job.error);
    if (m_clock.now() < job.runningUntil)
        entry.insert(QStringLiteral("pid"), static_cast<qint64>(40000 + job.guest));
    for (auto it = job.def.options.begin(); it != job.def.options.end(); ++it) {
        if (it.key() == QLatin1String("disable"))
            entry.insert(it.key(), it.value().toInt());
        else if (it.key() == QLatin1String("rate"))
            entry.insert(it.key(), it.value().toDouble());
        else if (it.key() == QLatin1String("comment"))
            entry.insert(it.key(), it.value());
    }
    return entry;
}

Reply Cluster::getNodeReplication(Call &call)
{
    const QString node = call.text(QStringLiteral("node"));
    QJsonArray out;
    for (const ReplicationJob &job : std::as_const(m_replication)) {
        const auto vm = m_vms.find(job.guest);
        // Only the node where the guest runs knows the job's state.
        if (vm == m_vms.end() || vm->second.node != node)
            continue;
        if (call.has(QStringLiteral("guest")) && call.integer(QStringLiteral("guest")) != job.guest)
            continue;
        if (!can(call.who, QStringLiteral("/vms/%1").arg(job.guest), QStringLiteral("VM.Audit")))
            continue;
        out.append(replicationStatus(job));
    }
    return Reply::ok(out);
}

Reply Cluster::getReplicationStatus(Call &call)
{
    const QString id = call.text(QStringLiteral("id"));
    const auto it = m_replication.find(id);
    const auto vm = it == m_replication.end() ? m_vms.end() : m_vms.find(it->guest);
    if (it == m_replication.end() || vm == m_vms.end() ||
        vm->second.node != call.text(QStringLiteral("node")))
        return Reply::error(500, QStringLiteral("no such replication job '%1'").arg(id));
    if (!can(call.who, QStringLiteral("/vms/%1").arg(it->guest), QStringLiteral("VM.Audit")))
        return forbidden(QStringLiteral("/vms/%1").arg(it->guest), QStringLiteral("VM.Audit"));
    return Reply::ok(replicationStatus(*it));
}

Reply Cluster::replicationScheduleNow(Call &call)
{
    const QString id = call.text(QStringLiteral("id"));
    const auto it = m_replication.find(id);
    if (it == m_replication.end())
        return Reply::error(500, QStringLiteral("no such replication job '%1'").arg(id));
    if (Reply denied = replicationPermission(call, it->guest); denied.status != 200)
        return denied;
    Task &task = startTask(call.text(QStringLiteral("node")), QStringLiteral("pvesr"), id, call.who,
                           1, [this, id]() -> QString {
                               if (!m_replication.contains(id))
                                   return QStringLiteral("no such replication job '%1'").arg(id);
                               runReplication(m_replication[id]);
                               const ReplicationJob &job = m_replication[id];
                               return job.error;
                           });
    return Reply::ok(task.upid);
}

// --- backup jobs --------------------------------------------------------------------------

Reply Cluster::getBackupJobs(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Audit")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Audit"));
    QJsonArray out;
    for (auto it = m_backupJobs.begin(); it != m_backupJobs.end(); ++it) {
        QJsonObject entry{{QStringLiteral("id"), it.key()},
                          {QStringLiteral("type"), QStringLiteral("vzdump")}};
        for (auto option = it->begin(); option != it->end(); ++option) {
            static const QStringList numeric = {QStringLiteral("enabled"), QStringLiteral("all"),
                                                QStringLiteral("protected"),
                                                QStringLiteral("repeat-missed")};
            if (numeric.contains(option.key()))
                entry.insert(option.key(), option.value().toInt());
            else if (option.key() == QLatin1String("prune-backups")) {
                QJsonObject prune;
                for (const QString &item :
                     option.value().split(QLatin1Char(','), Qt::SkipEmptyParts))
                    prune.insert(item.section(QLatin1Char('='), 0, 0),
                                 item.section(QLatin1Char('='), 1).toInt());
                entry.insert(option.key(), prune);
            } else {
                entry.insert(option.key(), option.value());
            }
        }
        if (it->value(QStringLiteral("enabled"), QStringLiteral("1")) == QLatin1String("1"))
            entry.insert(QStringLiteral("next-run"),
                         static_cast<qint64>(nextBackupRun(
                             it->value(QStringLiteral("schedule"), QStringLiteral("00:00")),
                             m_clock.now())));
        out.append(entry);
    }
    return Reply::ok(out);
}

Reply Cluster::getBackupJob(Call &call)
{
    const QString id = call.text(QStringLiteral("id"));
    Call list = withoutParameters(call);
    return entryOf(getBackupJobs(list), QStringLiteral("id"), id,
                   Reply::error(500, QStringLiteral("job '%1' does not exist").arg(id)));
}

Reply Cluster::postBackupJob(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Modify")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Modify"));
    QString id = call.text(QStringLiteral("id"));
    if (id.isEmpty())
        id = QStringLiteral("backup-%1-%2")
                 .arg(QString::fromLatin1(randomBytes(4).toHex()),
                      QString::fromLatin1(randomBytes(2).toHex()));
    if (m_backupJobs.contains(id))
        return Reply::error(500, QStringLiteral("Job ID '%1' already exists").arg(id));
    if (call.has(QStringLiteral("vmid")) && call.flag(QStringLiteral("all")))
        return Reply::error(500, QStringLiteral("option 'all' and 'vmid' are mutually exclusive"));
    QMap<QString, QString> options;
    for (auto it = call.params.begin(); it != call.params.end(); ++it) {
        if (it.key() != QLatin1String("id"))
            options.insert(it.key(), call.text(it.key()));
    }
    if (!options.contains(QStringLiteral("schedule")))
        options.insert(QStringLiteral("schedule"), QStringLiteral("00:00"));
    m_backupJobs.insert(id, options);
    ++m_backupJobEpoch[id];
    scheduleBackupJob(id);
    return Reply::ok();
}

Reply Cluster::deleteBackupJob(Call &call)
{
    if (!can(call.who, QStringLiteral("/"), QStringLiteral("Sys.Modify")))
        return forbidden(QStringLiteral("/"), QStringLiteral("Sys.Modify"));
    if (!m_backupJobs.remove(call.text(QStringLiteral("id"))))
        return Reply::error(
            500, QStringLiteral("job '%1' does not exist").arg(call.text(QStringLiteral("id"))));
    ++m_backupJobEpoch[call.text(QStringLiteral("id"))];
    return Reply::ok();
}

} // namespace rae::sim
