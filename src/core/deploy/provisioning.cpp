#include "deploy/provisioning.h"

#include "deploy/apitier.h"

#include <QStringList>

namespace rae::deploy {

namespace {

QString q(const QString &value)
{
    QString quoted = value;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString header(const plan::Vm &vm)
{
    return QStringLiteral(
               "#!/usr/bin/env bash\n"
               "# RAE Deploy provisioning for %1 (role %2). Generated from the plan;\n"
               "# safe to run again: every step checks before it changes anything.\n"
               "set -euo pipefail\n"
               "export DEBIAN_FRONTEND=noninteractive\n"
               "secrets=%3\n"
               "if [[ -r \"$secrets\" ]]; then\n"
               "  # shellcheck disable=SC1090\n"
               "  source \"$secrets\"\n"
               "fi\n"
               "need() { dpkg -s \"$1\" >/dev/null 2>&1 || apt-get install -y \"$@\"; }\n"
               "apt-get update -q\n")
        .arg(vm.name, plan::roleName(vm.role), q(QLatin1String(kGuestSecretsPath)));
}

enum class ApiVms
{
    All,     // the database admits both tiers of a blue-green change
    Serving, // the gateway proxies to the tier that serves, not to the kept one
};

QStringList apiAddresses(const plan::Plan &plan, ApiVms which = ApiVms::All)
{
    QStringList out;
    for (const plan::Vm *api : plan.vmsWithRole(plan::Role::Api)) {
        if (which == ApiVms::Serving && api->tags.contains(QLatin1String(kStandbyTag)))
            continue;
        const QString address = plannedInternalAddress(plan, *api);
        if (!address.isEmpty())
            out.append(address);
    }
    return out;
}

QString dbScript(const plan::Plan &plan, const QString &self)
{
    const plan::RaeSettings &rae = plan.rae;
    int keep = 7;
    for (const plan::BackupJob &job : plan.backups)
        if (job.retention.keepDaily > 0)
            keep = job.retention.keepDaily;
    QString hba;
    for (const QString &address : apiAddresses(plan))
        hba += QStringLiteral("hostssl %1 %2 %3/32 scram-sha-256\n")
                   .arg(rae.databaseName, rae.databaseUser, address);
    QString s;
    s += QStringLiteral("need postgresql postgresql-contrib\n"
                        "pgver=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\\n' | "
                        "sort -n | tail -n1)\n"
                        "need \"postgresql-$pgver-pgvector\"\n"
                        "conf=/etc/postgresql/$pgver/main\n"
                        "before=$(cat \"$conf/postgresql.conf\")\n");
    s += QStringLiteral("sed -i \"s/^#\\?listen_addresses.*/listen_addresses = '%1'/\" "
                        "\"$conf/postgresql.conf\"\n")
             .arg(self);
    s += QStringLiteral("sed -i \"s/^#\\?port = .*/port = %1/\" \"$conf/postgresql.conf\"\n")
             .arg(rae.databasePort);
    s += QStringLiteral("# Only the API VMs may connect; the block is replaced on every run.\n"
                        "sed -i '/^# BEGIN RAE/,/^# END RAE/d' \"$conf/pg_hba.conf\"\n"
                        "cat >>\"$conf/pg_hba.conf\" <<'EOF'\n# BEGIN RAE\n") +
         hba + QStringLiteral("# END RAE\nEOF\n");
    // A new address list only needs a reload: a blue-green upgrade adds API VMs while the
    // serving ones use the database.
    s += QStringLiteral(
        "if [[ \"$before\" != \"$(cat \"$conf/postgresql.conf\")\" ]] || "
        "! systemctl is-active -q postgresql; then\n"
        "  systemctl restart postgresql\n"
        "else\n"
        "  systemctl reload postgresql\n"
        "fi\n"
        "psql_do() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA \"$@\"; }\n");
    s += QStringLiteral("if [[ -z \"$(psql_do -c \"SELECT 1 FROM pg_roles WHERE rolname='%1'\")\" "
                        "]]; then\n  psql_do -c \"CREATE ROLE %1 LOGIN\"\nfi\n")
             .arg(rae.databaseUser);
    s += QStringLiteral("psql_do -c \"ALTER ROLE %1 PASSWORD '${RAE_DATABASE_PASSWORD}'\"\n")
             .arg(rae.databaseUser);
    s += QStringLiteral("if [[ -z \"$(psql_do -c \"SELECT 1 FROM pg_database WHERE "
                        "datname='%1'\")\" ]]; then\n  psql_do -c \"CREATE DATABASE %1 OWNER "
                        "%2\"\nfi\n")
             .arg(rae.databaseName, rae.databaseUser);
    s += QStringLiteral("psql_do -d %1 -c 'CREATE EXTENSION IF NOT EXISTS vector'\n")
             .arg(rae.databaseName);
    s += QStringLiteral(
             "# A nightly logical dump beside the PBS snapshots, %1 days kept.\n"
             "install -d -o postgres -m 0700 /var/backups/rae\n"
             "cat >/etc/systemd/system/rae-pg-dump.service <<'EOF'\n"
             "[Unit]\nDescription=RAE database dump\n[Service]\nType=oneshot\nUser=postgres\n"
             "ExecStart=/bin/sh -c 'pg_dump -Fc %2 >/var/backups/rae/%2-$(date +%%F).dump && "
             "find /var/backups/rae -name \"*.dump\" -mtime +%1 -delete'\nEOF\n"
             "cat >/etc/systemd/system/rae-pg-dump.timer <<'EOF'\n"
             "[Unit]\nDescription=Nightly RAE database dump\n[Timer]\nOnCalendar=*-*-* "
             "01:30\nPersistent=true\n[Install]\nWantedBy=timers.target\nEOF\n"
             "systemctl daemon-reload\nsystemctl enable --now rae-pg-dump.timer\n")
             .arg(keep)
             .arg(rae.databaseName);
    return s;
}

QString vectorScript(const plan::Plan &plan, const QString &self)
{
    return QStringLiteral("need docker.io\n"
                          "install -d /var/lib/qdrant\n"
                          "if ! docker inspect qdrant >/dev/null 2>&1; then\n"
                          "  docker run -d --name qdrant --restart unless-stopped \\\n"
                          "    -p %1:%2:6333 -p %1:%3:6334 -v /var/lib/qdrant:/qdrant/storage \\\n"
                          "    qdrant/qdrant\n"
                          "fi\n")
        .arg(self)
        .arg(plan.rae.qdrantPort)
        .arg(plan.rae.qdrantGrpcPort);
}

QString redisScript(const plan::Plan &plan, const QString &self)
{
    return QStringLiteral("need redis-server\n"
                          "conf=/etc/redis/redis.conf\n"
                          "sed -i \"s/^bind .*/bind %1/\" \"$conf\"\n"
                          "sed -i \"s/^port .*/port %2/\" \"$conf\"\n"
                          "sed -i '/^requirepass /d' \"$conf\"\n"
                          "printf 'requirepass %s\\n' \"${RAE_REDIS_PASSWORD}\" >>\"$conf\"\n"
                          "systemctl restart redis-server\n")
        .arg(self)
        .arg(plan.rae.redisPort);
}

// The Git ref of an API VM: the `rae-version-<ref>` tag a blue-green upgrade gives its VMs, else
// the repository's default branch.
QString apiRef(const plan::Vm &vm)
{
    for (const QString &tag : vm.tags)
        if (tag.startsWith(QLatin1String(kVersionTagPrefix)))
            return tag.mid(int(qstrlen(kVersionTagPrefix)));
    return {};
}

QString apiScript(const plan::Plan &plan, const plan::Vm &vm)
{
    const QString ref = apiRef(vm);
    QString checkout;
    if (ref.isEmpty()) {
        checkout = QStringLiteral(
            "if [[ ! -d /opt/rae/app/.git ]]; then\n"
            "  git clone --depth 1 https://github.com/rae-project/rae.git /opt/rae/app\n"
            "fi\n");
    } else {
        // A VM of one version keeps that version: a second run checks the same ref out again.
        checkout = QStringLiteral("ref=%1\n"
                                  "if [[ ! -d /opt/rae/app/.git ]]; then\n"
                                  "  git clone --depth 1 --branch \"$ref\" "
                                  "https://github.com/rae-project/rae.git /opt/rae/app\n"
                                  "else\n"
                                  "  git -C /opt/rae/app fetch --depth 1 origin \"$ref\"\n"
                                  "  git -C /opt/rae/app checkout --force FETCH_HEAD\n"
                                  "fi\n")
                       .arg(q(ref));
    }
    return QStringLiteral("need docker.io docker-compose git\n") + checkout +
           QStringLiteral("# The .env was written beside this script by RAE Deploy, mode 0600.\n"
                          "chmod 0600 %1\n"
                          "cp %1 /opt/rae/app/.env\n"
                          "cd /opt/rae/app\n"
                          "docker-compose up -d --build\n"
                          "for _ in $(seq 1 60); do\n"
                          "  curl -fsS http://127.0.0.1:%2/health >/dev/null && exit 0\n"
                          "  sleep 2\n"
                          "done\n"
                          "echo 'the RAE API did not answer /health' >&2\n"
                          "exit 1\n")
               .arg(q(QLatin1String(kGuestEnvPath)))
               .arg(plan.rae.apiPort);
}

QString llmScript(const plan::Plan &plan, const QString &self)
{
    QString s;
    if (plan.llm.backend == plan::LlmBackend::Ollama) {
        s += QStringLiteral("if ! command -v ollama >/dev/null; then\n"
                            "  curl -fsSL https://ollama.com/install.sh | sh\n"
                            "fi\n"
                            "install -d /etc/systemd/system/ollama.service.d\n"
                            "cat >/etc/systemd/system/ollama.service.d/rae.conf <<'EOF'\n"
                            "[Service]\nEnvironment=OLLAMA_HOST=%1:%2\nEOF\n"
                            "systemctl daemon-reload\nsystemctl restart ollama\n")
                 .arg(self)
                 .arg(plan.rae.llmPort);
        for (const QString &model : plan.llm.models)
            s += QStringLiteral("OLLAMA_HOST=%1:%2 ollama pull %3\n")
                     .arg(self)
                     .arg(plan.rae.llmPort)
                     .arg(q(model));
    } else {
        const QString model = plan.llm.models.value(0);
        s +=
            QStringLiteral("need docker.io\n"
                           "if ! docker inspect rae-llm >/dev/null 2>&1; then\n"
                           "  docker run -d --name rae-llm --restart unless-stopped --gpus all \\\n"
                           "    -p %1:%2:8000 vllm/vllm-openai --model %3\n"
                           "fi\n")
                .arg(self)
                .arg(plan.rae.llmPort)
                .arg(q(model));
    }
    return s;
}

QString gatewayScript(const plan::Plan &plan, const QStringList &apiUpstreams)
{
    QString upstreams;
    for (const QString &address : apiUpstreams)
        upstreams += QStringLiteral("  server %1:%2;\n").arg(address).arg(plan.rae.apiPort);
    const QString host = plan.gateway.tlsHostname;
    const QString serverName = host.isEmpty() ? QStringLiteral("_") : host;
    QString s = QStringLiteral("need nginx\n"
                               "if [[ ! -f /etc/ssl/private/rae.key ]]; then\n"
                               "  # A self-signed certificate until the admin installs their own.\n"
                               "  openssl req -x509 -newkey rsa:3072 -nodes -days 825 \\\n"
                               "    -subj %1 -keyout /etc/ssl/private/rae.key \\\n"
                               "    -out /etc/ssl/certs/rae.crt\n"
                               "fi\n"
                               "cat >/etc/nginx/sites-available/rae <<'EOF'\n"
                               "upstream rae_api {\n")
                    .arg(q(QStringLiteral("/CN=") + serverName));
    s += upstreams;
    s += QStringLiteral("}\nserver {\n  listen 443 ssl;\n  server_name %1;\n"
                        "  ssl_certificate /etc/ssl/certs/rae.crt;\n"
                        "  ssl_certificate_key /etc/ssl/private/rae.key;\n"
                        "  location / { proxy_pass http://rae_api; }\n}\n"
                        "server { listen 80; return 301 https://$host$request_uri; }\nEOF\n"
                        "ln -sf /etc/nginx/sites-available/rae /etc/nginx/sites-enabled/rae\n"
                        "rm -f /etc/nginx/sites-enabled/default\n"
                        "nginx -t\nsystemctl reload nginx\n")
             .arg(serverName);
    return s;
}

} // namespace

QByteArray provisioningScript(const plan::Plan &plan, const plan::Vm &vm, const ServiceAddresses &)
{
    const QString self = plannedInternalAddress(plan, vm);
    QString script = header(vm);
    switch (vm.role) {
    case plan::Role::Db:
        script += dbScript(plan, self);
        break;
    case plan::Role::Vector:
        script += vectorScript(plan, self);
        break;
    case plan::Role::Redis:
        script += redisScript(plan, self);
        break;
    case plan::Role::Api:
        script += apiScript(plan, vm);
        break;
    case plan::Role::Llm:
        script += llmScript(plan, self);
        break;
    case plan::Role::Gateway:
        script += gatewayScript(plan, apiAddresses(plan, ApiVms::Serving));
        break;
    }
    return script.toUtf8();
}

QByteArray gatewayProvisioningScript(const plan::Plan &plan, const plan::Vm &gateway,
                                     const QStringList &apiUpstreams)
{
    return (header(gateway) + gatewayScript(plan, apiUpstreams)).toUtf8();
}

QByteArray guestSecrets(const plan::Vm &vm, const ServiceSecrets &secrets)
{
    switch (vm.role) {
    case plan::Role::Db:
        return "RAE_DATABASE_PASSWORD=" + secrets.databasePassword.toUtf8() + '\n';
    case plan::Role::Redis:
        return "RAE_REDIS_PASSWORD=" + secrets.redisPassword.toUtf8() + '\n';
    default:
        return {};
    }
}

} // namespace rae::deploy
