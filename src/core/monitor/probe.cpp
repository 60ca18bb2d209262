#include "monitor/probe.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUrl>

Q_LOGGING_CATEGORY(lcProbe, "raedeploy.monitor.probe")

namespace rae::monitor {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::monitor::Probe)
};

constexpr int kMaxAnswerChars = 120; // a probe answer is a word, not a page

QString defaultPath(ProbeKind kind)
{
    switch (kind) {
    case ProbeKind::RaeApi:
    case ProbeKind::Vllm:
        return QStringLiteral("/health");
    case ProbeKind::Qdrant:
        return QStringLiteral("/readyz");
    case ProbeKind::Ollama:
        return QStringLiteral("/api/version");
    case ProbeKind::HttpsGateway:
        return QStringLiteral("/");
    case ProbeKind::Redis:
    case ProbeKind::Postgres:
        break;
    }
    return {};
}

QString socketErrorMessage(const QAbstractSocket *socket, const ProbeTarget &target)
{
    switch (socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        return Tr::tr("%1 refused the connection: nothing listens on that port")
            .arg(target.address());
    case QAbstractSocket::HostNotFoundError:
        return Tr::tr("host %1 not found").arg(target.host);
    case QAbstractSocket::RemoteHostClosedError:
        return Tr::tr("%1 closed the connection without answering").arg(target.address());
    case QAbstractSocket::NetworkError:
        return Tr::tr("%1 is unreachable: %2").arg(target.address(), socket->errorString());
    default:
        return Tr::tr("%1: %2").arg(target.address(), socket->errorString());
    }
}

QString clip(const QString &text)
{
    const QString simple = text.simplified();
    return simple.size() > kMaxAnswerChars ? simple.left(kMaxAnswerChars) + QChar(0x2026) : simple;
}

// Words the RAE API and common health libraries use for a dependency that works.
bool isHealthyWord(const QString &status)
{
    const QString word = status.toLower();
    return word.isEmpty() || word == QLatin1String("healthy") || word == QLatin1String("ok") ||
           word == QLatin1String("up") || word == QLatin1String("pass") ||
           word == QLatin1String("degraded");
}

QByteArray respCommand(const QList<QByteArray> &words)
{
    QByteArray command = '*' + QByteArray::number(words.size()) + "\r\n";
    for (const QByteArray &word : words)
        command += '$' + QByteArray::number(word.size()) + "\r\n" + word + "\r\n";
    return command;
}

} // namespace

QString probeKindName(ProbeKind kind)
{
    switch (kind) {
    case ProbeKind::RaeApi:
        return QStringLiteral("rae_api");
    case ProbeKind::Qdrant:
        return QStringLiteral("qdrant");
    case ProbeKind::Ollama:
        return QStringLiteral("ollama");
    case ProbeKind::Vllm:
        return QStringLiteral("vllm");
    case ProbeKind::HttpsGateway:
        return QStringLiteral("gateway");
    case ProbeKind::Redis:
        return QStringLiteral("redis");
    case ProbeKind::Postgres:
        return QStringLiteral("postgres");
    }
    return {};
}

QString ProbeTarget::address() const
{
    // An IPv6 literal needs brackets before the port.
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

Result<RaeHealth> parseRaeHealth(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        return Error{Tr::tr("the health answer is not a JSON object"),
                     Tr::tr("is this port the RAE API?"),
                     {}};
    }
    const QJsonObject root = document.object();
    RaeHealth health;
    health.status = root.value(QLatin1String("status")).toString();
    const QJsonObject components = root.value(QLatin1String("components")).toObject();
    for (auto it = components.begin(); it != components.end(); ++it) {
        const QJsonObject component = it.value().toObject();
        ComponentHealth entry;
        entry.name = it.key();
        entry.status = component.value(QLatin1String("status")).toString();
        const QJsonValue time = component.value(QLatin1String("response_time_ms"));
        if (time.isDouble())
            entry.responseTimeMs = time.toDouble();
        else if (time.isString()) {
            bool ok = false;
            const double value = time.toString().toDouble(&ok);
            if (ok)
                entry.responseTimeMs = value;
        }
        health.components.append(entry);
    }
    return health;
}

// --- Probe ---------------------------------------------------------------------------------------

Probe::Probe(ProbeTarget target, QObject *parent)
    : QObject(parent)
    , m_target(std::move(target))
{
    if (m_target.path.isEmpty())
        m_target.path = defaultPath(m_target.kind);
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &Probe::onTimeout);
}

Probe::~Probe() = default;

