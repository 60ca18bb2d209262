#include "proxmox/certificatetrust.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace rae::proxmox;

namespace {

// Two self-signed certificates made with openssl for this test only (no keys are kept): the
// first stands for a node's certificate, the second for a replacement on the same host.
const char kNodeCertificate[] = R"(
-----BEGIN CERTIFICATE-----
MIIDczCCAlugAwIBAgIUSE5NFJV2kVG7wYhBWmzx/PgCzM8wDQYJKoZIhvcNAQEL
BQAwNzEaMBgGA1UEAwwRcHZlMS5leGFtcGxlLnRlc3QxGTAXBgNVBAoMEFBWRSBD
bHVzdGVyIE5vZGUwHhcNMjYxMjAzMTYwMDI4WhcNMzYxMTMwMTYwMDI4WjA3MRow
GAYDVQQDDBFwdmUxLmV4YW1wbGUudGVzdDEZMBcGA1UECgwQUFZFIENsdXN0ZXIg
Tm9kZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMEUEwG9cmaz/+ZI
+OS12iXpZH6RCo51tL38aKdLDud8MH2Y32hhLFTDgihoBT1WvSn7hQiIbQgvtbae
vQAoe0EaIFPCDepv8FPG7oGzm1Yis0iwLyeT52PEUdl+tKAm+mwklHCY4WjrDpQB
JKLPK1VZoWaflD5uTqCTIvyonVNYQKxxCPX9vEUhnnhmMqz6NrcIulrk9qfodxn9
edb4ChnEBzdMviahK7oxUw+ULwhniAGYEwPDGbR2EJZZzZTQhY+Ycyl2yzptJZkK
U/f3nL0ZECqmmVMrTlnKsUsKThExujF9O7PGf9ckuCI9It9lxczlEWlCAxhWee6j
m7XsV/cCAwEAAaN3MHUwHQYDVR0OBBYEFJswcCnieGVo3hrGtNbHy2tv9nTSMB8G
A1UdIwQYMBaAFJswcCnieGVo3hrGtNbHy2tv9nTSMA8GA1UdEwEB/wQFMAMBAf8w
IgYDVR0RBBswGYIRcHZlMS5leGFtcGxlLnRlc3SHBMAAAgswDQYJKoZIhvcNAQEL
BQADggEBAFa+j+a2djWCCJnhcSu+wLEJ73mMXCI3n9FL9UBSeD+HJ2iW8tlSlEOf
a3cHMO4ODvLbR4oW39hy/G20uqZUVYT4OwY5nV/WnAC3YIh5tAsF1S2ypXJEF4x3
chXMkmJlqg+ruqJxUt2jNU3mhIRiOHEHzU7fcgU76uYZu906rqpM/xJqkXrD8ojM
T+dotlLP1axTum/13RwITxFlBpbllwWzhSzRBnknQwDeJkOI/z2HW/LHDDtZlXdB
X/ccc9WHrmm2R7FygaD0swnQxn/ssqHyxfEIwixfE/zDth9tl1dCHeEoKHL5+ikf
lax6gwV4hyqnnT9FEubIIfClWBTOS2o=
-----END CERTIFICATE-----
)";
const char kReplacementCertificate[] = R"(
-----BEGIN CERTIFICATE-----
MIIDGTCCAgGgAwIBAgIUCn1DdgTMnW8T/6K98FGBJ7HFr5EwDQYJKoZIhvcNAQEL
BQAwHDEaMBgGA1UEAwwRcHZlMS5leGFtcGxlLnRlc3QwHhcNMjYxMjAzMTYwMDI4
WhcNMzYxMTMwMTYwMDI4WjAcMRowGAYDVQQDDBFwdmUxLmV4YW1wbGUudGVzdDCC
ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAOE5cTIadvtkQIw/pEVI1uZ1
aMvmcbhB8mdPLd6lRReRH/mVhmx7iKvr5IG4L7y/UujhGrqoIphmq82tCxJ77U+K
ckgV7f9UeiHXLsD30E6tDmyPDGYpA1ZK9wtxDWJAWuhJo10eZRX18ERrbLTzixYM
qUrBLPCgEzqLbDVmxBHa06Ow68Bs4HKsT6WRBeAat3V4354SlJOl2XbPUX0aVhIi
JlWkOSKmOog2/b68IPctlB8sKpovx9HnfoRrTO0Wtod5xqqW+2V1jyNNHS7+QYvV
PJdK9dCefxK8N3ar+OMoeApr3kkwKz698L3zOofMjf/VAYC/gmXtJnkE5MbcIrsC
AwEAAaNTMFEwHQYDVR0OBBYEFIQidnQJbnx/yDBJknhDSVHbIIpJMB8GA1UdIwQY
MBaAFIQidnQJbnx/yDBJknhDSVHbIIpJMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI
hvcNAQELBQADggEBAC6cpg89/Cih84Hvbg/2GXgL6CKEBGdmNparmT2yMXqGSrsY
ygNEcJ+8KYCaJJyWtspnpTZEnAPlZUvBm6gkDw15U/TTo+uQ4jpXXtUg0APSLC77
Sr1omHFoekctHJlQ+hv2bRc/CxOAI6oMVijzSc8FFS1xLupJFE3SmhzKoJ0M/Dri
VI2FcapFvuFP/woFz9S3qRgZzo/jm1bevl1cJ+qEsHedRFDC5buj4r6aj4A4/fTy
yvPmuVK/JK83fdazk4lQ6Fay+urEJbhN8iAnLrRjHIvw6jPhnq5T3aljNP1+xYwT
vduAaxURd0RFIhN9LIthLH6jw8CRk8d4AbT4uSk=
-----END CERTIFICATE-----
)";

