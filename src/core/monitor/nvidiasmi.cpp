#include "monitor/nvidiasmi.h"

#include <QCoreApplication>

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::NvidiaSmi)
};

constexpr int kColumns = 9;

// "[N/A]", "[Not Supported]", "N/A" and anything else that is not a number are gaps.
std::optional<double> number(const QString &field)
{
    bool ok = false;
    const double value = field.trimmed().toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

} // namespace

QStringList nvidiaSmiCommand()
{
    return {QStringLiteral("nvidia-smi"),
            QStringLiteral("--query-gpu=index,name,uuid,utilization.gpu,utilization.memory,"
                           "memory.used,memory.total,temperature.gpu,power.draw"),
            QStringLiteral("--format=csv,noheader,nounits")};
}

Result<QList<GpuSample>> parseNvidiaSmiCsv(const QString &output)
{
    QList<GpuSample> gpus;
    int lineNumber = 0;
    for (const QString &rawLine : output.split(QLatin1Char('\n'))) {
        ++lineNumber;
        const QString line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;

        // GPU names contain no commas; the UUID and numbers never do.
        const QStringList fields = line.split(QLatin1Char(','));
        if (fields.size() != kColumns) {
            return Error{Tr::tr("nvidia-smi line %1 has %2 columns, expected %3")
                             .arg(lineNumber)
                             .arg(fields.size())
                             .arg(kColumns),
                         Tr::tr("the guest's nvidia-smi may be too old for the query"),
                         {}};
        }
        const auto index = number(fields.at(0));
        if (!index) {
            return Error{Tr::tr("nvidia-smi line %1 has no GPU index").arg(lineNumber), {}, {}};
        }
        GpuSample gpu;
        gpu.index = int(*index);
        gpu.name = fields.at(1).trimmed();
        gpu.uuid = fields.at(2).trimmed();
        gpu.utilizationGpu = number(fields.at(3));
        gpu.utilizationMemory = number(fields.at(4));
        gpu.memoryUsedMiB = number(fields.at(5));
        gpu.memoryTotalMiB = number(fields.at(6));
        gpu.temperatureC = number(fields.at(7));
        gpu.powerW = number(fields.at(8));
        gpus.append(std::move(gpu));
    }
    return gpus;
}

GpuTelemetry interpretNvidiaSmi(int exitCode, const QString &out, const QString &err)
{
    GpuTelemetry telemetry;
    telemetry.detail = err.trimmed();
    if (exitCode == 9 ||
        err.contains(QLatin1String("couldn't communicate with the NVIDIA driver"))) {
        telemetry.state = GpuTelemetryState::DriverNotRunning;
        telemetry.message = Tr::tr("GPU telemetry unavailable: driver not running in the VM");
        return telemetry;
    }
    if (exitCode == 127 || err.contains(QLatin1String("No such file")) ||
        err.contains(QLatin1String("not found"))) {
        telemetry.state = GpuTelemetryState::NotInstalled;
        telemetry.message =
            Tr::tr("GPU telemetry unavailable: nvidia-smi is not installed in the VM");
        return telemetry;
    }
    if (exitCode != 0) {
        telemetry.state = GpuTelemetryState::Failed;
        telemetry.message =
            Tr::tr("GPU telemetry unavailable: nvidia-smi exited with code %1").arg(exitCode);
        return telemetry;
    }
    auto gpus = parseNvidiaSmiCsv(out);
    if (!gpus) {
        telemetry.state = GpuTelemetryState::Failed;
        telemetry.message = Tr::tr("GPU telemetry unreadable");
        telemetry.detail = gpus.error().message;
        return telemetry;
    }
    telemetry.gpus = std::move(gpus).value();
    return telemetry;
}

} // namespace rae::monitor
