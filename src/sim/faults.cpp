#include "faults.h"

#include "cluster.h"

namespace rae::sim {

std::chrono::milliseconds TransportFaults::latencyFor(const QString &path) const
{
    std::chrono::milliseconds total{0};
    for (const Latency &latency : latencies) {
        if (latency.pattern.match(path).hasMatch())
            total += latency.delay;
    }
    return total;
}

Controller::Controller(Cluster &cluster, TransportFaults &faults, RenewCertificate renew)
    : m_cluster(cluster)
    , m_faults(faults)
    , m_renew(std::move(renew))
{}

QStringList Controller::commands()
{
    return {QStringLiteral("state"),
            QStringLiteral("node-power"),
            QStringLiteral("node-network"),
            QStringLiteral("node-status"),
            QStringLiteral("ceph-health"),
            QStringLiteral("latency"),
            QStringLiteral("error-rate"),
            QStringLiteral("drop-next"),
            QStringLiteral("truncate-next"),
            QStringLiteral("malformed-next"),
            QStringLiteral("new-certificate"),
            QStringLiteral("invalidate-tickets"),
            QStringLiteral("fail-tasks"),
            QStringLiteral("replication-fail"),
            QStringLiteral("agent"),
            QStringLiteral("service"),
            QStringLiteral("time-scale"),
            QStringLiteral("time-advance")};
}

ControlOutcome Controller::handle(const QString &command, const QJsonObject &args)
{
    auto flag = [&](const char *key) {
        const QJsonValue value = args.value(QString::fromLatin1(key));
        if (value.isBool())
            return value.toBool();
        const QString text = value.toVariant().toString();
        return text == QLatin1String("1") || text == QLatin1String("on") ||
               text == QLatin1String("true");
    };
    auto text = [&](const char *key) {
        return args.value(QString::fromLatin1(key)).toVariant().toString();
    };
    auto number = [&](const char *key) {
        return args.value(QString::fromLatin1(key)).toVariant().toDouble();
    };
    auto fromStatus = [](const Status &status) {
        if (status)
            return ControlOutcome{200, QJsonObject{{QStringLiteral("ok"), true}}};
        return ControlOutcome{400, QJsonObject{{QStringLiteral("error"), status.error().message}}};
    };
    const ControlOutcome done{200, QJsonObject{{QStringLiteral("ok"), true}}};

    if (command == QLatin1String("state"))
        return ControlOutcome{200, m_cluster.describe()};
    if (command == QLatin1String("node-power"))
        return fromStatus(m_cluster.setNodePower(text("node"), flag("on")));
    if (command == QLatin1String("node-network"))
        return fromStatus(m_cluster.setNodeNetwork(text("node"), flag("on")));
    if (command == QLatin1String("node-status"))
        return fromStatus(
            m_cluster.setNodeForcedStatus(text("node"), static_cast<int>(number("status"))));
    if (command == QLatin1String("ceph-health"))
        return fromStatus(m_cluster.setCephHealth(text("status"), text("check"), text("message")));
    if (command == QLatin1String("latency")) {
        const QRegularExpression pattern(text("pattern"));
        if (!pattern.isValid())
            return ControlOutcome{400,
                                  QJsonObject{{QStringLiteral("error"), pattern.errorString()}}};
        m_faults.latencies.removeIf([&](const TransportFaults::Latency &l) {
            return l.pattern.pattern() == pattern.pattern();
        });
        if (number("ms") > 0)
            m_faults.latencies << TransportFaults::Latency{
                pattern, std::chrono::milliseconds(static_cast<long long>(number("ms")))};
        return done;
    }
    if (command == QLatin1String("error-rate")) {
        m_faults.errorRate = std::clamp(number("rate"), 0.0, 1.0);
        return done;
    }
    if (command == QLatin1String("drop-next")) {
        m_faults.dropNext = static_cast<int>(number("count"));
        return done;
    }
    if (command == QLatin1String("truncate-next")) {
        m_faults.truncateNext = static_cast<int>(number("count"));
        return done;
    }
    if (command == QLatin1String("malformed-next")) {
        m_faults.malformedNext = static_cast<int>(number("count"));
        return done;
    }
    if (command == QLatin1String("new-certificate")) {
        const QString fingerprint = m_renew ? m_renew() : QString();
        if (fingerprint.isEmpty())
            return ControlOutcome{500, QJsonObject{{QStringLiteral("error"),
                                                    QStringLiteral("cannot make a certificate")}}};
        return ControlOutcome{200, QJsonObject{{QStringLiteral("fingerprint"), fingerprint}}};
    }
    if (command == QLatin1String("invalidate-tickets")) {
        m_cluster.invalidateTickets();
        return done;
    }
    if (command == QLatin1String("fail-tasks")) {
        const int count =
            args.contains(QStringLiteral("count")) ? static_cast<int>(number("count")) : 1;
        m_cluster.failNextTasks(text("type"), count,
                                text("message").isEmpty() ? QStringLiteral("injected failure")
                                                          : text("message"));
        return done;
    }
    if (command == QLatin1String("replication-fail"))
        return fromStatus(m_cluster.setReplicationFailure(text("job"), text("message")));
    if (command == QLatin1String("agent"))
        return fromStatus(m_cluster.setAgentDown(static_cast<int>(number("vmid")), flag("down")));
    if (command == QLatin1String("service")) {
        const Status status =
            m_cluster.setService(static_cast<int>(number("vmid")),
                                 text("state").isEmpty() ? QStringLiteral("up") : text("state"),
                                 static_cast<int>(number("ms")));
        if (!status)
            return fromStatus(status);
        return ControlOutcome{
            200, QJsonObject{{QStringLiteral("ok"), true},
                             {QStringLiteral("services"),
                              m_cluster.describe().value(QStringLiteral("services"))}}};
    }
    if (command == QLatin1String("time-scale")) {
        if (number("scale") <= 0)
            return ControlOutcome{400, QJsonObject{{QStringLiteral("error"),
                                                    QStringLiteral("scale must be positive")}}};
        m_cluster.clock().setScale(number("scale"));
        return done;
    }
    if (command == QLatin1String("time-advance")) {
        m_cluster.advanceTime(number("seconds"));
        return done;
    }
    return ControlOutcome{
        404,
        QJsonObject{{QStringLiteral("error"), QStringLiteral("unknown command '%1'").arg(command)},
                    {QStringLiteral("commands"), QJsonArray::fromStringList(commands())}}};
}

} // namespace rae::sim
