#include "schema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace rae::sim {

namespace {

const QString notDefined = QStringLiteral(
    "property is not defined in schema and the schema does not allow additional properties");

bool isIntegerText(const QString &text)
{
    static const QRegularExpression integer(QStringLiteral("^[+-]?[0-9]+$"));
    return integer.match(text).hasMatch();
}

bool isNumberText(const QString &text)
{
    static const QRegularExpression number(
        QStringLiteral(R"(^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$)"));
    return number.match(text).hasMatch();
}

QString scalarText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("1") : QStringLiteral("0");
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (d == static_cast<double>(static_cast<long long>(d)))
            return QString::number(static_cast<long long>(d));
        return QString::number(d, 'g', 17);
    }
    return {};
}

QString numberText(double value)
{
    if (value == static_cast<double>(static_cast<long long>(value)))
        return QString::number(static_cast<long long>(value));
    return QString::number(value);
}

// The string formats whose checks a client is likely to trip over; others are accepted.
std::optional<QString> checkFormat(const QString &format, const QString &value)
{
    static const QRegularExpression node(
        QStringLiteral("^(?=.{1,64}$)[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?$"));
    static const QRegularExpression storageId(QStringLiteral("^[a-z][a-z0-9\\-\\_\\.]*[a-z0-9]$"),
                                              QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression urlencoded(QStringLiteral("^[-%a-zA-Z0-9_.!~*'()]*$"));
    static const QRegularExpression configId(QStringLiteral("^[a-z][a-z_\\-]*\\d*$"));
    static const QRegularExpression dnsName(
        QStringLiteral("^(([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)\\.)*([A-Za-z0-9]([A-Za-z0-9\\-"
                       "]*[A-Za-z0-9])?)$"));
    static const QRegularExpression haSid(QStringLiteral("^((vm|ct):)?[0-9]+$"));
    static const QRegularExpression replicationId(QStringLiteral("^[1-9][0-9]{2,8}-[0-9]{1,9}$"));

    if (format == QLatin1String("pve-node") && !node.match(value).hasMatch())
        return QStringLiteral("invalid format - value does not look like a valid node name");
    if (format == QLatin1String("pve-storage-id") && !storageId.match(value).hasMatch())
        return QStringLiteral("invalid format - storage ID '%1' contains illegal characters")
            .arg(value);
    if (format == QLatin1String("urlencoded") && !urlencoded.match(value).hasMatch())
        return QStringLiteral("invalid format - invalid urlencoded string: %1").arg(value);
    if (format == QLatin1String("pve-configid") && !configId.match(value).hasMatch())
        return QStringLiteral("invalid format - invalid configuration ID '%1'").arg(value);
    if (format == QLatin1String("dns-name") && !dnsName.match(value).hasMatch())
        return QStringLiteral("invalid format - value does not look like a valid DNS name");
    if (format == QLatin1String("pve-ha-resource-or-vm-id") && !haSid.match(value).hasMatch())
        return QStringLiteral("invalid format - unable to parse HA resource id '%1'").arg(value);
    if (format == QLatin1String("pve-replication-job-id") && !replicationId.match(value).hasMatch())
        return QStringLiteral("invalid format - replication job id '%1' is invalid").arg(value);
    if (format == QLatin1String("pve-vmid-list")) {
        for (const QString &part :
             value.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
            if (!isIntegerText(part) || part.toLongLong() < 100)
                return QStringLiteral(
                           "invalid format - value '%1' does not look like a valid VM ID")
                    .arg(part);
        }
    }
    return std::nullopt;
}

std::optional<QString> checkScalar(const QJsonObject &schema, const QJsonValue &value);

// "net0" is described as "net[n]" in the schema.
QJsonValue propertySchema(const QJsonObject &properties, const QString &name)
{
    if (properties.contains(name))
        return properties.value(name);
    static const QRegularExpression indexed(QStringLiteral("^([a-z]+)(\\d+)$"));
    const auto match = indexed.match(name);
    if (match.hasMatch())
        return properties.value(match.captured(1) + QStringLiteral("[n]"));
    return QJsonValue::Undefined;
}

// Property strings ("virtio,bridge=vmbr1,tag=20"): keys must be known and values fit.
std::optional<QString> checkPropertyString(const QJsonObject &format, const QString &value)
{
    QString defaultKey;
    for (auto it = format.begin(); it != format.end(); ++it) {
        if (it.value().toObject().value(QStringLiteral("default_key")).toInt() == 1)
            defaultKey = it.key();
    }
    QStringList problems;
    for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        QString key = eq < 0 ? defaultKey : part.left(eq);
        if (key.isEmpty()) {
            problems << QStringLiteral(
                "value without key, but schema does not define a default key");
            continue;
        }
        if (!format.contains(key)) {
            // Aliases such as "virtio=MAC" for model+macaddr on net devices.
            bool aliased = false;
            for (auto it = format.begin(); it != format.end(); ++it) {
                if (it.value().toObject().value(QStringLiteral("keyAlias")).toString() == key ||
                    it.value().toObject().value(QStringLiteral("alias")).toString() == key)
                    aliased = true;
            }
            const QJsonObject defaultSchema = format.value(defaultKey).toObject();
            const QJsonArray enumValues = defaultSchema.value(QStringLiteral("enum")).toArray();
            if (!aliased && !enumValues.contains(QJsonValue(key)))
                problems << QStringLiteral("%1: %2").arg(key, notDefined);
            continue;
        }
        const QJsonObject keySchema = format.value(key).toObject();
        if (keySchema.contains(QStringLiteral("type"))) {
            const QString keyValue = eq < 0 ? part : part.mid(eq + 1);
            if (auto problem = checkScalar(keySchema, keyValue))
                problems << QStringLiteral("%1: %2").arg(key, *problem);
        }
    }
    if (problems.isEmpty())
        return std::nullopt;
    return QStringLiteral("invalid format - format error\n") + problems.join(QLatin1Char('\n'));
}

