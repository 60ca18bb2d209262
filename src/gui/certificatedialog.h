#pragma once

#include "proxmox/certificatetrust.h"

#include <QDialog>
#include <QUrl>

namespace rae::gui {

// Trust on first use: shows what a person needs to compare with the node's own fingerprint
// (subject, issuer, names, validity, SHA-256) and asks whether to pin it. Refusing is the
// default button.
class CertificateDialog final : public QDialog
{
    Q_OBJECT

public:
    CertificateDialog(const proxmox::CertificateFacts &facts, const QUrl &endpoint,
                      QWidget *parent = nullptr);

    QPushButton *trustButton() const { return m_trust; }
    QPushButton *refuseButton() const { return m_refuse; }

private:
    QPushButton *m_trust = nullptr;
    QPushButton *m_refuse = nullptr;
};

} // namespace rae::gui
