#pragma once

#include "common/result.h"

#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace rae::proxmox {

// A Proxmox property string such as `virtio=BC:24:11:00:00:01,bridge=vmbr1,tag=20` or
// `ceph-vm:vm-104-disk-0,size=64G`: comma-separated `key=value` pairs, where an element without
// `=` is the value of the format's default key. Order is kept because for NICs the first pair
// names the model (`virtio=<mac>`).
class PropertyString
{
public:
    // `defaultKey` names the value of a bare element (`file` for disks, `enabled` for `agent`).
    // Fails on a second bare element or an empty key; the message shows the text.
    static Result<PropertyString> parse(const QString &text, const QString &defaultKey = {});

    bool contains(const QString &key) const;
    QString value(const QString &key) const; // empty when absent
    std::optional<bool> boolValue(const QString &key) const;
    std::optional<qint64> intValue(const QString &key) const;

    const QList<std::pair<QString, QString>> &pairs() const { return m_pairs; }

private:
    QList<std::pair<QString, QString>> m_pairs;
};

} // namespace rae::proxmox
