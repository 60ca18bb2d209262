#include "ha/placement.h"

#include "ha/failureanalysis.h"
#include "ha/planfailure.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace rae::ha {

namespace {

constexpr double kEpsilon = 1e-9;

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::ha::Placement)
};

// Whether `vm` may be placed on `node` at all, whatever else runs there; empty when it may.
QString placementBlocker(const plan::Plan &plan, const plan::Vm &vm, const plan::Node &node)
{
    if (node.maintenance)
        return Tr::tr("%1 is in maintenance").arg(node.name);
    if (vm.gpuMapping) {
        const bool hasGpu =
            std::any_of(node.gpus.cbegin(), node.gpus.cend(), [&vm](const plan::GpuMapping &gpu) {
                return gpu.mapping == *vm.gpuMapping;
            });
        if (!hasGpu)
            return Tr::tr("%1 has no GPU mapping %2").arg(node.name, *vm.gpuMapping);
    }
    for (const plan::Disk &disk : vm.disks) {
        const plan::Storage *storage = plan.storage(disk.storage);
        if (storage && !storage->isOnNode(node.name))
            return Tr::tr("storage %1 is not on %2").arg(storage->id, node.name);
    }
    if (vm.ha.managed && !vm.ha.nodePriorities.isEmpty()) {
        // HA would move it at once to its highest-priority nodes (or only allow the listed ones).
        const int top =
            *std::max_element(vm.ha.nodePriorities.cbegin(), vm.ha.nodePriorities.cend());
        const bool listed = vm.ha.nodePriorities.contains(node.name);
        if (vm.ha.strict && !listed)
            return Tr::tr("its strict HA rule does not list %1").arg(node.name);
        if (vm.ha.failback && (!listed || vm.ha.nodePriorities.value(node.name) != top))
            return Tr::tr("HA would move it from %1 to its preferred nodes").arg(node.name);
    }
    return {};
}

struct Capacity
{
    double cpu = 0;
    double memory = 0;
};

class Searcher
{
public:
    Searcher(const plan::Plan &plan, const PlacementOptions &options)
        : m_plan(plan)
        , m_options(options)
    {
        for (const plan::Vm &vm : plan.vms) {
            QList<int> allowed;
            for (qsizetype n = 0; n < plan.nodes.size(); ++n) {
                if (placementBlocker(plan, vm, plan.nodes[n]).isEmpty())
                    allowed.append(int(n));
            }
            m_allowed.append(allowed);
        }
        for (const plan::Node &node : plan.nodes)
            m_capacity.append({double(node.threads) * plan.validation.cpuOvercommit,
                               double(node.memory.bytes())});
        for (qsizetype i = 0; i < plan.vms.size(); ++i) {
            QList<int> apart;
            for (const QString &name : plan.vms[i].ha.antiAffinity) {
                for (qsizetype j = 0; j < plan.vms.size(); ++j) {
                    if (plan.vms[j].name == name)
                        apart.append(int(j));
                }
            }
            m_apart.append(apart);
        }
        // The most constrained VMs first, so that pruning bites early.
        for (qsizetype i = 0; i < plan.vms.size(); ++i)
            m_order.append(int(i));
        std::stable_sort(m_order.begin(), m_order.end(), [this](int a, int b) {
            return m_allowed[a].size() < m_allowed[b].size();
        });
    }

    qint64 spaceSize() const
    {
        double size = 1;
        for (const QList<int> &allowed : m_allowed)
            size *= double(std::max<qsizetype>(allowed.size(), 1));
        return size > 1e15 ? qint64(1e15) : qint64(size);
    }

