#include "demoservices.h"

#include "common/childprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QStandardPaths>

#include <csignal>
#include <optional>
#include <pwd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDemoServices, "raedeploy.deploy.demoservices")

namespace rae::deploy {

namespace {

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

// PostgreSQL refuses to run as root: as root, it runs as the postgres user the package makes.
std::optional<ChildUser> postgresUser()
{
    const passwd *user = ::getpwnam("postgres");
    if (user == nullptr)
        return std::nullopt;
    return ChildUser{user->pw_uid, user->pw_gid};
}

} // namespace

DemoServices::DemoServices(QObject *parent)
    : QObject(parent)
{}

DemoServices::~DemoServices()
{
    // All are asked at once, then waited for together: Redis exits on SIGTERM, PostgreSQL
    // shuts down fast on SIGINT (SIGTERM would wait for its clients). A server that hangs is
    // killed.
    for (const Server &server : m_servers) {
        server.process->disconnect(this);
        if (server.process->state() == QProcess::NotRunning)
            continue;
        if (server.fastShutdownOnSigint)
            ::kill(static_cast<pid_t>(server.process->processId()), SIGINT);
        else
            server.process->terminate();
    }
    const QDeadlineTimer deadline(3000);
    for (const Server &server : m_servers) {
        if (server.process->state() != QProcess::NotRunning &&
            !server.process->waitForFinished(int(std::max<qint64>(0, deadline.remainingTime()))))
            server.process->kill();
    }
    for (const Server &server : m_servers)
        server.process->waitForFinished(500);
}

void DemoServices::fail(const QString &server, const QString &address, const QString &message)
{
    m_addresses.remove(address); // may be asked again
    emit failed(server, address, message);
}

QProcess *DemoServices::launch(const QString &server, const QString &address,
                               const QString &program, const QStringList &arguments,
                               bool asPostgres, bool isPostgres)
{
    Server entry;
    entry.process = std::make_unique<QProcess>();
    entry.fastShutdownOnSigint = isPostgres;
    QProcess *process = entry.process.get();
    m_servers.push_back(std::move(entry));
    process->setProcessChannelMode(QProcess::MergedChannels);
    connect(process, &QProcess::errorOccurred, this,
            [this, process, server, address](QProcess::ProcessError error) {
                if (error == QProcess::FailedToStart)
                    fail(server, address,
                         tr("%1 did not start: %2").arg(server, process->errorString()));
            });
    const std::optional<ChildUser> user =
        asPostgres && ::geteuid() == 0 ? postgresUser() : std::nullopt;
    stopWithParent(*process, user ? &*user : nullptr);
    process->start(program, arguments);
    return process;
}

void DemoServices::watchExit(QProcess *process, const QString &server, const QString &address)
{
    // A server exits early when its address or port is taken, or its configuration is wrong.
    connect(process, &QProcess::finished, this,
            [this, process, server, address](int exitCode, QProcess::ExitStatus) {
                fail(server, address,
                     tr("%1 on %2 exited with code %3: %4")
                         .arg(server, address)
                         .arg(exitCode)
                         .arg(QString::fromLocal8Bit(process->readAll()).trimmed().right(400)));
            });
}

void DemoServices::startRedis(const QString &address, int port, const QString &password)
{
    const QString server = QStringLiteral("Redis");
    if (address.isEmpty() || m_addresses.contains(address))
        return;
    m_addresses.insert(address, server);
    const QString redis = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (redis.isEmpty()) {
        fail(server, address,
             tr("redis-server is not installed: install the redis-server package."));
        return;
    }
    // `redis-server -` reads its configuration from standard input: the password never touches
    // the disk or a command line.
    const QByteArray config = "bind " + address.toUtf8() + "\nport " + QByteArray::number(port) +
                              "\nrequirepass " + password.toUtf8() +
                              "\nsave \"\"\nappendonly no\ndir " + m_dir.path().toUtf8() + '\n';
    QProcess *process = launch(server, address, redis, {QStringLiteral("-")}, false, false);
    connect(process, &QProcess::started, this, [this, process, config, server, address] {
        process->write(config);
        process->closeWriteChannel();
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
        fail(server, address, tr("PostgreSQL is not installed: install the postgresql package."));
        return;
    }
    // Each server has a data folder of its own, given to postgres when running as root; the
    // demo's folder lets postgres through to it but not read the rest.
    const QString data = m_dir.filePath(QStringLiteral("pg-%1").arg(address));
    if (::geteuid() == 0) {
        const std::optional<ChildUser> user = postgresUser();
        if (!user) {
            fail(server, address,
                 tr("PostgreSQL refuses to run as root, and there is no postgres user: install "
                    "the postgresql package."));
            return;
        }
        if (!QDir().mkpath(data) ||
            ::chown(QFile::encodeName(data).constData(), user->uid, user->gid) != 0 ||
            !QFile::setPermissions(m_dir.path(), QFile::ReadOwner | QFile::WriteOwner |
                                                     QFile::ExeOwner | QFile::ExeGroup |
                                                     QFile::ExeOther)) {
            fail(server, address, tr("The demo folder %1 cannot be given to postgres.").arg(data));
            return;
        }
    }
    QProcess *init =
        launch(server, address, bin + QStringLiteral("initdb"),
               {QStringLiteral("-D"), data, QStringLiteral("-A"), QStringLiteral("trust"),
                QStringLiteral("--no-sync"), QStringLiteral("-U"), QStringLiteral("postgres")},
               true, false);
    connect(init, &QProcess::finished, this,
            [this, init, server, address, port, bin, data](int code, QProcess::ExitStatus status) {
                if (status != QProcess::NormalExit || code != 0) {
                    fail(server, address,
                         tr("initdb failed: %1")
                             .arg(QString::fromLocal8Bit(init->readAll()).trimmed().right(400)));
                    return;
                }
                // TCP only: no Unix socket, so servers of several database VMs do not share
                // a socket folder.
                QProcess *process =
                    launch(server, address, bin + QStringLiteral("postgres"),
                           {QStringLiteral("-D"), data, QStringLiteral("-c"),
                            QStringLiteral("listen_addresses=") + address, QStringLiteral("-p"),
                            QString::number(port), QStringLiteral("-c"),
                            QStringLiteral("unix_socket_directories="), QStringLiteral("-c"),
                            QStringLiteral("fsync=off")},
                           true, true);
                connect(process, &QProcess::started, this, [this, server, address] {
                    qCInfo(lcDemoServices) << "PostgreSQL started on" << address;
                    emit started(server, address);
                });
                watchExit(process, server, address);
            });
}

} // namespace rae::deploy
