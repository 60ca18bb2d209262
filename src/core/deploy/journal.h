#pragma once

#include "common/result.h"
#include "deploy/actions.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

namespace rae::deploy {

// One line of the journal. `detail` is a task's error or an id it produced; never a secret (the
// runner passes nothing from the keychain or a .env here).
struct JournalEntry
{
    QString action;
    ActionState state = ActionState::Pending;
    int vmid = 0; // the id reserved for a VM before its clone starts
    QString upid; // the task it started, to follow it again after a restart
    QString detail;
    QDateTime time;
    friend bool operator==(const JournalEntry &, const JournalEntry &) = default;
};

struct JournalHeader
{
    QString cluster;
    QString planPath;
    QString planSha256;
    // What the journal records when it is not an apply: "upgrade-api 2.1.0", "rollback-api". A
    // run goes on only in a journal of the same change.
    QString change;
};

// The record of one apply: a header line and one JSON line per state change, appended and
// fsync'ed before the runner acts on it, so that a kill at any point loses at most the line being
// written. A torn last line is ignored when reading. `resume` reads it back and finishes what is
// not done; an action that was Running is checked against the cluster before it is repeated.
class Journal final
{
public:
    // Starts a new journal at `path` (an earlier one is kept as `<path>.previous`).
    static Result<Journal> create(const QString &path, const JournalHeader &header);
    // Opens an existing one to resume it.
    static Result<Journal> open(const QString &path);

    const JournalHeader &header() const { return m_header; }
    const QString &path() const { return m_path; }

    Status record(const JournalEntry &entry);
    // Several entries with one fsync: the actions a scheduling turn starts together.
    Status record(const QList<JournalEntry> &entries);

    // The latest entry per action, in the order actions first appeared.
    QList<JournalEntry> latest() const;
    std::optional<JournalEntry> latest(const QString &action) const;
    QHash<QString, int> reservedVmids() const; // VM name → id, from clone actions
    // The entries a stopped run left open that `actions` (a fresh run's, computed from the
    // cluster) no longer has, closed as found done on the cluster: for record().
    QList<JournalEntry> foundDone(const QList<Action> &actions) const;
    int tornLines() const { return m_tornLines; }

private:
    QString m_path;
    JournalHeader m_header;
    QList<QString> m_order;
    QHash<QString, JournalEntry> m_latest;
    int m_tornLines = 0;
};

} // namespace rae::deploy
