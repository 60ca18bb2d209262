#include "monitor/prometheustext.h"

#include <QTest>

#include <cmath>

using namespace rae::monitor;

class TestPrometheusText final : public QObject
{
    Q_OBJECT

private slots:
    void sampleValues_data();
    void sampleValues();
    void malformed_data();
    void malformed();
    void familiesGatherTheirSuffixes();
    void helpIsUnescaped();
    void dcgmExporterOutput();
};

void TestPrometheusText::sampleValues_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("labelName");
    QTest::addColumn<QString>("labelValue");
    QTest::addColumn<double>("value");
    QTest::addColumn<qint64>("timestamp"); // -1: none

    QTest::newRow("a bare sample has no labels") << QByteArray("up 1\n") << "up"
                                                 << ""
                                                 << "" << 1.0 << qint64(-1);
    QTest::newRow("labels are read with their values")
        << QByteArray("http_requests_total{method=\"post\",code=\"200\"} 1027\n")
        << "http_requests_total"
        << "code"
        << "200" << 1027.0 << qint64(-1);
    QTest::newRow("a timestamp in milliseconds follows the value")
        << QByteArray("http_requests_total{method=\"post\"} 3 1395066363000\n")
        << "http_requests_total"
        << "method"
        << "post" << 3.0 << qint64(1395066363000);
    QTest::newRow("a negative timestamp is allowed") << QByteArray("x 1 -1000\n") << "x"
                                                     << ""
                                                     << "" << 1.0 << qint64(-1000);
    QTest::newRow("escaped quotes, backslashes and newlines in label values")
        << QByteArray("msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error="
                      "\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n")
        << "msdos_file_access_time_seconds"
        << "error"
        << "Cannot find file:\n\"FILE.TXT\"" << 1.458255915e9 << qint64(-1);
    QTest::newRow("a backslash path keeps single backslashes")
        << QByteArray("m{path=\"C:\\\\DIR\\\\FILE.TXT\"} 2\n") << "m"
        << "path"
        << "C:\\DIR\\FILE.TXT" << 2.0 << qint64(-1);
    QTest::newRow("a trailing comma after the last label is fine")
        << QByteArray("m{a=\"1\",} 2\n") << "m"
        << "a"
        << "1" << 2.0 << qint64(-1);
    QTest::newRow("a comma and a brace inside a label value are text")
        << QByteArray("m{a=\"x,}y\"} 2\n") << "m"
        << "a"
        << "x,}y" << 2.0 << qint64(-1);
    QTest::newRow("spaces around labels and values are skipped")
        << QByteArray("  m { a = \"1\" , b=\"2\" }   7   \n") << "m"
        << "b"
        << "2" << 7.0 << qint64(-1);
    QTest::newRow("a metric name may hold colons")
        << QByteArray("vllm:num_requests_running{model_name=\"llama3\"} 4\n")
        << "vllm:num_requests_running"
        << "model_name"
        << "llama3" << 4.0 << qint64(-1);
    QTest::newRow("positive infinity")
        << QByteArray("m +Inf\n") << "m"
        << ""
        << "" << std::numeric_limits<double>::infinity() << qint64(-1);
    QTest::newRow("negative infinity")
        << QByteArray("m -Inf\n") << "m"
        << ""
        << "" << -std::numeric_limits<double>::infinity() << qint64(-1);
    QTest::newRow("an exponent without a fraction") << QByteArray("m 3e-3\n") << "m"
                                                    << ""
                                                    << "" << 0.003 << qint64(-1);
    QTest::newRow("Windows line ends are accepted") << QByteArray("m{a=\"b\"} 5\r\n") << "m"
                                                    << "a"
                                                    << "b" << 5.0 << qint64(-1);
    QTest::newRow("UTF-8 in a label value survives")
        << QByteArray("m{gpu=\"Tesla \xc3\xa9\"} 5\n") << "m"
        << "gpu" << QString::fromUtf8("Tesla \xc3\xa9") << 5.0 << qint64(-1);
    QTest::newRow("the last line needs no newline") << QByteArray("# a comment\nm 6") << "m"
                                                    << ""
                                                    << "" << 6.0 << qint64(-1);
}

void TestPrometheusText::sampleValues()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, name);
    QFETCH(QString, labelName);
    QFETCH(QString, labelValue);
    QFETCH(double, value);
    QFETCH(qint64, timestamp);

    const auto scrape = parsePrometheusText(text);
    QVERIFY2(scrape.ok(), qPrintable(scrape.ok() ? QString() : scrape.error().toString()));
    const QList<PromSample> samples = scrape->samples(QLatin1StringView(name.toLatin1()));
    QCOMPARE(samples.size(), 1);
    const PromSample &sample = samples.first();
    if (!labelName.isEmpty())
        QCOMPARE(sample.label(QLatin1StringView(labelName.toLatin1())), labelValue);
    else
        QVERIFY(sample.labels.isEmpty());
    QCOMPARE(sample.value, value);
    if (timestamp == -1)
        QVERIFY(!sample.timestampMs);
    else
        QCOMPARE(sample.timestampMs.value_or(0), timestamp);
}

