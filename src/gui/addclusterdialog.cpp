#include "addclusterdialog.h"

#include "ui_addclusterdialog.h"

#include <QPushButton>
#include <QUrl>

namespace rae::gui {

AddClusterDialog::AddClusterDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::AddClusterDialog>())
{
    m_ui->setupUi(this);
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &AddClusterDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &AddClusterDialog::reject);
    connect(m_ui->tokenRadio, &QRadioButton::toggled, this, &AddClusterDialog::updateAuthFields);
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setText(tr("&Add"));
    updateAuthFields();
}

AddClusterDialog::~AddClusterDialog() = default;

void AddClusterDialog::updateAuthFields()
{
    const bool token = m_ui->tokenRadio->isChecked();
    m_ui->tokenNameEdit->setEnabled(token);
    m_ui->tokenNameLabel->setEnabled(token);
    m_ui->secretLabel->setText(token ? tr("Token &secret:") : tr("Pass&word:"));
}

void AddClusterDialog::setProfile(const cluster::ClusterProfile &profile)
{
    m_ui->nameEdit->setText(profile.name);
    m_ui->endpointsEdit->setPlainText(profile.endpoints.join(QLatin1Char('\n')));
    m_ui->userEdit->setText(profile.user);
    m_ui->tokenRadio->setChecked(profile.auth == cluster::ClusterProfile::Auth::ApiToken);
    m_ui->passwordRadio->setChecked(profile.auth == cluster::ClusterProfile::Auth::Password);
    m_ui->tokenNameEdit->setText(profile.tokenName);
}

cluster::ClusterProfile AddClusterDialog::profile() const
{
    cluster::ClusterProfile profile;
    profile.name = m_ui->nameEdit->text().trimmed();
    for (const QString &line : m_ui->endpointsEdit->toPlainText().split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            profile.endpoints.append(line.trimmed());
    }
    profile.user = m_ui->userEdit->text().trimmed();
    profile.auth = m_ui->tokenRadio->isChecked() ? cluster::ClusterProfile::Auth::ApiToken
                                                 : cluster::ClusterProfile::Auth::Password;
    profile.tokenName = m_ui->tokenNameEdit->text().trimmed();
    return profile;
}

QString AddClusterDialog::secret() const
{
    return m_ui->secretEdit->text();
}

bool AddClusterDialog::rememberSecret() const
{
    return m_ui->rememberCheck->isChecked();
}

QString AddClusterDialog::problem() const
{
    const cluster::ClusterProfile entered = profile();
    if (entered.name.isEmpty())
        return tr("Give the cluster a name.");
    if (entered.endpoints.isEmpty())
        return tr("Enter at least one endpoint, such as https://pve1.example.org:8006.");
    for (const QString &endpoint : entered.endpoints) {
        const QUrl url(endpoint);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
            return tr("“%1” is not an https:// address of a node.").arg(endpoint);
    }
    if (!entered.user.contains(QLatin1Char('@')))
        return tr("The user needs its realm, as in deployer@pve or root@pam.");
    if (entered.auth == cluster::ClusterProfile::Auth::ApiToken && entered.tokenName.isEmpty())
        return tr("Enter the token's ID (the part after “!”).");
    if (secret().isEmpty())
        return entered.auth == cluster::ClusterProfile::Auth::ApiToken
                   ? tr("Enter the token's secret.")
                   : tr("Enter the password.");
    return {};
}

void AddClusterDialog::accept()
{
    const QString why = problem();
    m_ui->problemLabel->setText(why);
    if (why.isEmpty())
        QDialog::accept();
}

} // namespace rae::gui
