#include "proxmox/propertystring.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>

namespace rae::proxmox {

Result<PropertyString> PropertyString::parse(const QString &text, const QString &defaultKey)
{
    PropertyString result;
    bool sawBare = false;
    for (const QString &element : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype equals = element.indexOf(QLatin1Char('='));
        if (equals < 0) {
            if (sawBare || defaultKey.isEmpty()) {
                return Error{
                    QCoreApplication::translate("rae::proxmox",
                                                "“%1” has a value without a key: “%2”")
                        .arg(text, element),
                    QCoreApplication::translate("rae::proxmox",
                                                "the server sent a property string we cannot read"),
                    {}};
            }
            sawBare = true;
            result.m_pairs.append({defaultKey, element.trimmed()});
            continue;
        }
        const QString key = element.left(equals).trimmed();
        if (key.isEmpty()) {
            return Error{
                QCoreApplication::translate("rae::proxmox", "“%1” has an empty key").arg(text),
                {},
                {}};
        }
        result.m_pairs.append({key, element.mid(equals + 1).trimmed()});
    }
    return result;
}

bool PropertyString::contains(const QString &key) const
{
    for (const auto &[k, v] : m_pairs) {
        if (k == key)
            return true;
    }
    return false;
}

QString PropertyString::value(const QString &key) const
{
    for (const auto &[k, v] : m_pairs) {
        if (k == key)
            return v;
    }
    return {};
}

std::optional<bool> PropertyString::boolValue(const QString &key) const
{
    if (!contains(key))
        return std::nullopt;
    return lenient::boolFromText(value(key));
}

std::optional<qint64> PropertyString::intValue(const QString &key) const
{
    if (!contains(key))
        return std::nullopt;
    return lenient::intFromText(value(key));
}

} // namespace rae::proxmox
