#include "monitor/metricstore.h"

#include "monitor/lttb.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QDateTime>
#include <QFile>
#include <QIODevice>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::MetricStore)
};

struct NativePoint
{
    qint64 timeMs;
    double value;
};

// As a native point is stored: milliseconds after its chunk's base time and a float, which
// keeps six significant digits (a latency of 1234.56 ms, a lag of 86,400 s to the second).
struct PackedPoint
{
    quint32 offsetMs;
    float value;
};
static_assert(sizeof(PackedPoint) == 8);

// Unix seconds in 32 bits last until 2106; floats keep six significant digits, plenty for a
// chart of the past month.
struct AggregatePoint
{
    quint32 startS;
    float min;
    float max;
    float avg;
};
static_assert(sizeof(AggregatePoint) == 16);

constexpr char kMagic[8] = {'R', 'A', 'E', 'M', 'E', 'T', 'R', 'S'};
constexpr quint32 kFormatVersion = 1;
constexpr quint32 kByteOrderMark = 0x01020304;

// Points in fixed chunks: appending never moves old points, expiring frees whole chunks, and
// the slack is at most one partly filled chunk at each end.
template<typename P>
class ChunkedPoints
{
public:
    static constexpr qsizetype kChunk = 256;

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    const P &at(qsizetype i) const
    {
        const qsizetype slot = m_first + i;
        return m_chunks[size_t(slot / kChunk)][size_t(slot % kChunk)];
    }
    const P &last() const { return at(m_size - 1); }

    void push(const P &point)
    {
        const qsizetype slot = m_first + m_size;
        if (slot / kChunk >= qsizetype(m_chunks.size()))
            m_chunks.push_back(std::make_unique_for_overwrite<P[]>(size_t(kChunk)));
        m_chunks[size_t(slot / kChunk)][size_t(slot % kChunk)] = point;
        ++m_size;
    }

    void dropFront(qsizetype count)
    {
        count = std::min(count, m_size);
        m_first += count;
        m_size -= count;
        const auto freeChunks = size_t(m_first / kChunk);
        if (freeChunks > 0) {
            m_chunks.erase(m_chunks.begin(), m_chunks.begin() + qsizetype(freeChunks));
            m_first -= qsizetype(freeChunks) * kChunk;
        }
        if (m_size == 0) {
            m_chunks.clear();
            m_first = 0;
        }
    }

    // The first index whose key is not below `key`.
    template<typename KeyOf>
    qsizetype lowerBound(qint64 key, KeyOf keyOf) const
    {
        qsizetype low = 0;
        qsizetype high = m_size;
        while (low < high) {
            const qsizetype mid = low + (high - low) / 2;
            if (keyOf(at(mid)) < key)
                low = mid + 1;
            else
                high = mid;
        }
        return low;
    }

    qint64 allocatedBytes() const { return qint64(m_chunks.size()) * kChunk * qint64(sizeof(P)); }

private:
    std::vector<std::unique_ptr<P[]>> m_chunks;
    qsizetype m_first = 0;
    qsizetype m_size = 0;
};

// Native points in fixed chunks, each with its own base time so that a point needs 8 bytes.
class NativePoints
{
public:
    static constexpr qsizetype kChunk = 2048;

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    NativePoint at(qsizetype i) const
    {
        const qsizetype slot = m_first + i;
        const Chunk &chunk = m_chunks[size_t(slot / kChunk)];
        const PackedPoint &point = chunk.points[size_t(slot % kChunk)];
        return {chunk.baseMs + qint64(point.offsetMs), double(point.value)};
    }

    void push(const NativePoint &point)
    {
        const qsizetype slot = m_first + m_size;
        if (slot / kChunk >= qsizetype(m_chunks.size())) {
            m_chunks.push_back(
                {point.timeMs, std::make_unique_for_overwrite<PackedPoint[]>(size_t(kChunk))});
        }
        Chunk &chunk = m_chunks[size_t(slot / kChunk)];
        if (point.timeMs - chunk.baseMs > qint64(std::numeric_limits<quint32>::max()))
            rebase(slot / kChunk, point.timeMs);
        chunk.points[size_t(slot % kChunk)] = {quint32(point.timeMs - chunk.baseMs),
                                               float(point.value)};
        ++m_size;
    }

