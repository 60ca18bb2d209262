#pragma once

#include "alertsthresholds.h"

#include <QDialog>

class QDoubleSpinBox;
class QSpinBox;

namespace rae::gui {

// Edits the alert levels: API latency, GPU level and duration, replication lag factor.
class AlertsThresholdsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit AlertsThresholdsDialog(const AlertsThresholds &thresholds, QWidget *parent = nullptr);

    AlertsThresholds thresholds() const;

private:
    QDoubleSpinBox *m_apiLatency = nullptr;
    QDoubleSpinBox *m_gpuPercent = nullptr;
    QSpinBox *m_gpuMinutes = nullptr;
    QDoubleSpinBox *m_lagFactor = nullptr;
};

} // namespace rae::gui
