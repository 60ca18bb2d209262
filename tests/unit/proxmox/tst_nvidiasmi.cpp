#include "monitor/nvidiasmi.h"

#include <QFile>
#include <QTest>

using namespace rae::monitor;

namespace {

// The case file holds several separate outputs, each after a "# <n>." comment.
QStringList outputsFromCaseFile()
{
    QFile file(QStringLiteral(RAE_TEST_DATA_DIR "/cases/nvidia-smi.csv.txt"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open nvidia-smi.csv.txt");
    QStringList outputs;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'))) {
        if (line.size() > 3 && line.startsWith(QLatin1String("# ")) && line.at(2).isDigit() &&
            line.at(3) == QLatin1Char('.')) {
            outputs.append(QString());
        } else if (!line.startsWith(QLatin1Char('#')) && !outputs.isEmpty()) {
            outputs.last() += line + QLatin1Char('\n');
        }
    }
    return outputs;
}

} // namespace

class TestNvidiaSmi final : public QObject
{
    Q_OBJECT

private slots:
    void caseFile();
    void driverNotRunning();
    void wrongColumnCount();
    void commandIsOneArgumentPerElement();
};

void TestNvidiaSmi::caseFile()
{
    const QStringList outputs = outputsFromCaseFile();
    QCOMPARE(outputs.size(), 5);

    const auto l4 = interpretNvidiaSmi(0, outputs.at(0), {});
    QCOMPARE(l4.state, GpuTelemetryState::Ok);
    QCOMPARE(l4.gpus.size(), 1);
    QCOMPARE(l4.gpus.first().name, QStringLiteral("NVIDIA L4"));
    QCOMPARE(l4.gpus.first().utilizationGpu, std::optional<double>(37));
    QCOMPARE(l4.gpus.first().memoryTotalMiB, std::optional<double>(23034));
    QCOMPARE(l4.gpus.first().powerW, std::optional<double>(41.87));

    const auto a10 = interpretNvidiaSmi(0, outputs.at(1), {});
    QCOMPARE(a10.gpus.size(), 2);
    QCOMPARE(a10.gpus.at(1).index, 1);
    QCOMPARE(a10.gpus.at(1).utilizationGpu, std::optional<double>(0)); // idle is a real zero
    QCOMPARE(a10.gpus.at(1).uuid, QStringLiteral("GPU-aaaaaaaa-0000-0000-0000-000000000002"));

    const auto mig = interpretNvidiaSmi(0, outputs.at(2), {});
    QCOMPARE(mig.gpus.size(), 1);
    QVERIFY(!mig.gpus.first().utilizationGpu.has_value()); // [N/A] is a gap, not zero
    QVERIFY(!mig.gpus.first().utilizationMemory.has_value());
    QCOMPARE(mig.gpus.first().memoryUsedMiB, std::optional<double>(1024));

    const auto t4 = interpretNvidiaSmi(0, outputs.at(3), {});
    QVERIFY(!t4.gpus.first().powerW.has_value()); // [Not Supported]
    QCOMPARE(t4.gpus.first().temperatureC, std::optional<double>(40));

    QVERIFY(outputs.at(4).trimmed().isEmpty()); // case 5 is described, it prints nothing
}

void TestNvidiaSmi::driverNotRunning()
{
    const auto telemetry = interpretNvidiaSmi(
        9, {},
        QStringLiteral(
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
            "driver. Make sure that the latest NVIDIA driver is installed and running."));
    QCOMPARE(telemetry.state, GpuTelemetryState::DriverNotRunning);
    QCOMPARE(telemetry.message,
             QStringLiteral("GPU telemetry unavailable: driver not running in the VM"));
    QVERIFY(telemetry.gpus.isEmpty());
}

void TestNvidiaSmi::wrongColumnCount()
{
    QVERIFY(!parseNvidiaSmiCsv(QStringLiteral("0, NVIDIA L4, 37\n")).ok());
    const auto telemetry = interpretNvidiaSmi(0, QStringLiteral("garbage\n"), {});
    QCOMPARE(telemetry.state, GpuTelemetryState::Failed);
}

void TestNvidiaSmi::commandIsOneArgumentPerElement()
{
    const QStringList command = nvidiaSmiCommand();
    QCOMPARE(command.size(), 3);
    QVERIFY(command.at(1).contains(QLatin1String("utilization.gpu,utilization.memory")));
}

QTEST_GUILESS_MAIN(TestNvidiaSmi)
#include "tst_nvidiasmi.moc"
