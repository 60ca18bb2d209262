#include "clustercommands.h"

#include "clusteraccess.h"

#include "cluster/inventory.h"
#include "cluster/profile.h"
#include "proxmox/client.h"
#include "secrets/credentialstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

#include <cstdio>
#include <optional>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Cluster)
};

using cluster::ClusterProfile;

void printError(QTextStream &err, const QString &message, const QString &hint = {})
{
    err << Tr::tr("error: %1").arg(message) << '\n';
    if (!hint.isEmpty())
        err << "  " << Tr::tr("hint: %1").arg(hint) << '\n';
    err.flush();
}

bool stdinIsTerminal()
{
#ifdef Q_OS_UNIX
    return isatty(STDIN_FILENO);
#else
    return false;
#endif
}

// Reads one line from standard input; with `hidden`, the terminal does not echo it.
QString readLine(bool hidden)
{
#ifdef Q_OS_UNIX
    termios saved{};
    const bool restore = hidden && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
#else
    Q_UNUSED(hidden);
#endif
    QFile in;
    QString line;
    if (in.open(stdin, QIODevice::ReadOnly | QIODevice::Text))
        line = QString::fromUtf8(in.readLine()).trimmed();
#ifdef Q_OS_UNIX
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputc('\n', stderr);
    }
#endif
    return line;
}

// The keychain calls below wait for their answer: the command has nothing else to do.
std::optional<secrets::SecretError>
writeSecret(secrets::CredentialStore &store, const ClusterProfile &profile, const QString &secret)
{
    QEventLoop loop;
    std::optional<secrets::SecretError> failure;
    store.write(profile.name, profile.account(), secret, &loop,
                [&](const secrets::SecretResult<Done> &result) {
                    if (!result)
                        failure = result.error();
                    loop.quit();
                });
    loop.exec();
    return failure;
}

proxmox::Credentials credentialsFor(const ClusterProfile &profile, const QString &secret)
{
    if (profile.auth == ClusterProfile::Auth::ApiToken)
        return proxmox::Credentials::apiToken(profile.user, profile.tokenName, secret);
    return proxmox::Credentials::password(profile.user, secret);
}

// Connects and waits; the trust callback decides about certificates nobody pinned yet.
std::optional<proxmox::ApiError> connectAndWait(proxmox::ProxmoxClient &client,
                                                const proxmox::Credentials &credentials)
{
    QEventLoop loop;
    std::optional<proxmox::ApiError> failure;
    QObject::connect(&client, &proxmox::ProxmoxClient::connected, &loop, &QEventLoop::quit);
    QObject::connect(&client, &proxmox::ProxmoxClient::connectionFailed, &loop,
                     [&](const proxmox::ApiError &error) {
                         failure = error;
                         loop.quit();
                     });
    client.connectToCluster(credentials);
    loop.exec();
    return failure;
}

