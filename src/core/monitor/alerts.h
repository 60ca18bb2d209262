#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <optional>

namespace rae::monitor {

enum class AlertSeverity
{
    Warning,
    Critical,
};

// One threshold on one metric, applied to every subject of it. It raises when the value stays
// above `raiseAbove` for `raiseAfter`, and clears only when it stays below `clearBelow` for
// `clearAfter`: the gap between the two levels and the two waits keep it from flapping.
struct AlertRule
{
    QString id;     // stable: "api.latency"
    QString metric; // the series it watches: "latency.rae_api"
    double raiseAbove = 0.0;
    double clearBelow = 0.0;
    std::chrono::milliseconds raiseAfter{0};
    std::chrono::milliseconds clearAfter{0};
    AlertSeverity severity = AlertSeverity::Warning;
    QString title; // for people, translated: "RAE API slow"
};

// Values 1 and 0 for states, so that they go through the same rules as numbers:
// "node.offline" (1 while the node is offline), "ha.error" (1 while an HA service is in `error`
// or `fence`), "probe.failed" (1 while a health probe fails).
// "replication.lag_ratio" is the lag divided by the interval the job's schedule allows.
QList<AlertRule> defaultAlertRules();

struct Alert
{
    QString ruleId;
    QString subject;
    AlertSeverity severity = AlertSeverity::Warning;
    QString title;
    qint64 sinceMs = 0;   // when the value first crossed the raise level
    qint64 raisedMs = 0;  // when the alert was raised
    qint64 clearedMs = 0; // 0 while active
    double value = 0.0;   // the value that raised it, or that cleared it
};

// Applies the rules to values as they are recorded and says when an alert rises or clears.
// Time comes with each value, so the engine needs no clock. Lives on the polling thread.
class AlertEngine final : public QObject
{
    Q_OBJECT

public:
    explicit AlertEngine(QList<AlertRule> rules = defaultAlertRules(), QObject *parent = nullptr);

    void setRules(const QList<AlertRule> &rules); // active alerts of dropped rules are cleared
    const QList<AlertRule> &rules() const { return m_rules; }

    void observe(const QString &metric, const QString &subject, qint64 timeMs, double value);
    // A subject that is gone (a removed VM) clears its alerts.
    void forget(const QString &subject, qint64 timeMs);

    QList<Alert> active() const;

signals:
    void raised(const rae::monitor::Alert &alert);
    void cleared(const rae::monitor::Alert &alert);

private:
    struct State
    {
        std::optional<qint64> aboveSince;
        std::optional<qint64> belowSince;
        std::optional<Alert> alert;
    };

    QList<AlertRule> m_rules;
    QHash<QString, State> m_states; // rule id + '\n' + subject
};

} // namespace rae::monitor
