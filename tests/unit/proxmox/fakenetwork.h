#pragma once

#include <QBuffer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <functional>

// A QNetworkAccessManager that answers from a function instead of the network, in the manner of
// the fake QNAMs of the Nextcloud client tests: canned status lines, empty or broken bodies,
// connection failures and replies that hang until aborted.
struct FakeAnswer
{
    int status = 200;
    QByteArray reason = "OK";
    QByteArray body;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError; // with status 0
    bool hang = false;
    int delayMs = 0;
};

struct SeenRequest
{
    QString method;
    QUrl url;
    QByteArray body;
    QNetworkRequest request;
};

class FakeReply final : public QNetworkReply
{
    Q_OBJECT

public:
    FakeReply(const QNetworkRequest &request, QNetworkAccessManager::Operation operation,
              const FakeAnswer &answer, QObject *parent)
        : QNetworkReply(parent)
    {
        setRequest(request);
        setUrl(request.url());
        setOperation(operation);
        open(QIODevice::ReadOnly);
        m_body.setData(answer.body);
        m_body.open(QIODevice::ReadOnly);
        if (answer.hang)
            return;
        QTimer::singleShot(answer.delayMs, this, [this, answer] {
            if (isFinished())
                return;
            if (answer.status > 0) {
                setAttribute(QNetworkRequest::HttpStatusCodeAttribute, answer.status);
                setAttribute(QNetworkRequest::HttpReasonPhraseAttribute, answer.reason);
                if (answer.status >= 400)
                    setError(QNetworkReply::UnknownContentError, QString::fromUtf8(answer.reason));
                emit metaDataChanged();
                emit downloadProgress(answer.body.size(), answer.body.size());
                emit readyRead();
            } else {
                setError(answer.networkError, QStringLiteral("simulated network failure"));
                emit errorOccurred(answer.networkError);
            }
            setFinished(true);
            emit finished();
        });
    }

    void abort() override
    {
        if (isFinished())
            return;
        setError(QNetworkReply::OperationCanceledError, QStringLiteral("aborted"));
        setFinished(true);
        emit errorOccurred(QNetworkReply::OperationCanceledError);
        emit finished();
    }
    qint64 bytesAvailable() const override
    {
        return m_body.bytesAvailable() + QNetworkReply::bytesAvailable();
    }
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override { return m_body.read(data, maxSize); }

private:
    QBuffer m_body;
};

class FakeNetwork final : public QNetworkAccessManager
{
    Q_OBJECT

public:
    using Handler = std::function<FakeAnswer(const SeenRequest &)>;
    explicit FakeNetwork(Handler handler, QObject *parent = nullptr)
        : QNetworkAccessManager(parent)
        , m_handler(std::move(handler))
    {}

    QList<SeenRequest> seen;
    int open = 0;
    int maxOpen = 0;

protected:
    QNetworkReply *createRequest(Operation operation, const QNetworkRequest &request,
                                 QIODevice *outgoingData) override
    {
        SeenRequest seenRequest;
        seenRequest.url = request.url();
        seenRequest.request = request;
        seenRequest.body = outgoingData ? outgoingData->readAll() : QByteArray();
        switch (operation) {
        case GetOperation:
            seenRequest.method = QStringLiteral("GET");
            break;
        case PostOperation:
            seenRequest.method = QStringLiteral("POST");
            break;
        case PutOperation:
            seenRequest.method = QStringLiteral("PUT");
            break;
        case DeleteOperation:
            seenRequest.method = QStringLiteral("DELETE");
            break;
        default:
            seenRequest.method = QStringLiteral("OTHER");
            break;
        }
        seen.append(seenRequest);
        auto *reply = new FakeReply(request, operation, m_handler(seenRequest), this);
        maxOpen = qMax(maxOpen, ++open);
        connect(reply, &QNetworkReply::finished, this, [this] { --open; });
        return reply;
    }

private:
    Handler m_handler;
};
