#include "deploy/executor.h"

#include "deploy/apitier.h"
#include "deploy/changeset.h"
#include "deploy/provisioning.h"
#include "proxmox/client.h"
#include "proxmox/formencoding.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <memory>

namespace rae::deploy {

namespace {

Q_LOGGING_CATEGORY(lcExecutor, "raedeploy.deploy.executor")

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::ProxmoxExecutor)
};

using proxmox::ApiReply;
using proxmox::ApiRequest;
using proxmox::form::Params;

QString num(qint64 value)
{
    return QString::number(value);
}

QString flag(bool value)
{
    return value ? QStringLiteral("1") : QStringLiteral("0");
}

// `virtio=BC:24:11:..` or `virtio` from an existing `netN`, so that a reconfigured NIC keeps its
// MAC address (a new one would make the guest see a different interface).
QString nicModel(const QString &current)
{
    const QString first = current.section(QLatin1Char(','), 0, 0);
    static const QStringList models{QStringLiteral("virtio"), QStringLiteral("e1000"),
                                    QStringLiteral("vmxnet3"), QStringLiteral("rtl8139")};
    if (models.contains(first.section(QLatin1Char('='), 0, 0)))
        return first;
    return QStringLiteral("virtio");
}

quint64 sizeOf(const QString &diskValue)
{
    for (const QString &item : diskValue.split(QLatin1Char(','))) {
        if (!item.startsWith(QLatin1String("size=")))
            continue;
        const auto size = ByteSize::parse(item.mid(5), ByteSize::Unit::GiB);
        return size ? size->bytes() : 0;
    }
    return 0;
}

// The last lines of a script's output, for an error message.
QString tail(const QStringList &lines, int count)
{
    QStringList all;
    for (const QString &chunk : lines)
        all += chunk.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return all.mid(std::max<qsizetype>(0, all.size() - count)).join(QLatin1Char('\n'));
}

} // namespace

ExecutorOptions executorOptionsFor(const plan::Plan &plan, ExecutorOptions base)
{
    base.ciUser = plan.access.user;
    base.sshPublicKeys = plan.access.keyLines();
    return base;
}

ProxmoxExecutor::ProxmoxExecutor(proxmox::ProxmoxClient *client, plan::Plan plan,
                                 ClusterSnapshot snapshot, ServiceSecrets secrets,
                                 ExecutorOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_plan(std::move(plan))
    , m_snapshot(std::move(snapshot))
    , m_secrets(std::move(secrets))
    , m_options(std::move(options))
{
    for (const SnapshotVm &vm : std::as_const(m_snapshot.vms)) {
        if (vm.isTemplate)
            continue;
        m_vmids.insert(vm.name, vm.vmid);
        m_nodes.insert(vm.name, vm.node);
    }
}

ProxmoxExecutor::~ProxmoxExecutor()
{
    // Outstanding requests hold lambdas that point here; dropping the secrets early keeps them
    // out of any core dump taken after the run.
    m_secrets = {};
}

qint64 ProxmoxExecutor::nowMs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.elapsed();
}

Error ProxmoxExecutor::vmError(const QString &vmName, const QString &message,
                               const QString &hint) const
{
    return {redact(message), hint, vmName};
}

QString ProxmoxExecutor::redact(QString text) const
{
    for (const QString &secret : {m_secrets.databasePassword, m_secrets.redisPassword})
        if (!secret.isEmpty())
            text.replace(secret, QStringLiteral("********"));
    return text;
}

void ProxmoxExecutor::call(const ApiRequest &request, Reply then, Fail fail)
{
    proxmox::ProxmoxClient *client = m_client.data();
    if (client == nullptr) {
        fail({Tr::tr("No connection to the cluster."), {}, {}});
        return;
    }
    proxmox::ApiJob *job = client->send(request);
    connect(job, &proxmox::ApiJob::finished, this,
            [this, then = std::move(then),
             fail = std::move(fail)](const proxmox::ApiResult<ApiReply> &result) {
                if (result.ok()) {
                    then(result.value());
                    return;
                }
                Error error = result.error().toError();
                error.message = redact(error.message);
                fail(error);
            });
}

void ProxmoxExecutor::runTask(const ApiRequest &request, std::function<void(const QString &)> then,
                              Fail fail)
{
    call(
        request,
        [this, then = std::move(then), fail](const ApiReply &reply) {
            const auto upid = proxmox::Upid::parse(reply.data.toString());
            if (!upid.ok()) {
                fail(upid.error());
                return;
            }
            auto *follower =
                new proxmox::TaskFollower(m_client.data(), upid.value(), m_options.tasks, this);
            connect(follower, &proxmox::TaskFollower::finished, this,
                    [this, follower, then,
                     fail](const proxmox::ApiResult<proxmox::TaskResult> &result) {
                        follower->deleteLater();
                        if (!result.ok()) {
                            fail(result.error().toError());
                            return;
                        }
                        const proxmox::TaskResult &task = result.value();
                        if (task.exit.succeeded()) {
                            then(task.upid.text);
                            return;
                        }
                        QStringList lines;
                        for (const proxmox::TaskLogLine &line : task.log)
                            lines << line.text;
                        QString message =
                            Tr::tr("Task %1 failed: %2").arg(task.upid.type, task.exit.text);
                        if (!lines.isEmpty())
                            message += QLatin1Char('\n') + tail(lines, m_options.logTailLines);
                        fail({redact(message),
                              Tr::tr("The task's full log is on node %1 (%2).")
                                  .arg(task.upid.node, task.upid.text),
                              {}});
                    });
            follower->start();
        },
        fail);
}

void ProxmoxExecutor::later(std::chrono::milliseconds delay, std::function<void()> what)
{
    QTimer::singleShot(delay, this, std::move(what));
}

QString ProxmoxExecutor::vmPath(const QString &vmName, const QString &tail) const
{
    QString path = QStringLiteral("/nodes/") + m_nodes.value(vmName) + QStringLiteral("/qemu/") +
                   num(m_vmids.value(vmName));
    if (!tail.isEmpty())
        path += QLatin1Char('/') + tail;
    return path;
}

QString ProxmoxExecutor::sidOf(const QString &vmName) const
{
    return QStringLiteral("vm:") + num(m_vmids.value(vmName));
}

// The changeset names VMs that did not exist yet as `vm:<name>`; by now they have ids.
QString ProxmoxExecutor::resolveSids(const QString &text) const
{
    static const QRegularExpression placeholder(QStringLiteral("vm:<([^>]+)>"));
    QString out = text;
    QRegularExpressionMatch match;
    while ((match = placeholder.match(out)).hasMatch())
        out.replace(match.capturedStart(), match.capturedLength(), sidOf(match.captured(1)));
    return out;
}

