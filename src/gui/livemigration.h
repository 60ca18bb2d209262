#pragma once

#include "migrationdialog.h"

#include "cluster/resources.h"
#include "proxmox/request.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>

class QTimer;

namespace rae::gui {

class ClusterSession;
class EventLogModel;

// Moves guests of the connected cluster between nodes for the live graph: asks the cluster for
// the migration preconditions, lets the user confirm in a MigrationDialog, sends the calls of the
// chosen method, follows each task (TaskFollower), and ends when a poll shows the guest on its
// new node. Progress goes to the tile (activity()) and the event log. Finished moves are kept so
// that the last one can be migrated back, again with a confirmation: a cluster action is never
// undone silently. Lives on the GUI thread; nothing here waits.
// TODO: cluster actions should go through the deployment runner and its journal
// (src/core/deploy/runner.h) once it has a migrate action; until then this is the one GUI path.
class LiveMigration final : public QObject
{
    Q_OBJECT

public:
    // `window` parents the dialogs; `log` receives the user-visible events (neither owned).
    LiveMigration(EventLogModel *log, QWidget *window);
    ~LiveMigration() override;

    void setSession(ClusterSession *session);

    // Starts with the precondition check; the dialog follows when the cluster has answered.
    void request(const MigrationRequest &request);
    bool isBusy(int vmid) const { return m_operations.contains(vmid) || m_checking.contains(vmid); }

    bool canMigrateBack() const;
    QString migrateBackText() const;
    void migrateBack();
    QList<MigrationRequest> history() const { return m_history; }

    static QString tileKey(int vmid) { return QStringLiteral("vm:%1").arg(vmid); }

signals:
    // The dialog is open (window-modal); tests answer it through this.
    void confirmationShown(rae::gui::MigrationDialog *dialog);
    void activity(const QString &tileKey, const QString &text); // empty text: nothing under way
    void failed(const QString &message);
    void finished(int vmid, bool succeeded);
    void historyChanged();

private:
    struct Operation;

    void onPreconditions(const MigrationRequest &request, const QJsonValue &data);
    void start(const MigrationRequest &request, MigrationMethod method, bool withLocalDisks);
    void runStep(const std::shared_ptr<Operation> &operation);
    void nextStep(const std::shared_ptr<Operation> &operation);
    void awaitSnapshot(const std::shared_ptr<Operation> &operation);
    void onSnapshot(const cluster::Resources &resources);
    void fail(const std::shared_ptr<Operation> &operation, const QString &why);
    void complete(const std::shared_ptr<Operation> &operation);
    void showActivity(const std::shared_ptr<Operation> &operation);
    void logInfo(const QString &text);
    QString clusterName() const;

    EventLogModel *m_log = nullptr;
    QWidget *m_window = nullptr;
    QPointer<ClusterSession> m_session;
    QHash<int, std::shared_ptr<Operation>> m_operations;
    QList<int> m_checking; // precondition requests under way
    QList<MigrationRequest> m_history;
};

} // namespace rae::gui
