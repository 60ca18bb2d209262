#include "applicationservices.h"
#include "mainwindow.h"
#include "placementsuggestion.h"
#include "plandocument.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace rae;
using namespace rae::gui;

// "Suggest placement": the search runs on a worker, its result applies as one undo step, and
// undo restores the plan as it was.
class TestPlacementSuggestion final : public QObject
{
    Q_OBJECT

private slots:
    void applyChangesThePlanAndUndoRestoresIt();
    void aResultForAnOlderPlanIsRefused();
};

void TestPlacementSuggestion::applyChangesThePlanAndUndoRestoresIt()
{
    QTemporaryDir dir;
    ApplicationServices services(
        std::make_unique<QSettings>(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat),
        dir.filePath(QStringLiteral("recovery")));
    MainWindow window(&services);
    QVERIFY(window.openPlan(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml")).ok());
    PlanDocument *document = window.document();
    // Both API replicas on one node: a single failure takes the API down, so the search moves.
    document->moveVms({QStringLiteral("rae-api-2")}, QStringLiteral("pve1"));
    const plan::Plan before = document->plan();
    const int steps = document->undoStack()->count();

    QSignalSpy ready(window.placementSuggestion(), &PlacementSuggestion::ready);
    window.placementSuggestion()->start();
    QVERIFY(ready.wait(30000));
    const auto search = ready.first().first().value<ha::PlacementSearch>();
    QVERIFY(search.found);
    QVERIFY(!search.explanation.isEmpty());
    const auto moves = window.placementSuggestion()->moves(search);
    QVERIFY(!moves.isEmpty());

    QVERIFY(window.placementSuggestion()->apply(search));
    QCOMPARE(document->undoStack()->count(), steps + 1); // one macro
    for (const auto &[vm, node] : moves)
        QCOMPARE(document->plan().vm(vm)->node, node);
    QVERIFY(document->plan().vm(QStringLiteral("rae-api-1"))->node !=
            document->plan().vm(QStringLiteral("rae-api-2"))->node);

    document->undoStack()->undo();
    QCOMPARE(document->plan(), before);
    document->undoStack()->setClean();
}

void TestPlacementSuggestion::aResultForAnOlderPlanIsRefused()
{
    QTemporaryDir dir;
    ApplicationServices services(
        std::make_unique<QSettings>(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat),
        dir.filePath(QStringLiteral("recovery")));
    MainWindow window(&services);
    QVERIFY(window.openPlan(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml")).ok());
    PlanDocument *document = window.document();
    document->moveVms({QStringLiteral("rae-api-2")}, QStringLiteral("pve1"));
    QSignalSpy ready(window.placementSuggestion(), &PlacementSuggestion::ready);
    window.placementSuggestion()->start();
    QVERIFY(ready.wait(30000));
    document->moveVms({QStringLiteral("rae-redis")}, QStringLiteral("pve2"));
    const int steps = document->undoStack()->count();
    QVERIFY(
        !window.placementSuggestion()->apply(ready.first().first().value<ha::PlacementSearch>()));
    QCOMPARE(document->undoStack()->count(), steps);
    document->undoStack()->setClean();
}

QTEST_MAIN(TestPlacementSuggestion)
#include "tst_placementsuggestion.moc"
