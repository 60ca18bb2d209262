#include "ha/failureanalysis.h"

#include <QTest>

using namespace rae::ha;

Q_DECLARE_METATYPE(rae::ha::ClusterState)

namespace {

constexpr quint64 kGiB = 1ull << 30;

// A small cluster in a few lines: equal nodes unless a row says otherwise.
class Cluster
{
public:
    explicit Cluster(const QStringList &nodes, Scheduler scheduler = Scheduler::Basic)
    {
        m_state.scheduler = scheduler;
        for (const QString &name : nodes)
            m_state.nodes.append({name, true, false, 16, 64 * kGiB});
    }

    Cluster &vm(const QString &sid, const QString &node, RequestState state = RequestState::Started,
                int cores = 2, int memoryGiB = 4)
    {
        Service service;
        service.sid = sid;
        service.node = node;
        service.state = state;
        service.cores = cores;
        service.memoryBytes = quint64(memoryGiB) * kGiB;
        m_state.services.append(service);
        return *this;
    }
    Cluster &guest(const QString &id, const QString &node)
    {
        m_state.guests.append({id, id, node, 4, 8 * kGiB, true});
        return *this;
    }
    Cluster &nodeSize(const QString &name, int cpus, int memoryGiB)
    {
        for (Node &node : m_state.nodes) {
            if (node.name == name) {
                node.cpus = cpus;
                node.memoryBytes = quint64(memoryGiB) * kGiB;
            }
        }
        return *this;
    }
    Cluster &maintenance(const QString &name)
    {
        for (Node &node : m_state.nodes) {
            if (node.name == name)
                node.maintenance = true;
        }
        return *this;
    }
    Cluster &cpulimit(const QString &sid, double limit, int sockets)
    {
        service(sid).cpulimit = limit;
        service(sid).sockets = sockets;
        return *this;
    }
    Cluster &unusable(const QString &sid, const QString &node)
    {
        service(sid).unusableNodes.insert(node, QStringLiteral("no GPU mapping there"));
        return *this;
    }
    Cluster &group(const QString &id, const QMap<QString, int> &nodes, bool restricted,
                   const QStringList &members)
    {
        m_state.rulesSource = RulesSource::Groups;
        m_state.groups.append({id, nodes, restricted, false});
        for (const QString &sid : members)
            service(sid).group = id;
        return *this;
    }
    Cluster &nodeAffinity(const QStringList &sids, const QMap<QString, int> &nodes, bool strict)
    {
        m_state.nodeAffinity.append(
            {QStringLiteral("na%1").arg(m_state.nodeAffinity.size()), sids, nodes, strict, false});
        return *this;
    }
    Cluster &affinity(Affinity kind, const QStringList &sids)
    {
        m_state.resourceAffinity.append(
            {QStringLiteral("ra%1").arg(m_state.resourceAffinity.size()), sids, kind, false});
        return *this;
    }
    Cluster &qdevice()
    {
        m_state.externalVotes = 1;
        return *this;
    }
    operator ClusterState() const { return m_state; }

private:
    Service &service(const QString &sid)
    {
        for (Service &service : m_state.services) {
            if (service.sid == sid)
                return service;
        }
        qFatal("no such service in the test cluster");
    }

    ClusterState m_state;
};

QStringList three()
{
    return {QStringLiteral("pve1"), QStringLiteral("pve2"), QStringLiteral("pve3")};
}

QString line(const ServiceOutcome &outcome)
{
    switch (outcome.fate) {
    case Fate::Started:
        return outcome.sid + QStringLiteral(" -> ") + *outcome.toNode;
    case Fate::MovedStopped:
        return outcome.sid + QStringLiteral(" -> ") + *outcome.toNode + QStringLiteral(" stopped");
    case Fate::Down:
        break;
    }
    return outcome.sid + QStringLiteral(" down: ") + downReasonName(outcome.reason);
}

} // namespace

class TestHaRecovery final : public QObject
{
    Q_OBJECT

private slots:
    void recovery_data();
    void recovery();
    void negativeAffinityNamesTheBlockingPartners();
    void noQuorumFencesSurvivorsWithStartedServices();
    void loadsAfterIncludeNonHaGuestsAndFlagOvercommit();
    void timingsFollowTheDefaults();
    void infeasibleRulesAreDropped();
    void dynamicSchedulerIsNotPredictable();
};

