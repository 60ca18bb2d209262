#include "common/calendarevent.h"

#include <QCoreApplication>
#include <QTimeZone>

#include <algorithm>

namespace rae {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::CalendarEvent)
};

Error invalid(const QString &event, const QString &why)
{
    return Error{Tr::tr("“%1” is not a Proxmox calendar event: %2").arg(event, why),
                 Tr::tr("write it as Proxmox does, such as “*/15”, “02:30”, “mon..fri 22:00” or "
                        "“daily”"),
                 {}};
}

// One component such as `*`, `5`, `1,15`, `8..18` or `0/15` over [low, high].
Result<QList<int>> parseComponent(const QString &event, const QString &spec, int low, int high,
                                  const QString &what)
{
    QList<int> values;
    for (const QString &part : spec.split(QLatin1Char(','))) {
        QString range = part;
        int step = 1;
        if (const qsizetype slash = part.indexOf(QLatin1Char('/')); slash >= 0) {
            bool ok = false;
            step = part.mid(slash + 1).toInt(&ok);
            if (!ok || step <= 0)
                return invalid(event,
                               Tr::tr("“%1” is not a repetition step").arg(part.mid(slash + 1)));
            range = part.left(slash);
        }

        int first = low;
        int last = high;
        if (range != QLatin1String("*")) {
            const qsizetype dots = range.indexOf(QLatin1String(".."));
            bool okFirst = false;
            bool okLast = true;
            first = (dots >= 0 ? range.left(dots) : range).toInt(&okFirst);
            if (dots >= 0)
                last = range.mid(dots + 2).toInt(&okLast);
            else if (step == 1)
                last = first;
            if (!okFirst || !okLast || range.isEmpty())
                return invalid(event, Tr::tr("“%1” is not a valid %2").arg(part, what));
            if (first < low || last > high || first > last) {
                return invalid(
                    event, Tr::tr("%1 “%2” is outside %3..%4").arg(what, part).arg(low).arg(high));
            }
        }
        for (int value = first; value <= last; value += step)
            values.append(value);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

QList<int> span(int low, int high)
{
    QList<int> values;
    for (int value = low; value <= high; ++value)
        values.append(value);
    return values;
}

int weekdayNumber(const QString &name)
{
    static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int index = 0; index < 7; ++index) {
        if (name == QLatin1String(names[index]))
            return index + 1;
    }
    return 0;
}

Result<QList<int>> parseWeekdays(const QString &event, const QString &spec)
{
    QList<int> days;
    for (const QString &part : spec.split(QLatin1Char(','))) {
        const QStringList ends = part.split(QLatin1String(".."));
        const int first = weekdayNumber(ends.first());
        const int last = ends.size() == 2 ? weekdayNumber(ends.last()) : first;
        if (ends.size() > 2 || first == 0 || last == 0)
            return invalid(event, Tr::tr("“%1” is not a weekday or weekday range").arg(part));
        for (int day = first;; day = day % 7 + 1) {
            days.append(day);
            if (day == last)
                break;
        }
    }
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    return days;
}

} // namespace

