// Applying a cluster snapshot of 32 nodes and 2,000 VMs to the cluster model and the topology
// scene: when nothing changed, and when 10% of the VMs changed figures or state. Prints the
// median and worst of 50 rounds each; the target is a median under 16 ms (one frame).
#include "clustermodel.h"
#include "topology.h"
#include "topologyscene.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSortFilterProxyModel>
#include <QTreeView>

#include <algorithm>
#include <cstdio>

using namespace rae;

namespace {

cluster::Resources largeCluster()
{
    cluster::Resources resources;
    for (int n = 0; n < 32; ++n) {
        cluster::NodeResource node;
        node.name = QStringLiteral("pve%1").arg(n + 1, 2, 10, QLatin1Char('0'));
        node.status = cluster::NodeStatus::Online;
        node.cpu = 0.3;
        node.maxCpu = 128;
        node.memoryUsed = 300ull << 30;
        node.memoryTotal = 1024ull << 30;
        node.haState = QStringLiteral("online");
        resources.nodes.append(node);
    }
    static const char *roles[] = {"rae-db",  "rae-vector",  "rae-redis", "rae-api",
                                  "rae-llm", "rae-gateway", "other"};
    for (int i = 0; i < 2000; ++i) {
        cluster::GuestResource guest;
        guest.vmid = 1000 + i;
        guest.name = QStringLiteral("vm-%1").arg(guest.vmid);
        guest.node = resources.nodes[i % 32].name;
        guest.status = cluster::GuestStatus::Running;
        guest.reportedStatus = QStringLiteral("running");
        guest.cpu = 0.1;
        guest.maxCpu = 4;
        guest.memoryUsed = 3ull << 30;
        guest.memoryTotal = 8ull << 30;
        guest.haState = i % 3 ? QStringLiteral("started") : QString();
        guest.tags = {QString::fromLatin1(roles[i % 7])};
        resources.guests.append(guest);
    }
    return resources;
}

struct Figures
{
    double median = 0;
    double worst = 0;
};

template<typename F>
Figures measure(F &&round)
{
    QList<double> times;
    for (int i = 0; i < 50; ++i) {
        QElapsedTimer timer;
        timer.start();
        round(i);
        times.append(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return {times.at(times.size() / 2), times.last()};
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    gui::ClusterModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    // As the window does: recursive filtering only while a filter is typed (it costs on every
    // dataChanged otherwise).
    proxy.setRecursiveFilteringEnabled(false);
    proxy.setSortRole(gui::ClusterModel::SortRole);
    proxy.sort(gui::ClusterModel::NameColumn);
    QTreeView tree;
    tree.setModel(&proxy);
    tree.resize(800, 600);
    tree.expandAll();
    gui::TopologyScene scene;

    cluster::Resources resources = largeCluster();
    const auto apply = [&](const cluster::Resources &snapshot) {
        model.setSnapshot(QStringLiteral("large"), snapshot);
        scene.setTopology(gui::topologyFromResources(snapshot));
    };
    QElapsedTimer first;
    first.start();
    apply(resources);
    std::printf("first snapshot (2,000 VMs, 32 nodes): %.1f ms\n",
                double(first.nsecsElapsed()) / 1e6);
    tree.expandAll();

    const Figures unchanged = measure([&](int) { apply(resources); });

    // Where the time of a changed round goes: the model (with proxy) and the scene alone.
    const auto change = [&](int round) {
        QRandomGenerator local(round);
        for (int i = 0; i < 200; ++i) {
            cluster::GuestResource &guest = resources.guests[local.bounded(2000)];
            guest.cpu = local.bounded(1.0);
            guest.memoryUsed = (1ull + local.bounded(7)) << 30;
        }
    };
    const Figures modelOnly = measure([&](int round) {
        change(round);
        model.setSnapshot(QStringLiteral("large"), resources);
    });
    const Figures sceneOnly = measure([&](int round) {
        change(round + 1000);
        scene.setTopology(gui::topologyFromResources(resources));
    });
    gui::ClusterModel bare;
    bare.setSnapshot(QStringLiteral("large"), resources);
    const Figures bareModel = measure([&](int round) {
        change(round + 2000);
        bare.setSnapshot(QStringLiteral("large"), resources);
    });
    std::printf("10%% changed, model without proxy: median %6.2f ms\n", bareModel.median);
    std::printf("10%% changed, model + proxy only: median %6.2f ms\n", modelOnly.median);
    std::printf("10%% changed, scene only:         median %6.2f ms\n", sceneOnly.median);

    QRandomGenerator random(42);
    const Figures changed = measure([&](int round) {
        for (int i = 0; i < 200; ++i) {
            cluster::GuestResource &guest = resources.guests[random.bounded(2000)];
            guest.cpu = random.bounded(1.0);
            guest.memoryUsed = (1ull + random.bounded(7)) << 30;
            if (i % 20 == 0) {
                const bool running = round % 2;
                guest.status =
                    running ? cluster::GuestStatus::Running : cluster::GuestStatus::Stopped;
                guest.reportedStatus =
                    running ? QStringLiteral("running") : QStringLiteral("stopped");
            }
        }
        apply(resources);
    });

    std::printf("model + scene, nothing changed:  median %6.2f ms, worst %6.2f ms\n",
                unchanged.median, unchanged.worst);
    std::printf("model + scene, 10%% of VMs changed: median %6.2f ms, worst %6.2f ms\n",
                changed.median, changed.worst);
    std::printf("target: median < 16 ms\n");
    return 0;
}
