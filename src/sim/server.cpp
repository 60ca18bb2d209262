#include "server.h"

#include "cluster.h"
#include "compression.h"
#include "faults.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRandomGenerator>
#include <QUrl>

#include <algorithm>
#include <deque>
#include <iostream>
#include <sstream>
#include <string_view>
#include <thread>
#include <type_traits>

namespace rae::sim {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// pveproxy's limits: 100 requests per keep-alive connection, 5 s idle, 512 KiB bodies.
constexpr int maxRequestsPerConnection = 100;
constexpr auto idleTimeout = std::chrono::seconds(5);
constexpr std::uint64_t maxBody = 512 * 1024;

QString decodeComponent(QByteArray text)
{
    text.replace('+', ' ');
    return QUrl::fromPercentEncoding(text);
}

// Proxmox splits on '&' and ';', turns '+' into a space, then percent-decodes. Repeated keys
// become arrays.
void addFormParams(const QByteArray &text, QJsonObject &params)
{
    for (const QByteArray &pair : text.split('&')) {
        for (const QByteArray &item : pair.split(';')) {
            if (item.isEmpty())
                continue;
            const qsizetype eq = item.indexOf('=');
            const QString key = decodeComponent(eq < 0 ? item : item.left(eq));
            const QString value = eq < 0 ? QString() : decodeComponent(item.mid(eq + 1));
            if (params.contains(key)) {
                QJsonValue existing = params.value(key);
                QJsonArray array = existing.isArray() ? existing.toArray() : QJsonArray{existing};
                array.append(value);
                params.insert(key, array);
            } else {
                params.insert(key, value);
            }
        }
    }
}

std::shared_ptr<ssl::context> makeContext(const Certificate &certificate)
{
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    context->use_certificate_chain(net::buffer(
        certificate.certPem.constData(), static_cast<std::size_t>(certificate.certPem.size())));
    context->use_private_key(net::buffer(certificate.keyPem.constData(),
                                         static_cast<std::size_t>(certificate.keyPem.size())),
                             ssl::context::pem);
    return context;
}

std::string httpDate()
{
    return QLocale::c()
        .toString(QDateTime::currentDateTimeUtc(),
                  QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
        .toStdString();
}

// The same large bodies go out again and again (the resources cache serves one body to every
// poller), and compressing the 2,000-VM list costs more than building it: keep the last few.
class GzipCache final
{
public:
    std::optional<std::string> packed(const std::string &body)
    {
        const std::size_t key = std::hash<std::string_view>{}(body);
        for (const Entry &entry : m_entries) {
            if (entry.key == key && entry.size == body.size())
                return entry.packed;
        }
        const auto packed = gzip(QByteArray::fromStdString(body));
        if (!packed)
            return std::nullopt; // uncompressed is still a valid answer
        if (m_entries.size() >= 8)
            m_entries.pop_front();
        m_entries.push_back({key, body.size(), packed->toStdString()});
        return m_entries.back().packed;
    }

private:
    struct Entry
    {
        std::size_t key = 0;
        std::size_t size = 0;
        std::string packed;
    };
    std::deque<Entry> m_entries;
};

// pveproxy gzips bodies over 1 KiB for clients that accept it; the services do the same.
void compressIfAsked(const http::request<http::string_body> &request,
                     http::response<http::string_body> &response, GzipCache &cache)
{
    constexpr std::size_t threshold = 1024;
    if (response.body().size() <= threshold)
        return;
    const std::string accepted(request[http::field::accept_encoding]);
    if (!QByteArray::fromStdString(accepted).contains("gzip"))
        return;
    auto packed = cache.packed(response.body());
    if (!packed)
        return;
    response.body() = std::move(*packed);
    response.set(http::field::content_encoding, "gzip");
    response.set(http::field::vary, "Accept-Encoding");
}

} // namespace

struct Server::Impl
{
    Cluster &cluster;
    ServerOptions options;
    net::io_context io{1};
    tcp::acceptor acceptor{io};
    net::steady_timer ticker{io};
    std::shared_ptr<ssl::context> context;
    Certificate certificate;
    TransportFaults faults;
    Controller controller;
    QString controlToken;
    std::thread thread;

