#include "alertspanel.h"

#include "alertsmodel.h"
#include "alertsthresholdsdialog.h"
#include "monitoringpanel.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QVBoxLayout>

namespace rae::gui {

AlertsPanel::AlertsPanel(MonitoringPanel *monitoring, QWidget *parent)
    : QWidget(parent)
    , m_monitoring(monitoring)
{
    setObjectName(QStringLiteral("alertsPanel"));
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("alertsView"));
    m_view->setModel(monitoring->alertsModel());
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setSectionResizeMode(AlertsModel::MessageColumn,
                                                     QHeaderView::Stretch);

    m_summary = new QLabel(this);
    auto *thresholds = new QPushButton(tr("Thresholds…"), this);
    thresholds->setObjectName(QStringLiteral("thresholdsButton"));
    connect(thresholds, &QPushButton::clicked, this, &AlertsPanel::editThresholds);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(thresholds);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
        m_tray->setToolTip(tr("RAE Deploy"));
        m_tray->show();
    }
    connect(monitoring, &MonitoringPanel::alertRaised, this, &AlertsPanel::notify);
    connect(monitoring->alertsModel(), &AlertsModel::activeCountChanged, this,
            &AlertsPanel::updateSummary);
    updateSummary();
}

void AlertsPanel::editThresholds()
{
    auto *dialog = new AlertsThresholdsDialog(m_monitoring->thresholds(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { m_monitoring->setThresholds(dialog->thresholds()); });
    dialog->open();
}

void AlertsPanel::notify(const monitor::Alert &alert)
{
    const QString text = tr("%1: %2").arg(alert.subject, alert.title);
    if (m_tray && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(tr("RAE Deploy alert"), text,
                            alert.severity == monitor::AlertSeverity::Critical
                                ? QSystemTrayIcon::Critical
                                : QSystemTrayIcon::Warning);
        return;
    }
    emit notificationFallback(alert, text);
}

void AlertsPanel::updateSummary()
{
    const int active = m_monitoring->alertsModel()->activeCount();
    m_summary->setText(active == 0 ? tr("No active alert")
                                   : tr("%n active alert(s)", nullptr, active));
}

} // namespace rae::gui