    void dropFront(qsizetype count)
    {
        count = std::min(count, m_size);
        m_first += count;
        m_size -= count;
        const auto freeChunks = size_t(m_first / kChunk);
        if (freeChunks > 0) {
            m_chunks.erase(m_chunks.begin(), m_chunks.begin() + qsizetype(freeChunks));
            m_first -= qsizetype(freeChunks) * kChunk;
        }
        if (m_size == 0) {
            m_chunks.clear();
            m_first = 0;
        }
    }

    // Points [first, end) as chart points, chunk by chunk: the tight loop of a redraw.
    void copyRange(qsizetype first, qsizetype end, QPointF *out) const
    {
        for (qsizetype slot = m_first + first; slot < m_first + end;) {
            const Chunk &chunk = m_chunks[size_t(slot / kChunk)];
            const qsizetype stop = std::min(m_first + end, (slot / kChunk + 1) * kChunk);
            const PackedPoint *points = chunk.points.get();
            const double base = double(chunk.baseMs);
            for (; slot < stop; ++slot, ++out) {
                const PackedPoint &point = points[slot % kChunk];
                *out = QPointF(base + double(point.offsetMs), double(point.value));
            }
        }
    }

    qsizetype lowerBound(qint64 timeMs) const
    {
        qsizetype low = 0;
        qsizetype high = m_size;
        while (low < high) {
            const qsizetype mid = low + (high - low) / 2;
            if (at(mid).timeMs < timeMs)
                low = mid + 1;
            else
                high = mid;
        }
        return low;
    }

    qint64 allocatedBytes() const
    {
        return qint64(m_chunks.size()) *
               (kChunk * qint64(sizeof(PackedPoint)) + qint64(sizeof(Chunk)));
    }

private:
    struct Chunk
    {
        qint64 baseMs;
        std::unique_ptr<PackedPoint[]> points;
    };

    // Only sparse series (a point a day for weeks) get here: the chunk's live points are all
    // within the retention of the new one, so they fit again after the base moves up.
    void rebase(qsizetype chunkIndex, qint64 newestMs)
    {
        Chunk &chunk = m_chunks[size_t(chunkIndex)];
        const qsizetype firstSlot = chunkIndex == 0 ? m_first : 0;
        const qsizetype endSlot = m_first + m_size - chunkIndex * kChunk;
        const qint64 newBase = firstSlot < endSlot
                                   ? chunk.baseMs + qint64(chunk.points[size_t(firstSlot)].offsetMs)
                                   : newestMs;
        for (qsizetype i = 0; i < kChunk; ++i) {
            PackedPoint &point = chunk.points[size_t(i)];
            const qint64 time = chunk.baseMs + qint64(point.offsetMs);
            point.offsetMs = (i >= firstSlot && i < endSlot) ? quint32(time - newBase) : 0;
        }
        chunk.baseMs = newBase;
    }

    std::vector<Chunk> m_chunks;
    qsizetype m_first = 0;
    qsizetype m_size = 0;
};

qint64 aggregateTime(const AggregatePoint &point)
{
    return qint64(point.startS) * 1000;
}

// A bucket still filling; it is shown in charts and saved, and closed by the first point after it.
struct OpenBucket
{
    qint64 startS = -1;
    double min = 0.0;
    double max = 0.0;
    double sum = 0.0;
    qint64 count = 0;

    AggregatePoint closed() const
    {
        return {quint32(startS), float(min), float(max), float(sum / double(count))};
    }
};

struct Tier
{
    qint64 bucketS = 60;
    ChunkedPoints<AggregatePoint> points;
    OpenBucket open;

