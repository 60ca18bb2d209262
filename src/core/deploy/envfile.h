#pragma once

#include "common/result.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace rae::deploy {

// The passwords RAE's services share. They come from the keychain (or are generated once and
// stored there) and are written only into the guests; nothing else keeps them.
struct ServiceSecrets
{
    QString databasePassword;
    QString redisPassword;
};

// The internal addresses the VMs actually got (no prefix length), by role. Empty when the plan
// has no VM of that role.
struct ServiceAddresses
{
    QString db;
    QString vector;
    QString redis;
    QString llm;
};

struct EnvEntry
{
    QString key;
    QString value;
    QString masked; // the value with every secret part replaced; equal to value when none
    bool isSecret() const { return value != masked; }
};

enum class SecretDisplay
{
    Masked,
    Revealed
};

// A password of `bytes` random bytes from the operating system's CSPRNG, base64url without padding,
// so it needs no quoting in a URL, a .env file or a shell script.
Result<QString> generatePassword(int bytes = 24);

// The first internal address a plan VM is given, without the prefix; empty for DHCP.
QString plannedInternalAddress(const plan::Plan &plan, const plan::Vm &vm);
// Addresses from the plan alone (static addresses); the runner replaces them with what the guest
// agent reports when the plan uses DHCP.
ServiceAddresses plannedAddresses(const plan::Plan &plan);

// The API VMs' environment, in a stable order.
QList<EnvEntry> apiEnvironment(const plan::Plan &plan, const ServiceAddresses &addresses,
                               const ServiceSecrets &secrets);

// `KEY=value` lines; values with characters a .env parser may split are single-quoted.
QByteArray renderEnv(const QList<EnvEntry> &entries, SecretDisplay display);

} // namespace rae::deploy
