#pragma once

#include <chrono>

namespace rae::sim {

// The simulated wall clock. Simulated time runs `scale` times faster than real time and can be
// pushed forward, so that tasks, fencing, replication schedules and ticket expiry can be tested
// without waiting. Lives on the server's I/O thread like everything else of the cluster.
class SimClock final
{
public:
    using Steady = std::chrono::steady_clock;

    explicit SimClock(double scale = 1.0)
        : m_scale(scale)
        , m_anchorReal(Steady::now())
        , m_anchorSim(realEpochSeconds())
    {}

    // Seconds since the Unix epoch, in simulated time.
    double now() const
    {
        const std::chrono::duration<double> elapsed = Steady::now() - m_anchorReal;
        return m_anchorSim + elapsed.count() * m_scale;
    }
    long long nowSeconds() const { return static_cast<long long>(now()); }

    double scale() const { return m_scale; }
    void setScale(double scale)
    {
        m_anchorSim = now();
        m_anchorReal = Steady::now();
        m_scale = scale;
    }
    void advance(double seconds) { m_anchorSim += seconds; }

    // How long to wait in real time for `simSeconds` of simulated time to pass.
    Steady::duration realDelay(double simSeconds) const
    {
        const double real = simSeconds / m_scale;
        return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(real));
    }

    static double realEpochSeconds()
    {
        const std::chrono::duration<double> since =
            std::chrono::system_clock::now().time_since_epoch();
        return since.count();
    }

private:
    double m_scale;
    Steady::time_point m_anchorReal;
    double m_anchorSim;
};

} // namespace rae::sim
