#pragma once

#include "common/result.h"
#include "deploy/actions.h"
#include "deploy/changeset.h"
#include "deploy/deployment.h"
#include "plan/plan.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QTimer>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace rae::proxmox {
class ProxmoxClient;
}
namespace rae::secrets {
class CredentialStore;
}
namespace rae::gui {

class ScriptsDialog;

// Deploy, in three steps: read the cluster, show what would change (one row per object, its
// fields below it), then run it with each action's state, a progress bar, the elapsed time and
// the log. Stop ends the run at a safe point; Resume picks up an unfinished apply from its
// journal and goes through the same preview. Everything is asynchronous: the window never waits.
class DeployDialog final : public QDialog
{
    Q_OBJECT

public:
    enum class Start
    {
        Apply,  // preview the plan against the cluster
        Resume, // preview what an unfinished apply has left
    };

    DeployDialog(proxmox::ProxmoxClient *client, secrets::CredentialStore *store,
                 const plan::Plan &plan, const QString &planPath, Start start,
                 QWidget *parent = nullptr);
    ~DeployDialog() override;

    // Where journals go and how fast tasks are polled; the defaults suit a real cluster.
    void setOptions(const deploy::DeploymentOptions &options) { m_options = options; }
    void begin();

    QTreeWidget *previewTree() const { return m_preview; }
    QTreeWidget *actionTree() const { return m_actions; }
    QPushButton *applyButton() const { return m_applyButton; }
    QPushButton *stopButton() const { return m_stopButton; }
    QPushButton *resumeButton() const { return m_resumeButton; }
    QPushButton *scriptsButton() const { return m_scriptsButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QString statusText() const;
    bool isRunning() const { return m_running; }
    // Opens the Scripts dialog (window-modal, deleted on close) on the plan as the previewed
    // apply would run it; scriptsDialog() is that dialog while it is open.
    void showScripts();
    ScriptsDialog *scriptsDialog() const;

    // Refused while actions run: they must end at a safe point first.
    void reject() override;

signals:
    // Once per run, when nothing runs any more.
    void runFinished(bool succeeded);

private:
    void startDeployment(Start start);
    void showPreview(const deploy::Changeset &changeset, int actionCount);
    void runActions();
    void onActionChanged(const QString &id, deploy::ActionState state, const QString &detail);
    void onLogLine(const QString &id, const QString &line);
    void onFinished(const Status &result);
    void updateElapsed();
    void setStatus(const QString &text, bool error = false);

    QPointer<proxmox::ProxmoxClient> m_client;
    secrets::CredentialStore *m_store = nullptr;
    plan::Plan m_plan;
    QString m_planPath;
    Start m_start = Start::Apply;
    deploy::DeploymentOptions m_options;
    deploy::Deployment *m_deployment = nullptr;

    QStackedWidget *m_pages = nullptr;
    QLabel *m_status = nullptr;
    QTreeWidget *m_preview = nullptr;
    QTreeWidget *m_actions = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_elapsed = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_applyButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QPushButton *m_resumeButton = nullptr;
    QPushButton *m_scriptsButton = nullptr;
    QPointer<ScriptsDialog> m_scriptsDialog;
    QPushButton *m_closeButton = nullptr;

    QHash<QString, QTreeWidgetItem *> m_actionItems;
    QElapsedTimer m_clock;
    QTimer m_tick;
    int m_total = 0;
    int m_ended = 0;
    bool m_running = false;
};

} // namespace rae::gui
