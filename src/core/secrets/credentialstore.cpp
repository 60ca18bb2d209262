#include "secrets/credentialstore.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcSecrets, "raedeploy.secrets")

namespace rae::secrets {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::secrets::CredentialStore)
};

SecretError errorFrom(QKeychain::Error code, const QString &detail)
{
    SecretError error;
    switch (code) {
    case QKeychain::EntryNotFound:
        error.kind = SecretError::Kind::NotFound;
        error.message = Tr::tr("no secret is stored for this cluster");
        error.hint = Tr::tr("enter the password or API token secret again");
        break;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        error.kind = SecretError::Kind::NoKeychain;
        error.message = Tr::tr("no keychain service is running (%1)").arg(detail);
        error.hint =
            Tr::tr("start the desktop's keyring (GNOME Keyring, KWallet), or keep the secret "
                   "in memory for this session only");
        break;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        error.kind = SecretError::Kind::AccessDenied;
        error.message = Tr::tr("the keychain refused access (%1)").arg(detail);
        error.hint = Tr::tr("unlock the keyring and try again");
        break;
    default:
        error.kind = SecretError::Kind::Other;
        error.message = Tr::tr("the keychain failed: %1").arg(detail);
        error.hint = Tr::tr("check that the keyring service is running and unlocked");
        break;
    }
    return error;
}

// The D-Bus secret service sometimes comes up after the application; such failures are worth one
// more try. A missing entry or a refusal is an answer, not a hiccup.
bool worthRetrying(QKeychain::Error code)
{
    return code == QKeychain::NoBackendAvailable || code == QKeychain::OtherError;
}

} // namespace

CredentialStore::CredentialStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{}

CredentialStore::~CredentialStore()
{
    // Overwrite before release so session secrets do not linger in freed memory longer than needed.
    for (QString &secret : m_session)
        secret.fill(QLatin1Char('\0'));
}

QString CredentialStore::keyFor(const QString &cluster, const QString &account) const
{
    return QStringLiteral("cluster/%1/%2").arg(cluster, account);
}

void CredentialStore::read(const QString &cluster, const QString &account, QObject *context,
                           ReadCallback done)
{
    start(Operation::Read, keyFor(cluster, account), {}, context, std::move(done), 1);
}

void CredentialStore::write(const QString &cluster, const QString &account, const QString &secret,
                            QObject *context, WriteCallback done)
{
    start(
        Operation::Write, keyFor(cluster, account), secret, context,
        [done = std::move(done)](const SecretResult<QString> &result) {
            if (result)
                done(rae::Done{});
            else
                done(result.error());
        },
        1);
}

void CredentialStore::remove(const QString &cluster, const QString &account, QObject *context,
                             WriteCallback done)
{
    start(
        Operation::Remove, keyFor(cluster, account), {}, context,
        [done = std::move(done)](const SecretResult<QString> &result) {
            if (result)
                done(rae::Done{});
            else
                done(result.error());
        },
        1);
}

void CredentialStore::start(Operation operation, const QString &key, const QString &secret,
                            QObject *context,
                            std::function<void(const SecretResult<QString> &)> done, int attempt)
{
    QPointer<QObject> guard(context);
    auto deliver = [guard, done](const SecretResult<QString> &result) {
        if (guard)
            done(result);
    };

    if (m_sessionOnly) {
        // Answered on the next turn of the event loop, like a keychain job, so callers see one
        // behaviour whichever store is in use.
        SecretResult<QString> result = QString();
        if (operation == Operation::Write) {
            m_session.insert(key, secret);
        } else if (operation == Operation::Remove) {
            m_session.remove(key);
        } else if (const auto it = m_session.constFind(key); it != m_session.constEnd()) {
            result = *it;
        } else {
            result = errorFrom(QKeychain::EntryNotFound, {});
        }
        QTimer::singleShot(0, this, [deliver, result] { deliver(result); });
        return;
    }

    QKeychain::Job *job = nullptr;
    switch (operation) {
    case Operation::Read:
        job = new QKeychain::ReadPasswordJob(m_service, this);
        break;
    case Operation::Write: {
        auto *writeJob = new QKeychain::WritePasswordJob(m_service, this);
        writeJob->setTextData(secret);
        job = writeJob;
        break;
    }
    case Operation::Remove:
        job = new QKeychain::DeletePasswordJob(m_service, this);
        break;
    }
    job->setKey(key);
    job->setInsecureFallback(false);
    job->setAutoDelete(false);

    auto *timer = new QTimer(job);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, job, key, deliver] {
        qCWarning(lcSecrets) << "keychain did not answer in time for" << key;
        job->disconnect(this);
        job->deleteLater();
        SecretError error;
        error.kind = SecretError::Kind::Timeout;
        error.message = Tr::tr("the keychain did not answer within %1 s")
                            .arg(double(m_timeout.count()) / 1000.0);
        error.hint = Tr::tr("unlock the keyring if it is waiting for a password, then try again");
        deliver(error);
    });

    connect(job, &QKeychain::Job::finished, this,
            [this, operation, key, secret, context, done, deliver, attempt,
             timer](QKeychain::Job *finished) {
                timer->stop();
                finished->deleteLater();
                const QKeychain::Error code = finished->error();
                if (code == QKeychain::NoError) {
                    qCDebug(lcSecrets) << "keychain" << int(operation) << "done for" << key;
                    if (operation == Operation::Read) {
                        deliver(static_cast<QKeychain::ReadPasswordJob *>(finished)->textData());
                    } else {
                        deliver(QString());
                    }
                    return;
                }
                // Deleting what is not there leaves the keychain as the caller wants it.
                if (operation == Operation::Remove && code == QKeychain::EntryNotFound) {
                    deliver(QString());
                    return;
                }
                if (attempt == 1 && worthRetrying(code)) {
                    qCInfo(lcSecrets) << "keychain not ready for" << key
                                      << "- retrying once:" << finished->errorString();
                    QTimer::singleShot(m_retryDelay, this,
                                       [this, operation, key, secret, context, done] {
                                           start(operation, key, secret, context, done, 2);
                                       });
                    return;
                }
                qCInfo(lcSecrets) << "keychain failed for" << key << ":" << finished->errorString();
                deliver(errorFrom(code, finished->errorString()));
            });

    timer->start(m_timeout);
    job->start();
}

} // namespace rae::secrets