    PlacementScore evaluate(const QList<int> &assignment)
    {
        ++m_evaluated;
        PlacementScore score;
        score.feasible = true;
        plan::Plan candidate = m_plan;
        for (qsizetype i = 0; i < candidate.vms.size(); ++i) {
            const QString node = m_plan.nodes[assignment[i]].name;
            if (candidate.vms[i].node != node)
                ++score.moves;
            candidate.vms[i].node = node;
        }
        const PlanClusterState input = clusterStateFromPlan(candidate);
        AnalysisOptions options;
        options.cpuOvercommitLimit = m_plan.validation.cpuOvercommit;
        const FailureAnalysis analysis =
            analyseFailures(input.state, singleNodeFailures(input.state), options);
        for (const FailureCase &result : analysis.cases) {
            for (const ServiceOutcome &outcome : result.services) {
                const Service *service = input.state.service(outcome.sid);
                if (service && service->state == RequestState::Started &&
                    outcome.fate != Fate::Started)
                    ++score.haVmsDown;
            }
            for (const NodeLoadAfter &load : result.loads) {
                const double cpu = load.cpu / (double(load.cpus) * options.cpuOvercommitLimit);
                const double memory = double(load.memoryBytes) / double(load.memoryTotal);
                if (cpu > score.peakLoad + kEpsilon) {
                    score.peakLoad = cpu;
                    score.peakWhere =
                        Tr::tr("%1 CPU when %2 fails")
                            .arg(load.node, result.failedNodes.join(QLatin1Char('+')));
                }
                if (memory > score.peakLoad + kEpsilon) {
                    score.peakLoad = memory;
                    score.peakWhere =
                        Tr::tr("%1 memory when %2 fails")
                            .arg(load.node, result.failedNodes.join(QLatin1Char('+')));
                }
            }
        }
        return score;
    }

    // Why `assignment` (complete) breaks a placement constraint; empty when it does not.
    QString problem(const QList<int> &assignment) const
    {
        QList<Capacity> used(m_plan.nodes.size());
        for (qsizetype i = 0; i < m_plan.vms.size(); ++i) {
            const plan::Vm &vm = m_plan.vms[i];
            const QString blocker = placementBlocker(m_plan, vm, m_plan.nodes[assignment[i]]);
            if (!blocker.isEmpty())
                return Tr::tr("%1: %2").arg(vm.name, blocker);
            for (int other : m_apart[i]) {
                if (assignment[other] == assignment[i])
                    return Tr::tr("%1 and %2 share %3")
                        .arg(vm.name, m_plan.vms[other].name, m_plan.nodes[assignment[i]].name);
            }
            used[assignment[i]].cpu += vm.cores;
            used[assignment[i]].memory += double(vm.memory.bytes());
        }
        for (qsizetype n = 0; n < used.size(); ++n) {
            if (used[n].memory > m_capacity[n].memory || used[n].cpu > m_capacity[n].cpu)
                return Tr::tr("%1 is over its capacity").arg(m_plan.nodes[n].name);
        }
        return {};
    }

    void exhaustive()
    {
        QList<int> assignment(m_plan.vms.size(), -1);
        QList<Capacity> used(m_plan.nodes.size());
        descend(0, assignment, used);
    }

    // Hill climbing from the current placement (repaired when it is not feasible): move one VM
    // at a time while that improves the score.
    void heuristic()
    {
        QList<int> assignment;
        for (const plan::Vm &vm : m_plan.vms) {
            int index = 0;
            for (qsizetype n = 0; n < m_plan.nodes.size(); ++n) {
                if (m_plan.nodes[n].name == vm.node)
                    index = int(n);
            }
            assignment.append(index);
        }
        if (!problem(assignment).isEmpty()) {
            QList<Capacity> used(m_plan.nodes.size());
            QList<int> empty(m_plan.vms.size(), -1);
            if (!greedy(0, empty, used))
                return;
            assignment = empty;
        }
        PlacementScore current = evaluate(assignment);
        consider(assignment, current);
        bool improved = true;
        while (improved) {
            improved = false;
            for (qsizetype i = 0; i < assignment.size(); ++i) {
                for (int node : std::as_const(m_allowed[i])) {
                    if (node == assignment[i])
                        continue;
                    QList<int> next = assignment;
                    next[i] = node;
                    if (!problem(next).isEmpty())
                        continue;
                    const PlacementScore score = evaluate(next);
                    if (score.betterThan(current)) {
                        assignment = next;
                        current = score;
                        consider(assignment, current);
                        improved = true;
                    }
                }
            }
        }
    }

