#include "plan/planwriter.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

#include <yaml-cpp/yaml.h>

namespace rae::plan {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::plan::PlanWriter)
};

YAML::Emitter &operator<<(YAML::Emitter &out, const QString &text)
{
    return out << text.toStdString();
}

void writeStringList(YAML::Emitter &out, const char *key, const QStringList &items)
{
    if (items.isEmpty())
        return;
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const QString &item : items)
        out << item;
    out << YAML::EndSeq;
}

QString releaseText(Release release)
{
    switch (release) {
    case Release::Pve8:
        return QStringLiteral("8");
    case Release::Pve9:
        return QStringLiteral("9");
    case Release::Detect:
        break;
    }
    return QStringLiteral("detect");
}

void writeCluster(YAML::Emitter &out, const Cluster &cluster)
{
    out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << cluster.name;
    if (!cluster.endpoints.isEmpty()) {
        out << YAML::Key << "endpoints" << YAML::Value << YAML::BeginSeq;
        for (const QString &endpoint : cluster.endpoints)
            out << endpoint;
        out << YAML::EndSeq;
    }
    out << YAML::Key << "release" << YAML::Value << releaseText(cluster.release);
    out << YAML::Key << "ha_scheduler" << YAML::Value
        << (cluster.haScheduler == HaScheduler::Static ? "static" : "basic");
    out << YAML::EndMap;
}