const QString kNodeFingerprint = QStringLiteral("1D:28:5C:79:4D:2A:B8:49:7E:23:BA:38:85:33:4B:6E:"
                                                "BC:2C:0D:A8:A6:DE:16:96:69:A8:88:B7:62:B9:74:B5");
const QString kReplacementFingerprint =
    QStringLiteral("D1:63:D5:41:9E:07:6F:89:FE:74:25:DF:B1:8A:7E:78:0E:6C:2B:BA:8D:51:88:22:AB:5B:"
                   "CC:1D:8A:9C:37:56");

QSslCertificate certificate(const char *pem)
{
    return QSslCertificate(QByteArray(pem), QSsl::Pem);
}

} // namespace

class TestCertificateTrust final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void fingerprintInProxmoxFormat();
    void normalize_data();
    void normalize();
    void facts();
    void pinsAreKeptPerCluster();
    void verdicts_data();
    void verdicts();
    void onlyTheApprovedErrorsAreIgnored();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
};

void TestCertificateTrust::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("pins.ini")),
                                             QSettings::IniFormat);
}

void TestCertificateTrust::cleanup()
{
    m_settings.reset();
    m_dir.reset();
}

void TestCertificateTrust::fingerprintInProxmoxFormat()
{
    const QSslCertificate node = certificate(kNodeCertificate);
    QVERIFY(!node.isNull());
    QCOMPARE(proxmoxFingerprint(node), kNodeFingerprint);
    QCOMPARE(proxmoxFingerprint(certificate(kReplacementCertificate)), kReplacementFingerprint);
}

void TestCertificateTrust::normalize_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("already canonical") << kNodeFingerprint << kNodeFingerprint;
    QTest::newRow("lower case with colons") << kNodeFingerprint.toLower() << kNodeFingerprint;
    QTest::newRow("bare hex") << QString(kNodeFingerprint).remove(QLatin1Char(':'))
                              << kNodeFingerprint;
    QTest::newRow("too short is rejected") << QStringLiteral("AA:BB") << QString();
    QTest::newRow("not hex is rejected")
        << QString(kNodeFingerprint).replace(0, 2, QStringLiteral("ZZ")) << QString();
}

void TestCertificateTrust::normalize()
{
    QFETCH(QString, input);
    QTEST(normalizeFingerprint(input), "expected");
}

void TestCertificateTrust::facts()
{
    const CertificateFacts facts = CertificateFacts::from(certificate(kNodeCertificate));
    QCOMPARE(facts.subject, QStringLiteral("pve1.example.test"));
    QVERIFY(facts.subjectAltNames.contains(QStringLiteral("pve1.example.test")));
    QVERIFY(facts.subjectAltNames.contains(QStringLiteral("192.0.2.11")));
    QVERIFY(facts.notBefore.isValid());
    QVERIFY(facts.notAfter > facts.notBefore);
    QCOMPARE(facts.fingerprint, kNodeFingerprint);
    QVERIFY(facts.selfSigned);
    QVERIFY(facts.toText().contains(kNodeFingerprint));
}

