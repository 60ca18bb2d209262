#pragma once

#include "cluster/profile.h"

#include <QDialog>

#include <memory>

namespace Ui {
class AddClusterDialog;
}

namespace rae::gui {

// Asks for a cluster's name, endpoints and sign-in. The secret is handed out once through
// secret() and never stored by the dialog.
class AddClusterDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit AddClusterDialog(QWidget *parent = nullptr);
    ~AddClusterDialog() override;

    void setProfile(const cluster::ClusterProfile &profile);
    cluster::ClusterProfile profile() const;
    QString secret() const;
    bool rememberSecret() const;

    // What keeps the input from being accepted; empty when it is complete.
    QString problem() const;

    void accept() override;

private:
    void updateAuthFields();

    std::unique_ptr<Ui::AddClusterDialog> m_ui;
};

} // namespace rae::gui
