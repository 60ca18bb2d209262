#pragma once

#include "common/result.h"

#include <QDialog>
#include <QJsonValue>
#include <QMap>
#include <QStringList>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QRadioButton;

namespace rae::gui {

// What `GET /nodes/{node}/qemu/{vmid}/migrate` says about moving a guest, as values.
struct MigrationPreconditions
{
    struct LocalDisk
    {
        QString drive; // scsi0, efidisk0, ...
        QString volid;
        qint64 size = 0;
        bool cdrom = false;
    };

    bool running = false;
    QList<LocalDisk> localDisks;
    QStringList localResources;         // config keys that rule out a live migration (hostpci0)
    QMap<QString, QString> mappingOf;   // config key → resource mapping name, where mapped
    QStringList allowedNodes;           // nodes the guest may go to
    QMap<QString, QStringList> refused; // node → why not, for people

    static Result<MigrationPreconditions> parse(const QJsonValue &data);
};

// How a guest is moved. Each way is a short list of Proxmox calls; see LiveMigration.
enum class MigrationMethod
{
    Online,          // qemu migrate --online: the guest keeps running
    Offline,         // qemu migrate of a stopped guest
    ShutdownAndMove, // shut down, migrate offline, start on the target: local devices forbid live
    HaMigrate,       // the HA manager migrates it (live for a running guest)
    HaRelocate,      // the HA manager stops it, moves it and starts it again
};

// One move the user asked for.
struct MigrationRequest
{
    int vmid = 0;
    QString name;
    QString source;
    QString target;
    bool haManaged = false;
    bool running = false;
    bool back = false; // the undo of an earlier migration
};

// The confirmation of a live-mode move: what the cluster says stands in the way (local disks,
// local devices such as a GPU, HA), the ways that remain, and the choice. Nothing is sent before
// the user accepts; the dialog itself sends nothing.
class MigrationDialog final : public QDialog
{
    Q_OBJECT

public:
    MigrationDialog(const MigrationRequest &request, const MigrationPreconditions &checks,
                    QWidget *parent = nullptr);

    const MigrationRequest &request() const { return m_request; }
    MigrationMethod method() const;
    bool withLocalDisks() const;
    // The methods the dialog offers as enabled, in order; the first is the default choice.
    QList<MigrationMethod> offeredMethods() const;
    bool canProceed() const { return m_canProceed; }
    QString blockingReason() const { return m_blocking; }
    void choose(MigrationMethod method);

private:
    QRadioButton *addChoice(MigrationMethod method, const QString &text, bool enabled);

    MigrationRequest m_request;
    QMap<MigrationMethod, QRadioButton *> m_choices;
    QCheckBox *m_localDisks = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_canProceed = true;
    QString m_blocking;
};

} // namespace rae::gui