    void feed(qint64 timeMs, double value, qint64 retentionS)
    {
        if (std::isnan(value))
            return; // a gap stays a gap; it must not poison the bucket's min and max
        const qint64 seconds = timeMs >= 0 ? timeMs / 1000 : (timeMs - 999) / 1000;
        const qint64 start = seconds - ((seconds % bucketS) + bucketS) % bucketS;
        if (open.startS != start) {
            if (open.count > 0) {
                points.push(open.closed());
                const qint64 cutoff = start - retentionS;
                points.dropFront(points.lowerBound(cutoff * 1000, aggregateTime));
            }
            open = OpenBucket{start, value, value, 0.0, 0};
        }
        open.min = std::min(open.min, value);
        open.max = std::max(open.max, value);
        open.sum += value;
        ++open.count;
    }
};

void writeCsvField(QByteArray &line, const QString &field)
{
    if (field.contains(QLatin1Char(',')) || field.contains(QLatin1Char('"')) ||
        field.contains(QLatin1Char('\n')) || field.contains(QLatin1Char('\r'))) {
        QString quoted = field;
        quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
        line += '"' + quoted.toUtf8() + '"';
    } else {
        line += field.toUtf8();
    }
}

template<typename P>
void writePoints(QDataStream &stream, const ChunkedPoints<P> &points)
{
    stream << quint64(points.size());
    for (qsizetype i = 0; i < points.size(); ++i)
        stream.writeRawData(reinterpret_cast<const char *>(&points.at(i)), sizeof(P));
}

template<typename P>
bool readPoints(QDataStream &stream, ChunkedPoints<P> &points, qint64 bytesLeft)
{
    quint64 count = 0;
    stream >> count;
    if (stream.status() != QDataStream::Ok || count > quint64(bytesLeft) / sizeof(P))
        return false;
    for (quint64 i = 0; i < count; ++i) {
        P point;
        if (stream.readRawData(reinterpret_cast<char *>(&point), sizeof(P)) != sizeof(P))
            return false;
        points.push(point);
    }
    return true;
}

// On disk native points keep their full time; the file is rewritten whole, so its size matters
// less than memory's.
void writePoints(QDataStream &stream, const NativePoints &points)
{
    stream << quint64(points.size());
    for (qsizetype i = 0; i < points.size(); ++i) {
        const NativePoint point = points.at(i);
        stream.writeRawData(reinterpret_cast<const char *>(&point), sizeof point);
    }
}

bool readPoints(QDataStream &stream, NativePoints &points, qint64 bytesLeft)
{
    quint64 count = 0;
    stream >> count;
    if (stream.status() != QDataStream::Ok || count > quint64(bytesLeft) / sizeof(NativePoint))
        return false;
    for (quint64 i = 0; i < count; ++i) {
        NativePoint point;
        if (stream.readRawData(reinterpret_cast<char *>(&point), sizeof point) != sizeof point)
            return false;
        points.push(point);
    }
    return true;
}

QDataStream &operator<<(QDataStream &stream, const OpenBucket &bucket)
{
    return stream << bucket.startS << bucket.min << bucket.max << bucket.sum << bucket.count;
}

QDataStream &operator>>(QDataStream &stream, OpenBucket &bucket)
{
    return stream >> bucket.startS >> bucket.min >> bucket.max >> bucket.sum >> bucket.count;
}

} // namespace

struct MetricStore::Series
{
    SeriesKey key;
    NativePoints native;
    Tier minute{60, {}, {}};
    Tier tenMinutes{600, {}, {}};
    qint64 newestMs = std::numeric_limits<qint64>::min();
};

MetricStore::MetricStore(StoreSettings settings)
    : m_settings(settings)
{}

MetricStore::~MetricStore() = default;
MetricStore::MetricStore(MetricStore &&) noexcept = default;
MetricStore &MetricStore::operator=(MetricStore &&) noexcept = default;

QString MetricStore::fileName()
{
    return QStringLiteral("metrics.bin");
}