void writeNodes(YAML::Emitter &out, const QList<Node> &nodes)
{
    out << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
    for (const Node &node : nodes) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << node.name;
        out << YAML::Key << "threads" << YAML::Value << node.threads;
        out << YAML::Key << "memory" << YAML::Value << node.memory.toString();
        if (node.maintenance)
            out << YAML::Key << "maintenance" << YAML::Value << true;
        if (!node.gpus.isEmpty()) {
            out << YAML::Key << "gpus" << YAML::Value << YAML::BeginSeq;
            for (const GpuMapping &gpu : node.gpus) {
                out << YAML::BeginMap << YAML::Key << "mapping" << YAML::Value << gpu.mapping;
                if (!gpu.model.isEmpty())
                    out << YAML::Key << "model" << YAML::Value << gpu.model;
                out << YAML::EndMap;
            }
            out << YAML::EndSeq;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void writeStorages(YAML::Emitter &out, const QList<Storage> &storages)
{
    if (storages.isEmpty())
        return;
    out << YAML::Key << "storages" << YAML::Value << YAML::BeginSeq;
    for (const Storage &storage : storages) {
        out << YAML::BeginMap;
        out << YAML::Key << "id" << YAML::Value << storage.id;
        out << YAML::Key << "type" << YAML::Value << storageTypeName(storage.type);
        out << YAML::Key << "shared" << YAML::Value << storage.shared;
        writeStringList(out, "nodes", storage.nodes);
        if (!storage.storageClass.isEmpty())
            out << YAML::Key << "class" << YAML::Value << storage.storageClass;
        if (!storage.pool.isEmpty())
            out << YAML::Key << "pool" << YAML::Value << storage.pool;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void writeOptional(YAML::Emitter &out, const char *key, const QString &value)
{
    if (!value.isEmpty())
        out << YAML::Key << key << YAML::Value << value;
}

void writeNetworks(YAML::Emitter &out, const Networks &networks)
{
    out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
    const InternalNetwork &internal = networks.internal;
    out << YAML::Key << "internal" << YAML::Value << YAML::BeginMap;
    writeOptional(out, "bridge", internal.bridge);
    if (internal.vlan > 0)
        out << YAML::Key << "vlan" << YAML::Value << internal.vlan;
    writeOptional(out, "vnet", internal.vnet);
    writeOptional(out, "subnet", internal.subnet);
    writeOptional(out, "gateway", internal.gateway);
    out << YAML::EndMap;

    const PublicNetwork &publicNet = networks.publicNet;
    if (!publicNet.bridge.isEmpty()) {
        out << YAML::Key << "public" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "bridge" << YAML::Value << publicNet.bridge;
        if (publicNet.vlan > 0)
            out << YAML::Key << "vlan" << YAML::Value << publicNet.vlan;
        writeOptional(out, "subnet", publicNet.subnet);
        writeOptional(out, "gateway", publicNet.gateway);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void writeHa(YAML::Emitter &out, const HaSettings &ha)
{
    if (ha == HaSettings{})
        return;
    out << YAML::Key << "ha" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "managed" << YAML::Value << ha.managed;
    if (ha.state != HaState::Started)
        out << YAML::Key << "state" << YAML::Value << haStateName(ha.state);
    if (!ha.nodePriorities.isEmpty()) {
        out << YAML::Key << "nodes" << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (auto it = ha.nodePriorities.cbegin(); it != ha.nodePriorities.cend(); ++it)
            out << YAML::Key << it.key() << YAML::Value << it.value();
        out << YAML::EndMap;
    }
    if (ha.strict)
        out << YAML::Key << "strict" << YAML::Value << true;
    out << YAML::Key << "max_restart" << YAML::Value << ha.maxRestart;
    out << YAML::Key << "max_relocate" << YAML::Value << ha.maxRelocate;
    if (!ha.failback)
        out << YAML::Key << "failback" << YAML::Value << false;
    writeStringList(out, "anti_affinity", ha.antiAffinity);
    out << YAML::EndMap;
}

void writeVm(YAML::Emitter &out, const Vm &vm)
{
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << vm.name;
    if (vm.vmid)
        out << YAML::Key << "vmid" << YAML::Value << *vm.vmid;
    else
        out << YAML::Key << "vmid" << YAML::Value << "auto";
    out << YAML::Key << "node" << YAML::Value << vm.node;
    out << YAML::Key << "cores" << YAML::Value << vm.cores;
    out << YAML::Key << "memory" << YAML::Value << vm.memory.toString();
    writeOptional(out, "template", vm.templateRef);
    writeOptional(out, "pool", vm.pool);
    if (vm.gpuMapping)
        out << YAML::Key << "gpu" << YAML::Value << *vm.gpuMapping;

    out << YAML::Key << "disks" << YAML::Value << YAML::BeginSeq;
    for (const Disk &disk : vm.disks) {
        out << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "storage" << YAML::Value << disk.storage;
        out << YAML::Key << "size" << YAML::Value << disk.size.toString();
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    out << YAML::Key << "nics" << YAML::Value << YAML::BeginSeq;
    for (const Nic &nic : vm.nics) {
        out << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "network" << YAML::Value
            << (nic.network == NetworkRef::Public ? "public" : "internal");
        out << YAML::Key << "address" << YAML::Value << nic.address;
        if (!nic.firewall)
            out << YAML::Key << "firewall" << YAML::Value << false;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    writeStringList(out, "tags", vm.tags);
    writeHa(out, vm.ha);
    if (!vm.replication.isEmpty()) {
        out << YAML::Key << "replication" << YAML::Value << YAML::BeginSeq;
        for (const Replication &job : vm.replication) {
            out << YAML::Flow << YAML::BeginMap;
            out << YAML::Key << "target" << YAML::Value << job.target;
            out << YAML::Key << "schedule" << YAML::Value << job.schedule;
            if (job.rateMBps > 0)
                out << YAML::Key << "rate" << YAML::Value << job.rateMBps;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
}

void writeRoles(YAML::Emitter &out, const Plan &plan)
{
    out << YAML::Key << "roles" << YAML::Value << YAML::BeginMap;
    for (Role role : kAllRoles) {
        const QList<const Vm *> vms = plan.vmsWithRole(role);
        if (vms.isEmpty())
            continue;
        out << YAML::Key << roleName(role) << YAML::Value << YAML::BeginMap;
        if (role == Role::Api)
            out << YAML::Key << "replicas" << YAML::Value << plan.apiReplicas;
        if (role == Role::Llm) {
            out << YAML::Key << "backend" << YAML::Value << llmBackendName(plan.llm.backend);
            writeStringList(out, "models", plan.llm.models);
        }
        if (role == Role::Gateway) {
            out << YAML::Key << "kind" << YAML::Value << gatewayKindName(plan.gateway.kind);
            writeOptional(out, "public_address", plan.gateway.publicAddress);
            writeOptional(out, "tls_hostname", plan.gateway.tlsHostname);
        }
        out << YAML::Key << "vms" << YAML::Value << YAML::BeginSeq;
        for (const Vm *vm : vms)
            writeVm(out, *vm);
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void writeBackups(YAML::Emitter &out, const QList<BackupJob> &backups)
{
    if (backups.isEmpty())
        return;
    out << YAML::Key << "backups" << YAML::Value << YAML::BeginSeq;
    for (const BackupJob &job : backups) {
        out << YAML::BeginMap;
        out << YAML::Key << "id" << YAML::Value << job.id;
        out << YAML::Key << "storage" << YAML::Value << job.storage;
        out << YAML::Key << "schedule" << YAML::Value << YAML::DoubleQuoted << job.schedule;
        writeStringList(out, "vms", job.vms);
        out << YAML::Key << "mode" << YAML::Value << backupModeName(job.mode);
        if (job.retention != Retention{}) {
            const Retention &keep = job.retention;
            out << YAML::Key << "retention" << YAML::Value << YAML::Flow << YAML::BeginMap;
            const std::pair<const char *, int> counts[] = {{"keep_last", keep.keepLast},
                                                           {"keep_daily", keep.keepDaily},
                                                           {"keep_weekly", keep.keepWeekly},
                                                           {"keep_monthly", keep.keepMonthly},
                                                           {"keep_yearly", keep.keepYearly}};
            for (const auto &[key, count] : counts) {
                if (count > 0)
                    out << YAML::Key << key << YAML::Value << count;
            }
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void writeRae(YAML::Emitter &out, const RaeSettings &rae)
{
    out << YAML::Key << "rae" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "database" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << rae.databaseName;
    out << YAML::Key << "user" << YAML::Value << rae.databaseUser;
    out << YAML::Key << "port" << YAML::Value << rae.databasePort;
    out << YAML::EndMap;
    out << YAML::Key << "ports" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "api" << YAML::Value << rae.apiPort;
    out << YAML::Key << "qdrant" << YAML::Value << rae.qdrantPort;
    out << YAML::Key << "qdrant_grpc" << YAML::Value << rae.qdrantGrpcPort;
    out << YAML::Key << "redis" << YAML::Value << rae.redisPort;
    out << YAML::Key << "llm" << YAML::Value << rae.llmPort;
    out << YAML::EndMap;
    out << YAML::Key << "redis_db" << YAML::Value << rae.redisDb;
    if (rae.llmBackend)
        out << YAML::Key << "llm_backend" << YAML::Value << llmBackendName(*rae.llmBackend);
    writeOptional(out, "llm_url", rae.llmUrl);
    writeOptional(out, "default_model", rae.defaultModel);
    if (!rae.secrets.isEmpty()) {
        out << YAML::Key << "secrets" << YAML::Value << YAML::BeginMap;
        for (auto it = rae.secrets.cbegin(); it != rae.secrets.cend(); ++it)
            out << YAML::Key << it.key() << YAML::Value << it.value();
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

// The parsed tree of `yaml` in one canonical text, to compare two texts by meaning.
std::string canonical(const std::string &yaml)
{
    try {
        YAML::Emitter out;
        out << YAML::Load(yaml);
        return out.c_str();
    } catch (const YAML::Exception &) {
        return {};
    }
}

} // namespace

QByteArray writePlan(const Plan &plan)
{
    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::BeginMap;
    out << YAML::Key << "schema" << YAML::Value << plan.schemaVersion;
    writeCluster(out, plan.cluster);
    writeNodes(out, plan.nodes);
    writeStorages(out, plan.storages);
    writeNetworks(out, plan.networks);
    if (!plan.defaultTemplate.isEmpty() || !plan.defaultPool.isEmpty()) {
        out << YAML::Key << "defaults" << YAML::Value << YAML::BeginMap;
        writeOptional(out, "template", plan.defaultTemplate);
        writeOptional(out, "pool", plan.defaultPool);
        out << YAML::EndMap;
    }
    if (plan.access != Access{}) {
        out << YAML::Key << "access" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "user" << YAML::Value << plan.access.user;
        if (!plan.access.sshKeys.isEmpty()) {
            out << YAML::Key << "ssh_keys" << YAML::Value << YAML::BeginSeq;
            for (const SshKey &key : plan.access.sshKeys)
                out << key.text;
            out << YAML::EndSeq;
        }
        out << YAML::EndMap;
    }
    writeRoles(out, plan);
    writeBackups(out, plan.backups);
    writeRae(out, plan.rae);
    if (plan.validation != ValidationSettings{}) {
        out << YAML::Key << "validation" << YAML::Value << YAML::BeginMap << YAML::Key
            << "cpu_overcommit" << YAML::Value << plan.validation.cpuOvercommit << YAML::EndMap;
    }
    out << YAML::EndMap;

    QByteArray text(out.c_str());
    text.append('\n');
    return text;
}

QList<int> commentLines(const QByteArray &yaml)
{
    // A `#` after a blank or at the start of a line begins a comment, unless it sits inside a
    // quoted or block scalar. Rather than re-implement YAML's scanner, cut the text from each
    // such `#` and let yaml-cpp say whether the document still means the same.
    const std::string original = yaml.toStdString();
    const std::string meaning = canonical(original);
    QList<int> lines;
    qsizetype lineStart = 0;
    for (int line = 1; lineStart < yaml.size(); ++line) {
        qsizetype lineEnd = yaml.indexOf('\n', lineStart);
        if (lineEnd < 0)
            lineEnd = yaml.size();
        for (qsizetype at = yaml.indexOf('#', lineStart); at >= 0 && at < lineEnd;
             at = yaml.indexOf('#', at + 1)) {
            if (at != lineStart && yaml[at - 1] != ' ' && yaml[at - 1] != '\t')
                continue;
            std::string cut = original;
            cut.erase(std::size_t(at), std::size_t(lineEnd - at));
            if (canonical(cut) == meaning) {
                lines.append(line);
                break;
            }
        }
        lineStart = lineEnd + 1;
    }
    return lines;
}

Status writePlanFile(const QString &path, const Plan &plan, CommentPolicy comments)
{
    if (comments == CommentPolicy::Keep) {
        QFile existing(path);
        if (existing.open(QIODevice::ReadOnly)) {
            const QList<int> lines = commentLines(existing.readAll());
            if (!lines.isEmpty()) {
                QStringList numbers;
                for (int line : lines)
                    numbers.append(QString::number(line));
                return Error{
                    Tr::tr("saving would remove %n comment(s) written in the file (line %1)",
                           nullptr, int(lines.size()))
                        .arg(numbers.join(QStringLiteral(", "))),
                    Tr::tr("save under a new name, or confirm that the comments may go"), path};
            }
        }
    }

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error{Tr::tr("cannot write the plan: %1").arg(file.errorString()),
                     Tr::tr("check that the folder exists and that you may write to it"), path};
    }
    const QByteArray text = writePlan(plan);
    if (file.write(text) != text.size() || !file.commit()) {
        return Error{Tr::tr("cannot write the plan: %1").arg(file.errorString()),
                     Tr::tr("the previous file is unchanged; check free space and try again"),
                     path};
    }
    return Done{};
}

} // namespace rae::plan
