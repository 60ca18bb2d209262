#include "applicationservices.h"

#include "secrets/credentialstore.h"

#include <QNetworkAccessManager>
#include <QSettings>

// The resources live in a static library: the linker drops them unless someone names them.
static void initGuiResources()
{
    Q_INIT_RESOURCE(gui);
}

namespace rae::gui {

ApplicationServices::ApplicationServices(std::unique_ptr<QSettings> settings,
                                         const QString &recoveryDir, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_network(new QNetworkAccessManager(this))
    , m_credentials(new secrets::CredentialStore(QStringLiteral("rae-deploy"), this))
    , m_recoveryDir(recoveryDir)
{
    initGuiResources();
}

ApplicationServices::~ApplicationServices() = default;

} // namespace rae::gui
