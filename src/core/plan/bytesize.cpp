#include "plan/bytesize.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <limits>

namespace rae {

Result<ByteSize> ByteSize::parse(const QString &text, Unit bareUnit)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^\s*(\d+(?:\.\d+)?)\s*(?:([KMGTkmgt])(?:i?[Bb])?|([Bb]))?\s*$)"));
    const auto match = pattern.match(text);
    if (!match.hasMatch()) {
        return Error{QCoreApplication::translate("rae::ByteSize", "“%1” is not a size").arg(text),
                     QCoreApplication::translate(
                         "rae::ByteSize",
                         "write a number and a unit, such as “16 GiB”, “16 GB” or “16384M”"),
                     {}};
    }

    const double number = match.captured(1).toDouble();
    int shift = 0;
    if (const QString unit = match.captured(2).toUpper(); !unit.isEmpty()) {
        shift = QStringLiteral("KMGT").indexOf(unit) * 10 + 10;
    } else if (match.captured(3).isEmpty()) {
        shift = bareUnit == Unit::MiB ? 20 : bareUnit == Unit::GiB ? 30 : 0;
    }

    const double bytes = number * double(1ull << shift);
    if (bytes >= double(std::numeric_limits<quint64>::max() / 2)) {
        return Error{QCoreApplication::translate("rae::ByteSize", "“%1” is too large").arg(text),
                     QCoreApplication::translate("rae::ByteSize", "sizes go up to a few PiB"),
                     {}};
    }
    if (bytes != double(quint64(bytes))) {
        return Error{
            QCoreApplication::translate("rae::ByteSize", "“%1” is not a whole number of bytes")
                .arg(text),
            QCoreApplication::translate("rae::ByteSize", "use a smaller unit, such as “1536 MiB”"),
            {}};
    }
    return ByteSize(quint64(bytes));
}

QString ByteSize::toString() const
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    quint64 value = m_bytes;
    while (unit < 4 && value != 0 && value % 1024 == 0) {
        value /= 1024;
        ++unit;
    }
    return QString::number(value) + QLatin1Char(' ') + QLatin1String(units[unit]);
}

} // namespace rae
