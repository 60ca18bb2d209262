#include "monitoringpanel.h"

#include "alertsmodel.h"
#include "clustersession.h"

#include "deploy/servicesecrets.h"
#include "monitor/clock.h"
#include "monitor/collector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSettings>
#include <QTime>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <memory>

Q_LOGGING_CATEGORY(lcMonitoring, "raedeploy.gui.monitoring")

namespace rae::gui {

namespace {

using monitor::SeriesKey;

constexpr auto kSaveInterval = std::chrono::minutes(5);

QString seriesId(const SeriesKey &key)
{
    return key.metric + QLatin1Char('|') + key.subject;
}

// The newest value of a series, for figures that change rarely (a GPU's total memory).
std::optional<double> newestValue(const monitor::MetricStore &store, const SeriesKey &key)
{
    const qint64 newest = store.newestMs(key);
    if (newest == 0)
        return std::nullopt;
    const QList<monitor::Sample> last =
        store.samples(key, newest, newest, monitor::Resolution::Native);
    if (last.isEmpty() || !std::isfinite(last.last().value))
        return std::nullopt;
    return last.last().value;
}

// A cluster name as a folder name: letters, digits, dot, dash and underscore only.
QString folderName(const QString &cluster)
{
    QString name = cluster;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    return name.isEmpty() || name.startsWith(QLatin1Char('.')) ? QStringLiteral("cluster") + name
                                                               : name;
}

} // namespace

MonitoringPanel::MonitoringPanel(QNetworkAccessManager *network, QSettings *settings,
                                 const QString &dataFolder, QWidget *parent)
    : QWidget(parent)
    , m_network(network)
    , m_settings(settings)
    , m_dataFolder(dataFolder)
    , m_thresholds(AlertsThresholds::load(settings))
{
    setObjectName(QStringLiteral("monitoringPanel"));
    m_alerts = new monitor::AlertEngine(m_thresholds.applyTo(monitor::defaultAlertRules()), this);
    m_alertsModel = new AlertsModel(this);
    connect(m_alerts, &monitor::AlertEngine::raised, this, [this](const monitor::Alert &alert) {
        qCInfo(lcMonitoring) << "alert raised" << alert.ruleId << alert.subject;
        m_alertsModel->raise(alert);
        emit alertRaised(alert);
        emit alertsChanged();
    });
    connect(m_alerts, &monitor::AlertEngine::cleared, this, [this](const monitor::Alert &alert) {
        qCInfo(lcMonitoring) << "alert cleared" << alert.ruleId << alert.subject;
        m_alertsModel->clear(alert);
        emit alertCleared(alert);
        emit alertsChanged();
    });
    m_status = tr("Not collecting: connect a cluster.");

    m_redraw.setInterval(std::chrono::seconds(1));
    connect(&m_redraw, &QTimer::timeout, this, [this] {
        // A hidden panel (a tab behind another dock) costs nothing; showing it redraws.
        if (isVisible())
            refresh();
    });
    m_redraw.start();
    m_saveTimer.setInterval(kSaveInterval);
    connect(&m_saveTimer, &QTimer::timeout, this, [this] { save(); });
}

ChartWidget *MonitoringPanel::latencyChart()
{
    ensureCharts();
    return m_latency;
}

ChartWidget *MonitoringPanel::gpuChart()
{
    ensureCharts();
    return m_gpu;
}

ChartWidget *MonitoringPanel::replicationChart()
{
    ensureCharts();
    return m_replication;
}

ChartWidget *MonitoringPanel::nodeLoadChart()
{
    ensureCharts();
    return m_nodeLoad;
}

void MonitoringPanel::setStatus(const QString &text)
{
    m_status = text;
    if (m_statusLabel)
        m_statusLabel->setText(text);
}

void MonitoringPanel::ensureCharts()
{
    if (hasCharts())
        return;

    m_latency = new ChartWidget(this);
    m_latency->setObjectName(QStringLiteral("latencyChart"));
    m_latency->setTitle(tr("Latency"));
    m_latency->setUnit(tr("ms"));
    m_latency->setEmptyText(tr("No latency measured yet"));
    m_gpu = new ChartWidget(this);
    m_gpu->setObjectName(QStringLiteral("gpuChart"));
    m_gpu->setTitle(tr("GPU"));
    m_gpu->setUnit(tr("%"));
    m_gpu->setValueRange(std::pair(0.0, 100.0));
    m_gpu->setEmptyText(tr("No GPU data yet: no running LLM VM has reported through nvidia-smi"));
    m_replication = new ChartWidget(this);
    m_replication->setObjectName(QStringLiteral("replicationChart"));
    m_replication->setTitle(tr("Replication lag"));
    m_replication->setUnit(tr("s"));
    m_replication->setEmptyText(tr("No replication job seen yet"));
    m_nodeLoad = new ChartWidget(this);
    m_nodeLoad->setObjectName(QStringLiteral("nodeLoadChart"));
    m_nodeLoad->setTitle(tr("Node load"));
    m_nodeLoad->setUnit(tr("%"));
    m_nodeLoad->setValueRange(std::pair(0.0, 100.0));
    m_nodeLoad->setEmptyText(tr("No node figures yet"));

    m_rangeBox = new QComboBox(this);
    m_rangeBox->setObjectName(QStringLiteral("rangeBox"));
    m_rangeBox->addItem(tr("5 minutes"), int(ChartRange::FiveMinutes));
    m_rangeBox->addItem(tr("1 hour"), int(ChartRange::Hour));
    m_rangeBox->addItem(tr("24 hours"), int(ChartRange::Day));
    m_rangeBox->addItem(tr("30 days"), int(ChartRange::ThirtyDays));
    m_rangeBox->addItem(tr("Custom…"), int(ChartRange::Custom));
    m_rangeBox->setCurrentIndex(0);
    m_followBox = new QCheckBox(tr("Follow live"), this);
    m_followBox->setChecked(true);
    m_logBox = new QCheckBox(tr("Log scale for latency"), this);
    m_statusLabel = new QLabel(m_status, this);
    m_statusLabel->setObjectName(QStringLiteral("monitoringStatus"));
    auto *hint = new QLabel(tr("Drag over a chart to zoom, right-click to zoom out; click a "
                               "legend entry to hide its line."),
                            this);
    hint->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Range:"), this));
    controls->addWidget(m_rangeBox);
    controls->addWidget(m_followBox);
    controls->addWidget(m_logBox);
    controls->addSpacing(12);
    controls->addWidget(hint, 1);
    controls->addWidget(m_statusLabel);

    auto *grid = new QGridLayout;
    grid->setSpacing(2);
    grid->addWidget(m_latency, 0, 0);
    grid->addWidget(m_gpu, 0, 1);
    grid->addWidget(m_replication, 1, 0);
    grid->addWidget(m_nodeLoad, 1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(controls);
    layout->addLayout(grid, 1);

    for (ChartWidget *chart : charts()) {
        chart->setRange(ChartRange::FiveMinutes);
        connect(chart, &ChartWidget::rangeChanged, this,
                [this, chart] { onChartRangeChanged(chart); });
    }
    connect(m_rangeBox, &QComboBox::activated, this, [this] {
        const auto range = ChartRange(m_rangeBox->currentData().toInt());
        if (range == ChartRange::Custom)
            askCustomRange();
        else
            setRange(range);
    });
    connect(m_followBox, &QCheckBox::toggled, this, [this](bool follow) {
        if (m_syncingRange)
            return;
        m_syncingRange = true;
        for (ChartWidget *chart : charts())
            chart->setLiveFollow(follow);
        m_syncingRange = false;
        refresh();
    });
    connect(m_logBox, &QCheckBox::toggled, m_latency, &ChartWidget::setLogScale);

    if (isVisible()) {
        // Children of a shown widget would otherwise show one event later.
        for (QWidget *child : findChildren<QWidget *>(Qt::FindDirectChildrenOnly))
            child->show();
    }
    refresh(); // what the store collected before the charts existed
}

MonitoringPanel::~MonitoringPanel()
{
    detach();
}

QList<ChartWidget *> MonitoringPanel::charts() const
{
    return {m_latency, m_gpu, m_replication, m_nodeLoad};
}

void MonitoringPanel::attach(ClusterSession *session)
{
    detach();
    if (!session)
        return;
    m_session = session;
    m_passwordLookup.clear();
    ++m_passwordLookupId;
    m_storeFolder = QDir(m_dataFolder).filePath(folderName(session->profile().name));
    if (!QDir().mkpath(m_storeFolder))
        emit problem(session->profile().name,
                     tr("Cannot create %1; history will not be kept.").arg(m_storeFolder));
    m_store = monitor::MetricStore();
    if (const Status loaded = m_store.load(QDir(m_storeFolder)); !loaded) {
        // A damaged history must not stop monitoring; it is replaced at the next save.
        emit problem(session->profile().name, loaded.error().toString());
        m_store = monitor::MetricStore();
    }

    m_clock = std::make_unique<monitor::SystemClock>();
    m_scheduler = std::make_unique<monitor::Scheduler>(*m_clock, m_schedulerSettings);
    m_collector =
        std::make_unique<monitor::Collector>(m_store, *m_alerts, *m_scheduler, *m_clock, m_network);
    connect(m_collector.get(), &monitor::Collector::problem, this,
            [this](const QString &subject, const QString &message) {
                // With its time: the line stays until the next problem, long after this one
                // may have gone (a service that was still starting, say).
                const QString time = QLocale().toString(QTime::currentTime(), QLocale::ShortFormat);
                setStatus(subject.isEmpty() ? tr("%1 %2").arg(time, message)
                                            : tr("%1 %2: %3").arg(time, subject, message));
                emit problem(subject, message);
            });
    m_collector->setClient(session->client());
    m_discovery = std::make_unique<monitor::ServiceDiscovery>(session->client());
    connect(m_discovery.get(), &monitor::ServiceDiscovery::found, this,
            [this](const monitor::DiscoveredService &service) {
                qCInfo(lcMonitoring) << "monitoring" << service.name << "as"
                                     << plan::roleName(service.role) << "at" << service.address;
                addService(service);
                emit serviceFound(service);
            });
    connect(
        m_discovery.get(), &monitor::ServiceDiscovery::failed, this,
        [this](const QString &vmName, const QString &message) { emit problem(vmName, message); });

    connect(session, &ClusterSession::connected, this, &MonitoringPanel::startCollecting);
    connect(session, &ClusterSession::snapshot, this, &MonitoringPanel::discoverServices);
    if (session->client()->state() == proxmox::ProxmoxClient::State::Connected)
        startCollecting();
    else
        setStatus(tr("Waiting for %1…").arg(session->profile().name));
    m_saveTimer.start();
    lookUpRedisPassword();
    refresh();
}

void MonitoringPanel::startCollecting()
{
    ClusterSession *session = m_session.data();
    if (!session || !m_scheduler || m_scheduler->isRunning())
        return;
    qCInfo(lcMonitoring) << "collecting from" << session->profile().name;
    m_scheduler->start();
    setStatus(tr("Collecting from %1").arg(session->profile().name));
    discoverServices();
}

void MonitoringPanel::discoverServices()
{
    ClusterSession *session = m_session.data();
    if (!session || !m_discovery || !session->hasSnapshot())
        return;
    m_discovery->discover(session->lastSnapshot().guests, m_plan ? &*m_plan : nullptr);
}

void MonitoringPanel::setPlan(const std::optional<plan::Plan> &plan)
{
    m_plan = plan;
    lookUpRedisPassword();
}

void MonitoringPanel::setCredentialStore(secrets::CredentialStore *store)
{
    m_credentials = store;
    reloadRedisPassword();
}

void MonitoringPanel::reloadRedisPassword()
{
    m_passwordLookup.clear();
    lookUpRedisPassword();
}

void MonitoringPanel::lookUpRedisPassword()
{
    ClusterSession *session = m_session.data();
    if (session == nullptr || m_credentials == nullptr ||
        session == m_explicitPasswordSession.data())
        return;
    QStringList clusters{session->profile().name};
    if (m_plan)
        clusters.append(m_plan->cluster.name);
    const QString account =
        m_plan ? deploy::redisPasswordAccount(*m_plan) : QStringLiteral("redis_password");
    // Every edit of the plan comes here; the keychain is asked again only for other names.
    const QString lookup = clusters.join(QLatin1Char('\n')) + QLatin1Char('\n') + account;
    if (lookup == m_passwordLookup)
        return;
    m_passwordLookup = lookup;
    const quint64 id = ++m_passwordLookupId;
    QPointer<ClusterSession> asked = session;
    deploy::findRedisPassword(m_credentials, clusters, m_plan ? &*m_plan : nullptr, this,
                              [this, id, asked](const deploy::StoredRedisPassword &found) {
                                  // A newer lookup, another session, or a password given for this
                                  // one meanwhile.
                                  ClusterSession *answered = asked.data();
                                  if (id != m_passwordLookupId || answered == nullptr ||
                                      answered != m_session.data() ||
                                      answered == m_explicitPasswordSession.data())
                                      return;
                                  if (found.password.isEmpty())
                                      qCInfo(lcMonitoring)
                                          << "no Redis password in the keychain for"
                                          << answered->profile().name << "- probing without AUTH";
                                  m_redisPasswordMissing = found.missing;
                                  applyRedisPassword(answered, found.password);
                              });
}

monitor::ServicePorts MonitoringPanel::servicePorts() const
{
    monitor::ServicePorts ports =
        m_plan ? monitor::ServicePorts::fromPlan(*m_plan) : monitor::ServicePorts();
    ClusterSession *session = m_session.data();
    if (session != nullptr && session == m_explicitPasswordSession.data()) {
        ports.redisPassword = m_explicitPassword;
    } else if (session != nullptr && session == m_secretsSession.data()) {
        ports.redisPassword = m_redisPassword;
        ports.redisPasswordMissing = m_redisPasswordMissing;
    }
    if (isDemoSession()) {
        ports.gatewayPort = m_demoGatewayPort;
        ports.gatewayCa = m_demoGatewayCa;
        // Its certificate names the VM's address, not the plan's public host name.
        ports.tlsHostname.clear();
    }
    return ports;
}

bool MonitoringPanel::isDemoSession() const
{
    ClusterSession *session = m_session.data();
    return session != nullptr && session == m_demoSession.data() && m_demoGatewayPort != 0;
}

void MonitoringPanel::setRedisPassword(ClusterSession *session, const QString &password)
{
    // Kept apart from the keychain's, which follows the attached session: the demo's password
    // stays its own while other clusters come and go.
    m_explicitPasswordSession = session;
    m_explicitPassword = password;
    reprobeRedis(session);
}

void MonitoringPanel::applyRedisPassword(ClusterSession *session, const QString &password)
{
    m_secretsSession = session;
    m_redisPassword = password;
    reprobeRedis(session);
}

void MonitoringPanel::reprobeRedis(ClusterSession *session)
{
    if (!m_discovery || !m_collector || session != m_session.data())
        return;
    // A Redis VM found before the password came is probed again, with it.
    for (const monitor::DiscoveredService &service : m_discovery->services()) {
        if (service.role == plan::Role::Redis)
            addService(service);
    }
}

void MonitoringPanel::trustDemoGateway(ClusterSession *session, quint16 port)
{
    m_demoSession = session;
    m_demoGatewayPort = port;
    m_demoGatewayCa.clear();
}

namespace {
constexpr std::chrono::seconds kGatewayRetry{5};
constexpr int kGatewayAttempts = 120; // ten minutes: a deployment's gateway is provisioned last
} // namespace

void MonitoringPanel::addService(const monitor::DiscoveredService &service)
{
    if (!m_collector)
        return;
    if (service.role == plan::Role::Gateway && isDemoSession() && m_demoGatewayCa.isEmpty() &&
        !service.address.isEmpty()) {
        fetchDemoGatewayCertificate(service, 1);
        return;
    }
    monitor::addToCollector(*m_collector, service, servicePorts());
}

void MonitoringPanel::fetchDemoGatewayCertificate(const monitor::DiscoveredService &service,
                                                  int attempt)
{
    // Until the certificate is known the gateway is probed without it, so that a gateway that
    // never comes up shows as failing, as in the CLI's demo.
    monitor::addToCollector(*m_collector, service, servicePorts());
    QPointer<ClusterSession> session = m_session;
    monitor::fetchPeerCertificate(
        service.address, m_demoGatewayPort, this,
        [this, service, session, attempt](const QList<QSslCertificate> &chain) {
            // Another cluster attached meanwhile: the demo's gateway is none of its business.
            if (!m_collector || m_session != session || !isDemoSession())
                return;
            if (chain.isEmpty()) {
                // Not serving yet: its provisioning starts the gateway last. Ask again shortly.
                if (attempt < kGatewayAttempts)
                    QTimer::singleShot(kGatewayRetry, this, [this, service, session, attempt] {
                        if (m_collector && m_session == session && m_demoGatewayCa.isEmpty())
                            fetchDemoGatewayCertificate(service, attempt + 1);
                    });
                return;
            }
            m_demoGatewayCa = chain;
            qCInfo(lcMonitoring).noquote()
                << "trusting the demo gateway's certificate for this session:" << service.address
                << chain.constFirst().digest(QCryptographicHash::Sha256).toHex(':');
            monitor::addToCollector(*m_collector, service, servicePorts());
        });
}

void MonitoringPanel::detach()
{
    if (!m_collector)
        return;
    m_scheduler->stop();
    save();
    if (ClusterSession *session = m_session.data())
        session->disconnect(this);
    m_discovery.reset();
    m_collector.reset();
    m_scheduler.reset();
    m_clock.reset();
    m_session = nullptr;
    m_saveTimer.stop();
    setStatus(tr("Not collecting: connect a cluster."));
}

bool MonitoringPanel::isCollecting() const
{
    return m_scheduler && m_scheduler->isRunning();
}

Status MonitoringPanel::save()
{
    if (m_storeFolder.isEmpty())
        return Done{};
    // TODO: the file is written on the GUI thread (a few ms at the demo's rates, 0.2 s for a
    // full day of 20 series at 1 s); move it to a worker with a snapshot of the store when the
    // store can hand one out cheaply.
    Status saved = m_store.save(QDir(m_storeFolder));
    if (!saved) {
        qCWarning(lcMonitoring) << "history not saved:" << saved.error().toString();
        emit problem(QString(), saved.error().toString());
    }
    return saved;
}

void MonitoringPanel::setRedrawInterval(std::chrono::milliseconds interval)
{
    m_redraw.setInterval(interval);
}

void MonitoringPanel::setSchedulerSettings(const monitor::SchedulerSettings &settings)
{
    m_schedulerSettings = settings;
}

void MonitoringPanel::setRange(ChartRange range)
{
    ensureCharts();
    m_syncingRange = true;
    for (ChartWidget *chart : charts()) {
        chart->setLiveFollow(m_followBox->isChecked());
        chart->setRange(range);
    }
    m_rangeBox->setCurrentIndex(m_rangeBox->findData(int(range)));
    m_syncingRange = false;
    refresh();
}

void MonitoringPanel::onChartRangeChanged(ChartWidget *chart)
{
    if (m_syncingRange)
        return;
    // A zoom on one chart moves all four, so that they stay comparable.
    m_syncingRange = true;
    for (ChartWidget *other : charts()) {
        if (other != chart && chart->range() == ChartRange::Custom)
            other->setCustomRange(chart->fromMs(), chart->toMs());
    }
    m_rangeBox->setCurrentIndex(m_rangeBox->findData(int(chart->range())));
    m_followBox->setChecked(chart->liveFollow());
    m_syncingRange = false;
    refresh();
}

void MonitoringPanel::askCustomRange()
{
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Custom Range"));
    auto *from = new QDateTimeEdit(QDateTime::fromMSecsSinceEpoch(m_latency->fromMs()), dialog);
    auto *to = new QDateTimeEdit(QDateTime::fromMSecsSinceEpoch(m_latency->toMs()), dialog);
    from->setCalendarPopup(true);
    to->setCalendarPopup(true);
    auto *form = new QFormLayout(dialog);
    form->addRow(tr("From:"), from);
    form->addRow(tr("To:"), to);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::finished, this, [this, from, to](int result) {
        const qint64 fromMs = from->dateTime().toMSecsSinceEpoch();
        const qint64 toMs = to->dateTime().toMSecsSinceEpoch();
        if (result != QDialog::Accepted || toMs <= fromMs) {
            m_rangeBox->setCurrentIndex(m_rangeBox->findData(int(m_latency->range())));
            return;
        }
        m_syncingRange = true;
        for (ChartWidget *chart : charts())
            chart->setCustomRange(fromMs, toMs);
        m_followBox->setChecked(false);
        m_syncingRange = false;
        refresh();
    });
    dialog->open();
}

void MonitoringPanel::setThresholds(const AlertsThresholds &thresholds)
{
    m_thresholds = thresholds;
    m_thresholds.save(m_settings);
    m_alerts->setRules(m_thresholds.applyTo(monitor::defaultAlertRules()));
    if (hasCharts())
        refreshChart(m_replication);
}

QSet<QString> MonitoringPanel::alertedItems() const
{
    QHash<QString, int> vmidByName;
    if (const ClusterSession *session = m_session.data(); session && session->hasSnapshot()) {
        for (const cluster::GuestResource &guest : session->lastSnapshot().guests)
            vmidByName.insert(guest.name, guest.vmid);
    }
    QSet<QString> items;
    for (const monitor::Alert &alert : m_alertsModel->active()) {
        // Subjects are nodes, VM names, HA sids (`vm:101`), replication jobs (`101-0`) and GPUs
        // (`llm-1/gpu0`); the graph knows nodes by name and live VMs as `vm:<vmid>`.
        QString subject = alert.subject.section(QLatin1Char('/'), 0, 0);
        static const QRegularExpression job(QStringLiteral("^(\\d+)-\\d+$"));
        if (const auto match = job.match(subject); match.hasMatch())
            subject = QStringLiteral("vm:") + match.captured(1);
        items.insert(subject);
        if (const auto vmid = vmidByName.constFind(subject); vmid != vmidByName.cend())
            items.insert(QStringLiteral("vm:") + QString::number(*vmid));
    }
    return items;
}

void MonitoringPanel::refresh()
{
    if (!hasCharts())
        return; // the store has it all; the charts read it when they are built
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (ChartWidget *chart : charts()) {
        chart->setNow(now);
        refreshChart(chart);
    }
}

void MonitoringPanel::refreshChart(ChartWidget *chart)
{
    const qint64 from = chart->fromMs();
    const qint64 to = chart->toMs();
    const int width = chart->plotWidth();
    QStringList ids;
    // One read per series: the tier the width can show, thinned where it lies.
    const auto read = [&](const SeriesKey &key) {
        const monitor::Resolution tier = m_store.resolutionForWidth(key, from, to, width);
        return m_store.thinnedPoints(key, from, to, width, tier);
    };
    const auto show = [&](const SeriesKey &key, const QString &label, QList<QPointF> points) {
        const QString id = seriesId(key);
        ids.append(id);
        chart->setSeries(id, label, points);
    };

    QList<SeriesKey> keys = m_store.keys();
    std::sort(keys.begin(), keys.end(), [](const SeriesKey &a, const SeriesKey &b) {
        return std::pair(a.metric, a.subject) < std::pair(b.metric, b.subject);
    });

    if (chart == m_latency) {
        for (const SeriesKey &key : std::as_const(keys)) {
            if (key.metric == QLatin1String("latency.proxmox_api")) {
                show(key, tr("Proxmox API"), read(key));
            } else if (key.metric.startsWith(QLatin1String("latency."))) {
                show(key, tr("%1 (%2)").arg(key.subject, key.metric.mid(8)), read(key));
            } else if (key.metric.startsWith(QLatin1String("api_sees."))) {
                show(key, tr("%1 seen from the API").arg(key.metric.mid(9)), read(key));
            }
        }
    } else if (chart == m_gpu) {
        for (const SeriesKey &key : std::as_const(keys)) {
            if (key.metric == QLatin1String("gpu.utilization")) {
                show(key, tr("%1 utilisation").arg(key.subject), read(key));
            } else if (key.metric == QLatin1String("gpu.memory_used_mib")) {
                // Memory as a share of the GPU's total, so that both lines fit one 0–100 axis.
                const auto total =
                    newestValue(m_store, {QStringLiteral("gpu.memory_total_mib"), key.subject});
                if (!total || *total <= 0.0)
                    continue;
                QList<QPointF> points = read(key);
                for (QPointF &point : points)
                    point.setY(point.y() * 100.0 / *total);
                show(key, tr("%1 memory").arg(key.subject), points);
            }
        }
    } else if (chart == m_replication) {
        // The threshold is the alert's: the factor times the shortest interval a job's schedule
        // allows, which the collector's lag and ratio give back (lag / ratio = interval).
        double interval = std::numeric_limits<double>::infinity();
        for (const SeriesKey &key : std::as_const(keys)) {
            if (key.metric != QLatin1String("replication.lag_s"))
                continue;
            show(key, tr("job %1").arg(key.subject), read(key));
            const auto lag = newestValue(m_store, key);
            const auto ratio =
                newestValue(m_store, {QStringLiteral("replication.lag_ratio"), key.subject});
            if (lag && ratio && *ratio > 0.0)
                interval = std::min(interval, *lag / *ratio);
        }
        if (std::isfinite(interval)) {
            const double threshold = m_thresholds.replicationLagFactor * interval;
            chart->setThreshold(threshold, tr("alert above %1 s (%2 × interval)")
                                               .arg(QString::number(threshold, 'f', 0))
                                               .arg(m_thresholds.replicationLagFactor));
        } else {
            chart->setThreshold(std::nullopt);
        }
    } else if (chart == m_nodeLoad) {
        for (const SeriesKey &key : std::as_const(keys)) {
            if (key.metric == QLatin1String("node.cpu_percent"))
                show(key, tr("%1 CPU").arg(key.subject), read(key));
            else if (key.metric == QLatin1String("node.memory_percent"))
                show(key, tr("%1 memory").arg(key.subject), read(key));
        }
    }
    chart->retainSeries(ids);
}

} // namespace rae::gui
