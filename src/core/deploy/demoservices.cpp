#include "demoservices.h"

#include "common/childprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QStandardPaths>

#include <pwd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDemoServices, "raedeploy.deploy.demoservices")

namespace rae::deploy {

namespace {

constexpr int kStartTimeoutMs = 10000;

QString postgresBinDir()
{
    // Debian's packages install /usr/lib/postgresql/<major>/bin; the newest wins.
    QString bin;
    const QDir lib(QStringLiteral("/usr/lib/postgresql"));
    for (const QString &version : lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (QFileInfo::exists(lib.filePath(version + QStringLiteral("/bin/postgres"))))
            bin = lib.filePath(version + QStringLiteral("/bin/"));
    return bin;
}

} // namespace

DemoServices::DemoServices(QObject *parent)
    : QObject(parent)
{}

DemoServices::~DemoServices()
{
    // SIGTERM: Redis exits, PostgreSQL does a fast shutdown. Both take milliseconds with no
    // data to keep; a server that hangs is killed.
    for (const auto &process : m_processes) {
        process->disconnect(this);
        if (process->state() == QProcess::NotRunning)
            continue;
        process->terminate();
        if (!process->waitForFinished(3000))
            process->kill();
    }
}

QProcess *DemoServices::launch(const QString &server, const QString &address,
                               const QString &program, const QStringList &arguments)
{
    auto owned = std::make_unique<QProcess>();
    QProcess *process = owned.get();
    m_processes.push_back(std::move(owned));
    process->setProcessChannelMode(QProcess::MergedChannels);
    connect(process, &QProcess::errorOccurred, this,
            [this, process, server, address](QProcess::ProcessError error) {
                if (error == QProcess::FailedToStart)
                    emit failed(server, address,
                                tr("%1 did not start: %2").arg(server, process->errorString()));
            });
    stopWithParent(*process);
    process->start(program, arguments);
    return process;
}

void DemoServices::watchExit(QProcess *process, const QString &server, const QString &address)
{
    // A server exits early when its address or port is taken, or its configuration is wrong.
    connect(process, &QProcess::finished, this,
            [this, process, server, address](int exitCode, QProcess::ExitStatus) {
                emit failed(
                    server, address,
                    tr("%1 on %2 exited with code %3: %4")
                        .arg(server, address)
                        .arg(exitCode)
                        .arg(QString::fromLocal8Bit(process->readAll()).trimmed().right(400)));
            });
}

QStringList DemoServices::asPostgres(const QString &program, const QStringList &arguments,
                                     QString *launcher) const
{
    // PostgreSQL refuses to run as root: as root, it runs as the postgres user.
    if (::geteuid() != 0) {
        *launcher = program;
        return arguments;
    }
    *launcher = QStringLiteral("runuser");
    return QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                       program} +
           arguments;
}

void DemoServices::startRedis(const QString &address, int port, const QString &password)
{
    const QString server = QStringLiteral("Redis");
    if (address.isEmpty() || m_addresses.contains(address))
        return;
    m_addresses.insert(address, server);
    const QString redis = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (redis.isEmpty()) {
        emit failed(server, address,
                    tr("redis-server is not installed: install the redis-server package."));
        return;
    }
    QFile config(m_dir.filePath(QStringLiteral("redis-%1.conf").arg(address)));
    if (!config.open(QIODevice::WriteOnly)) {
        emit failed(server, address, config.errorString());
        return;
    }
    config.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    config.write("bind " + address.toUtf8() + "\nport " + QByteArray::number(port) +
                 "\nrequirepass " + password.toUtf8() + "\nsave \"\"\nappendonly no\ndir " +
                 m_dir.path().toUtf8() + '\n');
    config.close();
    QProcess *process = launch(server, address, redis, {config.fileName()});
    connect(process, &QProcess::started, this, [this, server, address] {
        qCInfo(lcDemoServices) << "Redis started on" << address;
        emit started(server, address);
    });
    watchExit(process, server, address);
}

void DemoServices::startPostgres(const QString &address, int port)
{
    const QString server = QStringLiteral("PostgreSQL");
    if (address.isEmpty() || m_addresses.contains(address))
        return;
    m_addresses.insert(address, server);
    const QString bin = postgresBinDir();
    if (bin.isEmpty()) {
        emit failed(server, address,
                    tr("PostgreSQL is not installed: install the postgresql package."));
        return;
    }
    if (::geteuid() == 0) {
        const passwd *user = ::getpwnam("postgres");
        if (user == nullptr) {
            emit failed(server, address,
                        tr("PostgreSQL refuses to run as root, and there is no postgres user."));
            return;
        }
        if (::chown(QFile::encodeName(m_dir.path()).constData(), user->pw_uid, user->pw_gid) != 0) {
            emit failed(server, address,
                        tr("The demo folder %1 cannot be given to postgres.").arg(m_dir.path()));
            return;
        }
    }
    const QString data = m_dir.filePath(QStringLiteral("pg-%1").arg(address));
    QString program;
    const QStringList initArguments =
        asPostgres(bin + QStringLiteral("initdb"),
                   {QStringLiteral("-D"), data, QStringLiteral("-A"), QStringLiteral("trust"),
                    QStringLiteral("--no-sync"), QStringLiteral("-U"), QStringLiteral("postgres")},
                   &program);
    QProcess *init = launch(server, address, program, initArguments);
    connect(
        init, &QProcess::finished, this,
        [this, init, server, address, port, bin, data](int code, QProcess::ExitStatus status) {
            if (status != QProcess::NormalExit || code != 0) {
                emit failed(
                    server, address,
                    tr("initdb failed: %1").arg(QString::fromLocal8Bit(init->readAll()).trimmed()));
                return;
            }
            QString postgres;
            const QStringList arguments =
                asPostgres(bin + QStringLiteral("postgres"),
                           {QStringLiteral("-D"), data, QStringLiteral("-c"),
                            QStringLiteral("listen_addresses=") + address, QStringLiteral("-p"),
                            QString::number(port), QStringLiteral("-k"), m_dir.path(),
                            QStringLiteral("-c"), QStringLiteral("fsync=off")},
                           &postgres);
            QProcess *process = launch(server, address, postgres, arguments);
            connect(process, &QProcess::started, this, [this, server, address] {
                qCInfo(lcDemoServices) << "PostgreSQL started on" << address;
                emit started(server, address);
            });
            watchExit(process, server, address);
        });
}

} // namespace rae::deploy
