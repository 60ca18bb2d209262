// The reference plan applied to the real simulator through the Proxmox executor: PVE 9 and 8,
// a second apply with nothing to do, an apply interrupted and resumed, an injected task failure,
// and no service password in the journal, the log or an exported .env.
#include "../sim/simprocess.h"

#include "deploy/deployment.h"
#include "deploy/envfile.h"
#include "deploy/servicesecrets.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "proxmox/formencoding.h"
#include "secrets/credentialstore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace rae;

namespace {

// Everything one test needs around a simulator: a connected client, a keychain that lives in
// memory only, and a journal folder of its own.
struct Bench
{
    SimProcess sim;
    QTemporaryDir dir;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<proxmox::PinStore> pins;
    std::unique_ptr<proxmox::ProxmoxClient> client;
    secrets::CredentialStore store;
    plan::Plan plan;
    QString planPath;

    bool start(const QString &scenario, const QString &planFile)
    {
        if (!sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/") + scenario,
                       {QStringLiteral("--time-scale"), QStringLiteral("100")}))
            return false;
        settings = std::make_unique<QSettings>(dir.filePath(QStringLiteral("pins.ini")),
                                               QSettings::IniFormat);
        pins = std::make_unique<proxmox::PinStore>(settings.get(), QStringLiteral("prod"));
        client = std::make_unique<proxmox::ProxmoxClient>(
            QStringLiteral("prod"), QList<QUrl>{QUrl(sim.value(QStringLiteral("url")))}, *pins);
        client->setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                                    std::function<void(bool)> decide) { decide(true); });
        QSignalSpy connected(client.get(), &proxmox::ProxmoxClient::connected);
        // The scenario's public, test-only account; its `app` token may not create HA resources
        // or backup jobs.
        client->connectToCluster(proxmox::Credentials::password(
            QStringLiteral("deployer@pve"), QStringLiteral("sim-deployer-password-test-only")));
        if (!connected.wait(20000)) {
            qWarning("no connection to the simulator");
            return false;
        }
        store.setSessionOnly(true);
        planPath = QStringLiteral(RAE_SOURCE_DIR "/resources/plans/") + planFile;
        auto read = plan::readPlanFile(planPath);
        if (!read.ok()) {
            qWarning("%s", qPrintable(read.error().toString()));
            return false;
        }
        plan = read.value();
        return true;
    }

    deploy::DeploymentOptions options() const
    {
        deploy::DeploymentOptions out;
        out.journalDir = dir.filePath(QStringLiteral("journals"));
        out.executor.tasks.firstInterval = std::chrono::milliseconds(50);
        out.executor.tasks.maxInterval = std::chrono::milliseconds(300);
        out.executor.agentFirstInterval = std::chrono::milliseconds(100);
        out.executor.agentMaxInterval = std::chrono::milliseconds(400);
        out.executor.execPollInterval = std::chrono::milliseconds(100);
        return out;
    }

    std::unique_ptr<deploy::Deployment> deployment()
    {
        return std::make_unique<deploy::Deployment>(client.get(), &store, options());
    }

    QString journal() const
    {
        return deploy::Deployment::journalPath(options().journalDir, QStringLiteral("prod"));
    }

    // VM name → how many VMs of that name the cluster has.
    QHash<QString, int> vmNames()
    {
        QHash<QString, int> names;
        const SimProcess::Answer answer =
            sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=vm"));
        for (const QJsonValue &value : answer.json.object().value(QStringLiteral("data")).toArray())
            ++names[value.toObject().value(QStringLiteral("name")).toString()];
        return names;
    }
};

