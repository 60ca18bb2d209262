#include "deploy/provisioning.h"
#include "deploy/scriptexport.h"
#include "deploy/servicesecrets.h"
#include "plan/planreader.h"
#include "secrets/credentialstore.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <optional>

using namespace rae;
using namespace rae::deploy;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

} // namespace

class TestScriptExport final : public QObject
{
    Q_OBJECT

private:
    plan::Plan m_plan;

    QStringList expectedFiles() const
    {
        QStringList names;
        for (const plan::Vm &vm : m_plan.vms) {
            names << vm.name + QStringLiteral(".sh");
            if (vm.role == plan::Role::Api)
                names << vm.name + QStringLiteral(".env");
        }
        return names;
    }

private slots:
    void initTestCase()
    {
        auto plan =
            plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
        QVERIFY(plan.ok());
        m_plan = plan.value();
    }

    void everyVmsFilesAreWrittenWithMode0644()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString dir = temp.filePath(QStringLiteral("not/yet/there"));
        QStringList written;
        const Status status = exportScripts(m_plan, dir, {}, &written);
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().toString()));

        QStringList expected;
        for (const QString &name : expectedFiles())
            expected << QDir(dir).filePath(name);
        QCOMPARE(written, expected);
        QCOMPARE(QDir(dir).entryList(QDir::Files, QDir::Name).size(), expected.size());
        QCOMPARE(expected.size(), 9); // 7 VMs, 2 of them API VMs
        for (const QString &path : std::as_const(written))
            QCOMPARE(modeOf(path), 0644);

        const plan::Vm *db = m_plan.vm(QStringLiteral("rae-db"));
        QVERIFY(db != nullptr);
        QCOMPARE(readAll(QDir(dir).filePath(QStringLiteral("rae-db.sh"))),
                 provisioningScript(m_plan, *db, plannedAddresses(m_plan)));
    }

    void anExistingFileIsReplaced()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString path = temp.filePath(QStringLiteral("rae-db.sh"));
        {
            QFile old(path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("echo an older script that is much longer than nothing at all\n");
        }
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));

        QVERIFY(exportScripts(m_plan, temp.path(), QStringLiteral("rae-db")).ok());
        QVERIFY(readAll(path).startsWith("#!/usr/bin/env bash\n"));
        QVERIFY(!readAll(path).contains("an older script"));
        QCOMPARE(modeOf(path), 0644);
        QCOMPARE(QDir(temp.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("rae-db.sh")});
    }

    void oneApiVmGetsItsScriptAndItsEnv()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        QStringList written;
        QVERIFY(exportScripts(m_plan, temp.path(), QStringLiteral("rae-api-2"), &written).ok());
        QCOMPARE(written, (QStringList{temp.filePath(QStringLiteral("rae-api-2.sh")),
                                       temp.filePath(QStringLiteral("rae-api-2.env"))}));
        const QByteArray env = readAll(written.at(1));
        QVERIFY2(env.contains("DATABASE_URL=postgresql://rae_user:********@10.20.0.11:5432/rae"),
                 env.constData());
        QVERIFY2(env.contains("REDIS_URL=redis://:********@10.20.0.13:"), env.constData());
        QVERIFY2(env.startsWith("# "), env.constData());
        QVERIFY(env.contains("planned"));
        QVERIFY(env.contains("DHCP"));
    }

    void anUnknownVmIsAnErrorNamingThePlansVms()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString dir = temp.filePath(QStringLiteral("out"));
        QStringList written;
        const Status status = exportScripts(m_plan, dir, QStringLiteral("rae-nope"), &written);
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.contains(QStringLiteral("rae-nope")));
        for (const plan::Vm &vm : m_plan.vms)
            QVERIFY2(status.error().hint.contains(vm.name), qPrintable(status.error().hint));
        QVERIFY(written.isEmpty());
        QVERIFY(!QFileInfo::exists(dir));
    }

    void aFolderThatCannotBeMadeIsAnError()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString file = temp.filePath(QStringLiteral("a-file"));
        {
            QFile plain(file);
            QVERIFY(plain.open(QIODevice::WriteOnly));
        }
        const Status status = exportScripts(m_plan, file + QStringLiteral("/sub"));
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.contains(file));
        QVERIFY(!status.error().hint.isEmpty());
    }

    void theHeadingNamesVmNodeRoleAndPath()
    {
        const plan::Vm *db = m_plan.vm(QStringLiteral("rae-db"));
        QVERIFY(db != nullptr);
        QCOMPARE(scriptHeading(*db, QString::fromLatin1(kGuestScriptPath)),
                 QStringLiteral("# rae-db (101) on pve1, role database: /root/rae-provision.sh"));
    }

    void noSecretReachesAnExportedFile()
    {
        // The real passwords, as an apply would get them, in a store that writes nothing.
        secrets::CredentialStore store;
        store.setSessionOnly(true);
        std::optional<Result<ServiceSecrets>> secrets;
        ensureServiceSecrets(
            &store, m_plan, this,
            [&secrets](const Result<ServiceSecrets> &result) { secrets = result; });
        QTRY_VERIFY_WITH_TIMEOUT(secrets.has_value(), 5000);
        QVERIFY(secrets->ok());
        const ServiceSecrets real = secrets->value();
        QVERIFY(!real.databasePassword.isEmpty() && !real.redisPassword.isEmpty());

        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        QStringList written;
        QVERIFY(exportScripts(m_plan, temp.path(), {}, &written).ok());
        // A literal value after PASSWORD= (a variable reference is fine).
        const QRegularExpression literalPassword(QStringLiteral("PASSWORD=[^$\\s'\"]"));
        const QRegularExpression urlPassword(QStringLiteral("://[^/\\s]*:([^@\\s]+)@"));
        for (const QString &path : std::as_const(written)) {
            const QString text = QString::fromUtf8(readAll(path));
            // Checked without printing the file: a failure must not show a secret.
            QVERIFY2(!text.contains(real.databasePassword), qPrintable(path));
            QVERIFY2(!text.contains(real.redisPassword), qPrintable(path));
            QVERIFY2(!literalPassword.match(text).hasMatch(), qPrintable(path));
            auto urls = urlPassword.globalMatch(text);
            while (urls.hasNext())
                QCOMPARE(urls.next().captured(1), QStringLiteral("********"));
        }
    }

    void everyWrittenScriptPassesShellcheck()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        QStringList written;
        QVERIFY(exportScripts(m_plan, temp.path(), {}, &written).ok());
        const QStringList scripts = written.filter(QRegularExpression(QStringLiteral("\\.sh$")));
        QCOMPARE(scripts.size(), m_plan.vms.size());
        for (const QString &script : scripts) {
            QProcess bash;
            bash.setProcessChannelMode(QProcess::MergedChannels);
            bash.start(QStringLiteral("bash"), {QStringLiteral("-n"), script});
            QVERIFY(bash.waitForFinished(30000));
            QVERIFY2(bash.exitCode() == 0, bash.readAll().constData());
        }
        if (QStandardPaths::findExecutable(QStringLiteral("shellcheck")).isEmpty())
            QSKIP("shellcheck is not installed");
        QProcess check;
        check.setProcessChannelMode(QProcess::MergedChannels);
        check.start(QStringLiteral("shellcheck"),
                    QStringList{QStringLiteral("-s"), QStringLiteral("bash")} + scripts);
        QVERIFY(check.waitForFinished(60000));
        QVERIFY2(check.exitStatus() == QProcess::NormalExit && check.exitCode() == 0,
                 check.readAll().constData());
    }
};

QTEST_GUILESS_MAIN(TestScriptExport)
#include "tst_scriptexport.moc"
