#pragma once

#include "common/result.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace rae::deploy {

// What will run on the VMs, for the admin to read or export before applying: each VM's
// provisioning script and, for an API VM, its `.env` with the passwords masked. Both are made from
// the plan alone (planned static addresses), as an apply would make them; the CLI's `scripts`
// command and the desktop application's Scripts dialog show and write the same files.

struct ScriptFile
{
    QString fileName;  // in the export folder: "<vm>.sh" or "<vm>.env"
    QString guestPath; // where an apply writes it in the guest
    QByteArray content;
};

// The VMs an export covers: all of the plan's, or the one named. An unknown name is an error
// that lists the plan's VMs.
Result<QList<const plan::Vm *>> scriptVms(const plan::Plan &plan, const QString &onlyVm = {});

// One comment line about a VM, translated: "# rae-db (101) on pve1, role database: <path>".
QString scriptHeading(const plan::Vm &vm, const QString &guestPath);

// The API VMs' `.env` with every password masked, from the plan's planned addresses; two comment
// lines at the top say so and that VMs on DHCP get their addresses at apply time.
QByteArray maskedApiEnv(const plan::Plan &plan);

// The files of one VM: its script, then for an API VM its masked `.env`.
QList<ScriptFile> scriptFiles(const plan::Plan &plan, const plan::Vm &vm);

// Writes the files of the VMs `scriptVms(plan, onlyVm)` gives into `dir` (created when missing),
// each replaced atomically (QSaveFile) and left with mode 0644. `written` gets the paths written,
// in order, also when a later file fails. Small files: fine on the GUI thread.
Status exportScripts(const plan::Plan &plan, const QString &dir, const QString &onlyVm = {},
                     QStringList *written = nullptr);

} // namespace rae::deploy
