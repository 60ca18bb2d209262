#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <vector>

class QProcess;

namespace rae::deploy {

// The port rae-pve-sim serves a gateway VM's HTTPS on, and the demos probe: 443 needs root.
inline constexpr quint16 kSimulatorGatewayPort = 8443;

// PostgreSQL and Redis for a demo against the simulator. The simulator imitates RAE's API,
// Qdrant, Ollama and the gateway but never these two (docs/simulator.md): the demo plays the
// guests' part and runs real servers on the addresses the database and cache VMs got, so that
// the API's /health and the monitoring probes meet real servers. Lives on the thread that made
// it (the GUI or CLI main thread) and never blocks it while starting: initdb takes a second or
// two. The servers stop with this object, and with the process however it ends.
class DemoServices final : public QObject
{
    Q_OBJECT

public:
    explicit DemoServices(QObject *parent = nullptr);
    // Stops every server (PostgreSQL with a fast shutdown) and waits for them, 3 s at most in all.
    ~DemoServices() override;

    // Each returns at once; `started` or `failed` follows. A second call for an address that
    // serves or is starting does nothing; after `failed` the address may be asked again. The
    // Redis password reaches the server through its standard input, never a file or a command
    // line.
    void startRedis(const QString &address, int port, const QString &password);
    void startPostgres(const QString &address, int port);

    bool isStarting(const QString &address) const { return m_addresses.contains(address); }

signals:
    // The server's program runs; it listens a moment later. `failed` may still follow, when it
    // exits (its address or port taken, say).
    void started(const QString &server, const QString &address);
    void failed(const QString &server, const QString &address, const QString &message);

private:
    struct Server
    {
        std::unique_ptr<QProcess> process;
        bool fastShutdownOnSigint = false; // PostgreSQL: SIGINT is its fast shutdown
    };

    QProcess *launch(const QString &server, const QString &address, const QString &program,
                     const QStringList &arguments, bool asPostgres, bool isPostgres);
    void watchExit(QProcess *process, const QString &server, const QString &address);
    void fail(const QString &server, const QString &address, const QString &message);

    QTemporaryDir m_dir;
    QHash<QString, QString> m_addresses; // address → server started there
    std::vector<Server> m_servers;
};

} // namespace rae::deploy
