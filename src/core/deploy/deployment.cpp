#include "deploy/deployment.h"

#include "deploy/apitier.h"
#include "deploy/runner.h"
#include "deploy/servicesecrets.h"
#include "deploy/snapshotreader.h"
#include "plan/planreader.h"
#include "proxmox/client.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QStandardPaths>

namespace rae::deploy {

namespace {

Q_LOGGING_CATEGORY(lcDeployment, "raedeploy.deploy.deployment")

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::Deployment)
};

} // namespace

QString planFileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

Deployment::Deployment(proxmox::ProxmoxClient *client, secrets::CredentialStore *store,
                       DeploymentOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_store(store)
    , m_cluster(client != nullptr ? client->cluster() : QString())
    , m_options(std::move(options))
{}

Deployment::~Deployment() = default;

QString Deployment::defaultJournalDir()
{
    // Shared by the CLI and the desktop application, whose application names differ: either may
    // resume what the other started.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/rae-deploy/journals");
}

QString Deployment::journalPath(const QString &dir, const QString &cluster)
{
    // Profile names are the user's words; the file name keeps only what every file system takes.
    QString safe = cluster;
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]"));
    safe.replace(unsafe, QStringLiteral("_"));
    return dir + QLatin1Char('/') + safe + QStringLiteral(".journal");
}

QString Deployment::journalDir() const
{
    return m_options.journalDir.isEmpty() ? defaultJournalDir() : m_options.journalDir;
}

QString Deployment::journalFile() const
{
    return journalPath(journalDir(), m_cluster);
}

std::optional<UnfinishedApply> Deployment::unfinished(const QString &dir, const QString &cluster)
{
    const QString path = journalPath(dir, cluster);
    if (!QFileInfo::exists(path))
        return std::nullopt;
    const auto journal = Journal::open(path);
    if (!journal.ok())
        return std::nullopt;
    UnfinishedApply out;
    out.header = journal->header();
    bool open = false;
    for (const JournalEntry &entry : journal->latest()) {
        if (entry.state == ActionState::Done)
            out.done.insert(entry.action);
        else
            open = true;
        if (entry.action.startsWith(QLatin1String("provision:")) &&
            entry.state != ActionState::Done)
            out.provisionPending.insert(entry.action.mid(10));
    }
    const QHash<QString, int> reserved = journal->reservedVmids();
    for (auto it = reserved.cbegin(); it != reserved.cend(); ++it)
        out.knownVmids.insert(it.key(), it.value());
    if (!open)
        return std::nullopt;
    return out;
}

void Deployment::prepare(const plan::Plan &plan, const QString &planPath)
{
    m_plan = plan;
    m_planPath = QFileInfo(planPath).absoluteFilePath();
    m_planSha = planFileSha256(planPath);
    m_unfinished = unfinished(journalDir(), m_cluster);
    readSnapshot();
}

void Deployment::prepareResume()
{
    if (!m_client) {
        fail({Tr::tr("No connection to the cluster."), {}, {}});
        return;
    }
    m_unfinished = unfinished(journalDir(), m_cluster);
    if (!m_unfinished) {
        fail({Tr::tr("There is no unfinished apply to cluster %1.").arg(m_cluster),
              Tr::tr("Run `apply` with the plan instead."),
              {}});
        return;
    }
    m_planPath = m_unfinished->header.planPath;
    m_planSha = planFileSha256(m_planPath);
    if (m_planSha.isEmpty()) {
        fail({Tr::tr("The plan %1 of the unfinished apply cannot be read.").arg(m_planPath),
              Tr::tr("Put it back, or run `apply` with the plan where it is now."),
              {}});
        return;
    }
    if (m_planSha != m_unfinished->header.planSha256) {
        fail({Tr::tr("The plan %1 changed since the apply stopped.").arg(m_planPath),
              Tr::tr("Run `apply` with it: the ids the stopped apply reserved are still used."),
              {}});
        return;
    }
    auto plan = plan::readPlanFile(m_planPath);
    if (!plan.ok()) {
        fail({plan.error().toString(), {}, m_planPath});
        return;
    }
    m_plan = plan.value();
    readSnapshot();
}

