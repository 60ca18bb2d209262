#include "proxmox/formencoding.h"

#include <QUrl>

namespace rae::proxmox::form {

QByteArray encode(const Params &params)
{
    QByteArray body;
    for (const auto &[key, value] : params) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(key);
        body += '=';
        body += QUrl::toPercentEncoding(value);
    }
    return body;
}

QString sshKeysValue(const QStringList &publicKeys)
{
    QStringList trimmed;
    for (const QString &key : publicKeys) {
        if (!key.trimmed().isEmpty())
            trimmed << key.trimmed();
    }
    return QString::fromLatin1(QUrl::toPercentEncoding(trimmed.join(QLatin1Char('\n'))));
}

QStringList sshKeysFromValue(const QString &stored)
{
    const QString text = QUrl::fromPercentEncoding(stored.toUtf8());
    QStringList keys;
    for (const QString &line : text.split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            keys << line.trimmed();
    return keys;
}

QString path(const QStringList &segments)
{
    QString result;
    for (const QString &segment : segments)
        result += QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(segment));
    return result;
}

} // namespace rae::proxmox::form
