#include "certificatedialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace rae::gui {

CertificateDialog::CertificateDialog(const proxmox::CertificateFacts &facts, const QUrl &endpoint,
                                     QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Unknown Certificate"));
    auto *layout = new QVBoxLayout(this);

    auto *intro = new QLabel(
        tr("<b>%1</b> presented a certificate that no authority on this computer vouches for. "
           "Proxmox VE nodes usually do. Compare the fingerprint below with the one shown on "
           "the node (<i>Datacenter → node → System → Certificates</i>, or <tt>pvenode cert "
           "info</tt>) before you trust it.")
            .arg(endpoint.host().toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    const auto addRow = [&](const QString &label, const QString &value) {
        auto *field = new QLabel(value, this);
        field->setTextInteractionFlags(Qt::TextSelectableByMouse);
        field->setWordWrap(true);
        form->addRow(label, field);
        return field;
    };
    addRow(tr("Subject:"), facts.subject);
    addRow(tr("Issuer:"),
           facts.selfSigned ? tr("%1 (self-signed)").arg(facts.issuer) : facts.issuer);
    addRow(tr("Names:"), facts.subjectAltNames.join(QStringLiteral(", ")));
    const QLocale locale;
    addRow(tr("Valid:"), tr("from %1 to %2")
                             .arg(locale.toString(facts.notBefore, QLocale::ShortFormat),
                                  locale.toString(facts.notAfter, QLocale::ShortFormat)));
    QLabel *fingerprint = addRow(tr("SHA-256:"), facts.fingerprint);
    fingerprint->setFont(QFont(QStringLiteral("monospace")));
    fingerprint->setObjectName(QStringLiteral("fingerprint"));
    layout->addLayout(form);

    auto *buttons = new QDialogButtonBox(this);
    m_trust = buttons->addButton(tr("&Trust and Pin"), QDialogButtonBox::AcceptRole);
    m_refuse = buttons->addButton(tr("&Refuse"), QDialogButtonBox::RejectRole);
    m_refuse->setDefault(true);
    m_refuse->setFocus();
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace rae::gui
