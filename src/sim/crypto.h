#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace rae::sim {

// A certificate with its key, as PEM, and what Proxmox reports about it.
struct Certificate
{
    QByteArray certPem;
    QByteArray keyPem;
    QString fingerprint; // SHA-256 over DER, "AA:BB:..." as Proxmox prints it
    QString subject;
    QString issuer;
    QStringList san;
    long long notBefore = 0;
    long long notAfter = 0;
};

// RSA for the served certificate (what pveproxy uses); EC for the other nodes' certificates,
// which are only ever shown, because RSA key generation for 32 nodes would slow the start.
enum class KeyKind
{
    Rsa2048,
    EcP256
};

Result<Certificate> makeSelfSignedCertificate(const QString &commonName,
                                              const QStringList &dnsNames,
                                              const QStringList &addresses, KeyKind kind);
Result<Certificate> loadCertificate(const QString &certPath, const QString &keyPath);

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
QByteArray randomBytes(int count);
QString randomUuid();

// RFC 6238 TOTP over a base32 secret (what Proxmox's TOTP entries store).
Result<QString> totpCode(const QString &base32Secret, long long unixTime, int digits = 6,
                         int step = 30);

} // namespace rae::sim
