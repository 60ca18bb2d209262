// The report of the reference plan with 24 hours of 20 series at one point a second, in all four
// formats. Target: under 2 s in all. Prints the time of each step. With a folder as argument the
// files stay there, to be looked at.
#include "monitor/metricstore.h"
#include "plan/planreader.h"
#include "reportbuilder.h"
#include "reportwriter.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTextStream>

#include <cmath>

using namespace rae;

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QTextStream out(stdout);

    auto read =
        plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
    if (!read) {
        out << read.error().toString() << '\n';
        return 1;
    }
    const plan::Plan plan = std::move(read).value();

    const QStringList metrics{
        QStringLiteral("latency.rae_api"),   QStringLiteral("latency.redis"),
        QStringLiteral("latency.postgres"),  QStringLiteral("latency.qdrant"),
        QStringLiteral("gpu.utilization"),   QStringLiteral("gpu.power_w"),
        QStringLiteral("replication.lag_s"), QStringLiteral("node.cpu_percent")};
    const QDateTime end = QDateTime::currentDateTimeUtc();
    const qint64 endMs = end.toMSecsSinceEpoch() / 1000 * 1000;
    monitor::MetricStore store;
    for (int s = 0; s < 20; ++s) {
        const int id =
            store.seriesId({metrics.at(s % metrics.size()), QStringLiteral("subject-%1").arg(s)});
        for (qint64 t = endMs - 86'399'000; t <= endMs; t += 1000)
            store.append(id, t, 50.0 + 40.0 * std::sin(double(t) / 3.6e6 + s));
    }

    QElapsedTimer total;
    total.start();
    QElapsedTimer step;
    step.start();
    report::ReportInput input;
    input.plan = &plan;
    input.store = &store;
    input.periodStart = end.addDays(-1);
    input.periodEnd = end;
    input.generatedAt = end;
    input.applicationVersion = QStringLiteral(RAE_VERSION);
    const report::ReportModel model = report::buildReport(input);
    qint64 points = 0;
    for (const report::Series &series : model.series)
        points += series.points.size();
    out << QStringLiteral("model: %1 ms (%2 series, %3 points)\n")
               .arg(step.restart())
               .arg(model.series.size())
               .arg(points);

    QTemporaryDir temporary;
    const QString folder = argc > 1 ? QString::fromLocal8Bit(argv[1]) : temporary.path();
    for (report::Format format :
         {report::Format::Pdf, report::Format::Html, report::Format::Csv, report::Format::Json}) {
        report::ReportOptions options;
        options.folder = folder;
        options.formats = {format};
        const auto written = report::writeReports(model, options);
        if (!written) {
            out << written.error().toString() << '\n';
            return 1;
        }
        out << QStringLiteral("%1: %2 ms, %3 bytes\n")
                   .arg(report::formatName(format))
                   .arg(step.restart())
                   .arg(QFileInfo(written->first()).size());
    }
    const qint64 elapsed = total.elapsed();
    out << QStringLiteral("all four formats: %1 ms (target 2000 ms): %2\n")
               .arg(elapsed)
               .arg(elapsed < 2000 ? QStringLiteral("within") : QStringLiteral("OVER"));
    return 0;
}
