#include "clusterprofiles.h"

#include <QSettings>

namespace rae::gui {

QString ClusterProfile::account() const
{
    return auth == Auth::ApiToken ? user + QLatin1Char('!') + tokenName : user;
}

QList<QUrl> ClusterProfile::endpointUrls() const
{
    QList<QUrl> urls;
    for (const QString &endpoint : endpoints)
        urls.append(QUrl(endpoint));
    return urls;
}

QList<ClusterProfile> loadClusterProfiles(QSettings &settings)
{
    QList<ClusterProfile> profiles;
    settings.beginGroup(QStringLiteral("clusters"));
    QStringList names = settings.childGroups();
    names.sort();
    for (const QString &name : std::as_const(names)) {
        settings.beginGroup(name + QStringLiteral("/profile"));
        if (settings.contains(QStringLiteral("endpoints"))) {
            ClusterProfile profile;
            profile.name = name;
            profile.endpoints = settings.value(QStringLiteral("endpoints")).toStringList();
            profile.user = settings.value(QStringLiteral("user")).toString();
            profile.auth =
                settings.value(QStringLiteral("auth")).toString() == QLatin1String("password")
                    ? ClusterProfile::Auth::Password
                    : ClusterProfile::Auth::ApiToken;
            profile.tokenName = settings.value(QStringLiteral("token")).toString();
            profiles.append(profile);
        }
        settings.endGroup();
    }
    settings.endGroup();
    return profiles;
}

void saveClusterProfile(QSettings &settings, const ClusterProfile &profile)
{
    settings.beginGroup(QStringLiteral("clusters/") + profile.name + QStringLiteral("/profile"));
    settings.setValue(QStringLiteral("endpoints"), profile.endpoints);
    settings.setValue(QStringLiteral("user"), profile.user);
    settings.setValue(QStringLiteral("auth"), profile.auth == ClusterProfile::Auth::Password
                                                  ? QStringLiteral("password")
                                                  : QStringLiteral("token"));
    settings.setValue(QStringLiteral("token"), profile.tokenName);
    settings.endGroup();
}

void removeClusterProfile(QSettings &settings, const QString &name)
{
    settings.remove(QStringLiteral("clusters/") + name + QStringLiteral("/profile"));
}

} // namespace rae::gui
