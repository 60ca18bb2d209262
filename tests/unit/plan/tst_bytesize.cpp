#include "plan/bytesize.h"

#include <QTest>

using rae::ByteSize;

class TestByteSize : public QObject
{
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void printsTheLargestWholeUnit();
};

void TestByteSize::parses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("bareUnit");
    QTest::addColumn<quint64>("bytes");

    const auto mib = int(ByteSize::Unit::MiB);
    const auto gib = int(ByteSize::Unit::GiB);
    QTest::newRow("GiB with a space") << QStringLiteral("16 GiB") << mib << (16ull << 30);
    QTest::newRow("GB means GiB as in Proxmox") << QStringLiteral("16 GB") << mib << (16ull << 30);
    QTest::newRow("G alone") << QStringLiteral("16G") << mib << (16ull << 30);
    QTest::newRow("M alone") << QStringLiteral("16384M") << mib << (16ull << 30);
    QTest::newRow("lower case") << QStringLiteral("512mib") << mib << (512ull << 20);
    QTest::newRow("a fraction that is whole")
        << QStringLiteral("1.5 GiB") << mib << (1536ull << 20);
    QTest::newRow("terabytes") << QStringLiteral("2T") << gib << (2ull << 40);
    QTest::newRow("a bare number of memory is MiB")
        << QStringLiteral("2048") << mib << (2ull << 30);
    QTest::newRow("a bare number of disk is GiB") << QStringLiteral("32") << gib << (32ull << 30);
    QTest::newRow("bytes") << QStringLiteral("4096 B") << gib << 4096ull;
}

void TestByteSize::parses()
{
    QFETCH(QString, text);
    QFETCH(int, bareUnit);
    QFETCH(quint64, bytes);
    const auto size = ByteSize::parse(text, ByteSize::Unit(bareUnit));
    QVERIFY2(size.ok(), qPrintable(size.ok() ? QString() : size.error().message));
    QCOMPARE(size->bytes(), bytes);
}

void TestByteSize::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("a word") << QStringLiteral("sixteen");
    QTest::newRow("an unknown unit") << QStringLiteral("16 XB");
    QTest::newRow("a negative size") << QStringLiteral("-16G");
    QTest::newRow("two numbers") << QStringLiteral("16 16G");
    QTest::newRow("an empty text") << QString();
    QTest::newRow("a fraction of a byte") << QStringLiteral("1.5 B");
    QTest::newRow("an absurd size") << QStringLiteral("99999999999T");
}

void TestByteSize::refuses()
{
    QFETCH(QString, text);
    const auto size = ByteSize::parse(text, ByteSize::Unit::MiB);
    QVERIFY(!size.ok());
    QVERIFY(!size.error().hint.isEmpty());
}

void TestByteSize::printsTheLargestWholeUnit()
{
    QCOMPARE(ByteSize::fromGiB(16).toString(), QStringLiteral("16 GiB"));
    QCOMPARE(ByteSize::fromMiB(1536).toString(), QStringLiteral("1536 MiB"));
    QCOMPARE(ByteSize::fromBytes(1000).toString(), QStringLiteral("1000 B"));
    QCOMPARE(ByteSize::fromGiB(2048).toString(), QStringLiteral("2 TiB"));
}

QTEST_GUILESS_MAIN(TestByteSize)
#include "tst_bytesize.moc"
