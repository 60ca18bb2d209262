// A day at one-second resolution for 20 series (1.7 M points): memory per stored point, append
// rate, the time to read and thin every series to a 1,600-pixel chart after a zoom, and the
// history file's save and load.

#include "monitor/lttb.h"
#include "monitor/metricstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace rae::monitor;

namespace {

constexpr int kSeries = 20;
constexpr qint64 kSeconds = 24 * 3600;
constexpr qint64 kStart = 1'700'000'400'000;
constexpr int kPixels = 1600;
constexpr int kRounds = 15;

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    MetricStore store;
    std::vector<SeriesKey> keys;
    std::vector<int> ids;
    for (int s = 0; s < kSeries; ++s) {
        keys.push_back({QStringLiteral("latency.bench"), QStringLiteral("target-%1").arg(s)});
        ids.push_back(store.seriesId(keys.back()));
    }

    QElapsedTimer timer;
    timer.start();
    for (qint64 t = 0; t < kSeconds; ++t) {
        for (int s = 0; s < kSeries; ++s) {
            const double value = 20.0 + 10.0 * std::sin(double(t) / (300.0 + s)) + double(t % 17);
            store.append(ids[size_t(s)], kStart + t * 1000, value);
        }
    }
    const double appendMs = double(timer.nsecsElapsed()) / 1e6;
    const qint64 native = store.pointCount(Resolution::Native);
    const qint64 all =
        native + store.pointCount(Resolution::Minute) + store.pointCount(Resolution::TenMinutes);
    out << "points stored (native): " << native << "\n"
        << "points stored (all tiers): " << all << "\n"
        << "bytes allocated: " << store.allocatedBytes() << "\n"
        << "bytes per stored point: " << double(store.allocatedBytes()) / double(all) << "\n"
        << "append: " << appendMs << " ms (" << appendMs * 1e6 / double(native)
        << " ns per point)\n";

    // A redraw after a zoom: read the visible range of every series and thin it to the width.
    const qint64 newest = kStart + (kSeconds - 1) * 1000;
    std::vector<double> fullDay;
    std::vector<double> lastHour;
    std::vector<double> thinOnly;
    std::vector<double> copyThenThin;
    std::vector<double> fullDayByWidth;
    qsizetype kept = 0;
    for (int round = 0; round < kRounds; ++round) {
        timer.restart();
        for (const SeriesKey &key : keys)
            kept += store.thinnedPoints(key, newest - kSeconds * 1000, newest, kPixels).size();
        fullDay.push_back(double(timer.nsecsElapsed()) / 1e6);

        // What the chart widget does: the tier that the width can show, then LTTB if needed.
        timer.restart();
        for (const SeriesKey &key : keys) {
            const qint64 from = newest - kSeconds * 1000;
            const Resolution tier = store.resolutionForWidth(key, from, newest, kPixels);
            kept += store.thinnedPoints(key, from, newest, kPixels, tier).size();
        }
        fullDayByWidth.push_back(double(timer.nsecsElapsed()) / 1e6);

        timer.restart();
        for (const SeriesKey &key : keys)
            kept += store.thinnedPoints(key, newest - 3600 * 1000, newest, kPixels).size();
        lastHour.push_back(double(timer.nsecsElapsed()) / 1e6);

        timer.restart();
        for (const SeriesKey &key : keys)
            kept += lttb(store.points(key, newest - kSeconds * 1000, newest), kPixels).size();
        copyThenThin.push_back(double(timer.nsecsElapsed()) / 1e6);

        const QList<QPointF> points =
            store.points(keys.front(), newest - kSeconds * 1000, newest, Resolution::Native);
        timer.restart();
        kept += lttb(points, kPixels).size();
        thinOnly.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    out << "redraw of 20 series, 24 h zoom (read + LTTB to " << kPixels
        << " px), median: " << median(fullDay) << " ms\n"
        << "the same reading the tier the width can show, median: " << median(fullDayByWidth)
        << " ms\n"
        << "the same through a copied list, median: " << median(copyThenThin) << " ms\n"
        << "redraw of 20 series, 1 h zoom, median: " << median(lastHour) << " ms\n"
        << "LTTB alone, one series of 86,400 points, median: " << median(thinOnly) << " ms\n";

    QTemporaryDir dir;
    timer.restart();
    const auto saved = store.save(QDir(dir.path()));
    const double saveMs = double(timer.nsecsElapsed()) / 1e6;
    MetricStore loaded;
    timer.restart();
    const auto restored = loaded.load(QDir(dir.path()));
    const double loadMs = double(timer.nsecsElapsed()) / 1e6;
    if (!saved || !restored) {
        out << "save or load failed\n";
        return 1;
    }
    out << "history file: " << QFileInfo(dir.filePath(MetricStore::fileName())).size()
        << " bytes, save " << saveMs << " ms, load " << loadMs << " ms\n"
        << "(checksum " << kept << ")\n";
    return 0;
}
