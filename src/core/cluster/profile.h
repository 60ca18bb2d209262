#pragma once

#include "common/result.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

class QSettings;

namespace rae::cluster {

// How to reach one cluster, without its secret: the secret lives in the keychain under
// (name, account()), the approved certificates in the same settings under "clusters/<name>/pins".
struct ClusterProfile
{
    enum class Auth
    {
        ApiToken,
        Password
    };

    QString name;
    QStringList endpoints; // https://host:8006
    QString user;          // user@realm
    Auth auth = Auth::ApiToken;
    QString tokenName;

    QString account() const; // "user@realm!token" or "user@realm"
    QList<QUrl> endpointUrls() const;
    friend bool operator==(const ClusterProfile &, const ClusterProfile &) = default;
};

// Checks what a person typed: the name (it becomes a settings group and a keychain key),
// https endpoints, user@realm and the token name, each with a message saying how to fix it.
Status checkProfile(const ClusterProfile &profile);

// The profiles in the application's settings (group "clusters/<name>/profile"), sorted by name.
QList<ClusterProfile> loadClusterProfiles(QSettings &settings);
std::optional<ClusterProfile> findClusterProfile(QSettings &settings, const QString &name);
void saveClusterProfile(QSettings &settings, const ClusterProfile &profile);
// Forgets the profile and its pinned certificates; the caller removes the keychain entry.
void removeClusterProfile(QSettings &settings, const QString &name);

} // namespace rae::cluster
