#include "deploydialog.h"

#include "proxmox/client.h"
#include "scriptsdialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTime>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rae::gui {

namespace {

enum Page
{
    ReadingPage,
    PreviewPage,
    ProgressPage,
};

QString changeSymbol(deploy::ChangeKind kind)
{
    switch (kind) {
    case deploy::ChangeKind::Create:
        return QStringLiteral("+");
    case deploy::ChangeKind::Update:
        return QStringLiteral("~");
    case deploy::ChangeKind::Migrate:
        return QStringLiteral(">");
    case deploy::ChangeKind::Keep:
        return QStringLiteral("=");
    case deploy::ChangeKind::Remove:
        return QStringLiteral("-");
    case deploy::ChangeKind::Orphan:
        return QStringLiteral("!");
    }
    return {};
}

QColor changeColour(deploy::ChangeKind kind)
{
    switch (kind) {
    case deploy::ChangeKind::Create:
        return QColor(0x2e, 0x7d, 0x32);
    case deploy::ChangeKind::Update:
    case deploy::ChangeKind::Migrate:
        return QColor(0xb2, 0x6a, 0x00);
    case deploy::ChangeKind::Remove:
        return QColor(0xc6, 0x28, 0x28);
    case deploy::ChangeKind::Keep:
    case deploy::ChangeKind::Orphan:
        break;
    }
    return QColor(0x61, 0x61, 0x61);
}

QString objectKindName(deploy::ObjectKind kind)
{
    switch (kind) {
    case deploy::ObjectKind::Vm:
        return DeployDialog::tr("VM");
    case deploy::ObjectKind::HaGroup:
        return DeployDialog::tr("HA group");
    case deploy::ObjectKind::HaRule:
        return DeployDialog::tr("HA rule");
    case deploy::ObjectKind::HaResource:
        return DeployDialog::tr("HA resource");
    case deploy::ObjectKind::Replication:
        return DeployDialog::tr("Replication job");
    case deploy::ObjectKind::Backup:
        return DeployDialog::tr("Backup job");
    case deploy::ObjectKind::Pool:
        return DeployDialog::tr("Resource pool");
    }
    return {};
}

QString changeSummary(const deploy::Change &change)
{
    switch (change.kind) {
    case deploy::ChangeKind::Create:
        return change.node.isEmpty() ? DeployDialog::tr("create")
                                     : DeployDialog::tr("create on %1").arg(change.node);
    case deploy::ChangeKind::Update:
        return DeployDialog::tr("change %n field(s)", nullptr, int(change.fields.size()));
    case deploy::ChangeKind::Migrate:
        return DeployDialog::tr("migrate to %1").arg(change.node);
    case deploy::ChangeKind::Keep:
        return DeployDialog::tr("left where it is");
    case deploy::ChangeKind::Remove:
        return DeployDialog::tr("remove");
    case deploy::ChangeKind::Orphan:
        return DeployDialog::tr("not in the plan; left alone");
    }
    return {};
}

QString stateText(deploy::ActionState state)
{
    switch (state) {
    case deploy::ActionState::Pending:
        return DeployDialog::tr("waiting");
    case deploy::ActionState::Running:
        return DeployDialog::tr("running");
    case deploy::ActionState::Done:
        return DeployDialog::tr("done");
    case deploy::ActionState::Failed:
        return DeployDialog::tr("failed");
    case deploy::ActionState::Blocked:
        return DeployDialog::tr("blocked");
    }
    return {};
}

QColor stateColour(deploy::ActionState state)
{
    switch (state) {
    case deploy::ActionState::Pending:
        return QColor(0x75, 0x75, 0x75);
    case deploy::ActionState::Running:
        return QColor(0x15, 0x65, 0xc0);
    case deploy::ActionState::Done:
        return QColor(0x2e, 0x7d, 0x32);
    case deploy::ActionState::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case deploy::ActionState::Blocked:
        return QColor(0xb2, 0x6a, 0x00);
    }
    return {};
}

bool ended(deploy::ActionState state)
{
    return state == deploy::ActionState::Done || state == deploy::ActionState::Failed ||
           state == deploy::ActionState::Blocked;
}

} // namespace

