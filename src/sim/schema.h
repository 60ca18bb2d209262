#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace rae::sim {

// The committed extract of the official API schema (scripts/pve-schema-extract): which paths
// exist, the parameters of each method and the shape of what each returns. The simulator routes
// and checks parameters with it; the contract tests check responses with it.
class ApiSchema final
{
public:
    struct Match
    {
        QString path; // the schema's template, "/nodes/{node}/qemu/{vmid}"
        QMap<QString, QString> pathParams;
    };

    static Result<ApiSchema> forRelease(const QString &release); // from the built-in resource
    static Result<ApiSchema> fromFile(const QString &fileName);

    QString release() const { return m_release; }
    std::optional<Match> match(const QString &requestPath) const;
    // The method's description, or an empty object when the path has no such method.
    QJsonObject method(const QString &path, const QString &httpMethod) const;
    QStringList paths() const;

    // Checks and normalises request parameters as pve-common's JSONSchema does: scalars for
    // arrays are wrapped, repeated keys kept as arrays. Returns the per-parameter errors.
    static QJsonObject checkParameters(const QJsonObject &methodInfo, QJsonObject &params);

    // Where `data` does not fit a `returns` schema; empty when it fits. Tolerates what real
    // clusters send where the schema is stricter than the wire (0/1 for booleans, numbers as
    // strings), because a client must accept those too.
    static QStringList checkReturns(const QJsonValue &schema, const QJsonValue &data,
                                    const QString &where = QStringLiteral("data"));

private:
    struct PathTemplate
    {
        QStringList segments;
        QString path;
    };

    QString m_release;
    QJsonObject m_paths;
    QList<PathTemplate> m_templates;
};

} // namespace rae::sim
