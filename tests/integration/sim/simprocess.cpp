#include "simprocess.h"

#include "common/childprocess.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>

SimProcess::~SimProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
    }
}

bool SimProcess::start(const QString &scenario, const QStringList &extra)
{
    QStringList arguments{QStringLiteral("--scenario"), scenario, QStringLiteral("--port"),
                          QStringLiteral("0")};
    arguments << extra;
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // A test killed at its time-out must not leave the simulator holding its address block.
    rae::stopWithParent(m_process);
    m_process.start(QStringLiteral(RAE_SIM_EXECUTABLE), arguments);
    QElapsedTimer timer;
    timer.start();
    while (!m_info.contains(QStringLiteral("ready")) && timer.elapsed() < 20000) {
        if (!m_process.waitForReadyRead(1000) && m_process.state() == QProcess::NotRunning)
            return false;
        while (m_process.canReadLine()) {
            const QString line = QString::fromUtf8(m_process.readLine()).trimmed();
            m_info.insert(line.section(QStringLiteral(": "), 0, 0),
                          line.section(QStringLiteral(": "), 1));
        }
    }
    return m_info.contains(QStringLiteral("ready"));
}

QByteArray SimProcess::deployerToken()
{
    // Test-only secret from resources/sim/reference.yaml.
    return "PVEAPIToken=deployer@pve!app=00000000-0000-4000-8000-00000000a001";
}

SimProcess::Answer SimProcess::call(const QByteArray &method, const QString &path,
                                    const QByteArray &form,
                                    const QMap<QByteArray, QByteArray> &headers)
{
    QNetworkRequest request(QUrl(value(QStringLiteral("url")) + path.mid(1)));
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    for (auto it = headers.begin(); it != headers.end(); ++it)
        request.setRawHeader(it.key(), it.value());
    if (!form.isEmpty() && !headers.contains("Content-Type"))
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/x-www-form-urlencoded"));

    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, form);
    Answer answer;
    const QString expected = value(QStringLiteral("fingerprint"));
    QObject::connect(
        reply, &QNetworkReply::sslErrors, reply,
        [reply, expected, &answer](const QList<QSslError> &errors) {
            // Ignore only the self-signed errors of the certificate whose digest was printed.
            QList<QSslError> accepted;
            for (const QSslError &error : errors) {
                const QByteArray digest =
                    error.certificate().digest(QCryptographicHash::Sha256).toHex(':').toUpper();
                answer.peerFingerprint = QString::fromLatin1(digest);
                if (QString::fromLatin1(digest) == expected &&
                    (error.error() == QSslError::SelfSignedCertificate ||
                     error.error() == QSslError::HostNameMismatch ||
                     error.error() == QSslError::CertificateUntrusted))
                    accepted << error;
            }
            reply->ignoreSslErrors(accepted);
        });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
    answer.elapsedMs = timer.elapsed();
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    answer.body = reply->readAll();
    answer.json = QJsonDocument::fromJson(answer.body);
    for (const auto &pair : reply->rawHeaderPairs())
        answer.headers.insert(pair.first.toLower(), pair.second);
    reply->deleteLater();
    return answer;
}

SimProcess::Answer SimProcess::withToken(const QByteArray &method, const QString &path,
                                         const QByteArray &form)
{
    return call(method, path, form, {{"Authorization", deployerToken()}});
}

SimProcess::Answer SimProcess::control(const QString &command, const QByteArray &json)
{
    return call("POST", QStringLiteral("/ctl/") + command, json,
                {{"Authorization", "Bearer " + value(QStringLiteral("control-token")).toUtf8()},
                 {"Content-Type", "application/json"}});
}
