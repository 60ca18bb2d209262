#include "cluster/profile.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSettings>

namespace rae::cluster {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::Profile)
};

QString groupOf(const QString &name)
{
    return QStringLiteral("clusters/") + name;
}

} // namespace

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

Status checkProfile(const ClusterProfile &profile)
{
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    static const QRegularExpression user(QStringLiteral("^[^\\s@!:/]+@[A-Za-z0-9._-]+$"));
    static const QRegularExpression token(QStringLiteral("^[A-Za-z][A-Za-z0-9._-]*$"));

    if (!name.match(profile.name).hasMatch()) {
        return Error{Tr::tr("“%1” is not a usable cluster name").arg(profile.name),
                     Tr::tr("use letters, digits, dots, hyphens and underscores, such as prod-1"),
                     {}};
    }
    if (profile.endpoints.isEmpty()) {
        return Error{Tr::tr("cluster %1 has no endpoint").arg(profile.name),
                     Tr::tr("give at least one node address, such as "
                            "https://pve1.example.org:8006"),
                     {}};
    }
    for (const QString &endpoint : profile.endpoints) {
        const QUrl url(endpoint, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty() ||
            (!url.path().isEmpty() && url.path() != QLatin1String("/"))) {
            return Error{Tr::tr("“%1” is not a node address").arg(endpoint),
                         Tr::tr("write it as https://host:8006, without a path"),
                         {}};
        }
    }
    if (!user.match(profile.user).hasMatch()) {
        return Error{Tr::tr("“%1” is not a Proxmox user").arg(profile.user),
                     Tr::tr("write the user with its realm, such as deployer@pve or root@pam"),
                     {}};
    }
    if (profile.auth == ClusterProfile::Auth::ApiToken &&
        !token.match(profile.tokenName).hasMatch()) {
        return Error{Tr::tr("“%1” is not an API token name").arg(profile.tokenName),
                     Tr::tr("give the token's id, the part after “!” in user@realm!id"),
                     {}};
    }
    return Done{};
}

QList<ClusterProfile> loadClusterProfiles(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("clusters"));
    QStringList names = settings.childGroups();
    settings.endGroup();
    names.sort();

    QList<ClusterProfile> profiles;
    for (const QString &name : std::as_const(names)) {
        if (auto profile = findClusterProfile(settings, name))
            profiles.append(*profile);
    }
    return profiles;
}

std::optional<ClusterProfile> findClusterProfile(QSettings &settings, const QString &name)
{
    settings.beginGroup(groupOf(name) + QStringLiteral("/profile"));
    std::optional<ClusterProfile> found;
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
        found = profile;
    }
    settings.endGroup();
    return found;
}

void saveClusterProfile(QSettings &settings, const ClusterProfile &profile)
{
    settings.beginGroup(groupOf(profile.name) + QStringLiteral("/profile"));
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
    settings.remove(groupOf(name));
}

} // namespace rae::cluster