void Deployment::readSnapshot()
{
    if (!m_client) {
        fail({Tr::tr("No connection to the cluster."), {}, {}});
        return;
    }
    // The plan's names too: an untagged VM of that name (a clone stopped before its tags) and
    // the templates are not found by their tags.
    QStringList names;
    for (const plan::Vm &vm : std::as_const(m_plan.vms)) {
        names << vm.name;
        names << (vm.templateRef.isEmpty() ? m_plan.defaultTemplate : vm.templateRef);
    }
    names.removeDuplicates();
    auto *reader = new SnapshotReader(m_client.data(), this);
    connect(reader, &SnapshotReader::finished, this,
            [this, reader](const Result<ClusterSnapshot> &result) {
                reader->deleteLater();
                if (!result.ok()) {
                    fail(result.error());
                    return;
                }
                onSnapshot(result.value());
            });
    reader->read(names);
}

void Deployment::onSnapshot(const ClusterSnapshot &snapshot)
{
    m_snapshot = snapshot;
    DiffOptions diff;
    diff.prune = m_options.prune;
    QSet<QString> pending;
    if (m_unfinished) {
        diff.knownVmids = m_unfinished->knownVmids;
        pending = m_unfinished->provisionPending;
    }
    m_changeset = computeChangeset(m_plan, m_snapshot, diff);
    // A VM whose provisioning an earlier apply left unfinished is provisioned again only when
    // it exists; one to be created is provisioned anyway.
    pending.removeIf([this](const QString &name) { return m_plan.vm(name) == nullptr; });
    // The actions and the executor find the API VMs an upgrade switched to under their names.
    m_deployed = deploy::deployedPlan(m_plan, m_snapshot);
    m_actions = planActions(m_deployed, m_changeset, pending);
    emit prepared(m_changeset, int(m_actions.size()));
}

void Deployment::apply()
{
    if (m_changeset.hasErrors()) {
        fail({Tr::tr("The changes cannot be applied: %n problem(s) in the preview.", nullptr,
                     int(m_changeset.errors.size())),
              m_changeset.errors.constFirst().toString(),
              {}});
        return;
    }
    if (m_actions.isEmpty()) {
        // The unfinished apply of this plan has nothing left to do: its journal is closed, so
        // that it is not offered for resuming again.
        if (continuesUnfinished()) {
            auto opened = Journal::open(journalFile());
            if (!opened.ok()) {
                fail(opened.error());
                return;
            }
            Journal journal = std::move(opened).value();
            if (const Status closed = journal.record(journal.foundDone({})); !closed.ok()) {
                fail(closed.error());
                return;
            }
        }
        m_finished = true;
        emit finished(Done{});
        return;
    }
    if (m_store == nullptr) {
        fail({Tr::tr("No keychain to keep the service passwords in."), {}, {}});
        return;
    }
    ensureServiceSecrets(m_store, m_plan, this, [this](const Result<ServiceSecrets> &secrets) {
        if (!secrets.ok()) {
            fail(secrets.error());
            return;
        }
        run(secrets.value());
    });
}

bool Deployment::continuesUnfinished() const
{
    return m_unfinished && m_unfinished->header.planSha256 == m_planSha &&
           QFileInfo(m_unfinished->header.planPath).absoluteFilePath() == m_planPath;
}

