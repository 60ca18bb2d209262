#include "deploy/provisioning.h"
#include "plan/planreader.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QTest>

using namespace rae;
using namespace rae::deploy;

class TestProvisioning final : public QObject
{
    Q_OBJECT

private:
    plan::Plan m_plan;

    QByteArray scriptOf(const QString &name) const
    {
        const plan::Vm *vm = m_plan.vm(name);
        return vm ? provisioningScript(m_plan, *vm, plannedAddresses(m_plan)) : QByteArray();
    }

    static QPair<int, QByteArray> run(const QString &program, const QStringList &arguments,
                                      const QByteArray &script)
    {
        QTemporaryFile file;
        if (!file.open())
            return {-1, "cannot write a temporary file"};
        file.write(script);
        file.flush();
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments + QStringList{file.fileName()});
        process.waitForFinished(30000);
        return {process.exitCode(), process.readAll()};
    }

private slots:
    void initTestCase()
    {
        auto plan =
            plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
        QVERIFY(plan.ok());
        m_plan = plan.value();
    }

    void scripts_data()
    {
        QTest::addColumn<QString>("vm");
        QTest::addColumn<QString>("mustContain");
        QTest::newRow("the database lets only the API VMs in")
            << "rae-db"
            << "hostssl rae rae_user 10.20.0.22/32 scram-sha-256";
        QTest::newRow("the database has pgvector") << "rae-db"
                                                   << "CREATE EXTENSION IF NOT EXISTS vector";
        QTest::newRow("the database dumps nightly") << "rae-db"
                                                    << "rae-pg-dump.timer";
        QTest::newRow("Qdrant listens on the internal address only") << "rae-vector"
                                                                     << "-p 10.20.0.12:6333:6333";
        QTest::newRow("Redis is bound and has a password") << "rae-redis"
                                                           << "bind 10.20.0.13";
        QTest::newRow("the API starts with its .env") << "rae-api-1"
                                                      << "docker-compose up -d";
        QTest::newRow("Ollama pulls the plan's models") << "rae-llm"
                                                        << "ollama pull 'mistral'";
        QTest::newRow("the gateway proxies to both replicas")
            << "rae-gateway"
            << "server 10.20.0.21:8000;\n  server 10.20.0.22:8000;";
        QTest::newRow("the gateway's certificate names its host") << "rae-gateway"
                                                                  << "-subj '/CN=rae.example.org'";
    }

    void scripts()
    {
        QFETCH(QString, vm);
        QFETCH(QString, mustContain);
        const QByteArray script = scriptOf(vm);
        QVERIFY2(script.contains(mustContain.toUtf8()), script.constData());
    }

    void everyScriptPassesBashAndShellcheck_data()
    {
        QTest::addColumn<QString>("vm");
        for (const plan::Vm &vm : m_plan.vms)
            QTest::newRow(qPrintable(vm.name)) << vm.name;
    }

    void everyScriptPassesBashAndShellcheck()
    {
        QFETCH(QString, vm);
        const QByteArray script = scriptOf(vm);
        const auto bash = run(QStringLiteral("bash"), {QStringLiteral("-n")}, script);
        QVERIFY2(bash.first == 0, bash.second.constData());
        if (QStandardPaths::findExecutable(QStringLiteral("shellcheck")).isEmpty())
            QSKIP("shellcheck is not installed");
        const auto check = run(QStringLiteral("shellcheck"),
                               {QStringLiteral("-s"), QStringLiteral("bash")}, script);
        QVERIFY2(check.first == 0, check.second.constData());
    }

    void scriptsCarryNoSecret()
    {
        const ServiceSecrets secrets{QStringLiteral("db-SECRET"), QStringLiteral("redis-SECRET")};
        for (const plan::Vm &vm : m_plan.vms) {
            QVERIFY(!provisioningScript(m_plan, vm, plannedAddresses(m_plan)).contains("SECRET"));
        }
        QVERIFY(guestSecrets(*m_plan.vm(QStringLiteral("rae-db")), secrets).contains("db-SECRET"));
        QVERIFY(guestSecrets(*m_plan.vm(QStringLiteral("rae-api-1")), secrets).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestProvisioning)
#include "tst_provisioning.moc"
