#include "alertsthresholdsdialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace rae::gui {

AlertsThresholdsDialog::AlertsThresholdsDialog(const AlertsThresholds &thresholds, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Alert Thresholds"));
    setObjectName(QStringLiteral("alertsThresholdsDialog"));

    m_apiLatency = new QDoubleSpinBox(this);
    m_apiLatency->setObjectName(QStringLiteral("apiLatency"));
    m_apiLatency->setRange(10.0, 60000.0);
    m_apiLatency->setDecimals(0);
    m_apiLatency->setSingleStep(50.0);
    m_apiLatency->setSuffix(tr(" ms"));
    m_apiLatency->setValue(thresholds.apiLatencyMs);

    m_gpuPercent = new QDoubleSpinBox(this);
    m_gpuPercent->setObjectName(QStringLiteral("gpuPercent"));
    m_gpuPercent->setRange(10.0, 100.0);
    m_gpuPercent->setDecimals(0);
    m_gpuPercent->setSuffix(tr(" %"));
    m_gpuPercent->setValue(thresholds.gpuPercent);

    m_gpuMinutes = new QSpinBox(this);
    m_gpuMinutes->setObjectName(QStringLiteral("gpuMinutes"));
    m_gpuMinutes->setRange(0, 240);
    m_gpuMinutes->setSuffix(tr(" min"));
    m_gpuMinutes->setValue(thresholds.gpuMinutes);

    m_lagFactor = new QDoubleSpinBox(this);
    m_lagFactor->setObjectName(QStringLiteral("lagFactor"));
    m_lagFactor->setRange(1.0, 100.0);
    m_lagFactor->setDecimals(1);
    m_lagFactor->setSingleStep(0.5);
    m_lagFactor->setSuffix(tr(" × interval"));
    m_lagFactor->setValue(thresholds.replicationLagFactor);

    auto *form = new QFormLayout(this);
    form->addRow(tr("RAE API latency above:"), m_apiLatency);
    form->addRow(tr("GPU utilisation above:"), m_gpuPercent);
    form->addRow(tr("for at least:"), m_gpuMinutes);
    form->addRow(tr("Replication lag above:"), m_lagFactor);
    auto *note = new QLabel(
        tr("An alert clears only once the value stays somewhat below its level, so that it does "
           "not flap."),
        this);
    note->setWordWrap(true);
    form->addRow(note);

    auto *buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                const AlertsThresholds defaults;
                m_apiLatency->setValue(defaults.apiLatencyMs);
                m_gpuPercent->setValue(defaults.gpuPercent);
                m_gpuMinutes->setValue(defaults.gpuMinutes);
                m_lagFactor->setValue(defaults.replicationLagFactor);
            });
}

AlertsThresholds AlertsThresholdsDialog::thresholds() const
{
    AlertsThresholds out;
    out.apiLatencyMs = m_apiLatency->value();
    out.gpuPercent = m_gpuPercent->value();
    out.gpuMinutes = m_gpuMinutes->value();
    out.replicationLagFactor = m_lagFactor->value();
    return out;
}

} // namespace rae::gui
