#include "jsonschemacheck.h"

#include "cluster/inventory.h"
#include "monitor/metricstore.h"
#include "plan/planreader.h"
#include "reportbuilder.h"
#include "reportwriter.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QXmlStreamReader>

using namespace rae;
using namespace rae::report;

namespace {

const QDateTime kGenerated = QDateTime(QDate(2026, 12, 3), QTime(12, 0), Qt::UTC);

plan::Plan referencePlan()
{
    auto read =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!read)
        qFatal("cannot read the reference plan: %s", qPrintable(read.error().toString()));
    return std::move(read).value();
}

ReportInput inputFor(const plan::Plan &plan)
{
    ReportInput input;
    input.plan = &plan;
    input.planFile = QStringLiteral("resources/plans/reference.yaml");
    input.generatedAt = kGenerated;
    input.generatedBy = QStringLiteral("tester");
    input.applicationVersion = QStringLiteral("0.0-test");
    return input;
}

QByteArray render(const ReportModel &model, Format format, Paper paper = Paper::A4)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    Status status = Done{};
    switch (format) {
    case Format::Pdf:
        status = writePdf(model, buffer, paper);
        break;
    case Format::Html:
        status = writeHtml(model, buffer);
        break;
    case Format::Csv:
        status = writeCsv(model, buffer);
        break;
    case Format::Json:
        status = writeJson(model, buffer);
        break;
    }
    if (!status)
        qFatal("cannot render: %s", qPrintable(status.error().toString()));
    return buffer.data();
}

