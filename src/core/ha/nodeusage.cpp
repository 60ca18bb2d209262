#include "ha/nodeusage.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <cmath>

namespace rae::ha {

namespace {

constexpr int kCriteria = 4;
using Row = std::array<double, kCriteria>;

// pve_static's criteria, all minimised: average CPU, highest CPU, average memory, highest
// memory, weighted 1, 2, 5 and 10 (normalised to sum 1).
constexpr std::array<double, kCriteria> kWeights = {1.0 / 18.0, 2.0 / 18.0, 5.0 / 18.0,
                                                    10.0 / 18.0};

double weightedDistance(const Row &row, const Row &ideal)
{
    double sum = 0;
    for (int c = 0; c < kCriteria; ++c) {
        const double d = (row[size_t(c)] - ideal[size_t(c)]) * kWeights[size_t(c)];
        sum += d * d;
    }
    return std::sqrt(sum);
}

// TOPSIS closeness of each alternative to the ideal (0 worst .. 1 best); empty when a value
// is not finite, in which case the manager falls back to counting services.
QList<double> topsisCloseness(QList<Row> matrix)
{
    for (int c = 0; c < kCriteria; ++c) {
        double squares = 0;
        for (const Row &row : std::as_const(matrix))
            squares += row[size_t(c)] * row[size_t(c)];
        const double norm = std::sqrt(squares);
        if (norm == 0)
            continue;
        for (Row &row : matrix) {
            row[size_t(c)] /= norm;
            if (!std::isfinite(row[size_t(c)]))
                return {};
        }
    }

    Row best{};
    Row worst{};
    for (int c = 0; c < kCriteria; ++c) {
        best[size_t(c)] = worst[size_t(c)] = matrix.first()[size_t(c)];
        for (const Row &row : std::as_const(matrix)) {
            best[size_t(c)] = std::min(best[size_t(c)], row[size_t(c)]);
            worst[size_t(c)] = std::max(worst[size_t(c)], row[size_t(c)]);
        }
    }

    QList<double> scores;
    scores.reserve(matrix.size());
    for (const Row &row : std::as_const(matrix)) {
        const double toBest = weightedDistance(row, best);
        const double toWorst = weightedDistance(row, worst);
        const double sum = toBest + toWorst;
        const double score = sum == 0 ? 0.0 : toWorst / sum;
        if (!std::isfinite(score))
            return {};
        scores.append(score);
    }
    return scores;
}

} // namespace

namespace {

template<typename IsOnline>
UsedNodes usedNodes(CrmState state, const QString &node, const QString &target, IsOnline isOnline)
{
    UsedNodes used;
    switch (state) {
    case CrmState::Stopped:
    case CrmState::RequestStart:
        return used;
    case CrmState::Started:
    case CrmState::RequestStop:
    case CrmState::Fence:
    case CrmState::Freeze:
    case CrmState::Error:
    case CrmState::Recovery:
        break;
    case CrmState::Migrate:
    case CrmState::Relocate:
        if (!target.isEmpty() && isOnline(target))
            used.target = target;
        break;
    case CrmState::RequestStartBalance:
        if (!target.isEmpty() && isOnline(target))
            used.target = target;
        return used; // the source is not counted: the service is not running yet
    }
    if (isOnline(node))
        used.current = node;
    return used;
}

} // namespace

UsedNodes usedServiceNodes(const QSet<QString> &onlineNodes, CrmState state, const QString &node,
                           const QString &target)
{
    return usedNodes(state, node, target,
                     [&onlineNodes](const QString &name) { return onlineNodes.contains(name); });
}

NodeUsage::NodeUsage(Scheduler scheduler, const QList<Node> &nodes)
    : m_scheduler(scheduler == Scheduler::Dynamic ? Scheduler::Static : scheduler)
{
    QList<Node> sorted = nodes;
    std::sort(sorted.begin(), sorted.end(),
              [](const Node &a, const Node &b) { return a.name < b.name; });
    for (const Node &node : std::as_const(sorted)) {
        m_index.insert(node.name, int(m_names.size()));
        m_names.append(node.name);
        m_loads.append({node.cpus, node.memoryBytes, 0, 0, 0});
        if (m_scheduler == Scheduler::Static && (node.cpus <= 0 || node.memoryBytes == 0)) {
            m_fallbackReason =
                QCoreApplication::translate(
                    "rae::ha::NodeUsage", "node %1 has no CPU count or memory size, so the manager "
                                          "falls back to the basic scheduler")
                    .arg(node.name);
        }
    }
    if (!m_fallbackReason.isEmpty())
        m_scheduler = Scheduler::Basic;
}

QSet<QString> NodeUsage::nodeSet() const
{
    return QSet<QString>(m_names.cbegin(), m_names.cend());
}

double NodeUsage::addedCpu(const NodeLoad &node, const Service &service) const
{
    // A service without any CPU limit counts as using the whole node.
    const double cpu = service.maxCpu();
    return cpu == 0 ? double(node.cpus) : cpu;
}

void NodeUsage::addToNode(int index, const Service &service)
{
    NodeLoad &load = m_loads[index];
    ++load.services;
    const double cpu = addedCpu(load, service);
    load.cpu += cpu;
    load.memory += double(service.memoryBytes);
    Placement &placement = m_services[service.sid];
    placement.nodes.append(index);
    placement.cpu = cpu;
    placement.memory = double(service.memoryBytes);
}

void NodeUsage::addServiceUsage(const Service &service, CrmState state, const QString &node,
                                const QString &target)
{
    const UsedNodes used =
        usedNodes(state, node, target, [this](const QString &name) { return contains(name); });
    if (!used.current.isEmpty())
        addToNode(m_index.value(used.current), service);
    if (!used.target.isEmpty())
        addToNode(m_index.value(used.target), service);
}

void NodeUsage::removeServiceUsage(const QString &sid)
{
    const auto it = m_services.constFind(sid);
    if (it == m_services.cend())
        return;
    for (int index : it->nodes) {
        NodeLoad &load = m_loads[index];
        --load.services;
        load.cpu -= it->cpu;
        load.memory -= it->memory;
    }
    m_services.erase(it);
}

int NodeUsage::serviceCount(const QString &node) const
{
    const auto it = m_index.constFind(node);
    return it == m_index.cend() ? 0 : m_loads[*it].services;
}

QHash<QString, double> NodeUsage::scoreNodesToStartService(const Service &service) const
{
    QHash<QString, double> scores;
    scores.reserve(m_names.size());
    const auto countScores = [&] {
        for (qsizetype i = 0; i < m_names.size(); ++i)
            scores.insert(m_names[i], double(m_loads[i].services));
        return scores;
    };
    if (m_scheduler == Scheduler::Basic || m_names.isEmpty())
        return countScores();

    // Each alternative is the whole cluster as if the service ran on that node, in fractions of
    // each node's capacity so that nodes of different sizes compare.
    const qsizetype count = m_names.size();
    QList<Row> matrix;
    matrix.reserve(count);
    for (qsizetype target = 0; target < count; ++target) {
        double highestCpu = 0;
        double sumCpu = 0;
        double highestMemory = 0;
        double sumMemory = 0;
        for (qsizetype i = 0; i < count; ++i) {
            const NodeLoad &load = m_loads[i];
            double cpu = load.cpu;
            double memory = load.memory;
            if (i == target) {
                cpu += addedCpu(load, service);
                memory += double(service.memoryBytes);
            }
            cpu /= double(load.cpus);
            memory /= double(load.memoryBytes);
            highestCpu = std::max(highestCpu, cpu);
            sumCpu += cpu;
            highestMemory = std::max(highestMemory, memory);
            sumMemory += memory;
        }
        matrix.append(
            {sumCpu / double(count), highestCpu, sumMemory / double(count), highestMemory});
    }
    const QList<double> closeness = topsisCloseness(matrix);
    if (closeness.isEmpty())
        return countScores();
    for (qsizetype i = 0; i < count; ++i)
        scores.insert(m_names[i], -closeness[i]);
    return scores;
}

} // namespace rae::ha
