#include "compression.h"

#include <zlib.h>

namespace rae::sim {

Result<QByteArray> gzip(const QByteArray &data)
{
    z_stream stream{};
    // 15 window bits + 16 asks zlib for the gzip header and trailer instead of zlib's own.
    constexpr int gzipWindowBits = 15 + 16;
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return Error{QStringLiteral("zlib: cannot start compressing"), {}, {}};
    QByteArray out;
    out.resize(static_cast<qsizetype>(deflateBound(&stream, static_cast<uLong>(data.size()))));
    // zlib's API predates const; it does not write through next_in.
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    const auto written = static_cast<qsizetype>(stream.total_out);
    deflateEnd(&stream);
    if (status != Z_STREAM_END)
        return Error{QStringLiteral("zlib: compression did not finish"), {}, {}};
    out.truncate(written);
    return out;
}

} // namespace rae::sim
