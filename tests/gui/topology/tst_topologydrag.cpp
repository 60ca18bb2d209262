#include "applicationservices.h"
#include "findingsmodel.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "plandocument.h"
#include "propertiespanel.h"
#include "topologyitems.h"
#include "topologyscene.h"
#include "topologyview.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace rae;
using namespace rae::gui;

// Dragging VM tiles between nodes of the plan: the move, its undo, and refusals with reasons.
//
// How the drag is driven: QDrag::exec() hands the drag to the platform's drag loop. On the
// offscreen platform that loop does not see QTest's synthesized mouse events, so the drag would
// never end. The tests therefore press and move with QTest on the tile (which selects it and
// builds the payload through the same TopologyScene::payloadFor() that startDrag() uses) and then
// drive the view's drag-enter/move/drop handlers with real QDragEnterEvent/QDragMoveEvent/
// QDropEvent objects carrying that QMimeData, exactly as the platform loop would.
class TestTopologyDrag final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void dragToAnotherNodeMovesTheVmAndUndoRestoresIt();
    void forbiddenTargets_data();
    void forbiddenTargets();
    void aForeignPayloadIsNotAccepted();
    void aPayloadIsRevalidatedOnDrop();
    void propertiesEditValidatesAsYouType();
    void arrowKeysWalkBetweenTiles();
    void clickingAFindingSelectsItsVm();

private:
    QPoint viewPointOf(const QGraphicsItem *item) const;
    QMimeData *pressAndPayload(const QString &vm);
    // Returns whether the drop was accepted.
    bool dragTo(QMimeData *mime, const QString &node, bool drop = true);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ApplicationServices> m_services;
    std::unique_ptr<MainWindow> m_window;
};

void TestTopologyDrag::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const QString plan = m_dir->filePath(QStringLiteral("plan.yaml"));
    QVERIFY(QFile::copy(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"), plan));
    m_services = std::make_unique<ApplicationServices>(
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("settings.ini")),
                                    QSettings::IniFormat),
        m_dir->filePath(QStringLiteral("recovery")));
    m_window = std::make_unique<MainWindow>(m_services.get());
    m_window->resize(1500, 950);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(m_window->openPlan(plan).ok());
    QTRY_VERIFY(!m_window->document()->isValidating());
    QTRY_COMPARE(m_window->scene()->topology().vms.size(), 7);
    m_window->topologyView()->resetZoom();
    m_window->topologyView()->centerOn(m_window->scene()->nodeItem(QStringLiteral("pve2")));
}

void TestTopologyDrag::cleanup()
{
    if (m_window)
        m_window->document()->undoStack()->setClean(); // no "unsaved changes" question
    m_window.reset();
    m_services.reset();
    m_dir.reset();
}

QPoint TestTopologyDrag::viewPointOf(const QGraphicsItem *item) const
{
    TopologyView *view = m_window->topologyView();
    view->ensureVisible(item, 0, 0);
    const QRectF rect = item->sceneBoundingRect();
    // Aim below the node's header bars, into the area where tiles sit, but at a free spot.
    const QPointF target = item->type() == NodeItem::Type
                               ? QPointF(rect.center().x(), rect.bottom() - 8)
                               : rect.center();
    return view->mapFromScene(target);
}

QMimeData *TestTopologyDrag::pressAndPayload(const QString &vm)
{
    TopologyScene *scene = m_window->scene();
    VmTileItem *tile = scene->tileItem(vm);
    if (!tile)
        return nullptr;
    QWidget *viewport = m_window->topologyView()->viewport();
    const QPoint start = viewPointOf(tile);
    QTest::mousePress(viewport, Qt::LeftButton, Qt::NoModifier, start);
    QTest::mouseRelease(viewport, Qt::LeftButton, Qt::NoModifier, start);
    if (scene->selectedKeys() != QStringList{vm})
        return nullptr;
    return scene->payloadFor(tile).toMimeData();
}

