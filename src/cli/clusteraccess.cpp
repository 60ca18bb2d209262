#include "clusteraccess.h"

#include "secrets/credentialstore.h"

#include <QCoreApplication>
#include <QEventLoop>

#include <optional>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::ClusterAccess)
};

} // namespace

std::unique_ptr<QSettings> openProfileSettings()
{
    return std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope,
                                       QStringLiteral("rae-deploy"), QStringLiteral("rae-deploy"));
}

void printApiError(QTextStream &err, const proxmox::ApiError &error)
{
    err << Tr::tr("error: %1").arg(error.message) << '\n';
    if (!error.hint.isEmpty())
        err << "  " << Tr::tr("hint: %1").arg(error.hint) << '\n';
    if (!error.pinnedFingerprint.isEmpty()) {
        err << "  " << Tr::tr("pinned:    %1").arg(error.pinnedFingerprint) << '\n'
            << "  " << Tr::tr("presented: %1").arg(error.presentedFingerprint) << '\n';
    }
    for (auto it = error.parameterErrors.cbegin(); it != error.parameterErrors.cend(); ++it)
        err << "  " << it.key() << ": " << it.value() << '\n';
    err.flush();
}

std::unique_ptr<ClusterAccess> connectWithProfile(const QString &name, QTextStream &err,
                                                  QNetworkAccessManager *network)
{
    auto access = std::make_unique<ClusterAccess>();
    access->settings = openProfileSettings();
    const auto profile = cluster::findClusterProfile(*access->settings, name);
    if (!profile) {
        err << Tr::tr("error: there is no cluster named %1").arg(name) << '\n'
            << "  " << Tr::tr("hint: add it with `rae-deploy-cli cluster add`") << '\n';
        return nullptr;
    }
    access->profile = *profile;

    // The keychain and the connection are waited for: the command has nothing else to do.
    secrets::CredentialStore store;
    QEventLoop loop;
    std::optional<secrets::SecretResult<QString>> secret;
    store.read(profile->name, profile->account(), &loop,
               [&](const secrets::SecretResult<QString> &result) {
                   secret = result;
                   loop.quit();
               });
    loop.exec();
    if (!*secret) {
        err << Tr::tr("error: %1").arg(secret->error().message) << '\n';
        if (!secret->error().hint.isEmpty())
            err << "  " << Tr::tr("hint: %1").arg(secret->error().hint) << '\n';
        return nullptr;
    }

    const proxmox::PinStore pins(access->settings.get(), profile->name);
    access->client = std::make_unique<proxmox::ProxmoxClient>(
        profile->name, profile->endpointUrls(), pins, network);
    access->client->setTrustCallback([&err, name](const proxmox::CertificateFacts &facts,
                                                  const QUrl &url,
                                                  std::function<void(bool)> decide) {
        err << Tr::tr("The certificate of %1 (%2) was never approved for cluster %3.")
                   .arg(url.host(), facts.fingerprint, name)
            << '\n';
        decide(false);
    });

    const proxmox::Credentials credentials =
        profile->auth == cluster::ClusterProfile::Auth::ApiToken
            ? proxmox::Credentials::apiToken(profile->user, profile->tokenName, secret->value())
            : proxmox::Credentials::password(profile->user, secret->value());
    std::optional<proxmox::ApiError> failure;
    QObject::connect(access->client.get(), &proxmox::ProxmoxClient::connected, &loop,
                     &QEventLoop::quit);
    QObject::connect(access->client.get(), &proxmox::ProxmoxClient::connectionFailed, &loop,
                     [&](const proxmox::ApiError &error) {
                         failure = error;
                         loop.quit();
                     });
    access->client->connectToCluster(credentials);
    loop.exec();
    if (failure) {
        printApiError(err, *failure);
        return nullptr;
    }
    return access;
}

} // namespace rae::cli
