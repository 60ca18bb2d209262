#pragma once

#include "common/result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace rae {

// A Proxmox calendar event, the schedule syntax of replication and backup jobs:
// `[WEEKDAY[..WEEKDAY][,…]] [[YEAR-]MONTH-DAY] [HOUR:]MINUTE[:SECOND]` with `*`, lists, ranges
// (`a..b`) and repetitions (`a/step`), or a keyword such as `daily` or `hourly`. A lone
// minute spec (`*/15`) repeats every hour. Minutes are the finest step we model.
class CalendarEvent
{
public:
    static Result<CalendarEvent> parse(const QString &text);

    // The first time strictly after `after` that matches, in `after`'s time zone; empty if none
    // in the next four years (such as `02-30`).
    std::optional<QDateTime> nextAfter(const QDateTime &after) const;

    // The longest gap between two runs over a year from `reference`: how late a job on this
    // schedule can be before it is late. Empty when the event never fires.
    std::optional<qint64> longestIntervalSeconds(const QDateTime &reference) const;

    QString text() const { return m_text; }

private:
    QString m_text;
    QList<int> m_weekdays; // 1 (Monday) .. 7, sorted, never empty
    QList<int> m_years;    // empty: every year
    QList<int> m_months;   // 1..12
    QList<int> m_days;     // 1..31
    QList<int> m_hours;    // 0..23
    QList<int> m_minutes;  // 0..59
};

} // namespace rae
