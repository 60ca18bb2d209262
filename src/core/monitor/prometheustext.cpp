#include "monitor/prometheustext.h"

#include <QCoreApplication>
#include <QHash>

#include <cmath>
#include <limits>

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::PrometheusText)
};

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

// A cursor over one line; every step reports failure instead of throwing.
class LineReader
{
public:
    explicit LineReader(QByteArrayView line)
        : m_line(line)
    {}

    bool atEnd() const { return m_pos >= m_line.size(); }
    char peek() const { return atEnd() ? '\0' : m_line.at(m_pos); }
    void skipBlanks()
    {
        while (!atEnd() && isBlank(m_line.at(m_pos)))
            ++m_pos;
    }
    bool consume(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    // Label names may not hold ':'; metric names may.
    QByteArrayView name(bool allowColon)
    {
        const qsizetype start = m_pos;
        if (atEnd() || !isNameStart(m_line.at(m_pos)) || (!allowColon && m_line.at(m_pos) == ':'))
            return {};
        ++m_pos;
        while (!atEnd() && isNameChar(m_line.at(m_pos)) && (allowColon || m_line.at(m_pos) != ':'))
            ++m_pos;
        return m_line.sliced(start, m_pos - start);
    }
    QByteArrayView word()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && !isBlank(m_line.at(m_pos)))
            ++m_pos;
        return m_line.sliced(start, m_pos - start);
    }
    QByteArrayView rest() const { return m_line.sliced(std::min(m_pos, m_line.size())); }

    // A double-quoted label value with \\, \" and \n escapes. An unknown escape keeps both
    // characters: exporters in the field write them, and Prometheus itself accepts them.
    std::optional<QString> quoted()
    {
        if (!consume('"'))
            return std::nullopt;
        QByteArray value;
        while (!atEnd()) {
            const char c = m_line.at(m_pos++);
            if (c == '"')
                return QString::fromUtf8(value);
            if (c != '\\') {
                value += c;
                continue;
            }
            if (atEnd())
                return std::nullopt;
            const char escaped = m_line.at(m_pos++);
            if (escaped == 'n')
                value += '\n';
            else if (escaped == '\\' || escaped == '"')
                value += escaped;
            else
                value += QByteArrayView("\\") + QByteArrayView(&escaped, 1);
        }
        return std::nullopt;
    }

private:
    QByteArrayView m_line;
    qsizetype m_pos = 0;
};

std::optional<double> parseValue(QByteArrayView word)
{
    if (word == "NaN" || word == "nan")
        return std::numeric_limits<double>::quiet_NaN();
    if (word == "+Inf" || word == "Inf" || word == "+inf" || word == "inf")
        return std::numeric_limits<double>::infinity();
    if (word == "-Inf" || word == "-inf")
        return -std::numeric_limits<double>::infinity();
    bool ok = false;
    const double value = word.toByteArray().toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return value;
}

QString unescapeHelp(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '\\' && i + 1 < text.size()) {
            const char next = text.at(i + 1);
            if (next == 'n') {
                out += '\n';
                ++i;
                continue;
            }
            if (next == '\\') {
                out += '\\';
                ++i;
                continue;
            }
        }
        out += c;
    }
    return QString::fromUtf8(out);
}

std::optional<PromType> typeFromWord(QByteArrayView word)
{
    if (word == "counter")
        return PromType::Counter;
    if (word == "gauge")
        return PromType::Gauge;
    if (word == "histogram")
        return PromType::Histogram;
    if (word == "summary")
        return PromType::Summary;
    if (word == "untyped" || word == "unknown")
        return PromType::Untyped;
    return std::nullopt;
}

// The family a sample belongs to: its own name, or the name without the suffix that its type
// adds (histogram buckets, summary and histogram sums and counts, OpenMetrics counter totals).
QString familyNameOf(const QString &sample, const QHash<QString, qsizetype> &index,
                     const QList<PromFamily> &families)
{
    if (index.contains(sample))
        return sample;
    static const QLatin1StringView suffixes[] = {
        QLatin1StringView("_bucket"), QLatin1StringView("_sum"), QLatin1StringView("_count"),
        QLatin1StringView("_total"), QLatin1StringView("_created")};
    for (QLatin1StringView suffix : suffixes) {
        if (!sample.endsWith(suffix))
            continue;
        const QString base = sample.chopped(suffix.size());
        const auto it = index.constFind(base);
        if (it == index.constEnd())
            continue;
        const PromType type = families.at(*it).type;
        const bool fits =
            (type == PromType::Histogram || type == PromType::Summary)
                ? suffix != QLatin1StringView("_total")
                : type == PromType::Counter && (suffix == QLatin1StringView("_total") ||
                                                suffix == QLatin1StringView("_created"));
        if (fits)
            return base;
    }
    return sample;
}

} // namespace

