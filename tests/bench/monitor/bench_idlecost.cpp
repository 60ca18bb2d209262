// What monitoring costs while nothing happens: the scheduler, the Proxmox polls (resources, HA,
// replication per node, Ceph), the health probes of the reference deployment's seven services,
// a Prometheus scrape and the GPU poll, all against the real simulator, for a while (60 s by
// default; the first argument changes it). The process's CPU time (getrusage, user + system)
// over the wall time is the figure; the target is under 1 % of one core.

#include "../../integration/sim/simprocess.h"

#include "monitor/alerts.h"
#include "monitor/clock.h"
#include "monitor/collector.h"
#include "monitor/metricstore.h"
#include "monitor/scheduler.h"
#include "proxmox/client.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <sys/resource.h>

using namespace rae;

namespace {

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval &value) {
        return double(value.tv_sec) + double(value.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Gives VM `vmid` the role `tag` and brings its imitated service up; its address and port.
std::optional<std::pair<QString, quint16>> serve(SimProcess &sim, const QString &node, int vmid,
                                                 const QString &tag)
{
    sim.withToken("PUT", QStringLiteral("/api2/json/nodes/%1/qemu/%2/config").arg(node).arg(vmid),
                  QByteArray("tags=") + tag.toUtf8());
    const SimProcess::Answer answer =
        sim.control(QStringLiteral("service"),
                    QStringLiteral(R"({"vmid":%1,"state":"up"})").arg(vmid).toUtf8());
    const QJsonObject service =
        answer.json.object().value(QStringLiteral("services")).toArray().at(0).toObject();
    if (answer.status != 200 || service.isEmpty())
        return std::nullopt;
    return std::pair{service.value(QStringLiteral("address")).toString(),
                     quint16(service.value(QStringLiteral("port")).toInt())};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const int seconds = argc > 1 ? std::max(5, QString::fromLocal8Bit(argv[1]).toInt()) : 60;

    SimProcess sim;
    if (!sim.start(QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml"))) {
        out << "the simulator did not start\n";
        return 1;
    }
    const auto api = serve(sim, QStringLiteral("pve2"), 110, QStringLiteral("rae-api"));
    const auto vector = serve(sim, QStringLiteral("pve3"), 111, QStringLiteral("rae-vector"));
    const auto llm = serve(sim, QStringLiteral("pve1"), 100, QStringLiteral("rae-llm"));
    if (!api || !vector || !llm) {
        out << "the simulated services did not come up\n";
        return 1;
    }
    sim.control(QStringLiteral("time-advance"), R"({"seconds":30})"); // guest agents boot

    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("pins.ini")), QSettings::IniFormat);
    proxmox::PinStore pins(&settings, QStringLiteral("prod"));
    proxmox::ProxmoxClient client(QStringLiteral("prod"), {QUrl(sim.value(QStringLiteral("url")))},
                                  pins);
    client.setTrustCallback([](const proxmox::CertificateFacts &, const QUrl &,
                               std::function<void(bool)> decide) { decide(true); });
    bool connected = false;
    QObject::connect(&client, &proxmox::ProxmoxClient::connected, &client,
                     [&connected] { connected = true; });
    // Test-only token of resources/sim/reference.yaml.
    client.connectToCluster(
        proxmox::Credentials::apiToken(QStringLiteral("deployer@pve"), QStringLiteral("app"),
                                       QStringLiteral("00000000-0000-4000-8000-00000000a001")));
    for (int i = 0; i < 200 && !connected; ++i)
        spin(100);
    if (!connected) {
        out << "could not connect to the simulator\n";
        return 1;
    }

    QNetworkAccessManager network;
    monitor::SystemClock clock;
    monitor::MetricStore store;
    monitor::AlertEngine alerts;
    monitor::Scheduler scheduler(clock); // the default intervals: what the application runs
    monitor::Collector collector(store, alerts, scheduler, clock, &network);
    using monitor::ProbeKind;
    auto probe = [&collector](ProbeKind kind, const char *subject, const QString &host,
                              quint16 port) {
        monitor::ProbeTarget target;
        target.kind = kind;
        target.subject = QString::fromLatin1(subject);
        target.host = host;
        target.port = port;
        collector.addProbe(target);
    };
    // The seven roles of the reference plan. The simulator imitates the API, the vector store
    // and the LLM; the database, Redis, the second API replica and the gateway have nothing
    // listening at their addresses here, so their probes fail fast and back off.
    probe(ProbeKind::RaeApi, "api-1", api->first, api->second);
    probe(ProbeKind::RaeApi, "api-2", QStringLiteral("127.0.0.200"), 8000);
    probe(ProbeKind::Qdrant, "vector", vector->first, vector->second);
    probe(ProbeKind::Ollama, "llm", llm->first, llm->second);
    probe(ProbeKind::Postgres, "db", QStringLiteral("127.0.0.201"), 5432);
    probe(ProbeKind::Redis, "redis", QStringLiteral("127.0.0.202"), 6379);
    probe(ProbeKind::HttpsGateway, "gateway", QStringLiteral("127.0.0.203"), 443);
    collector.addPrometheusSource(
        {QStringLiteral("api-1"),
         QUrl(QStringLiteral("http://%1:%2/metrics").arg(api->first).arg(api->second))});
    collector.addGpuSource({QStringLiteral("llm"), QStringLiteral("pve1"), 100});
    collector.setClient(&client);
    scheduler.start();

    // Connecting, the back-fill and the first round of every task are not idle.
    spin(10'000);
    const qint64 pointsBefore = store.pointCount(monitor::Resolution::Native);
    const double cpuBefore = cpuSeconds();
    QElapsedTimer wall;
    wall.start();
    spin(seconds * 1000);
    const double cpu = cpuSeconds() - cpuBefore;
    const double elapsed = double(wall.nsecsElapsed()) / 1e9;
    const qint64 points = store.pointCount(monitor::Resolution::Native) - pointsBefore;
    scheduler.stop();

    const double percent = 100.0 * cpu / elapsed;
    out << "idle monitoring of the reference deployment against the simulator\n";
    out << "  wall time:          " << QString::number(elapsed, 'f', 1) << " s\n";
    out << "  CPU time (process): " << QString::number(cpu * 1000.0, 'f', 1) << " ms\n";
    out << "  points recorded:    " << points << " in " << store.keys().size() << " series\n";
    out << "  CPU use:            " << QString::number(percent, 'f', 3) << " % of one core\n";
    out << "  ratio to the 1 % target: " << QString::number(percent / 1.0, 'f', 3)
        << (percent < 1.0 ? " (under)\n" : " (OVER)\n");
    return percent < 1.0 ? 0 : 2;
}
