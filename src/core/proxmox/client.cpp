#include "proxmox/client.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslConfiguration>

Q_LOGGING_CATEGORY(lcProxmox, "raedeploy.proxmox")

namespace rae::proxmox {

namespace {

// Failures where no HTTP answer came back: another endpoint may do better.
bool isConnectionFailure(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
        return true;
    default:
        return false;
    }
}

// Failures that happen before a byte of the request reached the server: even a write can be sent
// elsewhere after these.
bool isBeforeSending(QNetworkReply::NetworkError error)
{
    return error == QNetworkReply::ConnectionRefusedError ||
           error == QNetworkReply::HostNotFoundError ||
           error == QNetworkReply::ProxyConnectionRefusedError;
}

} // namespace

QString ApiRequest::targetNode() const
{
    static const QRegularExpression pattern(QStringLiteral("^/nodes/([^/?]+)"));
    const auto match = pattern.match(path);
    return match.hasMatch() ? match.captured(1) : QString();
}

QString ApiRequest::methodName() const
{
    switch (method) {
    case Method::Get:
        return QStringLiteral("GET");
    case Method::Post:
        return QStringLiteral("POST");
    case Method::Put:
        return QStringLiteral("PUT");
    case Method::Delete:
        return QStringLiteral("DELETE");
    }
    return {};
}

ApiJob::ApiJob(ProxmoxClient *client, ApiRequest request)
    : QObject(client)
    , m_client(client)
    , m_request(std::move(request))
    , m_nodeKey(m_request.targetNode())
{}

void ApiJob::cancel()
{
    if (isFinished())
        return;
    m_client->finish(this,
                     ApiError::make(ApiError::Kind::Cancelled, tr("the request was cancelled")));
}

