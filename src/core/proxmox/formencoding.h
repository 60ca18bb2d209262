#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

// Encoding of parameters for pveproxy. The server splits a form body on `&` and `;`, turns `+`
// into a space, then percent-decodes, so every key and value is percent-encoded here, leaving only
// RFC 3986 unreserved characters bare. QUrlQuery is not used: it leaves `+` and `;` alone, which
// corrupts passwords, tickets and keys that contain them.
namespace rae::proxmox::form {

// Repeated keys are allowed and kept in order: that is how arrays are sent (`command=a&command=b`).
using Params = QList<std::pair<QString, QString>>;

// `key=value&key=value`, for a POST/PUT body or a GET/DELETE query string alike.
QByteArray encode(const Params &params);

// The value to pass for the `sshkeys` parameter: keys joined with newlines and percent-encoded
// once (spaces as %20, `+` `/` `=` `:` `@` encoded). `encode()` then encodes it a second time,
// which is what the server expects in a form body (it decodes once and validates the rest).
QString sshKeysValue(const QStringList &publicKeys);

// The keys of a VM's `sshkeys` as `GET …/config` returns it (still percent-encoded, as stored):
// decoded, one key a line, empty lines left out.
QStringList sshKeysFromValue(const QString &stored);

// One path: each segment percent-encoded, joined with `/`, with a leading `/`.
QString path(const QStringList &segments);

} // namespace rae::proxmox::form
