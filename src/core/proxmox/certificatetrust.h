#pragma once

#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>
#include <QStringList>

class QSettings;

namespace rae::proxmox {

// SHA-256 over the DER form, upper-case hex pairs joined by ':' — the form `GET /nodes` returns as
// `ssl_fingerprint` and every Proxmox tool shows.
QString proxmoxFingerprint(const QSslCertificate &certificate);

// "aa:bb..." or "AABB..." in any case -> the canonical form above; empty if it is not 32 bytes.
QString normalizeFingerprint(const QString &text);

// What a person needs to decide whether to trust a certificate.
struct CertificateFacts
{
    QString subject;
    QString issuer;
    QStringList subjectAltNames; // DNS names and IP addresses
    QDateTime notBefore;
    QDateTime notAfter;
    QString fingerprint;
    bool selfSigned = false;

    static CertificateFacts from(const QSslCertificate &certificate);
    QString toText() const; // several lines, translated labels
};

// The fingerprints approved for one cluster, in settings the caller provides (they are not
// secrets). Each is recorded under the host or node it was seen on, so that a certificate that
// changes on a known host is told apart from a new node. Not thread-safe; use from the thread
// that owns the QSettings.
class PinStore final
{
public:
    PinStore(QSettings *settings, const QString &cluster); // settings is not owned

    QString cluster() const { return m_cluster; }
    QStringList fingerprints() const;             // every approved fingerprint of the cluster
    QString pinnedFor(const QString &host) const; // empty when nothing is recorded
    bool contains(const QString &fingerprint) const;
    void pin(const QString &host, const QString &fingerprint);
    void forgetHost(const QString &host);
    void clear();

private:
    QString keyFor(const QString &host) const;

    QSettings *m_settings = nullptr;
    QString m_cluster;
};

// What to do with a TLS handshake whose chain the system CAs did not vouch for.
struct TrustDecision
{
    enum class Verdict
    {
        Accept,        // no errors, or the certificate is pinned: ignore exactly `toIgnore`
        AskUser,       // unknown certificate: hand CertificateFacts to the trust callback
        RefuseChanged, // the host's pinned certificate is not the one presented
        Refuse,        // an error that no approval can cover (revoked, expired, ...)
    };
    Verdict verdict = Verdict::Refuse;
    QList<QSslError> toIgnore;
    QString pinned;    // RefuseChanged: what we had
    QString presented; // the leaf's fingerprint
    QString reason;    // Refuse: the error that cannot be approved, for people
};

TrustDecision decideTrust(const PinStore &pins, const QString &host, const QList<QSslError> &errors,
                          const QSslCertificate &leaf);

} // namespace rae::proxmox