Probe *Probe::create(const ProbeTarget &target, QNetworkAccessManager *network, QObject *parent)
{
    switch (target.kind) {
    case ProbeKind::RaeApi:
    case ProbeKind::Qdrant:
    case ProbeKind::Ollama:
    case ProbeKind::Vllm:
        return new HttpHealthProbe(target, network, parent);
    case ProbeKind::HttpsGateway:
        return new HttpsGatewayProbe(target, parent);
    case ProbeKind::Redis:
        return new RedisProbe(target, parent);
    case ProbeKind::Postgres:
        return new PostgresProbe(target, parent);
    }
    return nullptr;
}

void Probe::start()
{
    if (m_running)
        return;
    m_running = true;
    m_elapsed.start();
    m_timeout.start(m_target.timeout);
    qCDebug(lcProbe) << "probe" << probeKindName(m_target.kind) << m_target.address();
    begin();
}

double Probe::elapsedMs() const
{
    return double(m_elapsed.nsecsElapsed()) / 1e6;
}

ProbeResult Probe::emptyResult() const
{
    ProbeResult result;
    result.target = m_target;
    result.target.redisPassword.clear(); // results travel to stores and logs; the secret stays
    result.latencyMs = elapsedMs();
    return result;
}

void Probe::finishWith(ProbeResult result)
{
    if (!m_running)
        return;
    m_running = false;
    m_timeout.stop();
    abort();
    emit finished(result);
}

void Probe::fail(const QString &message, const QString &hint)
{
    if (!m_running)
        return;
    ProbeResult result = emptyResult();
    result.error = Error{message, hint, m_target.subject};
    qCDebug(lcProbe) << "probe failed" << probeKindName(m_target.kind) << m_target.address()
                     << message;
    m_running = false;
    m_timeout.stop();
    abort();
    emit finished(result);
}

void Probe::onTimeout()
{
    fail(Tr::tr("%1 did not answer within %2 ms")
             .arg(m_target.address())
             .arg(m_target.timeout.count()),
         Tr::tr("a firewall may drop the packets, or the service hangs"));
}

// --- HTTP ----------------------------------------------------------------------------------------

HttpHealthProbe::HttpHealthProbe(const ProbeTarget &target, QNetworkAccessManager *network,
                                 QObject *parent)
    : Probe(target, parent)
    , m_network(network)
{}

void HttpHealthProbe::begin()
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(target().host);
    url.setPort(target().port);
    url.setPath(target().path);

    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    m_reply = m_network->get(request);
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReplyFinished(reply); });
}

