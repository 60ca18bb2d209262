#pragma once

#include "monitor/alerts.h"

#include <QList>

class QSettings;

namespace rae::gui {

// The alert levels an admin may change in the desktop application. The clearing levels follow
// from the raising ones, so that hysteresis survives any edit.
struct AlertsThresholds
{
    double apiLatencyMs = 500.0;
    double gpuPercent = 95.0;
    int gpuMinutes = 5;
    double replicationLagFactor = 2.0; // lag over this many times the schedule's interval

    static AlertsThresholds load(QSettings *settings);
    void save(QSettings *settings) const;

    // `rules` with the matching ones (api.latency, gpu.saturated, replication.lag) changed.
    QList<monitor::AlertRule> applyTo(QList<monitor::AlertRule> rules) const;

    friend bool operator==(const AlertsThresholds &, const AlertsThresholds &) = default;
};

} // namespace rae::gui
