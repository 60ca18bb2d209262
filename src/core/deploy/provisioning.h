#pragma once

#include "deploy/envfile.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace rae::deploy {

// Where the runner puts things in the guest (through the agent's file-write).
inline constexpr char kGuestScriptPath[] = "/root/rae-provision.sh";
// The service passwords the scripts need, as `NAME=value` lines, mode 0600. Kept apart from the
// scripts so that a script can be shown and exported without a secret in it.
inline constexpr char kGuestSecretsPath[] = "/root/.rae-secrets";
inline constexpr char kGuestEnvPath[] = "/opt/rae/.env";
// An API VM tagged `rae-version-<ref>` is provisioned with that Git ref of RAE (blue-green
// upgrades tag their VMs so); without the tag, the repository's default branch.
inline constexpr char kVersionTagPrefix[] = "rae-version-";

// The provisioning script of one VM: idempotent bash (safe to run again), generated from the
// plan and the addresses the VMs got. It reads passwords from kGuestSecretsPath only.
QByteArray provisioningScript(const plan::Plan &plan, const plan::Vm &vm,
                              const ServiceAddresses &addresses);

// The gateway's script with its upstreams set to `apiUpstreams` (addresses, without port)
// instead of the plan's API VMs: what switches the gateway between two API tiers.
QByteArray gatewayProvisioningScript(const plan::Plan &plan, const plan::Vm &gateway,
                                     const QStringList &apiUpstreams);

// The secrets file for a role (only the passwords that role needs); empty when it needs none.
QByteArray guestSecrets(const plan::Vm &vm, const ServiceSecrets &secrets);

} // namespace rae::deploy
