#pragma once

#include "common/result.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QTimer>

#include <chrono>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QSslSocket;
class QTcpSocket;

namespace rae::monitor {

enum class ProbeKind
{
    RaeApi,       // GET /health, JSON with components.*.status and response_time_ms
    Qdrant,       // GET /readyz
    Ollama,       // GET /api/version
    Vllm,         // GET /health
    HttpsGateway, // TLS handshake timed apart, then GET / over it
    Redis,        // RESP PING, AUTH first when a password is given
    Postgres,     // the SSLRequest exchange
};

// Stable lowercase name used in metric names and files ("rae_api", "qdrant", ...).
QString probeKindName(ProbeKind kind);

// What to probe. A value; the password is kept only as long as the target is.
struct ProbeTarget
{
    ProbeKind kind = ProbeKind::RaeApi;
    QString subject; // who is probed, for series and messages: "api-1"
    QString host;    // address or name
    quint16 port = 0;
    QString path; // HTTP kinds; empty: the kind's usual path
    std::chrono::milliseconds timeout{5000};
    QString redisUser;                     // Redis 6 ACL user; empty: the default user
    QString redisPassword;                 // never logged
    QString redisPasswordMissing;          // none given: why, what to do (for a NOAUTH)
    QString tlsPeerName;                   // gateway: name to verify and send as SNI; empty: host
    QList<QSslCertificate> caCertificates; // gateway: extra CAs to trust (a private CA)

    QString address() const; // "host:port" for messages
};

// A dependency as the RAE API reports it in its own /health ("seen from the API").
struct ComponentHealth
{
    QString name;   // "database", "redis", "vector_store"
    QString status; // the API's word: "healthy", "unhealthy", ...
    std::optional<double> responseTimeMs;
    friend bool operator==(const ComponentHealth &, const ComponentHealth &) = default;
};

// One probe run. `error` is set when the target failed; latency is then the time until the
// failure was known (a refused port answers fast, a silent one takes the time-out).
struct ProbeResult
{
    ProbeTarget target;
    double latencyMs = 0.0;               // start to answer (for HTTPS: including the handshake)
    std::optional<double> tlsHandshakeMs; // gateway only: TCP connected to encrypted
    QString answer; // the service's own word: "PONG", "healthy", the Ollama version, "S"/"N"
    QList<ComponentHealth> components; // RAE API only
    std::optional<Error> error;

    bool ok() const { return !error.has_value(); }
};

// One target, probed on request. `start()` begins a run; `finished` follows exactly once per run,
// on the probe's thread. A start while a run is going is ignored. Probes are reused across
// cycles so that a poll costs no allocation of sockets besides the connection itself.
class Probe : public QObject
{
    Q_OBJECT

public:
    ~Probe() override;

    const ProbeTarget &target() const { return m_target; }
    bool isRunning() const { return m_running; }
    void start();

    // Makes the probe for `target`; HTTP kinds use `network` (not owned, must outlive it).
    static Probe *create(const ProbeTarget &target, QNetworkAccessManager *network,
                         QObject *parent = nullptr);

signals:
    void finished(const rae::monitor::ProbeResult &result);

protected:
    Probe(ProbeTarget target, QObject *parent);

    virtual void begin() = 0;
    virtual void abort() = 0; // drop the connection after a time-out or before a new run

    double elapsedMs() const;
    void finishWith(ProbeResult result);
    void fail(const QString &message, const QString &hint = {});
    ProbeResult emptyResult() const;

private:
    void onTimeout();

    ProbeTarget m_target;
    QElapsedTimer m_elapsed;
    QTimer m_timeout;
    bool m_running = false;
};

// RAE API, Qdrant, Ollama and vLLM over plain HTTP through the application's network manager.
class HttpHealthProbe final : public Probe
{
    Q_OBJECT

public:
    HttpHealthProbe(const ProbeTarget &target, QNetworkAccessManager *network,
                    QObject *parent = nullptr);

private:
    void begin() override;
    void abort() override;
    void onReplyFinished(QNetworkReply *reply);

    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
};

// The gateway over HTTPS on its own socket, so that the handshake can be timed apart.
class HttpsGatewayProbe final : public Probe
{
    Q_OBJECT

public:
    explicit HttpsGatewayProbe(const ProbeTarget &target, QObject *parent = nullptr);

private:
    void begin() override;
    void abort() override;
    void onEncrypted();
    void onReadyRead();

    QSslSocket *m_socket = nullptr;
    double m_connectedAtMs = 0.0;
    double m_handshakeMs = 0.0;
    QByteArray m_buffer;
};

// Redis: AUTH (when a password is given) and PING pipelined on one connection.
class RedisProbe final : public Probe
{
    Q_OBJECT

public:
    explicit RedisProbe(const ProbeTarget &target, QObject *parent = nullptr);

private:
    void begin() override;
    void abort() override;
    void onReadyRead();

    QTcpSocket *m_socket = nullptr;
    QByteArray m_buffer;
    bool m_awaitingAuth = false;
};

// PostgreSQL: the 8-byte SSLRequest, answered by the server process with one byte.
class PostgresProbe final : public Probe
{
    Q_OBJECT

public:
    explicit PostgresProbe(const ProbeTarget &target, QObject *parent = nullptr);

private:
    void begin() override;
    void abort() override;
    void onReadyRead();

    QTcpSocket *m_socket = nullptr;
};

struct RaeHealth
{
    QString status; // the body's top-level `status`; empty when it has none
    QList<ComponentHealth> components;
};

// Reads a RAE API /health body; an error when it is not the JSON shape expected.
Result<RaeHealth> parseRaeHealth(const QByteArray &body);

} // namespace rae::monitor
