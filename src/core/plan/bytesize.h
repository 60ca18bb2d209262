#pragma once

#include "common/result.h"

#include <QString>
#include <QtGlobal>

namespace rae {

// A size in bytes, as plans write them: "16 GiB", "16 GB", "16G", "16384M", "512 MiB".
// Proxmox counts in powers of two throughout, so K, M, G and T are binary whether or not
// they carry an "i" or a "B": "16 GB" is 16 GiB, as it is in the Proxmox web UI.
class ByteSize
{
public:
    constexpr ByteSize() = default;
    static constexpr ByteSize fromBytes(quint64 bytes) { return ByteSize(bytes); }
    static constexpr ByteSize fromMiB(quint64 mib) { return ByteSize(mib << 20); }
    static constexpr ByteSize fromGiB(quint64 gib) { return ByteSize(gib << 30); }

    // Parses a size; a bare number is in `bareUnit` (memory in MiB as Proxmox writes it,
    // disks in GiB). The error says what was expected.
    enum class Unit
    {
        Bytes,
        MiB,
        GiB
    };
    static Result<ByteSize> parse(const QString &text, Unit bareUnit);

    constexpr quint64 bytes() const { return m_bytes; }
    constexpr quint64 mib() const { return m_bytes >> 20; }
    constexpr double gib() const { return double(m_bytes) / double(1ull << 30); }

    // The shortest exact form in the largest whole unit: "16 GiB", "1536 MiB", "512 KiB".
    QString toString() const;

    friend constexpr auto operator<=>(ByteSize, ByteSize) = default;
    friend constexpr ByteSize operator+(ByteSize a, ByteSize b)
    {
        return ByteSize(a.m_bytes + b.m_bytes);
    }

private:
    constexpr explicit ByteSize(quint64 bytes)
        : m_bytes(bytes)
    {}
    quint64 m_bytes = 0;
};

} // namespace rae
