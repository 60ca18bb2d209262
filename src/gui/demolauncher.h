#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QUrl>

namespace rae::gui {

// Starts rae-pve-sim for `rae-deploy --demo` and reads its "key: value" start-up lines without
// blocking: ready() carries the URL and certificate fingerprint, failed() what went wrong. The
// simulator is stopped when this object goes.
class DemoLauncher final : public QObject
{
    Q_OBJECT

public:
    explicit DemoLauncher(QObject *parent = nullptr);
    ~DemoLauncher() override;

    // $RAE_PVE_SIM, then beside this program's build tree, then PATH; empty when not found.
    static QString findSimulator();
    // $RAE_SIM_SCENARIO, then the source tree's and the installed reference scenario.
    static QString findScenario();

    void start(const QString &simulator, const QString &scenario);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

signals:
    void ready(const QUrl &url, const QString &fingerprint, const QString &cluster);
    void failed(const QString &message);

private:
    void readOutput();

    QProcess m_process;
    QByteArray m_buffer;
    QUrl m_url;
    QString m_fingerprint;
    QString m_cluster;
    bool m_ready = false;
};

} // namespace rae::gui