void Deployment::run(const ServiceSecrets &secrets)
{
    const QString dir = journalDir();
    if (!QDir().mkpath(dir)) {
        fail({Tr::tr("The folder %1 cannot be made.").arg(dir), {}, {}});
        return;
    }
    const QString path = journalFile();
    // The same plan as the unfinished apply: its journal goes on. Another one starts afresh;
    // the ids the stopped apply reserved were passed to the changeset already.
    const bool continueJournal = continuesUnfinished();
    if (continueJournal) {
        // A kill while a line was written leaves it without its newline; the next line must not
        // be glued to it.
        QFile file(path);
        if (file.open(QIODevice::ReadWrite) && file.size() > 0 && file.seek(file.size() - 1) &&
            file.read(1) != "\n") {
            file.seek(file.size());
            file.write("\n");
        }
    }
    auto journal = continueJournal ? Journal::open(path)
                                   : Journal::create(path, {m_cluster, m_planPath, m_planSha, {}});
    if (!journal.ok()) {
        fail(journal.error());
        return;
    }
    m_journal = std::make_unique<Journal>(std::move(journal).value());

    m_executor = std::make_unique<ProxmoxExecutor>(m_client.data(), m_deployed, m_snapshot, secrets,
                                                   executorOptionsFor(m_plan, m_options.executor));
    if (m_unfinished) {
        QHash<QString, int> reserved;
        for (auto it = m_unfinished->knownVmids.cbegin(); it != m_unfinished->knownVmids.cend();
             ++it)
            reserved.insert(it.key(), it.value());
        m_executor->setReservedVmids(reserved);
    }
    // The id is made durable before the clone asks for it, so a kill in between leaves a journal
    // that names the VM the next apply will find.
    m_executor->setReserve([this](const QString &vmName, int vmid) -> Status {
        JournalEntry entry;
        entry.action = QStringLiteral("clone:") + vmName;
        entry.state = ActionState::Running;
        entry.vmid = vmid;
        entry.time = QDateTime::currentDateTimeUtc();
        return m_journal->record(entry);
    });
    // The deployment log beside the journal: every state change and the scripts' output.
    m_log = std::make_unique<QFile>(path + QStringLiteral(".log"));
    if (!m_log->open(QIODevice::Append | QIODevice::Text))
        qCWarning(lcDeployment) << "cannot write the deployment log" << m_log->fileName();
    connect(m_executor.get(), &ProxmoxExecutor::logLine, this,
            [this](const QString &id, const QString &line) {
                writeLog(id + QStringLiteral(": ") + line);
                emit logLine(id, line);
            });

    // Every action of the run is on record from the start, so that a run stopped before some
    // of them began still reads as unfinished; what the stopped apply left open and this one no
    // longer needs (a clone that ended after the kill, an HA resource made) was found done.
    QList<JournalEntry> planned = m_journal->foundDone(m_actions);
    for (const Action &action : std::as_const(m_actions)) {
        if (m_journal->latest(action.id))
            continue;
        JournalEntry entry;
        entry.action = action.id;
        entry.state = ActionState::Pending;
        entry.time = QDateTime::currentDateTimeUtc();
        planned.append(entry);
    }
    if (const Status recorded = m_journal->record(planned); !recorded) {
        fail(recorded.error());
        return;
    }

    ActionScheduler scheduler(m_actions, m_options.maxTasks);
    if (m_unfinished)
        for (const QString &id : std::as_const(m_unfinished->done))
            if (scheduler.indexOf(id) >= 0)
                scheduler.markDone(id);
    m_runner = new Runner(std::move(scheduler), m_journal.get(), m_executor.get(), this);
    connect(m_runner, &Runner::actionChanged, this,
            [this](const QString &id, ActionState state, const QString &detail) {
                m_states.insert(id, state);
                writeLog(id + QStringLiteral(": ") + actionStateName(state) +
                         (detail.isEmpty() ? QString() : QStringLiteral(" ") + detail));
                if (state == ActionState::Failed)
                    m_failures.insert(id, detail);
                emit actionChanged(id, state, detail);
            });
    connect(m_runner, &Runner::finished, this, [this](const Status &result) {
        m_finished = true;
        qCInfo(lcDeployment) << "apply finished:" << count(ActionState::Done) << "done,"
                             << count(ActionState::Failed) << "failed,"
                             << count(ActionState::Blocked) << "blocked";
        emit finished(result);
    });
    m_runner->start();
}

void Deployment::writeLog(const QString &line)
{
    if (!m_log || !m_log->isOpen())
        return;
    m_log->write(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' +
                 line.toUtf8() + '\n');
    m_log->flush();
}

void Deployment::stop()
{
    if (m_runner)
        m_runner->stop();
}

ActionState Deployment::state(const QString &actionId) const
{
    if (m_runner)
        return m_runner->scheduler().state(actionId);
    return m_states.value(actionId, ActionState::Pending);
}

int Deployment::count(ActionState state) const
{
    return m_runner ? m_runner->scheduler().count(state) : 0;
}

void Deployment::fail(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(error);
}

} // namespace rae::deploy
