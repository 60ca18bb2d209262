#include "ha/rules.h"

#include <QCoreApplication>

#include <algorithm>

namespace rae::ha {

namespace {

enum class RuleKind
{
    NodeAffinity,
    Positive,
    Negative
};

struct WorkRule
{
    QString id;
    RuleKind kind = RuleKind::NodeAffinity;
    QSet<QString> resources;
    QMap<QString, int> nodes;
    bool strict = false;
};

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::ha::Rules)
};

bool intersects(const QSet<QString> &a, const QSet<QString> &b)
{
    return std::any_of(a.cbegin(), a.cend(), [&b](const QString &sid) { return b.contains(sid); });
}

int intersectionSize(const QSet<QString> &a, const QSet<QString> &b)
{
    return int(
        std::count_if(a.cbegin(), a.cend(), [&b](const QString &sid) { return b.contains(sid); }));
}

bool hasSeveralPriorities(const WorkRule &rule)
{
    if (rule.nodes.isEmpty())
        return false;
    const int first = rule.nodes.first();
    return std::any_of(rule.nodes.cbegin(), rule.nodes.cend(),
                       [first](int priority) { return priority != first; });
}

// Positive rules sharing a resource act as one: the sets of connected rules and their ids.
struct PositiveSet
{
    QSet<QString> resources;
    QStringList ruleIds;
};

QList<PositiveSet> disjointPositiveSets(const QList<WorkRule> &rules)
{
    QList<PositiveSet> sets;
    for (const WorkRule &rule : rules) {
        if (rule.kind != RuleKind::Positive)
            continue;
        PositiveSet merged{rule.resources, {rule.id}};
        for (qsizetype i = sets.size() - 1; i >= 0; --i) {
            if (intersects(sets[i].resources, merged.resources)) {
                merged.resources.unite(sets[i].resources);
                merged.ruleIds += sets[i].ruleIds;
                sets.removeAt(i);
            }
        }
        merged.ruleIds.sort();
        sets.append(merged);
    }
    return sets;
}

QList<WorkRule> collectRules(const ClusterState &state)
{
    QList<WorkRule> rules;
    if (state.rulesSource == RulesSource::Groups) {
        // The PVE 9 manager migrates each group into the rule `ha-group-<id>`; PVE 8 reads the
        // group directly with the same meaning.
        for (const Group &group : state.groups) {
            WorkRule rule{QStringLiteral("ha-group-") + group.id,
                          RuleKind::NodeAffinity,
                          {},
                          group.nodes,
                          group.restricted};
            for (const Service &service : state.services) {
                if (service.group == group.id)
                    rule.resources.insert(service.sid);
            }
            if (!rule.resources.isEmpty())
                rules.append(rule);
        }
        return rules;
    }
    for (const NodeAffinityRule &in : state.nodeAffinity) {
        if (in.disabled)
            continue;
        rules.append({in.id, RuleKind::NodeAffinity,
                      QSet<QString>(in.resources.cbegin(), in.resources.cend()), in.nodes,
                      in.strict});
    }
    for (const ResourceAffinityRule &in : state.resourceAffinity) {
        if (in.disabled)
            continue;
        rules.append({in.id,
                      in.affinity == Affinity::Positive ? RuleKind::Positive : RuleKind::Negative,
                      QSet<QString>(in.resources.cbegin(), in.resources.cend()),
                      {},
                      false});
    }
    return rules;
}

