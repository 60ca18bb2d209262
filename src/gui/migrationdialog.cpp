#include "migrationdialog.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace rae::gui {

namespace {

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &item : value.toArray())
        out << item.toString();
    return out;
}

bool truthy(const QJsonValue &value)
{
    // The API sends booleans as 0/1, and some releases as JSON booleans or strings.
    if (value.isBool())
        return value.toBool();
    if (value.isString())
        return value.toString() == QLatin1String("1");
    return value.toInt() != 0;
}

} // namespace

Result<MigrationPreconditions> MigrationPreconditions::parse(const QJsonValue &data)
{
    if (!data.isObject())
        return Error{QCoreApplication::translate("rae::gui::MigrationDialog",
                                                 "The cluster's migration check is not readable."),
                     {},
                     {}};
    const QJsonObject object = data.toObject();
    MigrationPreconditions checks;
    checks.running = truthy(object.value(QStringLiteral("running")));
    for (const QJsonValue &value : object.value(QStringLiteral("local_disks")).toArray()) {
        const QJsonObject disk = value.toObject();
        checks.localDisks.append({disk.value(QStringLiteral("drivename")).toString(),
                                  disk.value(QStringLiteral("volid")).toString(),
                                  disk.value(QStringLiteral("size")).toInteger(),
                                  truthy(disk.value(QStringLiteral("cdrom")))});
    }
    checks.localResources = strings(object.value(QStringLiteral("local_resources")));
    const QJsonObject info = object.value(QStringLiteral("mapped-resource-info")).toObject();
    for (const QString &key : strings(object.value(QStringLiteral("mapped-resources"))))
        checks.mappingOf.insert(
            key, info.value(key).toObject().value(QStringLiteral("name")).toString());
    checks.allowedNodes = strings(object.value(QStringLiteral("allowed_nodes")));

    const QJsonObject refused = object.value(QStringLiteral("not_allowed_nodes")).toObject();
    for (auto it = refused.begin(); it != refused.end(); ++it) {
        const QJsonObject reasons = it.value().toObject();
        QStringList text;
        for (const QString &storage :
             strings(reasons.value(QStringLiteral("unavailable_storages"))))
            text << QCoreApplication::translate("rae::gui::MigrationDialog",
                                                "storage %1 does not exist there")
                        .arg(storage);
        for (const QString &key : strings(reasons.value(QStringLiteral("unavailable-resources")))) {
            const QString mapping = checks.mappingOf.value(key);
            text << (mapping.isEmpty()
                         ? QCoreApplication::translate("rae::gui::MigrationDialog",
                                                       "device %1 is not available there")
                               .arg(key)
                         : QCoreApplication::translate("rae::gui::MigrationDialog",
                                                       "the mapping %1 (%2) has no device there")
                               .arg(mapping, key));
        }
        for (const QString &sid : strings(reasons.value(QStringLiteral("blocking-ha-resources"))))
            text << QCoreApplication::translate("rae::gui::MigrationDialog",
                                                "HA resource %1 must stay apart from it")
                        .arg(sid);
        if (text.isEmpty())
            text << QCoreApplication::translate("rae::gui::MigrationDialog",
                                                "the cluster does not allow it");
        checks.refused.insert(it.key(), text);
    }
    return checks;
}

