#include "secrets/credentialstore.h"

#include <QLoggingCategory>
#include <QTest>

#include <optional>

using namespace rae::secrets;
using namespace std::chrono_literals;

namespace {

// Captures every log line so the test can prove that no secret reaches a log.
QStringList g_logLines;
QtMessageHandler g_previousHandler = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_logLines << message;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

const QString kHostileSecret = QStringLiteral("pa+ss;word&x=1%20 Zażółć");

} // namespace

class TestCredentialStore final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void keysAreNamespacedPerCluster();
    void roundTripInTheKeychain();
    void missingSecretIsNotFound();
    void noKeychainIsReportedClearly();
    void sessionOnlyKeepsSecretsInMemory();
    void callbacksAreDroppedWithTheirContext();
    void secretsNeverReachTheLog();

private:
    template<typename T>
    std::optional<SecretResult<T>>
    waitFor(std::function<void(std::function<void(const SecretResult<T> &)>)> start);

    bool m_expectKeychain = false;
};

template<typename T>
std::optional<SecretResult<T>> TestCredentialStore::waitFor(
    std::function<void(std::function<void(const SecretResult<T> &)>)> start)
{
    std::optional<SecretResult<T>> outcome;
    start([&outcome](const SecretResult<T> &result) { outcome = result; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, 30000))
        return std::nullopt;
    return outcome;
}

void TestCredentialStore::initTestCase()
{
    m_expectKeychain = qEnvironmentVariableIntValue("RAE_EXPECT_KEYCHAIN") == 1;
    QLoggingCategory::setFilterRules(QStringLiteral("raedeploy.*=true"));
    g_previousHandler = qInstallMessageHandler(captureMessages);
}

void TestCredentialStore::keysAreNamespacedPerCluster()
{
    CredentialStore store;
    QCOMPARE(store.keyFor(QStringLiteral("prod"), QStringLiteral("deployer@pve!app")),
             QStringLiteral("cluster/prod/deployer@pve!app"));
    QVERIFY(store.keyFor(QStringLiteral("prod"), QStringLiteral("a")) !=
            store.keyFor(QStringLiteral("lab"), QStringLiteral("a")));
}

void TestCredentialStore::roundTripInTheKeychain()
{
    if (!m_expectKeychain)
        QSKIP("runs only with a keyring (tst_credentialstore)");

    CredentialStore store(QStringLiteral("rae-deploy-test"));
    store.setTimeout(20s);
    const auto written = waitFor<rae::Done>([&](auto done) {
        store.write(QStringLiteral("prod"), QStringLiteral("deployer@pve!app"), kHostileSecret,
                    this, done);
    });
    QVERIFY(written.has_value());
    QVERIFY2(written->ok(), qPrintable(written->ok() ? QString() : written->error().message));

    // Another cluster with the same account name does not see it.
    const auto other = waitFor<QString>([&](auto done) {
        store.read(QStringLiteral("lab"), QStringLiteral("deployer@pve!app"), this, done);
    });
    QVERIFY(other.has_value());
    QVERIFY(!other->ok());
    QCOMPARE(other->error().kind, SecretError::Kind::NotFound);

    const auto read = waitFor<QString>([&](auto done) {
        store.read(QStringLiteral("prod"), QStringLiteral("deployer@pve!app"), this, done);
    });
    QVERIFY(read.has_value());
    QVERIFY(read->ok());
    QCOMPARE(read->value(), kHostileSecret);

    const auto removed = waitFor<rae::Done>([&](auto done) {
        store.remove(QStringLiteral("prod"), QStringLiteral("deployer@pve!app"), this, done);
    });
    QVERIFY(removed.has_value() && removed->ok());

    const auto gone = waitFor<QString>([&](auto done) {
        store.read(QStringLiteral("prod"), QStringLiteral("deployer@pve!app"), this, done);
    });
    QVERIFY(gone.has_value() && !gone->ok());
    QCOMPARE(gone->error().kind, SecretError::Kind::NotFound);
}

void TestCredentialStore::missingSecretIsNotFound()
{
    if (!m_expectKeychain)
        QSKIP("runs only with a keyring (tst_credentialstore)");
    CredentialStore store(QStringLiteral("rae-deploy-test"));
    const auto read = waitFor<QString>([&](auto done) {
        store.read(QStringLiteral("nowhere"), QStringLiteral("nobody"), this, done);
    });
    QVERIFY(read.has_value() && !read->ok());
    QCOMPARE(read->error().kind, SecretError::Kind::NotFound);
    QVERIFY(!read->error().hint.isEmpty());
}

void TestCredentialStore::noKeychainIsReportedClearly()
{
    if (m_expectKeychain)
        QSKIP("runs only without a keychain service (tst_credentialstore_nokeychain)");

    CredentialStore store(QStringLiteral("rae-deploy-test"));
    store.setTimeout(10s);
    store.setRetryDelay(50ms);
    const auto written = waitFor<rae::Done>([&](auto done) {
        store.write(QStringLiteral("prod"), QStringLiteral("root@pam"), kHostileSecret, this, done);
    });
    QVERIFY(written.has_value());
    QVERIFY(!written->ok());
    // Either "no keychain" or a plain failure to reach it; never a silent success on disk.
    QVERIFY2(written->error().kind == SecretError::Kind::NoKeychain ||
                 written->error().kind == SecretError::Kind::Other,
             qPrintable(written->error().message));
    QVERIFY(!written->error().message.isEmpty());
    QVERIFY(!written->error().message.contains(kHostileSecret));
}

void TestCredentialStore::sessionOnlyKeepsSecretsInMemory()
{
    CredentialStore store(QStringLiteral("rae-deploy-test"));
    store.setSessionOnly(true);
    const auto written = waitFor<rae::Done>([&](auto done) {
        store.write(QStringLiteral("prod"), QStringLiteral("root@pam"), kHostileSecret, this, done);
    });
    QVERIFY(written.has_value() && written->ok());
    const auto read = waitFor<QString>([&](auto done) {
        store.read(QStringLiteral("prod"), QStringLiteral("root@pam"), this, done);
    });
    QVERIFY(read.has_value() && read->ok());
    QCOMPARE(read->value(), kHostileSecret);

    CredentialStore fresh(QStringLiteral("rae-deploy-test"));
    fresh.setSessionOnly(true);
    const auto elsewhere = waitFor<QString>([&](auto done) {
        fresh.read(QStringLiteral("prod"), QStringLiteral("root@pam"), this, done);
    });
    QVERIFY(elsewhere.has_value() && !elsewhere->ok());
    QCOMPARE(elsewhere->error().kind, SecretError::Kind::NotFound);
}

void TestCredentialStore::callbacksAreDroppedWithTheirContext()
{
    CredentialStore store;
    store.setSessionOnly(true);
    bool called = false;
    {
        QObject context;
        store.read(QStringLiteral("prod"), QStringLiteral("x"), &context,
                   [&called](const SecretResult<QString> &) { called = true; });
    }
    QTest::qWait(20);
    QVERIFY(!called);
}

void TestCredentialStore::secretsNeverReachTheLog()
{
    for (const QString &line : std::as_const(g_logLines))
        QVERIFY2(!line.contains(kHostileSecret), qPrintable(line));
}

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