// The manager's feasibility check: every rule taking part in a conflict is dropped, with why.
QMap<QString, QStringList> findInfeasibleRules(const QList<WorkRule> &rules, int nodeCount)
{
    QMap<QString, QStringList> errors;
    const auto drop = [&errors](const QString &id, const QString &why) {
        if (!errors[id].contains(why))
            errors[id].append(why);
    };

    QHash<QString, QStringList> nodeRulesOfSid;
    for (const WorkRule &rule : rules) {
        if (rule.kind == RuleKind::NodeAffinity) {
            for (const QString &sid : rule.resources)
                nodeRulesOfSid[sid].append(rule.id);
        }
    }
    for (auto it = nodeRulesOfSid.cbegin(); it != nodeRulesOfSid.cend(); ++it) {
        if (it.value().size() < 2)
            continue;
        for (const QString &id : it.value())
            drop(id,
                 Tr::tr("resource %1 is already used in another node affinity rule").arg(it.key()));
    }

    for (const WorkRule &rule : rules) {
        if (rule.kind == RuleKind::NodeAffinity)
            continue;
        if (rule.resources.size() < 2)
            drop(rule.id, Tr::tr("the rule has fewer than two resources"));
        if (rule.kind == RuleKind::Negative && rule.resources.size() > nodeCount)
            drop(rule.id, Tr::tr("the rule has more resources than the cluster has nodes"));
    }

    const QList<PositiveSet> positiveSets = disjointPositiveSets(rules);
    for (const PositiveSet &set : positiveSets) {
        for (const WorkRule &negative : rules) {
            if (negative.kind != RuleKind::Negative ||
                intersectionSize(set.resources, negative.resources) < 2)
                continue;
            drop(negative.id, Tr::tr("it shares two or more resources with a positive rule"));
            for (const QString &id : set.ruleIds)
                drop(id, Tr::tr("it shares two or more resources with a negative rule"));
        }
    }

    for (const WorkRule &affinity : rules) {
        if (affinity.kind == RuleKind::NodeAffinity)
            continue;
        QStringList paired;
        bool severalPriorities = false;
        for (const WorkRule &nodeRule : rules) {
            if (nodeRule.kind != RuleKind::NodeAffinity ||
                !intersects(affinity.resources, nodeRule.resources))
                continue;
            severalPriorities = severalPriorities || hasSeveralPriorities(nodeRule);
            paired.append(nodeRule.id);
        }
        if (!severalPriorities)
            continue;
        drop(affinity.id,
             Tr::tr("its resources are in node affinity rules with several priorities"));
        for (const QString &id : paired)
            drop(id, Tr::tr("its resources are in a resource affinity rule, which needs a single "
                            "priority"));
    }

    for (const PositiveSet &set : positiveSets) {
        QStringList paired;
        for (const WorkRule &nodeRule : rules) {
            if (nodeRule.kind == RuleKind::NodeAffinity &&
                intersects(set.resources, nodeRule.resources))
                paired.append(nodeRule.id);
        }
        if (paired.size() < 2)
            continue;
        for (const QString &id : set.ruleIds)
            drop(id, Tr::tr("its resources are in several node affinity rules"));
        for (const QString &id : paired)
            drop(id, Tr::tr("a positive resource affinity rule spans other node affinity rules"));
    }

    for (const WorkRule &negative : rules) {
        if (negative.kind != RuleKind::Negative)
            continue;
        QSet<QString> located;
        QSet<QString> allowedNodes;
        QStringList paired;
        for (const WorkRule &nodeRule : rules) {
            if (nodeRule.kind != RuleKind::NodeAffinity)
                continue;
            bool common = false;
            for (const QString &sid : negative.resources) {
                if (nodeRule.resources.contains(sid)) {
                    located.insert(sid);
                    common = true;
                }
            }
            if (!common)
                continue;
            for (auto it = nodeRule.nodes.cbegin(); it != nodeRule.nodes.cend(); ++it)
                allowedNodes.insert(it.key());
            paired.append(nodeRule.id);
        }
        if (allowedNodes.size() >= located.size())
            continue;
        drop(negative.id, Tr::tr("its resources are restricted to fewer nodes than resources"));
        for (const QString &id : paired)
            drop(id, Tr::tr("it restricts resources of a negative rule to too few nodes"));
    }
    return errors;
}

} // namespace

CompiledRules compileRules(const ClusterState &state)
{
    CompiledRules compiled;
    for (const Service &service : state.services)
        compiled.failback.insert(service.sid, service.failback);

    QList<WorkRule> rules = collectRules(state);
    if (state.rulesSource == RulesSource::Groups) {
        for (const Group &group : state.groups) {
            if (!group.nofailback)
                continue;
            for (const Service &service : state.services) {
                if (service.group == group.id)
                    compiled.failback[service.sid] = false;
            }
        }
    }

    const QMap<QString, QStringList> errors = findInfeasibleRules(rules, int(state.nodes.size()));
    for (auto it = errors.cbegin(); it != errors.cend(); ++it) {
        for (const QString &why : it.value())
            compiled.droppedRules.append(Tr::tr("rule %1 is dropped: %2").arg(it.key(), why));
    }
    rules.erase(
        std::remove_if(rules.begin(), rules.end(),
                       [&errors](const WorkRule &rule) { return errors.contains(rule.id); }),
        rules.end());

    // Connected positive rules act as one; members of a positive set inherit the negative
    // partners of each other and the node affinity rule of any of them.
    const QList<PositiveSet> positiveSets = disjointPositiveSets(rules);
    QList<WorkRule> negatives;
    for (const WorkRule &rule : rules) {
        if (rule.kind == RuleKind::Negative)
            negatives.append(rule);
    }
    for (const PositiveSet &set : positiveSets) {
        QHash<QString, QSet<QString>> separatedFrom; // outside sid → set members it avoids
        for (const WorkRule &negative : std::as_const(negatives)) {
            for (const QString &sid : set.resources) {
                if (!negative.resources.contains(sid))
                    continue;
                for (const QString &other : negative.resources) {
                    if (other != sid)
                        separatedFrom[other].insert(sid);
                }
            }
        }
        for (auto it = separatedFrom.cbegin(); it != separatedFrom.cend(); ++it) {
            for (const QString &sid : set.resources) {
                if (!it.value().contains(sid))
                    rules.append({QStringLiteral("_implicit-negative"),
                                  RuleKind::Negative,
                                  {sid, it.key()},
                                  {},
                                  false});
            }
        }
        for (WorkRule &nodeRule : rules) {
            if (nodeRule.kind == RuleKind::NodeAffinity &&
                intersects(set.resources, nodeRule.resources)) {
                nodeRule.resources.unite(set.resources);
                break;
            }
        }
        for (const QString &sid : set.resources) {
            for (const QString &other : set.resources) {
                if (other != sid)
                    compiled.together[sid].insert(other);
            }
        }
    }

    for (const WorkRule &rule : std::as_const(rules)) {
        if (rule.kind == RuleKind::NodeAffinity) {
            for (const QString &sid : rule.resources)
                compiled.nodeAffinity.insert(sid, {rule.id, rule.nodes, rule.strict});
        } else if (rule.kind == RuleKind::Negative) {
            for (const QString &sid : rule.resources) {
                for (const QString &other : rule.resources) {
                    if (other != sid)
                        compiled.separate[sid].insert(other);
                }
            }
        }
    }
    return compiled;
}

} // namespace rae::ha