ProxmoxClient::ProxmoxClient(const QString &cluster, const QList<QUrl> &endpoints,
                             const PinStore &pins, QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_cluster(cluster)
    , m_pins(pins)
    , m_network(network ? network : new QNetworkAccessManager(this))
{
    for (const QUrl &url : endpoints)
        m_endpoints.append({url, 0, 0});
    m_clock.start();
    m_renewTimer.setSingleShot(true);
    connect(&m_renewTimer, &QTimer::timeout, this, &ProxmoxClient::renewTicket);
}

ProxmoxClient::~ProxmoxClient()
{
    for (ApiJob *job : std::as_const(m_queue))
        job->disconnect();
    m_credentials.secret.fill(QLatin1Char('\0'));
}

void ProxmoxClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

QUrl ProxmoxClient::currentEndpoint() const
{
    return m_endpoints.value(m_current).url;
}

QList<QUrl> ProxmoxClient::degradedEndpoints() const
{
    QList<QUrl> result;
    for (const Endpoint &endpoint : m_endpoints) {
        if (endpoint.degradedUntil > m_clock.elapsed())
            result << endpoint.url;
    }
    return result;
}

QStringList ProxmoxClient::unreachableNodes() const
{
    QStringList nodes;
    const qint64 now = m_clock.elapsed();
    for (auto it = m_unreachableNodes.cbegin(); it != m_unreachableNodes.cend(); ++it) {
        if (now - it.value() < m_options.degradedFor.count())
            nodes << it.key();
    }
    nodes.sort();
    return nodes;
}

// --- session -------------------------------------------------------------------------------

void ProxmoxClient::connectToCluster(const Credentials &credentials)
{
    if (m_endpoints.isEmpty()) {
        failConnect(ApiError::make(ApiError::Kind::Refused, tr("no endpoint is configured"),
                                   tr("add the address of at least one node")));
        return;
    }
    m_credentials = credentials;
    m_ticket.clear();
    m_csrfToken.clear();
    setState(State::Connecting);
    qCDebug(lcProxmox) << "connecting to cluster" << m_cluster << "as" << credentials.user
                       << (credentials.kind == Credentials::Kind::ApiToken ? "(API token)"
                                                                           : "(password)");

    if (credentials.kind == Credentials::Kind::ApiToken) {
        static const QRegularExpression tokenName(QStringLiteral("^[A-Za-z][A-Za-z0-9.\\-_]+$"));
        if (!credentials.user.contains(QLatin1Char('@')) ||
            !tokenName.match(credentials.tokenName).hasMatch()) {
            failConnect(ApiError::make(
                ApiError::Kind::Authentication,
                tr("“%1!%2” is not a valid API token id")
                    .arg(credentials.user, credentials.tokenName),
                tr("a token id looks like user@realm!name, and the name starts with a letter")));
            return;
        }
        afterAuthenticated();
        return;
    }
    startLogin(credentials.secret);
}

void ProxmoxClient::disconnectFromCluster()
{
    m_renewTimer.stop();
    const QList<ApiJob *> waiting = m_queue;
    for (ApiJob *job : waiting)
        job->cancel();
    m_ticket.clear();
    m_csrfToken.clear();
    m_credentials.secret.fill(QLatin1Char('\0'));
    m_credentials.secret.clear();
    setState(State::Disconnected);
}

bool ProxmoxClient::isSessionReady() const
{
    if (m_authenticating || m_state == State::Disconnected)
        return false;
    return m_credentials.kind == Credentials::Kind::ApiToken || !m_ticket.isEmpty();
}

void ProxmoxClient::startLogin(const QString &password, const QString &tfaChallenge)
{
    m_authenticating = true;
    form::Params params{{QStringLiteral("username"), m_credentials.user},
                        {QStringLiteral("password"), password}};
    if (!tfaChallenge.isEmpty())
        params.append({QStringLiteral("tfa-challenge"), tfaChallenge});
    auto *job = new ApiJob(this, ApiRequest::post(QStringLiteral("/access/ticket"), params));
    job->m_internal = true;
    connect(job, &ApiJob::finished, this,
            [this](const ApiResult<ApiReply> &result) { onLoginFinished(result, false); });
    m_queue.prepend(job);
    pump();
}

void ProxmoxClient::onLoginFinished(const ApiResult<ApiReply> &result, bool renewal)
{
    if (!result) {
        m_authenticating = false;
        ApiError error = result.error();
        if (renewal) {
            qCInfo(lcProxmox) << "ticket renewal refused:" << error.serverMessage;
            m_ticket.clear();
            m_csrfToken.clear();
            if (m_credentials.keepPassword && !m_credentials.secret.isEmpty()) {
                startLogin(m_credentials.secret);
                return;
            }
            emit sessionExpired(error);
            setState(State::Disconnected);
            return;
        }
        if (m_state == State::Connecting)
            failConnect(error);
        else
            emit sessionExpired(error);
        // Jobs waiting for this session cannot be sent now.
        const QList<ApiJob *> waiting = m_queue;
        for (ApiJob *job : waiting)
            finish(job, error);
        return;
    }

    const QJsonObject data = result->data.toObject();
    const QString ticket = data.value(QLatin1String("ticket")).toString();
    if (ticket.isEmpty()) {
        m_authenticating = false;
        failConnect(ApiError::make(ApiError::Kind::MalformedResponse,
                                   tr("the login answer carries no ticket")));
        return;
    }

    if (data.value(QLatin1String("NeedTFA")).toInt() == 1 ||
        ticket.startsWith(QLatin1String("PVE:!tfa!"))) {
        // The half ticket names the second factors on offer as percent-encoded JSON.
        const QString encoded = ticket.section(QLatin1Char(':'), 1, 1).mid(5);
        const QString challenge =
            QString::fromUtf8(QByteArray::fromPercentEncoding(encoded.toUtf8()));
        qCInfo(lcProxmox) << "second factor required for" << m_credentials.user;
        if (!m_totpCallback) {
            m_authenticating = false;
            failConnect(ApiError::make(ApiError::Kind::Authentication,
                                       tr("the account needs a second factor (TOTP)"),
                                       tr("enter the code from the authenticator app")));
            return;
        }
        QPointer<ProxmoxClient> self(this);
        m_totpCallback(challenge, [self, ticket](std::optional<QString> code) {
            ProxmoxClient *client = self.data();
            if (!client)
                return;
            if (!code || code->trimmed().isEmpty()) {
                client->m_authenticating = false;
                client->failConnect(ApiError::make(ApiError::Kind::Cancelled,
                                                   tr("the second-factor login was cancelled")));
                return;
            }
            client->startLogin(QStringLiteral("totp:") + code->trimmed(), ticket);
        });
        return;
    }

    m_ticket = ticket;
    m_csrfToken = data.value(QLatin1String("CSRFPreventionToken")).toString();
    m_authenticating = false;
    if (!m_credentials.keepPassword) {
        m_credentials.secret.fill(QLatin1Char('\0'));
        m_credentials.secret.clear();
    }
    // Counted from receipt rather than from the ticket's own time stamp, so that a skewed node
    // clock cannot make us renew too late.
    m_renewTimer.start(m_options.renewAfter);
    qCDebug(lcProxmox) << (renewal ? "ticket renewed" : "logged in") << "as" << m_credentials.user;

    if (renewal) {
        emit ticketRenewed();
        pump();
        return;
    }
    if (m_state == State::Connecting)
        afterAuthenticated();
    else
        pump();
}

void ProxmoxClient::renewTicket()
{
    if (m_ticket.isEmpty() || m_authenticating)
        return;
    m_authenticating = true;
    auto *job = new ApiJob(this, ApiRequest::post(QStringLiteral("/access/ticket"),
                                                  {{QStringLiteral("username"), m_credentials.user},
                                                   {QStringLiteral("password"), m_ticket}}));
    job->m_internal = true;
    connect(job, &ApiJob::finished, this,
            [this](const ApiResult<ApiReply> &result) { onLoginFinished(result, true); });
    m_queue.prepend(job);
    pump();
}

void ProxmoxClient::afterAuthenticated()
{
    ApiJob *versionJob = send(ApiRequest::get(QStringLiteral("/version")));
    versionJob->m_internal = true;
    connect(versionJob, &ApiJob::finished, this, [this](const ApiResult<ApiReply> &result) {
        if (!result) {
            failConnect(result.error());
            return;
        }
        auto version = PveVersion::fromData(result->data);
        if (!version) {
            failConnect(version.error());
            return;
        }
        m_version = *version;
        qCInfo(lcProxmox) << "cluster" << m_cluster << "runs Proxmox VE" << m_version.version;

        // Every node's fingerprint, so that fail-over to another node needs no new question.
        ApiJob *nodesJob = send(ApiRequest::get(QStringLiteral("/nodes")));
        nodesJob->m_internal = true;
        connect(nodesJob, &ApiJob::finished, this, [this](const ApiResult<ApiReply> &nodes) {
            if (nodes) {
                for (const QJsonValue &value : nodes->data.toArray()) {
                    const QJsonObject node = value.toObject();
                    const QString name = node.value(QLatin1String("node")).toString();
                    const QString fingerprint = normalizeFingerprint(
                        node.value(QLatin1String("ssl_fingerprint")).toString());
                    if (name.isEmpty() || fingerprint.isEmpty())
                        continue;
                    const QString known = m_pins.pinnedFor(name);
                    if (known != fingerprint) {
                        qCInfo(lcProxmox) << "pinned certificate of node" << name << fingerprint;
                        m_pins.pin(name, fingerprint);
                    }
                }
            } else {
                qCInfo(lcProxmox) << "could not read /nodes to pin node certificates:"
                                  << nodes.error().serverMessage;
            }
            setState(State::Connected);
            emit connected();
            pump();
        });
    });
}

void ProxmoxClient::failConnect(const ApiError &error)
{
    qCInfo(lcProxmox) << "connecting to" << m_cluster << "failed:" << error.message;
    m_renewTimer.stop();
    setState(State::Disconnected);
    emit connectionFailed(error);
}

// --- requests --------------------------------------------------------------------------------

ApiJob *ProxmoxClient::send(const ApiRequest &request)
{
    auto *job = new ApiJob(this, request);
    m_queue.append(job);
    // Started on the next turn of the event loop, so that callers can connect first.
    QTimer::singleShot(0, this, &ProxmoxClient::pump);
    return job;
}

void ProxmoxClient::pump()
{
    QList<ApiJob *> still;
    const QList<ApiJob *> queue = m_queue;
    m_queue.clear();
    for (ApiJob *job : queue) {
        if (job->isFinished())
            continue;
        const bool mayGo = job->m_internal || (isSessionReady() && m_state == State::Connected);
        const bool slot = m_inFlight < m_options.maxInFlightTotal &&
                          m_inFlightPerNode.value(job->m_nodeKey) < m_options.maxInFlightPerNode;
        if (mayGo && slot) {
            ++m_inFlight;
            ++m_inFlightPerNode[job->m_nodeKey];
            startAttempt(job);
        } else {
            still.append(job);
        }
    }
    m_queue = still + m_queue; // keep jobs queued meanwhile (by callbacks) behind the old ones
}

int ProxmoxClient::chooseEndpoint(const ApiJob *job) const
{
    const qint64 now = m_clock.elapsed();
    const int count = int(m_endpoints.size());
    // Healthy endpoints first, starting from the one that worked last.
    for (int step = 0; step < count; ++step) {
        const int index = (m_current + step) % count;
        if (!job->m_triedEndpoints.contains(index) && m_endpoints.at(index).degradedUntil <= now)
            return index;
    }
    // Then degraded ones, the one whose rest ends first: a degraded node beats no answer.
    int best = -1;
    for (int index = 0; index < count; ++index) {
        if (job->m_triedEndpoints.contains(index))
            continue;
        if (best < 0 || m_endpoints.at(index).degradedUntil < m_endpoints.at(best).degradedUntil)
            best = index;
    }
    return best;
}

void ProxmoxClient::startAttempt(ApiJob *job)
{
    const int index = chooseEndpoint(job);
    if (index < 0) {
        finish(job,
               ApiError::make(ApiError::Kind::Network, tr("no endpoint of the cluster answered"),
                              tr("check that the nodes are up and reachable from here")));
        return;
    }
    job->m_endpoint = index;
    job->m_triedEndpoints.append(index);
    job->m_timedOut = false;
    job->m_awaitingTrust = false;
    job->m_tlsError.reset();

    const ApiRequest &request = job->m_request;
    QUrl url = m_endpoints.at(index).url;
    QString basePath = url.path(QUrl::FullyEncoded);
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    url.setPath(basePath + QStringLiteral("/api2/json") + request.path, QUrl::StrictMode);
    const bool hasBody =
        request.method == ApiRequest::Method::Post || request.method == ApiRequest::Method::Put;
    const QByteArray encoded = form::encode(request.params);
    if (!hasBody && !encoded.isEmpty())
        url.setQuery(QString::fromLatin1(encoded), QUrl::StrictMode);

    QNetworkRequest networkRequest(url);
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                QNetworkRequest::ManualRedirectPolicy);
    networkRequest.setHeader(QNetworkRequest::UserAgentHeader,
                             QByteArray("rae-deploy/" RAE_VERSION));
    if (m_credentials.kind == Credentials::Kind::ApiToken) {
        networkRequest.setRawHeader("Authorization", "PVEAPIToken=" + m_credentials.user.toUtf8() +
                                                         '!' + m_credentials.tokenName.toUtf8() +
                                                         '=' + m_credentials.secret.toUtf8());
    } else if (!m_ticket.isEmpty() && !job->m_internal) {
        networkRequest.setRawHeader("Cookie", "PVEAuthCookie=" + QUrl::toPercentEncoding(m_ticket));
        if (request.method != ApiRequest::Method::Get)
            networkRequest.setRawHeader("CSRFPreventionToken", m_csrfToken.toUtf8());
    } else if (!m_ticket.isEmpty() && request.path != QLatin1String("/access/ticket")) {
        networkRequest.setRawHeader("Cookie", "PVEAuthCookie=" + QUrl::toPercentEncoding(m_ticket));
    }
    if (hasBody) {
        networkRequest.setHeader(QNetworkRequest::ContentTypeHeader,
                                 QByteArray("application/x-www-form-urlencoded"));
    }

    QNetworkReply *reply = nullptr;
    switch (request.method) {
    case ApiRequest::Method::Get:
        reply = m_network->get(networkRequest);
        break;
    case ApiRequest::Method::Delete:
        reply = m_network->deleteResource(networkRequest);
        break;
    case ApiRequest::Method::Post:
        reply = m_network->post(networkRequest, encoded);
        break;
    case ApiRequest::Method::Put:
        reply = m_network->put(networkRequest, encoded);
        break;
    }
    job->m_reply = reply;
    // Paths only: query strings and bodies may hold secrets.
    qCDebug(lcProxmox).noquote() << "sent" << request.methodName() << request.path << "to"
                                 << m_endpoints.at(index).url.toDisplayString();

    // An activity time-out: any byte moving in either direction restarts it.
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [job, reply] {
        job->m_timedOut = true;
        reply->abort();
    });
    const auto timeout = request.timeout.value_or(m_options.activityTimeout);
    auto restart = [timer, timeout] {
        timer->start(timeout);
    };
    connect(reply, &QNetworkReply::downloadProgress, timer, restart);
    connect(reply, &QNetworkReply::uploadProgress, timer, restart);
    connect(reply, &QNetworkReply::metaDataChanged, timer, restart);
    timer->start(timeout);

    connect(
        reply, &QNetworkReply::sslErrors, this,
        [this, job, reply](const QList<QSslError> &errors) { onSslErrors(job, reply, errors); });
    connect(reply, &QNetworkReply::finished, this,
            [this, job, reply] { onReplyFinished(job, reply); });
}

