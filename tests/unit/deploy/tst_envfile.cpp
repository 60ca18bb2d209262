#include "deploy/envfile.h"
#include "plan/planreader.h"

#include <QTest>

using namespace rae;

class TestEnvFile final : public QObject
{
    Q_OBJECT

private:
    plan::Plan reference() const
    {
        auto plan =
            plan::readPlanFile(QStringLiteral(RAE_SOURCE_DIR "/resources/plans/reference.yaml"));
        if (!plan.ok())
            qFatal("reference plan unreadable");
        return plan.value();
    }

private slots:
    void passwordsAreRandomAndUrlSafe()
    {
        const auto first = deploy::generatePassword();
        const auto second = deploy::generatePassword();
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(first->size(), 32); // 24 bytes, base64 without padding
        QVERIFY(*first != *second);
        for (QChar c : *first)
            QVERIFY(c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_'));
    }

    void passwordsOfAnyLength()
    {
        // Lengths that are not a multiple of the generator's 32-bit words come out whole.
        for (int bytes : {1, 5, 7, 33}) {
            const auto password = deploy::generatePassword(bytes);
            QVERIFY(password.ok());
            QCOMPARE(
                QByteArray::fromBase64(password->toLatin1(), QByteArray::Base64UrlEncoding |
                                                                 QByteArray::OmitTrailingEquals)
                    .size(),
                bytes);
        }
        const auto none = deploy::generatePassword(0);
        QVERIFY(!none.ok());
        QVERIFY(none.error().message.contains(QLatin1String("at least one")));
    }

    void environment_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("revealed");
        QTest::addColumn<QString>("masked");
        QTest::newRow("the database URL names the db VM and carries the password")
            << "DATABASE_URL"
            << "postgresql://rae_user:dbpw@10.20.0.11:5432/rae"
            << "postgresql://rae_user:********@10.20.0.11:5432/rae";
        QTest::newRow("Qdrant is the vector VM") << "QDRANT_HOST"
                                                 << "10.20.0.12"
                                                 << "10.20.0.12";
        QTest::newRow("Qdrant's REST port") << "QDRANT_PORT"
                                            << "6333"
                                            << "6333";
        QTest::newRow("Qdrant's URL") << "QDRANT_URL"
                                      << "http://10.20.0.12:6333"
                                      << "http://10.20.0.12:6333";
        QTest::newRow("Redis with its password and database")
            << "REDIS_URL"
            << "redis://:rpw@10.20.0.13:6379/0"
            << "redis://:********@10.20.0.13:6379/0";
        QTest::newRow("the LLM backend") << "RAE_LLM_BACKEND"
                                         << "ollama"
                                         << "ollama";
        QTest::newRow("Ollama on the LLM VM") << "OLLAMA_API_URL"
                                              << "http://10.20.0.31:11434"
                                              << "http://10.20.0.31:11434";
        QTest::newRow("the default model") << "RAE_LLM_MODEL_DEFAULT"
                                           << "llama3"
                                           << "llama3";
    }

    void environment()
    {
        QFETCH(QString, key);
        QFETCH(QString, revealed);
        QFETCH(QString, masked);
        const plan::Plan plan = reference();
        const auto entries = deploy::apiEnvironment(
            plan, deploy::plannedAddresses(plan), {QStringLiteral("dbpw"), QStringLiteral("rpw")});
        auto it = std::find_if(entries.cbegin(), entries.cend(),
                               [&](const deploy::EnvEntry &e) { return e.key == key; });
        QVERIFY2(it != entries.cend(), qPrintable(key));
        QCOMPARE(it->value, revealed);
        QCOMPARE(it->masked, masked);
    }

    void addressesTheVmsGotWin()
    {
        const plan::Plan plan = reference();
        deploy::ServiceAddresses got = deploy::plannedAddresses(plan);
        got.db = QStringLiteral("10.20.0.99");
        const auto entries =
            deploy::apiEnvironment(plan, got, {QStringLiteral("a"), QStringLiteral("b")});
        QVERIFY(entries.first().value.contains(QLatin1String("@10.20.0.99:")));
    }

    void exportedFileMasksUnlessAsked()
    {
        const plan::Plan plan = reference();
        const auto entries =
            deploy::apiEnvironment(plan, deploy::plannedAddresses(plan),
                                   {QStringLiteral("s3cr3t-db"), QStringLiteral("s3cr3t-redis")});
        const QByteArray masked = deploy::renderEnv(entries, deploy::SecretDisplay::Masked);
        QVERIFY(!masked.contains("s3cr3t"));
        QVERIFY(
            masked.contains("DATABASE_URL=postgresql://rae_user:********@10.20.0.11:5432/rae\n"));
        const QByteArray revealed = deploy::renderEnv(entries, deploy::SecretDisplay::Revealed);
        QVERIFY(revealed.contains("s3cr3t-db"));
        QVERIFY(revealed.contains("s3cr3t-redis"));
    }

    void valuesAShellWouldSplitAreQuoted()
    {
        const QByteArray text = deploy::renderEnv(
            {{QStringLiteral("X"), QStringLiteral("a b'c"), QStringLiteral("a b'c")}},
            deploy::SecretDisplay::Revealed);
        QVERIFY(text.endsWith("X='a b'\\''c'\n"));
    }
};

QTEST_GUILESS_MAIN(TestEnvFile)
#include "tst_envfile.moc"