    // The services behind the VMs, each on its VM's loopback address.
    struct ServiceListener
    {
        ServiceEndpoint endpoint;
        tcp::acceptor acceptor;
        std::shared_ptr<ssl::context> context; // the gateway's own certificate
    };
    std::vector<std::shared_ptr<ServiceListener>> serviceListeners;
    // A gateway keeps its key through restarts, migrations and HA recoveries, as a real one
    // does on its disk: one certificate per address for the simulator's life.
    QHash<QString, std::shared_ptr<ssl::context>> gatewayContexts;
    QList<ServiceEndpoint> wantedServices;
    GzipCache gzipCache;

    Impl(Cluster &c, const ServerOptions &o)
        : cluster(c)
        , options(o)
        , controller(c, faults, [this] { return renewCertificate(); })
    {}

    QString renewCertificate()
    {
        auto fresh = makeSelfSignedCertificate(cluster.localNode(),
                                               {cluster.localNode(), QStringLiteral("localhost")},
                                               {QStringLiteral("127.0.0.1")}, KeyKind::Rsa2048);
        if (!fresh)
            return {};
        certificate = *fresh;
        context = makeContext(certificate); // new connections get it; open ones keep the old
        cluster.setServedCertificate(certificate);
        return certificate.fingerprint;
    }

    void accept();
    void acceptService(const std::shared_ptr<ServiceListener> &listener);
    void reconcileServices();
    std::optional<double> reach(const QString &address, quint16 port);
    void tick()
    {
        ticker.expires_after(std::chrono::milliseconds(50));
        ticker.async_wait([this](beast::error_code error) {
            if (error)
                return;
            cluster.tick();
            reconcileServices();
            tick();
        });
    }
};

namespace {

// One TLS connection and its keep-alive requests, in order.
class Session final : public std::enable_shared_from_this<Session>
{
public:
    Session(tcp::socket socket, Server::Impl &server)
        : m_stream(std::move(socket), *server.context)
        , m_server(server)
        , m_timer(m_stream.get_executor())
    {}

