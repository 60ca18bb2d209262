#include "livemigration.h"

#include "clustersession.h"
#include "eventlogmodel.h"

#include "proxmox/client.h"
#include "proxmox/taskfollower.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcMigration, "raedeploy.gui.migration")

namespace rae::gui {

namespace {

// A guest that moved is normally seen within one or two polls; this much is a cluster that
// lost track of it, and the user must look.
constexpr auto kSnapshotPatience = std::chrono::minutes(5);

QString vmPath(const QString &node, int vmid, const QString &tail)
{
    return proxmox::form::path(
               {QStringLiteral("nodes"), node, QStringLiteral("qemu"), QString::number(vmid)}) +
           tail;
}

} // namespace

struct LiveMigration::Operation
{
    struct Step
    {
        proxmox::ApiRequest call;
        QString label; // for the tile and the log
    };

    MigrationRequest request;
    MigrationMethod method = MigrationMethod::Online;
    QList<Step> steps;
    int step = 0;
    bool awaitingSnapshot = false;
    QElapsedTimer clock;
    std::unique_ptr<QTimer> ticker; // refreshes the elapsed time on the tile, and polls at the end
    QPointer<proxmox::TaskFollower> follower;
};

LiveMigration::LiveMigration(EventLogModel *log, QWidget *window)
    : QObject(window)
    , m_log(log)
    , m_window(window)
{}

LiveMigration::~LiveMigration() = default;

void LiveMigration::setSession(ClusterSession *session)
{
    if (ClusterSession *previous = m_session.data())
        previous->disconnect(this);
    m_session = session;
    if (session)
        connect(session, &ClusterSession::snapshot, this, &LiveMigration::onSnapshot);
}

QString LiveMigration::clusterName() const
{
    if (const ClusterSession *session = m_session.data())
        return session->profile().name;
    return {};
}

void LiveMigration::logInfo(const QString &text)
{
    m_log->append(EventLogModel::Level::Info, clusterName(), text);
}

void LiveMigration::request(const MigrationRequest &request)
{
    ClusterSession *session = m_session.data();
    if (!session || session->client()->state() != proxmox::ProxmoxClient::State::Connected) {
        emit failed(tr("Connect to the cluster before moving VMs."));
        return;
    }
    if (isBusy(request.vmid)) {
        emit failed(tr("VM %1 is already being moved.").arg(request.vmid));
        return;
    }
    m_checking.append(request.vmid);
    emit activity(tileKey(request.vmid), tr("checking %1…").arg(request.target));
    proxmox::ApiJob *job = session->client()->send(
        proxmox::ApiRequest::get(vmPath(request.source, request.vmid, QStringLiteral("/migrate")),
                                 {{QStringLiteral("target"), request.target}}));
    connect(job, &proxmox::ApiJob::finished, this,
            [this, request](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                m_checking.removeAll(request.vmid);
                emit activity(tileKey(request.vmid), {});
                if (!result) {
                    const QString text = tr("The cluster did not say whether %1 can move: %2")
                                             .arg(request.name, result.error().message);
                    m_log->append(EventLogModel::Level::Error, clusterName(), text);
                    emit failed(text);
                    return;
                }
                onPreconditions(request, result->data);
            });
}

void LiveMigration::onPreconditions(const MigrationRequest &request, const QJsonValue &data)
{
    auto checks = MigrationPreconditions::parse(data);
    if (!checks) {
        emit failed(checks.error().message);
        return;
    }
    MigrationRequest asked = request;
    asked.running = checks->running;
    auto *dialog = new MigrationDialog(asked, *checks, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        start(dialog->request(), dialog->method(), dialog->withLocalDisks());
    });
    connect(dialog, &QDialog::rejected, this, [this, asked] {
        logInfo(tr("migration of %1 to %2 cancelled").arg(asked.name, asked.target));
    });
    dialog->open();
    emit confirmationShown(dialog);
}

