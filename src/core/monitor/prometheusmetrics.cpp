#include "monitor/prometheusmetrics.h"

#include <QMap>

#include <algorithm>

#include <cmath>

namespace rae::monitor {

namespace {

// Which GPU a sample is about, and a stable order: DCGM numbers them in `gpu`, the nvidia-smi
// exporter names them by `uuid` only.
struct GpuKey
{
    int index = -1;
    QString uuid;
};

GpuKey gpuKey(const PromSample &sample)
{
    bool ok = false;
    const int index = sample.label(QLatin1StringView("gpu")).toInt(&ok);
    QString uuid = sample.label(QLatin1StringView("UUID"));
    if (uuid.isEmpty())
        uuid = sample.label(QLatin1StringView("uuid"));
    return {ok ? index : -1, uuid};
}

class GpuTable
{
public:
    GpuSample &at(const PromSample &sample)
    {
        const GpuKey key = gpuKey(sample);
        const QString id = key.index >= 0 ? QString::number(key.index) : key.uuid;
        auto it = m_gpus.find(id);
        if (it == m_gpus.end()) {
            GpuSample gpu;
            gpu.index = key.index >= 0 ? key.index : int(m_gpus.size());
            gpu.uuid = key.uuid;
            gpu.name = sample.label(QLatin1StringView("modelName"));
            if (gpu.name.isEmpty())
                gpu.name = sample.label(QLatin1StringView("name"));
            it = m_gpus.insert(id, gpu);
        }
        return *it;
    }
    QList<GpuSample> list() const
    {
        QList<GpuSample> out = m_gpus.values();
        std::sort(out.begin(), out.end(),
                  [](const GpuSample &a, const GpuSample &b) { return a.index < b.index; });
        return out;
    }

private:
    QMap<QString, GpuSample> m_gpus;
};

void take(const PromScrape &scrape, const char *name, GpuTable &table,
          std::optional<double> GpuSample::*field, double scale = 1.0)
{
    for (const PromSample &sample : scrape.samples(QLatin1StringView(name))) {
        if (std::isfinite(sample.value))
            table.at(sample).*field = sample.value * scale;
    }
}

} // namespace

QStringList latencyHistogramNames()
{
    return {QStringLiteral("rae_http_request_duration_seconds"),
            QStringLiteral("vllm:e2e_request_latency_seconds"),
            QStringLiteral("http_request_duration_seconds")};
}

PrometheusReadings readPrometheusMetrics(const PromScrape &scrape)
{
    PrometheusReadings readings;
    GpuTable table;
    constexpr double kMiB = 1024.0 * 1024.0;

    // DCGM exporter: percent, MiB, °C, W.
    take(scrape, "DCGM_FI_DEV_GPU_UTIL", table, &GpuSample::utilizationGpu);
    take(scrape, "DCGM_FI_DEV_MEM_COPY_UTIL", table, &GpuSample::utilizationMemory);
    take(scrape, "DCGM_FI_DEV_FB_USED", table, &GpuSample::memoryUsedMiB);
    take(scrape, "DCGM_FI_DEV_GPU_TEMP", table, &GpuSample::temperatureC);
    take(scrape, "DCGM_FI_DEV_POWER_USAGE", table, &GpuSample::powerW);
    // DCGM has no total: used plus free (plus reserved, when it is exported).
    for (const PromSample &free : scrape.samples(QLatin1StringView("DCGM_FI_DEV_FB_FREE"))) {
        GpuSample &gpu = table.at(free);
        double reserved = 0;
        for (const PromSample &other :
             scrape.samples(QLatin1StringView("DCGM_FI_DEV_FB_RESERVED"))) {
            if (gpuKey(other).index == gpuKey(free).index &&
                gpuKey(other).uuid == gpuKey(free).uuid)
                reserved = other.value;
        }
        if (gpu.memoryUsedMiB)
            gpu.memoryTotalMiB = *gpu.memoryUsedMiB + free.value + reserved;
    }

    // nvidia_gpu_exporter: ratios and bytes.
    take(scrape, "nvidia_smi_utilization_gpu_ratio", table, &GpuSample::utilizationGpu, 100.0);
    take(scrape, "nvidia_smi_utilization_memory_ratio", table, &GpuSample::utilizationMemory,
         100.0);
    take(scrape, "nvidia_smi_memory_used_bytes", table, &GpuSample::memoryUsedMiB, 1.0 / kMiB);
    take(scrape, "nvidia_smi_memory_total_bytes", table, &GpuSample::memoryTotalMiB, 1.0 / kMiB);
    take(scrape, "nvidia_smi_temperature_gpu", table, &GpuSample::temperatureC);
    take(scrape, "nvidia_smi_power_draw_watts", table, &GpuSample::powerW);
    readings.gpus = table.list();

    for (const QString &name : latencyHistogramNames()) {
        const QByteArray sumName = name.toLatin1() + QByteArrayLiteral("_sum");
        const QByteArray countName = name.toLatin1() + QByteArrayLiteral("_count");
        const QList<PromSample> sums = scrape.samples(QLatin1StringView(sumName));
        const QList<PromSample> counts = scrape.samples(QLatin1StringView(countName));
        if (sums.isEmpty() || counts.isEmpty())
            continue;
        // Every label set together (all paths and methods): the service's latency as a whole.
        LatencyTotals totals{name, 0.0, 0.0};
        for (const PromSample &sample : sums)
            totals.sumSeconds += sample.value;
        for (const PromSample &sample : counts)
            totals.count += sample.value;
        readings.latency = totals;
        break;
    }
    return readings;
}

std::optional<double> meanLatencyMs(const LatencyTotals &before, const LatencyTotals &after)
{
    if (before.histogram != after.histogram)
        return std::nullopt;
    const double requests = after.count - before.count;
    const double seconds = after.sumSeconds - before.sumSeconds;
    if (requests <= 0 || seconds < 0)
        return std::nullopt;
    return 1000.0 * seconds / requests;
}

} // namespace rae::monitor