    void start()
    {
        beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(30));
        m_stream.async_handshake(ssl::stream_base::server,
                                 [self = shared_from_this()](beast::error_code error) {
                                     if (!error)
                                         self->read();
                                 });
    }

private:
    void read()
    {
        m_parser.emplace();
        m_parser->header_limit(8 * 1024);
        m_parser->body_limit(maxBody);
        beast::get_lowest_layer(m_stream).expires_after(idleTimeout);
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code error, std::size_t) {
                             if (error == http::error::body_limit) {
                                 self->sendError(413, "Request Entity Too Large");
                                 return;
                             }
                             if (error)
                                 return self->close();
                             self->handle(self->m_parser->release());
                         });
    }

    void handle(http::request<http::string_body> request)
    {
        ++m_requests;
        const std::string target(request.target());
        const auto question = target.find('?');
        const QString path =
            QUrl::fromPercentEncoding(QByteArray::fromStdString(target.substr(0, question)));
        const QByteArray query = question == std::string::npos
                                     ? QByteArray()
                                     : QByteArray::fromStdString(target.substr(question + 1));
        const QString method = QString::fromStdString(std::string(request.method_string()));
        TransportFaults &faults = m_server.faults;

        if (request.version() != 11 && request.version() != 10)
            return sendError(506, QStringLiteral("http protocol version %1.%2 not supported")
                                      .arg(request.version() / 10)
                                      .arg(request.version() % 10)
                                      .toStdString());

        if (path.startsWith(QLatin1String("/ctl/")))
            return handleControl(path.mid(5), request);

        static const QString prefix = QStringLiteral("/api2/json");
        if (!path.startsWith(prefix + QLatin1Char('/')) && path != prefix) {
            return sendError(
                501,
                QStringLiteral("Method '%1 %2' not implemented").arg(method, path).toStdString());
        }

        if (faults.dropNext > 0) {
            --faults.dropNext;
            return close();
        }
        if (faults.errorRate > 0 && QRandomGenerator::global()->generateDouble() < faults.errorRate)
            return sendError(500, "Internal Server Error (injected)");

        ApiRequest api;
        api.method = method;
        api.path = path.mid(prefix.size());
        if (api.path.isEmpty())
            api.path = QStringLiteral("/");
        addFormParams(query, api.params);
        const std::string contentType(request[http::field::content_type]);
        const QByteArray body = QByteArray::fromStdString(request.body());
        if (!body.isEmpty() &&
            (method == QLatin1String("POST") || method == QLatin1String("PUT"))) {
            if (contentType.rfind("application/json", 0) == 0) {
                QJsonParseError error;
                const QJsonDocument document = QJsonDocument::fromJson(body, &error);
                if (error.error != QJsonParseError::NoError || !document.isObject())
                    return sendError(400, "unable to parse JSON body");
                const QJsonObject object = document.object();
                for (auto it = object.begin(); it != object.end(); ++it)
                    api.params.insert(it.key(), it.value());
            } else if (contentType.empty() ||
                       contentType.rfind("application/x-www-form-urlencoded", 0) == 0) {
                addFormParams(body, api.params);
            } else {
                return sendError(506, "upload 'Content-Type " + contentType + "' not implemented");
            }
        }
        const std::string cookies(request[http::field::cookie]);
        for (const QByteArray &cookie : QByteArray::fromStdString(cookies).split(';')) {
            const QByteArray trimmed = cookie.trimmed();
            if (trimmed.startsWith("PVEAuthCookie="))
                api.ticketCookie = QUrl::fromPercentEncoding(trimmed.mid(14));
        }
        api.authorization =
            QString::fromStdString(std::string(request[http::field::authorization]));
        api.csrfToken = QString::fromStdString(std::string(request["CSRFPreventionToken"]));

        const ApiResponse answer = m_server.cluster.handle(api);
        auto response = std::make_shared<http::response<http::string_body>>();
        response->version(11);
        response->result(static_cast<unsigned>(answer.status));
        response->reason(answer.reason.toStdString());
        response->set(http::field::server, "pve-api-daemon/3.0");
        response->set(http::field::date, httpDate());
        response->set(http::field::cache_control, "max-age=0");
        response->set(http::field::pragma, "no-cache");
        response->set(http::field::expires, httpDate());
        if (!answer.body.isEmpty() || answer.status < 300)
            response->set(http::field::content_type, "application/json;charset=UTF-8");
        response->body() = answer.body.toStdString();

        std::chrono::milliseconds delay = faults.latencyFor(api.path) + answer.delay;
        if (answer.status == 401)
            delay += m_server.options.authFailureDelay;

        if (faults.malformedNext > 0 && answer.status < 300) {
            --faults.malformedNext;
            response->body() = response->body().substr(0, response->body().size() / 2) + "\"},]";
        }
        compressIfAsked(request, *response, m_server.gzipCache);
        if (faults.truncateNext > 0 && answer.status < 300) {
            --faults.truncateNext;
            return later(delay,
                         [self = shared_from_this(), response] { self->writeTruncated(response); });
        }
        later(delay, [self = shared_from_this(), response] { self->write(response); });
    }

    void handleControl(const QString &command, const http::request<http::string_body> &request)
    {
        const std::string authorization(request[http::field::authorization]);
        if (authorization != "Bearer " + m_server.controlToken.toStdString())
            return sendError(401, "control token required");
        QJsonObject args =
            QJsonDocument::fromJson(QByteArray::fromStdString(request.body())).object();
        const std::string target(request.target());
        if (const auto question = target.find('?'); question != std::string::npos)
            addFormParams(QByteArray::fromStdString(target.substr(question + 1)), args);
        const ControlOutcome outcome = m_server.controller.handle(command, args);
        auto response = std::make_shared<http::response<http::string_body>>();
        response->version(11);
        response->result(static_cast<unsigned>(outcome.status));
        response->set(http::field::server, "rae-pve-sim control");
        response->set(http::field::content_type, "application/json");
        response->body() = QJsonDocument(outcome.body).toJson(QJsonDocument::Compact).toStdString();
        write(response);
    }

    template<typename Action>
    void later(std::chrono::milliseconds delay, Action action)
    {
        if (delay.count() <= 0)
            return action();
        m_timer.expires_after(delay);
        m_timer.async_wait([action = std::move(action)](beast::error_code error) {
            if (!error)
                action();
        });
    }

    void sendError(int status, const std::string &reason)
    {
        auto response = std::make_shared<http::response<http::string_body>>();
        response->version(11);
        response->result(static_cast<unsigned>(status));
        response->reason(reason);
        response->set(http::field::server, "pve-api-daemon/3.0");
        response->set(http::field::date, httpDate());
        response->set(http::field::content_type, "application/json;charset=UTF-8");
        response->body() = status == 501 ? std::string() : std::string("{\"data\":null}");
        write(response);
    }

    void write(const std::shared_ptr<http::response<http::string_body>> &response)
    {
        // Every error closes the connection, and keep-alive ends after 100 requests.
        const bool keepAlive =
            response->result_int() < 400 && m_requests < maxRequestsPerConnection;
        response->keep_alive(keepAlive);
        response->prepare_payload();
        beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(30));
        http::async_write(
            m_stream, *response,
            [self = shared_from_this(), response, keepAlive](beast::error_code error, std::size_t) {
                if (error)
                    return self->close();
                if (keepAlive)
                    self->read();
                else
                    self->close();
            });
    }

    void writeTruncated(const std::shared_ptr<http::response<http::string_body>> &response)
    {
        response->keep_alive(false);
        response->prepare_payload();
        std::ostringstream head;
        head << response->base();
        const std::string &body = response->body();
        auto wire = std::make_shared<std::string>(head.str() + body.substr(0, body.size() / 2));
        net::async_write(
            m_stream, net::buffer(*wire),
            [self = shared_from_this(), wire](beast::error_code, std::size_t) { self->close(); });
    }

    void close()
    {
        beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(2));
        m_stream.async_shutdown([self = shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            beast::get_lowest_layer(self->m_stream).socket().close(ignored);
        });
    }

    beast::ssl_stream<beast::tcp_stream> m_stream;
    Server::Impl &m_server;
    net::steady_timer m_timer;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    int m_requests = 0;
};

