#pragma once

#include "common/result.h"

#include <QString>

#include <chrono>
#include <memory>

namespace rae::sim {

class Cluster;

struct ServerOptions
{
    QString address = QStringLiteral("127.0.0.1");
    quint16 port = 8006;
    bool allowNonLoopback = false;
    QString certPath; // both empty: a fresh self-signed certificate
    QString keyPath;
    std::chrono::milliseconds authFailureDelay{3000}; // pveproxy delays every 401 by 3 s
    QString controlToken;                             // empty: a random one
};

// The HTTPS front: Boost.Beast over Asio and OpenSSL, one I/O thread that also runs the
// cluster's timers. Owns nothing of the cluster; the cluster must outlive it.
class Server final
{
public:
    Server(Cluster &cluster, const ServerOptions &options);
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    Status start(); // binds and listens; the port is known afterwards
    void run();     // serves on the calling thread until stop()
    void runInBackground();
    void stop();

    quint16 port() const;
    QString url() const;
    QString fingerprint() const;
    QString controlToken() const;

    struct Impl; // Beast stays out of this header

private:
    std::unique_ptr<Impl> d;
};

} // namespace rae::sim
