#pragma once

#include "proxmox/apierror.h"
#include "proxmox/certificatetrust.h"
#include "proxmox/request.h"
#include "proxmox/version.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslError>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace rae::proxmox {

// How the client proves who it is. The secret is held in memory only as long as needed: an API
// token's for the session; a password only until the first ticket unless `keepPassword` allows one
// re-login on a 401 later.
struct Credentials
{
    enum class Kind
    {
        ApiToken,
        Password
    };
    Kind kind = Kind::ApiToken;
    QString user;      // user@realm
    QString tokenName; // ApiToken: the part after '!'
    QString secret;    // token secret or password; never logged
    bool keepPassword = false;

    static Credentials apiToken(const QString &user, const QString &tokenName,
                                const QString &secret)
    {
        return {Kind::ApiToken, user, tokenName, secret, false};
    }
    static Credentials password(const QString &user, const QString &password,
                                bool keepPassword = false)
    {
        return {Kind::Password, user, {}, password, keepPassword};
    }
};

struct ClientOptions
{
    std::chrono::milliseconds activityTimeout{45000}; // > pveproxy's 30 s forwarding time-out
    int maxInFlightPerNode = 3; // pveproxy and pvedaemon have 3 workers each by default
    int maxInFlightTotal = 8;
    int maxReadRetries = 2;                            // for 500/502/503 on reads only
    std::chrono::milliseconds retryBaseDelay{500};     // doubled per retry, plus jitter
    std::chrono::milliseconds degradedFor{30000};      // an endpoint that failed rests this long
    std::chrono::milliseconds renewAfter{3600 * 1000}; // tickets live 2 h; renew at 1 h
};

class ProxmoxClient;

// One request in flight. Owned by the client and deleted after `finished`, which is emitted
// exactly once, also for cancellation. Lives on the client's thread.
class ApiJob final : public QObject
{
    Q_OBJECT

public:
    const ApiRequest &request() const { return m_request; }
    bool isFinished() const { return m_result.has_value(); }
    const std::optional<ApiResult<ApiReply>> &result() const { return m_result; }

    // Ends the job with a Cancelled error unless it has finished already.
    void cancel();

signals:
    void finished(const rae::proxmox::ApiResult<rae::proxmox::ApiReply> &result);

private:
    friend class ProxmoxClient;
    ApiJob(ProxmoxClient *client, ApiRequest request);

    ProxmoxClient *m_client = nullptr;
    ApiRequest m_request;
    std::optional<ApiResult<ApiReply>> m_result;
    QPointer<QNetworkReply> m_reply;
    QList<int> m_triedEndpoints;
    int m_endpoint = -1;
    int m_retries = 0;
    bool m_reloginTried = false;
    bool m_internal = false; // login and renewal: sent without waiting for a session
    bool m_timedOut = false;
    bool m_awaitingTrust = false;
    std::optional<ApiError> m_tlsError;
    QString m_nodeKey;
};

