#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <vector>

class QProcess;

namespace rae::deploy {

// PostgreSQL and Redis for a demo against the simulator. The simulator imitates RAE's API,
// Qdrant, Ollama and the gateway but never these two (docs/simulator.md): the demo plays the
// guests' part and runs real servers on the addresses the database and cache VMs got, so that
// the API's /health and the monitoring probes meet real servers. Everything runs in the
// background (initdb takes a second or two); the servers stop with this object.
class DemoServices final : public QObject
{
    Q_OBJECT

public:
    explicit DemoServices(QObject *parent = nullptr);
    ~DemoServices() override;

    // Each returns at once; `started` or `failed` follows. A second call for an address that
    // already serves (or is starting) does nothing. The Redis password goes into a config file
    // only this user may read, never onto a command line.
    void startRedis(const QString &address, int port, const QString &password);
    void startPostgres(const QString &address, int port);

    bool isStarting(const QString &address) const { return m_addresses.contains(address); }

signals:
    void started(const QString &server, const QString &address);
    void failed(const QString &server, const QString &address, const QString &message);

private:
    QProcess *launch(const QString &server, const QString &address, const QString &program,
                     const QStringList &arguments);
    void watchExit(QProcess *process, const QString &server, const QString &address);
    QStringList asPostgres(const QString &program, const QStringList &arguments,
                           QString *launcher) const;

    QTemporaryDir m_dir;
    QHash<QString, QString> m_addresses; // address → server started there
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

} // namespace rae::deploy
