#include "applicationservices.h"
#include "exportdialog.h"
#include "mainwindow.h"
#include "plandocument.h"

#include "monitor/metricstore.h"
#include "plan/planreader.h"

#include <QCheckBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QXmlStreamReader>

using namespace rae;
using namespace rae::gui;

class TestExportDialog final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void allFourFormatsWhileTheWindowTicks();
    void untickedSectionsStayOut();
    void anUnwritableFolderSaysWhatToDo();
    void theFolderIsRemembered();
    void theFileMenuOpensItWithThePlan();

private:
    // Exports with `dialog` and waits for the end; the longest pause of a 10 ms timer on this
    // thread meanwhile goes to `longestPause` (ms) and the number of ticks to `ticks`.
    static bool exportAndWait(ExportDialog &dialog, qint64 *longestPause = nullptr,
                              int *ticks = nullptr);

    std::optional<plan::Plan> m_plan;
    QTemporaryDir m_storeDir;
};

void TestExportDialog::initTestCase()
{
    auto read =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().toString()));
    m_plan = std::move(read).value();

    // A day of history at one point a second for six series: enough that writing takes a while.
    monitor::MetricStore store;
    const qint64 end = QDateTime::currentMSecsSinceEpoch();
    const qint64 start = end - 24 * 3600 * 1000LL;
    const QList<monitor::SeriesKey> keys{
        {QStringLiteral("latency.rae_api"), QStringLiteral("api-1")},
        {QStringLiteral("latency.rae_api"), QStringLiteral("api-2")},
        {QStringLiteral("latency.redis"), QStringLiteral("redis-1")},
        {QStringLiteral("latency.postgres"), QStringLiteral("db-1")},
        {QStringLiteral("latency.qdrant"), QStringLiteral("vector-1")},
        {QStringLiteral("gpu.utilization"), QStringLiteral("llm-1/gpu0")}};
    for (const monitor::SeriesKey &key : keys) {
        const int id = store.seriesId(key);
        for (qint64 t = start; t <= end; t += 1000)
            store.append(id, t, 20.0 + double((t / 1000) % 37));
    }
    QVERIFY(m_storeDir.isValid());
    QVERIFY(store.save(QDir(m_storeDir.path())).ok());
}

bool TestExportDialog::exportAndWait(ExportDialog &dialog, qint64 *longestPause, int *ticks)
{
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    QElapsedTimer sinceTick;
    qint64 longest = 0;
    int count = 0;
    QTimer timer;
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, &dialog, [&] {
        longest = std::max(longest, sinceTick.restart());
        ++count;
    });
    auto *button = dialog.findChild<QPushButton *>(QStringLiteral("exportButton"));
    if (!button || !button->isEnabled())
        return false;
    sinceTick.start();
    timer.start();
    QTest::mouseClick(button, Qt::LeftButton);
    const bool ended = finished.wait(90000);
    timer.stop();
    if (longestPause)
        *longestPause = longest;
    if (ticks)
        *ticks = count;
    return ended;
}

void TestExportDialog::allFourFormatsWhileTheWindowTicks()
{
    QTemporaryDir out;
    QVERIFY(out.isValid());
    ExportDialog dialog(*m_plan, QStringLiteral("reference.yaml"), nullptr);
    dialog.setCluster(QStringLiteral("demo"), m_storeDir.path());
    dialog.setFolder(out.path());
    dialog.setFormats(
        {report::Format::Pdf, report::Format::Html, report::Format::Csv, report::Format::Json});
    dialog.setPeriodSeconds(24 * 3600);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    // With RAE_GUI_SCREENSHOTS=<dir>, saves what the user sees before and after, for review.
    const QString pictures = qEnvironmentVariable("RAE_GUI_SCREENSHOTS");
    if (!pictures.isEmpty())
        dialog.grab().save(QDir(pictures).filePath(QStringLiteral("export-before.png")));

    const auto *openFolder = dialog.findChild<QPushButton *>(QStringLiteral("openFolderButton"));
    QVERIFY(openFolder && openFolder->isHidden());

    qint64 longestPause = 0;
    int ticks = 0;
    QElapsedTimer took;
    took.start();
    QVERIFY(exportAndWait(dialog, &longestPause, &ticks));
    qInfo("export took %lld ms; %d ticks, longest pause of the GUI thread %lld ms", took.elapsed(),
          ticks, longestPause);
    QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
    if (!pictures.isEmpty())
        dialog.grab().save(QDir(pictures).filePath(QStringLiteral("export-after.png")));

    const QStringList suffixes{QStringLiteral("pdf"), QStringLiteral("html"), QStringLiteral("csv"),
                               QStringLiteral("json")};
    QCOMPARE(dialog.writtenFiles().size(), 4);
    for (const QString &suffix : suffixes) {
        const QString path = out.filePath(QStringLiteral("rae-report.") + suffix);
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QVERIFY2(dialog.writtenFiles().contains(path), qPrintable(path));
    }
    QFile pdf(out.filePath(QStringLiteral("rae-report.pdf")));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.size() > 1000);
    QVERIFY(pdf.read(5) == "%PDF-");

    // Self-contained: well-formed, and no attribute or style pointing outside the file.
    QFile html(out.filePath(QStringLiteral("rae-report.html")));
    QVERIFY(html.open(QIODevice::ReadOnly));
    const QByteArray htmlBytes = html.readAll();
    QXmlStreamReader xml(htmlBytes);
    int svgs = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        QVERIFY2(xml.name() != QLatin1String("link") && xml.name() != QLatin1String("script") &&
                     xml.name() != QLatin1String("img"),
                 qPrintable(xml.name().toString()));
        svgs += xml.name() == QLatin1String("svg") ? 1 : 0;
        for (const QXmlStreamAttribute &attribute : xml.attributes()) {
            // Text may name the cluster's endpoints (the plan appendix); no attribute may.
            QVERIFY2(attribute.name() != QLatin1String("src") &&
                         attribute.name() != QLatin1String("href") &&
                         !attribute.value().contains(QLatin1String("://")),
                     qPrintable(attribute.name().toString()));
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(!htmlBytes.contains("url("));
    QVERIFY2(svgs > 0, "the charts of the monitoring history are in the HTML");

    // The history's day reached the CSV.
    QFile csv(out.filePath(QStringLiteral("rae-report.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readLine().startsWith("time,metric,subject,value"));
    QVERIFY(csv.size() > 1000000);

    // Responsive: the timer kept ticking and the GUI thread never stalled for long.
    QVERIFY2(ticks >= 3, qPrintable(QString::number(ticks)));
    QVERIFY2(longestPause < 500, qPrintable(QString::number(longestPause)));

    auto *files = dialog.findChild<QListWidget *>(QStringLiteral("files"));
    QVERIFY(files && files->count() == 4 && !files->isHidden());
    QVERIFY(!openFolder->isHidden());
}

void TestExportDialog::untickedSectionsStayOut()
{
    QTemporaryDir out;
    QVERIFY(out.isValid());
    ExportDialog dialog(*m_plan, QStringLiteral("reference.yaml"), nullptr);
    dialog.setFolder(out.path());
    dialog.setFormats({report::Format::Html});
    dialog.setSections({QStringLiteral("summary"), QStringLiteral("node-failures")});
    QVERIFY(exportAndWait(dialog));
    QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.writtenFiles(), QStringList{out.filePath(QStringLiteral("rae-report.html"))});
    QFile html(dialog.writtenFiles().first());
    QVERIFY(html.open(QIODevice::ReadOnly));
    const QByteArray bytes = html.readAll();
    QVERIFY(bytes.contains("<section id=\"summary\">"));
    QVERIFY(bytes.contains("<section id=\"node-failures\">"));
    QVERIFY(!bytes.contains("<section id=\"plan\">"));
    QVERIFY(!bytes.contains("<section id=\"placement\">"));
    QVERIFY(!QFileInfo::exists(out.filePath(QStringLiteral("rae-report.pdf"))));

    // Nothing chosen: nothing to start.
    dialog.setSections({});
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("exportButton"))->isEnabled());
}