void HttpHealthProbe::abort()
{
    QNetworkReply *reply = m_reply.data();
    m_reply = nullptr;
    if (!reply)
        return;
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

void HttpHealthProbe::onReplyFinished(QNetworkReply *reply)
{
    if (reply != m_reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (status == 0) {
        switch (reply->error()) {
        case QNetworkReply::ConnectionRefusedError:
            fail(Tr::tr("%1 refused the connection: nothing listens on that port")
                     .arg(target().address()));
            return;
        case QNetworkReply::HostNotFoundError:
            fail(Tr::tr("host %1 not found").arg(target().host));
            return;
        default:
            fail(Tr::tr("%1: %2").arg(target().address(), reply->errorString()));
            return;
        }
    }

    ProbeResult result = emptyResult();
    switch (target().kind) {
    case ProbeKind::RaeApi: {
        // An unhealthy API answers 503 with the same body: keep its components either way.
        auto health = parseRaeHealth(body);
        if (!health) {
            fail(health.error().message, health.error().hint);
            return;
        }
        result.components = health->components;
        result.answer = health->status;
        QStringList failing;
        for (const ComponentHealth &component : std::as_const(health->components)) {
            if (!isHealthyWord(component.status))
                failing.append(component.name + QLatin1Char('=') + component.status);
        }
        if (status != 200 || !isHealthyWord(health->status) || !failing.isEmpty()) {
            result.error = Error{
                Tr::tr("the RAE API reports itself %1 (HTTP %2)")
                    .arg(health->status.isEmpty() ? QStringLiteral("?") : health->status)
                    .arg(status),
                failing.isEmpty() ? QString()
                                  : Tr::tr("failing: %1").arg(failing.join(QLatin1String(", "))),
                target().subject};
        }
        finishWith(result);
        return;
    }
    case ProbeKind::Ollama: {
        const QJsonObject object = QJsonDocument::fromJson(body).object();
        result.answer = object.value(QLatin1String("version")).toString();
        if (status == 200 && result.answer.isEmpty()) {
            fail(Tr::tr("%1 answered without a version: not Ollama?").arg(target().address()));
            return;
        }
        break;
    }
    case ProbeKind::Qdrant:
    case ProbeKind::Vllm:
    case ProbeKind::HttpsGateway:
    case ProbeKind::Redis:
    case ProbeKind::Postgres:
        result.answer = clip(QString::fromUtf8(body));
        break;
    }
    if (status != 200) {
        fail(Tr::tr("%1 answered HTTP %2 on %3")
                 .arg(target().address())
                 .arg(status)
                 .arg(target().path));
        return;
    }
    finishWith(result);
}

// --- HTTPS gateway -------------------------------------------------------------------------------

HttpsGatewayProbe::HttpsGatewayProbe(const ProbeTarget &target, QObject *parent)
    : Probe(target, parent)
{}

void HttpsGatewayProbe::begin()
{
    m_buffer.clear();
    m_connectedAtMs = 0.0;
    m_handshakeMs = 0.0;
    m_socket = new QSslSocket(this);
    m_socket->setProxy(QNetworkProxy::NoProxy); // services sit on the internal network
    const QString peerName = target().tlsPeerName.isEmpty() ? target().host : target().tlsPeerName;
    if (!target().caCertificates.isEmpty()) {
        QSslConfiguration configuration = m_socket->sslConfiguration();
        configuration.addCaCertificates(target().caCertificates);
        m_socket->setSslConfiguration(configuration);
    }
    connect(m_socket, &QSslSocket::connected, this, [this] { m_connectedAtMs = elapsedMs(); });
    connect(m_socket, &QSslSocket::encrypted, this, &HttpsGatewayProbe::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &HttpsGatewayProbe::onReadyRead);
    // Certificate problems are never ignored here: the gateway is the one public face.
    connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList texts;
        for (const QSslError &error : errors)
            texts.append(error.errorString());
        fail(Tr::tr("TLS to %1 refused: %2")
                 .arg(target().address(), texts.join(QLatin1String("; "))),
             Tr::tr("install the gateway's CA, or check its certificate's names"));
    });
    connect(m_socket, &QSslSocket::errorOccurred, this,
            [this] { fail(socketErrorMessage(m_socket, target())); });
    m_socket->connectToHostEncrypted(target().host, target().port, peerName);
}

void HttpsGatewayProbe::abort()
{
    if (!m_socket)
        return;
    QSslSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

void HttpsGatewayProbe::onEncrypted()
{
    m_handshakeMs = elapsedMs() - m_connectedAtMs;
    const QString host = target().tlsPeerName.isEmpty() ? target().host : target().tlsPeerName;
    m_socket->write("GET " + target().path.toUtf8() + " HTTP/1.1\r\nHost: " + host.toUtf8() +
                    "\r\nUser-Agent: rae-deploy-monitor\r\nConnection: close\r\n\r\n");
}

void HttpsGatewayProbe::onReadyRead()
{
    m_buffer += m_socket->readAll();
    const qsizetype end = m_buffer.indexOf("\r\n");
    if (end < 0) {
        if (m_buffer.size() > 4096)
            fail(Tr::tr("%1 did not answer HTTP over TLS").arg(target().address()));
        return;
    }
    // "HTTP/1.1 200 OK": only the status line matters for a health probe.
    const QList<QByteArray> words = m_buffer.left(end).split(' ');
    bool numeric = false;
    const int status = words.size() >= 2 ? words.at(1).toInt(&numeric) : 0;
    if (!words.value(0).startsWith("HTTP/") || !numeric) {
        fail(Tr::tr("%1 did not answer HTTP over TLS").arg(target().address()));
        return;
    }
    if (status >= 500) {
        fail(Tr::tr("the gateway at %1 answered HTTP %2").arg(target().address()).arg(status),
             Tr::tr("the gateway is up but what it forwards to is not"));
        return;
    }
    ProbeResult result = emptyResult();
    result.tlsHandshakeMs = m_handshakeMs;
    result.answer = QString::number(status);
    finishWith(result);
}

// --- Redis ---------------------------------------------------------------------------------------

RedisProbe::RedisProbe(const ProbeTarget &target, QObject *parent)
    : Probe(target, parent)
{}

void RedisProbe::begin()
{
    m_buffer.clear();
    m_socket = new QTcpSocket(this);
    m_socket->setProxy(QNetworkProxy::NoProxy); // services sit on the internal network
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        QByteArray commands;
        m_awaitingAuth = !target().redisPassword.isEmpty();
        if (m_awaitingAuth) {
            QList<QByteArray> words{QByteArrayLiteral("AUTH")};
            if (!target().redisUser.isEmpty())
                words.append(target().redisUser.toUtf8());
            words.append(target().redisPassword.toUtf8());
            commands += respCommand(words);
        }
        commands += respCommand({QByteArrayLiteral("PING")});
        m_socket->write(commands);
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &RedisProbe::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this,
            [this] { fail(socketErrorMessage(m_socket, target())); });
    m_socket->connectToHost(target().host, target().port);
}

