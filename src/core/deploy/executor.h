#pragma once

#include "deploy/envfile.h"
#include "deploy/runner.h"
#include "deploy/snapshot.h"
#include "plan/plan.h"
#include "proxmox/taskfollower.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QUrl;

namespace rae::proxmox {
class ProxmoxClient;
struct ApiRequest;
struct ApiReply;
} // namespace rae::proxmox

namespace rae::deploy {

struct ExecutorOptions
{
    // Cloud-init, from the plan's `access` (executorOptionsFor()). Set on new VMs, and on others
    // when the changeset lists `ciuser` or `sshkeys` for them.
    QString ciUser = QStringLiteral("rae");
    QStringList sshPublicKeys; // sent percent-encoded as Proxmox requires; none: no sshkeys
    // The guest agent starts some time after the VM: asked with back-off until it answers.
    std::chrono::milliseconds agentFirstInterval{500};
    std::chrono::milliseconds agentMaxInterval{5000};
    std::chrono::milliseconds agentTimeout{10 * 60 * 1000};
    // A provisioning script runs for minutes in a real guest.
    std::chrono::milliseconds execPollInterval{1000};
    std::chrono::milliseconds execTimeout{60 * 60 * 1000};
    // A fresh clone keeps `lock: clone` until its task ends; a resumed apply may find one.
    std::chrono::milliseconds lockWaitTimeout{10 * 60 * 1000};
    proxmox::TaskFollowOptions tasks;
    int logTailLines = 20; // of a failed script, in the error
    // A fresh API VM needs a while after its provisioning until /health answers 200.
    std::chrono::milliseconds healthInterval{2000};
    std::chrono::milliseconds healthTimeout{5 * 60 * 1000};
    // A stop or start through the HA manager is done when the CRM gets to it, after the task.
    std::chrono::milliseconds powerTimeout{5 * 60 * 1000};
    // A migration through the HA manager ends after its `hamigrate` task: a whole live
    // migration of a large VM later.
    std::chrono::milliseconds haMigrateTimeout{30 * 60 * 1000};
    int shutdownSeconds = 120; // a guest's clean shutdown, then it is stopped hard
};

// `base` with the cloud-init user and SSH keys of the plan's `access`.
ExecutorOptions executorOptionsFor(const plan::Plan &plan, ExecutorOptions base = {});

// Performs the runner's actions with the Proxmox API: clones, configuration, disks, power, the
// guest agent (addresses, file-write, exec) for provisioning, HA, replication and backup jobs.
// VM ids and nodes of new VMs are learnt as the clones happen; addresses as the agents answer.
// The service secrets are written into the guests only: errors, outcomes and log lines carry
// none of them (a script that prints one has it replaced before the line leaves this class).
class ProxmoxExecutor final : public QObject, public ActionExecutor
{
    Q_OBJECT

public:
    // Called with the id a clone will take, before the clone starts, so that it can be made
    // durable (the journal); an error stops the clone.
    using Reserve = std::function<Status(const QString &vmName, int vmid)>;

    ProxmoxExecutor(proxmox::ProxmoxClient *client, plan::Plan plan, ClusterSnapshot snapshot,
                    ServiceSecrets secrets, ExecutorOptions options = {},
                    QObject *parent = nullptr);
    ~ProxmoxExecutor() override;

    void setReserve(Reserve reserve) { m_reserve = std::move(reserve); }
    // Ids an interrupted apply reserved (journal): used instead of asking for new ones.
    void setReservedVmids(const QHash<QString, int> &vmids) { m_reserved = vmids; }

    void execute(const Action &action, Done done) override;

    int vmidOf(const QString &vmName) const { return m_vmids.value(vmName); }
    QString nodeOf(const QString &vmName) const { return m_nodes.value(vmName); }
    // What the guest agents reported so far, VM name → internal address.
    const QHash<QString, QString> &addresses() const { return m_addresses; }

signals:
    // A line of a provisioning script's output or of the executor's own progress, secret-free.
    void logLine(const QString &action, const QString &line);

private:
    using Reply = std::function<void(const proxmox::ApiReply &reply)>;
    using Fail = std::function<void(const Error &error)>;

    void call(const proxmox::ApiRequest &request, Reply then, Fail fail);
    void runTask(const proxmox::ApiRequest &request, std::function<void(const QString &)> then,
                 Fail fail);
    void later(std::chrono::milliseconds delay, std::function<void()> what);

    void cloneVm(const Action &action, Done done);
    void startClone(const Action &action, int vmid, Done done);
    void configureVm(const Action &action, Done done);
    void resizeDisks(const Action &action, Done done);
    void startVm(const Action &action, Done done);
    void waitForAgent(const Action &action, Done done);
    void provision(const Action &action, Done done);
    void migrateVm(const Action &action, Done done);
    void removeVm(const Action &action, Done done);
    void haGroup(const Action &action, Done done);
    void haRule(const Action &action, Done done);
    void haResource(const Action &action, Done done);
    void replication(const Action &action, Done done);
    void backup(const Action &action, Done done);
    void checkHealth(const Action &action, Done done);
    void switchGateway(const Action &action, Done done);
    void stopVm(const Action &action, Done done);
    void tagVm(const Action &action, Done done);
    void pool(const Action &action, Done done);
    void addToPool(const Action &action, QStringList members, bool move, Done done);

    void whenUnlocked(const QString &vmName, std::function<void(const QJsonObject &)> then,
                      Fail fail, qint64 deadline = 0);
    void pingAgent(const QString &vmName, std::function<void()> then, Fail fail, qint64 deadline,
                   std::chrono::milliseconds interval);
    void readAddress(const QString &vmName, std::function<void()> then, Fail fail);
    void readAddresses(QStringList names, std::function<void()> then, Fail fail);
    void writeFiles(const QString &vmName, QList<std::pair<QString, QByteArray>> files,
                    std::function<void()> then, Fail fail);
    void pollExec(const Action &action, int pid, qint64 deadline, QStringList output, Done done);
    void runScript(const Action &action, QList<std::pair<QString, QByteArray>> files, Done done);
    void waitForStatus(const QString &vmName, const QString &status, qint64 deadline,
                       std::function<void()> then, Fail fail);
    void waitForNode(const QString &vmName, const QString &node, qint64 deadline,
                     std::function<void()> then, Fail fail);
    void probeHealth(const Action &action, const QUrl &url, qint64 deadline, Done done);

    QString vmPath(const QString &vmName, const QString &tail = {}) const;
    QString sidOf(const QString &vmName) const;
    QString resolveSids(const QString &text) const;
    ServiceAddresses serviceAddresses() const;
    QString redact(QString text) const;
    Error vmError(const QString &vmName, const QString &message, const QString &hint = {}) const;
    static qint64 nowMs();

    QPointer<proxmox::ProxmoxClient> m_client;
    plan::Plan m_plan;
    ClusterSnapshot m_snapshot;
    ServiceSecrets m_secrets;
    ExecutorOptions m_options;
    Reserve m_reserve;
    QHash<QString, int> m_reserved;
    QHash<QString, int> m_vmids;     // VM name → id
    QHash<QString, QString> m_nodes; // VM name → node it is on
    QHash<QString, QString> m_addresses;
    QSet<int> m_claimed; // ids this run took, so two clones never share one
    int m_highestClaimed = 0;
    QNetworkAccessManager *m_network = nullptr; // for /health; made when first needed
};

} // namespace rae::deploy