    const QList<int> &best() const { return m_best; }
    const PlacementScore &bestScore() const { return m_bestScore; }
    bool found() const { return !m_best.isEmpty(); }
    qint64 evaluated() const { return m_evaluated; }

private:
    bool fits(int vmIndex, int node, const QList<int> &assignment,
              const QList<Capacity> &used) const
    {
        const plan::Vm &vm = m_plan.vms[vmIndex];
        if (used[node].cpu + vm.cores > m_capacity[node].cpu ||
            used[node].memory + double(vm.memory.bytes()) > m_capacity[node].memory)
            return false;
        return std::none_of(m_apart[vmIndex].cbegin(), m_apart[vmIndex].cend(),
                            [&](int other) { return assignment[other] == node; });
    }

    void descend(qsizetype depth, QList<int> &assignment, QList<Capacity> &used)
    {
        if (m_evaluated >= m_options.exhaustiveBudget)
            return;
        if (depth == m_order.size()) {
            consider(assignment, evaluate(assignment));
            return;
        }
        // Survivors only gain load in a failure, so a node already above the best peak before
        // any failure cannot lead to a better placement once no HA VM is left down.
        if (found() && m_bestScore.haVmsDown == 0 && m_plan.nodes.size() > 1) {
            for (qsizetype n = 0; n < used.size(); ++n) {
                const double share = std::max(used[n].cpu / m_capacity[n].cpu,
                                              used[n].memory / m_capacity[n].memory);
                if (share > m_bestScore.peakLoad + kEpsilon)
                    return;
            }
        }
        const int vmIndex = m_order[depth];
        const plan::Vm &vm = m_plan.vms[vmIndex];
        for (int node : std::as_const(m_allowed[vmIndex])) {
            if (!fits(vmIndex, node, assignment, used))
                continue;
            assignment[vmIndex] = node;
            used[node].cpu += vm.cores;
            used[node].memory += double(vm.memory.bytes());
            descend(depth + 1, assignment, used);
            used[node].cpu -= vm.cores;
            used[node].memory -= double(vm.memory.bytes());
            assignment[vmIndex] = -1;
        }
    }

    bool greedy(qsizetype depth, QList<int> &assignment, QList<Capacity> &used)
    {
        if (depth == m_order.size())
            return true;
        const int vmIndex = m_order[depth];
        const plan::Vm &vm = m_plan.vms[vmIndex];
        QList<int> nodes = m_allowed[vmIndex];
        std::stable_sort(nodes.begin(), nodes.end(), [&](int a, int b) {
            return used[a].memory / m_capacity[a].memory < used[b].memory / m_capacity[b].memory;
        });
        for (int node : std::as_const(nodes)) {
            if (!fits(vmIndex, node, assignment, used))
                continue;
            assignment[vmIndex] = node;
            used[node].cpu += vm.cores;
            used[node].memory += double(vm.memory.bytes());
            if (greedy(depth + 1, assignment, used))
                return true;
            used[node].cpu -= vm.cores;
            used[node].memory -= double(vm.memory.bytes());
            assignment[vmIndex] = -1;
        }
        return false;
    }

    void consider(const QList<int> &assignment, const PlacementScore &score)
    {
        if (!found() || score.betterThan(m_bestScore)) {
            m_best = assignment;
            m_bestScore = score;
        }
    }

    const plan::Plan &m_plan;
    PlacementOptions m_options;
    QList<QList<int>> m_allowed;
    QList<QList<int>> m_apart;
    QList<Capacity> m_capacity;
    QList<int> m_order;
    QList<int> m_best;
    PlacementScore m_bestScore;
    qint64 m_evaluated = 0;
};

