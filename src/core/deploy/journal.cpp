#include "deploy/journal.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcJournal, "raedeploy.deploy.journal")

namespace rae::deploy {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::Journal)
};

Status appendLines(const QString &path, const QList<QJsonObject> &objects)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return Error{Tr::tr("The deployment journal cannot be written: %1").arg(file.errorString()),
                     Tr::tr("Check the permissions of the data folder."), path};
    QByteArray line;
    for (const QJsonObject &object : objects)
        line += QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    if (file.write(line) != line.size() || !file.flush() || ::fsync(file.handle()) != 0)
        return Error{
            Tr::tr("The deployment journal could not be saved: %1").arg(file.errorString()),
            Tr::tr("Check the free space of the data folder."), path};
    return Done{};
}

Status appendLine(const QString &path, const QJsonObject &object)
{
    return appendLines(path, {object});
}

QJsonObject toJson(const JournalEntry &entry)
{
    QJsonObject object{{QStringLiteral("action"), entry.action},
                       {QStringLiteral("state"), actionStateName(entry.state)},
                       {QStringLiteral("time"),
                        (entry.time.isValid() ? entry.time : QDateTime::currentDateTimeUtc())
                            .toString(Qt::ISODateWithMs)}};
    if (entry.vmid > 0)
        object.insert(QStringLiteral("vmid"), entry.vmid);
    if (!entry.upid.isEmpty())
        object.insert(QStringLiteral("upid"), entry.upid);
    if (!entry.detail.isEmpty())
        object.insert(QStringLiteral("detail"), entry.detail);
    return object;
}

} // namespace

Result<Journal> Journal::create(const QString &path, const JournalHeader &header)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (QFile::exists(path)) {
        QFile::remove(path + QStringLiteral(".previous"));
        QFile::rename(path, path + QStringLiteral(".previous"));
    }
    Journal journal;
    journal.m_path = path;
    journal.m_header = header;
    QJsonObject first{{QStringLiteral("journal"), 1},
                      {QStringLiteral("cluster"), header.cluster},
                      {QStringLiteral("plan"), header.planPath},
                      {QStringLiteral("planSha256"), header.planSha256}};
    if (!header.change.isEmpty())
        first.insert(QStringLiteral("change"), header.change);
    const Status written = appendLine(path, first);
    if (!written.ok())
        return written.error();
    return journal;
}

Result<Journal> Journal::open(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{Tr::tr("There is no deployment to resume: %1").arg(file.errorString()),
                     Tr::tr("Run apply first."), path};
    Journal journal;
    journal.m_path = path;
    bool first = true;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject() ||
            !line.endsWith('\n')) {
            // Only the line being written when the process died can be torn.
            ++journal.m_tornLines;
            continue;
        }
        const QJsonObject object = document.object();
        if (first) {
            first = false;
            if (!object.contains(QLatin1String("journal")))
                return Error{Tr::tr("This file is not a deployment journal."), {}, path};
            journal.m_header = {object.value(QLatin1String("cluster")).toString(),
                                object.value(QLatin1String("plan")).toString(),
                                object.value(QLatin1String("planSha256")).toString(),
                                object.value(QLatin1String("change")).toString()};
            continue;
        }
        JournalEntry entry;
        entry.action = object.value(QLatin1String("action")).toString();
        entry.state = actionStateFromName(object.value(QLatin1String("state")).toString())
                          .value_or(ActionState::Pending);
        entry.vmid = object.value(QLatin1String("vmid")).toInt();
        entry.upid = object.value(QLatin1String("upid")).toString();
        entry.detail = object.value(QLatin1String("detail")).toString();
        entry.time = QDateTime::fromString(object.value(QLatin1String("time")).toString(),
                                           Qt::ISODateWithMs);
        if (!journal.m_latest.contains(entry.action))
            journal.m_order.append(entry.action);
        journal.m_latest.insert(entry.action, entry);
    }
    if (first)
        return Error{Tr::tr("The deployment journal is empty."), {}, path};
    if (journal.m_tornLines > 0)
        qCWarning(lcJournal) << "ignored" << journal.m_tornLines << "torn line(s) in" << path;
    return journal;
}

Status Journal::record(const JournalEntry &entry)
{
    return record(QList<JournalEntry>{entry});
}

Status Journal::record(const QList<JournalEntry> &entries)
{
    if (entries.isEmpty())
        return Done{};
    QList<QJsonObject> objects;
    for (const JournalEntry &entry : entries)
        objects.append(toJson(entry));
    const Status written = appendLines(m_path, objects);
    if (!written.ok())
        return written;
    for (const JournalEntry &entry : entries) {
        if (!m_latest.contains(entry.action))
            m_order.append(entry.action);
        JournalEntry kept = entry;
        if (kept.vmid == 0 && m_latest.contains(entry.action))
            kept.vmid = m_latest.value(entry.action).vmid;
        m_latest.insert(entry.action, kept);
    }
    return Done{};
}

QList<JournalEntry> Journal::latest() const
{
    QList<JournalEntry> out;
    for (const QString &action : m_order)
        out.append(m_latest.value(action));
    return out;
}

std::optional<JournalEntry> Journal::latest(const QString &action) const
{
    if (!m_latest.contains(action))
        return std::nullopt;
    return m_latest.value(action);
}

QList<JournalEntry> Journal::foundDone(const QList<Action> &actions) const
{
    QSet<QString> ids;
    for (const Action &action : actions)
        ids.insert(action.id);
    QList<JournalEntry> closed;
    for (const JournalEntry &earlier : latest()) {
        if (earlier.state == ActionState::Done || ids.contains(earlier.action))
            continue;
        JournalEntry entry = earlier;
        entry.state = ActionState::Done;
        entry.upid.clear();
        entry.detail = QStringLiteral("found done on the cluster");
        entry.time = QDateTime::currentDateTimeUtc();
        closed.append(entry);
    }
    return closed;
}

QHash<QString, int> Journal::reservedVmids() const
{
    QHash<QString, int> out;
    for (auto it = m_latest.cbegin(); it != m_latest.cend(); ++it)
        if (it.key().startsWith(QLatin1String("clone:")) && it->vmid > 0)
            out.insert(it.key().mid(6), it->vmid);
    return out;
}

} // namespace rae::deploy