// Runs a poppler tool on the PDF bytes and returns what it printed.
QString poppler(const QString &tool, const QByteArray &pdf, const QStringList &options = {})
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(pdf) != pdf.size())
        qFatal("cannot write the PDF for %s", qPrintable(tool));
    file.close();
    QProcess process;
    QStringList arguments = options;
    arguments << path;
    if (tool == QLatin1String("pdftotext"))
        arguments << QStringLiteral("-");
    process.start(tool, arguments);
    if (!process.waitForFinished(60'000) || process.exitCode() != 0)
        qFatal("%s failed: %s", qPrintable(tool), process.readAllStandardError().constData());
    // The PDF's fonts set "fi" and "fl" as ligatures; compatibility normalisation undoes them.
    return QString::fromUtf8(process.readAllStandardOutput())
        .normalized(QString::NormalizationForm_KC);
}

int pdfPages(const QByteArray &pdf)
{
    const QRegularExpression pages(QStringLiteral("Pages:\\s+(\\d+)"));
    return pages.match(poppler(QStringLiteral("pdfinfo"), pdf)).captured(1).toInt();
}

// A day of one-second points, ending at `end`, for a few series like the collector writes.
monitor::MetricStore dayOfSeries(const QDateTime &end, int seriesCount)
{
    monitor::MetricStore store;
    const QList<monitor::SeriesKey> kinds{
        {QStringLiteral("latency.rae_api"), QStringLiteral("api-1")},
        {QStringLiteral("latency.rae_api"), QStringLiteral("api-2")},
        {QStringLiteral("latency.redis"), QStringLiteral("redis-1")},
        {QStringLiteral("latency.postgres"), QStringLiteral("db-1")},
        {QStringLiteral("latency.qdrant"), QStringLiteral("vector-1")},
        {QStringLiteral("gpu.utilization"), QStringLiteral("llm-1/gpu0")},
        {QStringLiteral("gpu.temperature_c"), QStringLiteral("llm-1/gpu0")},
        {QStringLiteral("replication.lag_s"), QStringLiteral("101-0")},
        {QStringLiteral("node.cpu_percent"), QStringLiteral("pve1")},
        {QStringLiteral("vm.memory_percent"), QStringLiteral("rae-api-1")},
    };
    const qint64 endMs = end.toMSecsSinceEpoch();
    const qint64 startMs = endMs - 24 * 3600 * 1000 + 1000;
    for (int s = 0; s < seriesCount; ++s) {
        monitor::SeriesKey key = kinds.at(s % kinds.size());
        if (s >= kinds.size())
            key.subject += QStringLiteral("-%1").arg(s / kinds.size());
        const int id = store.seriesId(key);
        for (qint64 t = startMs; t <= endMs; t += 1000) {
            const double phase = double(t - startMs) / 3'600'000.0;
            store.append(id, t, 20.0 + 10.0 * std::sin(phase + s) + double(s));
        }
    }
    return store;
}

// A cluster as the inventory reads it, in the answers' own shapes: VM 100 has a daily job and a
// backup of 30 hours ago (stale), VM 101 the same job and a backup of 3 hours ago, VM 102 a
// backup but no job; one vzdump failed and one guest start succeeded.
cluster::Inventory clusterWithTasksAndBackups()
{
    cluster::Inventory inventory;
    const qint64 now = kGenerated.toSecsSinceEpoch();
    const auto guest = [](int vmid, const char *name, const char *node) {
        return QJsonObject{{QStringLiteral("id"), QStringLiteral("qemu/%1").arg(vmid)},
                           {QStringLiteral("type"), QStringLiteral("qemu")},
                           {QStringLiteral("vmid"), vmid},
                           {QStringLiteral("name"), QLatin1String(name)},
                           {QStringLiteral("node"), QLatin1String(node)},
                           {QStringLiteral("status"), QStringLiteral("running")}};
    };
    const QJsonArray resources{QJsonObject{{QStringLiteral("id"), QStringLiteral("node/pve1")},
                                           {QStringLiteral("type"), QStringLiteral("node")},
                                           {QStringLiteral("node"), QStringLiteral("pve1")},
                                           {QStringLiteral("status"), QStringLiteral("online")}},
                               guest(100, "rae-api-1", "pve1"), guest(101, "rae-db-1", "pve1"),
                               guest(102, "rae-llm-1", "pve1")};
    inventory.resources = cluster::parseResources(resources).value();
    inventory.backupJobs =
        cluster::parseBackupJobs(
            QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("backup-rae-daily")},
                                   {QStringLiteral("type"), QStringLiteral("vzdump")},
                                   {QStringLiteral("schedule"), QStringLiteral("02:30")},
                                   {QStringLiteral("storage"), QStringLiteral("pbs")},
                                   {QStringLiteral("vmid"), QStringLiteral("100,101")},
                                   {QStringLiteral("enabled"), 1}}})
            .value();
    const auto volume = [](int vmid, qint64 ctime) {
        return QJsonObject{
            {QStringLiteral("volid"), QStringLiteral("pbs:backup/vm/%1/%2").arg(vmid).arg(ctime)},
            {QStringLiteral("format"), QStringLiteral("pbs-vm")},
            {QStringLiteral("size"), qint64(6) << 30},
            {QStringLiteral("vmid"), vmid},
            {QStringLiteral("ctime"), ctime},
            {QStringLiteral("content"), QStringLiteral("backup")},
            {QStringLiteral("verification"),
             QJsonObject{{QStringLiteral("state"), QStringLiteral("ok")},
                         {QStringLiteral("upid"), QStringLiteral("UPID:pbs:1:2:3:verify::a:")}}}};
    };
    inventory.backups = cluster::parseBackupVolumes(
                            QJsonArray{volume(100, now - 30 * 3600), volume(100, now - 54 * 3600),
                                       volume(101, now - 3 * 3600), volume(102, now - 100 * 3600)},
                            QStringLiteral("pbs"), QStringLiteral("pve1"))
                            .value();
    const auto task = [now](const char *type, const char *id, qint64 ago, const char *status) {
        const qint64 start = now - ago;
        return QJsonObject{{QStringLiteral("upid"),
                            QStringLiteral("UPID:pve1:0000AB12:00001234:%1:%2:%3:root@pam:")
                                .arg(start, 8, 16, QLatin1Char('0'))
                                .arg(QLatin1String(type), QLatin1String(id))},
                           {QStringLiteral("node"), QStringLiteral("pve1")},
                           {QStringLiteral("type"), QLatin1String(type)},
                           {QStringLiteral("id"), QLatin1String(id)},
                           {QStringLiteral("user"), QStringLiteral("root@pam")},
                           {QStringLiteral("starttime"), start},
                           {QStringLiteral("endtime"), start + 40},
                           {QStringLiteral("status"), QLatin1String(status)}};
    };
    inventory.tasks = cluster::parseClusterTasks(
                          QJsonArray{task("qmstart", "101", 600, "OK"),
                                     task("vzdump", "100", 6 * 3600, "job failed: no space left"),
                                     task("qmigrate", "102", 48 * 3600, "OK")})
                          .value();
    return inventory;
}

} // namespace

