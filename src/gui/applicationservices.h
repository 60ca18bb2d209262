#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QNetworkAccessManager;
class QSettings;

namespace rae::secrets {
class CredentialStore;
}

namespace rae::gui {

// What the windows of the application share: settings, one network manager and the credential
// store. The application (or a test) creates one and passes it down; nothing reaches for globals.
// Lives on the GUI thread; owns everything it hands out.
class ApplicationServices final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApplicationServices)

public:
    // Takes `settings` (a test passes one on a temporary file). `recoveryDir` is where unsaved
    // plans are kept for an offer to restore them after a crash.
    ApplicationServices(std::unique_ptr<QSettings> settings, const QString &recoveryDir,
                        QObject *parent = nullptr);
    ~ApplicationServices() override;

    QSettings *settings() const { return m_settings.get(); }
    QNetworkAccessManager *network() const { return m_network; }
    secrets::CredentialStore *credentials() const { return m_credentials; }
    QString recoveryDir() const { return m_recoveryDir; }

private:
    std::unique_ptr<QSettings> m_settings;
    QNetworkAccessManager *m_network = nullptr;
    secrets::CredentialStore *m_credentials = nullptr;
    QString m_recoveryDir;
};

} // namespace rae::gui