void ProxmoxExecutor::execute(const Action &action, Done done)
{
    qCDebug(lcExecutor) << "executing" << action.id;
    const bool needsVm = action.type != ActionType::CloneVm && action.type != ActionType::Backup &&
                         action.type != ActionType::HaGroup && action.type != ActionType::HaRule &&
                         action.type != ActionType::Pool;
    if (needsVm && !action.vmName.isEmpty() && !m_vmids.contains(action.vmName)) {
        done(vmError(action.vmName,
                     Tr::tr("The VM is not on the cluster, so %1 cannot be done.").arg(action.id),
                     Tr::tr("Run the apply again: it reads the cluster first.")));
        return;
    }
    switch (action.type) {
    case ActionType::CloneVm:
        return cloneVm(action, std::move(done));
    case ActionType::ConfigureVm:
        return configureVm(action, std::move(done));
    case ActionType::ResizeDisk:
        return resizeDisks(action, std::move(done));
    case ActionType::StartVm:
        return startVm(action, std::move(done));
    case ActionType::WaitForAgent:
        return waitForAgent(action, std::move(done));
    case ActionType::Provision:
        return provision(action, std::move(done));
    case ActionType::MigrateVm:
        return migrateVm(action, std::move(done));
    case ActionType::RemoveVm:
        return removeVm(action, std::move(done));
    case ActionType::HaGroup:
        return haGroup(action, std::move(done));
    case ActionType::HaRule:
        return haRule(action, std::move(done));
    case ActionType::HaResource:
        return haResource(action, std::move(done));
    case ActionType::Replication:
        return replication(action, std::move(done));
    case ActionType::Backup:
        return backup(action, std::move(done));
    case ActionType::CheckHealth:
        return checkHealth(action, std::move(done));
    case ActionType::SwitchGateway:
        return switchGateway(action, std::move(done));
    case ActionType::StopVm:
        return stopVm(action, std::move(done));
    case ActionType::TagVm:
        return tagVm(action, std::move(done));
    case ActionType::Pool:
        return pool(action, std::move(done));
    }
}

// --- VMs ---------------------------------------------------------------------------------------

void ProxmoxExecutor::cloneVm(const Action &action, Done done)
{
    const QString &name = action.vmName;
    int vmid = action.change.vmid > 0 ? action.change.vmid : m_reserved.value(name);
    if (vmid > 0) {
        startClone(action, vmid, std::move(done));
        return;
    }
    // Two clones asking at once get the same "next" id: each id this run took is skipped.
    auto ask = std::make_shared<std::function<void(int, int)>>();
    *ask = [this, action, done, ask](int candidate, int attempts) {
        Params params;
        if (candidate > 0)
            params.append({QStringLiteral("vmid"), num(candidate)});
        call(
            ApiRequest::get(QStringLiteral("/cluster/nextid"), params),
            [this, action, done, ask, attempts](const ApiReply &reply) {
                const int id =
                    reply.data.isString() ? reply.data.toString().toInt() : reply.data.toInt();
                if (id <= 0) {
                    done(vmError(action.vmName, Tr::tr("The cluster gave no free VM id.")));
                    return;
                }
                if (m_claimed.contains(id)) {
                    if (attempts > 50) {
                        done(vmError(action.vmName, Tr::tr("No free VM id was found.")));
                        return;
                    }
                    (*ask)(m_highestClaimed + 1, attempts + 1);
                    return;
                }
                startClone(action, id, done);
            },
            [this, action, done, ask, candidate, attempts](const Error &error) {
                // `nextid?vmid=N` refuses a taken N: try the one after.
                if (candidate > 0 && attempts <= 50) {
                    (*ask)(candidate + 1, attempts + 1);
                    return;
                }
                done(vmError(action.vmName, error.message, error.hint));
            });
    };
    (*ask)(0, 0);
}

void ProxmoxExecutor::startClone(const Action &action, int vmid, Done done)
{
    const QString &name = action.vmName;
    const plan::Vm *vm = m_plan.vm(name);
    if (vm == nullptr) {
        done(vmError(name, Tr::tr("The VM is not in the plan.")));
        return;
    }
    const QString ref = vm->templateRef.isEmpty() ? m_plan.defaultTemplate : vm->templateRef;
    const SnapshotVm *templ = nullptr;
    for (const SnapshotVm &candidate : std::as_const(m_snapshot.vms))
        if (candidate.isTemplate && (candidate.name == ref || num(candidate.vmid) == ref))
            templ = &candidate;
    if (templ == nullptr) {
        done(vmError(name, Tr::tr("The template %1 is not on the cluster.").arg(ref),
                     Tr::tr("Create a cloud-init template of that name, or name another in the "
                            "plan.")));
        return;
    }
    m_claimed.insert(vmid);
    m_highestClaimed = std::max(m_highestClaimed, vmid);
    if (m_reserve) {
        const Status reserved = m_reserve(name, vmid);
        if (!reserved) {
            done(reserved.error());
            return;
        }
    }
    Params params{{QStringLiteral("newid"), num(vmid)},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("full"), QStringLiteral("1")},
                  {QStringLiteral("target"), vm->node}};
    if (!vm->disks.isEmpty())
        params.append({QStringLiteral("storage"), vm->disks.constFirst().storage});
    emit logLine(action.id, Tr::tr("cloning %1 (%2) to %3 as %4")
                                .arg(templ->name, num(templ->vmid), vm->node, num(vmid)));
    const QString path = QStringLiteral("/nodes/") + templ->node + QStringLiteral("/qemu/") +
                         num(templ->vmid) + QStringLiteral("/clone");
    runTask(
        ApiRequest::post(path, params),
        [this, name, vmid, node = vm->node, done](const QString &upid) {
            m_vmids.insert(name, vmid);
            m_nodes.insert(name, node);
            ActionOutcome outcome;
            outcome.vmid = vmid;
            outcome.upid = upid;
            done(outcome);
        },
        [this, name, vmid, node = vm->node, done](const Error &error) {
            // A clone an earlier, killed run asked for with this same reserved id may have been
            // made after all: a VM of that id and our name is ours, not a second one.
            call(
                ApiRequest::get(QStringLiteral("/nodes/") + node + QStringLiteral("/qemu/") +
                                num(vmid) + QStringLiteral("/config")),
                [this, name, vmid, node, done, error](const ApiReply &reply) {
                    if (reply.data.toObject().value(QStringLiteral("name")).toString() != name) {
                        done(vmError(name, error.message, error.hint));
                        return;
                    }
                    emit logLine(QStringLiteral("clone:") + name,
                                 Tr::tr("VM %1 exists already: adopted").arg(vmid));
                    m_vmids.insert(name, vmid);
                    m_nodes.insert(name, node);
                    ActionOutcome outcome;
                    outcome.vmid = vmid;
                    outcome.detail = Tr::tr("adopted");
                    done(outcome);
                },
                [this, name, done, error](const Error &) {
                    done(vmError(name, error.message, error.hint));
                });
        });
}

