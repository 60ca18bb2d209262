#include "proxmox/apierror.h"
#include "proxmox/formencoding.h"
#include "proxmox/lenient.h"
#include "proxmox/propertystring.h"
#include "proxmox/upid.h"
#include "proxmox/version.h"
#include "proxmox/vmconfig.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace rae;
using namespace rae::proxmox;

namespace {

QByteArray readCase(const char *name)
{
    QFile file(QStringLiteral(RAE_TEST_DATA_DIR "/cases/") + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open test case %s", name);
    return file.readAll();
}

// Decodes a form body the way pve-http-server does: split on `&` and `;`, `+` to space, then
// %XX. Keys may repeat.
QList<std::pair<QString, QString>> serverDecode(const QByteArray &body)
{
    QList<std::pair<QString, QString>> pairs;
    for (QByteArray piece : body.split('&')) {
        for (QByteArray part : piece.split(';')) {
            part.replace('+', ' ');
            const qsizetype equals = part.indexOf('=');
            pairs.append(
                {QString::fromUtf8(QByteArray::fromPercentEncoding(part.left(equals))),
                 QString::fromUtf8(QByteArray::fromPercentEncoding(part.mid(equals + 1)))});
        }
    }
    return pairs;
}

} // namespace

class TestProxmoxParsing final : public QObject
{
    Q_OBJECT

private slots:
    void upid_data();
    void upid();
    void upidRejected_data();
    void upidRejected();
    void upidCaseFile();

    void errorFromHttp_data();
    void errorFromHttp();
    void noSuchTask();

    void vmConfigLooseTypes();
    void vmConfigMemoryForms_data();
    void vmConfigMemoryForms();
    void propertyString();

    void lenientValues();

    void hostileSecretsSurviveFormEncoding();
    void sshKeysDoubleEncoding();
    void arraysRepeatKeys();
    void pathSegmentsEncoded();

    void version_data();
    void version();
};

void TestProxmoxParsing::upid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("node");
    QTest::addColumn<quint32>("pid");
    QTest::addColumn<quint64>("pstart");
    QTest::addColumn<qint64>("startTime");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("token");

    QTest::newRow("a task started by root with a ticket")
        << "UPID:pve1:0000A1B2:0012C3D4:6700A1B2:qmstart:104:root@pam:"
        << "pve1" << 41394u << quint64(1229780) << qint64(1728094642) << "qmstart"
        << "104"
        << "root@pam"
        << "";
    QTest::newRow("a migration started by an API token")
        << "UPID:pve2:00001F3A:00AB12CD:67A0B1C2:qmigrate:101:deployer@pve!app:"
        << "pve2" << 7994u << quint64(11211469) << qint64(1738584514) << "qmigrate"
        << "101"
        << "deployer@pve"
        << "app";
    QTest::newRow("a backup of several guests has an empty id")
        << "UPID:pve3:003D0900:05F5E100:6800C0DE:vzdump::backup@pbs:"
        << "pve3" << 4000000u << quint64(100000000) << qint64(1744879838) << "vzdump"
        << ""
        << "backup@pbs"
        << "";
    QTest::newRow("pstart grows to nine hex digits on long-running nodes")
        << "UPID:pve1:0000A1B2:1A2B3C4D5:6700A1B2:qmstart:104:root@pam:"
        << "pve1" << 41394u << quint64(7024657621) << qint64(1728094642) << "qmstart"
        << "104"
        << "root@pam"
        << "";
    QTest::newRow("lower-case hex is accepted too")
        << "UPID:pve1:0000a1b2:0012c3d4:6700a1b2:qmstart:104:root@pam:"
        << "pve1" << 41394u << quint64(1229780) << qint64(1728094642) << "qmstart"
        << "104"
        << "root@pam"
        << "";
}