void RedisProbe::abort()
{
    if (!m_socket)
        return;
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

void RedisProbe::onReadyRead()
{
    m_buffer += m_socket->readAll();
    for (qsizetype end = m_buffer.indexOf("\r\n"); end >= 0 && isRunning();
         end = m_buffer.indexOf("\r\n")) {
        const QByteArray line = m_buffer.left(end);
        m_buffer.remove(0, end + 2);
        // Replies are simple strings (+) or errors (-); the server's error text never holds
        // the password, so it may be shown.
        if (line.startsWith('-')) {
            const QString text = QString::fromUtf8(line.mid(1));
            if (m_awaitingAuth) {
                fail(Tr::tr("Redis at %1 refused AUTH: %2").arg(target().address(), text),
                     Tr::tr("check the Redis password in the keychain"));
            } else if (text.startsWith(QLatin1String("NOAUTH")) &&
                       !target().redisPasswordMissing.isEmpty()) {
                // The message is what reaches the problem list and the status line: it says
                // why the probe had no password and what to do.
                fail(Tr::tr("Redis at %1 wants a password, and %2")
                         .arg(target().address(), target().redisPasswordMissing),
                     Tr::tr("store the Redis password so the probe can AUTH"));
            } else if (text.startsWith(QLatin1String("NOAUTH"))) {
                fail(Tr::tr("Redis at %1 wants a password").arg(target().address()),
                     Tr::tr("store the Redis password so the probe can AUTH"));
            } else {
                fail(Tr::tr("Redis at %1 answered: %2").arg(target().address(), text));
            }
            return;
        }
        if (!line.startsWith('+')) {
            fail(Tr::tr("%1 does not speak the Redis protocol").arg(target().address()));
            return;
        }
        if (m_awaitingAuth) {
            m_awaitingAuth = false;
            continue;
        }
        ProbeResult result = emptyResult();
        result.answer = QString::fromUtf8(line.mid(1));
        if (result.answer != QLatin1String("PONG")) {
            fail(Tr::tr("Redis at %1 answered PING with %2")
                     .arg(target().address(), clip(result.answer)));
            return;
        }
        finishWith(result);
        return;
    }
    if (m_buffer.size() > 4096)
        fail(Tr::tr("%1 does not speak the Redis protocol").arg(target().address()));
}

// --- PostgreSQL ----------------------------------------------------------------------------------

PostgresProbe::PostgresProbe(const ProbeTarget &target, QObject *parent)
    : Probe(target, parent)
{}

void PostgresProbe::begin()
{
    m_socket = new QTcpSocket(this);
    m_socket->setProxy(QNetworkProxy::NoProxy); // services sit on the internal network
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        // Length 8, then the request code 1234 << 16 | 5679. A server answers with one byte
        // before any authentication, and does not log a client that leaves after it.
        static constexpr char sslRequest[] = {0x00, 0x00, 0x00, 0x08, 0x04, char(0xd2), 0x16, 0x2f};
        m_socket->write(sslRequest, sizeof sslRequest);
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &PostgresProbe::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this,
            [this] { fail(socketErrorMessage(m_socket, target())); });
    m_socket->connectToHost(target().host, target().port);
}

void PostgresProbe::abort()
{
    if (!m_socket)
        return;
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

void PostgresProbe::onReadyRead()
{
    char answer = 0;
    if (m_socket->read(&answer, 1) != 1)
        return;
    if (answer == 'S' || answer == 'N') {
        ProbeResult result = emptyResult();
        // 'S' or 'N' to the SSLRequest: the server takes connections, with or without TLS.
        result.answer = answer == 'S' ? Tr::tr("accepting connections, TLS offered")
                                      : Tr::tr("accepting connections, no TLS");
        finishWith(result);
        return;
    }
    if (answer == 'E') {
        fail(Tr::tr("PostgreSQL at %1 refused the connection at once").arg(target().address()),
             Tr::tr("the server may be starting, shutting down or out of connection slots"));
        return;
    }
    fail(Tr::tr("%1 does not speak the PostgreSQL protocol").arg(target().address()));
}

} // namespace rae::monitor
