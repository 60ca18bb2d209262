#pragma once

#include "cluster/inventory.h"
#include "common/result.h"
#include "plan/plan.h"
#include "reportwriter.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QPointer>
#include <QStringList>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSettings;

namespace rae::proxmox {
class ProxmoxClient;
}

namespace rae::gui {

// What one export run hands back from its worker: the files written, or why it stopped.
struct ExportOutcome
{
    QStringList files;
    std::optional<Error> error;
};

// File → Export Report: which sections, which period, which formats and where. The report is
// built and written on a QThreadPool worker from copies (the plan, and the monitoring history as
// saved on disk), so the window stays live while a day of charts renders.
class ExportDialog final : public QDialog
{
    Q_OBJECT

public:
    // `settings` (not owned, may be null) remembers the folder and the paper.
    ExportDialog(const plan::Plan &plan, const QString &planFile, QSettings *settings,
                 QWidget *parent = nullptr);
    ~ExportDialog() override;

    // The connected cluster and the folder of its saved metric store: the report then has a
    // period, charts, CSV rows and the alerts of the period.
    void setCluster(const QString &name, const QString &storeFolder);
    // The connected cluster's client (not owned): each export reads its inventory first, through
    // the client's own event loop, and adds the cluster's inventory, HA, replication and backups.
    void setClient(proxmox::ProxmoxClient *client);

    void setFolder(const QString &folder);
    QString folder() const;
    void setFormats(const QList<report::Format> &formats);
    QList<report::Format> formats() const;
    void setSections(const QStringList &ids);
    QStringList sections() const;
    void setPeriodSeconds(qint64 seconds); // one of the offered periods
    qint64 periodSeconds() const;

    void startExport();
    bool isExporting() const { return m_readingCluster || m_watcher.isRunning(); }
    QStringList writtenFiles() const { return m_written; }
    QString errorText() const;

signals:
    void exportFinished(bool ok);

private:
    void browse();
    void updateButtons();
    void onProgress(int value);
    void onFinished();
    void showError(const Error &error);
    void readCluster(proxmox::ProxmoxClient &client);
    void startWorker();

    plan::Plan m_plan;
    QString m_planFile;
    QString m_clusterName;
    QString m_storeFolder;
    QSettings *m_settings = nullptr;
    QPointer<proxmox::ProxmoxClient> m_client;
    bool m_readingCluster = false;
    std::optional<cluster::Inventory> m_inventory; // of the run being prepared
    QJsonObject m_clusterOptions;
    QString m_optionsProblem;
    bool m_pve9 = false; // the cluster's HA placement is rule-based (Proxmox VE 9)

    QHash<QString, QCheckBox *> m_sectionBoxes; // by section id
    QStringList m_sectionOrder;
    QComboBox *m_period = nullptr;
    QLabel *m_periodNote = nullptr;
    QMap<report::Format, QCheckBox *> m_formatBoxes;
    QComboBox *m_paper = nullptr;
    QLineEdit *m_folder = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QListWidget *m_files = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_openFolderButton = nullptr;
    QPushButton *m_closeButton = nullptr;

    QFutureWatcher<ExportOutcome> m_watcher;
    QStringList m_written;
    QString m_writtenFolder;
};

} // namespace rae::gui
