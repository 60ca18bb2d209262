#include "exportdialog.h"

#include "ha/clustersources.h"
#include "monitor/metricstore.h"
#include "proxmox/client.h"
#include "reportbuilder.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLoggingCategory>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QThreadPool>
#include <QUrl>
#include <QVBoxLayout>

#include <memory>

Q_LOGGING_CATEGORY(lcExport, "raedeploy.gui.export")

namespace rae::gui {

namespace {

const QString folderKey = QStringLiteral("export/folder");
const QString paperKey = QStringLiteral("export/paper");

struct SectionChoice
{
    const char *id;
    const char *title;
};

// The report's stable section ids (docs/reports.md), in the report's order.
constexpr SectionChoice sectionChoices[] = {
    {"summary", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Summary and verdict")},
    {"inventory", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Inventory")},
    {"placement", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Placement and topology")},
    {"findings", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Validation findings")},
    {"node-failures", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Node-failure analysis")},
    {"ha", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "HA configuration")},
    {"replication", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Replication")},
    {"backups", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Backups")},
    {"events", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Events of the period")},
    {"charts", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Charts")},
    {"plan", QT_TRANSLATE_NOOP("rae::gui::ExportDialog", "Appendix: the plan")},
};

constexpr qint64 periods[] = {3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600};

// Everything the worker needs, copied, so that nothing it reads changes under it.
struct ExportJob
{
    plan::Plan plan;
    QString planFile;
    QString clusterName;
    QString storeFolder;
    std::optional<cluster::Inventory> inventory;
    QJsonObject clusterOptions;
    QString optionsProblem;
    bool pve9 = false;
    qint64 periodSeconds = 0;
    QStringList sections;
    report::ReportOptions options;
    QString user;
    QString version;
};

ExportOutcome runExport(const ExportJob &job, QPromise<ExportOutcome> &promise)
{
    ExportOutcome outcome;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    report::ReportInput input;
    input.plan = &job.plan;
    input.planFile = job.planFile;
    input.clusterName = job.clusterName;
    input.generatedAt = now;
    input.generatedBy = job.user;
    input.applicationVersion = job.version;
    input.sections = job.sections;
    std::optional<ha::PlanClusterState> clusterState;
    if (job.inventory) {
        input.inventory = &*job.inventory;
        clusterState = ha::clusterStateFromInventory(*job.inventory, job.clusterOptions, job.pve9);
        if (!job.optionsProblem.isEmpty())
            clusterState->notes.append(
                QCoreApplication::translate("rae::gui::ExportDialog",
                                            "datacenter options could not be read (%1); the "
                                            "basic scheduler is assumed")
                    .arg(job.optionsProblem));
        input.clusterState = &*clusterState;
    }

    // The worker reads its own copy of the history from disk: the panel's store is not
    // thread-safe and keeps growing while the report renders.
    monitor::MetricStore store;
    if (!job.storeFolder.isEmpty() &&
        QFileInfo::exists(QDir(job.storeFolder).filePath(monitor::MetricStore::fileName()))) {
        const Status loaded = store.load(QDir(job.storeFolder));
        if (!loaded) {
            outcome.error = loaded.error();
            return outcome;
        }
        input.store = &store;
        input.periodEnd = now;
        input.periodStart = now.addSecs(-job.periodSeconds);
    }
    const report::ReportModel model = report::buildReport(input);
    promise.setProgressValue(1);

    // One format at a time, so the bar moves and a failure keeps the files already written.
    int step = 1;
    for (const report::Format format : job.options.formats) {
        if (promise.isCanceled())
            break;
        report::ReportOptions one = job.options;
        one.formats = {format};
        const auto written = report::writeReports(model, one);
        if (!written) {
            outcome.error = written.error();
            break;
        }
        outcome.files += *written;
        promise.setProgressValue(++step);
    }
    return outcome;
}

QString userName()
{
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? qEnvironmentVariable("LOGNAME") : user;
}

} // namespace

ExportDialog::ExportDialog(const plan::Plan &plan, const QString &planFile, QSettings *settings,
                           QWidget *parent)
    : QDialog(parent)
    , m_plan(plan)
    , m_planFile(planFile)
    , m_settings(settings)
{
    setWindowTitle(tr("Export Report"));
    setObjectName(QStringLiteral("exportDialog"));

    auto *sectionsBox = new QGroupBox(tr("Sections"), this);
    auto *sectionsGrid = new QGridLayout(sectionsBox);
    int index = 0;
    for (const SectionChoice &choice : sectionChoices) {
        const QString id = QString::fromLatin1(choice.id);
        auto *box = new QCheckBox(tr(choice.title), sectionsBox);
        box->setObjectName(QStringLiteral("section-") + id);
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this, &ExportDialog::updateButtons);
        sectionsGrid->addWidget(box, index % 6, index / 6);
        m_sectionBoxes.insert(id, box);
        m_sectionOrder.append(id);
        ++index;
    }

    auto *optionsBox = new QGroupBox(tr("Content and output"), this);
    auto *form = new QFormLayout(optionsBox);

    m_period = new QComboBox(optionsBox);
    m_period->setObjectName(QStringLiteral("period"));
    m_period->addItem(tr("Last hour"), periods[0]);
    m_period->addItem(tr("Last 24 hours"), periods[1]);
    m_period->addItem(tr("Last 7 days"), periods[2]);
    m_period->addItem(tr("Last 30 days"), periods[3]);
    m_period->setCurrentIndex(1);
    m_periodNote = new QLabel(optionsBox);
    m_periodNote->setWordWrap(true);
    auto *periodRow = new QVBoxLayout;
    periodRow->addWidget(m_period);
    periodRow->addWidget(m_periodNote);
    auto *periodLabel = new QLabel(tr("&Period:"), optionsBox);
    periodLabel->setBuddy(m_period);
    form->addRow(periodLabel, periodRow);

    auto *formatsRow = new QHBoxLayout;
    const QList<std::pair<report::Format, QString>> formatChoices{
        {report::Format::Pdf, tr("PDF")},
        {report::Format::Html, tr("HTML")},
        {report::Format::Csv, tr("CSV (series)")},
        {report::Format::Json, tr("JSON")}};
    for (const auto &[format, title] : formatChoices) {
        auto *box = new QCheckBox(title, optionsBox);
        box->setObjectName(QStringLiteral("format-") + report::formatName(format));
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this, &ExportDialog::updateButtons);
        formatsRow->addWidget(box);
        m_formatBoxes.insert(format, box);
    }
    formatsRow->addStretch();
    form->addRow(tr("Formats:"), formatsRow);

    m_paper = new QComboBox(optionsBox);
    m_paper->setObjectName(QStringLiteral("paper"));
    m_paper->addItem(tr("A4"), QStringLiteral("a4"));
    m_paper->addItem(tr("Letter"), QStringLiteral("letter"));
    if (m_settings)
        m_paper->setCurrentIndex(
            std::max(0, m_paper->findData(m_settings->value(paperKey, QStringLiteral("a4")))));
    form->addRow(tr("PDF p&aper:"), m_paper);

    m_folder = new QLineEdit(optionsBox);
    m_folder->setObjectName(QStringLiteral("folder"));
    QString folder = m_settings ? m_settings->value(folderKey).toString() : QString();
    if (folder.isEmpty())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_folder->setText(QDir::toNativeSeparators(folder));
    connect(m_folder, &QLineEdit::textChanged, this, &ExportDialog::updateButtons);
    auto *browseButton = new QPushButton(tr("&Browse…"), optionsBox);
    connect(browseButton, &QPushButton::clicked, this, &ExportDialog::browse);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browseButton);
    auto *folderLabel = new QLabel(tr("&Folder:"), optionsBox);
    folderLabel->setBuddy(m_folder);
    form->addRow(folderLabel, folderRow);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();
    m_files = new QListWidget(this);
    m_files->setObjectName(QStringLiteral("files"));
    m_files->setMaximumHeight(90);
    m_files->hide();
    // Beside the list rather than in the button box, which shows its buttons again on show().
    m_openFolderButton = new QPushButton(tr("&Open Folder"), this);
    m_openFolderButton->setObjectName(QStringLiteral("openFolderButton"));
    m_openFolderButton->hide();
    auto *filesRow = new QHBoxLayout;
    filesRow->addWidget(m_files, 1);
    filesRow->addWidget(m_openFolderButton, 0, Qt::AlignTop);

    auto *buttons = new QDialogButtonBox(this);
    m_exportButton = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setDefault(true);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    // Export starts the work and keeps the dialog open; only Close closes it.
    connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_openFolderButton, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_writtenFolder)); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(sectionsBox);
    layout->addWidget(optionsBox);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addLayout(filesRow);
    layout->addStretch();
    layout->addWidget(buttons);

    connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, this, &ExportDialog::onProgress);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ExportDialog::onFinished);

    const QCheckBox *pdf = m_formatBoxes.value(report::Format::Pdf);
    connect(pdf, &QCheckBox::toggled, m_paper, &QWidget::setEnabled);
    setMinimumWidth(560);
    setCluster({}, {});
}

ExportDialog::~ExportDialog()
{
    // The worker owns copies of everything it reads and its files are saved atomically; it is
    // only asked to skip the formats it has not started.
    m_watcher.cancel();
}

void ExportDialog::setCluster(const QString &name, const QString &storeFolder)
{
    m_clusterName = name;
    m_storeFolder = storeFolder;
    const bool history =
        !storeFolder.isEmpty() &&
        QFileInfo::exists(QDir(storeFolder).filePath(monitor::MetricStore::fileName()));
    m_period->setEnabled(history);
    if (history)
        m_periodNote->setText(tr("Charts, CSV rows and alerts come from the monitoring history "
                                 "of %1.")
                                  .arg(name));
    else if (!name.isEmpty())
        m_periodNote->setText(tr("%1 has no monitoring history yet: the report has no period, "
                                 "charts or CSV rows.")
                                  .arg(name));
    else
        m_periodNote->setText(tr("Not connected: the report covers the plan, without a period, "
                                 "charts or CSV rows. Connect a cluster to add them."));
}

void ExportDialog::setFolder(const QString &folder)
{
    m_folder->setText(QDir::toNativeSeparators(folder));
}

QString ExportDialog::folder() const
{
    return QDir::fromNativeSeparators(m_folder->text().trimmed());
}

void ExportDialog::setFormats(const QList<report::Format> &formats)
{
    for (auto it = m_formatBoxes.cbegin(); it != m_formatBoxes.cend(); ++it)
        it.value()->setChecked(formats.contains(it.key()));
}

QList<report::Format> ExportDialog::formats() const
{
    QList<report::Format> chosen;
    for (auto it = m_formatBoxes.cbegin(); it != m_formatBoxes.cend(); ++it) {
        if (it.value()->isChecked())
            chosen.append(it.key());
    }
    return chosen;
}

void ExportDialog::setSections(const QStringList &ids)
{
    for (auto it = m_sectionBoxes.cbegin(); it != m_sectionBoxes.cend(); ++it)
        it.value()->setChecked(ids.contains(it.key()));
}

QStringList ExportDialog::sections() const
{
    QStringList chosen;
    for (const QString &id : m_sectionOrder) {
        if (m_sectionBoxes.value(id)->isChecked())
            chosen.append(id);
    }
    return chosen;
}

void ExportDialog::setPeriodSeconds(qint64 seconds)
{
    const int index = m_period->findData(seconds);
    if (index >= 0)
        m_period->setCurrentIndex(index);
}

qint64 ExportDialog::periodSeconds() const
{
    return m_period->currentData().toLongLong();
}

QString ExportDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void ExportDialog::browse()
{
    const QString chosen =
        QFileDialog::getExistingDirectory(this, tr("Export Report To"), folder());
    if (!chosen.isEmpty())
        setFolder(chosen);
}

void ExportDialog::updateButtons()
{
    const bool running = isExporting();
    m_exportButton->setEnabled(!running && !formats().isEmpty() && !sections().isEmpty() &&
                               !folder().isEmpty());
    if (!running && m_error->isHidden()) {
        if (formats().isEmpty())
            m_status->setText(tr("Choose at least one format."));
        else if (sections().isEmpty())
            m_status->setText(tr("Choose at least one section."));
        else if (folder().isEmpty())
            m_status->setText(tr("Choose the folder to write to."));
        else if (m_written.isEmpty())
            m_status->clear();
    }
}

void ExportDialog::setClient(proxmox::ProxmoxClient *client)
{
    m_client = client;
}

void ExportDialog::startExport()
{
    if (isExporting() || formats().isEmpty() || sections().isEmpty() || folder().isEmpty())
        return;
    m_written.clear();
    m_files->clear();
    m_files->hide();
    m_error->hide();
    m_openFolderButton->hide();
    m_inventory.reset();
    m_clusterOptions = {};
    m_optionsProblem.clear();
    if (proxmox::ProxmoxClient *client = m_client.data())
        readCluster(*client);
    else
        startWorker();
}

void ExportDialog::readCluster(proxmox::ProxmoxClient &client)
{
    m_readingCluster = true;
    m_pve9 = client.version().usesHaRules();
    m_progress->setRange(0, 0); // how long the cluster takes to answer is not known
    m_progress->show();
    m_status->setText(tr("Reading the cluster…"));
    updateButtons();
    auto *loader = new cluster::InventoryLoader(&client, this);
    connect(loader, &cluster::InventoryLoader::finished, this,
            [this, loader, &client,
             alive = QPointer(&client)](const proxmox::ApiResult<cluster::Inventory> &result) {
                loader->deleteLater();
                if (!result || !alive) {
                    m_readingCluster = false;
                    m_progress->hide();
                    showError(
                        Error{result ? tr("the cluster disconnected") : result.error().message,
                              tr("Check the connection to the cluster (Cluster → "
                                 "Connect), then export again."),
                              {}});
                    m_status->setText(tr("Nothing was written."));
                    updateButtons();
                    emit exportFinished(false);
                    return;
                }
                m_inventory = result.value();
                // The HA scheduler lives in datacenter.cfg; without it the default holds.
                proxmox::ApiJob *job =
                    client.send(proxmox::ApiRequest::get(QStringLiteral("/cluster/options")));
                connect(job, &proxmox::ApiJob::finished, this,
                        [this](const proxmox::ApiResult<proxmox::ApiReply> &answer) {
                            if (answer)
                                m_clusterOptions = answer->data.toObject();
                            else
                                m_optionsProblem = answer.error().message;
                            m_readingCluster = false;
                            startWorker();
                        });
            });
    loader->load();
}

void ExportDialog::startWorker()
{
    ExportJob job;
    job.inventory = std::move(m_inventory);
    m_inventory.reset();
    job.clusterOptions = m_clusterOptions;
    job.optionsProblem = m_optionsProblem;
    job.pve9 = m_pve9;
    job.plan = m_plan;
    job.planFile = m_planFile;
    job.clusterName = m_clusterName;
    job.storeFolder = m_storeFolder;
    job.periodSeconds = periodSeconds();
    job.sections = sections();
    job.options.folder = folder();
    job.options.formats = formats();
    job.options.paper = m_paper->currentData().toString() == QLatin1String("letter")
                            ? report::Paper::Letter
                            : report::Paper::A4;
    job.user = userName();
    job.version = QCoreApplication::applicationVersion();

    if (m_settings) {
        m_settings->setValue(folderKey, job.options.folder);
        m_settings->setValue(paperKey, m_paper->currentData());
    }
    m_writtenFolder = job.options.folder;
    m_progress->setRange(0, int(job.options.formats.size()) + 1);
    m_progress->setValue(0);
    m_progress->show();
    m_status->setText(tr("Gathering the report…"));
    qCDebug(lcExport) << "exporting" << job.options.formats.size() << "formats to"
                      << job.options.folder;

    auto promise = std::make_shared<QPromise<ExportOutcome>>();
    m_watcher.setFuture(promise->future());
    promise->start();
    promise->setProgressRange(0, int(job.options.formats.size()) + 1);
    QThreadPool::globalInstance()->start([job = std::move(job), promise] {
        promise->addResult(runExport(job, *promise));
        promise->finish();
    });
    updateButtons();
}

void ExportDialog::onProgress(int value)
{
    m_progress->setValue(value);
    const QList<report::Format> chosen = formats();
    if (value >= 1 && value <= chosen.size())
        m_status->setText(
            tr("Writing %1…").arg(report::formatName(chosen.at(value - 1)).toUpper()));
}

void ExportDialog::onFinished()
{
    m_progress->hide();
    const QFuture<ExportOutcome> future = m_watcher.future();
    ExportOutcome outcome;
    if (future.resultCount() > 0)
        outcome = future.result();
    else
        outcome.error = Error{tr("the export was cancelled"), {}, {}};

    m_written = outcome.files;
    for (const QString &file : std::as_const(m_written))
        m_files->addItem(QDir::toNativeSeparators(file));
    m_files->setVisible(!m_written.isEmpty());
    m_openFolderButton->setVisible(!m_written.isEmpty());
    if (outcome.error) {
        showError(*outcome.error);
        m_status->setText(m_written.isEmpty() ? tr("Nothing was written.")
                                              : tr("Written before the error:"));
    } else {
        m_status->setText(tr("Written:"));
    }
    updateButtons();
    emit exportFinished(!outcome.error);
}

void ExportDialog::showError(const Error &error)
{
    qCWarning(lcExport) << "export failed:" << error.message;
    QString hint = error.hint;
    if (hint.isEmpty())
        hint = tr("Choose a folder you can write to with enough free space, then export again.");
    m_error->setText(tr("The export failed: %1.\nWhat to do: %2").arg(error.message, hint));
    m_error->show();
}

} // namespace rae::gui
