#pragma once

#include "common/result.h"

#include <QString>

namespace rae::proxmox {

// A Proxmox task id, `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`, with its hex
// fields decoded. The node is where the task runs: status and log must be asked of that node.
struct Upid
{
    QString text; // as received, for URLs and logs
    QString node;
    quint32 pid = 0;
    quint64 pstart = 0;   // clock ticks since boot; 9 hex digits after ~497 days of uptime
    qint64 startTime = 0; // unix seconds
    QString type;         // qmstart, qmigrate, vzdump, hastart, ...
    QString id;           // the guest or object; empty for multi-guest tasks such as vzdump
    QString user;         // user@realm, without the token part
    QString tokenId;      // the token name when an API token started the task, else empty

    // Parses a UPID; the error names the field that is wrong.
    static Result<Upid> parse(const QString &text);

    friend bool operator==(const Upid &, const Upid &) = default;
};

} // namespace rae::proxmox
