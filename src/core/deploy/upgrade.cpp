#include "deploy/upgrade.h"

#include "deploy/changeset.h"

#include "deploy/deployment.h"
#include "deploy/provisioning.h"
#include "deploy/runner.h"
#include "deploy/servicesecrets.h"
#include "deploy/snapshotreader.h"
#include "plan/planreader.h"
#include "proxmox/client.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QLoggingCategory>

namespace rae::deploy {

namespace {

Q_LOGGING_CATEGORY(lcUpgrade, "raedeploy.deploy.upgrade")

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::ApiTierChange)
};

constexpr char kApiTag[] = "rae-api";

QString hostPart(const QString &cidr)
{
    return cidr.section(QLatin1Char('/'), 0, 0);
}

// The same VM one tier over: the last octet moved by `offset`, the prefix kept.
Result<QString> shiftedAddress(const QString &cidr, int offset)
{
    QHostAddress address(hostPart(cidr));
    bool ok = false;
    const quint32 ip = address.toIPv4Address(&ok);
    if (!ok)
        return Error{Tr::tr("The address %1 is not an IPv4 address; the new API tier needs "
                            "addresses of its own.")
                         .arg(cidr),
                     {},
                     {}};
    const quint32 last = (ip & 0xffU) + quint32(offset);
    if (last >= 255)
        return Error{Tr::tr("%1 moved by %2 leaves the subnet.").arg(cidr).arg(offset),
                     Tr::tr("Give the API VMs addresses below .%1.").arg(255 - offset),
                     {}};
    const QString shifted = QHostAddress((ip & ~0xffU) | last).toString();
    const QString prefix = cidr.section(QLatin1Char('/'), 1);
    return prefix.isEmpty() ? shifted : shifted + QLatin1Char('/') + prefix;
}

QList<const SnapshotVm *> apiVms(const plan::Plan &plan, const ClusterSnapshot &snapshot)
{
    QList<const SnapshotVm *> out;
    for (const SnapshotVm &vm : snapshot.vms)
        if (!vm.isTemplate && vm.tags.contains(QLatin1String(kApiTag)) &&
            !apiBaseName(plan, vm.name).isEmpty())
            out.append(&vm);
    return out;
}

Action step(const QString &kind, ActionType type, const QString &vm, QStringList deps,
            bool usesTask = false)
{
    Action action{kind + QLatin1Char(':') + vm, type, vm, std::move(deps), usesTask, {}};
    action.change.vmName = vm;
    return action;
}

