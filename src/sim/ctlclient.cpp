#include "ctlclient.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/x509.h>

#include <QJsonDocument>
#include <QStringList>
#include <QUrl>

namespace rae::sim {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;

Result<QJsonObject> sendControl(const QString &url, const QString &token,
                                const QString &fingerprint, const QString &command,
                                const QJsonObject &args)
{
    const QUrl base(url);
    if (!base.isValid() || base.scheme() != QLatin1String("https"))
        return Error{QStringLiteral("'%1' is not an https URL").arg(url), {}, {}};
    try {
        net::io_context io;
        ssl::context context(ssl::context::tls_client);
        context.set_verify_mode(ssl::verify_peer);
        const QString expected = fingerprint.toUpper();
        QString seen;
        context.set_verify_callback([&](bool, ssl::verify_context &verify) {
            X509 *cert = X509_STORE_CTX_get_current_cert(verify.native_handle());
            if (X509_STORE_CTX_get_error_depth(verify.native_handle()) > 0)
                return true;
            unsigned char digest[EVP_MAX_MD_SIZE];
            unsigned int length = 0;
            X509_digest(cert, EVP_sha256(), digest, &length);
            QStringList pairs;
            for (unsigned int i = 0; i < length; ++i)
                pairs << QStringLiteral("%1").arg(digest[i], 2, 16, QLatin1Char('0')).toUpper();
            seen = pairs.join(QLatin1Char(':'));
            return expected.isEmpty() || seen == expected;
        });
        beast::ssl_stream<beast::tcp_stream> stream(io, context);
        net::ip::tcp::resolver resolver(io);
        const auto endpoints =
            resolver.resolve(base.host().toStdString(), std::to_string(base.port(8006)));
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
        beast::get_lowest_layer(stream).connect(endpoints);
        beast::error_code handshakeError;
        stream.handshake(ssl::stream_base::client, handshakeError);
        if (handshakeError)
            return Error{QStringLiteral("TLS handshake failed: %1")
                             .arg(QString::fromStdString(handshakeError.message())),
                         seen.isEmpty()
                             ? QString()
                             : QStringLiteral("the server's fingerprint is %1").arg(seen),
                         {}};

        http::request<http::string_body> request(http::verb::post, "/ctl/" + command.toStdString(),
                                                 11);
        request.set(http::field::host, base.host().toStdString());
        request.set(http::field::authorization, "Bearer " + token.toStdString());
        request.set(http::field::content_type, "application/json");
        request.body() = QJsonDocument(args).toJson(QJsonDocument::Compact).toStdString();
        request.prepare_payload();
        http::write(stream, request);

        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        beast::error_code ignored;
        stream.shutdown(ignored);
        const QJsonObject body =
            QJsonDocument::fromJson(QByteArray::fromStdString(response.body())).object();
        if (response.result_int() != 200)
            return Error{body.value(QStringLiteral("error"))
                             .toString(QString::fromStdString(std::string(response.reason()))),
                         {},
                         QStringLiteral("ctl %1").arg(command)};
        return body;
    } catch (const std::exception &error) {
        return Error{QString::fromLocal8Bit(error.what()), {}, url};
    }
}

} // namespace rae::sim
