#pragma once

#include "common/result.h"

#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// High availability as the API shows it: the configured resources, groups (PVE 8) and rules
// (PVE 9), and the manager's current view.
namespace rae::cluster {

// `GET /cluster/ha/resources`: the raw config, so defaults are filled in here.
struct HaResource
{
    QString sid;  // "vm:100"
    QString type; // vm, ct
    int vmid = 0;
    QString state = QStringLiteral("started"); // requested: started, stopped, disabled, ignored
    int maxRestart = 1;
    int maxRelocate = 1;
    bool failback = true; // PVE 9; on 8 the group's nofailback says it
    QString group;        // PVE 8 only
    QString comment;
    friend bool operator==(const HaResource &, const HaResource &) = default;
};

// "pve2:2,pve3:1" — a node with an optional priority (higher is preferred).
struct HaNodePriority
{
    QString node;
    std::optional<int> priority;
    friend bool operator==(const HaNodePriority &, const HaNodePriority &) = default;
};

// `GET /cluster/ha/groups` (PVE 8).
struct HaGroup
{
    QString group;
    QList<HaNodePriority> nodes;
    bool restricted = false;
    bool noFailback = false;
    QString comment;
    friend bool operator==(const HaGroup &, const HaGroup &) = default;
};

// `GET /cluster/ha/rules` (PVE 9).
struct HaRule
{
    enum class Type
    {
        NodeAffinity,
        ResourceAffinity,
        Other
    };
    QString rule;
    Type type = Type::Other;
    QString typeText;
    QStringList resources;       // sids
    QList<HaNodePriority> nodes; // NodeAffinity
    bool strict = false;         // NodeAffinity
    bool positive = false;       // ResourceAffinity: together (true) or apart
    bool disabled = false;
    QString comment;
    QString error; // the feasibility check disabled it, with this reason
    friend bool operator==(const HaRule &, const HaRule &) = default;
};

// `GET /cluster/ha/status/current`, from its structured fields only (never the `status` text).
struct HaStatus
{
    struct Service
    {
        QString sid;
        QString node;
        QString state;        // the verbose view: started, fence, recovery, migrate, error, ...
        QString crmState;     // raw CRM state
        QString requestState; // what was asked
        friend bool operator==(const Service &, const Service &) = default;
    };
    struct Lrm
    {
        QString node;
        qint64 timestamp = 0;
        QString statusText; // for display only
        friend bool operator==(const Lrm &, const Lrm &) = default;
    };

    bool quorate = false;
    QString quorumNode;
    QString master; // node of the active CRM; empty when none
    qint64 masterTimestamp = 0;
    QString fencingArmedState; // pve-ha-manager 5.1.3+: armed, disarmed, ...; empty before
    QList<Lrm> lrms;
    QList<Service> services;
    friend bool operator==(const HaStatus &, const HaStatus &) = default;

    const Service *service(const QString &sid) const;
};

QList<HaNodePriority> parseHaNodeList(const QString &text);

Result<QList<HaResource>> parseHaResources(const QJsonValue &data);
Result<QList<HaGroup>> parseHaGroups(const QJsonValue &data);
Result<QList<HaRule>> parseHaRules(const QJsonValue &data);
Result<HaStatus> parseHaStatus(const QJsonValue &data);

} // namespace rae::cluster