// One connection to a service behind a VM, plain HTTP or (for the gateway) HTTPS.
template<typename Stream>
class ServiceSession final : public std::enable_shared_from_this<ServiceSession<Stream>>
{
    static constexpr bool tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    ServiceSession(Stream stream, Server::Impl &server, int vmid)
        : m_stream(std::move(stream))
        , m_server(server)
        , m_vmid(vmid)
        , m_timer(m_stream.get_executor())
    {}

    void start()
    {
        if constexpr (tls) {
            beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(30));
            m_stream.async_handshake(ssl::stream_base::server,
                                     [self = this->shared_from_this()](beast::error_code error) {
                                         if (!error)
                                             self->read();
                                     });
        } else {
            read();
        }
    }

private:
    void read()
    {
        m_request = {};
        beast::get_lowest_layer(m_stream).expires_after(idleTimeout);
        http::async_read(m_stream, m_buffer, m_request,
                         [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                             if (error)
                                 return self->close();
                             self->handle();
                         });
    }

    void handle()
    {
        const std::string target(m_request.target());
        const QString path = QUrl::fromPercentEncoding(
            QByteArray::fromStdString(target.substr(0, target.find('?'))));
        const QString method = QString::fromStdString(std::string(m_request.method_string()));
        const ServiceAnswer answer = m_server.cluster.serviceAnswer(
            m_vmid, method, path,
            [this](const QString &address, quint16 port) { return m_server.reach(address, port); });
        if (answer.close)
            return close();
        auto response = std::make_shared<http::response<http::string_body>>();
        response->version(m_request.version());
        response->result(static_cast<unsigned>(answer.status));
        response->reason(answer.reason.toStdString());
        response->set(http::field::date, httpDate());
        response->set(http::field::content_type, answer.contentType.toStdString());
        if (m_request.method() != http::verb::head)
            response->body() = answer.body.toStdString();
        compressIfAsked(m_request, *response, m_server.gzipCache);
        response->keep_alive(m_request.keep_alive());
        response->prepare_payload();
        if (answer.delay.count() <= 0)
            return write(response);
        m_timer.expires_after(answer.delay);
        m_timer.async_wait([self = this->shared_from_this(), response](beast::error_code error) {
            if (!error)
                self->write(response);
        });
    }

    void write(const std::shared_ptr<http::response<http::string_body>> &response)
    {
        beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(30));
        http::async_write(
            m_stream, *response,
            [self = this->shared_from_this(), response](beast::error_code error, std::size_t) {
                if (error || !response->keep_alive())
                    return self->close();
                self->read();
            });
    }

    void close()
    {
        if constexpr (tls) {
            beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(2));
            m_stream.async_shutdown([self = this->shared_from_this()](beast::error_code) {
                beast::error_code ignored;
                beast::get_lowest_layer(self->m_stream).socket().close(ignored);
            });
        } else {
            beast::error_code ignored;
            m_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            m_stream.socket().close(ignored);
        }
    }

    Stream m_stream;
    Server::Impl &m_server;
    int m_vmid = 0;
    net::steady_timer m_timer;
    beast::flat_buffer m_buffer;
    http::request<http::string_body> m_request;
};

} // namespace

