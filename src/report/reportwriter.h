#pragma once

#include "common/result.h"
#include "reportmodel.h"

#include <QList>
#include <QString>
#include <QStringList>

class QIODevice;

// The report's writers. Each reads a ReportModel and nothing else, uses no widget and no
// global state, and may run on any thread, one model per call (QtConcurrent::run works): the
// desktop application renders off its GUI thread. PDF needs a QGuiApplication to exist (fonts).
namespace rae::report {

enum class Format
{
    Pdf,
    Html,
    Csv,
    Json,
};

enum class Paper
{
    A4,
    Letter,
};

QString formatName(Format format); // "pdf", ...: also the file suffix
// "pdf,html,csv,json" in any order, without repeats; an error names the word it did not know.
Result<QList<Format>> parseFormats(const QString &text);
Result<Paper> parsePaper(const QString &text); // "a4" or "letter"

struct ReportOptions
{
    QString folder;                                  // created when missing
    QString baseName = QStringLiteral("rae-report"); // files are <baseName>.<format>
    QList<Format> formats{Format::Pdf, Format::Html, Format::Csv, Format::Json};
    Paper paper = Paper::A4;
};

// Writes every format of `options` into its folder, each file saved atomically; returns the
// paths written, in the order of `options.formats`. The first failure stops the rest.
Result<QStringList> writeReports(const ReportModel &model, const ReportOptions &options);

// One format to one device, for callers that keep the bytes themselves.
Status writePdf(const ReportModel &model, QIODevice &out, Paper paper = Paper::A4);
Status writeHtml(const ReportModel &model, QIODevice &out);
Status writeCsv(const ReportModel &model, QIODevice &out); // every point of every series
Status writeJson(const ReportModel &model, QIODevice &out);

} // namespace rae::report
