#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QString>

namespace rae::sim {

// `rae-pve-sim ctl`: one request to a running simulator's control interface. The certificate is
// accepted only when its SHA-256 fingerprint matches `fingerprint` (or any, when empty, since
// the simulator's certificate is self-signed and the control token is the secret that matters).
Result<QJsonObject> sendControl(const QString &url, const QString &token,
                                const QString &fingerprint, const QString &command,
                                const QJsonObject &args);

} // namespace rae::sim
