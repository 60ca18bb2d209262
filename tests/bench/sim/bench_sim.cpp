// Requests per second the simulator serves to 8 concurrent keep-alive clients, and its memory.
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslError>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <vector>

namespace {

constexpr int clients = 8;
constexpr int secondsPerRun = 5;

struct Simulator
{
    QProcess process;
    QString url;
    QString fingerprint;
};

bool start(Simulator &sim, const QString &scenario)
{
    sim.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    sim.process.start(
        QStringLiteral(RAE_SIM_EXECUTABLE),
        {QStringLiteral("--scenario"), scenario, QStringLiteral("--port"), QStringLiteral("0")});
    while (sim.process.waitForReadyRead(20000)) {
        while (sim.process.canReadLine()) {
            const QString line = QString::fromUtf8(sim.process.readLine()).trimmed();
            if (line.startsWith(QLatin1String("url: ")))
                sim.url = line.mid(5);
            if (line.startsWith(QLatin1String("fingerprint: ")))
                sim.fingerprint = line.mid(13);
            if (line == QLatin1String("ready: 1"))
                return true;
        }
    }
    return false;
}

// One client: one QNetworkAccessManager (so one keep-alive connection), one request in flight.
class Client final : public QObject
{
public:
    Client(const QString &url, const QByteArray &token, const QString &fingerprint)
        : m_url(url)
        , m_token(token)
        , m_fingerprint(fingerprint)
    {}

    void run(const QString &path, const QElapsedTimer &clock, qint64 untilMs)
    {
        QNetworkRequest request{QUrl(m_url + path)};
        request.setRawHeader("Authorization", m_token);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        QNetworkReply *reply = m_network.get(request);
        connect(reply, &QNetworkReply::sslErrors, reply,
                [this, reply](const QList<QSslError> &errors) {
                    QList<QSslError> pinned;
                    for (const QSslError &error : errors) {
                        if (QString::fromLatin1(error.certificate()
                                                    .digest(QCryptographicHash::Sha256)
                                                    .toHex(':')
                                                    .toUpper()) == m_fingerprint)
                            pinned << error;
                    }
                    reply->ignoreSslErrors(pinned);
                });
        connect(reply, &QNetworkReply::finished, this, [this, reply, path, &clock, untilMs] {
            if (reply->error() == QNetworkReply::NoError)
                ++completed;
            else
                ++failed;
            bytes += reply->readAll().size();
            reply->deleteLater();
            if (clock.elapsed() < untilMs)
                run(path, clock, untilMs);
            else
                done = true;
        });
    }

    long long completed = 0;
    long long failed = 0;
    long long bytes = 0;
    bool done = false;

private:
    QNetworkAccessManager m_network;
    QString m_url;
    QByteArray m_token;
    QString m_fingerprint;
};

void measure(const Simulator &sim, const QByteArray &token, const char *label, const QString &path)
{
    std::vector<std::unique_ptr<Client>> pool;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < clients; ++i) {
        pool.push_back(std::make_unique<Client>(sim.url, token, sim.fingerprint));
        pool.back()->run(path, clock, secondsPerRun * 1000);
    }
    auto allDone = [&] {
        for (const auto &client : pool) {
            if (!client->done)
                return false;
        }
        return true;
    };
    while (!allDone())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    long long completed = 0;
    long long failed = 0;
    long long bytes = 0;
    for (const auto &client : pool) {
        completed += client->completed;
        failed += client->failed;
        bytes += client->bytes;
    }
    const double seconds = static_cast<double>(clock.elapsed()) / 1000.0;
    std::printf("%-34s %8.0f req/s  %6.1f MB/s  (%lld ok, %lld failed, %d clients)\n", label,
                static_cast<double>(completed) / seconds,
                static_cast<double>(bytes) / seconds / 1e6, completed, failed, clients);
}

long long rssKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // Test-only secrets from the scenarios.
    const QByteArray referenceToken =
        "PVEAPIToken=deployer@pve!full=00000000-0000-4000-8000-00000000a002";
    const QByteArray largeToken =
        "PVEAPIToken=bench@pve!bench=00000000-0000-4000-8000-00000000b001";

    Simulator reference;
    if (!start(reference, QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml")))
        return 1;
    measure(reference, referenceToken, "reference /version", QStringLiteral("api2/json/version"));
    measure(reference, referenceToken, "reference /cluster/resources",
            QStringLiteral("api2/json/cluster/resources"));
    reference.process.terminate();
    reference.process.waitForFinished();

    Simulator large;
    if (!start(large, QStringLiteral(RAE_SOURCE_DIR "/resources/sim/large.yaml")))
        return 1;
    std::printf("large scenario RSS after start: %lld MiB\n",
                rssKiB(large.process.processId()) / 1024);
    measure(large, largeToken, "large /version", QStringLiteral("api2/json/version"));
    measure(large, largeToken, "large /cluster/resources",
            QStringLiteral("api2/json/cluster/resources"));
    std::printf("large scenario RSS after the runs: %lld MiB\n",
                rssKiB(large.process.processId()) / 1024);
    large.process.terminate();
    large.process.waitForFinished();
    return 0;
}
