#pragma once

#include "common/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// nvidia-smi as run through the QEMU guest agent. Columns it cannot report ([N/A] under MIG,
// [Not Supported] for power on some cards) are gaps, never zeros.
namespace rae::monitor {

struct GpuSample
{
    int index = 0;
    QString name;
    QString uuid;
    std::optional<double> utilizationGpu;    // percent
    std::optional<double> utilizationMemory; // percent
    std::optional<double> memoryUsedMiB;
    std::optional<double> memoryTotalMiB;
    std::optional<double> temperatureC;
    std::optional<double> powerW;
    friend bool operator==(const GpuSample &, const GpuSample &) = default;
};

// The argv to run in the guest (one element per argument: the agent takes an array); its column
// order is the one parseNvidiaSmiCsv() expects.
QStringList nvidiaSmiCommand();

// Parses `--format=csv,noheader,nounits` output: one line per GPU; blank and `#` lines skipped.
Result<QList<GpuSample>> parseNvidiaSmiCsv(const QString &output);

enum class GpuTelemetryState
{
    Ok,
    DriverNotRunning, // nvidia-smi exists but cannot reach the driver (exit 9)
    NotInstalled,     // no nvidia-smi in the guest
    Failed,           // anything else; `detail` has stderr
};

struct GpuTelemetry
{
    GpuTelemetryState state = GpuTelemetryState::Ok;
    QList<GpuSample> gpus;
    QString message; // for people; one line, so it can be shown once rather than every poll
    QString detail;  // stderr or the parse error
};

// Judges one run from its exit code and output (exec-status `exitcode`, `out-data`, `err-data`).
GpuTelemetry interpretNvidiaSmi(int exitCode, const QString &out, const QString &err);

} // namespace rae::monitor
