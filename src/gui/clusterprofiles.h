#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

class QSettings;

namespace rae::gui {

// How to reach one cluster, without its secret: the secret lives in the keychain under
// (name, account()).
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

// The profiles in the application's settings (group "clusters/<name>/profile"), sorted by name.
QList<ClusterProfile> loadClusterProfiles(QSettings &settings);
void saveClusterProfile(QSettings &settings, const ClusterProfile &profile);
void removeClusterProfile(QSettings &settings, const QString &name);

} // namespace rae::gui
