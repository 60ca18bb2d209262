#pragma once

#include "cluster/profile.h"
#include "proxmox/apierror.h"
#include "proxmox/client.h"

#include <QSettings>
#include <QTextStream>

#include <memory>

class QNetworkAccessManager;

namespace rae::cli {

// The settings the CLI shares with the desktop application: cluster profiles and pins.
std::unique_ptr<QSettings> openProfileSettings();

// A connected client for a saved cluster profile, with what it needs to live.
struct ClusterAccess
{
    std::unique_ptr<QSettings> settings; // holds the pins the client checks
    cluster::ClusterProfile profile;
    std::unique_ptr<proxmox::ProxmoxClient> client;
};

// Connects with the profile `name`: its secret from the keychain, its pinned certificates only
// (nothing is asked on a command line that may run unattended). On failure, prints what went
// wrong and what to do, and returns null.
std::unique_ptr<ClusterAccess> connectWithProfile(const QString &name, QTextStream &err,
                                                  QNetworkAccessManager *network = nullptr);

// Prints an error of the client: message, hint, both fingerprints of a changed certificate, and
// the server's per-parameter messages.
void printApiError(QTextStream &err, const proxmox::ApiError &error);

} // namespace rae::cli
