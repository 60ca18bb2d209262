// Parses /cluster/resources of a large cluster (32 nodes, 2,000 VMs, 64 storages) into the typed
// snapshot and compares that with QJsonDocument::fromJson alone on the same bytes. The issue's
// target: the typed parse (which includes fromJson) takes at most 1.5 times as long.
//
// The body is generated here in the shape of the simulator's large scenario, until that scenario
// can be fetched from rae-pve-sim directly.
#include "cluster/resources.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QByteArray largeClusterResources()
{
    QByteArray body = "{\"data\":[";
    for (int node = 1; node <= 32; ++node) {
        body += QByteArrayLiteral("{\"id\":\"node/pve") + QByteArray::number(node) +
                "\",\"type\":\"node\",\"node\":\"pve" + QByteArray::number(node) +
                "\",\"status\":\"online\",\"level\":\"\",\"cgroup-mode\":2,\"uptime\":864000,"
                "\"cpu\":0.071,\"maxcpu\":64,\"mem\":68719476736,\"maxmem\":540000000000,"
                "\"disk\":9000000000,\"maxdisk\":100000000000,\"hastate\":\"online\"},";
        for (const char *storage : {"local-zfs", "ceph-vm"}) {
            body += QByteArrayLiteral("{\"id\":\"storage/pve") + QByteArray::number(node) + '/' +
                    storage + "\",\"type\":\"storage\",\"node\":\"pve" + QByteArray::number(node) +
                    "\",\"storage\":\"" + storage +
                    "\",\"plugintype\":\"rbd\",\"status\":\"available\",\"shared\":1,"
                    "\"content\":\"images,rootdir\",\"disk\":1200000000000,"
                    "\"maxdisk\":9000000000000},";
        }
    }
    for (int vm = 0; vm < 2000; ++vm) {
        body += QByteArrayLiteral("{\"id\":\"qemu/") + QByteArray::number(100 + vm) +
                "\",\"type\":\"qemu\",\"vmid\":" + QByteArray::number(100 + vm) +
                ",\"node\":\"pve" + QByteArray::number(vm % 32 + 1) + "\",\"name\":\"vm-" +
                QByteArray::number(vm) +
                "\",\"status\":\"running\",\"template\":0,\"uptime\":3600,\"cpu\":0.42,"
                "\"maxcpu\":16,\"mem\":60000000000,\"maxmem\":68719476736,"
                "\"memhost\":61000000000,\"disk\":0,\"maxdisk\":214748364800,"
                "\"netin\":123456,\"netout\":654321,\"diskread\":1024,\"diskwrite\":2048,"
                "\"tags\":\"app;gpu\",\"hastate\":\"started\"}";
        body += vm + 1 < 2000 ? "," : "";
    }
    body += "]}";
    return body;
}

template<typename F>
double medianMs(int runs, F work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main()
{
    const QByteArray body = largeClusterResources();
    int guests = 0;
    const double jsonMs = medianMs(30, [&] {
        const QJsonDocument document = QJsonDocument::fromJson(body);
        guests += document.isObject() ? 1 : 0;
    });
    const double typedMs = medianMs(30, [&] {
        const auto resources = rae::cluster::parseResourcesReply(body);
        guests += resources ? int(resources->guests.size()) : 0;
    });
    std::printf("body: %lld bytes, 32 nodes, 2000 VMs, 64 storages\n",
                static_cast<long long>(body.size()));
    std::printf("QJsonDocument::fromJson: %.2f ms (median of 30)\n", jsonMs);
    std::printf("typed snapshot (incl. fromJson): %.2f ms (median of 30)\n", typedMs);
    std::printf("ratio: %.2f (target <= 1.50) %s\n", typedMs / jsonMs,
                typedMs / jsonMs <= 1.5 ? "OK" : "OVER");
    return guests > 0 ? 0 : 1;
}
