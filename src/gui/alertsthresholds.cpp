#include "alertsthresholds.h"

#include <QCoreApplication>
#include <QSettings>

#include <algorithm>

namespace rae::gui {

namespace {

QString key(const char *name)
{
    return QStringLiteral("monitoring/thresholds/") + QLatin1String(name);
}

} // namespace

AlertsThresholds AlertsThresholds::load(QSettings *settings)
{
    AlertsThresholds thresholds;
    // A value that is not a positive number is ignored: the default is safer than zero.
    const auto read = [settings](const char *name, double fallback) {
        bool ok = false;
        const double value = settings->value(key(name)).toDouble(&ok);
        return ok && value > 0.0 ? value : fallback;
    };
    thresholds.apiLatencyMs = read("apiLatencyMs", thresholds.apiLatencyMs);
    thresholds.gpuPercent = std::min(read("gpuPercent", thresholds.gpuPercent), 100.0);
    thresholds.gpuMinutes = int(read("gpuMinutes", thresholds.gpuMinutes));
    thresholds.replicationLagFactor = read("replicationLagFactor", thresholds.replicationLagFactor);
    return thresholds;
}

void AlertsThresholds::save(QSettings *settings) const
{
    settings->setValue(key("apiLatencyMs"), apiLatencyMs);
    settings->setValue(key("gpuPercent"), gpuPercent);
    settings->setValue(key("gpuMinutes"), gpuMinutes);
    settings->setValue(key("replicationLagFactor"), replicationLagFactor);
}

QList<monitor::AlertRule> AlertsThresholds::applyTo(QList<monitor::AlertRule> rules) const
{
    using namespace std::chrono;
    for (monitor::AlertRule &rule : rules) {
        // The clearing level keeps the defaults' distance below the raising one.
        if (rule.id == QLatin1String("api.latency")) {
            rule.raiseAbove = apiLatencyMs;
            rule.clearBelow = apiLatencyMs * 0.8;
            rule.title =
                QCoreApplication::translate("AlertsThresholds", "RAE API slower than %1 ms")
                    .arg(apiLatencyMs);
        } else if (rule.id == QLatin1String("gpu.saturated")) {
            rule.raiseAbove = gpuPercent;
            rule.clearBelow = std::max(gpuPercent - 5.0, 0.0);
            rule.raiseAfter = duration_cast<milliseconds>(minutes(std::max(gpuMinutes, 0)));
            rule.title =
                QCoreApplication::translate("AlertsThresholds", "GPU above %1 % for %n minute(s)",
                                            nullptr, gpuMinutes)
                    .arg(gpuPercent);
        } else if (rule.id == QLatin1String("replication.lag")) {
            rule.raiseAbove = replicationLagFactor;
            rule.clearBelow = replicationLagFactor * 0.75;
            rule.title = QCoreApplication::translate(
                             "AlertsThresholds", "Replication more than %1 × its interval behind")
                             .arg(replicationLagFactor);
        }
    }
    return rules;
}

} // namespace rae::gui