std::optional<QString> checkScalar(const QJsonObject &schema, const QJsonValue &value)
{
    const QString type = schema.value(QStringLiteral("type")).toString();
    const QString text = scalarText(value);
    if (value.isArray() || value.isObject())
        return QStringLiteral("type check ('%1') failed - got an array or object").arg(type);

    if (type == QLatin1String("boolean")) {
        if (!value.isBool() && text != QLatin1String("0") && text != QLatin1String("1"))
            return QStringLiteral("type check ('boolean') failed - got '%1'").arg(text);
    } else if (type == QLatin1String("integer") || type == QLatin1String("number")) {
        const bool fits =
            type == QLatin1String("integer") ? isIntegerText(text) : isNumberText(text);
        if (!fits)
            return QStringLiteral("type check ('%1') failed - got '%2'").arg(type, text);
        const double number = text.toDouble();
        if (schema.contains(QStringLiteral("minimum")) &&
            number < schema.value(QStringLiteral("minimum")).toDouble())
            return QStringLiteral("value must have a minimum value of %1")
                .arg(numberText(schema.value(QStringLiteral("minimum")).toDouble()));
        if (schema.contains(QStringLiteral("maximum")) &&
            number > schema.value(QStringLiteral("maximum")).toDouble())
            return QStringLiteral("value must have a maximum value of %1")
                .arg(numberText(schema.value(QStringLiteral("maximum")).toDouble()));
    } else if (type == QLatin1String("string")) {
        if (schema.contains(QStringLiteral("maxLength")) &&
            text.size() > schema.value(QStringLiteral("maxLength")).toInt())
            return QStringLiteral("value may only be %1 characters long")
                .arg(schema.value(QStringLiteral("maxLength")).toInt());
        if (schema.contains(QStringLiteral("minLength")) &&
            text.size() < schema.value(QStringLiteral("minLength")).toInt())
            return QStringLiteral("value must be at least %1 characters long")
                .arg(schema.value(QStringLiteral("minLength")).toInt());
    }

    const QJsonArray enumValues = schema.value(QStringLiteral("enum")).toArray();
    if (!enumValues.isEmpty() && !enumValues.contains(QJsonValue(text))) {
        QStringList names;
        for (const QJsonValue &name : enumValues)
            names << scalarText(name);
        return QStringLiteral("value '%1' does not have a value in the enumeration '%2'")
            .arg(text, names.join(QStringLiteral(", ")));
    }
    if (schema.contains(QStringLiteral("pattern"))) {
        const QRegularExpression pattern(
            QStringLiteral("^(?:%1)$").arg(schema.value(QStringLiteral("pattern")).toString()));
        if (pattern.isValid() && !pattern.match(text).hasMatch())
            return QStringLiteral("value does not match the regex pattern");
    }
    const QJsonValue format = schema.value(QStringLiteral("format"));
    if (format.isString())
        return checkFormat(format.toString(), text);
    if (format.isObject())
        return checkPropertyString(format.toObject(), text);
    return std::nullopt;
}

} // namespace