void TestProxmoxParsing::upid()
{
    QFETCH(QString, text);
    const auto upid = Upid::parse(text);
    QVERIFY2(upid.ok(), qPrintable(upid ? QString() : upid.error().message));
    QCOMPARE(upid->text, text);
    QTEST(upid->node, "node");
    QTEST(upid->pid, "pid");
    QTEST(upid->pstart, "pstart");
    QTEST(upid->startTime, "startTime");
    QTEST(upid->type, "type");
    QTEST(upid->id, "id");
    QTEST(upid->user, "user");
    QTEST(upid->tokenId, "token");
}

void TestProxmoxParsing::upidRejected_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("an id with a colon makes one field too many")
        << "UPID:pve1:0000A1B2:0012C3D4:6700A1B2:hastart:vm:105:root@pam:"
        << "7 fields";
    QTest::newRow("invalid hex in the pid names the field")
        << "UPID:pve1:XYZ:0012C3D4:6700A1B2:qmstart:104:root@pam:"
        << "pid";
    QTest::newRow("a missing trailing colon")
        << "UPID:pve1:0000A1B2:0012C3D4:6700A1B2:qmstart:104:root@pam"
        << "7 fields";
    QTest::newRow("not a UPID at all") << "hello"
                                       << "UPID";
    QTest::newRow("invalid hex in the start time names the field")
        << "UPID:pve1:0000A1B2:0012C3D4:67G0A1B2:qmstart:104:root@pam:"
        << "start time";
}

void TestProxmoxParsing::upidRejected()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    const auto upid = Upid::parse(text);
    QVERIFY(!upid.ok());
    QVERIFY2(upid.error().message.contains(mentions), qPrintable(upid.error().message));
}

// The shared case file itself: every UPID line is checked against the comment after it.
void TestProxmoxParsing::upidCaseFile()
{
    const QStringList lines = QString::fromUtf8(readCase("upids.txt")).split(QLatin1Char('\n'));
    int parsed = 0;
    int rejected = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (!lines.at(i).startsWith(QLatin1String("UPID:")))
            continue;
        const QString expectation = lines.value(i + 1);
        const auto upid = Upid::parse(lines.at(i));
        if (expectation.contains(QLatin1String("rejected"))) {
            QVERIFY2(!upid.ok(), qPrintable(lines.at(i)));
            ++rejected;
            continue;
        }
        QVERIFY2(upid.ok(), qPrintable(lines.at(i)));
        static const QRegularExpression pair(QStringLiteral("(\\w+)=(\\S+)"));
        for (auto it = pair.globalMatch(expectation); it.hasNext();) {
            const auto match = it.next();
            const QString key = match.captured(1);
            const QString value = match.captured(2);
            if (key == QLatin1String("node"))
                QCOMPARE(upid->node, value);
            else if (key == QLatin1String("pid"))
                QCOMPARE(QString::number(upid->pid), value);
            else if (key == QLatin1String("pstart"))
                QCOMPARE(QString::number(upid->pstart), value);
            else if (key == QLatin1String("starttime"))
                QCOMPARE(QString::number(upid->startTime), value);
            else if (key == QLatin1String("type"))
                QCOMPARE(upid->type, value);
            else if (key == QLatin1String("id"))
                QCOMPARE(upid->id, value == QLatin1String("(empty)") ? QString() : value);
            else if (key == QLatin1String("user"))
                QCOMPARE(upid->user, value);
            else if (key == QLatin1String("token"))
                QCOMPARE(upid->tokenId, value);
        }
        ++parsed;
    }
    QCOMPARE(parsed, 4);
    QCOMPARE(rejected, 2);
}