int addCluster(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Add a cluster profile: connect once, pin the certificate, keep the secret in "
               "the keychain."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("name"), Tr::tr("A name for the cluster."));
    const QCommandLineOption endpoint(QStringLiteral("endpoint"),
                                      Tr::tr("A node's API address (repeat for more nodes)."),
                                      QStringLiteral("url"));
    const QCommandLineOption user(QStringLiteral("user"), Tr::tr("The user, such as deployer@pve."),
                                  QStringLiteral("user@realm"));
    const QCommandLineOption token(QStringLiteral("token"),
                                   Tr::tr("Use the user's API token with this id (recommended)."),
                                   QStringLiteral("id"));
    const QCommandLineOption secretStdin(
        QStringLiteral("secret-stdin"),
        Tr::tr("Read the token secret or password from standard input instead of asking."));
    const QCommandLineOption fingerprint(
        QStringLiteral("fingerprint"),
        Tr::tr("Trust the node certificate with this SHA-256 fingerprint without asking."),
        QStringLiteral("AA:BB:..."));
    parser.addOptions({endpoint, user, token, secretStdin, fingerprint});
    if (!parser.parse(QStringList{QStringLiteral("cluster add")} + arguments)) {
        printError(err, parser.errorText(), Tr::tr("see rae-deploy-cli cluster add --help"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(err, Tr::tr("name the cluster once"),
                   Tr::tr("rae-deploy-cli cluster add NAME --endpoint URL --user USER@REALM "
                          "[--token ID]"));
        return 2;
    }

    ClusterProfile profile;
    profile.name = parser.positionalArguments().constFirst();
    profile.endpoints = parser.values(endpoint);
    profile.user = parser.value(user);
    profile.auth =
        parser.isSet(token) ? ClusterProfile::Auth::ApiToken : ClusterProfile::Auth::Password;
    profile.tokenName = parser.value(token);
    if (const Status checked = cluster::checkProfile(profile); !checked) {
        printError(err, checked.error().message, checked.error().hint);
        return 2;
    }

    const QString approvedFingerprint = proxmox::normalizeFingerprint(parser.value(fingerprint));
    if (parser.isSet(fingerprint) && approvedFingerprint.isEmpty()) {
        printError(err, Tr::tr("“%1” is not a SHA-256 fingerprint").arg(parser.value(fingerprint)),
                   Tr::tr("copy it from the node's Certificates panel or from the output of "
                          "`pvenode cert info`"));
        return 2;
    }

    // Secrets come from a prompt or standard input, never from the command line, where other
    // users could read them in the process list.
    const bool interactive = stdinIsTerminal();
    if (!parser.isSet(secretStdin) && !interactive) {
        printError(err, Tr::tr("there is no terminal to ask for the secret"),
                   Tr::tr("pipe it in with --secret-stdin"));
        return 2;
    }
    if (!parser.isSet(secretStdin)) {
        err << (profile.auth == ClusterProfile::Auth::ApiToken
                    ? Tr::tr("Secret of API token %1: ").arg(profile.account())
                    : Tr::tr("Password of %1: ").arg(profile.user));
        err.flush();
    }
    const QString secret = readLine(true);
    if (secret.isEmpty()) {
        printError(err, Tr::tr("no secret was given"),
                   Tr::tr("type the token secret or password, or pipe it in with --secret-stdin"));
        return 2;
    }

    const auto settingsOwner = openProfileSettings();
    QSettings &settings = *settingsOwner;
    if (cluster::findClusterProfile(settings, profile.name)) {
        printError(err, Tr::tr("a cluster named %1 exists already").arg(profile.name),
                   Tr::tr("remove it first with `rae-deploy-cli cluster remove %1`, or choose "
                          "another name")
                       .arg(profile.name));
        return 1;
    }

    proxmox::PinStore pins(&settings, profile.name);
    proxmox::ProxmoxClient client(profile.name, profile.endpointUrls(), pins);
    bool trustAsked = false;
    client.setTrustCallback([&](const proxmox::CertificateFacts &facts, const QUrl &url,
                                std::function<void(bool)> decide) {
        trustAsked = true;
        if (!approvedFingerprint.isEmpty()) {
            if (facts.fingerprint != approvedFingerprint) {
                err << Tr::tr("The certificate of %1 is not the one you named:").arg(url.host())
                    << '\n'
                    << "  " << Tr::tr("expected: %1").arg(approvedFingerprint) << '\n'
                    << "  " << Tr::tr("received: %1").arg(facts.fingerprint) << '\n';
            }
            decide(facts.fingerprint == approvedFingerprint);
            return;
        }
        err << Tr::tr("The certificate of %1 is not vouched for by a CA this system trusts.")
                   .arg(url.host())
            << '\n'
            << facts.toText() << '\n';
        if (!interactive || parser.isSet(secretStdin)) {
            err << Tr::tr("Compare the fingerprint with the node's (Datacenter → node → "
                          "Certificates), then pass it with --fingerprint.")
                << '\n';
            err.flush();
            decide(false);
            return;
        }
        err << Tr::tr("Trust it for cluster %1? [y/N] ").arg(profile.name);
        err.flush();
        decide(readLine(false).toLower().startsWith(QLatin1Char('y')));
    });

    if (const auto failure = connectAndWait(client, credentialsFor(profile, secret))) {
        printApiError(err, *failure);
        pins.clear();
        return 1;
    }

    secrets::CredentialStore store;
    if (const auto failure = writeSecret(store, profile, secret)) {
        printError(err, failure->message, failure->hint);
        pins.clear();
        return 1;
    }
    saveClusterProfile(settings, profile);
    settings.sync();

    out << Tr::tr("Cluster %1 added: Proxmox VE %2, via %3.")
               .arg(profile.name, client.version().version, client.currentEndpoint().toString())
        << '\n';
    if (trustAsked)
        out << Tr::tr("Pinned certificates: %1").arg(pins.fingerprints().join(QStringLiteral(", ")))
            << '\n';
    return 0;
}

int listClusters(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption json(QStringLiteral("json"), Tr::tr("Print JSON."));
    parser.addOption(json);
    if (!parser.parse(QStringList{QStringLiteral("cluster list")} + arguments)) {
        printError(err, parser.errorText());
        return 2;
    }
    const auto settingsOwner = openProfileSettings();
    QSettings &settings = *settingsOwner;
    const QList<ClusterProfile> profiles = cluster::loadClusterProfiles(settings);
    if (parser.isSet(json)) {
        QJsonArray array;
        for (const ClusterProfile &profile : profiles) {
            array.append(QJsonObject{
                {QStringLiteral("name"), profile.name},
                {QStringLiteral("endpoints"), QJsonArray::fromStringList(profile.endpoints)},
                {QStringLiteral("account"), profile.account()},
                {QStringLiteral("auth"), profile.auth == ClusterProfile::Auth::ApiToken
                                             ? QStringLiteral("token")
                                             : QStringLiteral("password")},
                {QStringLiteral("pinned"),
                 QJsonArray::fromStringList(
                     proxmox::PinStore(&settings, profile.name).fingerprints())}});
        }
        out << QJsonDocument(array).toJson();
        return 0;
    }
    if (profiles.isEmpty()) {
        out << Tr::tr("No clusters yet. Add one with `rae-deploy-cli cluster add`.") << '\n';
        return 0;
    }
    for (const ClusterProfile &profile : profiles) {
        out << profile.name << "  " << profile.account() << "  "
            << profile.endpoints.join(QStringLiteral(", ")) << '\n';
    }
    return 0;
}

int removeCluster(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    if (arguments.size() != 1 || arguments.constFirst().startsWith(QLatin1Char('-'))) {
        printError(err, Tr::tr("name the cluster to remove"),
                   Tr::tr("rae-deploy-cli cluster remove NAME"));
        return 2;
    }
    const auto settingsOwner = openProfileSettings();
    QSettings &settings = *settingsOwner;
    const auto profile = cluster::findClusterProfile(settings, arguments.constFirst());
    if (!profile) {
        printError(err, Tr::tr("there is no cluster named %1").arg(arguments.constFirst()),
                   Tr::tr("see `rae-deploy-cli cluster list`"));
        return 1;
    }

    secrets::CredentialStore store;
    QEventLoop loop;
    std::optional<secrets::SecretError> failure;
    store.remove(profile->name, profile->account(), &loop,
                 [&](const secrets::SecretResult<Done> &result) {
                     if (!result)
                         failure = result.error();
                     loop.quit();
                 });
    loop.exec();
    cluster::removeClusterProfile(settings, profile->name);
    settings.sync();
    if (failure && failure->kind != secrets::SecretError::Kind::NotFound) {
        printError(err,
                   Tr::tr("the profile is gone, but its secret could not be removed: %1")
                       .arg(failure->message),
                   failure->hint);
        return 1;
    }
    out << Tr::tr("Cluster %1 removed, with its secret and pinned certificates.").arg(profile->name)
        << '\n';
    return 0;
}

QJsonObject inventoryToJson(const cluster::Inventory &inventory)
{
    QJsonArray nodes;
    for (const cluster::NodeResource &node : inventory.resources.nodes) {
        QJsonArray storages;
        for (const cluster::StorageResource &storage : inventory.resources.storages) {
            if (storage.node == node.name)
                storages.append(QJsonObject{{QStringLiteral("storage"), storage.storage},
                                            {QStringLiteral("type"), storage.pluginType},
                                            {QStringLiteral("shared"), storage.shared},
                                            {QStringLiteral("available"), storage.available}});
        }
        QJsonArray bridges;
        for (const cluster::NodeInventory &detail : inventory.nodes) {
            if (detail.name != node.name || !detail.network)
                continue;
            for (const cluster::NetworkInterface &iface : detail.network->interfaces) {
                if (iface.type == QLatin1String("bridge") ||
                    iface.type == QLatin1String("OVSBridge")) {
                    bridges.append(QJsonObject{{QStringLiteral("name"), iface.iface},
                                               {QStringLiteral("vlanAware"), iface.vlanAware},
                                               {QStringLiteral("cidr"), iface.cidr}});
                }
            }
        }
        nodes.append(
            QJsonObject{{QStringLiteral("name"), node.name},
                        {QStringLiteral("online"), node.status == cluster::NodeStatus::Online},
                        {QStringLiteral("threads"), node.maxCpu},
                        {QStringLiteral("memoryBytes"), double(node.memoryTotal)},
                        {QStringLiteral("storages"), storages},
                        {QStringLiteral("bridges"), bridges}});
    }

    QJsonArray mappings;
    for (const cluster::PciMapping &mapping : inventory.pciMappings) {
        QJsonArray onNodes;
        for (const cluster::PciMappingEntry &entry : mapping.entries)
            onNodes.append(entry.node);
        mappings.append(QJsonObject{{QStringLiteral("id"), mapping.id},
                                    {QStringLiteral("description"), mapping.description},
                                    {QStringLiteral("nodes"), onNodes}});
    }

    QJsonArray vms;
    for (const cluster::GuestResource &guest : inventory.resources.guests) {
        vms.append(QJsonObject{{QStringLiteral("vmid"), guest.vmid},
                               {QStringLiteral("name"), guest.name},
                               {QStringLiteral("node"), guest.node},
                               {QStringLiteral("status"), guest.reportedStatus},
                               {QStringLiteral("template"), guest.isTemplate},
                               {QStringLiteral("tags"), QJsonArray::fromStringList(guest.tags)},
                               {QStringLiteral("haState"), guest.haState}});
    }

    QJsonArray ha;
    for (const cluster::HaResource &resource : inventory.haResources)
        ha.append(QJsonObject{{QStringLiteral("sid"), resource.sid},
                              {QStringLiteral("state"), resource.state}});
    QJsonArray replication;
    for (const cluster::ReplicationStatus &job : inventory.replicationJobs)
        replication.append(QJsonObject{{QStringLiteral("id"), job.id},
                                       {QStringLiteral("target"), job.target},
                                       {QStringLiteral("schedule"), job.schedule}});
    QJsonArray backups;
    for (const cluster::BackupJob &job : inventory.backupJobs)
        backups.append(QJsonObject{{QStringLiteral("id"), job.id},
                                   {QStringLiteral("storage"), job.storage},
                                   {QStringLiteral("schedule"), job.schedule}});

    return QJsonObject{
        {QStringLiteral("nodes"), nodes},
        {QStringLiteral("pciMappings"), mappings},
        {QStringLiteral("vms"), vms},
        {QStringLiteral("haResources"), ha},
        {QStringLiteral("replicationJobs"), replication},
        {QStringLiteral("backupJobs"), backups},
        {QStringLiteral("problems"), QJsonArray::fromStringList(inventory.problems)}};
}

void printInventory(const cluster::Inventory &inventory, QTextStream &out)
{
    const QJsonObject json = inventoryToJson(inventory);
    out << Tr::tr("Nodes") << '\n';
    for (const QJsonValue value : json.value(QStringLiteral("nodes")).toArray()) {
        const QJsonObject node = value.toObject();
        out << "  " << node.value(QStringLiteral("name")).toString() << "  "
            << (node.value(QStringLiteral("online")).toBool() ? Tr::tr("online")
                                                              : Tr::tr("offline"))
            << "  " << Tr::tr("%1 threads").arg(node.value(QStringLiteral("threads")).toInt())
            << "  "
            << Tr::tr("%1 GiB").arg(node.value(QStringLiteral("memoryBytes")).toDouble() /
                                        double(1ull << 30),
                                    0, 'f', 0)
            << '\n';
        QStringList storages;
        for (const QJsonValue storage : node.value(QStringLiteral("storages")).toArray())
            storages.append(storage[QStringLiteral("storage")].toString() + QLatin1Char('(') +
                            storage[QStringLiteral("type")].toString() + QLatin1Char(')'));
        out << "    " << Tr::tr("storages: %1").arg(storages.join(QStringLiteral(", "))) << '\n';
        QStringList bridges;
        for (const QJsonValue bridge : node.value(QStringLiteral("bridges")).toArray())
            bridges.append(bridge[QStringLiteral("name")].toString() +
                           (bridge[QStringLiteral("vlanAware")].toBool() ? Tr::tr(" (VLAN-aware)")
                                                                         : QString()));
        out << "    " << Tr::tr("bridges: %1").arg(bridges.join(QStringLiteral(", "))) << '\n';
    }
    out << Tr::tr("PCI mappings") << '\n';
    for (const QJsonValue value : json.value(QStringLiteral("pciMappings")).toArray()) {
        QStringList nodes;
        for (const QJsonValue node : value[QStringLiteral("nodes")].toArray())
            nodes.append(node.toString());
        out << "  " << value[QStringLiteral("id")].toString() << "  "
            << value[QStringLiteral("description")].toString() << "  "
            << Tr::tr("on %1").arg(nodes.join(QStringLiteral(", "))) << '\n';
    }
    out << Tr::tr("VMs") << '\n';
    for (const cluster::GuestResource &guest : inventory.resources.guests) {
        out << "  " << guest.vmid << "  " << guest.name << "  " << guest.node << "  "
            << (guest.isTemplate ? Tr::tr("template") : guest.reportedStatus);
        if (!guest.haState.isEmpty())
            out << "  " << Tr::tr("HA: %1").arg(guest.haState);
        out << '\n';
    }
    out << Tr::tr("HA resources: %1, replication jobs: %2, backup jobs: %3")
               .arg(inventory.haResources.size())
               .arg(inventory.replicationJobs.size())
               .arg(inventory.backupJobs.size())
        << '\n';
    for (const QString &problem : inventory.problems)
        out << Tr::tr("could not read: %1").arg(problem) << '\n';
    for (const cluster::NodeInventory &node : inventory.nodes) {
        for (const QString &problem : node.problems)
            out << Tr::tr("could not read from %1: %2").arg(node.name, problem) << '\n';
    }
}

} // namespace

int runClusterCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QString action = arguments.value(0);
    if (action == QLatin1String("add"))
        return addCluster(arguments.mid(1), out, err);
    if (action == QLatin1String("list"))
        return listClusters(arguments.mid(1), out, err);
    if (action == QLatin1String("remove"))
        return removeCluster(arguments.mid(1), out, err);
    printError(err,
               action.isEmpty() ? Tr::tr("say what to do with clusters")
                                : Tr::tr("unknown action “%1”").arg(action),
               Tr::tr("rae-deploy-cli cluster add|list|remove"));
    return 2;
}

int runInventoryCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Tr::tr("Print what a cluster has."));
    parser.addHelpOption();
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"), Tr::tr("The cluster profile to use."), QStringLiteral("name"));
    const QCommandLineOption json(QStringLiteral("json"), Tr::tr("Print JSON."));
    parser.addOptions({clusterOption, json});
    if (!parser.parse(QStringList{QStringLiteral("inventory")} + arguments)) {
        printError(err, parser.errorText(), Tr::tr("rae-deploy-cli inventory --cluster NAME"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (!parser.isSet(clusterOption)) {
        printError(err, Tr::tr("name the cluster with --cluster"),
                   Tr::tr("see `rae-deploy-cli cluster list`"));
        return 2;
    }

    const auto access = connectWithProfile(parser.value(clusterOption), err);
    if (!access)
        return 1;

    cluster::InventoryLoader loader(access->client.get());
    QEventLoop loop;
    std::optional<proxmox::ApiResult<cluster::Inventory>> result;
    QObject::connect(&loader, &cluster::InventoryLoader::finished, &loop,
                     [&](const proxmox::ApiResult<cluster::Inventory> &answer) {
                         result = answer;
                         loop.quit();
                     });
    loader.load();
    loop.exec();
    if (!*result) {
        printApiError(err, result->error());
        return 1;
    }
    if (parser.isSet(json))
        out << QJsonDocument(inventoryToJson(result->value())).toJson();
    else
        printInventory(result->value(), out);
    return 0;
}

} // namespace rae::cli
