#pragma once

#include <QList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace rae::gui {

class PlanDocument;

// Edits the selected plan VM: cores, memory, disks (storage and size), HA. Each valid change is an
// undoable edit of the document, so validation reruns as the admin types; text that does not
// parse is marked in place and not applied. Shows the rules' findings about this VM below.
class PropertiesPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit PropertiesPanel(QWidget *parent = nullptr);

    void setDocument(PlanDocument *document);
    void setVm(const QString &name); // empty: nothing selected, or not a plan VM
    QString vm() const { return m_name; }

    // For tests and for the tab order: the editors.
    QSpinBox *coresEditor() const { return m_cores; }
    QLineEdit *memoryEditor() const { return m_memory; }
    QLabel *problemLabel() const { return m_problem; }

private:
    void refresh();
    void refreshFindings();
    void rebuildDisks();
    void commit(const QString &field);
    void markInvalid(QLineEdit *editor, const QString &problem);

    PlanDocument *m_document = nullptr; // the window's, which outlives this panel
    QString m_name;
    QLabel *m_title = nullptr;
    QLabel *m_placement = nullptr;
    QSpinBox *m_cores = nullptr;
    QLineEdit *m_memory = nullptr;
    QWidget *m_disksBox = nullptr;
    QFormLayout *m_disksLayout = nullptr;
    QList<QComboBox *> m_diskStorages;
    QList<QLineEdit *> m_diskSizes;
    QCheckBox *m_haManaged = nullptr;
    QComboBox *m_haState = nullptr;
    QLabel *m_problem = nullptr;
    QLabel *m_findings = nullptr;
    QWidget *m_form = nullptr;
    QLabel *m_empty = nullptr;
};

} // namespace rae::gui