void ProxmoxClient::onSslErrors(ApiJob *job, QNetworkReply *reply, const QList<QSslError> &errors)
{
    QSslCertificate leaf = reply->sslConfiguration().peerCertificate();
    if (leaf.isNull() && !errors.isEmpty())
        leaf = errors.first().certificate();
    const QString host = reply->url().host();
    const TrustDecision decision = decideTrust(m_pins, host, errors, leaf);

    switch (decision.verdict) {
    case TrustDecision::Verdict::Accept:
        qCInfo(lcProxmox) << "accepted pinned certificate of" << host << decision.presented;
        reply->ignoreSslErrors(decision.toIgnore);
        if (m_pins.pinnedFor(host).isEmpty())
            m_pins.pin(host, decision.presented);
        return;
    case TrustDecision::Verdict::AskUser:
        qCInfo(lcProxmox) << "certificate of" << host
                          << "is not trusted yet:" << decision.presented;
        job->m_awaitingTrust = true;
        return;
    case TrustDecision::Verdict::RefuseChanged: {
        qCInfo(lcProxmox) << "refused certificate of" << host << "- pinned" << decision.pinned
                          << "but presented" << decision.presented;
        ApiError error = ApiError::make(
            ApiError::Kind::Tls,
            tr("the certificate of %1 has changed since it was approved").arg(host),
            tr("if the node's certificate was replaced on purpose, remove the old pin for this "
               "cluster and connect again; otherwise someone may be intercepting the connection"));
        error.pinnedFingerprint = decision.pinned;
        error.presentedFingerprint = decision.presented;
        job->m_tlsError = error;
        return;
    }
    case TrustDecision::Verdict::Refuse:
        qCInfo(lcProxmox) << "refused certificate of" << host << ":" << decision.reason;
        job->m_tlsError = ApiError::make(
            ApiError::Kind::Tls,
            tr("the certificate of %1 is not acceptable: %2").arg(host, decision.reason),
            tr("renew the node's certificate (pvecm updatecerts, or the ACME settings)"));
        job->m_tlsError->presentedFingerprint = decision.presented;
        return;
    }
}