DeployDialog::DeployDialog(proxmox::ProxmoxClient *client, secrets::CredentialStore *store,
                           const plan::Plan &plan, const QString &planPath, Start start,
                           QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_store(store)
    , m_plan(plan)
    , m_planPath(planPath)
    , m_start(start)
{
    setWindowTitle(client != nullptr ? tr("Deploy to %1").arg(client->cluster()) : tr("Deploy"));
    resize(900, 640);

    auto *layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_pages = new QStackedWidget(this);
    auto *reading = new QLabel(tr("Reading the cluster…"), m_pages);
    reading->setAlignment(Qt::AlignCenter);
    m_pages->addWidget(reading);

    m_preview = new QTreeWidget(m_pages);
    m_preview->setHeaderLabels({tr("Change"), tr("Object"), tr("Name"), tr("What")});
    m_preview->setRootIsDecorated(true);
    m_preview->setUniformRowHeights(true);
    m_preview->setAlternatingRowColors(true);
    m_preview->header()->setStretchLastSection(true);
    m_pages->addWidget(m_preview);

    auto *progressPage = new QWidget(m_pages);
    auto *progressLayout = new QVBoxLayout(progressPage);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    auto *barRow = new QHBoxLayout;
    m_progress = new QProgressBar(progressPage);
    m_progress->setFormat(tr("%v of %m actions"));
    m_elapsed = new QLabel(progressPage);
    barRow->addWidget(m_progress, 1);
    barRow->addWidget(m_elapsed);
    progressLayout->addLayout(barRow);
    auto *split = new QSplitter(Qt::Vertical, progressPage);
    m_actions = new QTreeWidget(split);
    m_actions->setHeaderLabels({tr("Action"), tr("State"), tr("Detail")});
    m_actions->setRootIsDecorated(false);
    m_actions->setUniformRowHeights(true);
    m_actions->header()->setStretchLastSection(true);
    m_log = new QPlainTextEdit(split);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("The deployment log appears here."));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    progressLayout->addWidget(split, 1);
    m_pages->addWidget(progressPage);
    layout->addWidget(m_pages, 1);

    m_buttons = new QDialogButtonBox(this);
    m_applyButton = m_buttons->addButton(tr("&Apply"), QDialogButtonBox::AcceptRole);
    m_applyButton->setEnabled(false);
    m_stopButton = m_buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    m_stopButton->setToolTip(tr("Let the running actions finish, start nothing new; resume "
                                "later from the journal"));
    m_stopButton->hide();
    m_resumeButton = m_buttons->addButton(tr("&Resume"), QDialogButtonBox::ActionRole);
    m_resumeButton->setToolTip(tr("Retry what failed and go on where the apply stopped"));
    m_resumeButton->hide();
    m_scriptsButton = m_buttons->addButton(tr("Scri&pts…"), QDialogButtonBox::HelpRole);
    m_scriptsButton->setToolTip(tr("What the apply runs on each VM: the provisioning scripts and "
                                   "the API VMs' .env, passwords masked; view and export"));
    m_scriptsButton->hide();
    m_closeButton = m_buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(m_buttons);

    connect(m_applyButton, &QPushButton::clicked, this, &DeployDialog::runActions);
    connect(m_stopButton, &QPushButton::clicked, this, [this] {
        if (m_deployment != nullptr)
            m_deployment->stop();
        m_stopButton->setEnabled(false);
        setStatus(tr("Stopping: the running actions finish, nothing new starts."));
    });
    connect(m_resumeButton, &QPushButton::clicked, this,
            [this] { startDeployment(Start::Resume); });
    connect(m_closeButton, &QPushButton::clicked, this, &DeployDialog::reject);
    connect(m_scriptsButton, &QPushButton::clicked, this, &DeployDialog::showScripts);

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &DeployDialog::updateElapsed);
}

DeployDialog::~DeployDialog() = default;

void DeployDialog::begin()
{
    startDeployment(m_start);
}

QString DeployDialog::statusText() const
{
    return m_status->text();
}

void DeployDialog::reject()
{
    if (m_running) {
        // Closing must not leave actions nobody watches: stop at a safe point first.
        setStatus(tr("An apply is running. Stop it first; it can be resumed later."), true);
        return;
    }
    QDialog::reject();
}

