#include "alertsmodel.h"
#include "alertsthresholds.h"
#include "alertsthresholdsdialog.h"

#include <QAbstractItemModelTester>
#include <QDoubleSpinBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

namespace {

monitor::Alert alert(const char *rule, const char *subject, qint64 sinceMs)
{
    monitor::Alert out;
    out.ruleId = QString::fromLatin1(rule);
    out.subject = QString::fromLatin1(subject);
    out.title = QStringLiteral("title of ") + out.ruleId;
    out.sinceMs = sinceMs;
    out.raisedMs = sinceMs;
    return out;
}

const monitor::AlertRule *rule(const QList<monitor::AlertRule> &rules, const char *id)
{
    for (const monitor::AlertRule &candidate : rules) {
        if (candidate.id == QLatin1String(id))
            return &candidate;
    }
    return nullptr;
}

} // namespace

// The alerts table under the model tester, the engine feeding it, and the editable thresholds.
class TestAlertsModel final : public QObject
{
    Q_OBJECT

private slots:
    void raisedAlertsComeFirstAndClearInPlace();
    void oldClearedAlertsArePushedOut();
    void theEngineFeedsTheModel();
    void thresholdsChangeTheRulesAndKeepHysteresis();
    void thresholdsSurviveInTheSettings();
    void theDialogEditsEveryThreshold();
};

void TestAlertsModel::raisedAlertsComeFirstAndClearInPlace()
{
    AlertsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy active(&model, &AlertsModel::activeCountChanged);

    model.raise(alert("node.offline", "pve2", 1000));
    model.raise(alert("api.latency", "api-1", 2000));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, AlertsModel::SubjectColumn).data().toString(), QStringLiteral("api-1"));
    QCOMPARE(model.activeCount(), 2);
    QCOMPARE(model.index(0, AlertsModel::ClearedColumn).data().toString(), model.tr("active"));

    // Raised again while active: the row is updated, not doubled.
    model.raise(alert("api.latency", "api-1", 2500));
    QCOMPARE(model.rowCount(), 2);

    monitor::Alert cleared = alert("node.offline", "pve2", 1000);
    cleared.clearedMs = 9000;
    model.clear(cleared);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.activeCount(), 1);
    QVERIFY(!model.index(1, 0).data(AlertsModel::ActiveRole).toBool());
    QVERIFY(model.index(1, AlertsModel::ClearedColumn).data().toString() != model.tr("active"));
    QCOMPARE(active.last().first().toInt(), 1);

    // The same rule and subject raised again is a new row: the cleared one is history.
    model.raise(alert("node.offline", "pve2", 10000));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.active().size(), 2);
}

void TestAlertsModel::oldClearedAlertsArePushedOut()
{
    AlertsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxCleared(2);
    model.raise(alert("ha.error", "vm:900", 1));
    for (int i = 0; i < 4; ++i) {
        const QByteArray subject = "pve" + QByteArray::number(i);
        model.raise(alert("node.offline", subject.constData(), 10 + i));
        monitor::Alert done = alert("node.offline", subject.constData(), 10 + i);
        done.clearedMs = 100 + i;
        model.clear(done);
    }
    QCOMPARE(model.rowCount(), 3); // the active one and the two newest cleared
    QCOMPARE(model.activeCount(), 1);
    QCOMPARE(model.index(0, AlertsModel::SubjectColumn).data().toString(), QStringLiteral("pve3"));
    QCOMPARE(model.index(2, AlertsModel::SubjectColumn).data().toString(),
             QStringLiteral("vm:900"));
}

void TestAlertsModel::theEngineFeedsTheModel()
{
    monitor::AlertEngine engine;
    AlertsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(&engine, &monitor::AlertEngine::raised, &model, &AlertsModel::raise);
    connect(&engine, &monitor::AlertEngine::cleared, &model, &AlertsModel::clear);

    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve3"), 1000, 1.0);
    QCOMPARE(model.activeCount(), 1);
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve3"), 2000, 0.0);
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve3"), 40000, 0.0);
    QCOMPARE(model.activeCount(), 0);
    QCOMPARE(model.rowCount(), 1);
}

void TestAlertsModel::thresholdsChangeTheRulesAndKeepHysteresis()
{
    AlertsThresholds thresholds;
    thresholds.apiLatencyMs = 250;
    thresholds.gpuPercent = 80;
    thresholds.gpuMinutes = 2;
    thresholds.replicationLagFactor = 3;
    const QList<monitor::AlertRule> rules = thresholds.applyTo(monitor::defaultAlertRules());

    const monitor::AlertRule *api = rule(rules, "api.latency");
    QVERIFY(api);
    QCOMPARE(api->raiseAbove, 250.0);
    QVERIFY(api->clearBelow < api->raiseAbove);
    QVERIFY(api->title.contains(QStringLiteral("250")));
    const monitor::AlertRule *gpu = rule(rules, "gpu.saturated");
    QCOMPARE(gpu->raiseAbove, 80.0);
    QVERIFY(gpu->clearBelow < 80.0);
    QCOMPARE(gpu->raiseAfter, std::chrono::milliseconds(120'000));
    const monitor::AlertRule *lag = rule(rules, "replication.lag");
    QCOMPARE(lag->raiseAbove, 3.0);
    QVERIFY(lag->clearBelow < 3.0);
    // The rules nobody edits are as they were.
    QCOMPARE(rule(rules, "node.offline")->raiseAbove,
             rule(monitor::defaultAlertRules(), "node.offline")->raiseAbove);
}

void TestAlertsModel::thresholdsSurviveInTheSettings()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    QCOMPARE(AlertsThresholds::load(&settings), AlertsThresholds{});
    AlertsThresholds changed;
    changed.apiLatencyMs = 800;
    changed.gpuMinutes = 10;
    changed.save(&settings);
    QCOMPARE(AlertsThresholds::load(&settings), changed);

    settings.setValue(QStringLiteral("monitoring/thresholds/apiLatencyMs"), QStringLiteral("x"));
    QCOMPARE(AlertsThresholds::load(&settings).apiLatencyMs, AlertsThresholds{}.apiLatencyMs);
}

void TestAlertsModel::theDialogEditsEveryThreshold()
{
    AlertsThresholdsDialog dialog(AlertsThresholds{});
    dialog.findChild<QDoubleSpinBox *>(QStringLiteral("apiLatency"))->setValue(700);
    dialog.findChild<QDoubleSpinBox *>(QStringLiteral("gpuPercent"))->setValue(90);
    dialog.findChild<QSpinBox *>(QStringLiteral("gpuMinutes"))->setValue(3);
    dialog.findChild<QDoubleSpinBox *>(QStringLiteral("lagFactor"))->setValue(4);
    const AlertsThresholds edited = dialog.thresholds();
    QCOMPARE(edited.apiLatencyMs, 700.0);
    QCOMPARE(edited.gpuPercent, 90.0);
    QCOMPARE(edited.gpuMinutes, 3);
    QCOMPARE(edited.replicationLagFactor, 4.0);
}

QTEST_MAIN(TestAlertsModel)
#include "tst_alertsmodel.moc"