// After the switch the VMs that serve are HA-managed as the plan says its API VMs are, and the
// plan's HA rules (PVE 9) name them instead of the VMs that served. Those keep the `stopped`
// state their stop through the HA manager gave their HA resources: HA does not start them, and
// it still moves them off a failed node, so a rollback finds them.
void addHa(TierPlan &tier, const plan::Plan &plan, const ClusterSnapshot &snapshot,
           const QStringList &switchIds)
{
    QStringList resourceIds;
    QHash<QString, QString> servingFor; // plan API VM → the VM that serves for it afterwards
    for (const QString &vm : std::as_const(tier.to)) {
        const QString base = apiBaseName(plan, vm);
        const plan::Vm *own = plan.vm(base);
        if (own == nullptr || !own->ha.managed)
            continue;
        if (!servingFor.contains(base))
            servingFor.insert(base, vm);
        const SnapshotVm *actual = snapshot.vmByName(vm);
        const int vmid = actual != nullptr ? actual->vmid : 0;
        Action resource =
            step(QStringLiteral("ha-resource"), ActionType::HaResource, vm, switchIds);
        resource.change.object = ObjectKind::HaResource;
        resource.change.id = sidOf(vmid, vm);
        resource.change.vmid = vmid;
        resource.change.kind = vmid > 0 && snapshot.haResource(resource.change.id) != nullptr
                                   ? ChangeKind::Update
                                   : ChangeKind::Create;
        tier.actions.append(resource);
        resourceIds.append(resource.id);
    }
    if (snapshot.majorRelease < 9)
        return; // PVE 8: the node priorities are the group's, which the new resources name
    // The sid of every other API VM of a plan VM → the serving one's: the VMs that stop serving
    // now, and those a stopped run tagged `rae-standby` already without renaming the rules.
    QHash<QString, QString> replace;
    for (const SnapshotVm &actual : snapshot.vms) {
        const QString serving = servingFor.value(apiBaseName(plan, actual.name));
        if (serving.isEmpty() || tier.to.contains(actual.name))
            continue;
        const SnapshotVm *next = snapshot.vmByName(serving);
        replace.insert(sidOf(actual.vmid, actual.name),
                       sidOf(next != nullptr ? next->vmid : 0, serving));
    }
    for (const SnapshotHaRule &rule : snapshot.haRules) {
        if (!rule.id.startsWith(QLatin1String("rae-")))
            continue; // the admin's own rules are the admin's
        QStringList resources = rule.resources;
        for (QString &sid : resources)
            sid = replace.value(sid, sid);
        resources.removeDuplicates();
        resources.sort();
        QStringList before = rule.resources;
        before.sort();
        if (resources == before)
            continue;
        Action update{QStringLiteral("ha-rule:") + rule.id,
                      ActionType::HaRule,
                      {},
                      switchIds + resourceIds,
                      false,
                      {}};
        update.change.object = ObjectKind::HaRule;
        update.change.kind = ChangeKind::Update;
        update.change.id = rule.id;
        update.change.fields = {{QStringLiteral("type"), rule.type, rule.type},
                                {QStringLiteral("resources"), before.join(QLatin1Char(',')),
                                 resources.join(QLatin1Char(','))}};
        tier.actions.append(update);
    }
}

// Health, switch, stop, the tags and HA: the part upgrade and rollback share.
void addSwitch(TierPlan &tier, const QStringList &checkAfter, const plan::Plan &plan,
               const ClusterSnapshot &snapshot)
{
    QStringList healthIds;
    for (const QString &vm : std::as_const(tier.to)) {
        QStringList deps;
        for (const QString &id : checkAfter)
            if (id.endsWith(QLatin1Char(':') + vm))
                deps.append(id);
        Action health = step(QStringLiteral("health"), ActionType::CheckHealth, vm, deps);
        tier.actions.append(health);
        healthIds.append(health.id);
    }
    QStringList switchIds;
    for (const plan::Vm *gateway : tier.plan.vmsWithRole(plan::Role::Gateway)) {
        Action change =
            step(QStringLiteral("switch"), ActionType::SwitchGateway, gateway->name, healthIds);
        change.change.fields.append(
            {QStringLiteral("upstreams"), {}, tier.to.join(QLatin1Char(','))});
        tier.actions.append(change);
        switchIds.append(change.id);
    }
    for (const QString &vm : std::as_const(tier.from)) {
        Action stop = step(QStringLiteral("stop"), ActionType::StopVm, vm, switchIds, true);
        tier.actions.append(stop);
        Action keep = step(QStringLiteral("standby"), ActionType::TagVm, vm, {stop.id});
        keep.change.fields.append({QStringLiteral("tag+"), {}, QString::fromLatin1(kStandbyTag)});
        tier.actions.append(keep);
    }
    for (const QString &vm : std::as_const(tier.to)) {
        Action serve = step(QStringLiteral("serving"), ActionType::TagVm, vm, switchIds);
        serve.change.fields.append({QStringLiteral("tag-"), {}, QString::fromLatin1(kStandbyTag)});
        tier.actions.append(serve);
    }
    addHa(tier, plan, snapshot, switchIds);
}

Result<const plan::Vm *> theGateway(const plan::Plan &plan)
{
    if (plan.vmsWithRole(plan::Role::Gateway).isEmpty())
        return Error{Tr::tr("The plan has no gateway to switch between API tiers."), {}, {}};
    if (plan.vmsWithRole(plan::Role::Api).isEmpty())
        return Error{Tr::tr("The plan has no API VMs."), {}, {}};
    return plan.vmsWithRole(plan::Role::Gateway).constFirst();
}

} // namespace

