#include "scriptsdialog.h"

#include "deploy/scriptexport.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QVBoxLayout>

namespace rae::gui {

ScriptsDialog::ScriptsDialog(const plan::Plan &plan, QWidget *parent)
    : QDialog(parent)
    , m_plan(plan)
    , m_chooseFolder([](QWidget *owner, const QString &start) {
        return QFileDialog::getExistingDirectory(owner, tr("Export Scripts To"), start);
    })
    , m_lastFolder(QDir::homePath())
{
    setWindowTitle(tr("Provisioning Scripts"));
    resize(960, 620);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("What an apply runs on each VM, made from the plan's planned "
                                "addresses. Passwords are not in the scripts, and are masked in "
                                "the API VMs' .env."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *split = new QSplitter(Qt::Horizontal, this);
    m_vms = new QListWidget(split);
    auto *right = new QWidget(split);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_caption = new QLabel(right);
    rightLayout->addWidget(m_caption);
    m_vms->setAccessibleName(tr("VMs"));
    for (const plan::Vm &vm : m_plan.vms) {
        auto *item = new QListWidgetItem(vm.name, m_vms);
        item->setToolTip(tr("%1 on %2").arg(plan::roleTitle(vm.role), vm.node));
    }
    m_text = new QPlainTextEdit(right);
    rightLayout->addWidget(m_text, 1);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setAccessibleName(tr("Script"));
    // Read-only, but the keyboard still moves through it and selects for copying.
    m_text->setTextInteractionFlags(Qt::TextSelectableByKeyboard | Qt::TextSelectableByMouse);
    split->addWidget(m_vms);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({180, 760});
    layout->addWidget(split, 1);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *buttons = new QDialogButtonBox(this);
    m_exportButton = buttons->addButton(tr("&Export…"), QDialogButtonBox::ActionRole);
    m_exportButton->setToolTip(
        tr("Write each VM's script as <vm>.sh and the API VMs' .env as <vm>.env into a folder "
           "(Ctrl+S)"));
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);

    auto *save = new QShortcut(QKeySequence::Save, this);
    connect(save, &QShortcut::activated, this, &ScriptsDialog::exportFiles);
    connect(m_exportButton, &QPushButton::clicked, this, &ScriptsDialog::exportFiles);
    connect(close, &QPushButton::clicked, this, &ScriptsDialog::reject);
    connect(m_vms, &QListWidget::currentRowChanged, this, &ScriptsDialog::showVm);

    setTabOrder(m_vms, m_text);
    setTabOrder(m_text, m_exportButton);
    setTabOrder(m_exportButton, close);

    if (m_vms->count() > 0)
        m_vms->setCurrentRow(0);
    else
        m_text->setPlaceholderText(tr("The plan has no VMs."));
    m_exportButton->setEnabled(m_vms->count() > 0);
    m_vms->setFocus();
}

ScriptsDialog::~ScriptsDialog() = default;

void ScriptsDialog::selectVm(const QString &name)
{
    const QList<QListWidgetItem *> found = m_vms->findItems(name, Qt::MatchExactly);
    if (!found.isEmpty())
        m_vms->setCurrentItem(found.constFirst());
}

QString ScriptsDialog::statusText() const
{
    return m_status->text();
}

void ScriptsDialog::showVm(int row)
{
    if (row < 0 || row >= m_plan.vms.size()) {
        m_text->clear();
        m_caption->clear();
        return;
    }
    const plan::Vm &vm = m_plan.vms.at(row);
    // An API VM's .env comes after its script, out of view at first: say that it is there.
    m_caption->setText(
        vm.role == plan::Role::Api
            ? tr("%1 (%2 on %3): its script, then its .env with the passwords "
                 "masked")
                  .arg(vm.name, plan::roleTitle(vm.role), vm.node)
            : tr("%1 (%2 on %3): its script").arg(vm.name, plan::roleTitle(vm.role), vm.node));
    QString text;
    for (const deploy::ScriptFile &file : deploy::scriptFiles(m_plan, vm)) {
        if (!text.isEmpty())
            text += QLatin1Char('\n');
        text += deploy::scriptHeading(vm, file.guestPath) + QLatin1Char('\n') +
                QString::fromUtf8(file.content);
    }
    m_text->setPlainText(text);
}

void ScriptsDialog::exportFiles()
{
    if (m_vms->count() == 0)
        return;
    const QString folder = m_chooseFolder(this, m_lastFolder);
    if (folder.isEmpty())
        return;
    m_lastFolder = folder;

    QStringList written;
    const Status status = deploy::exportScripts(m_plan, folder, {}, &written);
    if (!status) {
        setStatus(status.error().toString(), true);
        return;
    }
    setStatus(tr("Wrote %n file(s) to %1.", nullptr, int(written.size()))
                  .arg(QDir::toNativeSeparators(folder)),
              false);
}

void ScriptsDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace rae::gui
