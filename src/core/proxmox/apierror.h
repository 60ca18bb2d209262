#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QMap>
#include <QString>

namespace rae::proxmox {

// Everything that can go wrong talking to a cluster, as one value. `kind` says what happened so
// callers can react (re-login, fail over, show the parameter); `serverMessage` keeps the node's
// own words (status line or body `message`), and `message`/`hint` are for people (translated).
struct ApiError
{
    enum class Kind
    {
        Network,           // connection refused, host not found, reset, TLS handshake aborted
        Tls,               // certificate not trusted, refused, or its fingerprint changed
        Authentication,    // 401: no ticket, bad token, wrong password, expired ticket, CSRF
        Permission,        // 403
        NotFound,          // 501 unknown path, 500 "... does not exist"
        InvalidParameters, // 400, with per-parameter messages
        Server,            // other 5xx from the API handler
        NodeUnreachable,   // 595/596/599 while the answering node forwarded to another
        Timeout,           // no activity for longer than the request's time-out
        Cancelled,         // the caller cancelled the job
        MalformedResponse, // the body was not the JSON envelope we expect
        Refused,           // the client chose not to send (not connected, write not retried)
    };

    Kind kind = Kind::Network;
    int httpStatus = 0;    // 0 when no HTTP answer came
    QString serverMessage; // reason phrase or body message, verbatim, trailing newline dropped
    QMap<QString, QString> parameterErrors; // the body's `errors` map
    QString node;                           // the node a 595/596 was about, when the path names one
    QString endpoint;                       // base URL that answered, or was tried
    QString message;                        // for people
    QString hint;                           // what they can do
    QString pinnedFingerprint;              // Tls: the fingerprint we had on record
    QString presentedFingerprint;           // Tls: the one the server showed

    // Builds the error for an HTTP answer with status >= 400 (or a 59x pseudo status). The body
    // may be empty, `{"data":null}`, or carry `message` and `errors`; none of that is required.
    static ApiError fromHttp(int status, const QByteArray &reasonPhrase, const QByteArray &body,
                             const QString &path);
    static ApiError make(Kind kind, const QString &message, const QString &hint = {});

    // True for a 400 whose `errors.upid` says the task is not known yet (right after it starts).
    bool isNoSuchTask() const;

    rae::Error toError() const;
    static QString kindName(Kind kind); // stable English word for logs and JSON
};

template<typename T>
using ApiResult = rae::Result<T, ApiError>;

} // namespace rae::proxmox
