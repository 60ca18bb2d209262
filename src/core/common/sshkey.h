#pragma once

#include "common/result.h"

#include <QList>
#include <QString>
#include <QStringList>

// OpenSSH public keys as an admin pastes them from a `.pub` file, and the checks Proxmox makes
// before it stores a VM's `sshkeys` (`ssh-keygen -l` on each line).
namespace rae {

struct SshPublicKey
{
    QString type;    // ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...
    QString body;    // the base64 blob as written
    QString comment; // may be empty, may hold spaces

    // `type body comment`, one space apart: what goes into authorized_keys.
    QString line() const;
    // `ssh-ed25519 …Wx4Z admin@ws`: enough to tell keys apart in a preview.
    QString shortText() const;
    // The key itself; two lines with the same type and body are the same key.
    bool sameKey(const SshPublicKey &other) const
    {
        return type == other.type && body == other.body;
    }
};

// The key types accepted, in the order they are listed in messages.
const QStringList &sshKeyTypes();

// Reads one key line. The error says what is wrong with it and how to get a good one.
Result<SshPublicKey> parseSshPublicKey(const QString &line);

// Whether two lists hold the same keys, in any order and whatever their comments.
// Lines that do not parse are compared as trimmed text.
bool sameSshKeys(const QStringList &a, const QStringList &b);

} // namespace rae