void TestProxmoxParsing::errorFromHttp_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("serverMessage");
    QTest::addColumn<QString>("node");

    using K = ApiError::Kind;
    QTest::newRow("an expired ticket with an empty body")
        << 401 << QByteArray("permission denied - invalid PVE ticket") << QByteArray()
        << "/cluster/resources" << int(K::Authentication)
        << "permission denied - invalid PVE ticket"
        << "";
    QTest::newRow("a wrong password with a null data body")
        << 401 << QByteArray("authentication failure") << QByteArray(R"({"data":null})")
        << "/access/ticket" << int(K::Authentication) << "authentication failure"
        << "";
    QTest::newRow("a missing CSRF token")
        << 401 << QByteArray("Permission denied - invalid csrf token") << QByteArray()
        << "/nodes/pve1/qemu" << int(K::Authentication) << "Permission denied - invalid csrf token"
        << "";
    QTest::newRow("the node of a per-node call is down")
        << 595 << QByteArray("No route to host") << QByteArray() << "/nodes/pve2/status"
        << int(K::NodeUnreachable) << "No route to host"
        << "pve2";
    QTest::newRow("a forwarded call timed out after 30 seconds")
        << 596 << QByteArray("Connection timed out") << QByteArray() << "/nodes/pve3/storage"
        << int(K::NodeUnreachable) << "Connection timed out"
        << "pve3";
    QTest::newRow("a bad parameter carries the errors map")
        << 400 << QByteArray("Parameter verification failed.")
        << QByteArray(
               R"({"data":null,"errors":{"sshkeys":"invalid format - invalid urlencoded string: ssh-ed25519 AAAA..."}})")
        << "/nodes/pve1/qemu/104/config" << int(K::InvalidParameters)
        << "Parameter verification failed."
        << "";
    QTest::newRow("an unknown path is 501, not 404")
        << 501 << QByteArray("Method 'GET /nodes/pve1/qemu/104/stauts' not implemented")
        << QByteArray() << "/nodes/pve1/qemu/104/stauts" << int(K::NotFound)
        << "Method 'GET /nodes/pve1/qemu/104/stauts' not implemented"
        << "pve1";
    QTest::newRow("a VM not on that node")
        << 500 << QByteArray("Configuration file 'nodes/pve1/qemu-server/104.conf' does not exist")
        << QByteArray() << "/nodes/pve1/qemu/104/status/current" << int(K::NotFound)
        << "Configuration file 'nodes/pve1/qemu-server/104.conf' does not exist"
        << "";
    QTest::newRow("HA groups after their migration to rules")
        << 500 << QByteArray("cannot index groups: ha groups have been migrated to rules")
        << QByteArray() << "/cluster/ha/groups" << int(K::Server)
        << "cannot index groups: ha groups have been migrated to rules"
        << "";
    QTest::newRow("the body's message is preferred to the first line in the status line")
        << 500 << QByteArray("first line only")
        << QByteArray(R"({"data":null,"message":"first line only\nand the rest\n"})")
        << "/cluster/ha/rules" << int(K::Server) << "first line only\nand the rest"
        << "";
    QTest::newRow("a permission check")
        << 403 << QByteArray("Permission check failed (/vms/104, VM.PowerMgmt)")
        << QByteArray(R"({"data":null})") << "/nodes/pve1/qemu/104/status/start"
        << int(K::Permission) << "Permission check failed (/vms/104, VM.PowerMgmt)"
        << "";
    QTest::newRow("a body that is not JSON does not matter")
        << 500 << QByteArray("Internal Server Error") << QByteArray("<html>oops") << "/version"
        << int(K::Server) << "Internal Server Error"
        << "";
}

void TestProxmoxParsing::errorFromHttp()
{
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, body);
    QFETCH(QString, path);
    QFETCH(int, kind);
    QFETCH(QString, serverMessage);
    QFETCH(QString, node);

    const ApiError error = ApiError::fromHttp(status, reason, body, path);
    QCOMPARE(int(error.kind), kind);
    QCOMPARE(error.httpStatus, status);
    QCOMPARE(error.serverMessage, serverMessage);
    if (error.kind == ApiError::Kind::NodeUnreachable)
        QCOMPARE(error.node, node);
    // The server's words always reach the person reading the message.
    QVERIFY2(error.message.contains(serverMessage.section(QLatin1Char('\n'), 0, 0)),
             qPrintable(error.message));
    if (status == 400) {
        QVERIFY(error.parameterErrors.contains(QStringLiteral("sshkeys")));
        QVERIFY(error.message.contains(QLatin1String("sshkeys: invalid format")));
    }
}

