// Prints how long the failure analysis and the placement search take on cluster sizes that
// matter: every single-node failure of a 32-node cluster with 2,000 HA VMs (target < 100 ms),
// and the placement search for a plan shaped like the reference plan (target < 1 s).

#include "ha/failureanalysis.h"
#include "ha/placement.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>

using namespace rae;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

ha::ClusterState largeCluster(ha::Scheduler scheduler)
{
    ha::ClusterState state;
    state.scheduler = scheduler;
    for (int n = 0; n < 32; ++n)
        state.nodes.append({QStringLiteral("pve%1").arg(n + 1, 2, 10, QLatin1Char('0')), true,
                            false, 64, quint64(512) << 30});
    for (int i = 0; i < 2000; ++i) {
        ha::Service service;
        service.sid = QStringLiteral("vm:%1").arg(100 + i);
        service.node = state.nodes[i % 32].name;
        service.cores = 1 + i % 8;
        service.memoryBytes = quint64(2 + i % 16) << 30;
        state.services.append(service);
    }
    // Some rules, as a real cluster has: a negative pair every 50 VMs, a node rule every 100.
    for (int i = 0; i < 2000; i += 50)
        state.resourceAffinity.append(
            {QStringLiteral("apart%1").arg(i),
             {QStringLiteral("vm:%1").arg(100 + i), QStringLiteral("vm:%1").arg(101 + i)},
             ha::Affinity::Negative,
             false});
    for (int i = 25; i < 2000; i += 100)
        state.nodeAffinity.append(
            {QStringLiteral("prefer%1").arg(i),
             {QStringLiteral("vm:%1").arg(100 + i)},
             {{state.nodes[i % 32].name, 1}, {state.nodes[(i + 1) % 32].name, 1}},
             false,
             false});
    return state;
}

plan::Vm vm(plan::Role role, const char *name, const char *node, int cores, int memoryGiB,
            bool managed)
{
    plan::Vm vm;
    vm.role = role;
    vm.name = s(name);
    vm.node = s(node);
    vm.cores = cores;
    vm.memory = ByteSize::fromGiB(quint64(memoryGiB));
    vm.disks.append({s("ceph-vm"), ByteSize::fromGiB(40), {}});
    vm.ha.managed = managed;
    return vm;
}

plan::Plan referenceLikePlan()
{
    plan::Plan plan;
    plan.nodes.append({s("pve1"), 32, ByteSize::fromGiB(128), {}, false, {}});
    plan.nodes.append({s("pve2"), 32, ByteSize::fromGiB(128), {}, false, {}});
    plan.nodes.append(
        {s("pve3"), 48, ByteSize::fromGiB(192), {{s("gpu-l4"), s("NVIDIA L4")}}, false, {}});
    plan.storages.append({s("ceph-vm"), plan::StorageType::Rbd, true, {}, {}, {}, {}});
    plan.vms.append(vm(plan::Role::Db, "rae-db", "pve1", 4, 16, true));
    plan.vms.append(vm(plan::Role::Vector, "rae-vector", "pve2", 4, 16, true));
    plan.vms.append(vm(plan::Role::Redis, "rae-redis", "pve3", 2, 8, true));
    plan.vms.append(vm(plan::Role::Api, "rae-api-1", "pve1", 8, 32, true));
    plan.vms.append(vm(plan::Role::Api, "rae-api-2", "pve2", 8, 32, true));
    plan.vms.append(vm(plan::Role::Llm, "rae-llm", "pve3", 16, 48, true));
    plan.vms.append(vm(plan::Role::Gateway, "rae-gateway", "pve3", 2, 4, true));
    plan.vms[5].gpuMapping = s("gpu-l4");
    plan.vms[3].ha.antiAffinity = {s("rae-api-2")};
    plan.vms[4].ha.antiAffinity = {s("rae-api-1")};
    for (int i = 0; i < plan.vms.size(); ++i)
        plan.vms[i].vmid = 101 + i;
    return plan;
}

template<typename F>
double bestOf(int runs, F &&work)
{
    double best = 1e300;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        best = std::min(best, double(timer.nsecsElapsed()) / 1e6);
    }
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    for (ha::Scheduler scheduler : {ha::Scheduler::Basic, ha::Scheduler::Static}) {
        const ha::ClusterState state = largeCluster(scheduler);
        const QList<QStringList> cases = ha::singleNodeFailures(state);
        int recovered = 0;
        const double ms = bestOf(5, [&] {
            const ha::FailureAnalysis analysis = ha::analyseFailures(state, cases);
            recovered = 0;
            for (const ha::FailureCase &result : analysis.cases)
                recovered += int(std::count_if(result.services.cbegin(), result.services.cend(),
                                               [](const ha::ServiceOutcome &outcome) {
                                                   return outcome.fate == ha::Fate::Started;
                                               }));
        });
        out << "all 32 single-node failures, 32 nodes, 2000 HA VMs, "
            << (scheduler == ha::Scheduler::Basic ? "basic" : "static") << " scheduler: " << ms
            << " ms (target < 100 ms), " << recovered << " recoveries\n";
    }

    const plan::Plan plan = referenceLikePlan();
    ha::PlacementSearch search;
    const double ms = bestOf(3, [&] { search = ha::searchPlacement(plan); });
    out << "placement search, 3 nodes, 7 VMs: " << ms << " ms (target < 1000 ms), "
        << search.evaluated << " placements analysed, "
        << (search.exhaustive ? "exhaustive" : "heuristic") << '\n';
    return 0;
}
