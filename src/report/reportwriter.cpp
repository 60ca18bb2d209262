#include "reportwriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

namespace rae::report {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::report::Writer)
};

} // namespace

QString formatName(Format format)
{
    switch (format) {
    case Format::Pdf:
        return QStringLiteral("pdf");
    case Format::Html:
        return QStringLiteral("html");
    case Format::Csv:
        return QStringLiteral("csv");
    case Format::Json:
        break;
    }
    return QStringLiteral("json");
}

Result<QList<Format>> parseFormats(const QString &text)
{
    QList<Format> formats;
    for (const QString &word : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = word.trimmed().toLower();
        std::optional<Format> found;
        for (Format format : {Format::Pdf, Format::Html, Format::Csv, Format::Json}) {
            if (formatName(format) == name)
                found = format;
        }
        if (!found)
            return Error{Tr::tr("unknown report format “%1”").arg(word.trimmed()),
                         Tr::tr("use pdf, html, csv or json, separated by commas"),
                         {}};
        if (!formats.contains(*found))
            formats.append(*found);
    }
    if (formats.isEmpty())
        return Error{Tr::tr("no report format given"),
                     Tr::tr("use pdf, html, csv or json, separated by commas"),
                     {}};
    return formats;
}

Result<Paper> parsePaper(const QString &text)
{
    const QString name = text.trimmed().toLower();
    if (name == QLatin1String("a4"))
        return Paper::A4;
    if (name == QLatin1String("letter"))
        return Paper::Letter;
    return Error{Tr::tr("unknown paper size “%1”").arg(text), Tr::tr("use a4 or letter"), {}};
}

Result<QStringList> writeReports(const ReportModel &model, const ReportOptions &options)
{
    const QDir folder(options.folder);
    if (!folder.exists() && !QDir().mkpath(folder.absolutePath()))
        return Error{Tr::tr("cannot create the folder %1").arg(folder.absolutePath()),
                     Tr::tr("check the path and its permissions"),
                     {}};

    QStringList written;
    for (Format format : options.formats) {
        const QString path =
            folder.filePath(options.baseName + QLatin1Char('.') + formatName(format));
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return Error{Tr::tr("cannot write %1: %2").arg(path, file.errorString()),
                         Tr::tr("check the folder's permissions and free space"),
                         {}};
        Status status = Done{};
        switch (format) {
        case Format::Pdf:
            status = writePdf(model, file, options.paper);
            break;
        case Format::Html:
            status = writeHtml(model, file);
            break;
        case Format::Csv:
            status = writeCsv(model, file);
            break;
        case Format::Json:
            status = writeJson(model, file);
            break;
        }
        if (!status) {
            file.cancelWriting();
            return status.error();
        }
        if (!file.commit())
            return Error{Tr::tr("cannot write %1: %2").arg(path, file.errorString()),
                         Tr::tr("check the folder's permissions and free space"),
                         {}};
        written.append(path);
    }
    return written;
}

} // namespace rae::report