void ProxmoxClient::askTrust(ApiJob *job, const QSslCertificate &leaf)
{
    const CertificateFacts facts = CertificateFacts::from(leaf);
    auto &waiters = m_trustWaiters[facts.fingerprint];
    waiters.append(job);
    if (waiters.size() > 1)
        return; // one question per certificate

    const QUrl endpoint = m_endpoints.at(job->m_endpoint).url;
    const QString host = endpoint.host();
    QPointer<ProxmoxClient> self(this);
    m_trustCallback(facts, endpoint, [self, facts, host](bool approved) {
        ProxmoxClient *client = self.data();
        if (!client)
            return;
        const auto jobs = client->m_trustWaiters.take(facts.fingerprint);
        if (approved) {
            qCInfo(lcProxmox) << "user approved certificate of" << host << facts.fingerprint;
            client->m_pins.pin(host, facts.fingerprint);
        } else {
            qCInfo(lcProxmox) << "user rejected certificate of" << host << facts.fingerprint;
        }
        for (const QPointer<ApiJob> &guard : jobs) {
            ApiJob *waiting = guard.data();
            if (!waiting || waiting->isFinished())
                continue;
            if (approved) {
                waiting->m_triedEndpoints.removeAll(waiting->m_endpoint);
                client->m_queue.prepend(waiting);
            } else {
                ApiError error = ApiError::make(
                    ApiError::Kind::Tls, tr("the certificate of %1 was not trusted").arg(host));
                error.presentedFingerprint = facts.fingerprint;
                client->finish(waiting, error);
            }
        }
        client->pump();
    });
}