// The API client of one cluster: endpoints and fail-over, authentication and ticket renewal,
// certificate trust with pinning, a request queue with per-node limits, and time-outs.
//
// It uses one QNetworkAccessManager: the one passed in (not owned; tests pass a fake) or its own.
// Everything is asynchronous and happens on the thread the client lives on.
class ProxmoxClient final : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Disconnected,
        Connecting,
        Connected
    };

    // `pins` keeps the approved certificates of this cluster (in the caller's settings).
    ProxmoxClient(const QString &cluster, const QList<QUrl> &endpoints, const PinStore &pins,
                  QNetworkAccessManager *network = nullptr, QObject *parent = nullptr);
    ~ProxmoxClient() override;

    void setOptions(const ClientOptions &options) { m_options = options; }
    const ClientOptions &options() const { return m_options; }

    // Asked when a node shows a certificate the system does not trust and nobody has pinned.
    // Call `decide(true)` to pin it for this cluster; may be called later (after a dialog).
    using TrustCallback = std::function<void(const CertificateFacts &facts, const QUrl &endpoint,
                                             std::function<void(bool approved)> decide)>;
    void setTrustCallback(TrustCallback callback) { m_trustCallback = std::move(callback); }

    // Asked for the second factor when the account has TOTP. `challenge` is the server's JSON
    // (`{"totp":true,...}`). Answer with the code, or nothing to give up.
    using TotpCallback = std::function<void(const QString &challenge,
                                            std::function<void(std::optional<QString> code)>)>;
    void setTotpCallback(TotpCallback callback) { m_totpCallback = std::move(callback); }

    // Logs in (for passwords), reads /version and pins the nodes' fingerprints from /nodes;
    // then emits connected() or connectionFailed().
    void connectToCluster(const Credentials &credentials);
    void disconnectFromCluster();

    State state() const { return m_state; }
    QString cluster() const { return m_cluster; }
    const PveVersion &version() const { return m_version; }
    QUrl currentEndpoint() const;
    QList<QUrl> degradedEndpoints() const;
    QStringList unreachableNodes() const; // nodes that answered 595/596 via another node lately

    // Queues a request. Requests sent before connected() wait for the session.
    ApiJob *send(const ApiRequest &request);

signals:
    void stateChanged(rae::proxmox::ProxmoxClient::State state);
    void connected();
    void connectionFailed(const rae::proxmox::ApiError &error);
    void ticketRenewed();
    // The session is gone (renewal refused and no password kept); log in again.
    void sessionExpired(const rae::proxmox::ApiError &error);
    void endpointDegraded(const QUrl &endpoint, const rae::proxmox::ApiError &error);

private:
    friend class ApiJob;

    struct Endpoint
    {
        QUrl url;
        qint64 degradedUntil = 0; // monotonic ms; 0 = healthy
        int failures = 0;
    };

    void setState(State state);
    void startLogin(const QString &password, const QString &tfaChallenge = {});
    void onLoginFinished(const ApiResult<ApiReply> &result, bool renewal);
    void afterAuthenticated();
    void renewTicket();
    void failConnect(const ApiError &error);

    void pump();
    void startAttempt(ApiJob *job);
    void onReplyFinished(ApiJob *job, QNetworkReply *reply);
    void onSslErrors(ApiJob *job, QNetworkReply *reply, const QList<QSslError> &errors);
    void askTrust(ApiJob *job, const QSslCertificate &leaf);
    bool retryElsewhere(ApiJob *job, const ApiError &error);
    void retryLater(ApiJob *job, std::chrono::milliseconds delay);
    void finish(ApiJob *job, const ApiResult<ApiReply> &result);
    void releaseSlot(ApiJob *job);
    int chooseEndpoint(const ApiJob *job) const;
    void markDegraded(int endpoint, const ApiError &error);
    bool isSessionReady() const;

    QString m_cluster;
    QList<Endpoint> m_endpoints;
    int m_current = 0;
    PinStore m_pins;
    QNetworkAccessManager *m_network = nullptr;
    ClientOptions m_options;
    TrustCallback m_trustCallback;
    TotpCallback m_totpCallback;

    State m_state = State::Disconnected;
    Credentials m_credentials; // secret cleared after login unless a password is kept
    QString m_ticket;
    QString m_csrfToken;
    bool m_authenticating = false;
    PveVersion m_version;
    QTimer m_renewTimer;
    QElapsedTimer m_clock;

    QList<ApiJob *> m_queue; // waiting for a slot or for the session
    QHash<QString, int> m_inFlightPerNode;
    int m_inFlight = 0;
    QHash<QString, qint64> m_unreachableNodes;              // node -> monotonic ms of the last 59x
    QHash<QString, QList<QPointer<ApiJob>>> m_trustWaiters; // fingerprint -> jobs
};

} // namespace rae::proxmox