Result<ApiSchema> ApiSchema::forRelease(const QString &release)
{
    return fromFile(QStringLiteral(":/pve-schema/pve-api-%1.extract.json").arg(release));
}

Result<ApiSchema> ApiSchema::fromFile(const QString &fileName)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read the API schema extract"), {}, fileName};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error{parseError.errorString(), {}, fileName};

    ApiSchema schema;
    schema.m_release = document.object().value(QStringLiteral("release")).toString();
    schema.m_paths = document.object().value(QStringLiteral("paths")).toObject();
    for (auto it = schema.m_paths.begin(); it != schema.m_paths.end(); ++it)
        schema.m_templates << PathTemplate{it.key().split(QLatin1Char('/'), Qt::SkipEmptyParts),
                                           it.key()};
    return schema;
}

QStringList ApiSchema::paths() const
{
    return m_paths.keys();
}

std::optional<ApiSchema::Match> ApiSchema::match(const QString &requestPath) const
{
    const QStringList segments = requestPath.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const PathTemplate *best = nullptr;
    int bestLiterals = -1;
    for (const PathTemplate &candidate : m_templates) {
        if (candidate.segments.size() != segments.size())
            continue;
        int literals = 0;
        bool fits = true;
        for (qsizetype i = 0; i < segments.size() && fits; ++i) {
            const QString &part = candidate.segments.at(i);
            if (part.startsWith(QLatin1Char('{')))
                continue;
            fits = part == segments.at(i);
            ++literals;
        }
        if (fits && literals > bestLiterals) {
            best = &candidate;
            bestLiterals = literals;
        }
    }
    if (!best)
        return std::nullopt;

    Match found{best->path, {}};
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &part = best->segments.at(i);
        if (part.startsWith(QLatin1Char('{')))
            found.pathParams.insert(part.mid(1, part.size() - 2), segments.at(i));
    }
    return found;
}

QJsonObject ApiSchema::method(const QString &path, const QString &httpMethod) const
{
    return m_paths.value(path).toObject().value(httpMethod).toObject();
}

QJsonObject ApiSchema::checkParameters(const QJsonObject &methodInfo, QJsonObject &params)
{
    QJsonObject errors;
    const QJsonObject parameters = methodInfo.value(QStringLiteral("parameters")).toObject();
    const QJsonObject properties = parameters.value(QStringLiteral("properties")).toObject();
    const bool additional = parameters.value(QStringLiteral("additionalProperties")).toInt(0) != 0;

    for (auto it = params.begin(); it != params.end(); ++it) {
        const QString &name = it.key();
        const QJsonValue found = propertySchema(properties, name);
        if (found.isUndefined()) {
            if (!additional)
                errors.insert(name, notDefined);
            continue;
        }
        const QJsonObject schema = found.toObject();
        const QString type = schema.value(QStringLiteral("type")).toString();
        const QJsonValue value = it.value();
        if (type == QLatin1String("array")) {
            QJsonArray items = value.isArray() ? value.toArray() : QJsonArray{value};
            const QJsonObject itemSchema = schema.value(QStringLiteral("items")).toObject();
            for (const QJsonValue &item : items) {
                if (auto problem = checkScalar(itemSchema, item)) {
                    errors.insert(name, *problem);
                    break;
                }
            }
            it.value() = items;
            continue;
        }
        if (value.isArray()) {
            const QString format = schema.value(QStringLiteral("format")).toString();
            if (format.endsWith(QLatin1String("-list"))) {
                QStringList parts;
                for (const QJsonValue &part : value.toArray())
                    parts << scalarText(part);
                it.value() = parts.join(QLatin1Char(','));
            } else {
                errors.insert(name, QStringLiteral("type check ('%1') failed - got an array")
                                        .arg(type.isEmpty() ? QStringLiteral("string") : type));
                continue;
            }
        }
        if (auto problem = checkScalar(schema, it.value()))
            errors.insert(name, *problem);
    }

    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonObject schema = it.value().toObject();
        if (schema.value(QStringLiteral("optional")).toInt(0) == 0 && !params.contains(it.key()) &&
            !it.key().endsWith(QLatin1String("[n]")))
            errors.insert(it.key(), QStringLiteral("property is missing and it is not optional"));
    }
    return errors;
}

