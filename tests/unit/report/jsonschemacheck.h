#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <cmath>

// The part of JSON Schema the report's schema uses: type (one or a list), const, enum,
// required, properties, additionalProperties, items and minimum. Returns what does not fit,
// as "path: problem" lines; empty when the value fits.
namespace rae::report::test {

inline bool hasType(const QJsonValue &value, const QString &type)
{
    if (type == QLatin1String("object"))
        return value.isObject();
    if (type == QLatin1String("array"))
        return value.isArray();
    if (type == QLatin1String("string"))
        return value.isString();
    if (type == QLatin1String("boolean"))
        return value.isBool();
    if (type == QLatin1String("null"))
        return value.isNull();
    if (type == QLatin1String("number"))
        return value.isDouble();
    if (type == QLatin1String("integer"))
        return value.isDouble() && std::floor(value.toDouble()) == value.toDouble();
    return false;
}

inline void checkSchema(const QJsonValue &value, const QJsonObject &schema, const QString &path,
                        QStringList &problems)
{
    if (schema.contains(QLatin1String("type"))) {
        const QJsonValue type = schema.value(QLatin1String("type"));
        const QJsonArray types = type.isArray() ? type.toArray() : QJsonArray{type};
        bool fits = false;
        for (const QJsonValue &one : types)
            fits = fits || hasType(value, one.toString());
        if (!fits) {
            problems.append(path + QStringLiteral(": not of type ") +
                            QString::fromUtf8(QJsonDocument(types).toJson(QJsonDocument::Compact)));
            return;
        }
    }
    if (schema.contains(QLatin1String("const")) && schema.value(QLatin1String("const")) != value)
        problems.append(path + QStringLiteral(": not the constant"));
    if (schema.contains(QLatin1String("enum")) &&
        !schema.value(QLatin1String("enum")).toArray().contains(value))
        problems.append(path + QStringLiteral(": not one of the enumerated values"));
    if (schema.contains(QLatin1String("minimum")) && value.isDouble() &&
        value.toDouble() < schema.value(QLatin1String("minimum")).toDouble())
        problems.append(path + QStringLiteral(": below the minimum"));

    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (const QJsonValue &required : schema.value(QLatin1String("required")).toArray()) {
            if (!object.contains(required.toString()))
                problems.append(path + QStringLiteral(": lacks ") + required.toString());
        }
        const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
        const QJsonValue additional = schema.value(QLatin1String("additionalProperties"));
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const QString at = path + QLatin1Char('.') + it.key();
            if (properties.contains(it.key()))
                checkSchema(it.value(), properties.value(it.key()).toObject(), at, problems);
            else if (additional.isObject())
                checkSchema(it.value(), additional.toObject(), at, problems);
            else if (additional.isBool() && !additional.toBool())
                problems.append(at + QStringLiteral(": not allowed"));
        }
    }
    if (value.isArray() && schema.contains(QLatin1String("items"))) {
        const QJsonArray array = value.toArray();
        const QJsonObject items = schema.value(QLatin1String("items")).toObject();
        for (qsizetype i = 0; i < array.size(); ++i)
            checkSchema(array.at(i), items, path + QStringLiteral("[%1]").arg(i), problems);
    }
}

inline QStringList checkSchema(const QJsonValue &value, const QJsonObject &schema)
{
    QStringList problems;
    checkSchema(value, schema, QStringLiteral("$"), problems);
    return problems;
}

} // namespace rae::report::test