void ProxmoxExecutor::whenUnlocked(const QString &vmName,
                                   std::function<void(const QJsonObject &)> then, Fail fail,
                                   qint64 deadline)
{
    if (deadline == 0)
        deadline = nowMs() + m_options.lockWaitTimeout.count();
    call(
        ApiRequest::get(vmPath(vmName, QStringLiteral("config"))),
        [this, vmName, then, fail, deadline](const ApiReply &reply) {
            const QJsonObject config = reply.data.toObject();
            const QString lock = config.value(QStringLiteral("lock")).toString();
            if (lock.isEmpty()) {
                then(config);
                return;
            }
            if (nowMs() > deadline) {
                fail(vmError(vmName, Tr::tr("The VM stayed locked (%1).").arg(lock),
                             Tr::tr("See the cluster's task list for the task that holds it.")));
                return;
            }
            later(m_options.agentFirstInterval, [this, vmName, then, fail, deadline] {
                whenUnlocked(vmName, then, fail, deadline);
            });
        },
        fail);
}

void ProxmoxExecutor::configureVm(const Action &action, Done done)
{
    const QString name = action.vmName;
    const plan::Vm *vm = m_plan.vm(name);
    if (vm == nullptr) {
        done(vmError(name, Tr::tr("The VM is not in the plan.")));
        return;
    }
    const bool created = action.change.kind == ChangeKind::Create;
    whenUnlocked(
        name,
        [this, action, name, created, done, vm](const QJsonObject &config) {
            const DesiredVm desired = desiredVm(m_plan, *vm);
            Params params{{QStringLiteral("cores"), num(vm->cores)},
                          {QStringLiteral("memory"), num(qint64(vm->memory.mib()))},
                          {QStringLiteral("agent"), QStringLiteral("1")},
                          {QStringLiteral("onboot"), QStringLiteral("1")},
                          {QStringLiteral("tags"), desired.tags.join(QLatin1Char(';'))}};
            for (const SnapshotNic &nic : desired.nics) {
                QString value = nicModel(config.value(nic.key).toString()) +
                                QStringLiteral(",bridge=") + nic.bridge;
                if (nic.vlan > 0)
                    value += QStringLiteral(",tag=") + num(nic.vlan);
                value += QStringLiteral(",firewall=") + flag(nic.firewall);
                params.append({nic.key, value});
            }
            for (auto it = desired.ipConfigs.cbegin(); it != desired.ipConfigs.cend(); ++it)
                params.append({QStringLiteral("ipconfig") + num(it.key()), it.value()});
            // Disks the template lacks are added here; the ones it has are grown by resize.
            for (const SnapshotDisk &disk : desired.disks)
                if (!config.contains(disk.key))
                    params.append(
                        {disk.key, disk.storage + QLatin1Char(':') +
                                       num(qint64(std::max<quint64>(1, disk.size.bytes() >> 30)))});
            if (!desired.gpuMapping.isEmpty())
                params.append(
                    {QStringLiteral("hostpci0"),
                     QStringLiteral("mapping=") + desired.gpuMapping + QStringLiteral(",pcie=1")});
            else if (config.value(QStringLiteral("hostpci0"))
                         .toString()
                         .startsWith(QLatin1String("mapping=")))
                params.append({QStringLiteral("delete"), QStringLiteral("hostpci0")});
            if (created || action.change.changes(QStringLiteral("ciuser")))
                params.append({QStringLiteral("ciuser"), m_options.ciUser});
            if ((created || action.change.changes(QStringLiteral("sshkeys"))) &&
                !m_options.sshPublicKeys.isEmpty())
                params.append({QStringLiteral("sshkeys"),
                               proxmox::form::sshKeysValue(m_options.sshPublicKeys)});
            const QString digest = config.value(QStringLiteral("digest")).toString();
            if (!digest.isEmpty())
                params.append({QStringLiteral("digest"), digest});
            call(
                ApiRequest::put(vmPath(name, QStringLiteral("config")), params),
                [this, action, done](const ApiReply &) {
                    emit logLine(action.id, Tr::tr("configuration written"));
                    ActionOutcome outcome;
                    outcome.vmid = m_vmids.value(action.vmName);
                    done(outcome);
                },
                [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

void ProxmoxExecutor::resizeDisks(const Action &action, Done done)
{
    const QString name = action.vmName;
    const plan::Vm *vm = m_plan.vm(name);
    if (vm == nullptr) {
        done(vmError(name, Tr::tr("The VM is not in the plan.")));
        return;
    }
    whenUnlocked(
        name,
        [this, name, vm, done](const QJsonObject &config) {
            // Grow only: a disk already as large as planned (or larger) is left alone.
            auto pending = std::make_shared<QList<std::pair<QString, quint64>>>();
            const DesiredVm desired = desiredVm(m_plan, *vm);
            for (const SnapshotDisk &disk : desired.disks) {
                const quint64 current = sizeOf(config.value(disk.key).toString());
                if (current > 0 && current < disk.size.bytes())
                    pending->append({disk.key, disk.size.bytes()});
            }
            auto next = std::make_shared<std::function<void(QString)>>();
            *next = [this, name, pending, next, done](const QString &lastUpid) {
                if (pending->isEmpty()) {
                    ActionOutcome outcome;
                    outcome.upid = lastUpid;
                    done(outcome);
                    return;
                }
                const auto [key, bytes] = pending->takeFirst();
                runTask(
                    ApiRequest::put(
                        vmPath(name, QStringLiteral("resize")),
                        {{QStringLiteral("disk"), key},
                         {QStringLiteral("size"), num(qint64(bytes >> 20)) + QLatin1Char('M')}}),
                    [next](const QString &upid) { (*next)(upid); },
                    [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
            };
            (*next)({});
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

void ProxmoxExecutor::startVm(const Action &action, Done done)
{
    const QString name = action.vmName;
    call(
        ApiRequest::get(vmPath(name, QStringLiteral("status/current"))),
        [this, name, done](const ApiReply &reply) {
            if (reply.data.toObject().value(QStringLiteral("status")).toString() ==
                QLatin1String("running")) {
                done(ActionOutcome{});
                return;
            }
            Fail fail = [this, name, done](const Error &e) {
                done(vmError(name, e.message, e.hint));
            };
            // An HA-managed VM's start task only queues the request; the CRM starts it later.
            runTask(
                ApiRequest::post(vmPath(name, QStringLiteral("status/start"))),
                [this, name, done, fail](const QString &upid) {
                    waitForStatus(
                        name, QStringLiteral("running"), nowMs() + m_options.powerTimeout.count(),
                        [done, upid] {
                            ActionOutcome outcome;
                            outcome.upid = upid;
                            done(outcome);
                        },
                        fail);
                },
                fail);
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

// --- guest agent -------------------------------------------------------------------------------

void ProxmoxExecutor::pingAgent(const QString &vmName, std::function<void()> then, Fail fail,
                                qint64 deadline, std::chrono::milliseconds interval)
{
    call(
        ApiRequest::post(vmPath(vmName, QStringLiteral("agent/ping"))),
        [then](const ApiReply &) { then(); },
        [this, vmName, then, fail, deadline, interval](const Error &error) {
            if (nowMs() > deadline) {
                fail(vmError(vmName,
                             Tr::tr("The guest agent did not answer: %1").arg(error.message),
                             Tr::tr("Check that the template has qemu-guest-agent installed "
                                    "and enabled.")));
                return;
            }
            const auto next =
                std::min(m_options.agentMaxInterval,
                         std::chrono::milliseconds(qint64(double(interval.count()) * 1.5) + 1));
            later(interval, [this, vmName, then, fail, deadline, next] {
                pingAgent(vmName, then, fail, deadline, next);
            });
        });
}

void ProxmoxExecutor::readAddress(const QString &vmName, std::function<void()> then, Fail fail)
{
    call(
        ApiRequest::get(vmPath(vmName, QStringLiteral("agent/network-get-interfaces"))),
        [this, vmName, then, fail](const ApiReply &reply) {
            const QJsonArray interfaces =
                reply.data.toObject().value(QStringLiteral("result")).toArray();
            for (const QJsonValue &value : interfaces) {
                const QJsonObject interface = value.toObject();
                if (interface.value(QStringLiteral("name")).toString() == QLatin1String("lo"))
                    continue;
                for (const QJsonValue &address :
                     interface.value(QStringLiteral("ip-addresses")).toArray()) {
                    const QJsonObject ip = address.toObject();
                    if (ip.value(QStringLiteral("ip-address-type")).toString() !=
                        QLatin1String("ipv4"))
                        continue;
                    m_addresses.insert(vmName, ip.value(QStringLiteral("ip-address")).toString());
                    then();
                    return;
                }
            }
            fail(vmError(vmName, Tr::tr("The guest agent reports no IPv4 address."),
                         Tr::tr("Check the VM's network configuration (ipconfig0, DHCP).")));
        },
        fail);
}

void ProxmoxExecutor::waitForAgent(const Action &action, Done done)
{
    const QString name = action.vmName;
    emit logLine(action.id, Tr::tr("waiting for the guest agent"));
    pingAgent(
        name,
        [this, action, name, done] {
            readAddress(
                name,
                [this, action, name, done] {
                    emit logLine(
                        action.id,
                        Tr::tr("guest agent answers; address %1").arg(m_addresses.value(name)));
                    ActionOutcome outcome;
                    outcome.detail = m_addresses.value(name);
                    done(outcome);
                },
                [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
        },
        [done](const Error &e) { done(e); }, nowMs() + m_options.agentTimeout.count(),
        m_options.agentFirstInterval);
}

void ProxmoxExecutor::readAddresses(QStringList names, std::function<void()> then, Fail fail)
{
    names.removeIf([this](const QString &name) {
        return m_addresses.contains(name) || !m_vmids.contains(name);
    });
    if (names.isEmpty()) {
        then();
        return;
    }
    const QString first = names.takeFirst();
    // A VM provisioned by an earlier apply: its agent may need a moment after a reboot.
    pingAgent(
        first,
        [this, first, names, then, fail] {
            readAddress(
                first, [this, names, then, fail] { readAddresses(names, then, fail); }, fail);
        },
        fail, nowMs() + m_options.agentTimeout.count(), m_options.agentFirstInterval);
}

ServiceAddresses ProxmoxExecutor::serviceAddresses() const
{
    ServiceAddresses out = plannedAddresses(m_plan);
    auto first = [this](plan::Role role, QString &into) {
        const QList<const plan::Vm *> vms = m_plan.vmsWithRole(role);
        if (!vms.isEmpty() && m_addresses.contains(vms.constFirst()->name))
            into = m_addresses.value(vms.constFirst()->name);
    };
    first(plan::Role::Db, out.db);
    first(plan::Role::Vector, out.vector);
    first(plan::Role::Redis, out.redis);
    first(plan::Role::Llm, out.llm);
    return out;
}

void ProxmoxExecutor::writeFiles(const QString &vmName, QList<std::pair<QString, QByteArray>> files,
                                 std::function<void()> then, Fail fail)
{
    if (files.isEmpty()) {
        then();
        return;
    }
    const auto [path, content] = files.takeFirst();
    // Base64 (`encode=0`) so that no byte of a script or secret is changed on the way.
    call(
        ApiRequest::post(vmPath(vmName, QStringLiteral("agent/file-write")),
                         {{QStringLiteral("file"), path},
                          {QStringLiteral("content"), QString::fromLatin1(content.toBase64())},
                          {QStringLiteral("encode"), QStringLiteral("0")}}),
        [this, vmName, files, then, fail](const ApiReply &) {
            writeFiles(vmName, files, then, fail);
        },
        fail);
}

void ProxmoxExecutor::provision(const Action &action, Done done)
{
    const QString name = action.vmName;
    const plan::Vm *vm = m_plan.vm(name);
    if (vm == nullptr) {
        done(vmError(name, Tr::tr("The VM is not in the plan.")));
        return;
    }
    Fail fail = [this, name, done](const Error &e) {
        done(vmError(name, e.message, e.hint));
    };
    // The script and the .env name the addresses the services actually got.
    QStringList needed{name};
    for (plan::Role role : {plan::Role::Db, plan::Role::Vector, plan::Role::Redis, plan::Role::Llm})
        for (const plan::Vm *other : m_plan.vmsWithRole(role))
            if (vm->role == plan::Role::Api)
                needed.append(other->name);
    readAddresses(
        needed,
        [this, action, vm, done] {
            const ServiceAddresses addresses = serviceAddresses();
            QList<std::pair<QString, QByteArray>> files;
            const QByteArray secrets = guestSecrets(*vm, m_secrets);
            if (!secrets.isEmpty())
                files.append({QString::fromLatin1(kGuestSecretsPath), secrets});
            if (vm->role == plan::Role::Api)
                files.append({QString::fromLatin1(kGuestEnvPath),
                              renderEnv(apiEnvironment(m_plan, addresses, m_secrets),
                                        SecretDisplay::Revealed)});
            files.append({QString::fromLatin1(kGuestScriptPath),
                          provisioningScript(m_plan, *vm, addresses)});
            runScript(action, files, done);
        },
        fail);
}

void ProxmoxExecutor::runScript(const Action &action, QList<std::pair<QString, QByteArray>> files,
                                Done done)
{
    const QString name = action.vmName;
    Fail fail = [this, name, done](const Error &e) {
        done(vmError(name, e.message, e.hint));
    };
    emit logLine(action.id,
                 Tr::tr("writing %n file(s) into the guest", nullptr, int(files.size())));
    writeFiles(
        name, files,
        [this, action, name, done, fail] {
            call(
                ApiRequest::post(
                    vmPath(name, QStringLiteral("agent/exec")),
                    {{QStringLiteral("command"), QStringLiteral("bash")},
                     {QStringLiteral("command"), QString::fromLatin1(kGuestScriptPath)}}),
                [this, action, done](const ApiReply &reply) {
                    const int pid = reply.data.toObject().value(QStringLiteral("pid")).toInt();
                    emit logLine(action.id,
                                 Tr::tr("provisioning script started (pid %1)").arg(pid));
                    pollExec(action, pid, nowMs() + m_options.execTimeout.count(), {}, done);
                },
                fail);
        },
        fail);
}

void ProxmoxExecutor::pollExec(const Action &action, int pid, qint64 deadline, QStringList output,
                               Done done)
{
    const QString name = action.vmName;
    call(
        ApiRequest::get(vmPath(name, QStringLiteral("agent/exec-status")),
                        {{QStringLiteral("pid"), num(pid)}}),
        [this, action, pid, deadline, output, done, name](const ApiReply &reply) mutable {
            const QJsonObject status = reply.data.toObject();
            if (status.value(QStringLiteral("exited")).toInt() == 0) {
                if (nowMs() > deadline) {
                    done(vmError(name, Tr::tr("The provisioning script did not end in time.")));
                    return;
                }
                later(m_options.execPollInterval, [this, action, pid, deadline, output, done] {
                    pollExec(action, pid, deadline, output, done);
                });
                return;
            }
            for (const char *key : {"out-data", "err-data"}) {
                const QString text = redact(status.value(QLatin1String(key)).toString());
                if (text.isEmpty())
                    continue;
                output.append(text);
                for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                    emit logLine(action.id, line);
            }
            const int code = status.value(QStringLiteral("exitcode")).toInt();
            if (code != 0) {
                QString message =
                    Tr::tr("The provisioning script ended with exit code %1.").arg(code);
                const QString last = tail(output, m_options.logTailLines);
                if (!last.isEmpty())
                    message += QLatin1Char('\n') + last;
                done(vmError(name, message,
                             Tr::tr("Fix the cause in the guest or the plan, then resume: the "
                                    "script is safe to run again.")));
                return;
            }
            ActionOutcome outcome;
            outcome.detail = m_addresses.value(name);
            done(outcome);
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

// --- moving and removing -----------------------------------------------------------------------

void ProxmoxExecutor::migrateVm(const Action &action, Done done)
{
    const QString name = action.vmName;
    const QString target = action.change.node;
    call(
        ApiRequest::get(vmPath(name, QStringLiteral("status/current"))),
        [this, name, target, done](const ApiReply &reply) {
            const bool running = reply.data.toObject().value(QStringLiteral("status")).toString() ==
                                 QLatin1String("running");
            Params params{{QStringLiteral("target"), target}};
            if (running)
                params.append({QStringLiteral("online"), QStringLiteral("1")});
            Fail fail = [this, name, done](const Error &e) {
                done(vmError(name, e.message, e.hint));
            };
            runTask(
                ApiRequest::post(vmPath(name, QStringLiteral("migrate")), params),
                [this, name, target, done, fail](const QString &upid) {
                    auto moved = [this, name, target, done, upid] {
                        m_nodes.insert(name, target);
                        ActionOutcome outcome;
                        outcome.upid = upid;
                        done(outcome);
                    };
                    // An HA-managed VM's migrate only hands the request to the HA manager
                    // (`hamigrate`); the VM moves a CRM round or more later. The next actions
                    // on it need its new node.
                    if (upid.section(QLatin1Char(':'), 5, 5) == QLatin1String("hamigrate")) {
                        waitForNode(name, target, nowMs() + m_options.haMigrateTimeout.count(),
                                    moved, fail);
                        return;
                    }
                    moved();
                },
                fail);
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

void ProxmoxExecutor::removeVm(const Action &action, Done done)
{
    const QString name = action.vmName;
    Fail fail = [this, name, done](const Error &e) {
        done(vmError(name, e.message, e.hint));
    };
    auto destroy = [this, name, done, fail] {
        runTask(
            ApiRequest::del(vmPath(name),
                            {{QStringLiteral("purge"), QStringLiteral("1")},
                             {QStringLiteral("destroy-unreferenced-disks"), QStringLiteral("1")}}),
            [this, name, done](const QString &upid) {
                m_vmids.remove(name);
                m_nodes.remove(name);
                ActionOutcome outcome;
                outcome.upid = upid;
                done(outcome);
            },
            fail);
    };
    // HA would start a stopped resource again; it goes first, then the VM is stopped and deleted.
    call(
        ApiRequest::del(QStringLiteral("/cluster/ha/resources/") + sidOf(name)),
        [this, name, destroy, fail](const ApiReply &) {
            call(
                ApiRequest::get(vmPath(name, QStringLiteral("status/current"))),
                [this, name, destroy, fail](const ApiReply &reply) {
                    if (reply.data.toObject().value(QStringLiteral("status")).toString() !=
                        QLatin1String("running")) {
                        destroy();
                        return;
                    }
                    runTask(
                        ApiRequest::post(vmPath(name, QStringLiteral("status/stop"))),
                        [destroy](const QString &) { destroy(); }, fail);
                },
                fail);
        },
        [this, name, destroy, fail](const Error &) {
            // Not HA-managed: nothing to take away.
            call(
                ApiRequest::get(vmPath(name, QStringLiteral("status/current"))),
                [this, name, destroy, fail](const ApiReply &reply) {
                    if (reply.data.toObject().value(QStringLiteral("status")).toString() !=
                        QLatin1String("running")) {
                        destroy();
                        return;
                    }
                    runTask(
                        ApiRequest::post(vmPath(name, QStringLiteral("status/stop"))),
                        [destroy](const QString &) { destroy(); }, fail);
                },
                fail);
        });
}

// --- HA, replication, backups ------------------------------------------------------------------

void ProxmoxExecutor::haGroup(const Action &action, Done done)
{
    const plan::Vm *vm = m_plan.vm(action.vmName);
    if (vm == nullptr) {
        done(vmError(action.vmName, Tr::tr("The VM is not in the plan.")));
        return;
    }
    const QString id = haGroupId(*vm);
    Params params{{QStringLiteral("nodes"), formatNodePriorities(vm->ha.nodePriorities)},
                  {QStringLiteral("restricted"), flag(vm->ha.strict)},
                  {QStringLiteral("nofailback"), flag(!vm->ha.failback)}};
    const bool create = action.change.kind == ChangeKind::Create;
    if (create)
        params.prepend({QStringLiteral("group"), id});
    const ApiRequest request =
        create ? ApiRequest::post(QStringLiteral("/cluster/ha/groups"), params)
               : ApiRequest::put(QStringLiteral("/cluster/ha/groups/") + id, params);
    call(
        request,
        [done, id](const ApiReply &) {
            done(ActionOutcome{0, {}, id});
        },
        [this, id, done](const Error &e) { done(vmError(id, e.message, e.hint)); });
}

void ProxmoxExecutor::haRule(const Action &action, Done done)
{
    const Change &change = action.change;
    const QString id = change.id;
    Params params;
    QString type = change.field(QStringLiteral("type"));
    const plan::Vm *vm = m_plan.vm(change.vmName);
    if (vm != nullptr) {
        // A node-affinity rule of one VM: everything from the plan.
        type = QStringLiteral("node-affinity");
        params = {{QStringLiteral("resources"), sidOf(vm->name)},
                  {QStringLiteral("nodes"), formatNodePriorities(vm->ha.nodePriorities)},
                  {QStringLiteral("strict"), flag(vm->ha.strict)}};
    } else {
        if (type.isEmpty())
            type = QStringLiteral("resource-affinity");
        const QString resources = resolveSids(change.field(QStringLiteral("resources")));
        if (!resources.isEmpty())
            params.append({QStringLiteral("resources"), resources});
        // The only resource-affinity rule this tool makes keeps replicas apart.
        if (type == QLatin1String("resource-affinity"))
            params.append({QStringLiteral("affinity"), QStringLiteral("negative")});
    }
    params.prepend({QStringLiteral("type"), type});
    ApiRequest request;
    if (change.kind == ChangeKind::Remove) {
        request = ApiRequest::del(QStringLiteral("/cluster/ha/rules/") + id);
    } else if (change.kind == ChangeKind::Create) {
        params.prepend({QStringLiteral("rule"), id});
        request = ApiRequest::post(QStringLiteral("/cluster/ha/rules"), params);
    } else {
        request = ApiRequest::put(QStringLiteral("/cluster/ha/rules/") + id, params);
    }
    call(
        request,
        [done, id](const ApiReply &) {
            done(ActionOutcome{0, {}, id});
        },
        [this, id, done](const Error &e) { done(vmError(id, e.message, e.hint)); });
}

void ProxmoxExecutor::haResource(const Action &action, Done done)
{
    const QString name = action.vmName;
    const plan::Vm *vm = m_plan.vm(name);
    if (vm == nullptr) {
        done(vmError(name, Tr::tr("The VM is not in the plan.")));
        return;
    }
    const QString sid = sidOf(name);
    // The change may ask for another state than the plan's: `stopped` for a VM kept for a
    // rollback of the API tier.
    const QString state = action.change.field(QStringLiteral("state"));
    Params params{
        {QStringLiteral("state"), state.isEmpty() ? plan::haStateName(vm->ha.state) : state},
        {QStringLiteral("max_restart"), num(vm->ha.maxRestart)},
        {QStringLiteral("max_relocate"), num(vm->ha.maxRelocate)}};
    if (m_snapshot.majorRelease < 9 && !vm->ha.nodePriorities.isEmpty())
        params.append({QStringLiteral("group"), haGroupOf(m_plan, *vm)});
    Fail fail = [this, name, done](const Error &e) {
        done(vmError(name, e.message, e.hint));
    };
    // Asked again rather than taken from the changeset: a resumed run may find the resource
    // made, and Proxmox refuses to add one twice.
    call(
        ApiRequest::get(QStringLiteral("/cluster/ha/resources")),
        [this, sid, params, done, fail](const ApiReply &reply) {
            bool exists = false;
            for (const QJsonValue &value : reply.data.toArray())
                exists = exists || value.toObject().value(QStringLiteral("sid")).toString() == sid;
            Params sent = params;
            if (!exists)
                sent.prepend({QStringLiteral("sid"), sid});
            call(
                exists ? ApiRequest::put(QStringLiteral("/cluster/ha/resources/") + sid, sent)
                       : ApiRequest::post(QStringLiteral("/cluster/ha/resources"), sent),
                [done, sid](const ApiReply &) {
                    done(ActionOutcome{0, {}, sid});
                },
                fail);
        },
        fail);
}

void ProxmoxExecutor::replication(const Action &action, Done done)
{
    const Change &change = action.change;
    const QString name = change.vmName;
    const int vmid = m_vmids.value(name);
    const QString target = change.field(QStringLiteral("target"));
    const plan::Vm *vm = m_plan.vm(name);
    const plan::Replication *wanted = nullptr;
    if (vm != nullptr)
        for (const plan::Replication &r : vm->replication)
            if (target.isEmpty() ? change.id.endsWith(r.target) : r.target == target)
                wanted = &r;
    if (wanted == nullptr) {
        done(vmError(name, Tr::tr("The replication job %1 is not in the plan.").arg(change.id)));
        return;
    }
    Params params{{QStringLiteral("schedule"),
                   wanted->schedule.isEmpty() ? QStringLiteral("*/15") : wanted->schedule}};
    if (wanted->rateMBps > 0)
        params.append({QStringLiteral("rate"), QString::number(wanted->rateMBps)});
    ApiRequest request;
    QString id = change.id;
    if (change.kind == ChangeKind::Create) {
        // Job ids are `<guest>-<n>`: the first number this guest has not used.
        int n = 0;
        for (const SnapshotReplication &job : std::as_const(m_snapshot.replications))
            if (job.guest == vmid)
                n = std::max(n, job.id.section(QLatin1Char('-'), 1).toInt() + 1);
        id = num(vmid) + QLatin1Char('-') + num(n);
        m_snapshot.replications.append({id, vmid, wanted->target, {}, 0});
        params.prepend({QStringLiteral("target"), wanted->target});
        params.prepend({QStringLiteral("type"), QStringLiteral("local")});
        params.prepend({QStringLiteral("id"), id});
        request = ApiRequest::post(QStringLiteral("/cluster/replication"), params);
    } else {
        request = ApiRequest::put(QStringLiteral("/cluster/replication/") + id, params);
    }
    call(
        request,
        [done, id](const ApiReply &) {
            done(ActionOutcome{0, {}, id});
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

void ProxmoxExecutor::backup(const Action &action, Done done)
{
    const QString id = action.change.id;
    const plan::BackupJob *job = nullptr;
    for (const plan::BackupJob &candidate : m_plan.backups)
        if (candidate.id == id)
            job = &candidate;
    if (job == nullptr) {
        done(vmError(id, Tr::tr("The backup job is not in the plan.")));
        return;
    }
    QStringList vmids;
    for (const QString &name : job->vms) {
        if (!m_vmids.contains(name)) {
            done(vmError(id, Tr::tr("%1 is not on the cluster yet.").arg(name)));
            return;
        }
        vmids.append(num(m_vmids.value(name)));
    }
    Params params{{QStringLiteral("storage"), job->storage},
                  {QStringLiteral("schedule"), job->schedule},
                  {QStringLiteral("vmid"), vmids.join(QLatin1Char(','))},
                  {QStringLiteral("mode"), plan::backupModeName(job->mode)}};
    const QString prune = pruneBackupsText(job->retention);
    if (!prune.isEmpty())
        params.append({QStringLiteral("prune-backups"), prune});
    const bool create = action.change.kind == ChangeKind::Create;
    if (create)
        params.prepend({QStringLiteral("id"), id});
    const ApiRequest request =
        create ? ApiRequest::post(QStringLiteral("/cluster/backup"), params)
               : ApiRequest::put(QStringLiteral("/cluster/backup/") + id, params);
    call(
        request,
        [done, id](const ApiReply &) {
            done(ActionOutcome{0, {}, id});
        },
        [this, id, done](const Error &e) { done(vmError(id, e.message, e.hint)); });
}

// --- resource pools ----------------------------------------------------------------------------

void ProxmoxExecutor::pool(const Action &action, Done done)
{
    const QString poolId = action.change.id;
    QStringList members;
    for (const FieldChange &field : action.change.fields) {
        const QString name = poolMemberOf(field.field);
        if (name.isEmpty())
            continue;
        if (!m_vmids.contains(name)) {
            done(vmError(
                name,
                Tr::tr("The VM is not on the cluster, so it cannot join pool %1.").arg(poolId),
                Tr::tr("Run the apply again: it reads the cluster first.")));
            return;
        }
        members << name;
    }
    const bool move = !action.change.note.isEmpty();
    Fail fail = [this, poolId, done](const Error &e) {
        done(vmError(poolId, e.message, e.hint));
    };
    // Asked again rather than taken from the changeset: a resumed apply may find the pool made
    // and some VMs in it, and Proxmox refuses to add a member twice.
    call(
        ApiRequest::get(QStringLiteral("/pools")),
        [this, action, poolId, members, move, done](const ApiReply &reply) {
            bool exists = false;
            for (const QJsonValue &value : reply.data.toArray())
                exists =
                    exists || value.toObject().value(QStringLiteral("poolid")).toString() == poolId;
            if (exists) {
                addToPool(action, members, move, done);
                return;
            }
            Params params{{QStringLiteral("poolid"), poolId}};
            if (const QString comment = action.change.field(QStringLiteral("comment"));
                !comment.isEmpty())
                params.append({QStringLiteral("comment"), comment});
            call(
                ApiRequest::post(QStringLiteral("/pools"), params),
                [this, action, poolId, members, move, done](const ApiReply &) {
                    emit logLine(action.id, Tr::tr("pool %1 made").arg(poolId));
                    addToPool(action, members, move, done);
                },
                [this, poolId, done](const Error &e) { done(vmError(poolId, e.message, e.hint)); });
        },
        fail);
}

void ProxmoxExecutor::addToPool(const Action &action, QStringList members, bool move, Done done)
{
    const QString poolId = action.change.id;
    call(
        ApiRequest::get(QStringLiteral("/cluster/resources"),
                        {{QStringLiteral("type"), QStringLiteral("vm")}}),
        [this, action, poolId, members, move, done](const ApiReply &reply) {
            QHash<int, QString> poolOf;
            for (const QJsonValue &value : reply.data.toArray()) {
                const QJsonObject guest = value.toObject();
                poolOf.insert(guest.value(QStringLiteral("vmid")).toInt(),
                              guest.value(QStringLiteral("pool")).toString());
            }
            QStringList vmids;
            for (const QString &name : members) {
                const int vmid = m_vmids.value(name);
                if (poolOf.value(vmid) != poolId)
                    vmids << num(vmid);
            }
            if (vmids.isEmpty()) {
                done(ActionOutcome{0, {}, poolId});
                return;
            }
            // `PUT /pools` with the id as a parameter: on PVE 8.4 and 9 alike, and it takes
            // nested pool ids, which `/pools/{poolid}` cannot.
            Params params{{QStringLiteral("poolid"), poolId},
                          {QStringLiteral("vms"), vmids.join(QLatin1Char(','))}};
            if (move)
                params.append({QStringLiteral("allow-move"), QStringLiteral("1")});
            call(
                ApiRequest::put(QStringLiteral("/pools"), params),
                [this, action, poolId, vmids, done](const ApiReply &) {
                    emit logLine(action.id, Tr::tr("VMs %1 added to pool %2")
                                                .arg(vmids.join(QStringLiteral(", ")), poolId));
                    done(ActionOutcome{0, {}, poolId});
                },
                [this, poolId, done](const Error &e) { done(vmError(poolId, e.message, e.hint)); });
        },
        [this, poolId, done](const Error &e) { done(vmError(poolId, e.message, e.hint)); });
}

// --- the API tier's blue-green switch ----------------------------------------------------------

void ProxmoxExecutor::waitForStatus(const QString &vmName, const QString &status, qint64 deadline,
                                    std::function<void()> then, Fail fail)
{
    call(
        ApiRequest::get(vmPath(vmName, QStringLiteral("status/current"))),
        [this, vmName, status, deadline, then, fail](const ApiReply &reply) {
            const QString now = reply.data.toObject().value(QStringLiteral("status")).toString();
            if (now == status) {
                then();
                return;
            }
            if (nowMs() > deadline) {
                fail(vmError(vmName,
                             Tr::tr("The VM is %1, not %2, after its task.").arg(now, status),
                             Tr::tr("When it is HA-managed, see the HA manager's status.")));
                return;
            }
            later(m_options.execPollInterval, [this, vmName, status, deadline, then, fail] {
                waitForStatus(vmName, status, deadline, then, fail);
            });
        },
        fail);
}

void ProxmoxExecutor::waitForNode(const QString &vmName, const QString &node, qint64 deadline,
                                  std::function<void()> then, Fail fail)
{
    call(
        ApiRequest::get(QStringLiteral("/cluster/resources"),
                        {{QStringLiteral("type"), QStringLiteral("vm")}}),
        [this, vmName, node, deadline, then, fail](const ApiReply &reply) {
            const int vmid = m_vmids.value(vmName);
            QString now;
            for (const QJsonValue &value : reply.data.toArray()) {
                const QJsonObject guest = value.toObject();
                if (guest.value(QStringLiteral("vmid")).toInt() == vmid)
                    now = guest.value(QStringLiteral("node")).toString();
            }
            if (now == node) {
                then();
                return;
            }
            if (nowMs() > deadline) {
                fail(vmError(vmName,
                             Tr::tr("The VM is still on %1, not %2, after its HA migration.")
                                 .arg(now.isEmpty() ? Tr::tr("no node") : now, node),
                             Tr::tr("See the HA manager's status (Datacenter → HA) and the "
                                    "migration task on %1.")
                                 .arg(now.isEmpty() ? node : now)));
                return;
            }
            later(m_options.execPollInterval, [this, vmName, node, deadline, then, fail] {
                waitForNode(vmName, node, deadline, then, fail);
            });
        },
        fail);
}

void ProxmoxExecutor::stopVm(const Action &action, Done done)
{
    const QString name = action.vmName;
    Fail fail = [this, name, done](const Error &e) {
        done(vmError(name, e.message, e.hint));
    };
    const QString stopped = QStringLiteral("stopped");
    call(
        ApiRequest::get(vmPath(name, QStringLiteral("status/current"))),
        [this, name, stopped, done, fail](const ApiReply &reply) {
            if (reply.data.toObject().value(QStringLiteral("status")).toString() == stopped) {
                done(ActionOutcome{});
                return;
            }
            // A clean shutdown lets the API finish its requests; HA-managed VMs get a request
            // to the CRM instead, which is why the state is waited for after the task.
            runTask(
                ApiRequest::post(vmPath(name, QStringLiteral("status/shutdown")),
                                 {{QStringLiteral("forceStop"), QStringLiteral("1")},
                                  {QStringLiteral("timeout"), num(m_options.shutdownSeconds)}}),
                [this, name, stopped, done, fail](const QString &upid) {
                    waitForStatus(
                        name, stopped, nowMs() + m_options.powerTimeout.count(),
                        [done, upid] {
                            ActionOutcome outcome;
                            outcome.upid = upid;
                            done(outcome);
                        },
                        fail);
                },
                fail);
        },
        fail);
}

void ProxmoxExecutor::tagVm(const Action &action, Done done)
{
    const QString name = action.vmName;
    Fail fail = [this, name, done](const Error &e) {
        done(vmError(name, e.message, e.hint));
    };
    whenUnlocked(
        name,
        [this, action, name, done, fail](const QJsonObject &config) {
            static const QRegularExpression separators(QStringLiteral("[;, ]+"));
            QStringList tags = config.value(QStringLiteral("tags"))
                                   .toString()
                                   .split(separators, Qt::SkipEmptyParts);
            const QStringList before = tags;
            for (const FieldChange &field : action.change.fields) {
                if (field.field == QLatin1String("tag+") && !tags.contains(field.after))
                    tags.append(field.after);
                if (field.field == QLatin1String("tag-"))
                    tags.removeAll(field.after);
            }
            if (tags == before) {
                done(ActionOutcome{});
                return;
            }
            tags.sort();
            Params params{{QStringLiteral("tags"), tags.join(QLatin1Char(';'))}};
            const QString digest = config.value(QStringLiteral("digest")).toString();
            if (!digest.isEmpty())
                params.append({QStringLiteral("digest"), digest});
            call(
                ApiRequest::put(vmPath(name, QStringLiteral("config")), params),
                [this, action, tags, done](const ApiReply &) {
                    emit logLine(action.id, Tr::tr("tags %1").arg(tags.join(QLatin1Char(';'))));
                    done(ActionOutcome{});
                },
                fail);
        },
        fail);
}

void ProxmoxExecutor::checkHealth(const Action &action, Done done)
{
    const QString name = action.vmName;
    readAddresses(
        {name},
        [this, action, name, done] {
            QUrl url;
            url.setScheme(QStringLiteral("http"));
            url.setHost(m_addresses.value(name));
            url.setPort(m_plan.rae.apiPort);
            url.setPath(QStringLiteral("/health"));
            emit logLine(action.id, Tr::tr("checking %1").arg(url.toString()));
            probeHealth(action, url, nowMs() + m_options.healthTimeout.count(), done);
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

void ProxmoxExecutor::probeHealth(const Action &action, const QUrl &url, qint64 deadline, Done done)
{
    if (m_network == nullptr)
        m_network = new QNetworkAccessManager(this);
    QNetworkRequest request(url);
    request.setTransferTimeout(10000);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, action, url, deadline, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            emit logLine(action.id, Tr::tr("/health answers 200"));
            ActionOutcome outcome;
            outcome.detail = url.host();
            done(outcome);
            return;
        }
        const QString answer = status > 0
                                   ? Tr::tr("HTTP %1: %2")
                                         .arg(status)
                                         .arg(QString::fromUtf8(reply->read(400)).simplified())
                                   : reply->errorString();
        if (nowMs() > deadline) {
            done(vmError(action.vmName,
                         Tr::tr("%1 did not answer 200 in time; last answer: %2")
                             .arg(url.toString(), redact(answer)),
                         Tr::tr("The API VM is left running for a look; nothing was switched.")));
            return;
        }
        later(m_options.healthInterval,
              [this, action, url, deadline, done] { probeHealth(action, url, deadline, done); });
    });
}

void ProxmoxExecutor::switchGateway(const Action &action, Done done)
{
    const QString name = action.vmName;
    const plan::Vm *gateway = m_plan.vm(name);
    if (gateway == nullptr) {
        done(vmError(name, Tr::tr("The gateway is not in the plan.")));
        return;
    }
    const QStringList upstreams = action.change.field(QStringLiteral("upstreams"))
                                      .split(QLatin1Char(','), Qt::SkipEmptyParts);
    // Planned static addresses are what the API VMs were configured with; a DHCP one is asked
    // from its agent.
    QStringList unknown;
    for (const QString &api : upstreams) {
        const plan::Vm *vm = m_plan.vm(api);
        if (vm == nullptr || plannedInternalAddress(m_plan, *vm).isEmpty())
            unknown.append(api);
    }
    readAddresses(
        unknown,
        [this, action, gateway, upstreams, done] {
            QStringList addresses;
            for (const QString &api : upstreams) {
                const plan::Vm *vm = m_plan.vm(api);
                const QString planned = vm ? plannedInternalAddress(m_plan, *vm) : QString();
                addresses.append(planned.isEmpty() ? m_addresses.value(api) : planned);
            }
            addresses.removeAll(QString());
            if (addresses.isEmpty()) {
                done(vmError(action.vmName, Tr::tr("No address for the gateway's upstreams.")));
                return;
            }
            emit logLine(action.id,
                         Tr::tr("upstreams %1").arg(addresses.join(QStringLiteral(", "))));
            runScript(action,
                      {{QString::fromLatin1(kGuestScriptPath),
                        gatewayProvisioningScript(m_plan, *gateway, addresses)}},
                      done);
        },
        [this, name, done](const Error &e) { done(vmError(name, e.message, e.hint)); });
}

} // namespace rae::deploy
