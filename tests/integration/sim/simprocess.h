#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QMap>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QString>
#include <QStringList>

// The real rae-pve-sim executable on a free loopback port, and an HTTPS client that trusts its
// certificate only by the SHA-256 fingerprint the simulator printed.
class SimProcess final
{
public:
    struct Answer
    {
        int status = 0;
        QByteArray reason;
        QByteArray body;
        QJsonDocument json;
        qint64 elapsedMs = 0;
        QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
        QMap<QByteArray, QByteArray> headers;
        QString peerFingerprint;
    };

    ~SimProcess();
    bool start(const QString &scenario, const QStringList &extra = {});
    QString value(const QString &key) const { return m_info.value(key); }

    Answer call(const QByteArray &method, const QString &path, const QByteArray &form = {},
                const QMap<QByteArray, QByteArray> &headers = {});
    Answer withToken(const QByteArray &method, const QString &path, const QByteArray &form = {});
    Answer control(const QString &command, const QByteArray &json = "{}");

    static QByteArray deployerToken();

private:
    QProcess m_process;
    QMap<QString, QString> m_info;
    QNetworkAccessManager m_network;
};
