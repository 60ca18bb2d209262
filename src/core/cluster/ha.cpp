#include "cluster/ha.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::Ha)
};

QString text(const QJsonObject &object, const char *key)
{
    return lenient::toString(object.value(QLatin1String(key)));
}

} // namespace

const HaStatus::Service *HaStatus::service(const QString &sid) const
{
    for (const Service &candidate : services) {
        if (candidate.sid == sid)
            return &candidate;
    }
    return nullptr;
}

QList<HaNodePriority> parseHaNodeList(const QString &list)
{
    QList<HaNodePriority> nodes;
    for (const QString &item : lenient::splitList(list)) {
        HaNodePriority entry;
        entry.node = item.section(QLatin1Char(':'), 0, 0);
        if (item.contains(QLatin1Char(':'))) {
            if (const auto priority = lenient::intFromText(item.section(QLatin1Char(':'), 1)))
                entry.priority = int(*priority);
        }
        if (!entry.node.isEmpty())
            nodes.append(entry);
    }
    return nodes;
}

Result<QList<HaResource>> parseHaResources(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the HA resources are not a list"), {}, {}};
    QList<HaResource> resources;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        HaResource resource;
        resource.sid = text(object, "sid");
        if (resource.sid.isEmpty())
            return Error{Tr::tr("an HA resource without a service id"), {}, {}};
        resource.type = text(object, "type");
        if (resource.type.isEmpty())
            resource.type = resource.sid.section(QLatin1Char(':'), 0, 0);
        resource.vmid = resource.sid.section(QLatin1Char(':'), -1).toInt();
        const QString state = text(object, "state");
        // "enabled" is an alias of started.
        if (!state.isEmpty() && state != QLatin1String("enabled"))
            resource.state = state;
        resource.maxRestart =
            int(lenient::toInt(object.value(QLatin1String("max_restart"))).value_or(1));
        resource.maxRelocate =
            int(lenient::toInt(object.value(QLatin1String("max_relocate"))).value_or(1));
        resource.failback = lenient::toBool(object.value(QLatin1String("failback"))).value_or(true);
        resource.group = text(object, "group");
        resource.comment = text(object, "comment");
        resources.append(std::move(resource));
    }
    return resources;
}

Result<QList<HaGroup>> parseHaGroups(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the HA groups are not a list"), {}, {}};
    QList<HaGroup> groups;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        HaGroup group;
        group.group = text(object, "group");
        if (group.group.isEmpty())
            return Error{Tr::tr("an HA group without a name"), {}, {}};
        group.nodes = parseHaNodeList(text(object, "nodes"));
        group.restricted =
            lenient::toBool(object.value(QLatin1String("restricted"))).value_or(false);
        group.noFailback =
            lenient::toBool(object.value(QLatin1String("nofailback"))).value_or(false);
        group.comment = text(object, "comment");
        groups.append(std::move(group));
    }
    return groups;
}

Result<QList<HaRule>> parseHaRules(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the HA rules are not a list"), {}, {}};
    QList<HaRule> rules;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        HaRule rule;
        rule.rule = text(object, "rule");
        if (rule.rule.isEmpty())
            return Error{Tr::tr("an HA rule without an id"), {}, {}};
        rule.typeText = text(object, "type");
        if (rule.typeText == QLatin1String("node-affinity"))
            rule.type = HaRule::Type::NodeAffinity;
        else if (rule.typeText == QLatin1String("resource-affinity"))
            rule.type = HaRule::Type::ResourceAffinity;
        rule.resources = lenient::splitList(text(object, "resources"));
        rule.nodes = parseHaNodeList(text(object, "nodes"));
        rule.strict = lenient::toBool(object.value(QLatin1String("strict"))).value_or(false);
        rule.positive = text(object, "affinity") == QLatin1String("positive");
        rule.disabled = lenient::toBool(object.value(QLatin1String("disable"))).value_or(false);
        rule.comment = text(object, "comment");
        // `errors` maps a check to its messages; one line is enough to show why.
        const QJsonValue errors = object.value(QLatin1String("errors"));
        if (errors.isObject()) {
            QStringList lines;
            const QJsonObject map = errors.toObject();
            for (auto it = map.begin(); it != map.end(); ++it) {
                const QJsonValue messages = it.value();
                if (messages.isArray()) {
                    for (const QJsonValue &message : messages.toArray())
                        lines << lenient::toString(message);
                } else {
                    lines << lenient::toString(messages);
                }
            }
            lines.removeAll(QString());
            rule.error = lines.join(QStringLiteral("; "));
        } else {
            rule.error = lenient::toString(errors);
        }
        rules.append(std::move(rule));
    }
    return rules;
}

Result<HaStatus> parseHaStatus(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the HA status is not a list"), {}, {}};
    HaStatus status;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        const QString type = text(object, "type");
        if (type == QLatin1String("quorum")) {
            status.quorate =
                lenient::toBool(object.value(QLatin1String("quorate"))).value_or(false);
            status.quorumNode = text(object, "node");
        } else if (type == QLatin1String("master")) {
            status.master = text(object, "node");
            status.masterTimestamp =
                lenient::toInt(object.value(QLatin1String("timestamp"))).value_or(0);
        } else if (type == QLatin1String("fencing")) {
            status.fencingArmedState = text(object, "armed-state");
        } else if (type == QLatin1String("lrm")) {
            status.lrms.append(
                {text(object, "node"),
                 lenient::toInt(object.value(QLatin1String("timestamp"))).value_or(0),
                 text(object, "status")});
        } else if (type == QLatin1String("service")) {
            HaStatus::Service service;
            service.sid = text(object, "sid");
            if (service.sid.isEmpty())
                return Error{Tr::tr("an HA service status without a service id"), {}, {}};
            service.node = text(object, "node");
            service.state = text(object, "state");
            service.crmState = text(object, "crm_state");
            service.requestState = text(object, "request_state");
            status.services.append(std::move(service));
        }
        // Other types are newer than us; they do not change what the known ones mean.
    }
    return status;
}

} // namespace rae::cluster