void LiveMigration::start(const MigrationRequest &request, MigrationMethod method,
                          bool withLocalDisks)
{
    if (!m_session || isBusy(request.vmid))
        return;
    auto operation = std::make_shared<Operation>();
    operation->request = request;
    operation->method = method;
    const int vmid = request.vmid;
    proxmox::form::Params migrate{{QStringLiteral("target"), request.target}};
    if (withLocalDisks)
        migrate.append({QStringLiteral("with-local-disks"), QStringLiteral("1")});
    const QString haPath =
        proxmox::form::path({QStringLiteral("cluster"), QStringLiteral("ha"),
                             QStringLiteral("resources"), QStringLiteral("vm:%1").arg(vmid)});
    const QString migrating = tr("migrating to %1").arg(request.target);

    switch (method) {
    case MigrationMethod::Online:
        migrate.append({QStringLiteral("online"), QStringLiteral("1")});
        operation->steps.append(
            {proxmox::ApiRequest::post(vmPath(request.source, vmid, QStringLiteral("/migrate")),
                                       migrate),
             migrating});
        break;
    case MigrationMethod::Offline:
        operation->steps.append(
            {proxmox::ApiRequest::post(vmPath(request.source, vmid, QStringLiteral("/migrate")),
                                       migrate),
             migrating});
        break;
    case MigrationMethod::ShutdownAndMove:
        operation->steps.append({proxmox::ApiRequest::post(vmPath(
                                     request.source, vmid, QStringLiteral("/status/shutdown"))),
                                 tr("shutting down")});
        operation->steps.append(
            {proxmox::ApiRequest::post(vmPath(request.source, vmid, QStringLiteral("/migrate")),
                                       migrate),
             migrating});
        operation->steps.append({proxmox::ApiRequest::post(
                                     vmPath(request.target, vmid, QStringLiteral("/status/start"))),
                                 tr("starting on %1").arg(request.target)});
        break;
    case MigrationMethod::HaMigrate:
        operation->steps.append(
            {proxmox::ApiRequest::post(haPath + QStringLiteral("/migrate"),
                                       {{QStringLiteral("node"), request.target}}),
             tr("HA migrating to %1").arg(request.target)});
        break;
    case MigrationMethod::HaRelocate:
        operation->steps.append(
            {proxmox::ApiRequest::post(haPath + QStringLiteral("/relocate"),
                                       {{QStringLiteral("node"), request.target}}),
             tr("HA relocating to %1").arg(request.target)});
        break;
    }

    operation->clock.start();
    operation->ticker = std::make_unique<QTimer>();
    operation->ticker->setInterval(std::chrono::seconds(1));
    connect(operation->ticker.get(), &QTimer::timeout, this, [this, vmid] {
        const auto found = m_operations.value(vmid);
        if (!found)
            return;
        showActivity(found);
        if (ClusterSession *session = m_session.data(); found->awaitingSnapshot && session)
            session->pollNow();
        if (found->awaitingSnapshot &&
            found->clock.elapsed() > std::chrono::milliseconds(kSnapshotPatience).count())
            fail(found, tr("the cluster has not shown it on %1 yet").arg(found->request.target));
    });
    operation->ticker->start();
    m_operations.insert(vmid, operation);
    logInfo(request.back ? tr("migrating %1 (%2) back from %3 to %4")
                               .arg(request.name)
                               .arg(vmid)
                               .arg(request.source, request.target)
                         : tr("migrating %1 (%2) from %3 to %4")
                               .arg(request.name)
                               .arg(vmid)
                               .arg(request.source, request.target));
    runStep(operation);
}

void LiveMigration::showActivity(const std::shared_ptr<Operation> &operation)
{
    const qint64 seconds = operation->clock.elapsed() / 1000;
    QString text = operation->awaitingSnapshot
                       ? tr("→ %1: waiting for the cluster").arg(operation->request.target)
                       : operation->steps.value(operation->step).label;
    if (operation->steps.size() > 1 && !operation->awaitingSnapshot)
        text = tr("%1/%2 %3").arg(operation->step + 1).arg(operation->steps.size()).arg(text);
    emit activity(tileKey(operation->request.vmid), tr("%1 · %2 s").arg(text).arg(seconds));
}

void LiveMigration::runStep(const std::shared_ptr<Operation> &operation)
{
    ClusterSession *session = m_session.data();
    if (!session)
        return fail(operation, tr("the connection is gone"));
    showActivity(operation);
    const Operation::Step &step = operation->steps.at(operation->step);
    qCDebug(lcMigration) << "step" << step.call.methodName() << step.call.path;
    proxmox::ApiJob *job = session->client()->send(step.call);
    connect(job, &proxmox::ApiJob::finished, this,
            [this, operation](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                if (!m_operations.contains(operation->request.vmid))
                    return;
                const MigrationRequest &request = operation->request;
                if (!result) {
                    // A token may move VMs (VM.Migrate) without the right to drive the HA
                    // manager (Sys.Console). The qemu call on an HA-managed VM is handed to the
                    // HA manager by the cluster itself, so it is the same move.
                    if (operation->method == MigrationMethod::HaMigrate &&
                        result.error().kind == proxmox::ApiError::Kind::Permission) {
                        logInfo(tr("no permission for the HA call; asking the node to hand the "
                                   "migration of %1 to HA")
                                    .arg(request.name));
                        operation->method = MigrationMethod::Online;
                        operation->steps[operation->step].call = proxmox::ApiRequest::post(
                            vmPath(request.source, request.vmid, QStringLiteral("/migrate")),
                            {{QStringLiteral("target"), request.target},
                             {QStringLiteral("online"),
                              request.running ? QStringLiteral("1") : QStringLiteral("0")}});
                        runStep(operation);
                        return;
                    }
                    fail(operation, result.error().message);
                    return;
                }
                const QString text = result->data.toString();
                if (!text.startsWith(QLatin1String("UPID:"))) {
                    nextStep(operation); // the HA calls queue a request and name no task
                    return;
                }
                auto upid = proxmox::Upid::parse(text);
                if (!upid) {
                    fail(operation, upid.error().message);
                    return;
                }
                logInfo(tr("task %1 started").arg(upid->text));
                ClusterSession *current = m_session.data();
                if (!current) {
                    fail(operation, tr("the connection is gone"));
                    return;
                }
                auto *follower = new proxmox::TaskFollower(current->client(), *upid, {}, this);
                operation->follower = follower;
                connect(follower, &proxmox::TaskFollower::finished, this,
                        [this, operation,
                         follower](const proxmox::ApiResult<proxmox::TaskResult> &task) {
                            follower->deleteLater();
                            if (!m_operations.contains(operation->request.vmid))
                                return;
                            if (!task) {
                                fail(operation, task.error().message);
                                return;
                            }
                            if (!task->exit.succeeded()) {
                                QStringList tail;
                                for (const proxmox::TaskLogLine &line : task->log) {
                                    if (line.text.startsWith(QLatin1String("ERROR")))
                                        tail << line.text;
                                }
                                fail(operation, tail.isEmpty() ? task->exit.text
                                                               : tail.join(QLatin1Char(' ')));
                                return;
                            }
                            nextStep(operation);
                        });
                follower->start();
            });
}