Result<TierPlan> planApiUpgrade(const plan::Plan &plan, const ClusterSnapshot &snapshot,
                                const QString &version, int addressOffset, const DiffOptions &diff)
{
    if (!isValidVersion(version))
        return Error{Tr::tr("The version \"%1\" cannot name a VM and a tag.").arg(version),
                     Tr::tr("Use lower-case letters, digits, '.', '-' and '_', like 2.1.0."),
                     {}};
    if (auto gateway = theGateway(plan); !gateway.ok())
        return gateway.error();
    const QList<const SnapshotVm *> onCluster = apiVms(plan, snapshot);

    TierPlan tier;
    tier.kind = TierChange::Upgrade;
    tier.version = version;
    tier.plan = plan;
    QList<Error> problems;
    for (const plan::Vm *base : plan.vmsWithRole(plan::Role::Api)) {
        const QString name = base->name + QStringLiteral("-v") + version;
        const QString planned = base->nics.isEmpty() ? QString() : base->nics.first().address;
        QString serving;
        for (const SnapshotVm *vm : onCluster) {
            if (apiBaseName(plan, vm->name) != base->name)
                continue;
            if (vm->name == name && isStandby(*vm))
                problems.append(
                    {Tr::tr("%1 is kept from an earlier change of the API tier.").arg(name),
                     Tr::tr("Roll back to it with rollback-api, or remove it first."), name});
            if (vm->name == name || isStandby(*vm))
                continue;
            tier.from.append(vm->name);
            serving = vm->name == base->name ? planned : configuredAddress(*vm);
            if (vm->name != base->name)
                tier.plan.vms.append(standIn(*base, *vm));
        }
        // Two tiers run side by side, so the new one takes the address the serving one left.
        QString address = planned;
        if (!planned.isEmpty() && planned != QLatin1String("dhcp") &&
            (serving.isEmpty() || hostPart(serving) == hostPart(planned))) {
            auto shifted = shiftedAddress(planned, addressOffset);
            if (!shifted.ok())
                return shifted.error();
            address = shifted.value();
        }
        for (const SnapshotVm *vm : onCluster)
            if (isStandby(*vm) && !address.isEmpty() &&
                hostPart(configuredAddress(*vm)) == hostPart(address))
                problems.append({Tr::tr("The kept VM %1 has the address %2 that %3 needs.")
                                     .arg(vm->name, hostPart(address), name),
                                 Tr::tr("Remove the kept VMs of the earlier version first."),
                                 name});
        plan::Vm green = *base;
        green.name = name;
        green.vmid.reset();
        if (!green.nics.isEmpty())
            green.nics.first().address = address;
        green.tags.append(QLatin1String(kVersionTagPrefix) + version);
        // HA-managed like the plan VM once it serves (addHa); the rule keeping the tier apart is
        // the plan's.
        green.ha.antiAffinity.clear();
        green.replication.clear();
        tier.plan.vms.append(green);
        tier.to.append(name);
    }
    if (!problems.isEmpty())
        return problems.constFirst();
    if (tier.from.isEmpty()) {
        bool present = std::any_of(onCluster.cbegin(), onCluster.cend(),
                                   [&](const auto *vm) { return tier.to.contains(vm->name); });
        if (present)
            return Error{Tr::tr("The API tier runs version %1 already.").arg(version), {}, {}};
        return Error{Tr::tr("No API VM of the plan is on the cluster."),
                     Tr::tr("Apply the plan first."),
                     {}};
    }

    const Changeset changeset = computeChangeset(tier.plan, snapshot, diff);
    Changeset mine;
    mine.majorRelease = changeset.majorRelease;
    for (const Change &change : changeset.changes)
        if (change.object == ObjectKind::Vm && tier.to.contains(change.id)) {
            mine.changes.append(change);
            if (change.kind == ChangeKind::Create)
                tier.create.append(change.id);
        }
    // The new VMs join the plan's pool; what the pool has or lacks otherwise is the apply's.
    for (const Change &change : changeset.changes) {
        if (change.object != ObjectKind::Pool)
            continue;
        Change pool = change;
        pool.fields.clear();
        pool.note.clear();
        for (const FieldChange &field : change.fields) {
            const QString member = poolMemberOf(field.field);
            if (member.isEmpty() ? field.field == QLatin1String("comment")
                                 : tier.to.contains(member))
                pool.fields.append(field);
        }
        if (std::any_of(pool.fields.cbegin(), pool.fields.cend(),
                        [](const FieldChange &f) { return !poolMemberOf(f.field).isEmpty(); }))
            mine.changes.append(pool);
    }
    for (const Error &error : changeset.errors)
        for (const QString &vm : std::as_const(tier.to))
            if (error.where == vm || error.message.contains(vm))
                return error;
    const QSet<QString> pending(tier.to.cbegin(), tier.to.cend());
    tier.actions = planActions(tier.plan, mine, pending);
    // The database admits the API VMs' addresses only: it is provisioned again with both tiers
    // before the new API VMs, whose /health needs it.
    QStringList databases;
    for (const plan::Vm *db : tier.plan.vmsWithRole(plan::Role::Db)) {
        Action admit = step(QStringLiteral("provision"), ActionType::Provision, db->name, {});
        tier.actions.prepend(admit);
        databases.append(admit.id);
    }
    QStringList provisions;
    for (Action &action : tier.actions)
        if (action.type == ActionType::Provision && tier.to.contains(action.vmName)) {
            action.dependsOn += databases;
            provisions.append(action.id);
        }
    addSwitch(tier, provisions, plan, snapshot);
    return tier;
}

