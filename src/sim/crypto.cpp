#include "crypto.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <QFile>

#include <memory>

namespace rae::sim {

namespace {

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<qsizetype>(size));
}

QString nameText(const X509_NAME *name)
{
    Bio bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
    return QString::fromUtf8(bioBytes(bio.get()));
}

long long asn1Time(const ASN1_TIME *time)
{
    struct tm parts = {};
    if (ASN1_TIME_to_tm(time, &parts) != 1)
        return 0;
    return static_cast<long long>(timegm(&parts));
}

Result<Certificate> describe(X509 *cert, EVP_PKEY *key)
{
    Certificate out;
    Bio certBio(BIO_new(BIO_s_mem()));
    Bio keyBio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(certBio.get(), cert) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return Error{QStringLiteral("cannot encode the certificate as PEM"), {}, {}};
    out.certPem = bioBytes(certBio.get());
    out.keyPem = bioBytes(keyBio.get());

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(cert, EVP_sha256(), digest, &length);
    QStringList pairs;
    for (unsigned int i = 0; i < length; ++i)
        pairs << QStringLiteral("%1").arg(digest[i], 2, 16, QLatin1Char('0')).toUpper();
    out.fingerprint = pairs.join(QLatin1Char(':'));

    out.subject = nameText(X509_get_subject_name(cert));
    out.issuer = nameText(X509_get_issuer_name(cert));
    out.notBefore = asn1Time(X509_get0_notBefore(cert));
    out.notAfter = asn1Time(X509_get0_notAfter(cert));

    auto *names = static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            const auto *text = ASN1_STRING_get0_data(name->d.dNSName);
            out.san << QString::fromLatin1(reinterpret_cast<const char *>(text),
                                           ASN1_STRING_length(name->d.dNSName));
        } else if (name->type == GEN_IPADD && ASN1_STRING_length(name->d.iPAddress) == 4) {
            const unsigned char *ip = ASN1_STRING_get0_data(name->d.iPAddress);
            out.san << QStringLiteral("%1.%2.%3.%4").arg(ip[0]).arg(ip[1]).arg(ip[2]).arg(ip[3]);
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

} // namespace

Result<Certificate> makeSelfSignedCertificate(const QString &commonName,
                                              const QStringList &dnsNames,
                                              const QStringList &addresses, KeyKind kind)
{
    PKey key(kind == KeyKind::Rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
    if (!key)
        return Error{QStringLiteral("cannot generate a key for the certificate"), {}, {}};

    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    const QByteArray serial = randomBytes(4);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()),
                     static_cast<long>(serial.toHex().toULong(nullptr, 16) & 0x7fffffffUL));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());

    X509_NAME *name = X509_get_subject_name(cert.get());
    const QByteArray cn = commonName.toUtf8();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>("rae-pve-sim"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);

    QStringList entries;
    for (const QString &dns : dnsNames)
        entries << QStringLiteral("DNS:") + dns;
    for (const QString &address : addresses)
        entries << QStringLiteral("IP:") + address;
    const QByteArray sanText = entries.join(QLatin1Char(',')).toUtf8();
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION *san =
        X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, sanText.constData());
    if (!san)
        return Error{QStringLiteral("cannot build the subject alternative names"), {}, {}};
    X509_add_ext(cert.get(), san, -1);
    X509_EXTENSION_free(san);

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return Error{QStringLiteral("cannot sign the certificate"), {}, {}};
    return describe(cert.get(), key.get());
}

Result<Certificate> loadCertificate(const QString &certPath, const QString &keyPath)
{
    QFile certFile(certPath);
    QFile keyFile(keyPath);
    if (!certFile.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read the certificate: %1").arg(certFile.errorString()),
                     {},
                     certPath};
    if (!keyFile.open(QIODevice::ReadOnly))
        return Error{
            QStringLiteral("cannot read the key: %1").arg(keyFile.errorString()), {}, keyPath};
    const QByteArray certPem = certFile.readAll();
    const QByteArray keyPem = keyFile.readAll();
    Bio certBio(BIO_new_mem_buf(certPem.constData(), static_cast<int>(certPem.size())));
    Bio keyBio(BIO_new_mem_buf(keyPem.constData(), static_cast<int>(keyPem.size())));
    Cert cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    PKey key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        return Error{QStringLiteral("not a PEM certificate"), {}, certPath};
    if (!key)
        return Error{QStringLiteral("not a PEM private key (or it has a passphrase)"), {}, keyPath};
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        return Error{QStringLiteral("the key does not belong to the certificate"), {}, keyPath};
    return describe(cert.get(), key.get());
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.constData(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char *>(data.constData()),
         static_cast<size_t>(data.size()), out, &length);
    return QByteArray(reinterpret_cast<const char *>(out), static_cast<qsizetype>(length));
}

QByteArray randomBytes(int count)
{
    QByteArray out(count, '\0');
    RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count);
    return out;
}

QString randomUuid()
{
    QByteArray bytes = randomBytes(16);
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
    const QString hex = QString::fromLatin1(bytes.toHex());
    return hex.mid(0, 8) + QLatin1Char('-') + hex.mid(8, 4) + QLatin1Char('-') + hex.mid(12, 4) +
           QLatin1Char('-') + hex.mid(16, 4) + QLatin1Char('-') + hex.mid(20, 12);
}

Result<QString> totpCode(const QString &base32Secret, long long unixTime, int digits, int step)
{
    // RFC 4648 base32 without padding; OpenSSL has no base32 codec.
    static const QString alphabet = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    QByteArray secret;
    unsigned int buffer = 0;
    int bits = 0;
    for (const QChar c : base32Secret.toUpper()) {
        if (c == QLatin1Char('=') || c.isSpace())
            continue;
        const qsizetype value = alphabet.indexOf(c);
        if (value < 0)
            return Error{QStringLiteral("the TOTP secret is not base32"), {}, {}};
        buffer = (buffer << 5) | static_cast<unsigned int>(value);
        bits += 5;
        if (bits >= 8) {
            secret.append(static_cast<char>((buffer >> (bits - 8)) & 0xff));
            bits -= 8;
        }
    }

    const unsigned long long counter = static_cast<unsigned long long>(unixTime / step);
    unsigned char message[8];
    for (int i = 7; i >= 0; --i)
        message[i] = static_cast<unsigned char>((counter >> (8 * (7 - i))) & 0xff);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha1(), secret.constData(), static_cast<int>(secret.size()), message, sizeof message,
         mac, &length);
    const int offset = mac[length - 1] & 0x0f;
    const unsigned int binary = ((mac[offset] & 0x7fu) << 24) | (mac[offset + 1] << 16) |
                                (mac[offset + 2] << 8) | mac[offset + 3];
    unsigned int modulo = 1;
    for (int i = 0; i < digits; ++i)
        modulo *= 10;
    return QStringLiteral("%1").arg(binary % modulo, digits, 10, QLatin1Char('0'));
}

} // namespace rae::sim