void TestHaRecovery::recovery_data()
{
    QTest::addColumn<ClusterState>("state");
    QTest::addColumn<QStringList>("failed");
    QTest::addColumn<bool>("quorate");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("lost");

    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    const QStringList pve1{s("pve1")};
    using L = QStringList;
    using P = QMap<QString, int>;

    // basic scheduler
    QTest::newRow("basic: the service goes to the node with the fewest HA services")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:200"), s("pve2"))
                            .vm(s("vm:201"), s("pve2"))
                            .vm(s("vm:300"), s("pve3")))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("basic: equal counts go to the node name that sorts first")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:200"), s("pve2"))
                            .vm(s("vm:300"), s("pve3")))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("order: vm:100, vm:1000, vm:101 as strings, each placement counted")
        << ClusterState(Cluster(three())
                            .vm(s("vm:101"), s("pve1"))
                            .vm(s("vm:1000"), s("pve1"))
                            .vm(s("vm:100"), s("pve1")))
        << pve1 << true << L{s("vm:100 -> pve2"), s("vm:1000 -> pve3"), s("vm:101 -> pve2")} << L{};
    QTest::newRow("basic: stopped HA services on a node do not count")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:200"), s("pve2"), RequestState::Stopped)
                            .vm(s("vm:201"), s("pve2"), RequestState::Stopped)
                            .vm(s("vm:300"), s("pve3")))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("basic: non-HA guests do not count")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .guest(s("vm:200"), s("pve2"))
                            .guest(s("vm:201"), s("pve2"))
                            .vm(s("vm:300"), s("pve3")))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("HA state stopped: moved to the best node but not started")
        << ClusterState(Cluster(three()).vm(s("vm:100"), s("pve1"), RequestState::Stopped)) << pve1
        << true << L{s("vm:100 -> pve2 stopped")} << L{};
    QTest::newRow("a moved stopped service counts for the next placement")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"), RequestState::Stopped)
                            .vm(s("vm:101"), s("pve1")))
        << pve1 << true << L{s("vm:100 -> pve2 stopped"), s("vm:101 -> pve3")} << L{};
    QTest::newRow("HA state disabled: left on the failed node")
        << ClusterState(Cluster(three()).vm(s("vm:100"), s("pve1"), RequestState::Disabled)) << pve1
        << true << L{s("vm:100 down: disabled")} << L{};
    QTest::newRow("HA state ignored: lost like a guest without HA")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"), RequestState::Ignored)
                            .guest(s("vm:150"), s("pve1")))
        << pve1 << true << L{} << L{s("vm:100"), s("vm:150")};
    QTest::newRow("maintenance: a node in maintenance is never a candidate")
        << ClusterState(Cluster(three())
                            .maintenance(s("pve2"))
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .vm(s("vm:301"), s("pve3")))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};

    // static scheduler
    QTest::newRow("static: the node with more free memory wins")
        << ClusterState(Cluster(three(), Scheduler::Static)
                            .vm(s("vm:100"), s("pve1"), {}, 2, 8)
                            .vm(s("vm:200"), s("pve2"), {}, 4, 48)
                            .vm(s("vm:300"), s("pve3"), {}, 4, 8)
                            .vm(s("vm:301"), s("pve3"), {}, 1, 1))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("static: at equal load the bigger node wins over the name")
        << ClusterState(Cluster(three(), Scheduler::Static)
                            .nodeSize(s("pve2"), 16, 32)
                            .nodeSize(s("pve3"), 16, 128)
                            .vm(s("vm:100"), s("pve1"), {}, 2, 8))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("static: CPU decides when memory is equal")
        << ClusterState(Cluster(three(), Scheduler::Static)
                            .vm(s("vm:100"), s("pve1"), {}, 4, 4)
                            .vm(s("vm:200"), s("pve2"), {}, 12, 4)
                            .vm(s("vm:300"), s("pve3"), {}, 2, 4))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("static: cpulimit replaces cores times sockets")
        << ClusterState(Cluster(three(), Scheduler::Static)
                            .vm(s("vm:100"), s("pve1"), {}, 4, 4)
                            .vm(s("vm:200"), s("pve2"), {}, 8, 4)
                            .cpulimit(s("vm:200"), 1, 2)
                            .vm(s("vm:300"), s("pve3"), {}, 4, 4))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("static: equal scores go to the node name that sorts first")
        << ClusterState(Cluster(three(), Scheduler::Static).vm(s("vm:100"), s("pve1"))) << pve1
        << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("static: a node without a CPU count makes the manager count services")
        << ClusterState(Cluster(three(), Scheduler::Static)
                            .nodeSize(s("pve3"), 0, 64)
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:200"), s("pve2"), {}, 2, 60)
                            .vm(s("vm:300"), s("pve3"), {}, 1, 1)
                            .vm(s("vm:301"), s("pve3"), {}, 1, 1))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("static: usage is updated between placements")
        << ClusterState(Cluster(three(), Scheduler::Static)
                            .vm(s("vm:100"), s("pve1"), {}, 4, 32)
                            .vm(s("vm:101"), s("pve1"), {}, 4, 32))
        << pve1 << true << L{s("vm:100 -> pve2"), s("vm:101 -> pve3")} << L{};

    // PVE 8 groups
    QTest::newRow("group: the highest-priority survivor wins over a lighter node")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .vm(s("vm:301"), s("pve3"))
                            .group(s("g"), P{{s("pve1"), 3}, {s("pve2"), 1}, {s("pve3"), 2}}, false,
                                   {s("vm:100")}))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("group not restricted: other nodes are used when its nodes are down")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .group(s("g"), P{{s("pve1"), 0}}, false, {s("vm:100")}))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("group restricted: no member online leaves the service down")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .group(s("g"), P{{s("pve1"), 0}}, true, {s("vm:100")}))
        << pve1 << true << L{s("vm:100 down: strict-node-affinity")} << L{};
    QTest::newRow("group restricted: the surviving member even when it is busier")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .vm(s("vm:301"), s("pve3"))
                            .group(s("g"), P{{s("pve1"), 0}, {s("pve3"), 0}}, true, {s("vm:100")}))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};

    // PVE 9 rules
    QTest::newRow("strict node affinity: none of its nodes online leaves it down")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .nodeAffinity({s("vm:100")}, P{{s("pve1"), 0}}, true))
        << pve1 << true << L{s("vm:100 down: strict-node-affinity")} << L{};
    QTest::newRow("non-strict node affinity: a listed survivor beats a lighter node")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .vm(s("vm:301"), s("pve3"))
                            .nodeAffinity({s("vm:100")}, P{{s("pve1"), 2}, {s("pve3"), 1}}, false))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("non-strict node affinity: falls back when no listed node is online")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:200"), s("pve2"))
                            .nodeAffinity({s("vm:100")}, P{{s("pve1"), 0}}, false))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("negative affinity: partners on every node leave the VM down")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve2"))
                            .vm(s("vm:102"), s("pve3"))
                            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101"), s("vm:102")}))
        << pve1 << true << L{s("vm:100 down: negative-affinity")} << L{};
    QTest::newRow("negative affinity: steers away from the partner's lighter node")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve2"))
                            .vm(s("vm:300"), s("pve3"))
                            .vm(s("vm:301"), s("pve3"))
                            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101")}))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("negative affinity: a stopped partner does not block its node")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve2"), RequestState::Stopped)
                            .vm(s("vm:102"), s("pve3"))
                            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101"), s("vm:102")}))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};
    QTest::newRow("negative affinity: partners failing together land apart")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101")}))
        << pve1 << true << L{s("vm:100 -> pve2"), s("vm:101 -> pve3")} << L{};
    QTest::newRow("negative affinity on the only preferred node: lower priorities are not used")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve2"))
                            .nodeAffinity({s("vm:100")}, P{{s("pve2"), 0}}, false)
                            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101")}))
        << pve1 << true << L{s("vm:100 down: negative-affinity")} << L{};
    QTest::newRow("positive affinity: follows the partner to its busier node")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve3"))
                            .vm(s("vm:300"), s("pve3"))
                            .affinity(Affinity::Positive, {s("vm:100"), s("vm:101")}))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("positive affinity: partners failing together stay together")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:101"), s("pve1"))
                            .vm(s("vm:200"), s("pve2"))
                            .affinity(Affinity::Positive, {s("vm:100"), s("vm:101")}))
        << pve1 << true << L{s("vm:100 -> pve3"), s("vm:101 -> pve3")} << L{};

    // quorum and multiple failures
    QTest::newRow("two of three nodes fail: no quorum, nothing recovered, idle survivor stays")
        << ClusterState(Cluster(three()).vm(s("vm:100"), s("pve1")).guest(s("vm:150"), s("pve3")))
        << L{s("pve1"), s("pve2")} << false << L{s("vm:100 down: no-quorum")} << L{};
    QTest::newRow("two of five nodes fail: quorum kept, services spread in sid order")
        << ClusterState(Cluster({s("pve1"), s("pve2"), s("pve3"), s("pve4"), s("pve5")})
                            .vm(s("vm:200"), s("pve2"))
                            .vm(s("vm:101"), s("pve1"))
                            .vm(s("vm:100"), s("pve1")))
        << L{s("pve1"), s("pve2")} << true
        << L{s("vm:100 -> pve3"), s("vm:101 -> pve4"), s("vm:200 -> pve5")} << L{};
    QTest::newRow("two-node cluster: one failure loses quorum")
        << ClusterState(Cluster({s("pve1"), s("pve2")}).vm(s("vm:100"), s("pve1"))) << pve1 << false
        << L{s("vm:100 down: no-quorum")} << L{};
    QTest::newRow("two-node cluster with a QDevice keeps quorum")
        << ClusterState(Cluster({s("pve1"), s("pve2")}).qdevice().vm(s("vm:100"), s("pve1")))
        << pve1 << true << L{s("vm:100 -> pve2")} << L{};

    // starts that fail where the manager cannot see why
    QTest::newRow("a start that fails on the chosen node is relocated to the next")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .vm(s("vm:300"), s("pve3"))
                            .unusable(s("vm:100"), s("pve2")))
        << pve1 << true << L{s("vm:100 -> pve3")} << L{};
    QTest::newRow("starts failing on every node end in the error state")
        << ClusterState(Cluster(three())
                            .vm(s("vm:100"), s("pve1"))
                            .unusable(s("vm:100"), s("pve2"))
                            .unusable(s("vm:100"), s("pve3")))
        << pve1 << true << L{s("vm:100 down: start-fails")} << L{};
}