void TestCertificateTrust::pinsAreKeptPerCluster()
{
    PinStore prod(m_settings.get(), QStringLiteral("prod"));
    PinStore lab(m_settings.get(), QStringLiteral("lab"));
    prod.pin(QStringLiteral("pve1.example.test"), kNodeFingerprint.toLower());
    prod.pin(QStringLiteral("pve2"), kNodeFingerprint);
    QCOMPARE(prod.fingerprints(), QStringList{kNodeFingerprint});
    QCOMPARE(prod.pinnedFor(QStringLiteral("PVE1.example.test")), kNodeFingerprint);
    QVERIFY(prod.contains(kNodeFingerprint));
    QVERIFY(lab.fingerprints().isEmpty());
    QVERIFY(!lab.contains(kNodeFingerprint));

    prod.pin(QStringLiteral("2001:db8::1"), kReplacementFingerprint);
    QCOMPARE(prod.pinnedFor(QStringLiteral("2001:db8::1")), kReplacementFingerprint);
    prod.forgetHost(QStringLiteral("2001:db8::1"));
    QVERIFY(prod.pinnedFor(QStringLiteral("2001:db8::1")).isEmpty());
    prod.clear();
    QVERIFY(prod.fingerprints().isEmpty());
}

void TestCertificateTrust::verdicts_data()
{
    QTest::addColumn<QString>("pinnedHost"); // where a fingerprint is pinned, if anywhere
    QTest::addColumn<QString>("pinnedFingerprint");
    QTest::addColumn<QList<int>>("errors");
    QTest::addColumn<int>("verdict");

    using V = TrustDecision::Verdict;
    const QList<int> selfSigned{int(QSslError::SelfSignedCertificate),
                                int(QSslError::HostNameMismatch)};
    QTest::newRow("a certificate the system trusts needs nothing")
        << QString() << QString() << QList<int>{} << int(V::Accept);
    QTest::newRow("an unknown self-signed certificate is put to the user")
        << QString() << QString() << selfSigned << int(V::AskUser);
    QTest::newRow("a pinned certificate is accepted")
        << "pve1.example.test" << kNodeFingerprint << selfSigned << int(V::Accept);
    QTest::newRow("a certificate pinned from another node's entry is accepted")
        << "pve3" << kNodeFingerprint << selfSigned << int(V::Accept);
    QTest::newRow("a changed certificate on a pinned host is refused")
        << "pve1.example.test" << kReplacementFingerprint << selfSigned << int(V::RefuseChanged);
    QTest::newRow("an expired certificate is refused even when pinned")
        << "pve1.example.test" << kNodeFingerprint << QList<int>{int(QSslError::CertificateExpired)}
        << int(V::Refuse);
    QTest::newRow("a revoked certificate is refused")
        << QString() << QString() << QList<int>{int(QSslError::CertificateRevoked)}
        << int(V::Refuse);
}

void TestCertificateTrust::verdicts()
{
    QFETCH(QString, pinnedHost);
    QFETCH(QString, pinnedFingerprint);
    QFETCH(QList<int>, errors);
    QFETCH(int, verdict);

    PinStore pins(m_settings.get(), QStringLiteral("prod"));
    if (!pinnedHost.isEmpty())
        pins.pin(pinnedHost, pinnedFingerprint);

    const QSslCertificate leaf = certificate(kNodeCertificate);
    QList<QSslError> sslErrors;
    for (int error : errors)
        sslErrors << QSslError(QSslError::SslError(error), leaf);

    const TrustDecision decision =
        decideTrust(pins, QStringLiteral("pve1.example.test"), sslErrors, leaf);
    QCOMPARE(int(decision.verdict), verdict);
    QCOMPARE(decision.presented, kNodeFingerprint);
    if (decision.verdict == TrustDecision::Verdict::RefuseChanged)
        QCOMPARE(decision.pinned, kReplacementFingerprint);
    if (decision.verdict == TrustDecision::Verdict::Refuse)
        QVERIFY(!decision.reason.isEmpty());
}

void TestCertificateTrust::onlyTheApprovedErrorsAreIgnored()
{
    PinStore pins(m_settings.get(), QStringLiteral("prod"));
    pins.pin(QStringLiteral("pve1.example.test"), kNodeFingerprint);
    const QSslCertificate leaf = certificate(kNodeCertificate);
    const QList<QSslError> errors{QSslError(QSslError::SelfSignedCertificate, leaf)};
    const TrustDecision decision =
        decideTrust(pins, QStringLiteral("pve1.example.test"), errors, leaf);
    QCOMPARE(decision.toIgnore, errors);
}

QTEST_GUILESS_MAIN(TestCertificateTrust)
#include "tst_certificatetrust.moc"