void ProxmoxClient::onReplyFinished(ApiJob *job, QNetworkReply *reply)
{
    reply->deleteLater();
    if (job->isFinished())
        return; // cancelled meanwhile
    releaseSlot(job);
    job->m_reply.clear();

    const ApiRequest &request = job->m_request;
    const QString endpointText = m_endpoints.at(job->m_endpoint).url.toDisplayString();
    const QNetworkReply::NetworkError networkError = reply->error();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();

    if (job->m_tlsError) {
        ApiError error = *job->m_tlsError;
        error.endpoint = endpointText;
        finish(job, error);
        return;
    }
    if (job->m_awaitingTrust) {
        const QSslCertificate leaf = reply->sslConfiguration().peerCertificate();
        if (m_trustCallback && !leaf.isNull()) {
            askTrust(job, leaf);
            return;
        }
        ApiError error = ApiError::make(
            ApiError::Kind::Tls,
            tr("the certificate of %1 is not trusted").arg(reply->url().host()),
            tr("check the fingerprint shown on the node (Datacenter → node → System → "
               "Certificates) and approve it"));
        error.presentedFingerprint = proxmoxFingerprint(leaf);
        error.endpoint = endpointText;
        finish(job, error);
        return;
    }

    if (job->m_timedOut) {
        qCDebug(lcProxmox).noquote()
            << "timed out:" << request.methodName() << request.path << "at" << endpointText;
        ApiError error = ApiError::make(
            ApiError::Kind::Timeout,
            tr("%1 did not answer within %2 s")
                .arg(endpointText)
                .arg(request.timeout.value_or(m_options.activityTimeout).count() / 1000.0),
            tr("the node may be overloaded or unreachable"));
        error.endpoint = endpointText;
        markDegraded(job->m_endpoint, error);
        if (request.isRead() && retryElsewhere(job, error))
            return;
        finish(job, error);
        return;
    }

    if (status == 0) {
        ApiError error =
            ApiError::make(ApiError::Kind::Network,
                           tr("cannot reach %1: %2").arg(endpointText, reply->errorString()),
                           tr("check the address and that port 8006 is reachable"));
        if (networkError == QNetworkReply::SslHandshakeFailedError)
            error.kind = ApiError::Kind::Tls;
        error.endpoint = endpointText;
        qCDebug(lcProxmox).noquote() << "failed:" << request.methodName() << request.path << "at"
                                     << endpointText << reply->errorString();
        if (isConnectionFailure(networkError)) {
            markDegraded(job->m_endpoint, error);
            if ((request.isRead() || isBeforeSending(networkError)) && retryElsewhere(job, error))
                return;
        }
        finish(job, error);
        return;
    }

    qCDebug(lcProxmox).noquote() << "answer" << status << "for" << request.methodName()
                                 << request.path << "from" << endpointText;

    if (status >= 400) {
        const QByteArray reason =
            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
        ApiError error = ApiError::fromHttp(status, reason, body, request.path);
        error.endpoint = endpointText;

        if (status == 401 && !job->m_internal &&
            m_credentials.kind == Credentials::Kind::Password && !job->m_reloginTried &&
            m_credentials.keepPassword && !m_credentials.secret.isEmpty()) {
            // The ticket was refused mid-session; one fresh login, then the request once more.
            qCDebug(lcProxmox) << "401 with a ticket; logging in again once";
            job->m_reloginTried = true;
            job->m_triedEndpoints.clear();
            m_ticket.clear();
            m_queue.prepend(job);
            if (!m_authenticating)
                startLogin(m_credentials.secret);
            return;
        }
        if (status == 595 || status == 596 || status == 599) {
            if (!error.node.isEmpty()) {
                // The answering node is fine; the node the path names is not. Other calls go on.
                m_unreachableNodes.insert(error.node, m_clock.elapsed());
                finish(job, error);
                return;
            }
            markDegraded(job->m_endpoint, error);
            if (request.isRead() && retryElsewhere(job, error))
                return;
            finish(job, error);
            return;
        }
        if (request.isRead() && error.kind == ApiError::Kind::Server &&
            (status == 500 || status == 502 || status == 503) &&
            job->m_retries < m_options.maxReadRetries) {
            ++job->m_retries;
            const auto base = m_options.retryBaseDelay * (1 << (job->m_retries - 1));
            const auto jitter = std::chrono::milliseconds(
                QRandomGenerator::global()->bounded(qint64(base.count() / 2 + 1)));
            qCDebug(lcProxmox).noquote() << "retrying" << request.path << "after" << status << "in"
                                         << (base + jitter).count() << "ms";
            job->m_triedEndpoints.clear();
            retryLater(job, base + jitter);
            return;
        }
        finish(job, error);
        return;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        ApiError error = ApiError::make(ApiError::Kind::MalformedResponse,
                                        tr("the answer to %1 is not valid JSON (%2 at byte %3)")
                                            .arg(request.path, parseError.errorString())
                                            .arg(parseError.offset),
                                        tr("the connection may have been cut; try again"));
        error.httpStatus = status;
        error.endpoint = endpointText;
        finish(job, error);
        return;
    }

    Endpoint &endpoint = m_endpoints[job->m_endpoint];
    endpoint.failures = 0;
    endpoint.degradedUntil = 0;
    m_current = job->m_endpoint;
    m_unreachableNodes.remove(job->m_nodeKey);

    ApiReply answer;
    answer.httpStatus = status;
    answer.envelope = document.object();
    answer.data = answer.envelope.value(QLatin1String("data"));
    answer.endpoint = endpointText;
    finish(job, answer);
}

