#include "deploy/envfile.h"

#include <QCoreApplication>
#include <QList>
#include <QRandomGenerator>

#include <algorithm>

namespace rae::deploy {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::deploy::EnvFile)
};

const QString kMask = QStringLiteral("********");

QString withoutPrefix(const QString &cidr)
{
    return cidr.section(QLatin1Char('/'), 0, 0);
}

EnvEntry plain(const QString &key, const QString &value)
{
    return {key, value, value};
}

} // namespace

Result<QString> generatePassword(int bytes)
{
    if (bytes <= 0)
        return Error{
            Tr::tr("A password must have at least one random byte (asked for %1).").arg(bytes),
            Tr::tr("Ask for a positive number of bytes."),
            {}};
    // The operating system's generator (getrandom on Linux), which Qt documents as safe for
    // secrets; OpenSSL's would cost every program that links the core a library at start-up.
    QList<quint32> words((bytes + 3) / 4);
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray raw(reinterpret_cast<const char *>(words.constData()), bytes);
    const QByteArray encoded =
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QString::fromLatin1(encoded);
}

QString plannedInternalAddress(const plan::Plan &, const plan::Vm &vm)
{
    for (const plan::Nic &nic : vm.nics) {
        if (nic.network != plan::NetworkRef::Internal)
            continue;
        if (nic.address.compare(QLatin1String("dhcp"), Qt::CaseInsensitive) == 0)
            return {};
        return withoutPrefix(nic.address);
    }
    return {};
}

ServiceAddresses plannedAddresses(const plan::Plan &plan)
{
    auto first = [&plan](plan::Role role) -> QString {
        const QList<const plan::Vm *> vms = plan.vmsWithRole(role);
        return vms.isEmpty() ? QString() : plannedInternalAddress(plan, *vms.first());
    };
    return {first(plan::Role::Db), first(plan::Role::Vector), first(plan::Role::Redis),
            first(plan::Role::Llm)};
}

QList<EnvEntry> apiEnvironment(const plan::Plan &plan, const ServiceAddresses &addresses,
                               const ServiceSecrets &secrets)
{
    const plan::RaeSettings &rae = plan.rae;
    QList<EnvEntry> entries;

    auto dbUrl = [&](const QString &password) -> QString {
        return QStringLiteral("postgresql://") + rae.databaseUser + QLatin1Char(':') + password +
               QLatin1Char('@') + addresses.db + QLatin1Char(':') +
               QString::number(rae.databasePort) + QLatin1Char('/') + rae.databaseName;
    };
    entries.append({QStringLiteral("DATABASE_URL"), dbUrl(secrets.databasePassword), dbUrl(kMask)});

    entries.append(plain(QStringLiteral("QDRANT_HOST"), addresses.vector));
    entries.append(plain(QStringLiteral("QDRANT_PORT"), QString::number(rae.qdrantPort)));
    entries.append(plain(QStringLiteral("QDRANT_URL"), QStringLiteral("http://") +
                                                           addresses.vector + QLatin1Char(':') +
                                                           QString::number(rae.qdrantPort)));

    // Redis URLs carry the password in the user-info part with an empty user name.
    auto redisUrl = [&](const QString &password) -> QString {
        const QString auth = password.isEmpty()
                                 ? QString()
                                 : QString(QLatin1Char(':') + password + QLatin1Char('@'));
        return QStringLiteral("redis://") + auth + addresses.redis + QLatin1Char(':') +
               QString::number(rae.redisPort) + QLatin1Char('/') + QString::number(rae.redisDb);
    };
    entries.append({QStringLiteral("REDIS_URL"), redisUrl(secrets.redisPassword),
                    secrets.redisPassword.isEmpty() ? redisUrl({}) : redisUrl(kMask)});

    std::optional<plan::LlmBackend> backend = rae.llmBackend;
    const bool localLlm = !plan.vmsWithRole(plan::Role::Llm).isEmpty();
    if (!backend && localLlm)
        backend = plan.llm.backend;
    if (backend)
        entries.append(plain(QStringLiteral("RAE_LLM_BACKEND"), plan::llmBackendName(*backend)));

    QString llmUrl = rae.llmUrl;
    if (localLlm && !addresses.llm.isEmpty())
        llmUrl = QStringLiteral("http://") + addresses.llm + QLatin1Char(':') +
                 QString::number(rae.llmPort);
    if (!llmUrl.isEmpty()) {
        // RAE reads OLLAMA_API_URL for Ollama; the OpenAI-compatible servers (vLLM, TGI) are
        // reached through the same variable's sibling.
        const bool ollama = !backend || *backend == plan::LlmBackend::Ollama;
        entries.append(plain(
            ollama ? QStringLiteral("OLLAMA_API_URL") : QStringLiteral("RAE_LLM_API_URL"), llmUrl));
    }

    QString model = rae.defaultModel;
    if (model.isEmpty() && !plan.llm.models.isEmpty())
        model = plan.llm.models.first();
    if (!model.isEmpty())
        entries.append(plain(QStringLiteral("RAE_LLM_MODEL_DEFAULT"), model));
    return entries;
}

QByteArray renderEnv(const QList<EnvEntry> &entries, SecretDisplay display)
{
    QByteArray out;
    out += "# Written by RAE Deploy. Secrets come from the keychain of the workstation.\n";
    for (const EnvEntry &entry : entries) {
        const QString &value = display == SecretDisplay::Revealed ? entry.value : entry.masked;
        out += entry.key.toUtf8();
        out += '=';
        const bool plainWord = std::all_of(value.cbegin(), value.cend(), [](QChar c) {
            return c.isLetterOrNumber() || QStringLiteral("-_.:/@%+*,").contains(c);
        });
        if (plainWord) {
            out += value.toUtf8();
        } else {
            QString quoted = value;
            quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
            out += '\'' + quoted.toUtf8() + '\'';
        }
        out += '\n';
    }
    return out;
}

} // namespace rae::deploy