void TestProxmoxParsing::noSuchTask()
{
    const ApiError error = ApiError::fromHttp(400, "Parameter verification failed.",
                                              R"({"data":null,"errors":{"upid":"no such task"}})",
                                              QStringLiteral("/nodes/pve1/tasks/x"));
    QVERIFY(error.isNoSuchTask());
    QVERIFY(!ApiError::fromHttp(400, "x", {}, {}).isNoSuchTask());
}

void TestProxmoxParsing::vmConfigLooseTypes()
{
    const QJsonObject data = QJsonDocument::fromJson(readCase("vm-config-loose-types.json"))
                                 .object()
                                 .value(QLatin1String("data"))
                                 .toObject();
    const auto config = VmConfig::fromData(data);
    QVERIFY2(config.ok(), qPrintable(config ? QString() : config.error().message));

    QCOMPARE(config->name, QStringLiteral("rae-api-1"));
    QCOMPARE(config->cores, 8);
    QCOMPARE(config->memory.mib(), quint64(32768));
    QVERIFY(config->cpuLimit.has_value());
    QCOMPARE(*config->cpuLimit, 4.5);
    QVERIFY(config->onBoot);
    QVERIFY(config->agent.enabled);
    QVERIFY(config->agent.fstrimClonedDisks);
    QCOMPARE(config->balloon, std::optional<ByteSize>(ByteSize::fromMiB(0)));

    const auto disk = std::find_if(config->disks.cbegin(), config->disks.cend(),
                                   [](const Disk &d) { return d.key == QLatin1String("scsi0"); });
    QVERIFY(disk != config->disks.cend());
    QCOMPARE(disk->storage, QStringLiteral("ceph-vm"));
    QCOMPARE(disk->volume, QStringLiteral("ceph-vm:vm-104-disk-0"));
    QCOMPARE(disk->size, std::optional<ByteSize>(ByteSize::fromGiB(64)));
    QCOMPARE(disk->options.value(QStringLiteral("iothread")), QStringLiteral("1"));

    const auto cdrom = std::find_if(config->disks.cbegin(), config->disks.cend(),
                                    [](const Disk &d) { return d.key == QLatin1String("ide2"); });
    QVERIFY(cdrom != config->disks.cend());
    QVERIFY(cdrom->cdrom);
    QVERIFY(cdrom->cloudInit);

    QCOMPARE(config->nets.size(), 1);
    QCOMPARE(config->nets.first().model, QStringLiteral("virtio"));
    QCOMPARE(config->nets.first().macAddress, QStringLiteral("BC:24:11:00:00:01"));
    QCOMPARE(config->nets.first().bridge, QStringLiteral("vmbr1"));
    QCOMPARE(config->nets.first().vlanTag, std::optional<int>(20));
    QVERIFY(config->nets.first().firewall);

    QCOMPARE(config->pciDevices.size(), 1);
    QCOMPARE(config->pciDevices.first().mapping, QStringLiteral("gpu-l4"));
    QVERIFY(config->pciDevices.first().pcie);
    QVERIFY(config->pciDevices.first().hostIds.isEmpty());

    QCOMPARE(config->ipConfigs.value(0), QStringLiteral("ip=10.20.0.14/24,gw=10.20.0.1"));
    QCOMPARE(config->tags, QStringList({QStringLiteral("rae"), QStringLiteral("rae-api")}));
}