void LiveMigration::nextStep(const std::shared_ptr<Operation> &operation)
{
    ++operation->step;
    if (operation->step < operation->steps.size()) {
        runStep(operation);
        return;
    }
    awaitSnapshot(operation);
}

void LiveMigration::awaitSnapshot(const std::shared_ptr<Operation> &operation)
{
    // The move is done when the cluster says so; HA requests in particular run on their own
    // after the call returned.
    operation->awaitingSnapshot = true;
    showActivity(operation);
    if (ClusterSession *session = m_session.data())
        session->pollNow();
}

void LiveMigration::onSnapshot(const cluster::Resources &resources)
{
    const auto operations = m_operations.values();
    for (const std::shared_ptr<Operation> &operation : operations) {
        if (!operation->awaitingSnapshot)
            continue;
        for (const cluster::GuestResource &guest : resources.guests) {
            if (guest.vmid != operation->request.vmid)
                continue;
            const bool settled = guest.node == operation->request.target && guest.lock.isEmpty();
            const bool backUp =
                !operation->request.running || guest.status == cluster::GuestStatus::Running;
            if (settled && backUp)
                complete(operation);
        }
    }
}

void LiveMigration::fail(const std::shared_ptr<Operation> &operation, const QString &why)
{
    const MigrationRequest request = operation->request;
    if (operation->follower)
        operation->follower->cancel();
    m_operations.remove(request.vmid);
    emit activity(tileKey(request.vmid), {});
    const QString text =
        tr("Migration of %1 to %2 failed: %3").arg(request.name, request.target, why);
    m_log->append(EventLogModel::Level::Error, clusterName(), text);
    qCInfo(lcMigration) << "migration failed" << request.vmid << why;
    emit failed(text);
    emit finished(request.vmid, false);
}

void LiveMigration::complete(const std::shared_ptr<Operation> &operation)
{
    const MigrationRequest request = operation->request;
    m_operations.remove(request.vmid);
    emit activity(tileKey(request.vmid), {});
    logInfo(tr("%1 (%2) now runs on %3 (%4 s)")
                .arg(request.name)
                .arg(request.vmid)
                .arg(request.target)
                .arg(operation->clock.elapsed() / 1000));
    if (request.back) {
        for (qsizetype i = m_history.size() - 1; i >= 0; --i) {
            if (m_history.at(i).vmid == request.vmid) {
                m_history.removeAt(i);
                break;
            }
        }
    } else {
        m_history.append(request);
    }
    emit historyChanged();
    emit finished(request.vmid, true);
}

bool LiveMigration::canMigrateBack() const
{
    return !m_history.isEmpty() && !isBusy(m_history.last().vmid);
}

QString LiveMigration::migrateBackText() const
{
    if (m_history.isEmpty())
        return tr("&Undo Migration");
    const MigrationRequest &last = m_history.last();
    return tr("&Undo Migration of %1 (back to %2)…").arg(last.name, last.source);
}

void LiveMigration::migrateBack()
{
    if (!canMigrateBack())
        return;
    MigrationRequest back = m_history.last();
    std::swap(back.source, back.target);
    back.back = true;
    if (ClusterSession *session = m_session.data()) {
        // The guest may have changed since it moved (stopped, HA removed): ask about it as it is.
        for (const cluster::GuestResource &guest : session->lastSnapshot().guests) {
            if (guest.vmid != back.vmid)
                continue;
            back.source = guest.node;
            back.haManaged = !guest.haState.isEmpty();
            back.running = guest.status == cluster::GuestStatus::Running;
        }
    }
    request(back);
}

} // namespace rae::gui
