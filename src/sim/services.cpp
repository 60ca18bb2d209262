#include "services.h"

#include "deploy/demoservices.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include <cmath>
#include <iterator>

namespace rae::sim {

namespace {

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

ServiceAnswer notFound()
{
    return ServiceAnswer{404, "Not Found", "application/json", R"({"detail":"Not Found"})",
                         {},  false};
}

ServiceAnswer methodNotAllowed()
{
    return ServiceAnswer{
        405,  "Method Not Allowed", "application/json", R"({"detail":"Method Not Allowed"})", {},
        false};
}

QString isoTime(double time)
{
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(time * 1000), Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

QJsonObject component(const DependencyCheck &check)
{
    QJsonObject out{{QStringLiteral("status"),
                     check.up ? QStringLiteral("healthy") : QStringLiteral("unhealthy")}};
    if (check.up)
        out.insert(QStringLiteral("response_time_ms"),
                   std::round(check.responseTimeMs * 100) / 100);
    else
        out.insert(QStringLiteral("error"), check.error);
    return out;
}

// A histogram's cumulative buckets for `count` requests whose latency spreads around a few ms.
QByteArray histogram(const QByteArray &name, quint64 count)
{
    static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
    static const double shares[] = {0.42, 0.71, 0.9, 0.96, 0.985, 0.995, 0.999, 1.0};
    QByteArray out;
    for (std::size_t i = 0; i < std::size(bounds); ++i)
        out += name + "_bucket{le=\"" + QByteArray::number(bounds[i]) + "\"} " +
               QByteArray::number(static_cast<quint64>(std::floor(double(count) * shares[i]))) +
               '\n';
    out += name + "_bucket{le=\"+Inf\"} " + QByteArray::number(count) + '\n';
    out += name + "_sum " + QByteArray::number(double(count) * 0.0087, 'f', 4) + '\n';
    out += name + "_count " + QByteArray::number(count) + '\n';
    return out;
}

} // namespace

std::optional<ServiceRole> serviceRoleFromTags(const QString &tags)
{
    // Proxmox writes tags separated by ';' and accepts ',' and spaces on input.
    static const QRegularExpression separators(QStringLiteral("[;, ]+"));
    for (const QString &tag : tags.split(separators, Qt::SkipEmptyParts)) {
        if (tag == QLatin1String("rae-api"))
            return ServiceRole::RaeApi;
        if (tag == QLatin1String("rae-vector"))
            return ServiceRole::Vector;
        if (tag == QLatin1String("rae-llm"))
            return ServiceRole::Llm;
        if (tag == QLatin1String("rae-gateway"))
            return ServiceRole::Gateway;
    }
    return std::nullopt;
}

std::optional<ServiceHealth> serviceHealthFromName(const QString &name)
{
    if (name == QLatin1String("up"))
        return ServiceHealth::Up;
    if (name == QLatin1String("slow"))
        return ServiceHealth::Slow;
    if (name == QLatin1String("error"))
        return ServiceHealth::Error;
    if (name == QLatin1String("down"))
        return ServiceHealth::Down;
    return std::nullopt;
}

QString serviceRoleName(ServiceRole role)
{
    switch (role) {
    case ServiceRole::RaeApi:
        return QStringLiteral("rae-api");
    case ServiceRole::Vector:
        return QStringLiteral("rae-vector");
    case ServiceRole::Llm:
        return QStringLiteral("rae-llm");
    case ServiceRole::Gateway:
        return QStringLiteral("rae-gateway");
    }
    return {};
}

QString serviceHealthName(ServiceHealth health)
{
    switch (health) {
    case ServiceHealth::Up:
        return QStringLiteral("up");
    case ServiceHealth::Slow:
        return QStringLiteral("slow");
    case ServiceHealth::Error:
        return QStringLiteral("error");
    case ServiceHealth::Down:
        return QStringLiteral("down");
    }
    return {};
}

quint16 servicePort(ServiceRole role)
{
    switch (role) {
    case ServiceRole::RaeApi:
        return 8000;
    case ServiceRole::Vector:
        return 6333;
    case ServiceRole::Llm:
        return 11434;
    case ServiceRole::Gateway:
        return deploy::kSimulatorGatewayPort;
    }
    return 0;
}

ServiceAnswer raeApiAnswer(const QString &method, const QString &path, const RaeApiView &view)
{
    if (method != QLatin1String("GET") && method != QLatin1String("HEAD"))
        return methodNotAllowed();
    if (path == QLatin1String("/health")) {
        const bool healthy = view.database.up && view.redis.up && view.vectorStore.up;
        const QJsonObject body{
            {QStringLiteral("status"),
             healthy ? QStringLiteral("healthy") : QStringLiteral("unhealthy")},
            {QStringLiteral("timestamp"), isoTime(view.now)},
            {QStringLiteral("version"), QStringLiteral("1.4.2")},
            {QStringLiteral("components"),
             QJsonObject{{QStringLiteral("database"), component(view.database)},
                         {QStringLiteral("redis"), component(view.redis)},
                         {QStringLiteral("vector_store"), component(view.vectorStore)}}}};
        // An unhealthy API answers 503 with the same body, as FastAPI health routes do.
        return healthy ? ServiceAnswer{200, "OK", "application/json", json(body), {}, false}
                       : ServiceAnswer{
                             503, "Service Unavailable", "application/json", json(body), {}, false};
    }
    if (path == QLatin1String("/health/ready")) {
        if (view.database.up)
            return ServiceAnswer{200, "OK", "application/json", R"({"status":"ready"})", {}, false};
        return ServiceAnswer{503,
                             "Service Unavailable",
                             "application/json",
                             R"({"status":"not ready","reason":"database unavailable"})",
                             {},
                             false};
    }
    if (path == QLatin1String("/health/live"))
        return ServiceAnswer{200, "OK", "application/json", R"({"status":"alive"})", {}, false};
    if (path == QLatin1String("/metrics")) {
        const quint64 count = view.requests;
        QByteArray text;
        text += "# HELP rae_http_requests_total Total HTTP requests handled.\n"
                "# TYPE rae_http_requests_total counter\n";
        text += "rae_http_requests_total{method=\"GET\",path=\"/health\",status=\"200\"} " +
                QByteArray::number(count) + '\n';
        text += "rae_http_requests_total{method=\"POST\",path=\"/v1/memories\",status=\"201\"} " +
                QByteArray::number(count * 3 + 17) + '\n';
        text += "# HELP rae_http_request_duration_seconds Request latency.\n"
                "# TYPE rae_http_request_duration_seconds histogram\n";
        text += histogram("rae_http_request_duration_seconds", count * 4 + 17);
        text += "# HELP rae_memories_stored Memories in the store.\n"
                "# TYPE rae_memories_stored gauge\n";
        text += "rae_memories_stored " +
                QByteArray::number(120000 + static_cast<quint64>(view.uptimeSeconds / 7)) + '\n';
        text += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                "# TYPE process_resident_memory_bytes gauge\n";
        text += "process_resident_memory_bytes " +
                QByteArray::number(310e6 + 20e6 * std::sin(view.now / 600.0), 'f', 0) + '\n';
        text += "# HELP process_start_time_seconds Start time since the epoch.\n"
                "# TYPE process_start_time_seconds gauge\n";
        text += "process_start_time_seconds " +
                QByteArray::number(view.now - view.uptimeSeconds, 'f', 2) + '\n';
        return ServiceAnswer{200,  "OK", "text/plain; version=0.0.4; charset=utf-8",
                             text, {},   false};
    }
    return notFound();
}

ServiceAnswer qdrantAnswer(const QString &method, const QString &path)
{
    if (method != QLatin1String("GET") && method != QLatin1String("HEAD"))
        return methodNotAllowed();
    if (path == QLatin1String("/readyz"))
        return ServiceAnswer{200, "OK", "text/plain", "all shards are ready", {}, false};
    if (path == QLatin1String("/healthz") || path == QLatin1String("/livez"))
        return ServiceAnswer{200, "OK", "text/plain", "healthz check passed", {}, false};
    if (path == QLatin1String("/"))
        return ServiceAnswer{200,
                             "OK",
                             "application/json",
                             R"({"title":"qdrant - vector search engine","version":"1.13.4"})",
                             {},
                             false};
    return notFound();
}

ServiceAnswer ollamaAnswer(const QString &method, const QString &path, double now, bool gpu)
{
    if (method != QLatin1String("GET") && method != QLatin1String("HEAD"))
        return methodNotAllowed();
    if (path == QLatin1String("/api/version"))
        return ServiceAnswer{200, "OK", "application/json", R"({"version":"0.6.5"})", {}, false};
    if (path == QLatin1String("/api/ps")) {
        const qint64 size = 6654289920;
        const QJsonObject model{
            {QStringLiteral("name"), QStringLiteral("llama3.1:8b")},
            {QStringLiteral("model"), QStringLiteral("llama3.1:8b")},
            {QStringLiteral("size"), size},
            {QStringLiteral("digest"),
             QStringLiteral("46e0c10c039e019119339687c3c1757cc81b9da49709a3b3924863ba87ca666e")},
            {QStringLiteral("details"),
             QJsonObject{{QStringLiteral("parent_model"), QString()},
                         {QStringLiteral("format"), QStringLiteral("gguf")},
                         {QStringLiteral("family"), QStringLiteral("llama")},
                         {QStringLiteral("families"), QJsonArray{QStringLiteral("llama")}},
                         {QStringLiteral("parameter_size"), QStringLiteral("8.0B")},
                         {QStringLiteral("quantization_level"), QStringLiteral("Q4_K_M")}}},
            {QStringLiteral("expires_at"), isoTime(now + 300)},
            {QStringLiteral("size_vram"), gpu ? size : qint64(0)}};
        return ServiceAnswer{200,
                             "OK",
                             "application/json",
                             json(QJsonObject{{QStringLiteral("models"), QJsonArray{model}}}),
                             {},
                             false};
    }
    if (path == QLatin1String("/"))
        return ServiceAnswer{200, "OK", "text/plain; charset=utf-8", "Ollama is running",
                             {},  false};
    return ServiceAnswer{404, "Not Found", "text/plain; charset=utf-8", "404 page not found",
                         {},  false};
}

ServiceAnswer gatewayAnswer(const QString &method, const QString &path, const RaeApiView *api)
{
    if (path.startsWith(QLatin1String("/health")) || path == QLatin1String("/metrics")) {
        if (!api)
            return ServiceAnswer{502,
                                 "Bad Gateway",
                                 "text/html",
                                 "<html><body><h1>502 Bad "
                                 "Gateway</h1></body></html>\n",
                                 {},
                                 false};
        return raeApiAnswer(method, path, *api);
    }
    if (path == QLatin1String("/"))
        return ServiceAnswer{200, "OK", "application/json", R"({"service":"rae","docs":"/docs"})",
                             {},  false};
    return notFound();
}

} // namespace rae::sim