void DeployDialog::startDeployment(Start start)
{
    if (m_client == nullptr) {
        setStatus(tr("Not connected to a cluster. Connect, then deploy again."), true);
        return;
    }
    if (m_deployment != nullptr)
        m_deployment->deleteLater();
    m_deployment = new deploy::Deployment(m_client, m_store, m_options, this);
    connect(m_deployment, &deploy::Deployment::prepared, this, &DeployDialog::showPreview);
    connect(m_deployment, &deploy::Deployment::actionChanged, this, &DeployDialog::onActionChanged);
    connect(m_deployment, &deploy::Deployment::logLine, this, &DeployDialog::onLogLine);
    connect(m_deployment, &deploy::Deployment::finished, this, &DeployDialog::onFinished);

    m_applyButton->setEnabled(false);
    m_applyButton->show();
    m_resumeButton->hide();
    m_stopButton->hide();
    m_scriptsButton->hide();
    m_pages->setCurrentIndex(ReadingPage);
    setStatus(start == Start::Resume ? tr("Reading the unfinished apply and the cluster…")
                                     : tr("Reading the cluster…"));
    if (start == Start::Resume)
        m_deployment->prepareResume();
    else
        m_deployment->prepare(m_plan, m_planPath);
}

void DeployDialog::showPreview(const deploy::Changeset &changeset, int actionCount)
{
    m_preview->clear();
    for (const Error &error : changeset.errors) {
        auto *item = new QTreeWidgetItem(
            m_preview, {QStringLiteral("✗"), tr("Error"), error.where, error.message});
        item->setForeground(0, QColor(0xc6, 0x28, 0x28));
        item->setToolTip(3, error.toString());
        if (!error.hint.isEmpty())
            new QTreeWidgetItem(item, {QString(), QString(), tr("hint"), error.hint});
    }
    for (const deploy::Change &change : changeset.changes) {
        auto *item = new QTreeWidgetItem(m_preview,
                                         {changeSymbol(change.kind), objectKindName(change.object),
                                          change.id, changeSummary(change)});
        item->setForeground(0, changeColour(change.kind));
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        if (!change.note.isEmpty())
            item->setToolTip(3, change.note);
        for (const deploy::FieldChange &field : change.fields) {
            const QString text =
                field.before.isEmpty() ? field.after : tr("%1 → %2").arg(field.before, field.after);
            auto *child = new QTreeWidgetItem(item, {QString(), QString(), field.field, text});
            child->setToolTip(3, text);
        }
        if (!change.note.isEmpty() && change.fields.isEmpty())
            new QTreeWidgetItem(item, {QString(), QString(), tr("note"), change.note});
    }
    for (int column = 0; column < 3; ++column)
        m_preview->resizeColumnToContents(column);
    m_pages->setCurrentIndex(PreviewPage);
    m_scriptsButton->show();
    m_total = actionCount;

    const QString counts = tr("Plan: %1 to create, %2 to change, %3 to move, %4 to remove.")
                               .arg(changeset.count(deploy::ChangeKind::Create))
                               .arg(changeset.count(deploy::ChangeKind::Update))
                               .arg(changeset.count(deploy::ChangeKind::Migrate))
                               .arg(changeset.count(deploy::ChangeKind::Remove));
    if (changeset.hasErrors()) {
        setStatus(counts + QLatin1Char(' ') +
                      tr("The plan asks for what cannot be done (in red). Fix the plan, then "
                         "deploy again."),
                  true);
        return;
    }
    if (actionCount == 0) {
        setStatus(counts + QLatin1Char(' ') + tr("Nothing to do: the cluster matches the plan."));
        return;
    }
    setStatus(counts + QLatin1Char(' ') +
              tr("%n action(s) to run. Apply runs them on the cluster.", nullptr, actionCount));
    m_applyButton->setEnabled(true);
    m_applyButton->setFocus();
}

ScriptsDialog *DeployDialog::scriptsDialog() const
{
    return m_scriptsDialog.data();
}

