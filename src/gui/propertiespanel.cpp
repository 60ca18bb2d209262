#include "propertiespanel.h"

#include "plandocument.h"
#include "topology.h"

#include "plan/bytesize.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace rae::gui {

namespace {

const char kInvalidStyle[] = "QLineEdit { border: 2px solid #c0392b; background: #fbe9e7; }";

} // namespace

PropertiesPanel::PropertiesPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_placement(new QLabel(this))
    , m_cores(new QSpinBox(this))
    , m_memory(new QLineEdit(this))
    , m_disksBox(new QWidget(this))
    , m_disksLayout(new QFormLayout(m_disksBox))
    , m_haManaged(new QCheckBox(tr("Managed by HA"), this))
    , m_haState(new QComboBox(this))
    , m_problem(new QLabel(this))
    , m_findings(new QLabel(this))
    , m_form(new QWidget(this))
    , m_empty(new QLabel(tr("Select a VM in the plan to edit it."), this))
{
    auto *outer = new QVBoxLayout(this);
    outer->addWidget(m_empty);
    outer->addWidget(m_form);
    outer->addStretch(1);
    m_empty->setWordWrap(true);

    auto *form = new QFormLayout(m_form);
    form->setContentsMargins(0, 0, 0, 0);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    form->addRow(m_title);
    form->addRow(tr("Placement:"), m_placement);
    m_cores->setRange(1, 512);
    m_cores->setAccessibleName(tr("Cores"));
    form->addRow(tr("&Cores:"), m_cores);
    m_memory->setPlaceholderText(tr("e.g. 16 GiB"));
    m_memory->setAccessibleName(tr("Memory"));
    form->addRow(tr("&Memory:"), m_memory);
    m_disksLayout->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Disks:"), m_disksBox);
    form->addRow(m_haManaged);
    for (plan::HaState state : {plan::HaState::Started, plan::HaState::Stopped,
                                plan::HaState::Disabled, plan::HaState::Ignored})
        m_haState->addItem(plan::haStateName(state), int(state));
    form->addRow(tr("HA &state:"), m_haState);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b;"));
    form->addRow(m_problem);
    m_findings->setWordWrap(true);
    m_findings->setTextFormat(Qt::RichText);
    form->addRow(m_findings);

    connect(m_cores, &QSpinBox::valueChanged, this, [this] { commit(QStringLiteral("cores")); });
    connect(m_memory, &QLineEdit::textEdited, this, [this] { commit(QStringLiteral("memory")); });
    connect(m_haManaged, &QCheckBox::toggled, this, [this] { commit(QStringLiteral("ha")); });
    connect(m_haState, &QComboBox::currentIndexChanged, this,
            [this] { commit(QStringLiteral("ha-state")); });

    setVm({});
}

void PropertiesPanel::setDocument(PlanDocument *document)
{
    if (m_document)
        disconnect(m_document, nullptr, this, nullptr);
    m_document = document;
    if (m_document) {
        connect(m_document, &PlanDocument::planChanged, this, &PropertiesPanel::refresh);
        connect(m_document, &PlanDocument::findingsChanged, this,
                &PropertiesPanel::refreshFindings);
    }
    refresh();
}

void PropertiesPanel::setVm(const QString &name)
{
    if (name == m_name && !name.isEmpty())
        return;
    m_name = name;
    m_problem->clear();
    m_memory->setStyleSheet({});
    rebuildDisks();
    refresh();
}

void PropertiesPanel::rebuildDisks()
{
    while (m_disksLayout->rowCount() > 0)
        m_disksLayout->removeRow(0);
    m_diskStorages.clear();
    m_diskSizes.clear();
    if (!m_document)
        return;
    const plan::Plan &plan = m_document->plan();
    const plan::Vm *vm = plan.vm(m_name);
    if (!vm)
        return;
    for (qsizetype i = 0; i < vm->disks.size(); ++i) {
        auto *row = new QWidget(m_disksBox);
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *storage = new QComboBox(row);
        for (const plan::Storage &candidate : plan.storages)
            storage->addItem(candidate.id);
        storage->setAccessibleName(tr("Storage of disk %1").arg(i));
        auto *size = new QLineEdit(row);
        size->setAccessibleName(tr("Size of disk %1").arg(i));
        layout->addWidget(storage, 1);
        layout->addWidget(size, 1);
        m_disksLayout->addRow(tr("#%1").arg(i), row);
        m_diskStorages.append(storage);
        m_diskSizes.append(size);
        const QString field = QStringLiteral("disk%1").arg(i);
        connect(storage, &QComboBox::currentIndexChanged, this,
                [this, field] { commit(field + QStringLiteral("-storage")); });
        connect(size, &QLineEdit::textEdited, this,
                [this, field] { commit(field + QStringLiteral("-size")); });
    }
}

