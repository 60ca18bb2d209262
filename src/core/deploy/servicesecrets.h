#pragma once

#include "deploy/envfile.h"
#include "plan/plan.h"

#include <QObject>

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

} // namespace rae::deploy
