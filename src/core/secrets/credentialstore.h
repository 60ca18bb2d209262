#pragma once

#include "common/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <chrono>
#include <functional>

namespace rae::secrets {

struct SecretError
{
    enum class Kind
    {
        NotFound,     // nothing stored under that key
        NoKeychain,   // no keychain service answers: the caller may offer session-only storage
        AccessDenied, // the keychain is locked or the user refused
        Timeout,      // the keychain did not answer in time
        Other,
    };
    Kind kind = Kind::Other;
    QString message; // for people; never contains the secret
    QString hint;

    rae::Error toError() const { return rae::Error{message, hint, {}}; }
};

template<typename T>
using SecretResult = rae::Result<T, SecretError>;

// Cluster credentials (API token secrets, passwords) in the operating system's keychain via
// QtKeychain, with no plaintext fallback. Keys are namespaced per cluster
// (`<service>/cluster/<name>/<account>`). Every keychain job has a time-out and one retry for a
// keyring that starts late. When no keychain service runs, the caller is told (NoKeychain) and may
// switch this store to session-only memory with setSessionOnly(true): secrets then live in this
// object until it is destroyed, and nothing is written anywhere.
//
// Lives on the thread that created it; callbacks run there, and are dropped if `context` is gone.
// Secrets are never logged; keys are.
class CredentialStore final : public QObject
{
    Q_OBJECT

public:
    explicit CredentialStore(const QString &service = QStringLiteral("rae-deploy"),
                             QObject *parent = nullptr);
    ~CredentialStore() override;

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    void setRetryDelay(std::chrono::milliseconds delay) { m_retryDelay = delay; }

    void setSessionOnly(bool sessionOnly) { m_sessionOnly = sessionOnly; }
    bool isSessionOnly() const { return m_sessionOnly; }

    QString keyFor(const QString &cluster, const QString &account) const;

    using ReadCallback = std::function<void(const SecretResult<QString> &)>;
    using WriteCallback = std::function<void(const SecretResult<rae::Done> &)>;

    void read(const QString &cluster, const QString &account, QObject *context, ReadCallback done);
    void write(const QString &cluster, const QString &account, const QString &secret,
               QObject *context, WriteCallback done);
    void remove(const QString &cluster, const QString &account, QObject *context,
                WriteCallback done);

private:
    enum class Operation
    {
        Read,
        Write,
        Remove
    };
    struct Pending;

    void start(Operation operation, const QString &key, const QString &secret, QObject *context,
               std::function<void(const SecretResult<QString> &)> done, int attempt);

    QString m_service;
    std::chrono::milliseconds m_timeout{10000};
    std::chrono::milliseconds m_retryDelay{1000};
    bool m_sessionOnly = false;
    QHash<QString, QString> m_session; // session-only secrets, never persisted
};

} // namespace rae::secrets
