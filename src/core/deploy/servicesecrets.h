#pragma once

#include "deploy/envfile.h"
#include "plan/plan.h"

#include <QObject>

#include <QStringList>

#include <functional>

namespace rae::secrets {
class CredentialStore;
}

namespace rae::deploy {

// Keychain account names of the service passwords: the plan's `rae.secrets` entries, or
// `database_password` / `redis_password` when the plan names none.
QString databasePasswordAccount(const plan::Plan &plan);
QString redisPasswordAccount(const plan::Plan &plan);

// Reads the service passwords stored under the plan's cluster; a password that is not there yet
// is generated and stored first, so every later apply (and every API replica) gets the same one.
// A keychain that cannot be read or written is an error: a password that only this process knew
// would lock the admin out of their own database.
void ensureServiceSecrets(secrets::CredentialStore *store, const plan::Plan &plan, QObject *context,
                          std::function<void(const Result<ServiceSecrets> &)> done);

// The Redis password a deployment stored, as the monitoring finds it.
struct StoredRedisPassword
{
    QString password; // empty when none was found; never logged
    QString cluster;  // where it was found, or the first name it was looked for under
    QString account;
    // When there is no password: why, and what the user can do, for the message of a Redis that
    // wants one ("no Redis password for cluster lab is in the keychain ...").
    QString missing;
};

// Looks for the Redis password a deployment stored (ensureServiceSecrets) under each of
// `clusters` in turn (the connected cluster's name, the plan's), under the plan's account name
// (`plan` may be null: `redis_password`), and never creates one. A missing entry and a keychain
// that cannot be read are no errors here: the probe then runs without AUTH, and `missing` says
// why. `done` runs on the store's thread, not before this returns, and not when `context` is gone.
void findRedisPassword(secrets::CredentialStore *store, const QStringList &clusters,
                       const plan::Plan *plan, QObject *context,
                       std::function<void(const StoredRedisPassword &)> done);

} // namespace rae::deploy