void TestPrometheusText::malformed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line");

    QTest::newRow("an unquoted label value") << QByteArray("m{a=b} 1\n") << 1;
    QTest::newRow("an unterminated label value") << QByteArray("ok 1\nm{a=\"b} 1\n") << 2;
    QTest::newRow("a missing value") << QByteArray("m{a=\"b\"}\n") << 1;
    QTest::newRow("a word as value") << QByteArray("m many\n") << 1;
    QTest::newRow("a fractional timestamp") << QByteArray("m 1 12.5\n") << 1;
    QTest::newRow("something after the timestamp") << QByteArray("m 1 12 13\n") << 1;
    QTest::newRow("a label name starting with a digit") << QByteArray("m{1a=\"x\"} 1\n") << 1;
    QTest::newRow("an unknown TYPE") << QByteArray("# TYPE m thing\nm 1\n") << 1;
    QTest::newRow("TYPE after the family's samples") << QByteArray("m 1\n# TYPE m gauge\n") << 2;
    QTest::newRow("an HTML page") << QByteArray("<html><body>Not found</body></html>\n") << 1;
}

void TestPrometheusText::malformed()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    const auto scrape = parsePrometheusText(text);
    QVERIFY(!scrape.ok());
    QVERIFY2(scrape.error().message.contains(QStringLiteral("line %1:").arg(line)),
             qPrintable(scrape.error().message));
}

void TestPrometheusText::familiesGatherTheirSuffixes()
{
    const QByteArray text = "# HELP http_request_duration_seconds A histogram.\n"
                            "# TYPE http_request_duration_seconds histogram\n"
                            "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
                            "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
                            "http_request_duration_seconds_sum 53423\n"
                            "http_request_duration_seconds_count 144320\n"
                            "# TYPE rpc_duration_seconds summary\n"
                            "rpc_duration_seconds{quantile=\"0.5\"} NaN\n"
                            "rpc_duration_seconds_sum 1.7560473e+07\n"
                            "rpc_duration_seconds_count 2693\n"
                            "# TYPE requests counter\n"
                            "requests_total 5\n"
                            "# TYPE temperature gauge\n"
                            "temperature_sum 3\n";
    const auto scrape = parsePrometheusText(text);
    QVERIFY(scrape.ok());

    const PromFamily *histogram =
        scrape->family(QLatin1StringView("http_request_duration_seconds"));
    QVERIFY(histogram);
    QCOMPARE(histogram->type, PromType::Histogram);
    QCOMPARE(histogram->help, QStringLiteral("A histogram."));
    QCOMPARE(histogram->samples.size(), 4);
    QCOMPARE(histogram->samples.at(1).label(QLatin1StringView("le")), QStringLiteral("+Inf"));

    const PromFamily *summary = scrape->family(QLatin1StringView("rpc_duration_seconds"));
    QVERIFY(summary);
    QCOMPARE(summary->samples.size(), 3);
    QVERIFY(std::isnan(summary->samples.first().value));

    QCOMPARE(scrape->family(QLatin1StringView("requests"))->samples.size(), 1);
    // A gauge has no _sum of its own: that is another metric.
    QCOMPARE(scrape->family(QLatin1StringView("temperature"))->samples.size(), 0);
    QVERIFY(scrape->family(QLatin1StringView("temperature_sum")));
}

void TestPrometheusText::helpIsUnescaped()
{
    const auto scrape =
        parsePrometheusText("# HELP m Two\\nlines with a \\\\ and a \\\" kept.\nm 1\n");
    QVERIFY(scrape.ok());
    QCOMPARE(scrape->family(QLatin1StringView("m"))->help,
             QStringLiteral("Two\nlines with a \\ and a \\\" kept."));
}

void TestPrometheusText::dcgmExporterOutput()
{
    // The shape DCGM exporter writes for two GPUs.
    const QByteArray text =
        "# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n"
        "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-5fd4c1c2\",device=\"nvidia0\","
        "modelName=\"NVIDIA A10\",Hostname=\"llm-1\"} 87\n"
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-9a1b\",device=\"nvidia1\","
        "modelName=\"NVIDIA A10\",Hostname=\"llm-1\"} 3\n"
        "# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).\n"
        "# TYPE DCGM_FI_DEV_FB_USED gauge\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-5fd4c1c2\"} 20311\n";
    const auto scrape = parsePrometheusText(text);
    QVERIFY(scrape.ok());
    const QList<PromSample> util = scrape->samples(QLatin1StringView("DCGM_FI_DEV_GPU_UTIL"));
    QCOMPARE(util.size(), 2);
    QCOMPARE(util.at(1).label(QLatin1StringView("gpu")), QStringLiteral("1"));
    QCOMPARE(util.at(0).value, 87.0);
    QCOMPARE(scrape->samples(QLatin1StringView("DCGM_FI_DEV_FB_USED")).first().value, 20311.0);
}

QTEST_GUILESS_MAIN(TestPrometheusText)
#include "tst_prometheustext.moc"