// Runs prepare (or resume) and apply to the end; the apply's result.
Status applyAll(deploy::Deployment &deployment, bool resume, const Bench &bench)
{
    std::optional<Status> outcome;
    bool prepared = false;
    QObject::connect(&deployment, &deploy::Deployment::prepared, &deployment,
                     [&prepared] { prepared = true; });
    QObject::connect(&deployment, &deploy::Deployment::finished, &deployment,
                     [&outcome](const Status &result) { outcome = result; });
    if (resume)
        deployment.prepareResume();
    else
        deployment.prepare(bench.plan, bench.planPath);
    if (!QTest::qWaitFor([&] { return prepared || outcome.has_value(); }, 30000))
        return Error{QStringLiteral("no preview"), {}, {}};
    if (outcome)
        return *outcome;
    deployment.apply();
    if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 120000))
        return Error{QStringLiteral("the apply did not finish"), {}, {}};
    return *outcome;
}

deploy::ServiceSecrets secretsOf(Bench &bench)
{
    std::optional<Result<deploy::ServiceSecrets>> secrets;
    deploy::ensureServiceSecrets(
        &bench.store, bench.plan, bench.client.get(),
        [&secrets](const Result<deploy::ServiceSecrets> &result) { secrets = result; });
    if (!QTest::qWaitFor([&] { return secrets.has_value(); }, 5000))
        return {};
    return secrets && secrets->ok() ? secrets->value() : deploy::ServiceSecrets{};
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestDeployApply final : public QObject
{
    Q_OBJECT

private slots:
    void referencePlanIsAppliedThenNothingIsLeftToDo_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("plan");
        QTest::addColumn<int>("actions");
        QTest::newRow("on Proxmox VE 9 with HA rules")
            << QStringLiteral("reference.yaml") << QStringLiteral("reference.yaml") << 0;
        QTest::newRow("on Proxmox VE 8 with HA groups")
            << QStringLiteral("reference-pve8.yaml") << QStringLiteral("reference.yaml") << 0;
    }

    void referencePlanIsAppliedThenNothingIsLeftToDo()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, plan);
        Bench bench;
        QVERIFY(bench.start(scenario, plan));

        auto first = bench.deployment();
        QElapsedTimer clock;
        clock.start();
        const Status applied = applyAll(*first, false, bench);
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().toString()));
        QVERIFY2(first->failures().isEmpty(),
                 qPrintable(first->failures().values().join(QLatin1Char('\n'))));
        QCOMPARE(first->count(deploy::ActionState::Done), int(first->actions().size()));
        qInfo("applied %d actions in %lld ms", int(first->actions().size()), clock.elapsed());

        const QHash<QString, int> names = bench.vmNames();
        for (const plan::Vm &vm : bench.plan.vms)
            QCOMPARE(names.value(vm.name), 1);

        // Applying again finds nothing to do.
        auto second = bench.deployment();
        const Status again = applyAll(*second, false, bench);
        QVERIFY(again.ok());
        QVERIFY2(second->actions().isEmpty(),
                 qPrintable(deploy::renderChangeset(second->changeset())));
        QCOMPARE(second->changeset().count(), 0);

        // Killed after an HA resource was made, before its end was on record: the resume finds
        // nothing left to do and closes the journal, so that it is not offered again.
        {
            auto opened = deploy::Journal::open(bench.journal());
            QVERIFY(opened.ok());
            deploy::Journal journal = std::move(opened).value();
            QVERIFY(journal
                        .record({QStringLiteral("ha-resource:rae-db"),
                                 deploy::ActionState::Running,
                                 0,
                                 {},
                                 {},
                                 QDateTime::currentDateTimeUtc()})
                        .ok());
        }
        QVERIFY(deploy::Deployment::unfinished(bench.options().journalDir, QStringLiteral("prod"))
                    .has_value());
        auto resumed = bench.deployment();
        QVERIFY(applyAll(*resumed, true, bench).ok());
        QVERIFY(resumed->isResume());
        QVERIFY(resumed->actions().isEmpty());
        QVERIFY(!deploy::Deployment::unfinished(bench.options().journalDir, QStringLiteral("prod"))
                     .has_value());

        // No password in the journal, the log, or an exported (masked) .env.
        const deploy::ServiceSecrets secrets = secretsOf(bench);
        QVERIFY(!secrets.databasePassword.isEmpty());
        QVERIFY(!secrets.redisPassword.isEmpty());
        const QByteArray env = deploy::renderEnv(
            deploy::apiEnvironment(bench.plan, deploy::plannedAddresses(bench.plan), secrets),
            deploy::SecretDisplay::Masked);
        for (const QByteArray &text :
             {readAll(bench.journal()), readAll(bench.journal() + QStringLiteral(".log")), env}) {
            QVERIFY(!text.isEmpty());
            QVERIFY(!text.contains(secrets.databasePassword.toUtf8()));
            QVERIFY(!text.contains(secrets.redisPassword.toUtf8()));
        }
        // The log kept the provisioning scripts' output.
        QVERIFY(
            readAll(bench.journal() + QStringLiteral(".log")).contains("provisioning finished"));
    }

    void anHaVmsMigrationIsWaitedForUntilTheVmIsThere()
    {
        Bench bench;
        QVERIFY(bench.start(QStringLiteral("reference.yaml"), QStringLiteral("reference.yaml")));
        auto first = bench.deployment();
        const Status applied = applyAll(*first, false, bench);
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().toString()));

        // rae-api-1 is HA-managed: its migrate only queues a request for the HA manager
        // (`hamigrate`), which moves it a CRM round or more later. The action is done once the
        // VM is on its new node, not when that first task ends.
        deploy::Action migrate;
        migrate.id = QStringLiteral("migrate:rae-api-1");
        migrate.type = deploy::ActionType::MigrateVm;
        migrate.vmName = QStringLiteral("rae-api-1");
        migrate.usesTask = true;
        migrate.change.kind = deploy::ChangeKind::Migrate;
        migrate.change.id = migrate.vmName;
        migrate.change.vmName = migrate.vmName;
        migrate.change.node = QStringLiteral("pve3");
        deploy::ProxmoxExecutor *executor = first->executor();
        QVERIFY(executor != nullptr);
        QCOMPARE(executor->nodeOf(migrate.vmName), QStringLiteral("pve1"));
        std::optional<Result<deploy::ActionOutcome>> outcome;
        executor->execute(
            migrate, [&outcome](const Result<deploy::ActionOutcome> &result) { outcome = result; });
        QVERIFY(QTest::qWaitFor([&] { return outcome.has_value(); }, 60000));
        QVERIFY2(outcome->ok(),
                 qPrintable(outcome->ok() ? QString() : outcome->error().toString()));
        QCOMPARE(outcome->value().upid.section(QLatin1Char(':'), 5, 5),
                 QStringLiteral("hamigrate"));
        QCOMPARE(executor->nodeOf(migrate.vmName), QStringLiteral("pve3"));

        // Right as the action ends, not a CRM round later.
        const SimProcess::Answer answer =
            bench.sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=vm"));
        QString node;
        QString status;
        for (const QJsonValue &value :
             answer.json.object().value(QStringLiteral("data")).toArray()) {
            const QJsonObject guest = value.toObject();
            if (guest.value(QStringLiteral("name")).toString() == migrate.vmName) {
                node = guest.value(QStringLiteral("node")).toString();
                status = guest.value(QStringLiteral("status")).toString();
            }
        }
        QCOMPARE(node, QStringLiteral("pve3"));
        QCOMPARE(status, QStringLiteral("running"));
    }

    void anApplyKilledDuringItsClonesIsResumedWithoutDuplicates()
    {
        Bench bench;
        QVERIFY(bench.start(QStringLiteral("reference.yaml"), QStringLiteral("reference.yaml")));
        auto first = bench.deployment();
        bool prepared = false;
        connect(first.get(), &deploy::Deployment::prepared, this, [&prepared] { prepared = true; });
        first->prepare(bench.plan, bench.planPath);
        QVERIFY(QTest::qWaitFor([&] { return prepared; }, 30000));
        int clonesDone = 0;
        connect(first.get(), &deploy::Deployment::actionChanged, this,
                [&clonesDone](const QString &id, deploy::ActionState state) {
                    if (id.startsWith(QLatin1String("clone:")) &&
                        state == deploy::ActionState::Done)
                        ++clonesDone;
                });
        first->apply();
        QVERIFY(QTest::qWaitFor([&] { return clonesDone >= 2; }, 60000));
        // Gone like a killed process: running clones go on on the cluster, nobody records them.
        first.reset();
        // What was on the wire when it died lands before anyone restarts it.
        QTest::qWait(1000);

        QVERIFY(deploy::Deployment::unfinished(bench.options().journalDir, QStringLiteral("prod"))
                    .has_value());
        auto resumed = bench.deployment();
        const Status applied = applyAll(*resumed, true, bench);
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().toString()));
        QVERIFY2(resumed->failures().isEmpty(),
                 qPrintable(resumed->failures().values().join(QLatin1Char('\n'))));
        QVERIFY(resumed->isResume());
        const QHash<QString, int> names = bench.vmNames();
        for (const plan::Vm &vm : bench.plan.vms)
            QCOMPARE(names.value(vm.name), 1);
        QVERIFY(!deploy::Deployment::unfinished(bench.options().journalDir, QStringLiteral("prod"))
                     .has_value());

        auto after = bench.deployment();
        QVERIFY(applyAll(*after, false, bench).ok());
        QVERIFY2(after->actions().isEmpty(),
                 qPrintable(deploy::renderChangeset(after->changeset())));
    }

    void aStoppedApplyIsResumedWhereItStopped()
    {
        Bench bench;
        QVERIFY(bench.start(QStringLiteral("reference.yaml"), QStringLiteral("reference.yaml")));
        auto first = bench.deployment();
        int done = 0;
        connect(first.get(), &deploy::Deployment::actionChanged, this,
                [&done, &first](const QString &, deploy::ActionState state) {
                    if (state == deploy::ActionState::Done && ++done == 12)
                        first->stop();
                });
        const Status stopped = applyAll(*first, false, bench);
        QVERIFY(!stopped.ok());
        const int total = int(first->actions().size());
        QVERIFY(first->count(deploy::ActionState::Done) < total);
        first.reset();

        auto resumed = bench.deployment();
        const Status applied = applyAll(*resumed, true, bench);
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().toString()));
        QVERIFY(resumed->failures().isEmpty());
        QVERIFY(int(resumed->actions().size()) < total);
        for (const plan::Vm &vm : bench.plan.vms)
            QCOMPARE(bench.vmNames().value(vm.name), 1);
    }

    void anInjectedTaskFailureBlocksOnlyWhatDependsOnIt()
    {
        Bench bench;
        QVERIFY(bench.start(QStringLiteral("reference.yaml"), QStringLiteral("reference.yaml")));
        QCOMPARE(bench.sim
                     .control(QStringLiteral("fail-tasks"),
                              R"({"type":"qmstart","count":1,"message":"injected: no start"})")
                     .status,
                 200);
        auto deployment = bench.deployment();
        const Status result = applyAll(*deployment, false, bench);
        QVERIFY(result.ok()); // the run itself ended; its failures are per action
        const QHash<QString, QString> failures = deployment->failures();
        QCOMPARE(failures.size(), 1);
        const QString failed = failures.keys().constFirst();
        QVERIFY2(failed.startsWith(QLatin1String("start:")), qPrintable(failed));
        QVERIFY2(failures.value(failed).contains(QLatin1String("injected: no start")),
                 qPrintable(failures.value(failed)));
        const QString vm = failed.mid(6);
        QCOMPARE(deployment->state(QStringLiteral("agent:") + vm), deploy::ActionState::Blocked);
        QCOMPARE(deployment->state(QStringLiteral("provision:") + vm),
                 deploy::ActionState::Blocked);
        // Independent work went on: every other VM was provisioned.
        for (const plan::Vm &other : bench.plan.vms)
            if (other.name != vm && other.role != plan::Role::Api &&
                other.role != plan::Role::Gateway)
                QCOMPARE(deployment->state(QStringLiteral("provision:") + other.name),
                         deploy::ActionState::Done);
    }

    void aNodeDownDuringTheApplyFailsOnlyWhatNeedsIt()
    {
        Bench bench;
        QVERIFY(bench.start(QStringLiteral("reference.yaml"), QStringLiteral("reference.yaml")));
        auto deployment = bench.deployment();
        bool powered = false;
        connect(deployment.get(), &deploy::Deployment::actionChanged, this,
                [&](const QString &id, deploy::ActionState state) {
                    if (!powered && id == QLatin1String("clone:rae-db") &&
                        state == deploy::ActionState::Done) {
                        powered = true;
                        bench.sim.control(QStringLiteral("node-power"),
                                          R"({"node":"pve2","on":false})");
                    }
                });
        const Status result = applyAll(*deployment, false, bench);
        QVERIFY(result.ok());
        QVERIFY(powered);
        const QHash<QString, QString> failures = deployment->failures();
        QVERIFY(!failures.isEmpty());
        // Only VMs planned on pve2 fail; each failure says what the cluster answered.
        for (auto it = failures.cbegin(); it != failures.cend(); ++it) {
            qInfo("%s: %s", qPrintable(it.key()),
                  qPrintable(it.value().section(QLatin1Char('\n'), 0, 0)));
            const plan::Vm *vm = bench.plan.vm(it.key().section(QLatin1Char(':'), 1));
            QVERIFY2(vm != nullptr && vm->node == QLatin1String("pve2"), qPrintable(it.key()));
            QVERIFY(!it.value().isEmpty());
        }
        QCOMPARE(deployment->state(QStringLiteral("provision:rae-db")), deploy::ActionState::Done);
    }

    // The plan's SSH keys reach every VM as Proxmox stores them (percent-encoded), its VMs join
    // their pools (one made, one that exists), and a second apply finds nothing to do.
    void sshKeysAndPoolsAreAppliedThenLeftAsTheyAre()
    {
        Bench bench;
        QVERIFY(bench.start(QStringLiteral("reference.yaml"), QStringLiteral("reference.yaml")));
        // A second fake key: its 32 key bytes spell "RAE-DEPLOY-SECOND-TEST-KEY-FAKE!".
        bench.plan.access.sshKeys.append(
            {QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJBRS1ERVBMT1ktU0VDT05ELVRFU1Qt"
                            "S0VZLUZBS0Uh second admin@test"),
             {}});
        bench.plan.defaultPool = QStringLiteral("rae-stack");
        for (plan::Vm &vm : bench.plan.vms)
            if (vm.role == plan::Role::Llm)
                vm.pool = QStringLiteral("rae"); // the scenario's pool, with the template in it

        auto first = bench.deployment();
        const Status applied = applyAll(*first, false, bench);
        QVERIFY2(applied.ok(), qPrintable(applied.ok() ? QString() : applied.error().toString()));
        QVERIFY2(first->failures().isEmpty(),
                 qPrintable(first->failures().values().join(QLatin1Char('\n'))));
        QCOMPARE(first->state(QStringLiteral("pool:rae-stack")), deploy::ActionState::Done);
        QCOMPARE(first->state(QStringLiteral("pool:rae")), deploy::ActionState::Done);

        auto second = bench.deployment();
        QVERIFY(applyAll(*second, false, bench).ok());
        QVERIFY2(second->actions().isEmpty(),
                 qPrintable(deploy::renderChangeset(second->changeset())));
        QCOMPARE(second->changeset().count(), 0);

        // Stored percent-encoded, one key a line, and decoded they are the plan's keys.
        const QStringList planKeys = bench.plan.access.keyLines();
        for (const plan::Vm &vm : bench.plan.vms) {
            const QJsonObject config =
                bench.sim
                    .withToken("GET", QStringLiteral("/api2/json/nodes/%1/qemu/%2/config")
                                          .arg(vm.node)
                                          .arg(*vm.vmid))
                    .json.object()
                    .value(QStringLiteral("data"))
                    .toObject();
            const QString stored = config.value(QStringLiteral("sshkeys")).toString();
            QVERIFY2(!stored.contains(QLatin1Char(' ')) && stored.contains(QLatin1String("%0A")),
                     qPrintable(stored));
            QCOMPARE(proxmox::form::sshKeysFromValue(stored), planKeys);
            QCOMPARE(config.value(QStringLiteral("ciuser")).toString(), QStringLiteral("rae"));
        }

        // The pools list their VMs, and /cluster/resources names each guest's pool.
        QStringList members;
        const QJsonObject pool =
            bench.sim.withToken("GET", QStringLiteral("/api2/json/pools/rae-stack"))
                .json.object()
                .value(QStringLiteral("data"))
                .toObject();
        for (const QJsonValue &member : pool.value(QStringLiteral("members")).toArray())
            members << member.toObject().value(QStringLiteral("name")).toString();
        members.sort();
        QStringList expected;
        for (const plan::Vm &vm : bench.plan.vms)
            if (vm.role != plan::Role::Llm)
                expected << vm.name;
        expected.sort();
        QCOMPARE(members, expected);
        QCOMPARE(pool.value(QStringLiteral("comment")).toString(),
                 QStringLiteral("RAE on rae-prod"));
        const QJsonArray guests =
            bench.sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=vm"))
                .json.object()
                .value(QStringLiteral("data"))
                .toArray();
        QHash<QString, QString> poolOf;
        for (const QJsonValue &guest : guests)
            poolOf.insert(guest.toObject().value(QStringLiteral("name")).toString(),
                          guest.toObject().value(QStringLiteral("pool")).toString());
        QCOMPARE(poolOf.value(QStringLiteral("rae-llm")), QStringLiteral("rae"));
        QCOMPARE(poolOf.value(QStringLiteral("rae-db")), QStringLiteral("rae-stack"));

        // One key fewer is an update of every VM's keys, and then nothing again.
        bench.plan.access.sshKeys.removeLast();
        auto third = bench.deployment();
        QVERIFY(applyAll(*third, false, bench).ok());
        QCOMPARE(third->changeset().count(), int(bench.plan.vms.size()));
        QVERIFY(deploy::renderChangeset(third->changeset()).contains(QLatin1String("sshkeys: ")));
        QVERIFY(third->failures().isEmpty());
        auto fourth = bench.deployment();
        QVERIFY(applyAll(*fourth, false, bench).ok());
        QCOMPARE(fourth->changeset().count(), 0);

        // What Proxmox refuses: keys not percent-encoded, and keys that are not keys.
        const QString config = QStringLiteral("/api2/json/nodes/pve1/qemu/101/config");
        const SimProcess::Answer raw = bench.sim.withToken(
            "PUT", config, "sshkeys=" + QUrl::toPercentEncoding(planKeys.first()));
        QCOMPARE(raw.status, 400);
        QVERIFY(raw.json.object()
                    .value(QStringLiteral("errors"))
                    .toObject()
                    .value(QStringLiteral("sshkeys"))
                    .toString()
                    .contains(QLatin1String("invalid urlencoded string")));
        const SimProcess::Answer garbage = bench.sim.withToken(
            "PUT", config,
            "sshkeys=" + QUrl::toPercentEncoding(proxmox::form::sshKeysValue(
                             {QStringLiteral("ssh-ed25519 notakey admin@ws")})));
        QCOMPARE(garbage.status, 500);
        QVERIFY(garbage.reason.contains("SSH public key validation error"));
    }
};

QTEST_GUILESS_MAIN(TestDeployApply)
#include "tst_deploy_apply.moc"