QStringList ApiSchema::checkReturns(const QJsonValue &schemaValue, const QJsonValue &data,
                                    const QString &where)
{
    const QJsonObject schema = schemaValue.toObject();
    QStringList problems;
    if (schema.isEmpty())
        return problems;

    QStringList types;
    const QJsonValue typeValue = schema.value(QStringLiteral("type"));
    if (typeValue.isArray()) {
        for (const QJsonValue &type : typeValue.toArray())
            types << type.toString();
    } else if (typeValue.isString()) {
        types << typeValue.toString();
    }

    if (data.isNull() || data.isUndefined()) {
        if (types.isEmpty() || types.contains(QStringLiteral("null")) ||
            schema.value(QStringLiteral("optional")).toInt() == 1)
            return problems;
        return {QStringLiteral("%1: null where the schema says %2")
                    .arg(where, types.join(QLatin1Char('|')))};
    }

    auto fitsType = [&](const QString &type) {
        if (type == QLatin1String("object"))
            return data.isObject();
        if (type == QLatin1String("array"))
            return data.isArray();
        if (type == QLatin1String("string"))
            return data.isString();
        if (type == QLatin1String("null"))
            return false;
        if (type == QLatin1String("boolean")) {
            const QString text = scalarText(data);
            return data.isBool() || text == QLatin1String("0") || text == QLatin1String("1");
        }
        if (type == QLatin1String("integer"))
            return (data.isDouble() || data.isString()) && isIntegerText(scalarText(data));
        if (type == QLatin1String("number"))
            return (data.isDouble() || data.isString()) && isNumberText(scalarText(data));
        return true; // "any" and unknown types
    };
    if (!types.isEmpty() && std::none_of(types.begin(), types.end(), fitsType))
        return {QStringLiteral("%1: %2 where the schema says %3")
                    .arg(where,
                         QString::fromLatin1(
                             QJsonDocument(QJsonArray{data}).toJson(QJsonDocument::Compact)),
                         types.join(QLatin1Char('|')))};

    const QJsonArray enumValues = schema.value(QStringLiteral("enum")).toArray();
    if (!enumValues.isEmpty() && !enumValues.contains(QJsonValue(scalarText(data))))
        problems
            << QStringLiteral("%1: '%2' is not in the enumeration").arg(where, scalarText(data));

    if (data.isObject()) {
        const QJsonObject object = data.toObject();
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        for (auto it = properties.begin(); it != properties.end(); ++it) {
            const QJsonObject sub = it.value().toObject();
            if (it.key().endsWith(QLatin1String("[n]"))) {
                const QString prefix = it.key().chopped(3);
                for (auto member = object.begin(); member != object.end(); ++member) {
                    if (member.key().startsWith(prefix) &&
                        propertySchema(properties, member.key()) == it.value())
                        problems << checkReturns(sub, member.value(),
                                                 where + QLatin1Char('.') + member.key());
                }
                continue;
            }
            if (!object.contains(it.key())) {
                if (sub.value(QStringLiteral("optional")).toInt(0) == 0)
                    problems << QStringLiteral("%1.%2: missing").arg(where, it.key());
                continue;
            }
            problems << checkReturns(sub, object.value(it.key()),
                                     where + QLatin1Char('.') + it.key());
        }
        const QJsonValue additional = schema.value(QStringLiteral("additionalProperties"));
        if (additional.isDouble() && additional.toInt() == 0 && !properties.isEmpty()) {
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (propertySchema(properties, it.key()).isUndefined())
                    problems << QStringLiteral("%1.%2: not in the schema").arg(where, it.key());
            }
        }
    } else if (data.isArray()) {
        const QJsonValue items = schema.value(QStringLiteral("items"));
        const QJsonArray array = data.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            problems << checkReturns(items, array.at(i),
                                     QStringLiteral("%1[%2]").arg(where).arg(i));
    }
    return problems;
}

} // namespace rae::sim