QString percent(double share)
{
    return QString::number(std::lround(share * 100));
}

} // namespace

bool PlacementScore::betterThan(const PlacementScore &other) const
{
    if (feasible != other.feasible)
        return feasible;
    if (haVmsDown != other.haVmsDown)
        return haVmsDown < other.haVmsDown;
    if (std::abs(peakLoad - other.peakLoad) > kEpsilon)
        return peakLoad < other.peakLoad;
    return moves < other.moves;
}

plan::Plan withPlacement(plan::Plan plan, const QHash<QString, QString> &nodeOfVm)
{
    for (plan::Vm &vm : plan.vms)
        vm.node = nodeOfVm.value(vm.name, vm.node);
    return plan;
}

PlacementScore scorePlacement(const plan::Plan &plan)
{
    Searcher searcher(plan, {});
    QList<int> assignment;
    for (const plan::Vm &vm : plan.vms) {
        const plan::Node *node = plan.node(vm.node);
        if (!node)
            return {};
        assignment.append(int(node - plan.nodes.constData()));
    }
    PlacementScore score = searcher.evaluate(assignment);
    score.feasible = searcher.problem(assignment).isEmpty();
    return score;
}

PlacementSearch searchPlacement(const plan::Plan &plan, const PlacementOptions &options)
{
    PlacementSearch search;
    Searcher searcher(plan, options);

    QList<int> current;
    bool currentKnown = true;
    for (const plan::Vm &vm : plan.vms) {
        const plan::Node *node = plan.node(vm.node);
        if (!node) {
            currentKnown = false;
            break;
        }
        current.append(int(node - plan.nodes.constData()));
    }
    if (currentKnown) {
        search.currentScore = searcher.evaluate(current);
        search.currentProblem = searcher.problem(current);
        search.currentScore.feasible = search.currentProblem.isEmpty();
    } else {
        search.currentProblem = Tr::tr("some VMs are on nodes the plan does not have");
    }

    const bool small = plan.nodes.size() <= options.exhaustiveMaxNodes &&
                       plan.vms.size() <= options.exhaustiveMaxVms;
    if (small) {
        searcher.exhaustive();
        search.exhaustive = searcher.evaluated() < options.exhaustiveBudget;
    }
    if (!search.exhaustive)
        searcher.heuristic();

    search.evaluated = searcher.evaluated();
    search.found = searcher.found();
    if (!search.found) {
        search.explanation.append(
            Tr::tr("No placement satisfies GPU mappings, storage, anti-affinity and capacity."));
        return search;
    }
    for (qsizetype i = 0; i < plan.vms.size(); ++i)
        search.nodeOfVm.insert(plan.vms[i].name, plan.nodes[searcher.best()[i]].name);
    search.score = searcher.bestScore();
    search.score.feasible = true;

    const PlacementScore &before = search.currentScore;
    const PlacementScore &after = search.score;
    if (!search.currentProblem.isEmpty())
        search.explanation.append(
            Tr::tr("The current placement breaks a constraint: %1.").arg(search.currentProblem));
    if (after.moves == 0) {
        search.explanation.append(Tr::tr("The current placement is already the best found."));
    } else {
        if (before.haVmsDown != after.haVmsDown)
            search.explanation.append(Tr::tr("Over all single-node failures, %1 HA VM outages "
                                             "instead of %2.")
                                          .arg(after.haVmsDown)
                                          .arg(before.haVmsDown));
        else
            search.explanation.append(
                Tr::tr("Over all single-node failures, %1 HA VM outages, as now.")
                    .arg(after.haVmsDown));
        search.explanation.append(Tr::tr("Worst node after recovery: %1% (%2) instead of %3% (%4).")
                                      .arg(percent(after.peakLoad), after.peakWhere,
                                           percent(before.peakLoad), before.peakWhere));
        search.explanation.append(Tr::tr("%n VM(s) move.", nullptr, after.moves));
    }
    return search;
}

} // namespace rae::ha