void TestExportDialog::anUnwritableFolderSaysWhatToDo()
{
    QTemporaryDir out;
    QVERIFY(out.isValid());
    // A file where the folder should be: the folder cannot be created.
    const QString blocked = out.filePath(QStringLiteral("blocked"));
    QFile file(blocked);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    ExportDialog dialog(*m_plan, QString(), nullptr);
    dialog.setFolder(blocked + QStringLiteral("/reports"));
    dialog.setFormats({report::Format::Json});
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    QVERIFY(exportAndWait(dialog));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(dialog.writtenFiles().isEmpty());
    QVERIFY(dialog.errorText().contains(QStringLiteral("What to do")));
    if (const QString pictures = qEnvironmentVariable("RAE_GUI_SCREENSHOTS"); !pictures.isEmpty())
        dialog.grab().save(QDir(pictures).filePath(QStringLiteral("export-error.png")));
    auto *openFolder = dialog.findChild<QPushButton *>(QStringLiteral("openFolderButton"));
    QVERIFY(openFolder && openFolder->isHidden());
    // A second try is possible.
    QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("exportButton"))->isEnabled());
}

void TestExportDialog::theFolderIsRemembered()
{
    QTemporaryDir out;
    QVERIFY(out.isValid());
    QSettings settings(out.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    const QString folder = out.filePath(QStringLiteral("reports"));
    {
        ExportDialog dialog(*m_plan, QString(), &settings);
        dialog.setFolder(folder);
        dialog.setFormats({report::Format::Json});
        QVERIFY(exportAndWait(dialog));
    }
    ExportDialog again(*m_plan, QString(), &settings);
    QCOMPARE(again.folder(), folder);
}

void TestExportDialog::theFileMenuOpensItWithThePlan()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ApplicationServices services(
        std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")),
                                    QSettings::IniFormat),
        dir.filePath(QStringLiteral("recovery")));
    MainWindow window(&services);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openPlan(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml")).ok());

    QAction *action = window.exportAction();
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    bool inFileMenu = false;
    for (QAction *menu : window.menuBar()->actions()) {
        if (menu->menu() && menu->menu()->actions().contains(action))
            inFileMenu = menu->text() == QLatin1String("&File");
    }
    QVERIFY(inFileMenu);

    action->trigger();
    ExportDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<ExportDialog *>()) != nullptr);
    QVERIFY(dialog->isVisible());
    dialog->setFolder(dir.filePath(QStringLiteral("out")));
    dialog->setFormats({report::Format::Json});
    QVERIFY(exportAndWait(*dialog));
    QVERIFY2(dialog->errorText().isEmpty(), qPrintable(dialog->errorText()));
    QFile json(dir.filePath(QStringLiteral("out/rae-report.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    // The open plan went in: its appendix and its cluster's name.
    const QByteArray bytes = json.readAll();
    QVERIFY(bytes.contains("\"plan\""));
    QVERIFY(bytes.contains(window.document()->plan().cluster.name.toUtf8()));
    dialog->close();
}

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
