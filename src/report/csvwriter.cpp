#include "reportwriter.h"

#include <QCoreApplication>
#include <QDate>
#include <QIODevice>

#include <charconv>
#include <cmath>

namespace rae::report {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::report::CsvWriter)
};

void appendField(QByteArray &line, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    if (!utf8.contains(',') && !utf8.contains('"') && !utf8.contains('\n') &&
        !utf8.contains('\r')) {
        line += utf8;
        return;
    }
    line += '"';
    for (char c : utf8) {
        if (c == '"')
            line += '"';
        line += c;
    }
    line += '"';
}

void appendDigits(char *at, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        at[i] = char('0' + value % 10);
        value /= 10;
    }
}

// ISO 8601 UTC with milliseconds, as MetricStore::exportCsv writes it. A day of 1 s points is
// 86 400 rows per series: QDateTime::toString per row would be most of the report's time, so
// the date part is formatted once per day and the rest by hand.
class TimeFormatter final
{
public:
    void append(QByteArray &line, qint64 ms)
    {
        const qint64 day = ms >= 0 ? ms / kDayMs : (ms - kDayMs + 1) / kDayMs;
        if (day != m_day || m_datePrefix.isEmpty()) {
            m_day = day;
            m_datePrefix = QDate(1970, 1, 1).addDays(day).toString(Qt::ISODate).toLatin1() + 'T';
        }
        const qint64 inDay = ms - day * kDayMs;
        char text[13] = "00:00:00.000";
        appendDigits(text, int(inDay / 3'600'000), 2);
        appendDigits(text + 3, int(inDay / 60'000 % 60), 2);
        appendDigits(text + 6, int(inDay / 1000 % 60), 2);
        appendDigits(text + 9, int(inDay % 1000), 3);
        line += m_datePrefix;
        line.append(text, 12);
        line += 'Z';
    }

private:
    static constexpr qint64 kDayMs = 86'400'000;
    qint64 m_day = 0;
    QByteArray m_datePrefix;
};

} // namespace

Status writeCsv(const ReportModel &model, QIODevice &out)
{
    const auto failed = [&out] {
        return Error{Tr::tr("cannot write the CSV: %1").arg(out.errorString()), {}, {}};
    };
    if (out.write("time,metric,subject,value\n") < 0)
        return failed();

    TimeFormatter time;
    for (const Series &series : model.series) {
        QByteArray prefix;
        appendField(prefix, series.metric);
        prefix += ',';
        appendField(prefix, series.subject);
        prefix += ',';

        QByteArray block;
        block.reserve(series.points.size() * (34 + prefix.size()));
        for (const QPointF &point : series.points) {
            if (std::isnan(point.y()))
                continue; // a gap in the series, not a value
            time.append(block, qint64(point.x()));
            block += ',';
            block += prefix;
            // Native points are stored as floats: their shortest float form is exact and half
            // as long as the double's.
            char number[32];
            const float single = float(point.y());
            const auto result = double(single) == point.y()
                                    ? std::to_chars(number, number + sizeof number, single)
                                    : std::to_chars(number, number + sizeof number, point.y());
            block.append(number, result.ptr - number);
            block += '\n';
        }
        if (out.write(block) < 0)
            return failed();
    }
    return Done{};
}

} // namespace rae::report
