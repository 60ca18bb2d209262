#pragma once

#include "plan/plan.h"

#include <QDialog>

#include <functional>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace rae::gui {

// What an apply will run on each VM, before it runs: the plan's VMs on the left, the selected
// VM's provisioning script (and an API VM's .env, passwords masked) on the right, read-only.
// Export… (Ctrl+S) writes the same files as `rae-deploy-cli scripts --out` into a folder the user
// picks. It holds a copy of the plan; the files are small, so writing them on the GUI thread is
// fine.
class ScriptsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ScriptsDialog(const plan::Plan &plan, QWidget *parent = nullptr);
    ~ScriptsDialog() override;

    // Asks where to export; returns an empty string when the user cancels. The default opens
    // QFileDialog::getExistingDirectory; tests pass their own.
    using FolderChooser = std::function<QString(QWidget *parent, const QString &start)>;
    void setFolderChooser(FolderChooser chooser) { m_chooseFolder = std::move(chooser); }

    void selectVm(const QString &name);
    QListWidget *vmList() const { return m_vms; }
    QPlainTextEdit *textView() const { return m_text; }
    QPushButton *exportButton() const { return m_exportButton; }
    QString statusText() const;

    // Asks for a folder and writes the files; the status line says what was written or why not.
    void exportFiles();

private:
    void showVm(int row);
    void setStatus(const QString &text, bool error);

    plan::Plan m_plan;
    FolderChooser m_chooseFolder;
    QString m_lastFolder;

    QListWidget *m_vms = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_exportButton = nullptr;
};

} // namespace rae::gui