void PropertiesPanel::refresh()
{
    const plan::Vm *vm = m_document ? m_document->plan().vm(m_name) : nullptr;
    m_form->setVisible(vm);
    m_empty->setVisible(!vm);
    if (!vm)
        return;
    if (vm->disks.size() != m_diskSizes.size())
        rebuildDisks();

    m_title->setText(vm->name);
    m_placement->setText(tr("%1 on %2, vmid %3")
                             .arg(plan::roleTitle(vm->role), vm->node,
                                  vm->vmid ? QString::number(*vm->vmid) : tr("assigned later")));

    // Only widgets whose value differs are touched, so a box being typed in keeps its text.
    const QSignalBlocker blockCores(m_cores);
    if (m_cores->value() != vm->cores)
        m_cores->setValue(vm->cores);
    const auto memory = rae::ByteSize::parse(m_memory->text(), rae::ByteSize::Unit::MiB);
    if (!memory || *memory != vm->memory) {
        const QSignalBlocker block(m_memory);
        m_memory->setText(vm->memory.toString());
        m_memory->setStyleSheet({});
    }
    for (qsizetype i = 0; i < vm->disks.size(); ++i) {
        const plan::Disk &disk = vm->disks[i];
        const QSignalBlocker blockStorage(m_diskStorages[i]);
        if (m_diskStorages[i]->currentText() != disk.storage)
            m_diskStorages[i]->setCurrentText(disk.storage);
        const auto size = rae::ByteSize::parse(m_diskSizes[i]->text(), rae::ByteSize::Unit::GiB);
        if (!size || *size != disk.size) {
            const QSignalBlocker block(m_diskSizes[i]);
            m_diskSizes[i]->setText(disk.size.toString());
            m_diskSizes[i]->setStyleSheet({});
        }
    }
    const QSignalBlocker blockManaged(m_haManaged);
    m_haManaged->setChecked(vm->ha.managed);
    const QSignalBlocker blockState(m_haState);
    m_haState->setCurrentIndex(m_haState->findData(int(vm->ha.state)));
    m_haState->setEnabled(vm->ha.managed);
    refreshFindings();
}

void PropertiesPanel::refreshFindings()
{
    if (!m_document || m_name.isEmpty())
        return;
    const QList<validation::Finding> &findings = m_document->findings();
    QStringList lines;
    for (const validation::Finding &finding : findings) {
        if (finding.subject.kind != validation::SubjectKind::Vm || finding.subject.name != m_name)
            continue;
        const QString colour =
            finding.severity == validation::Severity::Error     ? QStringLiteral("#c0392b")
            : finding.severity == validation::Severity::Warning ? QStringLiteral("#b9770e")
                                                                : QStringLiteral("#2c6fb0");
        lines << QStringLiteral("<span style='color:%1'>●</span> %2 <i>(%3)</i>")
                     .arg(colour, finding.message.toHtmlEscaped(), finding.ruleId);
    }
    m_findings->setText(lines.isEmpty() ? tr("No rule has anything to say about this VM.")
                                        : lines.join(QStringLiteral("<br>")));
}

void PropertiesPanel::markInvalid(QLineEdit *editor, const QString &problem)
{
    editor->setStyleSheet(QString::fromLatin1(kInvalidStyle));
    m_problem->setText(problem);
}

void PropertiesPanel::commit(const QString &field)
{
    const plan::Vm *current = m_document ? m_document->plan().vm(m_name) : nullptr;
    if (!current)
        return;
    plan::Vm vm = *current;
    m_problem->clear();

    vm.cores = m_cores->value();
    if (auto memory = rae::ByteSize::parse(m_memory->text(), rae::ByteSize::Unit::MiB);
        memory && memory->bytes() > 0) {
        vm.memory = *memory;
        m_memory->setStyleSheet({});
    } else {
        markInvalid(m_memory, memory ? tr("Memory must be more than zero.")
                                     : tr("Memory: %1").arg(memory.error().message));
        return;
    }
    for (qsizetype i = 0; i < vm.disks.size() && i < m_diskSizes.size(); ++i) {
        vm.disks[i].storage = m_diskStorages[i]->currentText();
        auto size = rae::ByteSize::parse(m_diskSizes[i]->text(), rae::ByteSize::Unit::GiB);
        if (!size || size->bytes() == 0) {
            markInvalid(m_diskSizes[i], size ? tr("A disk needs a size.")
                                             : tr("Disk %1: %2").arg(i).arg(size.error().message));
            return;
        }
        vm.disks[i].size = *size;
        m_diskSizes[i]->setStyleSheet({});
    }
    vm.ha.managed = m_haManaged->isChecked();
    vm.ha.state = plan::HaState(m_haState->currentData().toInt());
    m_haState->setEnabled(vm.ha.managed);
    m_document->editVm(m_name, vm, field);
}

} // namespace rae::gui