std::optional<double> Server::Impl::reach(const QString &address, quint16 port)
{
    // Loopback refuses at once, so a blocking connect costs next to nothing here.
    beast::error_code error;
    const auto ip = net::ip::make_address(address.toStdString(), error);
    if (error)
        return std::nullopt;
    const auto started = std::chrono::steady_clock::now();
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(ip, port), error);
    if (error)
        return std::nullopt;
    socket.close(error);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
        .count();
}

void Server::Impl::acceptService(const std::shared_ptr<ServiceListener> &listener)
{
    listener->acceptor.async_accept([this, listener](beast::error_code error, tcp::socket socket) {
        if (error == net::error::operation_aborted || !listener->acceptor.is_open())
            return;
        if (!error) {
            const int vmid = listener->endpoint.vmid;
            if (listener->context) {
                std::make_shared<ServiceSession<beast::ssl_stream<beast::tcp_stream>>>(
                    beast::ssl_stream<beast::tcp_stream>(std::move(socket), *listener->context),
                    *this, vmid)
                    ->start();
            } else {
                std::make_shared<ServiceSession<beast::tcp_stream>>(
                    beast::tcp_stream(std::move(socket)), *this, vmid)
                    ->start();
            }
        }
        acceptService(listener);
    });
}

void Server::Impl::reconcileServices()
{
    const QList<ServiceEndpoint> wanted = cluster.serviceEndpoints();
    if (wanted == wantedServices)
        return;
    wantedServices = wanted;
    // Services that went away (VM stopped, node down, service down) refuse connections now.
    std::erase_if(serviceListeners, [&](const std::shared_ptr<ServiceListener> &listener) {
        if (wanted.contains(listener->endpoint))
            return false;
        beast::error_code ignored;
        listener->acceptor.close(ignored);
        return true;
    });
    for (const ServiceEndpoint &endpoint : wanted) {
        const bool open = std::any_of(
            serviceListeners.cbegin(), serviceListeners.cend(),
            [&](const std::shared_ptr<ServiceListener> &l) { return l->endpoint == endpoint; });
        if (open)
            continue;
        auto listener =
            std::make_shared<ServiceListener>(ServiceListener{endpoint, tcp::acceptor(io), {}});
        if (endpoint.tls) {
            listener->context = gatewayContexts.value(endpoint.address);
            if (!listener->context) {
                auto gatewayCertificate = makeSelfSignedCertificate(
                    QStringLiteral("rae-gateway"), {QStringLiteral("localhost")},
                    {endpoint.address}, KeyKind::EcP256);
                if (gatewayCertificate)
                    listener->context = makeContext(*gatewayCertificate);
                if (listener->context)
                    gatewayContexts.insert(endpoint.address, listener->context);
            }
        }
        beast::error_code error;
        const tcp::endpoint where(net::ip::make_address(endpoint.address.toStdString(), error),
                                  endpoint.port);
        if (!error)
            listener->acceptor.open(where.protocol(), error);
        if (!error)
            listener->acceptor.set_option(net::socket_base::reuse_address(true), error);
        if (!error)
            listener->acceptor.bind(where, error);
        if (!error)
            listener->acceptor.listen(net::socket_base::max_listen_connections, error);
        if (error || (endpoint.tls && !listener->context)) {
            // A real server may hold the port; it is then what clients meet.
            std::cerr << "service of VM " << endpoint.vmid << " cannot listen on "
                      << endpoint.address.toStdString() << ':' << endpoint.port << ": "
                      << error.message() << std::endl;
            continue;
        }
        serviceListeners.push_back(listener);
        acceptService(listener);
    }
}

