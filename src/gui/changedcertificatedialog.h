#pragma once

#include <QDialog>

class QCheckBox;
class QPushButton;

namespace rae::gui {

// A host whose certificate we had pinned now shows another one. This may be a renewed
// certificate or someone in the middle; the dialog says so loudly, shows both fingerprints and
// only lets the user drop the old pin after ticking that they checked the new one on the node.
class ChangedCertificateDialog final : public QDialog
{
    Q_OBJECT

public:
    ChangedCertificateDialog(const QString &host, const QString &pinned, const QString &presented,
                             QWidget *parent = nullptr);

    QPushButton *forgetButton() const { return m_forget; }
    QCheckBox *verifiedCheck() const { return m_verified; }

private:
    QCheckBox *m_verified = nullptr;
    QPushButton *m_forget = nullptr;
};

} // namespace rae::gui