void TestHaRecovery::recovery()
{
    QFETCH(ClusterState, state);
    QFETCH(QStringList, failed);
    QFETCH(bool, quorate);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, lost);

    const FailureAnalysis analysis = analyseFailures(state, {failed});
    QCOMPARE(analysis.cases.size(), 1);
    const FailureCase &result = analysis.cases.first();
    QCOMPARE(result.quorate, quorate);

    QStringList actual;
    for (const ServiceOutcome &outcome : result.services) {
        if (failed.contains(outcome.fromNode))
            actual.append(line(outcome));
    }
    QCOMPARE(actual, expected);

    QStringList lostIds;
    for (const Guest &guest : result.lostGuests)
        lostIds.append(guest.id);
    lostIds.sort();
    QCOMPARE(lostIds, lost);
}

void TestHaRecovery::negativeAffinityNamesTheBlockingPartners()
{
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    const ClusterState state =
        Cluster(three())
            .vm(s("vm:100"), s("pve1"))
            .vm(s("vm:101"), s("pve2"))
            .vm(s("vm:102"), s("pve3"))
            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101"), s("vm:102")});
    const FailureCase result = analyseFailures(state, {{s("pve1")}}).cases.first();
    QCOMPARE(result.services.size(), 1);
    QCOMPARE(result.services.first().blockingPartners, (QStringList{s("vm:101"), s("vm:102")}));
    QVERIFY(describeOutcome(result.services.first()).contains(s("vm:101, vm:102")));
}

