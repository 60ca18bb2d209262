#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

// Readers for values as Proxmox's Perl emits them: numbers that arrive as strings, booleans as
// 0/1 (or "0"/"1", "on"/"off"), optional keys omitted rather than null. Each returns nothing for
// a value it cannot read instead of inventing a zero, so callers keep "unknown" apart from 0.
namespace rae::proxmox::lenient {

std::optional<qint64> toInt(const QJsonValue &value);
std::optional<double> toDouble(const QJsonValue &value);
std::optional<bool> toBool(const QJsonValue &value);

// A string, or a number written out ("105" for 105); empty for anything else.
QString toString(const QJsonValue &value);

// The same rules for the text inside property strings ("1", "on", "yes", "4.5").
std::optional<bool> boolFromText(QStringView text);
std::optional<qint64> intFromText(QStringView text);
std::optional<double> doubleFromText(QStringView text);

// `tags` and `content` style lists: split on any of ";, " and drop empties.
QStringList splitList(const QString &text);

} // namespace rae::proxmox::lenient