bool ProxmoxClient::retryElsewhere(ApiJob *job, const ApiError &error)
{
    if (chooseEndpoint(job) < 0)
        return false;
    qCDebug(lcProxmox).noquote() << "failing over" << job->m_request.path
                                 << "after:" << error.message;
    m_queue.prepend(job);
    QTimer::singleShot(0, this, &ProxmoxClient::pump);
    return true;
}

void ProxmoxClient::retryLater(ApiJob *job, std::chrono::milliseconds delay)
{
    QPointer<ApiJob> guard(job);
    QTimer::singleShot(delay, this, [this, guard] {
        ApiJob *waiting = guard.data();
        if (!waiting || waiting->isFinished())
            return;
        m_queue.prepend(waiting);
        pump();
    });
}

void ProxmoxClient::markDegraded(int index, const ApiError &error)
{
    Endpoint &endpoint = m_endpoints[index];
    ++endpoint.failures;
    // Rest longer after repeated failures, up to eight times the base.
    const qint64 rest = m_options.degradedFor.count() * (1ll << qMin(endpoint.failures - 1, 3));
    endpoint.degradedUntil = m_clock.elapsed() + rest;
    qCDebug(lcProxmox).noquote() << "endpoint" << endpoint.url.toDisplayString() << "degraded for"
                                 << rest << "ms";
    emit endpointDegraded(endpoint.url, error);
}

void ProxmoxClient::releaseSlot(ApiJob *job)
{
    if (!job->m_reply)
        return;
    --m_inFlight;
    if (--m_inFlightPerNode[job->m_nodeKey] <= 0)
        m_inFlightPerNode.remove(job->m_nodeKey);
}

void ProxmoxClient::finish(ApiJob *job, const ApiResult<ApiReply> &result)
{
    if (job->isFinished())
        return;
    m_queue.removeAll(job);
    if (QNetworkReply *reply = job->m_reply.data()) {
        releaseSlot(job);
        job->m_reply.clear();
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    job->m_result = result;
    if (!result) {
        qCDebug(lcProxmox).noquote()
            << "failed:" << job->m_request.methodName() << job->m_request.path << "-"
            << ApiError::kindName(result.error().kind);
    }
    emit job->finished(result);
    job->deleteLater();
    QTimer::singleShot(0, this, &ProxmoxClient::pump);
}

} // namespace rae::proxmox
