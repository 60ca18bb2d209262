#pragma once

#include "common/result.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

// The Prometheus text exposition format (0.0.4), as DCGM exporter, nvidia_gpu_exporter, vLLM and
// the RAE API's /metrics write it. Debian packages no parser for it (prometheus-cpp only
// writes it), so this is one, following the format's grammar: comments, HELP and TYPE, labels
// with escaped values, optional timestamps, NaN and the infinities.
namespace rae::monitor {

enum class PromType
{
    Untyped,
    Counter,
    Gauge,
    Histogram,
    Summary,
};

struct PromSample
{
    QString name;                              // as written, with any _bucket/_sum/_count suffix
    QList<std::pair<QString, QString>> labels; // in the order written
    double value = 0.0;
    std::optional<qint64> timestampMs;

    // The value of label `name`, or an empty string when there is none.
    QString label(QLatin1StringView name) const;
};

struct PromFamily
{
    QString name;
    QString help;
    PromType type = PromType::Untyped;
    QList<PromSample> samples;
};

struct PromScrape
{
    QList<PromFamily> families;

    const PromFamily *family(QLatin1StringView name) const;
    // Every sample named exactly `name`, whatever family it is filed under.
    QList<PromSample> samples(QLatin1StringView name) const;
};

Result<PromScrape> parsePrometheusText(QByteArrayView text);

} // namespace rae::monitor
