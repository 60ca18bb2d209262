#include "demolauncher.h"

#include "clustersession.h"
#include "monitoringpanel.h"

#include "common/childprocess.h"
#include "deploy/demoservices.h"
#include "deploy/servicesecrets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

#include <utility>

Q_LOGGING_CATEGORY(lcDemo, "raedeploy.gui.demo")

namespace rae::gui {

DemoLauncher::DemoLauncher(QObject *parent)
    : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &DemoLauncher::readOutput);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            emit failed(tr("The simulator did not start: %1").arg(m_process.errorString()));
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        if (!m_ready)
            emit failed(tr("The simulator stopped before it was ready (exit code %1).").arg(code));
    });
}

DemoLauncher::~DemoLauncher()
{
    // The servers first: they hold addresses of the simulator's block, which other
    // simulators may take once it is gone.
    delete m_guests;
    m_guests = nullptr;
    if (m_process.state() != QProcess::NotRunning) {
        // SIGTERM lets it close its socket. This runs at shutdown only, and QProcess's own
        // destructor would wait for a killed child just the same.
        m_process.terminate();
        m_process.waitForFinished(1000);
    }
}

QString DemoLauncher::findSimulator()
{
    const QString fromEnvironment = qEnvironmentVariable("RAE_PVE_SIM");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QDir here(QCoreApplication::applicationDirPath());
    // build/<name>/src/app/rae-deploy → build/<name>/src/sim/rae-pve-sim; installed side by side.
    for (const QString &candidate : {here.filePath(QStringLiteral("../sim/rae-pve-sim")),
                                     here.filePath(QStringLiteral("rae-pve-sim"))}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("rae-pve-sim"));
}

QString DemoLauncher::findScenario()
{
    const QString fromEnvironment = qEnvironmentVariable("RAE_SIM_SCENARIO");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QStringList candidates{
        QStringLiteral(RAE_SOURCE_DIR "/resources/sim/reference.yaml"),
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../share/rae-deploy/sim/reference.yaml")),
    };
    for (const QString &candidate : candidates) {
        if (QFileInfo::exists(candidate))
            return candidate;
    }
    return {};
}

void DemoLauncher::start(const QString &simulator, const QString &scenario)
{
    qCInfo(lcDemo) << "starting" << simulator << "with" << scenario;
    stopWithParent(m_process);
    m_process.start(simulator, {QStringLiteral("--scenario"), scenario, QStringLiteral("--port"),
                                QStringLiteral("0")});
}

void DemoLauncher::serveGuests(MonitoringPanel *panel, ClusterSession *session,
                               secrets::CredentialStore *store, const plan::Plan &plan)
{
    if (m_guests != nullptr)
        return;
    m_panel = panel;
    m_session = session;
    m_rae = plan.rae;
    m_guests = new deploy::DemoServices(this);
    connect(m_guests, &deploy::DemoServices::started, this,
            [this](const QString &server, const QString &address) {
                emit guestMessage(tr("%1 started on %2 for the demo").arg(server, address));
            });
    connect(m_guests, &deploy::DemoServices::failed, this,
            [this](const QString &server, const QString &address, const QString &message) {
                emit failed(tr("The demo's %1 on %2 failed: %3").arg(server, address, message));
            });
    panel->trustDemoGateway(session, deploy::kSimulatorGatewayPort);
    connect(panel, &MonitoringPanel::serviceFound, this, &DemoLauncher::serveGuest);
    deploy::ensureServiceSecrets(
        store, plan, this, [this](const Result<deploy::ServiceSecrets> &secrets) {
            if (!secrets) {
                emit failed(tr("The demo's Redis password could not be kept: %1")
                                .arg(secrets.error().message));
                return;
            }
            m_redisPassword = secrets->redisPassword;
            if (MonitoringPanel *watching = m_panel.data())
                watching->setRedisPassword(m_session.data(), m_redisPassword);
            const QList<monitor::DiscoveredService> waiting = std::exchange(m_waiting, {});
            for (const monitor::DiscoveredService &service : waiting)
                serveGuest(service);
        });
}

void DemoLauncher::serveGuest(const monitor::DiscoveredService &service)
{
    // Another cluster's VMs are none of the demo's business.
    MonitoringPanel *panel = m_panel.data();
    ClusterSession *session = m_session.data();
    if (panel == nullptr || session == nullptr || panel->session() != session ||
        service.address.isEmpty())
        return;
    if (service.role == plan::Role::Db) {
        m_guests->startPostgres(service.address, m_rae.databasePort);
    } else if (service.role == plan::Role::Redis) {
        if (m_redisPassword.isEmpty())
            m_waiting.append(service);
        else
            m_guests->startRedis(service.address, m_rae.redisPort, m_redisPassword);
    }
}

void DemoLauncher::readOutput()
{
    m_buffer += m_process.readAllStandardOutput();
    qsizetype end = 0;
    while ((end = m_buffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_buffer.left(end)).trimmed();
        m_buffer.remove(0, end + 1);
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0)
            continue;
        const QString key = line.left(colon).trimmed();
        const QString value = line.mid(colon + 1).trimmed();
        if (key == QLatin1String("url"))
            m_url = QUrl(value);
        else if (key == QLatin1String("fingerprint"))
            m_fingerprint = value;
        else if (key == QLatin1String("cluster"))
            m_cluster = value;
        else if (key == QLatin1String("ready") && !m_ready) {
            m_ready = true;
            if (!m_url.isValid() || m_fingerprint.isEmpty()) {
                emit failed(tr("The simulator did not say its URL and fingerprint."));
                return;
            }
            emit ready(m_url, m_fingerprint, m_cluster);
        }
    }
}

} // namespace rae::gui
