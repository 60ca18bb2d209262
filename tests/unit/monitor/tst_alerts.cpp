#include "monitor/alerts.h"

#include <QSignalSpy>
#include <QTest>

using namespace rae::monitor;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;
const QString kApi = QStringLiteral("api-1");

} // namespace

class TestAlerts final : public QObject
{
    Q_OBJECT

private slots:
    void oneSlowAnswerDoesNotAlert();
    void sustainedLatencyRaisesAndRecoveryClears();
    void valuesBetweenTheLevelsDoNotFlap();
    void gpuMustStaySaturatedForFiveMinutes();
    void replicationLagOverTwiceItsInterval();
    void offlineNodeAndFencedServiceRaiseAtOnce();
    void subjectsAreJudgedApart();
    void forgettingASubjectClearsItsAlerts();
};

void TestAlerts::oneSlowAnswerDoesNotAlert()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0, 900);
    engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + 5000, 120);
    engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + 10000, 900);
    engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + 15000, 900);
    QCOMPARE(raised.size(), 0);
}

void TestAlerts::sustainedLatencyRaisesAndRecoveryClears()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    QSignalSpy cleared(&engine, &AlertEngine::cleared);
    for (int i = 0; i <= 3; ++i)
        engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + i * 5000, 700);
    QCOMPARE(raised.size(), 1);
    const Alert alert = raised.first().first().value<Alert>();
    QCOMPARE(alert.ruleId, QStringLiteral("api.latency"));
    QCOMPARE(alert.subject, kApi);
    QCOMPARE(alert.sinceMs, kT0);
    QCOMPARE(alert.raisedMs, kT0 + 15000);
    QCOMPARE(engine.active().size(), 1);

    // Below 400 ms for 30 s clears it.
    for (int i = 4; i <= 9; ++i)
        engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + i * 5000, 100);
    QCOMPARE(cleared.size(), 0);
    engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + 50000, 100);
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(cleared.first().first().value<Alert>().clearedMs, kT0 + 50000);
    QVERIFY(engine.active().isEmpty());
}

void TestAlerts::valuesBetweenTheLevelsDoNotFlap()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    QSignalSpy cleared(&engine, &AlertEngine::cleared);
    for (int i = 0; i <= 3; ++i)
        engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + i * 5000, 600);
    // Hovering between 400 and 500 ms, with dips below 400 shorter than 30 s.
    for (int i = 4; i < 100; ++i) {
        const double value = i % 4 == 0 ? 300 : 450;
        engine.observe(QStringLiteral("latency.rae_api"), kApi, kT0 + i * 5000, value);
    }
    QCOMPARE(raised.size(), 1);
    QCOMPARE(cleared.size(), 0);
}

void TestAlerts::gpuMustStaySaturatedForFiveMinutes()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    const QString gpu = QStringLiteral("llm-1/gpu0");
    for (qint64 t = 0; t < 299'000; t += 5000)
        engine.observe(QStringLiteral("gpu.utilization"), gpu, kT0 + t, 99);
    QCOMPARE(raised.size(), 0);
    engine.observe(QStringLiteral("gpu.utilization"), gpu, kT0 + 300'000, 97);
    QCOMPARE(raised.size(), 1);
    QCOMPARE(raised.first().first().value<Alert>().ruleId, QStringLiteral("gpu.saturated"));
}

void TestAlerts::replicationLagOverTwiceItsInterval()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    QSignalSpy cleared(&engine, &AlertEngine::cleared);
    const QString job = QStringLiteral("101-0");
    engine.observe(QStringLiteral("replication.lag_ratio"), job, kT0, 1.9);
    QCOMPARE(raised.size(), 0);
    engine.observe(QStringLiteral("replication.lag_ratio"), job, kT0 + 30'000, 2.1);
    QCOMPARE(raised.size(), 1);
    engine.observe(QStringLiteral("replication.lag_ratio"), job, kT0 + 60'000, 1.7);
    engine.observe(QStringLiteral("replication.lag_ratio"), job, kT0 + 90'000, 0.1);
    engine.observe(QStringLiteral("replication.lag_ratio"), job, kT0 + 120'000, 0.1);
    QCOMPARE(cleared.size(), 0);
    engine.observe(QStringLiteral("replication.lag_ratio"), job, kT0 + 150'000, 0.1);
    QCOMPARE(cleared.size(), 1);
}

void TestAlerts::offlineNodeAndFencedServiceRaiseAtOnce()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    QSignalSpy cleared(&engine, &AlertEngine::cleared);
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve2"), kT0, 1);
    engine.observe(QStringLiteral("ha.error"), QStringLiteral("vm:101"), kT0, 1);
    QCOMPARE(raised.size(), 2);
    QCOMPARE(raised.at(0).first().value<Alert>().severity, AlertSeverity::Critical);
    engine.observe(QStringLiteral("ha.error"), QStringLiteral("vm:101"), kT0 + 10'000, 0);
    QCOMPARE(cleared.size(), 1);
    // A node must stay online for 30 s before its alert clears.
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve2"), kT0 + 10'000, 0);
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve2"), kT0 + 20'000, 0);
    QCOMPARE(cleared.size(), 1);
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve2"), kT0 + 40'000, 0);
    QCOMPARE(cleared.size(), 2);
}

void TestAlerts::subjectsAreJudgedApart()
{
    AlertEngine engine;
    QSignalSpy raised(&engine, &AlertEngine::raised);
    for (int i = 0; i <= 3; ++i) {
        engine.observe(QStringLiteral("latency.rae_api"), QStringLiteral("api-1"), kT0 + i * 5000,
                       800);
        engine.observe(QStringLiteral("latency.rae_api"), QStringLiteral("api-2"), kT0 + i * 5000,
                       i % 2 ? 800 : 100);
    }
    QCOMPARE(raised.size(), 1);
    QCOMPARE(engine.active().first().subject, QStringLiteral("api-1"));
}

void TestAlerts::forgettingASubjectClearsItsAlerts()
{
    AlertEngine engine;
    QSignalSpy cleared(&engine, &AlertEngine::cleared);
    engine.observe(QStringLiteral("node.offline"), QStringLiteral("pve3"), kT0, 1);
    engine.forget(QStringLiteral("pve3"), kT0 + 1);
    QCOMPARE(cleared.size(), 1);
    QVERIFY(engine.active().isEmpty());
}

QTEST_GUILESS_MAIN(TestAlerts)
#include "tst_alerts.moc"
