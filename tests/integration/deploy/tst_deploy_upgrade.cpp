// Blue-green upgrade and rollback of the API tier on the real simulator: the reference plan
// applied, upgraded to a version (new VMs checked on /health, the gateway switched, the old VMs
// stopped and kept), rolled back; and a failed health check that leaves the old tier serving.
#include "../sim/simprocess.h"

#include "deploy/deployment.h"
#include "deploy/upgrade.h"
#include "plan/planreader.h"
#include "proxmox/client.h"
#include "secrets/credentialstore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace rae;

namespace {

constexpr char kVersion[] = "2.1.0";

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
    // The simulator imitates neither PostgreSQL nor Redis: the API's /health finds them healthy
    // when something listens on their VMs' addresses.
    std::vector<std::unique_ptr<QTcpServer>> listeners;

    bool start()
    {
        if (!sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml"),
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
        client->connectToCluster(proxmox::Credentials::password(
            QStringLiteral("deployer@pve"), QStringLiteral("sim-deployer-password-test-only")));
        if (!connected.wait(20000))
            return false;
        store.setSessionOnly(true);
        planPath = QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml");
        auto read = plan::readPlanFile(planPath);
        if (!read.ok())
            return false;
        plan = read.value();
        return true;
    }

    deploy::ExecutorOptions executorOptions() const
    {
        deploy::ExecutorOptions out;
        out.tasks.firstInterval = std::chrono::milliseconds(50);
        out.tasks.maxInterval = std::chrono::milliseconds(300);
        out.agentFirstInterval = std::chrono::milliseconds(100);
        out.agentMaxInterval = std::chrono::milliseconds(400);
        out.execPollInterval = std::chrono::milliseconds(100);
        out.healthInterval = std::chrono::milliseconds(100);
        out.healthTimeout = std::chrono::milliseconds(3000);
        out.powerTimeout = std::chrono::milliseconds(30000);
        return out;
    }

    QString journals() const { return dir.filePath(QStringLiteral("journals")); }

    // Applies the reference plan and listens where the database and Redis are.
    bool applyPlan()
    {
        deploy::DeploymentOptions options;
        options.journalDir = journals();
        options.executor = executorOptions();
        deploy::Deployment deployment(client.get(), &store, options);
        std::optional<Status> outcome;
        QObject::connect(&deployment, &deploy::Deployment::prepared, &deployment,
                         [&deployment] { deployment.apply(); });
        QObject::connect(&deployment, &deploy::Deployment::finished, &deployment,
                         [&outcome](const Status &result) { outcome = result; });
        deployment.prepare(plan, planPath);
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 120000) || !outcome->ok() ||
            !deployment.failures().isEmpty())
            return false;
        for (const auto &[vm, port] : {std::pair{"rae-db", 5432}, std::pair{"rae-redis", 6379}}) {
            auto server = std::make_unique<QTcpServer>();
            const QString address =
                deployment.executor()->addresses().value(QString::fromLatin1(vm));
            if (!server->listen(QHostAddress(address), quint16(port)))
                return false;
            listeners.push_back(std::move(server));
        }
        return true;
    }

    // Prepares an apply of `wanted` and, with `run`, runs it to its end; `outcome` is set when
    // it finished or, without `run`, once it is prepared.
    std::unique_ptr<deploy::Deployment> deploy(const plan::Plan &wanted, bool run,
                                               std::optional<Status> &outcome)
    {
        deploy::DeploymentOptions options;
        options.journalDir = journals();
        options.executor = executorOptions();
        auto deployment = std::make_unique<deploy::Deployment>(client.get(), &store, options);
        deploy::Deployment *raw = deployment.get();
        QObject::connect(raw, &deploy::Deployment::prepared, raw, [raw, run, &outcome] {
            if (run)
                raw->apply();
            else
                outcome = Done{};
        });
        QObject::connect(raw, &deploy::Deployment::finished, raw,
                         [&outcome](const Status &result) { outcome = result; });
        raw->prepare(wanted, planPath);
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 120000))
            qWarning("the apply did not finish");
        return deployment;
    }

    // Runs an upgrade (or, with an empty version, a rollback) to its end.
    std::unique_ptr<deploy::ApiTierChange> change(const QString &version,
                                                  std::optional<Status> &outcome,
                                                  std::function<void(const QString &)> onDone = {})
    {
        deploy::UpgradeOptions options;
        options.journalDir = journals();
        options.executor = executorOptions();
        auto change = std::make_unique<deploy::ApiTierChange>(client.get(), &store, options);
        deploy::ApiTierChange *raw = change.get();
        QObject::connect(raw, &deploy::ApiTierChange::prepared, raw, [raw] { raw->run(); });
        QObject::connect(raw, &deploy::ApiTierChange::finished, raw,
                         [&outcome](const Status &result) { outcome = result; });
        if (onDone)
            QObject::connect(
                raw, &deploy::ApiTierChange::actionChanged, raw,
                [onDone](const QString &id, deploy::ActionState state, const QString &) {
                    if (state == deploy::ActionState::Done)
                        onDone(id);
                });
        if (version.isEmpty())
            raw->prepareRollback();
        else
            raw->prepareUpgrade(plan, planPath, version);
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 120000))
            qWarning("the change did not finish");
        return change;
    }

    QJsonObject vm(const QString &name)
    {
        const SimProcess::Answer answer =
            sim.withToken("GET", QStringLiteral("/api2/json/cluster/resources?type=vm"));
        for (const QJsonValue &value : answer.json.object().value(QStringLiteral("data")).toArray())
            if (value.toObject().value(QStringLiteral("name")).toString() == name)
                return value.toObject();
        return {};
    }

    QStringList tags(const QString &name)
    {
        return vm(name).value(QStringLiteral("tags")).toString().split(QLatin1Char(';'));
    }

    // The HA state of `name`'s HA resource; empty when it is not HA-managed.
    QString haState(const QString &name)
    {
        const QString sid =
            QStringLiteral("vm:") + QString::number(vm(name).value(QStringLiteral("vmid")).toInt());
        const SimProcess::Answer answer =
            sim.withToken("GET", QStringLiteral("/api2/json/cluster/ha/resources"));
        for (const QJsonValue &value : answer.json.object().value(QStringLiteral("data")).toArray())
            if (value.toObject().value(QStringLiteral("sid")).toString() == sid)
                return value.toObject().value(QStringLiteral("state")).toString();
        return {};
    }

    // The sids the HA rule `id` names, sorted.
    QStringList haRuleResources(const QString &id)
    {
        const SimProcess::Answer answer =
            sim.withToken("GET", QStringLiteral("/api2/json/cluster/ha/rules/") + id);
        QStringList resources = answer.json.object()
                                    .value(QStringLiteral("data"))
                                    .toObject()
                                    .value(QStringLiteral("resources"))
                                    .toString()
                                    .split(QLatin1Char(','), Qt::SkipEmptyParts);
        resources.sort();
        return resources;
    }

    QStringList sids(const QStringList &names)
    {
        QStringList out;
        for (const QString &name : names)
            out.append(QStringLiteral("vm:") +
                       QString::number(vm(name).value(QStringLiteral("vmid")).toInt()));
        out.sort();
        return out;
    }

    // What the guest has at `file`, through the agent's exec of `cat`.
    QString guestFile(const QString &vmName, const QString &file)
    {
        const QJsonObject found = vm(vmName);
        const QString base = QStringLiteral("/api2/json/nodes/") +
                             found.value(QStringLiteral("node")).toString() +
                             QStringLiteral("/qemu/") +
                             QString::number(found.value(QStringLiteral("vmid")).toInt()) +
                             QStringLiteral("/agent/");
        const SimProcess::Answer started =
            sim.withToken("POST", base + QStringLiteral("exec"),
                          "command=cat&command=" + QUrl::toPercentEncoding(file));
        const int pid = started.json.object()
                            .value(QStringLiteral("data"))
                            .toObject()
                            .value(QStringLiteral("pid"))
                            .toInt();
        QJsonObject status;
        const bool exited = QTest::qWaitFor(
            [&] {
                status = sim.withToken("GET", base + QStringLiteral("exec-status?pid=") +
                                                  QString::number(pid))
                             .json.object()
                             .value(QStringLiteral("data"))
                             .toObject();
                return status.value(QStringLiteral("exited")).toInt() == 1;
            },
            10000);
        return exited ? status.value(QStringLiteral("out-data")).toString() : QString();
    }
};

