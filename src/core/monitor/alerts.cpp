#include "monitor/alerts.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <QSet>

#include <algorithm>
#include <cmath>
#include <tuple>

Q_LOGGING_CATEGORY(lcAlerts, "raedeploy.monitor.alerts", QtInfoMsg)

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::Alerts)
};

QString stateKey(const QString &ruleId, const QString &subject)
{
    return ruleId + QLatin1Char('\n') + subject;
}

} // namespace

QList<AlertRule> defaultAlertRules()
{
    using std::chrono::minutes;
    using std::chrono::seconds;
    return {
        // One slow answer is noise; three in a row at the 5 s probe interval is a trend.
        {QStringLiteral("api.latency"), QStringLiteral("latency.rae_api"), 500.0, 400.0,
         seconds(15), seconds(30), AlertSeverity::Warning, Tr::tr("RAE API slower than 500 ms")},
        {QStringLiteral("replication.lag"), QStringLiteral("replication.lag_ratio"), 2.0, 1.5,
         seconds(0), seconds(60), AlertSeverity::Warning,
         Tr::tr("Replication more than twice its interval behind")},
        {QStringLiteral("gpu.saturated"), QStringLiteral("gpu.utilization"), 95.0, 90.0, minutes(5),
         minutes(1), AlertSeverity::Warning, Tr::tr("GPU above 95 % for 5 minutes")},
        {QStringLiteral("node.offline"), QStringLiteral("node.offline"), 0.5, 0.5, seconds(0),
         seconds(30), AlertSeverity::Critical, Tr::tr("Node offline")},
        {QStringLiteral("ha.error"), QStringLiteral("ha.error"), 0.5, 0.5, seconds(0), seconds(0),
         AlertSeverity::Critical, Tr::tr("HA service in error or fence")},
        {QStringLiteral("service.down"), QStringLiteral("probe.failed"), 0.5, 0.5, seconds(10),
         seconds(10), AlertSeverity::Critical, Tr::tr("Service not answering its health check")},
        // ceph.health is 0 OK, 1 WARN, 2 ERR: one rule per level, so ERR raises its own alert.
        {QStringLiteral("ceph.warn"), QStringLiteral("ceph.health"), 0.5, 0.5, seconds(0),
         seconds(30), AlertSeverity::Warning, Tr::tr("Ceph health warning")},
        {QStringLiteral("ceph.error"), QStringLiteral("ceph.health"), 1.5, 1.5, seconds(0),
         seconds(30), AlertSeverity::Critical, Tr::tr("Ceph health error")},
    };
}

AlertEngine::AlertEngine(QList<AlertRule> rules, QObject *parent)
    : QObject(parent)
    , m_rules(std::move(rules))
{}

void AlertEngine::setRules(const QList<AlertRule> &rules)
{
    QSet<QString> kept;
    for (const AlertRule &rule : rules)
        kept.insert(rule.id);
    for (auto it = m_states.begin(); it != m_states.end();) {
        const QString ruleId = it.key().section(QLatin1Char('\n'), 0, 0);
        if (kept.contains(ruleId)) {
            ++it;
            continue;
        }
        if (it->alert) {
            Alert alert = *it->alert;
            alert.clearedMs = alert.raisedMs;
            emit cleared(alert);
        }
        it = m_states.erase(it);
    }
    m_rules = rules;
}

void AlertEngine::observe(const QString &metric, const QString &subject, qint64 timeMs,
                          double value)
{
    if (std::isnan(value))
        return; // a gap says nothing either way
    for (const AlertRule &rule : std::as_const(m_rules)) {
        if (rule.metric != metric)
            continue;
        State &state = m_states[stateKey(rule.id, subject)];

        if (!state.alert) {
            if (!(value > rule.raiseAbove)) {
                state.aboveSince.reset();
                continue;
            }
            if (!state.aboveSince)
                state.aboveSince = timeMs;
            if (timeMs - *state.aboveSince < rule.raiseAfter.count())
                continue;
            Alert alert;
            alert.ruleId = rule.id;
            alert.subject = subject;
            alert.severity = rule.severity;
            alert.title = rule.title;
            alert.sinceMs = *state.aboveSince;
            alert.raisedMs = timeMs;
            alert.value = value;
            state.alert = alert;
            state.belowSince.reset();
            qCInfo(lcAlerts) << "raised" << rule.id << subject << value;
            emit raised(alert);
            continue;
        }

        if (!(value < rule.clearBelow)) {
            state.belowSince.reset();
            continue;
        }
        if (!state.belowSince)
            state.belowSince = timeMs;
        if (timeMs - *state.belowSince < rule.clearAfter.count())
            continue;
        Alert alert = *state.alert;
        alert.clearedMs = timeMs;
        alert.value = value;
        state = State{};
        qCInfo(lcAlerts) << "cleared" << rule.id << subject << value;
        emit cleared(alert);
    }
}

void AlertEngine::forget(const QString &subject, qint64 timeMs)
{
    for (auto it = m_states.begin(); it != m_states.end();) {
        if (it.key().section(QLatin1Char('\n'), 1) != subject) {
            ++it;
            continue;
        }
        if (it->alert) {
            Alert alert = *it->alert;
            alert.clearedMs = timeMs;
            emit cleared(alert);
        }
        it = m_states.erase(it);
    }
}

QList<Alert> AlertEngine::active() const
{
    QList<Alert> alerts;
    for (const State &state : m_states) {
        if (state.alert)
            alerts.append(*state.alert);
    }
    std::sort(alerts.begin(), alerts.end(), [](const Alert &a, const Alert &b) {
        return std::tie(a.raisedMs, a.ruleId, a.subject) <
               std::tie(b.raisedMs, b.ruleId, b.subject);
    });
    return alerts;
}

} // namespace rae::monitor