Result<TierPlan> planApiRollback(const plan::Plan &plan, const ClusterSnapshot &snapshot)
{
    if (auto gateway = theGateway(plan); !gateway.ok())
        return gateway.error();
    TierPlan tier;
    tier.kind = TierChange::Rollback;
    tier.plan = plan;
    for (const SnapshotVm *vm : apiVms(plan, snapshot)) {
        (isStandby(*vm) ? tier.to : tier.from).append(vm->name);
        if (plan.vm(vm->name) == nullptr)
            tier.plan.vms.append(standIn(*plan.vm(apiBaseName(plan, vm->name)), *vm));
    }
    if (tier.to.isEmpty())
        return Error{Tr::tr("No API VMs are kept (tagged %1) to roll back to.")
                         .arg(QLatin1String(kStandbyTag)),
                     {},
                     {}};
    QStringList starts;
    for (const QString &vm : std::as_const(tier.to)) {
        Action start = step(QStringLiteral("start"), ActionType::StartVm, vm, {}, true);
        tier.actions.append(start);
        starts.append(start.id);
    }
    addSwitch(tier, starts, plan, snapshot);
    return tier;
}

// --- ApiTierChange ---------------------------------------------------------------------------

ApiTierChange::ApiTierChange(proxmox::ProxmoxClient *client, secrets::CredentialStore *store,
                             UpgradeOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_store(store)
    , m_cluster(client != nullptr ? client->cluster() : QString())
    , m_options(std::move(options))
{}

ApiTierChange::~ApiTierChange() = default;

QString ApiTierChange::journalPath(const QString &dir, const QString &cluster)
{
    QString path = Deployment::journalPath(dir, cluster);
    path.chop(int(qstrlen(".journal")));
    return path + QStringLiteral(".api-tier.journal");
}

QString ApiTierChange::journalDir() const
{
    return m_options.journalDir.isEmpty() ? Deployment::defaultJournalDir() : m_options.journalDir;
}

QString ApiTierChange::changeName() const
{
    return m_kind == TierChange::Upgrade ? QStringLiteral("upgrade-api ") + m_version
                                         : QStringLiteral("rollback-api");
}

QString ApiTierChange::journalFile() const
{
    return journalPath(journalDir(), m_cluster);
}

void ApiTierChange::prepareUpgrade(const plan::Plan &plan, const QString &planPath,
                                   const QString &version)
{
    m_kind = TierChange::Upgrade;
    m_version = version;
    m_plan = plan;
    m_planPath = QFileInfo(planPath).absoluteFilePath();
    QStringList names;
    for (const plan::Vm &vm : std::as_const(m_plan.vms)) {
        names << vm.name << (vm.templateRef.isEmpty() ? m_plan.defaultTemplate : vm.templateRef);
        if (vm.role == plan::Role::Api)
            names << vm.name + QStringLiteral("-v") + version;
    }
    names.removeDuplicates();
    readSnapshot(names);
}

void ApiTierChange::prepareRollback()
{
    m_kind = TierChange::Rollback;
    const QString path = journalFile();
    const bool known = QFileInfo::exists(path);
    auto journal = Journal::open(path);
    if (!known || !journal.ok()) {
        fail({Tr::tr("Cluster %1 has no record of an API tier upgrade.").arg(m_cluster),
              Tr::tr("Rollback switches back to the VMs an `upgrade-api` kept."),
              {}});
        return;
    }
    m_planPath = journal->header().planPath;
    auto plan = plan::readPlanFile(m_planPath);
    if (!plan.ok()) {
        fail({Tr::tr("The plan %1 of the last upgrade cannot be read.").arg(m_planPath),
              plan.error().toString(),
              {}});
        return;
    }
    m_plan = plan.value();
    QStringList names;
    for (const plan::Vm &vm : std::as_const(m_plan.vms))
        names << vm.name;
    readSnapshot(names);
}

void ApiTierChange::readSnapshot(const QStringList &names)
{
    if (!m_client) {
        fail({Tr::tr("No connection to the cluster."), {}, {}});
        return;
    }
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

void ApiTierChange::onSnapshot(const ClusterSnapshot &snapshot)
{
    m_snapshot = snapshot;
    // An unfinished run goes on in its journal: its reserved ids keep a clone from happening twice.
    m_earlier.reset();
    if (QFileInfo::exists(journalFile())) {
        auto journal = Journal::open(journalFile());
        // Only a run of the same change: a rollback never takes an upgrade's done steps (its
        // switch of the gateway) for its own.
        if (journal.ok() && journal->header().change == changeName()) {
            const QList<JournalEntry> entries = journal->latest();
            if (std::any_of(entries.cbegin(), entries.cend(), [](const JournalEntry &entry) {
                    return entry.state != ActionState::Done;
                }))
                m_earlier = std::move(journal).value();
        }
    }
    DiffOptions diff;
    if (m_earlier) {
        const QHash<QString, int> reserved = m_earlier->reservedVmids();
        for (auto it = reserved.cbegin(); it != reserved.cend(); ++it)
            diff.knownVmids.insert(it.key(), it.value());
    }
    auto tier = m_kind == TierChange::Upgrade
                    ? planApiUpgrade(m_plan, m_snapshot, m_version, m_options.addressOffset, diff)
                    : planApiRollback(m_plan, m_snapshot);
    if (!tier.ok()) {
        fail(tier.error());
        return;
    }
    m_tier = tier.value();
    // The earlier journal is this run's only when it was about the same actions.
    m_resume = false;
    if (m_earlier) {
        for (const Action &action : std::as_const(m_tier.actions))
            if (m_earlier->latest(action.id))
                m_resume = true;
        if (!m_resume)
            m_earlier.reset();
    }
    emit prepared(m_tier);
}

void ApiTierChange::run()
{
    if (m_store == nullptr) {
        fail({Tr::tr("No keychain to keep the service passwords in."), {}, {}});
        return;
    }
    ensureServiceSecrets(m_store, m_plan, this, [this](const Result<ServiceSecrets> &secrets) {
        if (!secrets.ok()) {
            fail(secrets.error());
            return;
        }
        start(secrets.value());
    });
}

void ApiTierChange::start(const ServiceSecrets &secrets)
{
    const QString dir = journalDir();
    if (!QDir().mkpath(dir)) {
        fail({Tr::tr("The folder %1 cannot be made.").arg(dir), {}, {}});
        return;
    }
    const QString path = journalFile();
    if (m_resume) {
        // A kill while a line was written leaves it without its newline.
        QFile file(path);
        if (file.open(QIODevice::ReadWrite) && file.size() > 0 && file.seek(file.size() - 1) &&
            file.read(1) != "\n") {
            file.seek(file.size());
            file.write("\n");
        }
    }
    auto journal = m_resume ? Journal::open(path)
                            : Journal::create(path, {m_cluster, m_planPath,
                                                     planFileSha256(m_planPath), changeName()});
    if (!journal.ok()) {
        fail(journal.error());
        return;
    }
    m_journal = std::make_unique<Journal>(std::move(journal).value());
    m_executor =
        std::make_unique<ProxmoxExecutor>(m_client.data(), m_tier.plan, m_snapshot, secrets,
                                          executorOptionsFor(m_tier.plan, m_options.executor));
    m_executor->setReservedVmids(m_journal->reservedVmids());
    m_executor->setReserve([this](const QString &vmName, int vmid) -> Status {
        JournalEntry entry;
        entry.action = QStringLiteral("clone:") + vmName;
        entry.state = ActionState::Running;
        entry.vmid = vmid;
        entry.time = QDateTime::currentDateTimeUtc();
        return m_journal->record(entry);
    });
    m_log = std::make_unique<QFile>(path + QStringLiteral(".log"));
    if (!m_log->open(QIODevice::Append | QIODevice::Text))
        qCWarning(lcUpgrade) << "cannot write the log" << m_log->fileName();
    connect(m_executor.get(), &ProxmoxExecutor::logLine, this,
            [this](const QString &id, const QString &line) {
                writeLog(id + QStringLiteral(": ") + line);
                emit logLine(id, line);
            });

    // Steps of the stopped run that this one no longer has were found done on the cluster (a
    // disk already grown, an agent that answers): closed, so that the journal can finish.
    QList<JournalEntry> planned = m_journal->foundDone(m_tier.actions);
    for (const Action &action : std::as_const(m_tier.actions)) {
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
    ActionScheduler scheduler(m_tier.actions, m_options.maxTasks);
    // What the stopped run finished is not done again; what it left running is checked again
    // (every step looks at the cluster before it changes anything).
    for (const JournalEntry &entry : m_journal->latest())
        if (entry.state == ActionState::Done && scheduler.indexOf(entry.action) >= 0)
            scheduler.markDone(entry.action);
    m_runner = new Runner(std::move(scheduler), m_journal.get(), m_executor.get(), this);
    connect(m_runner, &Runner::actionChanged, this,
            [this](const QString &id, ActionState state, const QString &detail) {
                writeLog(id + QStringLiteral(": ") + actionStateName(state) +
                         (detail.isEmpty() ? QString() : QStringLiteral(" ") + detail));
                if (state == ActionState::Failed)
                    m_failures.insert(id, detail);
                emit actionChanged(id, state, detail);
            });
    connect(m_runner, &Runner::finished, this, [this](const Status &result) {
        m_finished = true;
        qCInfo(lcUpgrade) << "API tier change finished:" << count(ActionState::Done) << "done,"
                          << count(ActionState::Failed) << "failed," << count(ActionState::Blocked)
                          << "blocked";
        emit finished(result);
    });
    m_runner->start();
}

void ApiTierChange::stop()
{
    if (m_runner)
        m_runner->stop();
}

ActionState ApiTierChange::state(const QString &actionId) const
{
    return m_runner ? m_runner->scheduler().state(actionId) : ActionState::Pending;
}

int ApiTierChange::count(ActionState state) const
{
    return m_runner ? m_runner->scheduler().count(state) : 0;
}

void ApiTierChange::writeLog(const QString &line)
{
    if (!m_log || !m_log->isOpen())
        return;
    m_log->write(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' +
                 line.toUtf8() + '\n');
    m_log->flush();
}

void ApiTierChange::fail(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(error);
}

} // namespace rae::deploy
