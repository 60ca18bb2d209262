#pragma once

#include "monitor/nvidiasmi.h"
#include "monitor/prometheustext.h"

#include <QList>
#include <QString>

#include <optional>

// The figures monitoring takes from a scraped Prometheus endpoint: GPUs as DCGM exporter or
// nvidia_gpu_exporter name them, and request latency from a duration histogram (the RAE API's
// `rae_http_request_duration_seconds`, vLLM's `vllm:e2e_request_latency_seconds`).
namespace rae::monitor {

// A histogram's running totals; latency over a window is the difference of two of these.
struct LatencyTotals
{
    QString histogram; // the family name without _sum/_count
    double sumSeconds = 0.0;
    double count = 0.0;
    friend bool operator==(const LatencyTotals &, const LatencyTotals &) = default;
};

struct PrometheusReadings
{
    QList<GpuSample> gpus; // index from the `gpu` label (DCGM) or the order of `uuid`s
    std::optional<LatencyTotals> latency;
};

// Which request-duration histograms are read, first found wins.
QStringList latencyHistogramNames();

PrometheusReadings readPrometheusMetrics(const PromScrape &scrape);

// Mean request latency in ms between two scrapes; empty when no request finished in between or
// a counter went back (the process restarted).
std::optional<double> meanLatencyMs(const LatencyTotals &before, const LatencyTotals &after);

} // namespace rae::monitor
