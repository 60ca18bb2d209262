#include "proxmox/apierror.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace rae::proxmox {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::proxmox::ApiError)
};

// `/nodes/pve2/qemu/101/status/current` -> "pve2"
QString nodeOfPath(const QString &path)
{
    static const QRegularExpression pattern(QStringLiteral("^/?nodes/([^/?]+)"));
    const auto match = pattern.match(path);
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

ApiError ApiError::make(Kind kind, const QString &message, const QString &hint)
{
    ApiError error;
    error.kind = kind;
    error.message = message;
    error.hint = hint;
    return error;
}

ApiError ApiError::fromHttp(int status, const QByteArray &reasonPhrase, const QByteArray &body,
                            const QString &path)
{
    ApiError error;
    error.httpStatus = status;
    error.serverMessage = QString::fromUtf8(reasonPhrase).trimmed();

    // Bodies of errors are optional; when one parses, its message is the fuller text (the status
    // line carries only the first line of a multi-line message).
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (document.isObject()) {
        const QJsonObject envelope = document.object();
        const QString bodyMessage = envelope.value(QLatin1String("message")).toString().trimmed();
        if (!bodyMessage.isEmpty())
            error.serverMessage = bodyMessage;
        const QJsonObject errors = envelope.value(QLatin1String("errors")).toObject();
        for (auto it = errors.begin(); it != errors.end(); ++it)
            error.parameterErrors.insert(it.key(), it.value().toString().trimmed());
    }

    const QString said = error.serverMessage.isEmpty()
                             ? Tr::tr("HTTP status %1 without a message").arg(status)
                             : error.serverMessage;

    if (status == 401) {
        error.kind = Kind::Authentication;
        error.message = Tr::tr("the cluster refused the credentials: %1").arg(said);
        if (said.contains(QLatin1String("csrf"), Qt::CaseInsensitive)) {
            error.hint = Tr::tr("the session's CSRF token was not accepted; reconnect");
        } else if (said.contains(QLatin1String("ticket"), Qt::CaseInsensitive)) {
            error.hint = Tr::tr("the login session expired; connect again");
        } else {
            error.hint =
                Tr::tr("check the user name, realm, password or API token (user@realm!name "
                       "and its secret)");
        }
    } else if (status == 403) {
        error.kind = Kind::Permission;
        error.message = Tr::tr("permission denied: %1").arg(said);
        error.hint = Tr::tr("grant the missing privilege on that path; an API token with privilege "
                            "separation needs its own ACL entries");
    } else if (status == 400) {
        error.kind = Kind::InvalidParameters;
        QStringList details;
        for (auto it = error.parameterErrors.cbegin(); it != error.parameterErrors.cend(); ++it)
            details << it.key() + QStringLiteral(": ") + it.value();
        error.message = details.isEmpty() ? Tr::tr("the cluster rejected the request: %1").arg(said)
                                          : Tr::tr("the cluster rejected the request: %1 (%2)")
                                                .arg(said, details.join(QStringLiteral("; ")));
    } else if (status == 501) {
        error.kind = Kind::NotFound;
        error.message = Tr::tr("the cluster does not know this call: %1").arg(said);
        error.hint = Tr::tr("the Proxmox VE release may be older or newer than this tool expects");
    } else if (status == 595 || status == 596 || status == 599) {
        error.kind = Kind::NodeUnreachable;
        error.node = nodeOfPath(path);
        error.message =
            error.node.isEmpty()
                ? Tr::tr("the node could not reach the service behind it: %1").arg(said)
                : Tr::tr("node %1 is unreachable from the cluster: %2").arg(error.node, said);
        if (said.contains(QLatin1String("certificate verify failed"), Qt::CaseInsensitive)) {
            error.hint =
                Tr::tr("the cluster nodes do not trust each other's certificate; this is a "
                       "problem between the nodes, not with this computer (run pvecm "
                       "updatecerts on the nodes)");
        } else {
            error.hint = Tr::tr("the node may be down or overloaded; the other nodes are still "
                                "queried");
        }
    } else if (status == 500 && said.contains(QLatin1String("does not exist"))) {
        error.kind = Kind::NotFound;
        error.message = Tr::tr("not found: %1").arg(said);
        error.hint = Tr::tr("the guest may have moved to another node; the inventory is refreshed");
    } else if (status >= 597 && status <= 598) {
        error.kind = Kind::Network;
        error.node = nodeOfPath(path);
        error.message = Tr::tr("the forwarded request broke off: %1").arg(said);
    } else {
        error.kind = Kind::Server;
        error.message = Tr::tr("the cluster reported an error: %1").arg(said);
    }
    return error;
}

bool ApiError::isNoSuchTask() const
{
    return httpStatus == 400 && parameterErrors.value(QStringLiteral("upid"))
                                    .contains(QLatin1String("no such task"), Qt::CaseInsensitive);
}

rae::Error ApiError::toError() const
{
    QString text = message;
    if (!pinnedFingerprint.isEmpty() || !presentedFingerprint.isEmpty()) {
        text += QLatin1Char('\n') +
                Tr::tr("pinned:    %1\npresented: %2").arg(pinnedFingerprint, presentedFingerprint);
    }
    return rae::Error{text, hint, endpoint};
}

QString ApiError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Network:
        return QStringLiteral("network");
    case Kind::Tls:
        return QStringLiteral("tls");
    case Kind::Authentication:
        return QStringLiteral("authentication");
    case Kind::Permission:
        return QStringLiteral("permission");
    case Kind::NotFound:
        return QStringLiteral("not-found");
    case Kind::InvalidParameters:
        return QStringLiteral("invalid-parameters");
    case Kind::Server:
        return QStringLiteral("server");
    case Kind::NodeUnreachable:
        return QStringLiteral("node-unreachable");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Kind::MalformedResponse:
        return QStringLiteral("malformed-response");
    case Kind::Refused:
        return QStringLiteral("refused");
    }
    return QStringLiteral("unknown");
}

} // namespace rae::proxmox