QString gatewayConfig(Bench &bench)
{
    return bench.guestFile(QStringLiteral("rae-gateway"), QStringLiteral("/root/rae-provision.sh"));
}

QString green(const char *base)
{
    return QLatin1String(base) + QStringLiteral("-v") + QLatin1String(kVersion);
}

} // namespace

class TestDeployUpgrade final : public QObject
{
    Q_OBJECT

private slots:
    void upgradeSwitchesTheGatewayAndRollbackSwitchesBack()
    {
        Bench bench;
        QVERIFY(bench.start());
        bench.plan.defaultPool = QStringLiteral("rae"); // the new VMs are to join it too
        QVERIFY(bench.applyPlan());
        QVERIFY(gatewayConfig(bench).contains(QLatin1String("server 10.20.0.21:8000;")));

        QElapsedTimer timer;
        timer.start();
        std::optional<Status> upgraded;
        auto upgrade = bench.change(QLatin1String(kVersion), upgraded);
        QVERIFY(upgraded.has_value());
        QVERIFY2(upgraded->ok(),
                 qPrintable(upgraded->ok() ? QString() : upgraded->error().toString()));
        QVERIFY2(upgrade->failures().isEmpty(),
                 qPrintable(upgrade->failures().values().join(QLatin1Char('\n'))));
        qInfo("upgrade of the API tier: %lld ms, %d steps", timer.elapsed(),
              int(upgrade->tierPlan().actions.size()));
        QCOMPARE(upgrade->tierPlan().from,
                 (QStringList{QStringLiteral("rae-api-1"), QStringLiteral("rae-api-2")}));

        for (const char *base : {"rae-api-1", "rae-api-2"}) {
            const QJsonObject made = bench.vm(green(base));
            QCOMPARE(made.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
            QCOMPARE(made.value(QStringLiteral("node")).toString(),
                     bench.plan.vm(QLatin1String(base))->node);
            QVERIFY(bench.tags(green(base)).contains(QStringLiteral("rae-version-2.1.0")));
            const QJsonObject old = bench.vm(QLatin1String(base));
            QCOMPARE(old.value(QStringLiteral("status")).toString(), QStringLiteral("stopped"));
            QVERIFY(bench.tags(QLatin1String(base)).contains(QLatin1String(deploy::kStandbyTag)));
            // HA-managed as the plan's VM is; the kept one stays HA-managed, stopped.
            QCOMPARE(bench.haState(green(base)), QStringLiteral("started"));
            QCOMPARE(bench.haState(QLatin1String(base)), QStringLiteral("stopped"));
        }
        // The plan's rule keeping the API VMs apart names the VMs that serve.
        QCOMPARE(bench.haRuleResources(QStringLiteral("rae-api-apart")),
                 bench.sids({green("rae-api-1"), green("rae-api-2")}));
        // The new VMs are in the plan's pool.
        for (const char *base : {"rae-api-1", "rae-api-2"})
            QCOMPARE(bench.vm(green(base)).value(QStringLiteral("pool")).toString(),
                     QStringLiteral("rae"));
        QString config = gatewayConfig(bench);
        QVERIFY2(config.contains(QLatin1String("server 10.20.0.121:8000;\n  server "
                                               "10.20.0.122:8000;")),
                 qPrintable(config));
        QVERIFY(!config.contains(QLatin1String("10.20.0.21:")));
        // The database admits both tiers.
        const QString hba =
            bench.guestFile(QStringLiteral("rae-db"), QStringLiteral("/root/rae-provision.sh"));
        QVERIFY2(hba.contains(QLatin1String("10.20.0.21/32")) &&
                     hba.contains(QLatin1String("10.20.0.121/32")),
                 qPrintable(hba));
        // The new API VMs run the version asked for.
        QVERIFY(bench.guestFile(green("rae-api-1"), QStringLiteral("/root/rae-provision.sh"))
                    .contains(QLatin1String("ref='2.1.0'")));

        // Again: nothing to do, said so.
        std::optional<Status> again;
        bench.change(QLatin1String(kVersion), again);
        QVERIFY(again.has_value() && !again->ok());
        QVERIFY2(again->error().message.contains(QLatin1String("already")),
                 qPrintable(again->error().message));

        timer.restart();
        std::optional<Status> rolledBack;
        auto rollback = bench.change({}, rolledBack);
        QVERIFY(rolledBack.has_value());
        QVERIFY2(rolledBack->ok(),
                 qPrintable(rolledBack->ok() ? QString() : rolledBack->error().toString()));
        QVERIFY2(rollback->failures().isEmpty(),
                 qPrintable(rollback->failures().values().join(QLatin1Char('\n'))));
        qInfo("rollback of the API tier: %lld ms", timer.elapsed());
        for (const char *base : {"rae-api-1", "rae-api-2"}) {
            QCOMPARE(bench.vm(QLatin1String(base)).value(QStringLiteral("status")).toString(),
                     QStringLiteral("running"));
            QVERIFY(!bench.tags(QLatin1String(base)).contains(QLatin1String(deploy::kStandbyTag)));
            QCOMPARE(bench.vm(green(base)).value(QStringLiteral("status")).toString(),
                     QStringLiteral("stopped"));
            QVERIFY(bench.tags(green(base)).contains(QLatin1String(deploy::kStandbyTag)));
            QCOMPARE(bench.haState(QLatin1String(base)), QStringLiteral("started"));
            QCOMPARE(bench.haState(green(base)), QStringLiteral("stopped"));
        }
        QCOMPARE(bench.haRuleResources(QStringLiteral("rae-api-apart")),
                 bench.sids({QStringLiteral("rae-api-1"), QStringLiteral("rae-api-2")}));
        config = gatewayConfig(bench);
        QVERIFY2(
            config.contains(QLatin1String("server 10.20.0.21:8000;\n  server 10.20.0.22:8000;")),
            qPrintable(config));
        QVERIFY(!config.contains(QLatin1String("10.20.0.121:")));
    }

    // `apply` of the plan between an upgrade and a rollback carries the switched tier on: the
    // serving VMs take the plan's API changes, the kept ones stay stopped and tagged, the
    // gateway keeps its upstreams; other changes of the plan are applied as usual.
    void applyCarriesASwitchedTierOn()
    {
        Bench bench;
        QVERIFY(bench.start());
        QVERIFY(bench.applyPlan());
        std::optional<Status> upgraded;
        auto upgrade = bench.change(QLatin1String(kVersion), upgraded);
        QVERIFY(upgraded.has_value() && upgraded->ok() && upgrade->failures().isEmpty());
        const QString upstreams = gatewayConfig(bench);
        QVERIFY(upstreams.contains(QLatin1String("server 10.20.0.121:8000;")));

        // The same plan: nothing to do, the kept VMs and the new ones listed as left on purpose.
        std::optional<Status> previewed;
        auto preview = bench.deploy(bench.plan, false, previewed);
        QVERIFY(previewed.has_value() && previewed->ok());
        const QString text = deploy::renderChangeset(preview->changeset());
        QVERIFY2(!preview->changeset().hasErrors(), qPrintable(text));
        QCOMPARE(preview->changeset().count(), 0);
        QVERIFY2(preview->actions().isEmpty(), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Plan: 0 to create, 0 to change, 0 to move, 0 to "
                                             "remove; 0 left alone.")),
                 qPrintable(text));
        for (const char *base : {"rae-api-1", "rae-api-2"}) {
            QVERIFY2(text.contains(QStringLiteral("= vm %1 (").arg(QLatin1String(base))),
                     qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("= vm %1 (").arg(green(base))), qPrintable(text));
        }

        // A bigger database and more cores for the API: the db and the serving VMs change.
        plan::Plan bigger = bench.plan;
        for (plan::Vm &vm : bigger.vms) {
            if (vm.name == QLatin1String("rae-db"))
                vm.memory = ByteSize::fromGiB(24);
            if (vm.role == plan::Role::Api)
                vm.cores = 12;
        }
        std::optional<Status> applied;
        auto apply = bench.deploy(bigger, true, applied);
        QVERIFY(applied.has_value());
        QVERIFY2(applied->ok(),
                 qPrintable(applied->ok() ? QString() : applied->error().toString()));
        QVERIFY2(apply->failures().isEmpty(),
                 qPrintable(apply->failures().values().join(QLatin1Char('\n'))));
        QStringList ids;
        for (const deploy::Action &action : apply->actions())
            ids.append(action.id);
        ids.sort();
        QCOMPARE(ids, (QStringList{QStringLiteral("configure:rae-api-1-v2.1.0"),
                                   QStringLiteral("configure:rae-api-2-v2.1.0"),
                                   QStringLiteral("configure:rae-db")}));
        for (const char *base : {"rae-api-1", "rae-api-2"}) {
            const QJsonObject serving = bench.vm(green(base));
            QCOMPARE(serving.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
            QVERIFY(!bench.tags(green(base)).contains(QLatin1String(deploy::kStandbyTag)));
            const QJsonObject kept = bench.vm(QLatin1String(base));
            QCOMPARE(kept.value(QStringLiteral("status")).toString(), QStringLiteral("stopped"));
            QVERIFY(bench.tags(QLatin1String(base)).contains(QLatin1String(deploy::kStandbyTag)));
        }
        QCOMPARE(gatewayConfig(bench), upstreams);
        // Applied: the changed plan has nothing more to do.
        std::optional<Status> after;
        auto again = bench.deploy(bigger, false, after);
        QVERIFY(after.has_value() && after->ok());
        QVERIFY2(again->changeset().count() == 0,
                 qPrintable(deploy::renderChangeset(again->changeset())));
        QVERIFY2(again->changeset().count(deploy::ChangeKind::Keep) >= 4,
                 qPrintable(deploy::renderChangeset(again->changeset())));

        // Rolled back: the plan's VMs serve, the new ones are kept, and apply has nothing to do.
        std::optional<Status> rolledBack;
        auto rollback = bench.change({}, rolledBack);
        QVERIFY(rolledBack.has_value() && rolledBack->ok());
        QVERIFY2(rollback->failures().isEmpty(),
                 qPrintable(rollback->failures().values().join(QLatin1Char('\n'))));
        plan::Plan rolled = bench.plan;
        for (plan::Vm &vm : rolled.vms)
            if (vm.name == QLatin1String("rae-db"))
                vm.memory = ByteSize::fromGiB(24);
        std::optional<Status> finalApply;
        auto last = bench.deploy(rolled, true, finalApply);
        QVERIFY(finalApply.has_value() && finalApply->ok());
        const QString lastText = deploy::renderChangeset(last->changeset());
        QCOMPARE(last->changeset().count(), 0);
        QVERIFY2(last->actions().isEmpty(), qPrintable(lastText));
        for (const char *base : {"rae-api-1", "rae-api-2"}) {
            QVERIFY2(lastText.contains(QStringLiteral("= vm %1 (").arg(green(base))),
                     qPrintable(lastText));
            QCOMPARE(bench.vm(QLatin1String(base)).value(QStringLiteral("status")).toString(),
                     QStringLiteral("running"));
            QCOMPARE(bench.vm(green(base)).value(QStringLiteral("status")).toString(),
                     QStringLiteral("stopped"));
            QVERIFY(bench.tags(green(base)).contains(QLatin1String(deploy::kStandbyTag)));
        }
        QVERIFY(gatewayConfig(bench).contains(
            QLatin1String("server 10.20.0.21:8000;\n  server 10.20.0.22:8000;")));
    }

    void aFailedHealthCheckLeavesTheOldTierServing()
    {
        Bench bench;
        QVERIFY(bench.start());
        QVERIFY(bench.applyPlan());
        const QString broken = green("rae-api-2");
        bool injected = false;
        std::optional<Status> outcome;
        // As soon as the new VM runs, its API is made to answer 500; provisioning leaves a
        // VM that serves already as it is.
        auto upgrade = bench.change(QLatin1String(kVersion), outcome, [&](const QString &id) {
            if (id != QStringLiteral("start:") + broken)
                return;
            const int vmid = bench.vm(broken).value(QStringLiteral("vmid")).toInt();
            injected =
                bench.sim
                    .control(QStringLiteral("service"),
                             QStringLiteral(R"({"vmid":%1,"state":"error"})").arg(vmid).toUtf8())
                    .status == 200;
        });
        QVERIFY(injected);
        QVERIFY(outcome.has_value() && outcome->ok());
        const QHash<QString, QString> failures = upgrade->failures();
        QCOMPARE(failures.keys(), QStringList{QStringLiteral("health:") + broken});
        QVERIFY2(failures.constBegin().value().contains(QLatin1String("HTTP 500")),
                 qPrintable(failures.constBegin().value()));
        QCOMPARE(upgrade->state(QStringLiteral("switch:rae-gateway")),
                 deploy::ActionState::Blocked);
        QCOMPARE(upgrade->state(QStringLiteral("health:") + green("rae-api-1")),
                 deploy::ActionState::Done);
        for (const char *base : {"rae-api-1", "rae-api-2"}) {
            QCOMPARE(bench.vm(QLatin1String(base)).value(QStringLiteral("status")).toString(),
                     QStringLiteral("running"));
            QVERIFY(!bench.tags(QLatin1String(base)).contains(QLatin1String(deploy::kStandbyTag)));
        }
        const QString config = gatewayConfig(bench);
        QVERIFY2(
            config.contains(QLatin1String("server 10.20.0.21:8000;\n  server 10.20.0.22:8000;")),
            qPrintable(config));
    }
};

QTEST_GUILESS_MAIN(TestDeployUpgrade)
#include "tst_deploy_upgrade.moc"
