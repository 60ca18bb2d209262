#pragma once

#include <QObject>
#include <QTimer>
#include <QtGlobal>

#include <algorithm>
#include <functional>
#include <utility>

namespace rae::monitor {

// Time and wake-ups for the scheduler and the alert rules, so that tests move time by hand
// instead of sleeping. Times are unix milliseconds.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
    // Calls `wake` once, at or after `atMs`. A new call replaces the pending one.
    virtual void wakeAt(qint64 atMs, std::function<void()> wake) = 0;
};

// The wall clock with one coarse QTimer (idle cost matters more than 5 % accuracy); lives on the
// thread that uses it.
class SystemClock final : public Clock
{
public:
    SystemClock();
    qint64 nowMs() const override;
    void wakeAt(qint64 atMs, std::function<void()> wake) override;

private:
    QObject m_context;
    QTimer m_timer;
    std::function<void()> m_wake;
};

// Time that moves only when told; `advanceTo` runs the wake-up when its time has come.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000)
        : m_now(startMs)
    {}
    qint64 nowMs() const override { return m_now; }
    void wakeAt(qint64 atMs, std::function<void()> wake) override
    {
        m_wakeAt = atMs;
        m_wake = std::move(wake);
    }
    qint64 pendingWake() const { return m_wake ? m_wakeAt : -1; }

    // Steps from wake-up to wake-up, so that each fires at its own time.
    void advanceTo(qint64 targetMs)
    {
        while (m_wake && m_wakeAt <= targetMs) {
            m_now = std::max(m_now, m_wakeAt);
            auto wake = std::exchange(m_wake, nullptr);
            wake();
        }
        m_now = std::max(m_now, targetMs);
    }
    void advanceBy(qint64 ms) { advanceTo(m_now + ms); }

private:
    qint64 m_now;
    qint64 m_wakeAt = -1;
    std::function<void()> m_wake;
};

} // namespace rae::monitor