Result<CalendarEvent> CalendarEvent::parse(const QString &text)
{
    static const QList<std::pair<QString, QString>> keywords{
        {QStringLiteral("minutely"), QStringLiteral("*:*")},
        {QStringLiteral("hourly"), QStringLiteral("*:00")},
        {QStringLiteral("daily"), QStringLiteral("00:00")},
        {QStringLiteral("weekly"), QStringLiteral("mon 00:00")},
        {QStringLiteral("monthly"), QStringLiteral("*-01 00:00")},
        {QStringLiteral("quarterly"), QStringLiteral("01,04,07,10-01 00:00")},
        {QStringLiteral("semiannually"), QStringLiteral("01,07-01 00:00")},
        {QStringLiteral("yearly"), QStringLiteral("01-01 00:00")},
        {QStringLiteral("annually"), QStringLiteral("01-01 00:00")},
    };

    CalendarEvent event;
    event.m_text = text;
    QString spec = text.simplified().toLower();
    for (const auto &[keyword, expansion] : keywords) {
        if (spec == keyword)
            spec = expansion;
    }
    if (spec.isEmpty())
        return invalid(text, Tr::tr("it is empty"));

    event.m_weekdays = span(1, 7);
    event.m_months = span(1, 12);
    event.m_days = span(1, 31);
    event.m_hours = span(0, 23);
    event.m_minutes = {0};

    QStringList words = spec.split(QLatin1Char(' '));
    if (words.first().front().isLetter()) {
        auto weekdays = parseWeekdays(text, words.takeFirst());
        if (!weekdays)
            return weekdays.error();
        event.m_weekdays = *weekdays;
    }
    if (!words.isEmpty() && words.first().contains(QLatin1Char('-'))) {
        QStringList date = words.takeFirst().split(QLatin1Char('-'));
        if (date.size() > 3)
            return invalid(text, Tr::tr("a date has at most a year, a month and a day"));
        if (date.size() == 3) {
            auto years = parseComponent(text, date.takeFirst(), 1970, 2199, Tr::tr("year"));
            if (!years)
                return years.error();
            if (*years != span(1970, 2199))
                event.m_years = *years;
        }
        auto months = date.size() == 2
                          ? parseComponent(text, date.takeFirst(), 1, 12, Tr::tr("month"))
                          : Result<QList<int>>(span(1, 12));
        if (!months)
            return months.error();
        auto days = parseComponent(text, date.takeFirst(), 1, 31, Tr::tr("day"));
        if (!days)
            return days.error();
        event.m_months = *months;
        event.m_days = *days;
    }
    if (!words.isEmpty()) {
        QStringList time = words.takeFirst().split(QLatin1Char(':'));
        if (time.size() > 3)
            return invalid(text, Tr::tr("a time has at most hours, minutes and seconds"));
        if (time.size() == 3) {
            auto seconds = parseComponent(text, time.takeLast(), 0, 59, Tr::tr("second"));
            if (!seconds)
                return seconds.error();
            if (*seconds != QList<int>{0})
                return invalid(text, Tr::tr("schedules finer than a minute are not supported"));
        }
        if (time.size() == 2) {
            auto hours = parseComponent(text, time.takeFirst(), 0, 23, Tr::tr("hour"));
            if (!hours)
                return hours.error();
            event.m_hours = *hours;
        }
        auto minutes = parseComponent(text, time.takeFirst(), 0, 59, Tr::tr("minute"));
        if (!minutes)
            return minutes.error();
        event.m_minutes = *minutes;
    }
    if (!words.isEmpty())
        return invalid(text, Tr::tr("“%1” is left over").arg(words.join(QLatin1Char(' '))));
    return event;
}

std::optional<QDateTime> CalendarEvent::nextAfter(const QDateTime &after) const
{
    const QDateTime start = after.addSecs(60 - after.time().second());
    QDate day = start.date();
    for (int dayIndex = 0; dayIndex < 4 * 366; ++dayIndex, day = day.addDays(1)) {
        if ((!m_years.isEmpty() && !m_years.contains(day.year())) ||
            !m_months.contains(day.month()) || !m_days.contains(day.day()) ||
            !m_weekdays.contains(day.dayOfWeek())) {
            continue;
        }
        const bool firstDay = dayIndex == 0;
        for (int hour : m_hours) {
            if (firstDay && hour < start.time().hour())
                continue;
            for (int minute : m_minutes) {
                const QTime time(hour, minute);
                if (firstDay && time < QTime(start.time().hour(), start.time().minute()))
                    continue;
                return QDateTime(day, time, after.timeZone());
            }
        }
    }
    return std::nullopt;
}

std::optional<qint64> CalendarEvent::longestIntervalSeconds(const QDateTime &reference) const
{
    auto previous = nextAfter(reference);
    if (!previous)
        return std::nullopt;

    qint64 longest = 0;
    const QDateTime end = reference.addDays(366);
    for (int runs = 0; runs < 2000 && *previous < end; ++runs) {
        const auto next = nextAfter(*previous);
        if (!next)
            break;
        longest = std::max(longest, previous->secsTo(*next));
        previous = next;
    }
    // Schedules that fire more often than 2,000 times a year repeat long before that: a
    // shorter sample is enough to see their widest gap.
    return longest;
}

} // namespace rae