void TestProxmoxParsing::vmConfigMemoryForms_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<quint64>("mib");
    QTest::addColumn<bool>("agent");

    QTest::newRow("memory as a number, agent as 1")
        << QByteArray(R"({"memory":16384,"agent":1})") << quint64(16384) << true;
    QTest::newRow("memory as a string, agent as a property string")
        << QByteArray(R"({"memory":"65536","agent":"enabled=1,fstrim_cloned_disks=1"})")
        << quint64(65536) << true;
    QTest::newRow("memory as a property string with current=")
        << QByteArray(R"({"memory":"current=2048","agent":"0"})") << quint64(2048) << false;
    QTest::newRow("everything omitted falls back to the server's defaults")
        << QByteArray("{}") << quint64(512) << false;
}

void TestProxmoxParsing::vmConfigMemoryForms()
{
    QFETCH(QByteArray, json);
    const auto config = VmConfig::fromData(QJsonDocument::fromJson(json).object());
    QVERIFY(config.ok());
    QTEST(config->memory.mib(), "mib");
    QTEST(config->agent.enabled, "agent");
}

void TestProxmoxParsing::propertyString()
{
    const auto net =
        PropertyString::parse(QStringLiteral("virtio,bridge=vmbr0"), QStringLiteral("model"));
    QVERIFY(net.ok());
    QCOMPARE(net->value(QStringLiteral("model")), QStringLiteral("virtio"));
    QCOMPARE(net->value(QStringLiteral("bridge")), QStringLiteral("vmbr0"));

    const auto cicustom = PropertyString::parse(
        QStringLiteral("user=local:snippets/app-user.yaml,meta=local:snippets/m.yaml"));
    QVERIFY(cicustom.ok());
    QCOMPARE(cicustom->value(QStringLiteral("user")),
             QStringLiteral("local:snippets/app-user.yaml"));

    QVERIFY(!PropertyString::parse(QStringLiteral("a,b"), QStringLiteral("x")).ok());
    QVERIFY(!PropertyString::parse(QStringLiteral("bare")).ok());
    QVERIFY(!PropertyString::parse(QStringLiteral("=value")).ok());
}

void TestProxmoxParsing::lenientValues()
{
    QCOMPARE(lenient::toInt(QJsonValue(105)), std::optional<qint64>(105));
    QCOMPARE(lenient::toInt(QJsonValue(QStringLiteral("105"))), std::optional<qint64>(105));
    QCOMPARE(lenient::toInt(QJsonValue(QStringLiteral("4.5"))), std::nullopt);
    QCOMPARE(lenient::toInt(QJsonValue()), std::nullopt);
    QCOMPARE(lenient::toDouble(QJsonValue(QStringLiteral("0.52"))), std::optional<double>(0.52));
    QCOMPARE(lenient::toBool(QJsonValue(1)), std::optional<bool>(true));
    QCOMPARE(lenient::toBool(QJsonValue(0)), std::optional<bool>(false));
    QCOMPARE(lenient::toBool(QJsonValue(QStringLiteral("1"))), std::optional<bool>(true));
    QCOMPARE(lenient::toBool(QJsonValue(true)), std::optional<bool>(true));
    QCOMPARE(lenient::toBool(QJsonValue(QStringLiteral("maybe"))), std::nullopt);
    QCOMPARE(lenient::toString(QJsonValue(105)), QStringLiteral("105"));
}

void TestProxmoxParsing::hostileSecretsSurviveFormEncoding()
{
    const QStringList lines =
        QString::fromUtf8(readCase("hostile-secrets.txt")).split(QLatin1Char('\n'));
    int checked = 0;
    for (const QString &secret : lines) {
        if (secret.isEmpty() || secret.startsWith(QLatin1Char('#')))
            continue;
        const QByteArray body =
            form::encode({{QStringLiteral("username"), QStringLiteral("deployer@pve")},
                          {QStringLiteral("password"), secret}});
        // Nothing the server treats as a separator or a space may stay bare.
        for (char c : {';', '+', ' '})
            QVERIFY2(!body.contains(c), body.constData());
        const auto decoded = serverDecode(body);
        QCOMPARE(decoded.size(), 2);
        QCOMPARE(decoded.at(1).first, QStringLiteral("password"));
        QCOMPARE(decoded.at(1).second, secret);
        ++checked;
    }
    QCOMPARE(checked, 6);
}