void TestHaRecovery::noQuorumFencesSurvivorsWithStartedServices()
{
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    const ClusterState state = Cluster(three())
                                   .vm(s("vm:100"), s("pve1"))
                                   .vm(s("vm:300"), s("pve3"))
                                   .guest(s("vm:301"), s("pve3"));
    const FailureCase result = analyseFailures(state, {{s("pve1"), s("pve2")}}).cases.first();
    QVERIFY(!result.quorate);
    QCOMPARE(result.votes, 1);
    QCOMPARE(result.totalVotes, 3);
    QCOMPARE(result.selfFencedNodes, QStringList{s("pve3")});
    QStringList lines;
    for (const ServiceOutcome &outcome : result.services)
        lines.append(line(outcome));
    QCOMPARE(lines, (QStringList{s("vm:100 down: no-quorum"), s("vm:300 down: self-fenced")}));
    QCOMPARE(result.lostGuests.size(), 1);
    QVERIFY(result.loads.isEmpty());
}

void TestHaRecovery::loadsAfterIncludeNonHaGuestsAndFlagOvercommit()
{
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    ClusterState state = Cluster({s("pve1"), s("pve2"), s("pve3")})
                             .nodeSize(s("pve2"), 8, 16)
                             .vm(s("vm:100"), s("pve1"), RequestState::Started, 6, 12)
                             .guest(s("vm:200"), s("pve2"));
    state.nodeAffinity.append({s("na"), {s("vm:100")}, {{s("pve2"), 0}}, true, false});
    const FailureCase result = analyseFailures(state, {{s("pve1")}}).cases.first();
    QCOMPARE(result.loads.size(), 2);
    const NodeLoadAfter &pve2 = result.loads.first();
    QCOMPARE(pve2.node, s("pve2"));
    QCOMPARE(pve2.cpu, 10.0);
    QCOMPARE(pve2.memoryBytes, 20 * kGiB);
    QVERIFY(pve2.cpuOvercommitted);
    QVERIFY(pve2.memoryOvercommitted);
    QVERIFY(!result.loads.last().cpuOvercommitted);
}

