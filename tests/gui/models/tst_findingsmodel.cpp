#include "eventlogmodel.h"
#include "findingsmodel.h"

#include "plan/planreader.h"
#include "validation/validator.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace rae;
using namespace rae::gui;

class TestFindingsModel final : public QObject
{
    Q_OBJECT

private slots:
    void showsEveryFindingOfThePlan();
    void theSameFindingsEmitNothing();
    void theEventLogKeepsItsLimit();
};

void TestFindingsModel::showsEveryFindingOfThePlan()
{
    auto plan =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY(plan.ok());
    plan::Plan broken = *plan;
    for (plan::Vm &vm : broken.vms) {
        if (vm.name == QLatin1String("rae-api-2"))
            vm.node = QStringLiteral("pve1"); // with rae-api-1, which it is kept apart from
    }
    const QList<validation::Finding> findings = validation::validate(broken);
    QVERIFY(!findings.isEmpty());

    FindingsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFindings(findings);
    QCOMPARE(model.rowCount(), findings.size());
    const QModelIndex first = model.index(0, FindingsModel::RuleColumn);
    QCOMPARE(first.data().toString(), findings.first().ruleId);
    QCOMPARE(first.data(FindingsModel::SubjectNameRole).toString(), findings.first().subject.name);
    QVERIFY(model.index(0, FindingsModel::MessageColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(findings.first().message));
    model.setFindings({});
    QCOMPARE(model.rowCount(), 0);
}

void TestFindingsModel::theSameFindingsEmitNothing()
{
    validation::Finding finding;
    finding.ruleId = QStringLiteral("placement.anti-affinity");
    finding.subject = {validation::SubjectKind::Vm, QStringLiteral("rae-api-1")};
    finding.message = QStringLiteral("kept apart");
    FindingsModel model;
    model.setFindings({finding});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setFindings({finding});
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.count(validation::Severity::Error), 1);
}

void TestFindingsModel::theEventLogKeepsItsLimit()
{
    EventLogModel log;
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    log.setLimit(3);
    for (int i = 0; i < 5; ++i)
        log.append(EventLogModel::Level::Info, QStringLiteral("prod"), QString::number(i));
    QCOMPARE(log.rowCount(), 3);
    QCOMPARE(log.index(0, EventLogModel::TextColumn).data().toString(), QStringLiteral("2"));
}

QTEST_MAIN(TestFindingsModel)
#include "tst_findingsmodel.moc"