QString PromSample::label(QLatin1StringView labelName) const
{
    for (const auto &[key, text] : labels) {
        if (key == labelName)
            return text;
    }
    return {};
}

const PromFamily *PromScrape::family(QLatin1StringView name) const
{
    for (const PromFamily &candidate : families) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

QList<PromSample> PromScrape::samples(QLatin1StringView name) const
{
    QList<PromSample> found;
    for (const PromFamily &candidate : families) {
        for (const PromSample &sample : candidate.samples) {
            if (sample.name == name)
                found.append(sample);
        }
    }
    return found;
}

Result<PromScrape> parsePrometheusText(QByteArrayView text)
{
    PromScrape scrape;
    QHash<QString, qsizetype> index; // family name -> position in scrape.families
    auto familyAt = [&](const QString &name) -> PromFamily & {
        auto it = index.constFind(name);
        if (it == index.constEnd()) {
            it = index.insert(name, scrape.families.size());
            scrape.families.append(PromFamily{name, {}, PromType::Untyped, {}});
        }
        return scrape.families[*it];
    };
    auto failure = [](int lineNumber, const QString &what) {
        return Error{Tr::tr("Prometheus text line %1: %2").arg(lineNumber).arg(what),
                     Tr::tr("is this URL a Prometheus metrics endpoint?"),
                     {}};
    };

    int lineNumber = 0;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        QByteArrayView line = text.sliced(start, end - start);
        start = end + 1;
        ++lineNumber;
        if (line.endsWith('\r'))
            line.chop(1);

        LineReader reader(line);
        reader.skipBlanks();
        if (reader.atEnd())
            continue;

        if (reader.consume('#')) {
            reader.skipBlanks();
            const QByteArrayView keyword = reader.word();
            if (keyword != "HELP" && keyword != "TYPE")
                continue; // an ordinary comment
            reader.skipBlanks();
            const QByteArrayView name = reader.name(true);
            if (name.isEmpty())
                return failure(
                    lineNumber,
                    Tr::tr("%1 without a metric name").arg(QString::fromLatin1(keyword)));
            PromFamily &family = familyAt(QString::fromLatin1(name));
            reader.skipBlanks();
            if (keyword == "HELP") {
                family.help = unescapeHelp(reader.rest());
                continue;
            }
            const auto type = typeFromWord(reader.word().trimmed());
            if (!type)
                return failure(lineNumber, Tr::tr("unknown metric type"));
            if (!family.samples.isEmpty())
                return failure(lineNumber, Tr::tr("TYPE of %1 after its samples").arg(family.name));
            family.type = *type;
            continue;
        }

        PromSample sample;
        const QByteArrayView name = reader.name(true);
        if (name.isEmpty())
            return failure(lineNumber, Tr::tr("a sample must start with a metric name"));
        sample.name = QString::fromLatin1(name);
        reader.skipBlanks();
        if (reader.consume('{')) {
            for (;;) {
                reader.skipBlanks();
                if (reader.consume('}'))
                    break;
                const QByteArrayView labelName = reader.name(false);
                if (labelName.isEmpty())
                    return failure(lineNumber, Tr::tr("bad label name"));
                reader.skipBlanks();
                if (!reader.consume('='))
                    return failure(lineNumber, Tr::tr("a label needs “=”"));
                reader.skipBlanks();
                auto value = reader.quoted();
                if (!value)
                    return failure(lineNumber, Tr::tr("a label value must be in double quotes"));
                sample.labels.append({QString::fromLatin1(labelName), *value});
                reader.skipBlanks();
                if (reader.consume('}'))
                    break;
                if (!reader.consume(','))
                    return failure(lineNumber, Tr::tr("labels are separated by commas"));
            }
            reader.skipBlanks();
        }
        const auto value = parseValue(reader.word());
        if (!value)
            return failure(lineNumber, Tr::tr("bad sample value"));
        sample.value = *value;
        reader.skipBlanks();
        if (!reader.atEnd()) {
            bool ok = false;
            const qint64 timestamp = reader.word().toByteArray().toLongLong(&ok);
            reader.skipBlanks();
            if (!ok || !reader.atEnd())
                return failure(lineNumber, Tr::tr("bad timestamp"));
            sample.timestampMs = timestamp;
        }
        familyAt(familyNameOf(sample.name, index, scrape.families)).samples.append(sample);
    }
    return scrape;
}

} // namespace rae::monitor
