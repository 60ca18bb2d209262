// The deployment preview against the real simulator: the snapshot read over TLS with the
// Proxmox client, and the reference plan compared with it.
#include "../sim/simprocess.h"

#include "deploy/changeset.h"
#include "deploy/snapshotreader.h"
#include "plan/planreader.h"
#include "proxmox/client.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;

class TestDeploySim final : public QObject
{
    Q_OBJECT

private slots:
    void referencePlanPreviewOnPve9()
    {
        SimProcess sim;
        QVERIFY(sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")));
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
        proxmox::PinStore pins(&settings, QStringLiteral("prod"));
        proxmox::ProxmoxClient client(QStringLiteral("prod"),
                                      {QUrl(sim.value(QStringLiteral("url")))}, pins);
        client.setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                                   std::function<void(bool)> decide) { decide(true); });
        QSignalSpy connected(&client, &proxmox::ProxmoxClient::connected);
        // Test-only token of resources/sim/reference.yaml.
        client.connectToCluster(
            proxmox::Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                           QStringLiteral("00000000-0000-4000-8000-00000000a001")));
        QVERIFY(connected.wait(20000));

        deploy::SnapshotReader reader(&client);
        std::optional<Result<deploy::ClusterSnapshot>> outcome;
        connect(&reader, &deploy::SnapshotReader::finished, this,
                [&outcome](const Result<deploy::ClusterSnapshot> &result) { outcome = result; });
        reader.read();
        QVERIFY(QTest::qWaitFor([&outcome] { return outcome.has_value(); }, 20000));
        if (!outcome->ok())
            QFAIL(qPrintable(outcome->error().toString()));
        const deploy::ClusterSnapshot &snapshot = outcome->value();
        QCOMPARE(snapshot.majorRelease, 9);
        QCOMPARE(snapshot.onlineNodes.size(), 3);

        auto plan =
            plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
        QVERIFY(plan.ok());
        const deploy::Changeset changeset = deploy::computeChangeset(plan.value(), snapshot);
        const QString text = deploy::renderChangeset(changeset);
        QVERIFY2(!changeset.hasErrors(), qPrintable(text));
        QCOMPARE(changeset.count(deploy::ChangeKind::Create), 7 + 6 + 2 + 1);
        QVERIFY(text.contains(QLatin1String("+ vm rae-llm (106)")));
    }
};

QTEST_GUILESS_MAIN(TestDeploySim)
#include "tst_deploy_sim.moc"
