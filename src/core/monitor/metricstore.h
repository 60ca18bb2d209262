#pragma once

#include "common/result.h"

#include <QDir>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

#include <chrono>
#include <memory>
#include <vector>

class QIODevice;

namespace rae::monitor {

// A series is one metric of one subject: ("latency.redis", "redis-1"),
// ("gpu.utilization", "llm-1/gpu0"), ("replication.lag_s", "101-0").
struct SeriesKey
{
    QString metric;
    QString subject;
    friend bool operator==(const SeriesKey &, const SeriesKey &) = default;
};

inline size_t qHash(const SeriesKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.metric, key.subject);
}

enum class Resolution
{
    Auto,       // the finest tier that still covers the start of the asked range
    Native,     // every point as appended
    Minute,     // one-minute min/max/avg
    TenMinutes, // ten-minute min/max/avg
};

struct StoreSettings
{
    std::chrono::seconds nativeRetention{24 * 3600};
    std::chrono::seconds minuteRetention{7 * 24 * 3600};
    std::chrono::seconds tenMinuteRetention{30 * 24 * 3600};
};

// A point as read back. For native points min, max and value are equal; for a coarser tier,
// value is the bucket's average and time its start.
struct Sample
{
    qint64 timeMs = 0;
    double value = 0.0;
    double min = 0.0;
    double max = 0.0;
    friend bool operator==(const Sample &, const Sample &) = default;
};

// Time series in memory, with a file in the application's data folder so that history survives
// a restart. A native point takes 8 bytes (time as an offset in its chunk, value as a float),
// a point of a coarser tier 16 (start, min, max, average).
//
// Native points are kept for 24 h; each append also feeds a one-minute tier (7 days) and a
// ten-minute tier (30 days) of min/max/avg. Points older than a series' newest are dropped:
// a series only moves forward. Not thread-safe; it lives on the thread that polls.
class MetricStore final
{
public:
    explicit MetricStore(StoreSettings settings = {});
    ~MetricStore();
    MetricStore(MetricStore &&) noexcept;
    MetricStore &operator=(MetricStore &&) noexcept;
    MetricStore(const MetricStore &) = delete;
    MetricStore &operator=(const MetricStore &) = delete;

    // A stable handle for appending without a hash lookup per point.
    int seriesId(const SeriesKey &key);
    void append(int series, qint64 timeMs, double value);
    void append(const SeriesKey &key, qint64 timeMs, double value);

    QList<SeriesKey> keys() const;
    bool contains(const SeriesKey &key) const;
    qint64 newestMs(const SeriesKey &key) const; // 0 when the series is empty or unknown

    // Points with fromMs <= time <= toMs, oldest first.
    QList<Sample> samples(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                          Resolution resolution = Resolution::Auto) const;
    // The same as (time, value) pairs, ready for thinning and drawing.
    QList<QPointF> points(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                          Resolution resolution = Resolution::Auto) const;
    // The same thinned by largest-triangle-three-buckets to at most `maxPoints` (a chart's width
    // in pixels), read where the points lie: the redraw after a zoom copies no full range.
    QList<QPointF> thinnedPoints(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                 qsizetype maxPoints,
                                 Resolution resolution = Resolution::Auto) const;
    Resolution resolutionFor(const SeriesKey &key, qint64 fromMs) const;
    // The tier a chart `pixels` wide should read for the range: the coarsest whose bucket is no
    // longer than about one pixel's worth of time, and never finer than the tier that still
    // covers the range's start. A day on 1,600 px reads the minute tier (1,440 points) instead
    // of unpacking 86,400 native points to keep 1,600 of them.
    Resolution resolutionForWidth(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                  qsizetype pixels) const;

    // Points held in `resolution`'s tier over all series, and the bytes allocated for them.
    qint64 pointCount(Resolution resolution) const;
    qint64 allocatedBytes() const;

    // Long format: `time,metric,subject,value`, time in ISO 8601 UTC with milliseconds.
    Status exportCsv(QIODevice &out, qint64 fromMs, qint64 toMs,
                     Resolution resolution = Resolution::Auto) const;

    // One file, `metrics.bin`, written atomically. Loading a folder without one gives an empty
    // store; a damaged or foreign file is an error and leaves the store empty.
    Status save(const QDir &folder) const;
    Status load(const QDir &folder);
    static QString fileName();

private:
    struct Series;
    const Series *find(const SeriesKey &key) const;

    StoreSettings m_settings;
    QHash<SeriesKey, int> m_index;
    std::vector<std::unique_ptr<Series>> m_series;
};

} // namespace rae::monitor