void TestProxmoxParsing::sshKeysDoubleEncoding()
{
    const QString key = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA+b/c+d/EXAMPLEKEY "
                                       "admin@workstation");
    const QString second = QStringLiteral("ssh-rsa AAAAB3Nza= other@host");
    const QString value = form::sshKeysValue({key, second});

    // The server's `urlencoded` format: only these characters may remain.
    static const QRegularExpression urlencoded(QStringLiteral("^[-%a-zA-Z0-9_.!~*'()]*$"));
    QVERIFY2(urlencoded.match(value).hasMatch(), qPrintable(value));
    QVERIFY(value.contains(QLatin1String("%20")));
    QVERIFY(value.contains(QLatin1String("%2B")));
    QVERIFY(value.contains(QLatin1String("%2F")));
    QVERIFY(value.contains(QLatin1String("%0A")));

    const QByteArray body = form::encode({{QStringLiteral("sshkeys"), value}});
    QVERIFY(body.contains("%2520")); // the % itself is encoded once more
    const auto decoded = serverDecode(body);
    QCOMPARE(decoded.first().second, value);
    QCOMPARE(QString::fromUtf8(QByteArray::fromPercentEncoding(value.toLatin1())),
             key + QLatin1Char('\n') + second);
}

void TestProxmoxParsing::arraysRepeatKeys()
{
    const QByteArray body = form::encode(
        {{QStringLiteral("command"), QStringLiteral("nvidia-smi")},
         {QStringLiteral("command"), QStringLiteral("--format=csv,noheader,nounits")}});
    QCOMPARE(body, QByteArray("command=nvidia-smi&command=--format%3Dcsv%2Cnoheader%2Cnounits"));
}

void TestProxmoxParsing::pathSegmentsEncoded()
{
    QCOMPARE(
        form::path({QStringLiteral("nodes"), QStringLiteral("pve1"), QStringLiteral("tasks"),
                    QStringLiteral("UPID:pve1:0000A1B2:0012C3D4:6700A1B2:qmstart:104:a@pve!t:"),
                    QStringLiteral("status")}),
        QStringLiteral("/nodes/pve1/tasks/"
                       "UPID%3Apve1%3A0000A1B2%3A0012C3D4%3A6700A1B2%3Aqmstart%3A104%3Aa%40pve%"
                       "21t%3A/status"));
}

void TestProxmoxParsing::version_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("major");
    QTest::addColumn<bool>("rules");

    QTest::newRow("a 9.1 node uses HA rules")
        << QByteArray(R"({"version":"9.1.4","release":"9.1","repoid":"0123456789abcdef"})") << 9
        << true;
    QTest::newRow("an 8.4 node uses HA groups")
        << QByteArray(R"({"version":"8.4.1","release":"8.4","repoid":"abcdef01"})") << 8 << false;
    QTest::newRow("a node without release falls back to version")
        << QByteArray(R"({"version":"8.2.2"})") << 8 << false;
}

void TestProxmoxParsing::version()
{
    QFETCH(QByteArray, json);
    const auto version = PveVersion::fromData(QJsonDocument::fromJson(json).object());
    QVERIFY(version.ok());
    QTEST(version->major, "major");
    QTEST(version->usesHaRules(), "rules");
    QVERIFY(version->isSupported());
    QVERIFY(!PveVersion::fromData(QJsonValue()).ok());
}

QTEST_GUILESS_MAIN(TestProxmoxParsing)
#include "tst_proxmox_parsing.moc"