void TestHaRecovery::timingsFollowTheDefaults()
{
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    const Timings timings;
    QCOMPARE(timings.recoverySeconds(), 140);
    const ClusterState state = Cluster(three())
                                   .vm(s("vm:100"), s("pve1"))
                                   .vm(s("vm:101"), s("pve1"))
                                   .unusable(s("vm:101"), s("pve3"));
    const FailureCase result = analyseFailures(state, {{s("pve1")}}).cases.first();
    QCOMPARE(result.services.at(0).recoverySeconds, 140);
    QCOMPARE(result.services.at(1).failedStarts, QStringList{s("pve3")});
    QCOMPARE(result.expectedRecoverySeconds, 160);
}

void TestHaRecovery::infeasibleRulesAreDropped()
{
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    // More members than nodes: the checker drops the rule, so nothing keeps them apart.
    const ClusterState state =
        Cluster({s("pve1"), s("pve2")})
            .qdevice()
            .vm(s("vm:100"), s("pve1"))
            .vm(s("vm:101"), s("pve2"))
            .vm(s("vm:102"), s("pve2"))
            .affinity(Affinity::Negative, {s("vm:100"), s("vm:101"), s("vm:102")});
    const FailureAnalysis analysis = analyseFailures(state, {{s("pve1")}});
    QCOMPARE(analysis.droppedRules.size(), 1);
    QCOMPARE(line(analysis.cases.first().services.first()), s("vm:100 -> pve2"));
}

void TestHaRecovery::dynamicSchedulerIsNotPredictable()
{
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };
    const ClusterState state = Cluster(three(), Scheduler::Dynamic).vm(s("vm:100"), s("pve1"));
    const FailureAnalysis analysis = analyseFailures(state, singleNodeFailures(state));
    QVERIFY(!analysis.predictable);
    QVERIFY(!analysis.notes.isEmpty());
    QCOMPARE(analysis.cases.size(), 3);
}

QTEST_GUILESS_MAIN(TestHaRecovery)
#include "tst_harecovery.moc"
