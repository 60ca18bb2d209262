#include "common/calendarevent.h"

#include <QTest>
#include <QTimeZone>

using rae::CalendarEvent;

namespace {

QDateTime utc(const char *text)
{
    return QDateTime::fromString(QLatin1String(text), Qt::ISODate);
}

} // namespace

class TestCalendarEvent : public QObject
{
    Q_OBJECT

private slots:
    void findsTheNextRun_data();
    void findsTheNextRun();
    void knowsTheLongestInterval_data();
    void knowsTheLongestInterval();
    void refusesWhatProxmoxRefuses_data();
    void refusesWhatProxmoxRefuses();
};

void TestCalendarEvent::findsTheNextRun_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<QDateTime>("after");
    QTest::addColumn<QDateTime>("next");

    // 2026-12-03 is a Thursday.
    QTest::newRow("every 15 minutes")
        << QStringLiteral("*/15") << utc("2026-12-03T10:07:00Z") << utc("2026-12-03T10:15:00Z");
    QTest::newRow("a run exactly now waits for the next one")
        << QStringLiteral("*/15") << utc("2026-12-03T10:15:00Z") << utc("2026-12-03T10:30:00Z");
    QTest::newRow("daily at a time, later today")
        << QStringLiteral("02:30") << utc("2026-12-03T01:00:00Z") << utc("2026-12-03T02:30:00Z");
    QTest::newRow("daily at a time, tomorrow")
        << QStringLiteral("02:30") << utc("2026-12-03T03:00:00Z") << utc("2026-12-04T02:30:00Z");
    QTest::newRow("weekdays in the evening skip the weekend")
        << QStringLiteral("mon..fri 22:00") << utc("2026-12-04T23:00:00Z")
        << utc("2026-12-07T22:00:00Z");
    QTest::newRow("the daily keyword")
        << QStringLiteral("daily") << utc("2026-12-03T10:00:00Z") << utc("2026-12-04T00:00:00Z");
    QTest::newRow("the hourly keyword")
        << QStringLiteral("hourly") << utc("2026-12-03T10:00:00Z") << utc("2026-12-03T11:00:00Z");
    QTest::newRow("the weekly keyword is Monday")
        << QStringLiteral("weekly") << utc("2026-12-03T10:00:00Z") << utc("2026-12-07T00:00:00Z");
    QTest::newRow("the monthly keyword")
        << QStringLiteral("monthly") << utc("2026-12-03T10:00:00Z") << utc("2027-01-01T00:00:00Z");
    QTest::newRow("hour repetition")
        << QStringLiteral("0/6:00") << utc("2026-12-03T07:00:00Z") << utc("2026-12-03T12:00:00Z");
    QTest::newRow("weekend list") << QStringLiteral("sat,sun 03:00") << utc("2026-12-03T07:00:00Z")
                                  << utc("2026-12-05T03:00:00Z");
}

void TestCalendarEvent::findsTheNextRun()
{
    QFETCH(QString, event);
    QFETCH(QDateTime, after);
    QFETCH(QDateTime, next);
    const auto parsed = CalendarEvent::parse(event);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    QCOMPARE(parsed->nextAfter(after), next);
}

void TestCalendarEvent::knowsTheLongestInterval_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("every 15 minutes") << QStringLiteral("*/15") << qint64(15 * 60);
    QTest::newRow("daily") << QStringLiteral("02:30") << qint64(24 * 3600);
    QTest::newRow("weekdays leave a weekend gap")
        << QStringLiteral("mon..fri 22:00") << qint64(3 * 24 * 3600);
    QTest::newRow("minutes 0 and 45 leave a 45 minute gap")
        << QStringLiteral("*:0,45") << qint64(45 * 60);
}

void TestCalendarEvent::knowsTheLongestInterval()
{
    QFETCH(QString, event);
    QFETCH(qint64, seconds);
    const auto parsed = CalendarEvent::parse(event);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->longestIntervalSeconds(utc("2026-12-03T00:00:00Z")), seconds);
}

void TestCalendarEvent::refusesWhatProxmoxRefuses_data()
{
    QTest::addColumn<QString>("event");
    QTest::newRow("a word") << QStringLiteral("sometimes");
    QTest::newRow("an hour past 23") << QStringLiteral("25:00");
    QTest::newRow("a minute past 59") << QStringLiteral("10:61");
    QTest::newRow("a zero step") << QStringLiteral("*/0");
    QTest::newRow("an unknown weekday") << QStringLiteral("funday 10:00");
    QTest::newRow("trailing words") << QStringLiteral("10:00 please");
    QTest::newRow("an empty schedule") << QString();
    QTest::newRow("seconds") << QStringLiteral("10:00:30");
}

void TestCalendarEvent::refusesWhatProxmoxRefuses()
{
    QFETCH(QString, event);
    const auto parsed = CalendarEvent::parse(event);
    QVERIFY(!parsed.ok());
    QVERIFY(parsed.error().message.contains(QStringLiteral("calendar event")));
}

QTEST_GUILESS_MAIN(TestCalendarEvent)
#include "tst_calendarevent.moc"
