#include "proxmox/lenient.h"

#include <QRegularExpression>

#include <cmath>

namespace rae::proxmox::lenient {

std::optional<qint64> intFromText(QStringView text)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (ok)
        return value;

    // "4.0" is a whole number written by a float formatter; "4.5" is not an integer.
    const double real = text.trimmed().toDouble(&ok);
    if (ok && std::isfinite(real) && real == std::trunc(real))
        return qint64(real);
    return std::nullopt;
}

std::optional<double> doubleFromText(QStringView text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (ok && std::isfinite(value))
        return value;
    return std::nullopt;
}

std::optional<bool> boolFromText(QStringView text)
{
    const QStringView t = text.trimmed();
    for (const char *yes : {"1", "on", "yes", "true"}) {
        if (t.compare(QLatin1String(yes), Qt::CaseInsensitive) == 0)
            return true;
    }
    for (const char *no : {"0", "off", "no", "false"}) {
        if (t.compare(QLatin1String(no), Qt::CaseInsensitive) == 0)
            return false;
    }
    return std::nullopt;
}

std::optional<qint64> toInt(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double real = value.toDouble();
        if (std::isfinite(real) && real == std::trunc(real))
            return qint64(real);
        return std::nullopt;
    }
    if (value.isString())
        return intFromText(value.toString());
    return std::nullopt;
}

std::optional<double> toDouble(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString())
        return doubleFromText(value.toString());
    return std::nullopt;
}

std::optional<bool> toBool(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool();
    if (value.isDouble())
        return value.toDouble() != 0.0;
    if (value.isString())
        return boolFromText(value.toString());
    return std::nullopt;
}

QString toString(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double real = value.toDouble();
        if (real == std::trunc(real) && std::abs(real) < 9.0e15)
            return QString::number(qint64(real));
        return QString::number(real, 'g', 17);
    }
    return {};
}

QStringList splitList(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[;, ]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

} // namespace rae::proxmox::lenient