bool TestTopologyDrag::dragTo(QMimeData *mime, const QString &node, bool drop)
{
    TopologyView *view = m_window->topologyView();
    NodeItem *target = m_window->scene()->nodeItem(node);
    if (!target)
        return false;
    const QPoint point = viewPointOf(target);
    QWidget *viewport = view->viewport();

    QDragEnterEvent enter(point, Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enter);
    if (!enter.isAccepted())
        return false;
    QDragMoveEvent move(point, Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
    if (!drop)
        return move.isAccepted();
    QDropEvent dropEvent(point, Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &dropEvent);
    return dropEvent.isAccepted() && dropEvent.dropAction() == Qt::MoveAction;
}

void TestTopologyDrag::dragToAnotherNodeMovesTheVmAndUndoRestoresIt()
{
    PlanDocument *document = m_window->document();
    QCOMPARE(document->plan().vm(QStringLiteral("rae-redis"))->node, QStringLiteral("pve3"));
    const QPointF tileBefore =
        m_window->scene()->tileItem(QStringLiteral("rae-vector"))->pos(); // on pve2

    std::unique_ptr<QMimeData> mime(pressAndPayload(QStringLiteral("rae-redis")));
    QVERIFY(mime);
    QVERIFY(mime->hasFormat(QString::fromLatin1(VmDragPayload::kMimeType)));

    QVERIFY(dragTo(mime.get(), QStringLiteral("pve2")));
    QCOMPARE(document->plan().vm(QStringLiteral("rae-redis"))->node, QStringLiteral("pve2"));
    QVERIFY(document->isModified());
    QVERIFY(m_window->isWindowModified());
    QCOMPARE(document->undoStack()->count(), 1);
    // The tile now sits inside pve2's container.
    const QRectF pve2 = m_window->scene()->nodeItem(QStringLiteral("pve2"))->sceneBoundingRect();
    QVERIFY(pve2.contains(
        m_window->scene()->tileItem(QStringLiteral("rae-redis"))->sceneBoundingRect()));

    // Ctrl+Z through the window's shortcut, then Ctrl+Shift+Z.
    QApplication::setActiveWindow(m_window.get());
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(document->plan().vm(QStringLiteral("rae-redis"))->node, QStringLiteral("pve3"));
    QVERIFY(!document->isModified());
    // Nothing else moved: a refresh does not shuffle tiles.
    QCOMPARE(m_window->scene()->tileItem(QStringLiteral("rae-vector"))->pos(), tileBefore);

    QTest::keyClick(m_window.get(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(document->plan().vm(QStringLiteral("rae-redis"))->node, QStringLiteral("pve2"));
    document->undoStack()->undo();
}

void TestTopologyDrag::forbiddenTargets_data()
{
    QTest::addColumn<QString>("vm");
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("rule");

    QTest::newRow("the LLM cannot leave the node that has its GPU")
        << QStringLiteral("rae-llm") << QStringLiteral("pve1")
        << QStringLiteral("gpu.llm-needs-mapping");
    QTest::newRow("an API replica cannot join the one it is kept apart from")
        << QStringLiteral("rae-api-1") << QStringLiteral("pve2")
        << QStringLiteral("placement.anti-affinity");
}

void TestTopologyDrag::forbiddenTargets()
{
    QFETCH(QString, vm);
    QFETCH(QString, node);
    QFETCH(QString, rule);
    PlanDocument *document = m_window->document();
    const QString before = document->plan().vm(vm)->node;
    QSignalSpy refused(m_window->topologyView(), &TopologyView::dropRefused);
    QSignalSpy hints(m_window->topologyView(), &TopologyView::dropHint);

    std::unique_ptr<QMimeData> mime(pressAndPayload(vm));
    QVERIFY(mime);

    // Hovering marks the node as forbidden and says why.
    dragTo(mime.get(), node, false);
    QCOMPARE(m_window->scene()->nodeItem(node)->dropHint(), NodeItem::DropHint::Forbidden);
    QVERIFY(!hints.isEmpty());
    QVERIFY2(hints.last().first().toString().contains(rule),
             qPrintable(hints.last().first().toString()));

    // Dropping is refused with the same reason, and the plan stays as it was.
    QVERIFY(!dragTo(mime.get(), node));
    QCOMPARE(refused.count(), 1);
    QVERIFY(refused.first().first().toString().contains(rule));
    QCOMPARE(document->plan().vm(vm)->node, before);
    QCOMPARE(document->undoStack()->count(), 0);
    QVERIFY(m_window->messageBar()->text().contains(rule));
    QCOMPARE(m_window->scene()->nodeItem(node)->dropHint(), NodeItem::DropHint::None);
}

void TestTopologyDrag::aForeignPayloadIsNotAccepted()
{
    QMimeData mime;
    mime.setText(QStringLiteral("rae-db"));
    QVERIFY(!dragTo(&mime, QStringLiteral("pve2")));
    QCOMPARE(m_window->document()->plan().vm(QStringLiteral("rae-db"))->node,
             QStringLiteral("pve1"));
}

void TestTopologyDrag::aPayloadIsRevalidatedOnDrop()
{
    // A payload naming a VM that is no longer in the plan (it was renamed or removed after the
    // drag started) is refused on drop.
    VmDragPayload payload{QStringLiteral("plan"), {QStringLiteral("rae-gone")}};
    std::unique_ptr<QMimeData> mime(payload.toMimeData());
    QSignalSpy refused(m_window->topologyView(), &TopologyView::dropRefused);
    QVERIFY(!dragTo(mime.get(), QStringLiteral("pve2")));
    QCOMPARE(refused.count(), 1);
    QVERIFY(refused.first().first().toString().contains(QStringLiteral("rae-gone")));
}

void TestTopologyDrag::propertiesEditValidatesAsYouType()
{
    std::unique_ptr<QMimeData> mime(pressAndPayload(QStringLiteral("rae-db")));
    QVERIFY(mime);
    PropertiesPanel *panel = m_window->propertiesPanel();
    QCOMPARE(panel->vm(), QStringLiteral("rae-db"));
    PlanDocument *document = m_window->document();

    QLineEdit *memory = panel->memoryEditor();
    memory->selectAll();
    QTest::keyClicks(memory, QStringLiteral("lots"));
    QVERIFY(!panel->problemLabel()->text().isEmpty());
    QCOMPARE(document->plan().vm(QStringLiteral("rae-db"))->memory.gib(), 16.0);

    memory->selectAll();
    QTest::keyClicks(memory, QStringLiteral("24 GiB"));
    QVERIFY(panel->problemLabel()->text().isEmpty());
    QCOMPARE(document->plan().vm(QStringLiteral("rae-db"))->memory.gib(), 24.0);
    // Typing in one box is one undo step.
    QCOMPARE(document->undoStack()->count(), 1);

    panel->coresEditor()->setValue(6);
    QCOMPARE(document->plan().vm(QStringLiteral("rae-db"))->cores, 6);
    QCOMPARE(document->undoStack()->count(), 2);
    QTRY_VERIFY(!document->isValidating());
    document->undoStack()->undo();
    document->undoStack()->undo();
    QCOMPARE(document->plan().vm(QStringLiteral("rae-db"))->cores, 4);
    QCOMPARE(panel->coresEditor()->value(), 4);
    QCOMPARE(memory->text(), QStringLiteral("16 GiB"));
}

void TestTopologyDrag::arrowKeysWalkBetweenTiles()
{
    TopologyView *view = m_window->topologyView();
    view->setFocus();
    m_window->scene()->clearSelection();
    QTest::keyClick(view, Qt::Key_Right);
    QCOMPARE(m_window->scene()->selectedKeys().size(), 1);
    const QString first = m_window->scene()->selectedKeys().first();
    QTest::keyClick(view, Qt::Key_Right);
    QCOMPARE(m_window->scene()->selectedKeys().size(), 1);
    QVERIFY(m_window->scene()->selectedKeys().first() != first);
    QTest::keyClick(view, Qt::Key_Left);
    QCOMPARE(m_window->scene()->selectedKeys(), QStringList{first});
}

void TestTopologyDrag::clickingAFindingSelectsItsVm()
{
    // The reference plan is clean; put both API replicas on one node so that a rule speaks.
    m_window->document()->moveVms({QStringLiteral("rae-api-2")}, QStringLiteral("pve1"));
    QTRY_VERIFY(m_window->findingsModel()->rowCount() > 0);
    QTableView *view = m_window->findingsView();
    QAbstractItemModelTester tester(view->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    int row = -1;
    QString subject;
    for (int i = 0; i < view->model()->rowCount() && row < 0; ++i) {
        const QModelIndex index = view->model()->index(i, 0);
        if (index.data(FindingsModel::SubjectKindRole).toInt() ==
            int(validation::SubjectKind::Vm)) {
            row = i;
            subject = index.data(FindingsModel::SubjectNameRole).toString();
        }
    }
    QVERIFY2(row >= 0, "expected a finding about a VM");
    const QModelIndex index = view->model()->index(row, 2);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier,
                      view->visualRect(index).center());
    QCOMPARE(m_window->scene()->selectedKeys(), QStringList{subject});
    m_window->document()->undoStack()->undo();
}

QTEST_MAIN(TestTopologyDrag)
#include "tst_topologydrag.moc"