int MetricStore::seriesId(const SeriesKey &key)
{
    const auto it = m_index.constFind(key);
    if (it != m_index.constEnd())
        return *it;
    const int id = int(m_series.size());
    auto series = std::make_unique<Series>();
    series->key = key;
    m_series.push_back(std::move(series));
    m_index.insert(key, id);
    return id;
}

void MetricStore::append(int id, qint64 timeMs, double value)
{
    Series &series = *m_series.at(size_t(id));
    if (timeMs < series.newestMs)
        return;
    series.newestMs = timeMs;

    // Expire first, so that the chunk the point lands in holds only live neighbours.
    const qint64 cutoff = timeMs - qint64(m_settings.nativeRetention.count()) * 1000;
    if (!series.native.isEmpty() && series.native.at(0).timeMs < cutoff)
        series.native.dropFront(series.native.lowerBound(cutoff));
    series.native.push({timeMs, value});

    series.minute.feed(timeMs, value, m_settings.minuteRetention.count());
    series.tenMinutes.feed(timeMs, value, m_settings.tenMinuteRetention.count());
}

void MetricStore::append(const SeriesKey &key, qint64 timeMs, double value)
{
    append(seriesId(key), timeMs, value);
}

QList<SeriesKey> MetricStore::keys() const
{
    QList<SeriesKey> keys;
    keys.reserve(qsizetype(m_series.size()));
    for (const auto &series : m_series)
        keys.append(series->key);
    return keys;
}

bool MetricStore::contains(const SeriesKey &key) const
{
    return m_index.contains(key);
}

const MetricStore::Series *MetricStore::find(const SeriesKey &key) const
{
    const auto it = m_index.constFind(key);
    return it == m_index.constEnd() ? nullptr : m_series.at(size_t(*it)).get();
}

qint64 MetricStore::newestMs(const SeriesKey &key) const
{
    const Series *series = find(key);
    return series && !series->native.isEmpty() ? series->newestMs : 0;
}

Resolution MetricStore::resolutionFor(const SeriesKey &key, qint64 fromMs) const
{
    const Series *series = find(key);
    if (!series)
        return Resolution::Native;
    const qint64 newest = series->newestMs;
    if (fromMs >= newest - qint64(m_settings.nativeRetention.count()) * 1000)
        return Resolution::Native;
    if (fromMs >= newest - qint64(m_settings.minuteRetention.count()) * 1000)
        return Resolution::Minute;
    return Resolution::TenMinutes;
}

