#pragma once

#include "monitor/alerts.h"

#include <QWidget>

class QLabel;
class QSystemTrayIcon;
class QTableView;

namespace rae::gui {

class MonitoringPanel;

// The alerts dock: active and recent alerts of the monitoring panel, a button for the
// thresholds, and a desktop notification when an alert fires: through the system tray when the
// desktop has one, otherwise through `notificationFallback` (the window's message bar).
class AlertsPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit AlertsPanel(MonitoringPanel *monitoring, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    // Opens the thresholds dialog (not modal); accepted values go to the monitoring panel.
    void editThresholds();
    // Whether notifications go to the tray; false means notificationFallback.
    bool usesTray() const { return m_tray != nullptr; }
    // Called for each alert the monitoring panel raises once this panel exists; the window calls
    // it for the alert that made it create the panel.
    void notify(const monitor::Alert &alert);

signals:
    void notificationFallback(const rae::monitor::Alert &alert, const QString &text);

private:
    void updateSummary();

    MonitoringPanel *m_monitoring = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace rae::gui
