#include "deploy/servicesecrets.h"

#include "secrets/credentialstore.h"

#include <QLoggingCategory>
#include <QPointer>

#include <memory>

Q_LOGGING_CATEGORY(lcDeploySecrets, "raedeploy.deploy.secrets")

namespace rae::deploy {

namespace {

using secrets::CredentialStore;
using secrets::SecretError;

// Reads one account, or generates and stores it when the keychain has none.
void ensureOne(CredentialStore *store, const QString &cluster, const QString &account,
               QObject *context, std::function<void(const Result<QString> &)> done)
{
    store->read(
        cluster, account, context,
        [store, cluster, account, context, done](const secrets::SecretResult<QString> &read) {
            if (read.ok()) {
                done(read.value());
                return;
            }
            if (read.error().kind != SecretError::Kind::NotFound) {
                done(read.error().toError());
                return;
            }
            Result<QString> generated = generatePassword();
            if (!generated.ok()) {
                done(generated.error());
                return;
            }
            const QString password = generated.value();
            qCInfo(lcDeploySecrets) << "storing a new password under" << account;
            store->write(cluster, account, password, context,
                         [done, password](const secrets::SecretResult<Done> &written) {
                             if (written.ok())
                                 done(password);
                             else
                                 done(written.error().toError());
                         });
        });
}

} // namespace

QString databasePasswordAccount(const plan::Plan &plan)
{
    return plan.rae.secrets.value(QStringLiteral("database_password"),
                                  QStringLiteral("database_password"));
}

QString redisPasswordAccount(const plan::Plan &plan)
{
    return plan.rae.secrets.value(QStringLiteral("redis_password"),
                                  QStringLiteral("redis_password"));
}

void ensureServiceSecrets(CredentialStore *store, const plan::Plan &plan, QObject *context,
                          std::function<void(const Result<ServiceSecrets> &)> done)
{
    const QString cluster = plan.cluster.name;
    const QString redisAccount = redisPasswordAccount(plan);
    ensureOne(store, cluster, databasePasswordAccount(plan), context,
              [store, cluster, redisAccount, context, done](const Result<QString> &db) {
                  if (!db.ok()) {
                      done(db.error());
                      return;
                  }
                  ensureOne(store, cluster, redisAccount, context,
                            [done, dbPassword = db.value()](const Result<QString> &redis) {
                                if (!redis.ok())
                                    done(redis.error());
                                else
                                    done(ServiceSecrets{dbPassword, redis.value()});
                            });
              });
}

} // namespace rae::deploy
