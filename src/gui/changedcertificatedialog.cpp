#include "changedcertificatedialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace rae::gui {

ChangedCertificateDialog::ChangedCertificateDialog(const QString &host, const QString &pinned,
                                                   const QString &presented, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Certificate Changed"));
    auto *layout = new QVBoxLayout(this);

    auto *banner = new QLabel(
        tr("<h2>The certificate of %1 has changed</h2>"
           "<p>The connection was refused. If nobody renewed this node's certificate, someone "
           "may be intercepting the connection: do not continue.</p>")
            .arg(host.toHtmlEscaped()),
        this);
    banner->setWordWrap(true);
    banner->setStyleSheet(QStringLiteral("QLabel { background: #c0392b; color: white; "
                                         "padding: 10px; border-radius: 4px; }"));
    layout->addWidget(banner);

    auto *form = new QFormLayout;
    auto *was = new QLabel(pinned, this);
    auto *now = new QLabel(presented, this);
    for (QLabel *label : {was, now}) {
        label->setFont(QFont(QStringLiteral("monospace")));
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setWordWrap(true);
    }
    form->addRow(tr("Pinned:"), was);
    form->addRow(tr("Presented:"), now);
    layout->addLayout(form);

    m_verified = new QCheckBox(
        tr("I compared the presented fingerprint with the node's console and it matches"), this);
    layout->addWidget(m_verified);

    auto *buttons = new QDialogButtonBox(this);
    auto *keep = buttons->addButton(tr("&Keep Refusing"), QDialogButtonBox::RejectRole);
    m_forget = buttons->addButton(tr("&Replace the Pin"), QDialogButtonBox::AcceptRole);
    m_forget->setEnabled(false);
    keep->setDefault(true);
    connect(m_verified, &QCheckBox::toggled, m_forget, &QPushButton::setEnabled);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace rae::gui
