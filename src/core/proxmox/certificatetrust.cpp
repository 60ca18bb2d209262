#include "proxmox/certificatetrust.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QSettings>
#include <QSslCertificateExtension>
#include <QUrl>

namespace rae::proxmox {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::proxmox::CertificateTrust)
};

QString colonHex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex(':').toUpper());
}

// The errors a self-signed or privately issued Proxmox certificate produces. Pinning by
// fingerprint replaces exactly these checks; anything else (expiry, revocation, a broken
// signature) stays fatal.
bool isCoverableByPin(QSslError::SslError error)
{
    switch (error) {
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::HostNameMismatch:
        return true;
    default:
        return false;
    }
}

} // namespace

QString proxmoxFingerprint(const QSslCertificate &certificate)
{
    return colonHex(certificate.digest(QCryptographicHash::Sha256));
}

QString normalizeFingerprint(const QString &text)
{
    QString hex = text.trimmed();
    hex.remove(QLatin1Char(':'));
    const QByteArray bytes = QByteArray::fromHex(hex.toLatin1());
    if (bytes.size() != 32 || bytes.toHex().size() != hex.size())
        return {};
    return colonHex(bytes);
}

CertificateFacts CertificateFacts::from(const QSslCertificate &certificate)
{
    CertificateFacts facts;
    facts.subject = certificate.subjectDisplayName();
    facts.issuer = certificate.issuerDisplayName();
    const auto names = certificate.subjectAlternativeNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        facts.subjectAltNames << it.value();
    facts.notBefore = certificate.effectiveDate();
    facts.notAfter = certificate.expiryDate();
    facts.fingerprint = proxmoxFingerprint(certificate);
    facts.selfSigned = certificate.isSelfSigned();
    return facts;
}

QString CertificateFacts::toText() const
{
    return Tr::tr("Subject: %1\nIssuer: %2\nNames: %3\nValid from %4 to %5\nSHA-256: %6")
        .arg(subject, issuer, subjectAltNames.join(QStringLiteral(", ")),
             notBefore.toString(Qt::ISODate), notAfter.toString(Qt::ISODate), fingerprint);
}

PinStore::PinStore(QSettings *settings, const QString &cluster)
    : m_settings(settings)
    , m_cluster(cluster)
{}

QString PinStore::keyFor(const QString &host) const
{
    // Hosts may be IPv6 literals; group and key names must not contain '/' or odd characters.
    return QStringLiteral("clusters/%1/pins/%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_cluster)),
             QString::fromLatin1(QUrl::toPercentEncoding(host.toLower())));
}

QStringList PinStore::fingerprints() const
{
    QStringList result;
    m_settings->beginGroup(QStringLiteral("clusters/%1/pins")
                               .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_cluster))));
    for (const QString &key : m_settings->childKeys()) {
        const QString fingerprint = m_settings->value(key).toString();
        if (!result.contains(fingerprint))
            result << fingerprint;
    }
    m_settings->endGroup();
    return result;
}

QString PinStore::pinnedFor(const QString &host) const
{
    return m_settings->value(keyFor(host)).toString();
}

bool PinStore::contains(const QString &fingerprint) const
{
    const QString wanted = normalizeFingerprint(fingerprint);
    return !wanted.isEmpty() && fingerprints().contains(wanted);
}

void PinStore::pin(const QString &host, const QString &fingerprint)
{
    const QString canonical = normalizeFingerprint(fingerprint);
    if (canonical.isEmpty() || host.isEmpty())
        return;
    m_settings->setValue(keyFor(host), canonical);
}

void PinStore::forgetHost(const QString &host)
{
    m_settings->remove(keyFor(host));
}

void PinStore::clear()
{
    m_settings->remove(QStringLiteral("clusters/%1/pins")
                           .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_cluster))));
}

TrustDecision decideTrust(const PinStore &pins, const QString &host, const QList<QSslError> &errors,
                          const QSslCertificate &leaf)
{
    TrustDecision decision;
    decision.presented = proxmoxFingerprint(leaf);
    if (errors.isEmpty()) {
        decision.verdict = TrustDecision::Verdict::Accept;
        return decision;
    }

    for (const QSslError &error : errors) {
        if (!isCoverableByPin(error.error())) {
            decision.verdict = TrustDecision::Verdict::Refuse;
            decision.reason = error.errorString();
            return decision;
        }
    }

    if (pins.contains(decision.presented)) {
        decision.verdict = TrustDecision::Verdict::Accept;
        decision.toIgnore = errors;
        return decision;
    }

    decision.pinned = pins.pinnedFor(host);
    decision.verdict = decision.pinned.isEmpty() ? TrustDecision::Verdict::AskUser
                                                 : TrustDecision::Verdict::RefuseChanged;
    return decision;
}

} // namespace rae::proxmox
