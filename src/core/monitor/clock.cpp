#include "monitor/clock.h"

#include <QDateTime>

namespace rae::monitor {

SystemClock::SystemClock()
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::CoarseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, &m_context, [this] {
        if (auto wake = std::exchange(m_wake, nullptr))
            wake();
    });
}

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

void SystemClock::wakeAt(qint64 atMs, std::function<void()> wake)
{
    m_wake = std::move(wake);
    m_timer.start(int(std::clamp<qint64>(atMs - nowMs(), 0, 24 * 3600 * 1000)));
}

} // namespace rae::monitor
