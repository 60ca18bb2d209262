#include "common/sshkey.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSet>

#include <optional>

namespace rae {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::SshPublicKey)
};

QString pasteHint()
{
    return Tr::tr("paste the whole line of the public key file (such as ~/.ssh/id_ed25519.pub; "
                  "ssh-keygen -y -f KEY prints it for a private key): "
                  "“ssh-ed25519 AAAA… you@host”");
}

// A string field of the key blob: a 4-byte big-endian length and that many bytes.
std::optional<QByteArray> blobString(const QByteArray &blob, qsizetype &offset)
{
    if (blob.size() - offset < 4)
        return std::nullopt;
    const auto byte = [&blob](qsizetype at) {
        return quint32(quint8(blob.at(at)));
    };
    const quint32 length =
        byte(offset) << 24 | byte(offset + 1) << 16 | byte(offset + 2) << 8 | byte(offset + 3);
    offset += 4;
    if (quint64(blob.size() - offset) < length)
        return std::nullopt;
    const QByteArray value = blob.mid(offset, qsizetype(length));
    offset += qsizetype(length);
    return value;
}

QString normalised(const QString &line)
{
    return line.simplified();
}

} // namespace

QString SshPublicKey::line() const
{
    QString text = type + QLatin1Char(' ') + body;
    if (!comment.isEmpty())
        text += QLatin1Char(' ') + comment;
    return text;
}

QString SshPublicKey::shortText() const
{
    QString text = type + QStringLiteral(" …") + body.right(8);
    if (!comment.isEmpty())
        text += QLatin1Char(' ') + comment;
    return text;
}

const QStringList &sshKeyTypes()
{
    static const QStringList types{QStringLiteral("ssh-ed25519"),
                                   QStringLiteral("ssh-rsa"),
                                   QStringLiteral("ecdsa-sha2-nistp256"),
                                   QStringLiteral("ecdsa-sha2-nistp384"),
                                   QStringLiteral("ecdsa-sha2-nistp521"),
                                   QStringLiteral("sk-ssh-ed25519@openssh.com"),
                                   QStringLiteral("sk-ecdsa-sha2-nistp256@openssh.com")};
    return types;
}

Result<SshPublicKey> parseSshPublicKey(const QString &line)
{
    if (line.contains(QLatin1Char('\n')) || line.contains(QLatin1Char('\r')))
        return Error{Tr::tr("the key spans several lines"),
                     Tr::tr("write each key on one line, as one item of the list; a key broken "
                            "over lines by an editor has to be joined again"),
                     {}};
    const QStringList fields =
        line.trimmed().split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (fields.isEmpty())
        return Error{Tr::tr("the key is empty"), pasteHint(), {}};
    const QString type = fields.first();
    if (!sshKeyTypes().contains(type)) {
        if (type.startsWith(QLatin1String("-----BEGIN")))
            return Error{Tr::tr("this is a private key or a PEM file, not an OpenSSH public key"),
                         Tr::tr("never put a private key in a plan; %1").arg(pasteHint()),
                         {}};
        return Error{Tr::tr("“%1” is not a key type that is accepted").arg(type.left(40)),
                     Tr::tr("use a key of type %1; %2")
                         .arg(sshKeyTypes().join(QStringLiteral(", ")), pasteHint()),
                     {}};
    }
    if (fields.size() < 2)
        return Error{Tr::tr("the key has its type but not its base64 part"), pasteHint(), {}};

    SshPublicKey key;
    key.type = type;
    key.body = fields.at(1);
    key.comment = fields.mid(2).join(QLatin1Char(' '));
    const auto decoded = QByteArray::fromBase64Encoding(key.body.toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty())
        return Error{
            Tr::tr("the key's second part is not valid base64"),
            Tr::tr("the key was probably cut or changed while copying; %1").arg(pasteHint()),
            {}};
    // The blob names its own type first: a key pasted with the wrong type in front, or a
    // truncated one, is caught here as ssh-keygen would.
    qsizetype offset = 0;
    const auto inner = blobString(decoded.decoded, offset);
    if (!inner || QString::fromLatin1(*inner) != type)
        return Error{Tr::tr("the key's base64 part is not a %1 key").arg(type),
                     Tr::tr("the type in front and the key do not match, or the key was cut; %1")
                         .arg(pasteHint()),
                     {}};
    if (type == QLatin1String("ssh-ed25519")) {
        const auto point = blobString(decoded.decoded, offset);
        if (!point || point->size() != 32)
            return Error{
                Tr::tr("the key's base64 part is too short for an ed25519 key"), pasteHint(), {}};
    }
    return key;
}

bool sameSshKeys(const QStringList &a, const QStringList &b)
{
    const auto identities = [](const QStringList &lines) {
        QSet<QString> out;
        for (const QString &line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            const auto key = parseSshPublicKey(line);
            out.insert(key ? key->type + QLatin1Char(' ') + key->body : normalised(line));
        }
        return out;
    };
    return identities(a) == identities(b);
}

} // namespace rae
