#pragma once

#include "common/result.h"
#include "deploy/actions.h"
#include "deploy/changeset.h"
#include "deploy/executor.h"
#include "deploy/journal.h"
#include "plan/plan.h"

#include <QFile>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>
#include <optional>

namespace rae::proxmox {
class ProxmoxClient;
}
namespace rae::secrets {
class CredentialStore;
}

namespace rae::deploy {

class Runner;

struct DeploymentOptions
{
    bool prune = false;
    int maxTasks = 3;
    QString journalDir; // empty: the application data folder's `journals`
    ExecutorOptions executor;
};

// What an unfinished apply left behind, read from its journal.
struct UnfinishedApply
{
    JournalHeader header;
    QMap<QString, int> knownVmids;  // VM name → id reserved for its clone
    QSet<QString> provisionPending; // VMs whose provisioning had not finished
    QSet<QString> done;             // actions that finished
};

// One apply of a plan to a cluster, for the CLI and the desktop application alike: reads the
// cluster, previews the changes, then runs them with the journal and the Proxmox executor.
// `prepare` (or `prepareResume`) ends with `prepared`, after which `apply` runs what it showed;
// `finished` comes once, after a failed preparation or at the end of the run.
class Deployment final : public QObject
{
    Q_OBJECT

public:
    Deployment(proxmox::ProxmoxClient *client, secrets::CredentialStore *store,
               DeploymentOptions options = {}, QObject *parent = nullptr);
    ~Deployment() override;

    // The journal of the apply to `cluster` (the profile name) in `dir`.
    static QString journalPath(const QString &dir, const QString &cluster);
    static QString defaultJournalDir();
    // The journal's state when an apply to that cluster stopped before finishing; nothing when
    // there is no journal or its last apply finished.
    static std::optional<UnfinishedApply> unfinished(const QString &dir, const QString &cluster);

    void prepare(const plan::Plan &plan, const QString &planPath);
    // Finds the unfinished apply of the client's cluster and reads its plan again.
    void prepareResume();
    void apply();
    // Cancels at a safe point: running actions end, nothing new starts; resume goes on.
    void stop();

    const plan::Plan &plan() const { return m_plan; }
    // After prepare: the plan as the apply runs it (an upgrade's switched API VMs under their
    // names), which is what its provisioning scripts are made from.
    const plan::Plan &appliedPlan() const { return m_deployed; }
    const Changeset &changeset() const { return m_changeset; }
    const QList<Action> &actions() const { return m_actions; }
    const ClusterSnapshot &snapshot() const { return m_snapshot; }
    bool isResume() const { return m_unfinished.has_value(); }
    QString journalFile() const;
    // After the run: the state of each action, and the failures with their messages.
    ActionState state(const QString &actionId) const;
    QHash<QString, QString> failures() const { return m_failures; }
    int count(ActionState state) const;
    ProxmoxExecutor *executor() const { return m_executor.get(); }

signals:
    void prepared(const rae::deploy::Changeset &changeset, int actionCount);
    void actionChanged(const QString &id, rae::deploy::ActionState state, const QString &detail);
    void logLine(const QString &id, const QString &line);
    void finished(const rae::Status &result);

private:
    void readSnapshot();
    void onSnapshot(const ClusterSnapshot &snapshot);
    void run(const ServiceSecrets &secrets);
    // The same plan as the unfinished apply: its journal goes on.
    bool continuesUnfinished() const;
    void fail(const Error &error);
    QString journalDir() const;
    void writeLog(const QString &line);

    QPointer<proxmox::ProxmoxClient> m_client;
    secrets::CredentialStore *m_store = nullptr;
    QString m_cluster; // the profile's name: the journal is kept under it
    DeploymentOptions m_options;
    plan::Plan m_plan;
    plan::Plan m_deployed; // m_plan as the cluster runs it (deployedPlan)
    QString m_planPath;
    QString m_planSha;
    std::optional<UnfinishedApply> m_unfinished;
    ClusterSnapshot m_snapshot;
    Changeset m_changeset;
    QList<Action> m_actions;
    std::unique_ptr<Journal> m_journal;
    std::unique_ptr<QFile> m_log;
    std::unique_ptr<ProxmoxExecutor> m_executor;
    Runner *m_runner = nullptr;
    QHash<QString, ActionState> m_states;
    QHash<QString, QString> m_failures;
    bool m_finished = false;
};

// SHA-256 of a plan file, hex, as the journal's header keeps it.
QString planFileSha256(const QString &path);

} // namespace rae::deploy