Resolution MetricStore::resolutionForWidth(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                           qsizetype pixels) const
{
    const Resolution covering = resolutionFor(key, fromMs);
    if (pixels <= 0 || toMs <= fromMs)
        return covering;

    // Half a pixel more than one bucket per pixel is still a bucket per pixel to the eye, and it
    // lets a day on a 1,600 px chart (54 s per pixel) read whole minutes.
    const double msPerPixel = double(toMs - fromMs) / double(pixels);
    constexpr double kSlack = 1.5;
    Resolution wanted = Resolution::Native;
    if (msPerPixel * kSlack >= 600'000.0)
        wanted = Resolution::TenMinutes;
    else if (msPerPixel * kSlack >= 60'000.0)
        wanted = Resolution::Minute;
    // The enum runs from fine to coarse after Auto.
    return std::max(wanted, covering);
}

QList<Sample> MetricStore::samples(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                   Resolution resolution) const
{
    QList<Sample> out;
    const Series *series = find(key);
    if (!series || toMs < fromMs)
        return out;
    if (resolution == Resolution::Auto)
        resolution = resolutionFor(key, fromMs);

    if (resolution == Resolution::Native) {
        const auto &native = series->native;
        for (qsizetype i = native.lowerBound(fromMs); i < native.size(); ++i) {
            const NativePoint point = native.at(i);
            if (point.timeMs > toMs)
                break;
            out.append({point.timeMs, point.value, point.value, point.value});
        }
        return out;
    }

    const Tier &tier = resolution == Resolution::Minute ? series->minute : series->tenMinutes;
    for (qsizetype i = tier.points.lowerBound(fromMs, aggregateTime); i < tier.points.size(); ++i) {
        const AggregatePoint &point = tier.points.at(i);
        if (aggregateTime(point) > toMs)
            break;
        out.append({aggregateTime(point), point.avg, point.min, point.max});
    }
    if (tier.open.count > 0) {
        const AggregatePoint open = tier.open.closed();
        if (aggregateTime(open) >= fromMs && aggregateTime(open) <= toMs)
            out.append({aggregateTime(open), open.avg, open.min, open.max});
    }
    return out;
}

QList<QPointF> MetricStore::points(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                   Resolution resolution) const
{
    QList<QPointF> out;
    const Series *series = find(key);
    if (!series)
        return out;
    if (resolution == Resolution::Auto)
        resolution = resolutionFor(key, fromMs);
    if (resolution == Resolution::Native) {
        // The hot path of a chart redraw: no intermediate list.
        const auto &native = series->native;
        const qsizetype first = native.lowerBound(fromMs);
        const qsizetype end = native.lowerBound(toMs + 1);
        out.resize(end - first);
        native.copyRange(first, end, out.data());
        return out;
    }
    const QList<Sample> aggregated = samples(key, fromMs, toMs, resolution);
    out.reserve(aggregated.size());
    for (const Sample &sample : aggregated)
        out.append(QPointF(double(sample.timeMs), sample.value));
    return out;
}

QList<QPointF> MetricStore::thinnedPoints(const SeriesKey &key, qint64 fromMs, qint64 toMs,
                                          qsizetype maxPoints, Resolution resolution) const
{
    const Series *series = find(key);
    if (!series)
        return {};
    if (resolution == Resolution::Auto)
        resolution = resolutionFor(key, fromMs);
    if (resolution != Resolution::Native)
        return lttb(points(key, fromMs, toMs, resolution), maxPoints);

    const NativePoints &native = series->native;
    const qsizetype first = native.lowerBound(fromMs);
    const qsizetype end = native.lowerBound(toMs + 1);
    // Unpacked once into a buffer this thread keeps, since LTTB visits each point twice.
    thread_local std::vector<QPointF> scratch;
    scratch.resize(size_t(end - first));
    native.copyRange(first, end, scratch.data());
    return lttbWith(end - first, maxPoints, [](qsizetype i) { return scratch[size_t(i)]; });
}

qint64 MetricStore::pointCount(Resolution resolution) const
{
    qint64 count = 0;
    for (const auto &series : m_series) {
        switch (resolution) {
        case Resolution::Auto:
        case Resolution::Native:
            count += series->native.size();
            break;
        case Resolution::Minute:
            count += series->minute.points.size();
            break;
        case Resolution::TenMinutes:
            count += series->tenMinutes.points.size();
            break;
        }
    }
    return count;
}

qint64 MetricStore::allocatedBytes() const
{
    qint64 bytes = 0;
    for (const auto &series : m_series) {
        bytes += series->native.allocatedBytes() + series->minute.points.allocatedBytes() +
                 series->tenMinutes.points.allocatedBytes();
    }
    return bytes;
}

Status MetricStore::exportCsv(QIODevice &out, qint64 fromMs, qint64 toMs,
                              Resolution resolution) const
{
    if (out.write("time,metric,subject,value\n") < 0)
        return Error{Tr::tr("cannot write the CSV: %1").arg(out.errorString()), {}, {}};
    for (const auto &series : m_series) {
        const QList<Sample> rows = samples(series->key, fromMs, toMs, resolution);
        QByteArray block;
        for (const Sample &sample : rows) {
            if (std::isnan(sample.value))
                continue;
            block += QDateTime::fromMSecsSinceEpoch(sample.timeMs, Qt::UTC)
                         .toString(Qt::ISODateWithMs)
                         .toUtf8();
            block += ',';
            writeCsvField(block, series->key.metric);
            block += ',';
            writeCsvField(block, series->key.subject);
            block += ',' + QByteArray::number(sample.value, 'g', 10) + '\n';
        }
        if (out.write(block) < 0)
            return Error{Tr::tr("cannot write the CSV: %1").arg(out.errorString()), {}, {}};
    }
    return Done{};
}

Status MetricStore::save(const QDir &folder) const
{
    const QString path = folder.filePath(fileName());
    if (!folder.exists() && !QDir().mkpath(folder.absolutePath())) {
        return Error{Tr::tr("cannot create the folder %1").arg(folder.absolutePath()), {}, {}};
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error{Tr::tr("cannot write %1: %2").arg(path, file.errorString()), {}, {}};
    }
    QDataStream stream(&file);
    stream.setVersion(QDataStream::Qt_6_4);
    stream.writeRawData(kMagic, sizeof kMagic);
    stream << kFormatVersion;
    // Points go out as they lie in memory; the mark tells a reader of another byte order.
    stream.writeRawData(reinterpret_cast<const char *>(&kByteOrderMark), sizeof kByteOrderMark);
    stream << quint32(m_series.size());
    for (const auto &series : m_series) {
        stream << series->key.metric << series->key.subject << series->newestMs;
        writePoints(stream, series->native);
        writePoints(stream, series->minute.points);
        stream << series->minute.open;
        writePoints(stream, series->tenMinutes.points);
        stream << series->tenMinutes.open;
    }
    if (stream.status() != QDataStream::Ok || !file.commit()) {
        return Error{Tr::tr("cannot write %1: %2").arg(path, file.errorString()), {}, {}};
    }
    return Done{};
}

Status MetricStore::load(const QDir &folder)
{
    const QString path = folder.filePath(fileName());
    m_series.clear();
    m_index.clear();
    QFile file(path);
    if (!file.exists())
        return Done{};
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{Tr::tr("cannot read %1: %2").arg(path, file.errorString()), {}, {}};
    }
    const auto damaged = [&] {
        m_series.clear();
        m_index.clear();
        return Error{Tr::tr("%1 is damaged or not a metric history").arg(path),
                     Tr::tr("move it aside to start a new history"),
                     {}};
    };

    QDataStream stream(&file);
    stream.setVersion(QDataStream::Qt_6_4);
    char magic[sizeof kMagic] = {};
    quint32 version = 0;
    quint32 byteOrder = 0;
    quint32 count = 0;
    stream.readRawData(magic, sizeof magic);
    stream >> version;
    stream.readRawData(reinterpret_cast<char *>(&byteOrder), sizeof byteOrder);
    stream >> count;
    if (stream.status() != QDataStream::Ok || !std::equal(magic, magic + sizeof magic, kMagic))
        return damaged();
    if (version != kFormatVersion) {
        return Error{Tr::tr("%1 was written by another version (format %2)").arg(path).arg(version),
                     Tr::tr("move it aside to start a new history"),
                     {}};
    }
    if (byteOrder != kByteOrderMark) {
        return Error{Tr::tr("%1 was written on a machine of another byte order").arg(path), {}, {}};
    }

    for (quint32 i = 0; i < count; ++i) {
        SeriesKey key;
        qint64 newest = 0;
        stream >> key.metric >> key.subject >> newest;
        if (stream.status() != QDataStream::Ok || m_index.contains(key))
            return damaged();
        Series &series = *m_series.at(size_t(seriesId(key)));
        series.newestMs = newest;
        const qint64 left = file.size();
        if (!readPoints(stream, series.native, left))
            return damaged();
        if (!readPoints(stream, series.minute.points, left))
            return damaged();
        stream >> series.minute.open;
        if (!readPoints(stream, series.tenMinutes.points, left))
            return damaged();
        stream >> series.tenMinutes.open;
        if (stream.status() != QDataStream::Ok)
            return damaged();
    }
    return Done{};
}

} // namespace rae::monitor