class TestReport final : public QObject
{
    Q_OBJECT

private slots:
    void planReportHasEverySection()
    {
        const plan::Plan plan = referencePlan();
        const ReportModel model = buildReport(inputFor(plan));
        QStringList ids;
        for (const Section &section : model.sections)
            ids.append(section.id);
        QCOMPARE(ids, (QStringList{QStringLiteral("summary"), QStringLiteral("inventory"),
                                   QStringLiteral("placement"), QStringLiteral("findings"),
                                   QStringLiteral("node-failures"), QStringLiteral("ha"),
                                   QStringLiteral("replication"), QStringLiteral("backups"),
                                   QStringLiteral("events"), QStringLiteral("charts"),
                                   QStringLiteral("plan")}));
        const Section *failures = model.section(QStringLiteral("node-failures"));
        QVERIFY(failures);
        QCOMPARE(failures->tables.first().rows.size(), plan.nodes.size());
        QCOMPARE(model.topology.size(), plan.nodes.size());
        QVERIFY(model.planText.contains(QLatin1String("rae-prod")));
        QVERIFY(model.series.isEmpty());
    }

    void pdfHasSectionsFailureRowsAndPageNumbers()
    {
        const plan::Plan plan = referencePlan();
        const ReportModel model = buildReport(inputFor(plan));
        const QByteArray pdf = render(model, Format::Pdf);
        QVERIFY(pdf.startsWith("%PDF"));
        const QString text = poppler(QStringLiteral("pdftotext"), pdf, {QStringLiteral("-layout")});

        for (const Section &section : model.sections)
            QVERIFY2(text.contains(section.title), qPrintable(section.title));

        // Between the table's caption and the next table, each node starts exactly one row.
        const qsizetype from = text.indexOf(QLatin1String("One node fails"));
        const qsizetype to = text.indexOf(QLatin1String("Recoveries per VM"), from);
        QVERIFY(from >= 0 && to > from);
        const QStringList lines = text.mid(from, to - from).split(QLatin1Char('\n'));
        for (const plan::Node &node : plan.nodes) {
            const QRegularExpression rowStart(QStringLiteral("^\\s*%1\\s").arg(node.name));
            const auto rows = std::count_if(lines.cbegin(), lines.cend(), [&](const QString &l) {
                return rowStart.match(l).hasMatch();
            });
            QVERIFY2(rows == 1, qPrintable(node.name + QStringLiteral(": %1 rows").arg(rows)));
        }

        const int pages = pdfPages(pdf);
        QVERIFY(pages >= 3);
        for (int page = 1; page <= pages; ++page)
            QVERIFY(text.contains(QStringLiteral("Page %1 of %2").arg(page).arg(pages)));
        QVERIFY(poppler(QStringLiteral("pdfinfo"), pdf).contains(QLatin1String("A4")));
    }

    void pdfOnLetterPaper()
    {
        const plan::Plan plan = referencePlan();
        const QByteArray pdf = render(buildReport(inputFor(plan)), Format::Pdf, Paper::Letter);
        QVERIFY(poppler(QStringLiteral("pdfinfo"), pdf).contains(QLatin1String("612 x 792")));
    }

    void longTableRepeatsItsHeaderOnTheNextPage()
    {
        plan::Plan plan = referencePlan();
        const plan::Vm model = plan.vms.first();
        for (int i = 0; i < 120; ++i) {
            plan::Vm vm = model;
            vm.name = QStringLiteral("extra-%1").arg(i);
            vm.vmid = 900 + i;
            vm.ha.managed = false;
            vm.replication.clear();
            plan.vms.append(vm);
        }
        const QByteArray pdf = render(buildReport(inputFor(plan)), Format::Pdf);
        const QString text = poppler(QStringLiteral("pdftotext"), pdf, {QStringLiteral("-layout")});
        QVERIFY(text.contains(QLatin1String("Virtual machines (continued)")));
        QVERIFY(text.contains(QLatin1String("extra-119")));
        // Each page that holds rows of the VM table starts them under its header.
        const QStringList pages = text.split(QLatin1Char('\f'));
        const QRegularExpression tableRow(QStringLiteral("extra-\\d+\\s+database"));
        int pagesWithRows = 0;
        for (const QString &page : pages) {
            const QRegularExpressionMatch row = tableRow.match(page);
            if (!row.hasMatch())
                continue;
            ++pagesWithRows;
            const qsizetype header = page.indexOf(QLatin1String("VM ID"));
            QVERIFY(header >= 0);
            QVERIFY(header < row.capturedStart());
        }
        QVERIFY(pagesWithRows >= 2);
    }