void Server::Impl::accept()
{
    acceptor.async_accept([this](beast::error_code error, tcp::socket socket) {
        if (error == net::error::operation_aborted)
            return;
        if (!error)
            std::make_shared<Session>(std::move(socket), *this)->start();
        accept();
    });
}

Server::Server(Cluster &cluster, const ServerOptions &options)
    : d(std::make_unique<Impl>(cluster, options))
{}

Server::~Server()
{
    stop();
}

Status Server::start()
{
    const QHostAddress address(d->options.address);
    if (address.isNull())
        return Error{QStringLiteral("'%1' is not an IP address").arg(d->options.address), {}, {}};
    if (!address.isLoopback() && !d->options.allowNonLoopback)
        return Error{QStringLiteral("refusing to listen on %1: the simulator serves loopback only")
                         .arg(d->options.address),
                     QStringLiteral("pass --allow-non-loopback if you really mean it"),
                     {}};

    if (!d->options.certPath.isEmpty() || !d->options.keyPath.isEmpty()) {
        auto loaded = loadCertificate(d->options.certPath, d->options.keyPath);
        if (!loaded)
            return loaded.error();
        d->certificate = *loaded;
        d->context = makeContext(d->certificate);
        d->cluster.setServedCertificate(d->certificate);
    } else if (d->renewCertificate().isEmpty()) {
        return Error{QStringLiteral("cannot make a self-signed certificate"), {}, {}};
    }
    d->controlToken =
        d->options.controlToken.isEmpty()
            ? QString::fromLatin1(randomBytes(18).toBase64(QByteArray::Base64UrlEncoding))
            : d->options.controlToken;

    beast::error_code error;
    const tcp::endpoint endpoint(net::ip::make_address(d->options.address.toStdString(), error),
                                 d->options.port);
    if (error)
        return Error{QString::fromStdString(error.message()), {}, d->options.address};
    d->acceptor.open(endpoint.protocol(), error);
    if (!error)
        d->acceptor.set_option(net::socket_base::reuse_address(true), error);
    if (!error)
        d->acceptor.bind(endpoint, error);
    if (!error)
        d->acceptor.listen(net::socket_base::max_listen_connections, error);
    if (error)
        return Error{QStringLiteral("cannot listen on %1:%2: %3")
                         .arg(d->options.address)
                         .arg(d->options.port)
                         .arg(QString::fromStdString(error.message())),
                     {},
                     {}};
    d->accept();
    d->tick();
    return Done{};
}

void Server::run()
{
    d->io.run();
}

void Server::runInBackground()
{
    d->thread = std::thread([this] { d->io.run(); });
}

void Server::stop()
{
    if (d->io.stopped() && !d->thread.joinable())
        return;
    d->io.stop();
    if (d->thread.joinable())
        d->thread.join();
}

quint16 Server::port() const
{
    beast::error_code error;
    const auto endpoint = d->acceptor.local_endpoint(error);
    return error ? 0 : endpoint.port();
}

QString Server::url() const
{
    return QStringLiteral("https://%1:%2/").arg(d->options.address).arg(port());
}

QString Server::fingerprint() const
{
    return d->certificate.fingerprint;
}

QString Server::controlToken() const
{
    return d->controlToken;
}

} // namespace rae::sim