void DeployDialog::showScripts()
{
    // The prepared apply's plan carries an upgrade's switched API VMs; before it, the plan given.
    const plan::Plan &plan = m_deployment != nullptr && !m_deployment->appliedPlan().vms.isEmpty()
                                 ? m_deployment->appliedPlan()
                                 : m_plan;
    auto *dialog = new ScriptsDialog(plan, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_scriptsDialog = dialog;
    dialog->open();
}

void DeployDialog::runActions()
{
    if (m_deployment == nullptr)
        return;
    m_actions->clear();
    m_actionItems.clear();
    for (const deploy::Action &action : m_deployment->actions()) {
        auto *item = new QTreeWidgetItem(
            m_actions, {action.id, stateText(deploy::ActionState::Pending), QString()});
        item->setForeground(1, stateColour(deploy::ActionState::Pending));
        m_actionItems.insert(action.id, item);
    }
    m_actions->resizeColumnToContents(0);
    m_log->clear();
    m_ended = 0;
    m_total = int(m_deployment->actions().size());
    m_progress->setRange(0, qMax(1, m_total));
    m_progress->setValue(0);
    m_pages->setCurrentIndex(ProgressPage);
    m_applyButton->hide();
    m_resumeButton->hide();
    m_scriptsButton->hide();
    m_stopButton->show();
    m_stopButton->setEnabled(true);
    m_closeButton->setEnabled(false);
    m_running = true;
    m_clock.start();
    m_tick.start();
    updateElapsed();
    setStatus(tr("Applying…"));
    m_deployment->apply();
}

void DeployDialog::onActionChanged(const QString &id, deploy::ActionState state,
                                   const QString &detail)
{
    QTreeWidgetItem *item = m_actionItems.value(id);
    if (item == nullptr)
        return;
    const bool wasEnded = item->data(1, Qt::UserRole).toBool();
    item->setText(1, stateText(state));
    item->setForeground(1, stateColour(state));
    if (!detail.isEmpty()) {
        item->setText(2, detail);
        item->setToolTip(2, detail);
    }
    if (ended(state) && !wasEnded) {
        item->setData(1, Qt::UserRole, true);
        m_progress->setValue(++m_ended);
    }
    if (state == deploy::ActionState::Running)
        m_actions->scrollToItem(item);
}

void DeployDialog::onLogLine(const QString &id, const QString &line)
{
    QString text = QTime::currentTime().toString(QStringLiteral("HH:mm:ss")) + QLatin1Char(' ');
    if (!id.isEmpty())
        text += id + QStringLiteral(": ");
    m_log->appendPlainText(text + line);
}

void DeployDialog::onFinished(const Status &result)
{
    const bool wasRunning = m_running;
    m_running = false;
    m_tick.stop();
    m_stopButton->hide();
    m_closeButton->setEnabled(true);
    if (!wasRunning) {
        // The preparation failed: nothing ran.
        m_pages->setCurrentIndex(PreviewPage);
        setStatus(result.ok() ? tr("Nothing to do.") : result.error().toString(), !result.ok());
        return;
    }
    updateElapsed();
    const int failed = m_deployment->count(deploy::ActionState::Failed);
    const int blocked = m_deployment->count(deploy::ActionState::Blocked);
    const int done = m_deployment->count(deploy::ActionState::Done);
    const bool succeeded = result.ok() && failed == 0 && blocked == 0 && done == m_total;
    if (succeeded) {
        setStatus(tr("Applied: %n action(s) done.", nullptr, done));
    } else {
        QString text = result.ok() ? QString() : result.error().toString() + QLatin1Char('\n');
        text += tr("%1 done, %2 failed, %3 blocked by a failure, %4 not started.")
                    .arg(done)
                    .arg(failed)
                    .arg(blocked)
                    .arg(m_total - done - failed - blocked);
        const auto failures = m_deployment->failures();
        for (auto it = failures.cbegin(); it != failures.cend(); ++it)
            text += QLatin1Char('\n') + it.key() + QStringLiteral(": ") + it.value();
        text += QLatin1Char('\n') + tr("Resume retries what failed and goes on from there.");
        setStatus(text, true);
        m_resumeButton->show();
        m_resumeButton->setFocus();
    }
    emit runFinished(succeeded);
}

void DeployDialog::updateElapsed()
{
    const qint64 seconds = m_clock.isValid() ? m_clock.elapsed() / 1000 : 0;
    m_elapsed->setText(tr("Elapsed %1")
                           .arg(QTime(0, 0)
                                    .addSecs(int(seconds))
                                    .toString(seconds >= 3600 ? QStringLiteral("H:mm:ss")
                                                              : QStringLiteral("m:ss"))));
}

void DeployDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace rae::gui
