#pragma once

#include "deploy/envfile.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QString>

namespace rae::deploy {

// Where the runner puts things in the guest (through the agent's file-write).
inline constexpr char kGuestScriptPath[] = "/root/rae-provision.sh";
// The service passwords the scripts need, as `NAME=value` lines, mode 0600. Kept apart from the
// scripts so that a script can be shown and exported without a secret in it.
inline constexpr char kGuestSecretsPath[] = "/root/.rae-secrets";
inline constexpr char kGuestEnvPath[] = "/opt/rae/.env";

// The provisioning script of one VM: idempotent bash (safe to run again), generated from the
// plan and the addresses the VMs got. It reads passwords from kGuestSecretsPath only.
QByteArray provisioningScript(const plan::Plan &plan, const plan::Vm &vm,
                              const ServiceAddresses &addresses);

// The secrets file for a role (only the passwords that role needs); empty when it needs none.
QByteArray guestSecrets(const plan::Vm &vm, const ServiceSecrets &secrets);

} // namespace rae::deploy