    void htmlIsWellFormedAndSelfContained()
    {
        const plan::Plan plan = referencePlan();
        const ReportModel model = buildReport(inputFor(plan));
        const QByteArray html = render(model, Format::Html);

        QXmlStreamReader xml(html);
        QStringList sectionIds;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            const QString name = xml.name().toString();
            QVERIFY2(name != QLatin1String("link") && name != QLatin1String("script") &&
                         name != QLatin1String("img") && name != QLatin1String("iframe") &&
                         name != QLatin1String("object") && name != QLatin1String("image"),
                     qPrintable(name));
            for (const QXmlStreamAttribute &attribute : xml.attributes()) {
                const QString attributeName = attribute.name().toString();
                QVERIFY2(attributeName != QLatin1String("src") &&
                             attributeName != QLatin1String("href"),
                         qPrintable(attributeName));
                QVERIFY(!attribute.value().contains(QLatin1String("http")));
            }
            if (name == QLatin1String("section"))
                sectionIds.append(xml.attributes().value(QLatin1String("id")).toString());
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString() +
                                             QStringLiteral(" at line %1").arg(xml.lineNumber())));
        QCOMPARE(sectionIds.size(), model.sections.size());
        QVERIFY(!html.contains("url("));
        QVERIFY(!html.contains("@import"));
        QVERIFY(html.contains("class=\"topology\""));
    }

    void jsonFitsItsSchema()
    {
        const plan::Plan plan = referencePlan();
        const QByteArray json = render(buildReport(inputFor(plan)), Format::Json);
        QFile schemaFile(QStringLiteral(RAE_SOURCE_DIR "/resources/report/report.schema.json"));
        QVERIFY(schemaFile.open(QIODevice::ReadOnly));
        const QJsonObject schema = QJsonDocument::fromJson(schemaFile.readAll()).object();
        QVERIFY(!schema.isEmpty());

        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(json, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QStringList problems = test::checkSchema(document.object(), schema);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));

        const QJsonObject root = document.object();
        QCOMPARE(root.value(QLatin1String("schema_version")).toInt(), 1);
        for (const QJsonValue &section : root.value(QLatin1String("sections")).toArray()) {
            if (section[QLatin1String("id")] != QLatin1String("node-failures"))
                continue;
            const QJsonArray rows =
                section[QLatin1String("tables")][0][QLatin1String("rows")].toArray();
            QCOMPARE(rows.size(), plan.nodes.size());
            QVERIFY(rows.at(0)[QLatin1String("downtime_s")].isDouble());
        }
        // The checker itself catches what does not fit.
        QJsonObject broken = root;
        broken.insert(QStringLiteral("schema_version"), QStringLiteral("1"));
        broken.remove(QStringLiteral("series"));
        QCOMPARE(test::checkSchema(broken, schema).size(), 2);
    }

    void clusterReportHasTaskLogAndBackupAges()
    {
        const cluster::Inventory inventory = clusterWithTasksAndBackups();
        ReportInput input;
        input.inventory = &inventory;
        input.clusterName = QStringLiteral("prod");
        input.generatedAt = kGenerated;
        const ReportModel model = buildReport(input);

        const Section *events = model.section(QStringLiteral("events"));
        QVERIFY(events);
        const Table &tasks = events->tables.last();
        QCOMPARE(tasks.id, QStringLiteral("tasks"));
        QCOMPARE(tasks.rows.size(), 3); // no period: every task the cluster lists, newest first
        QCOMPARE(tasks.rows.at(0).at(3), QStringLiteral("qmstart"));
        QCOMPARE(tasks.rows.at(0).at(4), QStringLiteral("101 (rae-db-1)"));
        QCOMPARE(tasks.rows.at(1).at(6), QStringLiteral("FAILED"));
        QCOMPARE(tasks.rows.at(1).at(7), QStringLiteral("job failed: no space left"));
        QCOMPARE(tasks.flaggedRows, QList<int>{1});

        const Section *backups = model.section(QStringLiteral("backups"));
        QVERIFY(backups);
        const Table &last = backups->tables.last();
        QCOMPARE(last.id, QStringLiteral("last-backups"));
        QCOMPARE(last.rows.size(), 3);
        QCOMPARE(last.rows.at(0).at(0), QStringLiteral("rae-api-1"));
        QCOMPARE(last.rows.at(0).at(3), QStringLiteral("30.0")); // the newer of its two backups
        QVERIFY2(last.rows.at(0).at(7).startsWith(QLatin1String("stale")),
                 qPrintable(last.rows.at(0).at(7)));
        QCOMPARE(last.rows.at(1).at(7), QStringLiteral("ok"));
        QCOMPARE(last.rows.at(2).at(7), QStringLiteral("no backup job covers it"));
        QCOMPARE(last.flaggedRows, QList<int>{0});

        QCOMPARE(model.verdict, Verdict::Attention);
        const QString reasons = model.verdictReasons.join(QLatin1Char('\n'));
        QVERIFY2(reasons.contains(QLatin1String("Backup of rae-api-1 (VM 100): stale")),
                 qPrintable(reasons));
        QVERIFY2(reasons.contains(QLatin1String("Proxmox task failed: vzdump 100 (rae-api-1)")),
                 qPrintable(reasons));

        // A period keeps only its tasks: the migration two days ago is left out.
        input.periodStart = kGenerated.addSecs(-24 * 3600);
        input.periodEnd = kGenerated;
        QCOMPARE(buildReport(input).section(QStringLiteral("events"))->tables.last().rows.size(),
                 2);

        // Every writer shows them: PDF text, HTML rows marked, CSV points, JSON in its schema.
        const QString text = poppler(QStringLiteral("pdftotext"), render(model, Format::Pdf));
        QVERIFY(text.contains(QLatin1String("Proxmox tasks")));
        QVERIFY(text.contains(QLatin1String("job failed: no space left")));
        QVERIFY(text.contains(QLatin1String("Last backup per VM")));
        const QByteArray html = render(model, Format::Html);
        QCOMPARE(html.count("<tr class=\"flagged\">"), 2);
        const QByteArray csv = render(model, Format::Csv);
        QVERIFY(csv.contains(",backup.size_gib,rae-api-1,6\n"));
        QVERIFY(csv.contains(",task.duration_s,vzdump rae-api-1,40\n"));

        QFile schemaFile(QStringLiteral(RAE_SOURCE_DIR "/resources/report/report.schema.json"));
        QVERIFY(schemaFile.open(QIODevice::ReadOnly));
        const QJsonObject schema = QJsonDocument::fromJson(schemaFile.readAll()).object();
        const QJsonObject root = QJsonDocument::fromJson(render(model, Format::Json)).object();
        const QStringList problems = test::checkSchema(root, schema);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        bool found = false;
        for (const QJsonValue &section : root.value(QLatin1String("sections")).toArray()) {
            for (const QJsonValue &table : section[QLatin1String("tables")].toArray()) {
                if (table[QLatin1String("id")] != QLatin1String("tasks"))
                    continue;
                found = true;
                QCOMPARE(table[QLatin1String("flagged_rows")].toArray(), QJsonArray{1});
                QCOMPARE(table[QLatin1String("rows")][1][QLatin1String("result")].toString(),
                         QStringLiteral("FAILED"));
            }
        }
        QVERIFY(found);
    }

    void seriesOfADay()
    {
        const plan::Plan plan = referencePlan();
        const QDateTime end = kGenerated;
        QTemporaryDir data;
        QVERIFY(dayOfSeries(end, 10).save(QDir(data.path())));
        monitor::MetricStore store;
        QVERIFY(store.load(QDir(data.path())));

        ReportInput input = inputFor(plan);
        input.store = &store;
        input.periodStart = end.addDays(-1);
        input.periodEnd = end;
        const ReportModel model = buildReport(input);
        QCOMPARE(model.series.size(), 10);
        const Section *charts = model.section(QStringLiteral("charts"));
        QVERIFY(charts);
        // latency ×4 metrics, GPU utilisation and temperature, replication lag; node and VM
        // figures are in the CSV and JSON only.
        QCOMPARE(charts->charts.size(), 7);

        const QByteArray csv = render(model, Format::Csv);
        const QList<QByteArray> rows = csv.split('\n');
        QCOMPARE(rows.first(), QByteArray("time,metric,subject,value"));
        QCOMPARE(rows.size() - 2, 10 * 86400); // the header, and the empty tail after the last \n
        const QRegularExpression row(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z,[a-z_.]+,[^,]+,"
                           "-?[0-9.e+-]+$"));
        QVERIFY2(row.match(QString::fromUtf8(rows.at(1))).hasMatch(), rows.at(1).constData());
        QVERIFY(csv.contains("2026-12-03T12:00:00.000Z,latency.rae_api,api-1,"));

        const QByteArray html = render(model, Format::Html);
        QCOMPARE(html.count("<svg"), 7);
        QVERIFY(html.count("<polyline") >= 8);
        QXmlStreamReader xml(html);
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));

        const QString text = poppler(QStringLiteral("pdftotext"), render(model, Format::Pdf));
        QVERIFY(text.contains(QLatin1String("Latency: rae api (ms)")));
        QVERIFY(text.contains(QLatin1String("Replication lag (s)")));
        QVERIFY(text.contains(QLatin1String("llm-1/gpu0")));
    }

    void noSecretInAnyOutput_data()
    {
        QTest::addColumn<Format>("format");
        QTest::newRow("the PDF holds no secret") << Format::Pdf;
        QTest::newRow("the HTML holds no secret") << Format::Html;
        QTest::newRow("the CSV holds no secret") << Format::Csv;
        QTest::newRow("the JSON holds no secret") << Format::Json;
    }

    void noSecretInAnyOutput()
    {
        QFETCH(Format, format);
        // Secrets where a careless report could pick them up: the environment and a .env file
        // beside the plan. The plan names its keychain entries; their values are never read.
        const QByteArray secret = "Pa55-report-test-7f3a91";
        qputenv("RAE_DATABASE_PASSWORD", secret);
        qputenv("PVE_TOKEN_SECRET", secret);
        QTemporaryDir folder;
        QFile::copy(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"),
                    folder.filePath(QStringLiteral("plan.yaml")));
        QFile env(folder.filePath(QStringLiteral(".env")));
        QVERIFY(env.open(QIODevice::WriteOnly));
        env.write("POSTGRES_PASSWORD=" + secret + "\nREDIS_PASSWORD=" + secret + "\n");
        env.close();

        auto read = plan::readPlanFile(folder.filePath(QStringLiteral("plan.yaml")));
        QVERIFY(read);
        ReportInput input = inputFor(read.value());
        input.planFile = folder.filePath(QStringLiteral("plan.yaml"));
        monitor::MetricStore store = dayOfSeries(kGenerated, 2);
        input.store = &store;
        input.periodStart = kGenerated.addDays(-1);
        input.periodEnd = kGenerated;
        const QByteArray bytes = render(buildReport(input), format);
        QVERIFY(!bytes.isEmpty());
        const QByteArray text =
            format == Format::Pdf ? poppler(QStringLiteral("pdftotext"), bytes).toUtf8() : bytes;
        QVERIFY(!text.contains(secret));
        QVERIFY(!bytes.contains(secret));
        qunsetenv("RAE_DATABASE_PASSWORD");
        qunsetenv("PVE_TOKEN_SECRET");
    }

    void writeReportsWritesEachFormatOnAWorkerThread()
    {
        const plan::Plan plan = referencePlan();
        const ReportModel model = buildReport(inputFor(plan));
        QTemporaryDir folder;
        ReportOptions options;
        options.folder = folder.filePath(QStringLiteral("out/nested"));
        std::optional<Result<QStringList>> written;
        QThread *worker = QThread::create([&] { written = writeReports(model, options); });
        worker->start();
        QVERIFY(worker->wait(60'000));
        delete worker;
        QVERIFY(written && *written);
        QCOMPARE(written->value().size(), 4);
        for (const QString &path : written->value()) {
            QVERIFY2(QFileInfo(path).size() > 0, qPrintable(path));
        }
        QVERIFY(written->value().first().endsWith(QLatin1String("rae-report.pdf")));
    }

    void parseFormats_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("count");
        QTest::newRow("all four in any order") << QStringLiteral("json,csv,html,pdf") << true << 4;
        QTest::newRow("a repeat counts once") << QStringLiteral("pdf,PDF") << true << 1;
        QTest::newRow("spaces around a name are fine")
            << QStringLiteral(" html , csv") << true << 2;
        QTest::newRow("an unknown format is refused") << QStringLiteral("pdf,docx") << false << 0;
        QTest::newRow("nothing is refused") << QStringLiteral(",") << false << 0;
    }

    void parseFormats()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(int, count);
        const auto formats = report::parseFormats(text);
        QCOMPARE(formats.ok(), valid);
        if (valid)
            QCOMPARE(formats->size(), count);
        else
            QVERIFY(!formats.error().hint.isEmpty());
    }
};

QTEST_MAIN(TestReport)
#include "tst_report.moc"
