#include "proxmox/upid.h"

#include <QCoreApplication>

namespace rae::proxmox {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::proxmox::Upid)
};

// Reads hex of the given width range, either case, and nothing else.
std::optional<quint64> readHex(const QString &field, int minDigits, int maxDigits)
{
    if (field.size() < minDigits || field.size() > maxDigits)
        return std::nullopt;
    bool ok = false;
    const quint64 value = field.toULongLong(&ok, 16);
    if (!ok)
        return std::nullopt;
    return value;
}

} // namespace

Result<Upid> Upid::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    const QStringList parts = trimmed.split(QLatin1Char(':'));

    // "UPID" + 7 fields + the empty piece after the trailing colon. The id never contains a
    // colon, so any other count means the text is not a UPID we can split safely.
    if (parts.size() != 9 || parts.first() != QLatin1String("UPID") || !parts.last().isEmpty()) {
        return Error{Tr::tr("“%1” is not a task id (UPID): expected 7 fields between “UPID:” and a "
                            "closing colon, found %2")
                         .arg(trimmed)
                         .arg(qMax(0, int(parts.size()) - 2)),
                     Tr::tr("the id of a task looks like UPID:node:pid:pstart:time:type:id:user:"),
                     {}};
    }

    auto fieldError = [&](const char *field, const QString &value) {
        return Error{Tr::tr("task id “%1”: the %2 field “%3” is not valid hex")
                         .arg(trimmed, QLatin1String(field), value),
                     {},
                     {}};
    };

    Upid upid;
    upid.text = trimmed;
    upid.node = parts.at(1);
    if (upid.node.isEmpty())
        return Error{Tr::tr("task id “%1” names no node").arg(trimmed), {}, {}};

    const auto pid = readHex(parts.at(2), 1, 8);
    if (!pid)
        return fieldError("pid", parts.at(2));
    const auto pstart = readHex(parts.at(3), 1, 16);
    if (!pstart)
        return fieldError("pstart", parts.at(3));
    const auto startTime = readHex(parts.at(4), 1, 16);
    if (!startTime)
        return fieldError("start time", parts.at(4));
    upid.pid = quint32(*pid);
    upid.pstart = *pstart;
    upid.startTime = qint64(*startTime);

    upid.type = parts.at(5);
    upid.id = parts.at(6);
    if (upid.type.isEmpty())
        return Error{Tr::tr("task id “%1” names no task type").arg(trimmed), {}, {}};

    const QString user = parts.at(7);
    const qsizetype bang = user.indexOf(QLatin1Char('!'));
    upid.user = bang < 0 ? user : user.left(bang);
    upid.tokenId = bang < 0 ? QString() : user.mid(bang + 1);
    if (upid.user.isEmpty())
        return Error{Tr::tr("task id “%1” names no user").arg(trimmed), {}, {}};
    return upid;
}

} // namespace rae::proxmox
