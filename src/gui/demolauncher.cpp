#include "demolauncher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

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
    m_process.start(simulator, {QStringLiteral("--scenario"), scenario, QStringLiteral("--port"),
                                QStringLiteral("0")});
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
