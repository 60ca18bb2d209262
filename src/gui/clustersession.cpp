#include "clustersession.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSession, "raedeploy.gui.session")

namespace rae::gui {

ClusterSession::ClusterSession(const cluster::ClusterProfile &profile, QSettings *pins,
                               QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_profile(profile)
    , m_client(new proxmox::ProxmoxClient(profile.name, profile.endpointUrls(),
                                          proxmox::PinStore(pins, profile.name), network, this))
{
    m_timer.setInterval(std::chrono::seconds(5));
    connect(&m_timer, &QTimer::timeout, this, &ClusterSession::pollNow);
    connect(m_client, &proxmox::ProxmoxClient::connected, this, [this] {
        qCInfo(lcSession) << "connected to" << m_profile.name;
        emit stateChanged(tr("connected"));
        emit connected();
        pollNow();
        m_timer.start();
    });
    connect(m_client, &proxmox::ProxmoxClient::connectionFailed, this,
            [this](const proxmox::ApiError &error) {
                m_timer.stop();
                emit stateChanged(tr("not connected"));
                emit connectionFailed(error);
            });
    connect(m_client, &proxmox::ProxmoxClient::sessionExpired, this,
            [this](const proxmox::ApiError &error) {
                m_timer.stop();
                emit stateChanged(tr("session expired"));
                emit connectionFailed(error);
            });
}

ClusterSession::~ClusterSession() = default;

void ClusterSession::setPollInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

void ClusterSession::start(const proxmox::Credentials &credentials)
{
    emit stateChanged(tr("connecting"));
    m_client->connectToCluster(credentials);
}

void ClusterSession::stop()
{
    m_timer.stop();
    if (m_inFlight)
        m_inFlight->cancel();
    m_client->disconnectFromCluster();
    emit stateChanged(tr("disconnected"));
}

void ClusterSession::pollNow()
{
    if (m_inFlight || m_client->state() != proxmox::ProxmoxClient::State::Connected)
        return;
    m_inFlight = m_client->send(proxmox::ApiRequest::get(QStringLiteral("/cluster/resources")));
    connect(m_inFlight, &proxmox::ApiJob::finished, this,
            [this](const proxmox::ApiResult<proxmox::ApiReply> &result) {
                m_inFlight = nullptr;
                if (!result) {
                    emit pollFailed(result.error());
                    return;
                }
                auto resources = cluster::parseResources(result->data);
                if (!resources) {
                    proxmox::ApiError error =
                        proxmox::ApiError::make(proxmox::ApiError::Kind::MalformedResponse,
                                                resources.error().message, resources.error().hint);
                    emit pollFailed(error);
                    return;
                }
                m_last = *resources;
                m_hasSnapshot = true;
                emit snapshot(m_last);
            });
}

} // namespace rae::gui
