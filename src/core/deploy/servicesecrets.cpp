#include "deploy/servicesecrets.h"

#include "secrets/credentialstore.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <memory>

Q_LOGGING_CATEGORY(lcDeploySecrets, "raedeploy.deploy.secrets")

namespace rae::deploy {

namespace {

using secrets::CredentialStore;
using secrets::SecretError;

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::ServiceSecrets)
};

// Asks for the account under clusters[index], then the next name while none has it.
void findRedisPasswordFrom(CredentialStore *store, const QStringList &clusters, qsizetype index,
                           const QString &account, QObject *context,
                           std::function<void(const StoredRedisPassword &)> done)
{
    const QString cluster = clusters.at(index);
    store->read(
        cluster, account, context,
        [store, clusters, index, account, context, done,
         cluster](const secrets::SecretResult<QString> &read) {
            StoredRedisPassword found;
            found.cluster = clusters.constFirst();
            found.account = account;
            if (read.ok() && !read.value().isEmpty()) {
                qCInfo(lcDeploySecrets) << "Redis password found under" << cluster << account;
                found.password = read.value();
                found.cluster = cluster;
                done(found);
                return;
            }
            const bool notFound = read.ok() || read.error().kind == SecretError::Kind::NotFound;
            if (notFound && index + 1 < clusters.size()) {
                findRedisPasswordFrom(store, clusters, index + 1, account, context, done);
                return;
            }
            const QString names = clusters.join(Tr::tr(" or "));
            if (notFound) {
                qCInfo(lcDeploySecrets) << "no Redis password under" << names << account;
                found.missing =
                    Tr::tr("no Redis password for cluster %1 is in the keychain (account %2); "
                           "deploy with RAE Deploy, which keeps it there, or store the password "
                           "Redis wants in the keychain as %3")
                        .arg(names, account, store->keyFor(found.cluster, account));
            } else {
                qCInfo(lcDeploySecrets) << "Redis password not readable under" << cluster << account
                                        << read.error().message;
                found.missing = Tr::tr("the Redis password for cluster %1 could not be read from "
                                       "the keychain: %2; %3")
                                    .arg(cluster, read.error().message, read.error().hint);
            }
            done(found);
        });
}

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

void findRedisPassword(CredentialStore *store, const QStringList &clusters, const plan::Plan *plan,
                       QObject *context, std::function<void(const StoredRedisPassword &)> done)
{
    QStringList names;
    for (const QString &cluster : clusters) {
        if (!cluster.isEmpty() && !names.contains(cluster))
            names.append(cluster);
    }
    const QString account = plan ? redisPasswordAccount(*plan) : QStringLiteral("redis_password");
    if (names.isEmpty() || store == nullptr) {
        // Answered on the next turn of the event loop all the same, as the keychain would.
        StoredRedisPassword none;
        none.account = account;
        none.missing = store == nullptr
                           ? Tr::tr("no keychain was asked for the Redis password")
                           : Tr::tr("no cluster name to look the Redis password up by in the "
                                    "keychain");
        QTimer::singleShot(0, context, [done, none] { done(none); });
        return;
    }
    findRedisPasswordFrom(store, names, 0, account, context, std::move(done));
}

} // namespace rae::deploy
