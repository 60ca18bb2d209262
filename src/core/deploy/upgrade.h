#pragma once

#include "common/result.h"
#include "deploy/actions.h"
#include "deploy/apitier.h"
#include "deploy/executor.h"
#include "deploy/journal.h"
#include "deploy/snapshot.h"
#include "plan/plan.h"

#include <QFile>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

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

enum class TierChange
{
    Upgrade,
    Rollback
};

// What a blue-green change of the API tier is to do, worked out from the plan and the cluster.
struct TierPlan
{
    TierChange kind = TierChange::Upgrade;
    QString version;    // upgrade: the RAE Git ref of the new VMs
    plan::Plan plan;    // the plan with every API VM of both tiers, for the executor
    QStringList from;   // the API VMs serving now
    QStringList to;     // the API VMs that serve afterwards
    QStringList create; // new VMs (upgrade)
    QList<Action> actions;
};

// API VMs of a blue-green upgrade: `<plan name>-v<version>`, tagged `rae-version-<version>`, on
// the plan VM's node. Their address is the plan's when the tier that serves has moved off it,
// else the plan's plus `addressOffset` in the last octet: the two tiers run side by side.
Result<TierPlan> planApiUpgrade(const plan::Plan &plan, const ClusterSnapshot &snapshot,
                                const QString &version, int addressOffset = 100,
                                const DiffOptions &diff = {});
// Back to the kept (`rae-standby`) tier: start it, check it, switch, stop the other one.
Result<TierPlan> planApiRollback(const plan::Plan &plan, const ClusterSnapshot &snapshot);

struct UpgradeOptions
{
    int maxTasks = 3;
    int addressOffset = 100;
    QString journalDir; // empty: Deployment::defaultJournalDir()
    ExecutorOptions executor;
};

// Runs a blue-green upgrade or rollback of the API tier like an apply: a journal of its own
// (`<cluster>.api-tier.journal`, resumed when the same change is asked for again), the runner
// and the Proxmox executor. `prepare…` ends with `prepared` (or `finished` with an error); `run`
// does it; `finished` comes once.
class ApiTierChange final : public QObject
{
    Q_OBJECT

public:
    ApiTierChange(proxmox::ProxmoxClient *client, secrets::CredentialStore *store,
                  UpgradeOptions options = {}, QObject *parent = nullptr);
    ~ApiTierChange() override;

    static QString journalPath(const QString &dir, const QString &cluster);

    void prepareUpgrade(const plan::Plan &plan, const QString &planPath, const QString &version);
    // The plan is the one the last upgrade of this cluster named in its journal.
    void prepareRollback();
    void run();
    void stop();

    const TierPlan &tierPlan() const { return m_tier; }
    QString journalFile() const;
    ActionState state(const QString &actionId) const;
    QHash<QString, QString> failures() const { return m_failures; }
    int count(ActionState state) const;
    bool isResume() const { return m_resume; }

signals:
    void prepared(const rae::deploy::TierPlan &plan);
    void actionChanged(const QString &id, rae::deploy::ActionState state, const QString &detail);
    void logLine(const QString &id, const QString &line);
    void finished(const rae::Status &result);

private:
    void readSnapshot(const QStringList &names);
    void onSnapshot(const ClusterSnapshot &snapshot);
    void start(const ServiceSecrets &secrets);
    void fail(const Error &error);
    QString journalDir() const;
    QString changeName() const; // the journal header's `change`
    void writeLog(const QString &line);

    QPointer<proxmox::ProxmoxClient> m_client;
    secrets::CredentialStore *m_store = nullptr;
    QString m_cluster;
    UpgradeOptions m_options;
    TierChange m_kind = TierChange::Upgrade;
    QString m_version;
    plan::Plan m_plan;
    QString m_planPath;
    ClusterSnapshot m_snapshot;
    TierPlan m_tier;
    std::optional<Journal> m_earlier; // an unfinished run of the same change
    bool m_resume = false;
    std::unique_ptr<Journal> m_journal;
    std::unique_ptr<QFile> m_log;
    std::unique_ptr<ProxmoxExecutor> m_executor;
    Runner *m_runner = nullptr;
    QHash<QString, QString> m_failures;
    bool m_finished = false;
};

} // namespace rae::deploy
