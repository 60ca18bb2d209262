#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli scripts PLAN [--vm NAME] [--out DIR]`: what will run on the VMs, before any
// apply. Without --out, prints each VM's provisioning script (and an API VM's `.env`, passwords
// masked) under a heading line; with --out, writes them as DIR/<vm>.sh and DIR/<vm>.env and
// prints the paths. Exit status: 0 when done, 1 on bad arguments or a VM the plan does not have,
// 2 when the plan cannot be read, 3 when a file cannot be written.
int runScriptsCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
