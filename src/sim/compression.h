#pragma once

#include "common/result.h"

#include <QByteArray>

namespace rae::sim {

// `data` with a gzip wrapper (RFC 1952), as `Content-Encoding: gzip` wants it.
Result<QByteArray> gzip(const QByteArray &data);

} // namespace rae::sim