MigrationDialog::MigrationDialog(const MigrationRequest &request,
                                 const MigrationPreconditions &checks, QWidget *parent)
    : QDialog(parent)
    , m_request(request)
{
    setObjectName(QStringLiteral("migrationDialog"));
    setWindowTitle(request.back ? tr("Migrate Back") : tr("Migrate VM"));
    auto *layout = new QVBoxLayout(this);

    const QString who =
        QStringLiteral("<b>%1</b> (%2)").arg(request.name.toHtmlEscaped()).arg(request.vmid);
    auto *headline = new QLabel(
        request.back ? tr("Undo the last migration: move %1 from %2 back to %3?")
                           .arg(who, request.source, request.target)
                     : tr("Move %1 from %2 to %3?").arg(who, request.source, request.target));
    headline->setWordWrap(true);
    layout->addWidget(headline);

    QStringList facts;
    if (checks.refused.contains(request.target)) {
        m_canProceed = false;
        m_blocking = tr("The cluster refuses %1 as the target: %2.")
                         .arg(request.target,
                              checks.refused.value(request.target).join(QStringLiteral("; ")));
        facts << QStringLiteral("<span style='color:#b3261e'>%1</span>")
                     .arg(m_blocking.toHtmlEscaped());
    }
    if (!checks.localDisks.isEmpty()) {
        QStringList disks;
        for (const MigrationPreconditions::LocalDisk &disk : checks.localDisks)
            disks << QStringLiteral("%1 %2 (%3)")
                         .arg(disk.drive, disk.volid, QLocale().formattedDataSize(disk.size));
        facts << tr("Local disks are copied over the network to %1: %2.")
                     .arg(request.target, disks.join(QStringLiteral(", ")).toHtmlEscaped());
    }
    if (!checks.localResources.isEmpty()) {
        QStringList devices;
        for (const QString &key : checks.localResources) {
            const QString mapping = checks.mappingOf.value(key);
            devices << (mapping.isEmpty() ? key : QStringLiteral("%1 (%2)").arg(key, mapping));
        }
        facts << tr("Local devices %1 tie the running VM to its node: it cannot move while it "
                    "runs.")
                     .arg(devices.join(QStringLiteral(", ")).toHtmlEscaped());
    }
    if (request.haManaged)
        facts << tr("The VM is HA-managed: the HA manager moves it, and its HA rules still "
                    "apply.");
    if (!checks.running)
        facts << tr("The VM is not running: it moves offline.");
    if (!facts.isEmpty()) {
        auto *factsLabel =
            new QLabel(QStringLiteral("<ul style='margin-left:-20px'><li>%1</li></ul>")
                           .arg(facts.join(QStringLiteral("</li><li>"))));
        factsLabel->setObjectName(QStringLiteral("migrationFacts"));
        factsLabel->setWordWrap(true);
        factsLabel->setTextFormat(Qt::RichText);
        layout->addWidget(factsLabel);
    }

    const bool liveBlocked = checks.running && !checks.localResources.isEmpty();
    if (request.haManaged) {
        if (checks.running) {
            addChoice(MigrationMethod::HaMigrate,
                      liveBlocked ? tr("Live migration through HA (not possible: local devices)")
                                  : tr("Live migration through HA: the VM keeps running"),
                      !liveBlocked);
            addChoice(
                MigrationMethod::HaRelocate,
                tr("Relocate through HA: stop it, move it, start it on %1").arg(request.target),
                true);
        } else {
            addChoice(MigrationMethod::HaMigrate, tr("Migrate through HA"), true);
        }
    } else if (checks.running) {
        addChoice(MigrationMethod::Online,
                  liveBlocked ? tr("Live migration (not possible: local devices)")
                              : tr("Live migration: the VM keeps running"),
                  !liveBlocked);
        addChoice(
            MigrationMethod::ShutdownAndMove,
            tr("Offline migration: shut it down, move it, start it on %1").arg(request.target),
            true);
    } else {
        addChoice(MigrationMethod::Offline, tr("Offline migration"), true);
    }
    for (QRadioButton *choice : std::as_const(m_choices)) {
        layout->addWidget(choice);
        choice->setEnabled(choice->isEnabled() && m_canProceed);
    }
    if (!offeredMethods().isEmpty())
        choose(offeredMethods().first());

    if (!checks.localDisks.isEmpty() && !request.haManaged) {
        m_localDisks = new QCheckBox(tr("Copy the local disks (needed to move them)"));
        m_localDisks->setChecked(true);
        layout->addWidget(m_localDisks);
    }

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton *migrate = m_buttons->addButton(request.back ? tr("&Migrate Back") : tr("&Migrate"),
                                                QDialogButtonBox::AcceptRole);
    migrate->setObjectName(QStringLiteral("migrateButton"));
    migrate->setEnabled(m_canProceed && !offeredMethods().isEmpty());
    // A cluster action is never the default: Enter alone must not start it.
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
}

QRadioButton *MigrationDialog::addChoice(MigrationMethod method, const QString &text, bool enabled)
{
    auto *button = new QRadioButton(text, this);
    button->setEnabled(enabled);
    m_choices.insert(method, button);
    return button;
}

QList<MigrationMethod> MigrationDialog::offeredMethods() const
{
    QList<MigrationMethod> methods;
    for (auto it = m_choices.begin(); it != m_choices.end(); ++it) {
        if (it.value()->isEnabled())
            methods << it.key();
    }
    return methods;
}

void MigrationDialog::choose(MigrationMethod method)
{
    if (QRadioButton *button = m_choices.value(method); button && button->isEnabled())
        button->setChecked(true);
}

MigrationMethod MigrationDialog::method() const
{
    for (auto it = m_choices.begin(); it != m_choices.end(); ++it) {
        if (it.value()->isChecked())
            return it.key();
    }
    return m_choices.isEmpty() ? MigrationMethod::Offline : m_choices.firstKey();
}

bool MigrationDialog::withLocalDisks() const
{
    return m_localDisks && m_localDisks->isChecked();
}

} // namespace rae::gui
