// How the monitor tells a VM's service and address: tags before the plan before the name, the
// guest agent's first IPv4 address off the loopback, and the probe each role gets.
#include "monitor/servicediscovery.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace rae;

class TestServiceDiscovery final : public QObject
{
    Q_OBJECT

private slots:
    void roleOfAGuest_data();
    void roleOfAGuest();
    void addressFromTheAgent_data();
    void addressFromTheAgent();
    void probeForEachRole_data();
    void probeForEachRole();
};

void TestServiceDiscovery::roleOfAGuest_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<bool>("withPlan");
    QTest::addColumn<int>("role"); // -1: none

    const QStringList none;
    QTest::newRow("a deployed VM is known by its rae-<role> tag")
        << "web-7" << QStringList{QStringLiteral("rae"), QStringLiteral("rae-llm")} << false
        << int(plan::Role::Llm);
    QTest::newRow("the tag wins over the plan and the name")
        << "rae-db" << QStringList{QStringLiteral("rae-vector")} << true << int(plan::Role::Vector);
    QTest::newRow("without a tag the plan names the role")
        << "rae-gateway" << none << true << int(plan::Role::Gateway);
    QTest::newRow("without tag and plan the name tells")
        << "postgres-1" << none << false << int(plan::Role::Db);
    QTest::newRow("a gateway named for its API is still a gateway")
        << "rae-gateway-api" << none << false << int(plan::Role::Gateway);
    QTest::newRow("a vLLM VM is an LLM VM") << "vllm-a" << none << false << int(plan::Role::Llm);
    QTest::newRow("a tag that is no role is ignored")
        << "bastion" << QStringList{QStringLiteral("rae-old")} << false << -1;
    QTest::newRow("a VM that is nothing of RAE gets no role") << "bastion" << none << false << -1;
}

void TestServiceDiscovery::roleOfAGuest()
{
    QFETCH(QString, name);
    QFETCH(QStringList, tags);
    QFETCH(bool, withPlan);
    QFETCH(int, role);

    plan::Plan thePlan;
    plan::Vm gateway;
    gateway.name = QStringLiteral("rae-gateway");
    gateway.role = plan::Role::Gateway;
    thePlan.vms.append(gateway);
    plan::Vm db;
    db.name = QStringLiteral("rae-db");
    db.role = plan::Role::Db;
    thePlan.vms.append(db);

    cluster::GuestResource guest;
    guest.name = name;
    guest.tags = tags;
    const auto found = monitor::roleOf(guest, withPlan ? &thePlan : nullptr);
    QCOMPARE(found ? int(*found) : -1, role);
}

void TestServiceDiscovery::addressFromTheAgent_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("address");

    QTest::newRow("the loopback is skipped for the first NIC's IPv4")
        << QByteArray(R"({"result":[
            {"name":"lo","ip-addresses":[{"ip-address-type":"ipv4","ip-address":"127.0.0.1"}]},
            {"name":"eth0","ip-addresses":[
                {"ip-address-type":"ipv6","ip-address":"fe80::1"},
                {"ip-address-type":"ipv4","ip-address":"10.20.0.11"}]}]})")
        << QStringLiteral("10.20.0.11");
    QTest::newRow("a guest with IPv6 only gives no address")
        << QByteArray(R"({"result":[{"name":"eth0","ip-addresses":[
            {"ip-address-type":"ipv6","ip-address":"2001:db8::5"}]}]})")
        << QString();
    QTest::newRow("an answer without result gives no address") << QByteArray("{}") << QString();
}

void TestServiceDiscovery::addressFromTheAgent()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, address);
    QCOMPARE(monitor::addressFromAgent(QJsonDocument::fromJson(json).object()), address);
}

void TestServiceDiscovery::probeForEachRole_data()
{
    QTest::addColumn<int>("role");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("port");

    QTest::newRow("the database is asked for SSL")
        << int(plan::Role::Db) << int(monitor::ProbeKind::Postgres) << 5433;
    QTest::newRow("Redis gets its password")
        << int(plan::Role::Redis) << int(monitor::ProbeKind::Redis) << 6379;
    QTest::newRow("the API's /health")
        << int(plan::Role::Api) << int(monitor::ProbeKind::RaeApi) << 8000;
    QTest::newRow("vLLM answers /health")
        << int(plan::Role::Llm) << int(monitor::ProbeKind::Vllm) << 8001;
    QTest::newRow("the gateway on its own port with its CA")
        << int(plan::Role::Gateway) << int(monitor::ProbeKind::HttpsGateway) << 8443;
}

void TestServiceDiscovery::probeForEachRole()
{
    QFETCH(int, role);
    QFETCH(int, kind);
    QFETCH(int, port);

    monitor::ServicePorts ports;
    ports.rae.databasePort = 5433;
    ports.rae.llmPort = 8001;
    ports.llm = plan::LlmBackend::Vllm;
    ports.gatewayPort = 8443;
    ports.tlsHostname = QStringLiteral("rae.example.lan");
    ports.redisPassword = QStringLiteral("not-a-real-password");

    const monitor::ProbeTarget target = monitor::probeFor(plan::Role(role), QStringLiteral("vm"),
                                                          QStringLiteral("10.0.0.9"), ports);
    QCOMPARE(int(target.kind), kind);
    QCOMPARE(int(target.port), port);
    QCOMPARE(target.host, QStringLiteral("10.0.0.9"));
    QCOMPARE(target.subject, QStringLiteral("vm"));
    QCOMPARE(target.redisPassword.isEmpty(), plan::Role(role) != plan::Role::Redis);
    if (plan::Role(role) == plan::Role::Gateway)
        QCOMPARE(target.tlsPeerName, QStringLiteral("rae.example.lan"));
}

QTEST_GUILESS_MAIN(TestServiceDiscovery)
#include "tst_servicediscovery.moc"
