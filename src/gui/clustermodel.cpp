#include "clustermodel.h"

#include "topology.h"

#include <QLocale>
#include <QSet>

#include <algorithm>
#include <limits>

namespace rae::gui {

struct ClusterModel::Item
{
    Kind kind = Kind::Cluster;
    Item *parent = nullptr;
    int row = 0;
    QString name; // cluster or node name
    QString status;
    cluster::NodeResource node;
    cluster::GuestResource guest;
    std::optional<plan::Role> role;
    std::vector<std::unique_ptr<Item>> children;
};

namespace {

constexpr unsigned bit(int column)
{
    return 1u << unsigned(column);
}

QString gib(quint64 bytes)
{
    return QLocale().toString(double(bytes) / double(1ull << 30), 'f', 1);
}

QString nodeStatusText(cluster::NodeStatus status)
{
    switch (status) {
    case cluster::NodeStatus::Online:
        return ClusterModel::tr("online");
    case cluster::NodeStatus::Offline:
        return ClusterModel::tr("offline");
    case cluster::NodeStatus::Unknown:
        return ClusterModel::tr("unknown");
    }
    return {};
}

// Which columns differ between two figures of the same node.
unsigned nodeChanges(const cluster::NodeResource &a, const cluster::NodeResource &b)
{
    unsigned changed = 0;
    if (a.status != b.status)
        changed |= bit(ClusterModel::StatusColumn);
    if (a.haState != b.haState)
        changed |= bit(ClusterModel::HaStateColumn);
    if (a.cpu != b.cpu || a.maxCpu != b.maxCpu)
        changed |= bit(ClusterModel::CpuColumn);
    if (a.memoryUsed != b.memoryUsed || a.memoryTotal != b.memoryTotal)
        changed |= bit(ClusterModel::MemoryColumn);
    return changed;
}

unsigned guestChanges(const cluster::GuestResource &a, const cluster::GuestResource &b)
{
    unsigned changed = 0;
    if (a.name != b.name)
        changed |= bit(ClusterModel::NameColumn);
    if (a.status != b.status || a.reportedStatus != b.reportedStatus ||
        a.statsStale != b.statsStale || a.lock != b.lock)
        changed |= bit(ClusterModel::StatusColumn);
    if (a.haState != b.haState)
        changed |= bit(ClusterModel::HaStateColumn);
    if (a.cpu != b.cpu || a.maxCpu != b.maxCpu)
        changed |= bit(ClusterModel::CpuColumn);
    if (a.memoryUsed != b.memoryUsed || a.memoryTotal != b.memoryTotal)
        changed |= bit(ClusterModel::MemoryColumn);
    return changed;
}

} // namespace

ClusterModel::ClusterModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

ClusterModel::~ClusterModel() = default;

ClusterModel::Item *ClusterModel::itemFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Item *>(index.internalPointer()) : nullptr;
}

QModelIndex ClusterModel::indexFor(const Item *item, int column) const
{
    if (!item)
        return {};
    return createIndex(item->row, column, const_cast<Item *>(item));
}

void ClusterModel::renumber(Item *parent, int from)
{
    for (int i = from; i < int(parent->children.size()); ++i)
        parent->children[size_t(i)]->row = i;
}

QModelIndex ClusterModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid()) {
        if (row >= int(m_clusters.size()))
            return {};
        return createIndex(row, column, m_clusters[size_t(row)].get());
    }
    if (parent.column() != 0)
        return {};
    const Item *item = itemFor(parent);
    if (row >= int(item->children.size()))
        return {};
    return createIndex(row, column, item->children[size_t(row)].get());
}

QModelIndex ClusterModel::parent(const QModelIndex &child) const
{
    const Item *item = itemFor(child);
    return item ? indexFor(item->parent) : QModelIndex();
}

int ClusterModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_clusters.size());
    if (parent.column() != 0)
        return 0;
    return int(itemFor(parent)->children.size());
}

int ClusterModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::ItemFlags ClusterModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QVariant ClusterModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case StatusColumn:
        return tr("Status");
    case RoleColumn:
        return tr("Role");
    case HaStateColumn:
        return tr("HA state");
    case CpuColumn:
        return tr("CPU");
    case MemoryColumn:
        return tr("Memory");
    default:
        return {};
    }
}

QVariant ClusterModel::data(const QModelIndex &index, int role) const
{
    const Item *item = itemFor(index);
    if (!item)
        return {};
    const int column = index.column();

    switch (role) {
    case KindRole:
        return int(item->kind);
    case ClusterRole: {
        const Item *top = item;
        while (top->parent)
            top = top->parent;
        return top->name;
    }
    case NodeRole:
        if (item->kind == Kind::Node)
            return item->name;
        if (item->kind == Kind::Guest)
            return item->guest.node;
        return {};
    case VmidRole:
        return item->kind == Kind::Guest ? QVariant(item->guest.vmid) : QVariant();
    case Qt::TextAlignmentRole:
        if (column == CpuColumn || column == MemoryColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case SortRole:
        break;
    default:
        return {};
    }

    switch (item->kind) {
    case Kind::Cluster:
        if (column == NameColumn)
            return item->name;
        if (column == StatusColumn)
            return item->status;
        return {};
    case Kind::Node: {
        const cluster::NodeResource &node = item->node;
        switch (column) {
        case NameColumn:
            return node.name;
        case StatusColumn:
            return nodeStatusText(node.status);
        case HaStateColumn:
            return node.haState;
        case CpuColumn:
            if (role == SortRole)
                return node.cpu.value_or(-1.0);
            return node.cpu ? QStringLiteral("%1%").arg(qRound(*node.cpu * 100)) : QString();
        case MemoryColumn:
            if (role == SortRole)
                return node.memoryUsed;
            return tr("%1 / %2 GiB").arg(gib(node.memoryUsed), gib(node.memoryTotal));
        default:
            return {};
        }
    }
    case Kind::Guest: {
        const cluster::GuestResource &guest = item->guest;
        switch (column) {
        case NameColumn:
            if (role == SortRole)
                return guest.name;
            return QStringLiteral("%1 (%2)").arg(guest.name).arg(guest.vmid);
        case StatusColumn: {
            QString status = guest.reportedStatus;
            if (guest.statsStale)
                status = tr("%1 (stale)").arg(status);
            if (!guest.lock.isEmpty())
                status += QStringLiteral(" · ") + tr("locked: %1").arg(guest.lock);
            return status;
        }
        case RoleColumn:
            return item->role ? plan::roleTitle(*item->role) : QString();
        case HaStateColumn:
            return guest.haState;
        case CpuColumn:
            if (role == SortRole)
                return guest.cpu;
            return QStringLiteral("%1%").arg(qRound(guest.cpu * 100));
        case MemoryColumn:
            if (role == SortRole)
                return guest.memoryUsed;
            return tr("%1 / %2 GiB").arg(gib(guest.memoryUsed), gib(guest.memoryTotal));
        default:
            return {};
        }
    }
    }
    return {};
}

std::optional<plan::Role> ClusterModel::roleFor(const cluster::GuestResource &guest) const
{
    if (auto it = m_roleOfVmid.constFind(guest.vmid); it != m_roleOfVmid.cend())
        return it.value();
    if (auto it = m_roleOfName.constFind(guest.name); it != m_roleOfName.cend())
        return it.value();
    return roleOfGuest(guest, nullptr);
}

void ClusterModel::setPlan(const plan::Plan &plan)
{
    m_roleOfVmid.clear();
    m_roleOfName.clear();
    for (const plan::Vm &vm : plan.vms) {
        if (vm.vmid)
            m_roleOfVmid.insert(*vm.vmid, vm.role);
        m_roleOfName.insert(vm.name, vm.role);
    }
    for (const auto &clusterItem : m_clusters) {
        for (const auto &nodeItem : clusterItem->children) {
            for (const auto &guestItem : nodeItem->children) {
                const auto role = roleFor(guestItem->guest);
                if (role != guestItem->role) {
                    guestItem->role = role;
                    emitChangedCells(guestItem.get(), bit(RoleColumn));
                }
            }
        }
    }
}

void ClusterModel::emitChangedCells(const Item *item, unsigned changedColumns)
{
    // One signal per run of adjacent changed columns: views repaint exactly those cells.
    int column = 0;
    while (column < ColumnCount) {
        if (!(changedColumns & bit(column))) {
            ++column;
            continue;
        }
        int last = column;
        while (last + 1 < ColumnCount && (changedColumns & bit(last + 1)))
            ++last;
        emit dataChanged(indexFor(item, column), indexFor(item, last));
        column = last + 1;
    }
}

QModelIndex ClusterModel::clusterIndex(const QString &cluster) const
{
    for (const auto &item : m_clusters) {
        if (item->name == cluster)
            return indexFor(item.get());
    }
    return {};
}

QModelIndex ClusterModel::nodeIndex(const QString &cluster, const QString &node) const
{
    const Item *clusterItem = itemFor(clusterIndex(cluster));
    if (!clusterItem)
        return {};
    for (const auto &item : clusterItem->children) {
        if (item->name == node)
            return indexFor(item.get());
    }
    return {};
}

QModelIndex ClusterModel::guestIndex(const QString &cluster, int vmid) const
{
    const Item *clusterItem = itemFor(clusterIndex(cluster));
    if (!clusterItem)
        return {};
    for (const auto &nodeItem : clusterItem->children) {
        for (const auto &guestItem : nodeItem->children) {
            if (guestItem->guest.vmid == vmid)
                return indexFor(guestItem.get());
        }
    }
    return {};
}

void ClusterModel::setClusterStatus(const QString &cluster, const QString &status)
{
    Item *item = itemFor(clusterIndex(cluster));
    if (!item || item->status == status)
        return;
    item->status = status;
    emitChangedCells(item, bit(StatusColumn));
}

void ClusterModel::removeCluster(const QString &cluster)
{
    const QModelIndex index = clusterIndex(cluster);
    if (!index.isValid())
        return;
    beginRemoveRows({}, index.row(), index.row());
    m_clusters.erase(m_clusters.begin() + index.row());
    for (int i = index.row(); i < int(m_clusters.size()); ++i)
        m_clusters[size_t(i)]->row = i;
    endRemoveRows();
}

void ClusterModel::setSnapshot(const QString &cluster, const cluster::Resources &resources)
{
    Item *clusterItem = itemFor(clusterIndex(cluster));
    if (!clusterItem) {
        const auto position =
            std::lower_bound(m_clusters.begin(), m_clusters.end(), cluster,
                             [](const std::unique_ptr<Item> &item, const QString &name) {
                                 return item->name < name;
                             });
        const int row = int(position - m_clusters.begin());
        beginInsertRows({}, row, row);
        auto item = std::make_unique<Item>();
        item->kind = Kind::Cluster;
        item->name = cluster;
        clusterItem = item.get();
        m_clusters.insert(position, std::move(item));
        for (int i = row; i < int(m_clusters.size()); ++i)
            m_clusters[size_t(i)]->row = i;
        endInsertRows();
    }
    syncNodes(clusterItem, resources);
    syncGuests(clusterItem, resources);
}

void ClusterModel::syncNodes(Item *clusterItem, const cluster::Resources &resources)
{
    QHash<QString, const cluster::NodeResource *> wanted;
    for (const cluster::NodeResource &node : resources.nodes)
        wanted.insert(node.name, &node);

    // New nodes first, at their sorted place, so that guests can move onto them.
    QStringList names = wanted.keys();
    names.sort();
    auto &children = clusterItem->children;
    const QModelIndex parentIndex = indexFor(clusterItem);
    for (const QString &name : std::as_const(names)) {
        const cluster::NodeResource *next = wanted.value(name);
        if (!next)
            continue;
        const auto position = std::lower_bound(
            children.begin(), children.end(), name,
            [](const std::unique_ptr<Item> &item, const QString &n) { return item->name < n; });
        if (position != children.end() && (*position)->name == name) {
            Item *item = position->get();
            const unsigned changed = nodeChanges(item->node, *next);
            if (changed) {
                item->node = *next;
                emitChangedCells(item, changed);
            }
            continue;
        }
        const int row = int(position - children.begin());
        beginInsertRows(parentIndex, row, row);
        auto item = std::make_unique<Item>();
        item->kind = Kind::Node;
        item->parent = clusterItem;
        item->name = name;
        item->node = *next;
        children.insert(position, std::move(item));
        renumber(clusterItem, row);
        endInsertRows();
    }
}

void ClusterModel::syncGuests(Item *clusterItem, const cluster::Resources &resources)
{
    auto &nodes = clusterItem->children;
    QHash<QString, Item *> nodeOfName;
    for (const auto &node : nodes)
        nodeOfName.insert(node->name, node.get());

    QHash<int, const cluster::GuestResource *> wanted;
    wanted.reserve(resources.guests.size());
    for (const cluster::GuestResource &guest : resources.guests) {
        if (nodeOfName.contains(guest.node))
            wanted.insert(guest.vmid, &guest);
    }

    const auto guestPosition = [](Item *node, int vmid) {
        return std::lower_bound(
            node->children.begin(), node->children.end(), vmid,
            [](const std::unique_ptr<Item> &item, int id) { return item->guest.vmid < id; });
    };

    // Guests that changed node move with their row, so that a selected VM stays selected.
    QList<std::pair<Item *, Item *>> moves; // guest, new node
    for (const auto &node : nodes) {
        for (const auto &guest : node->children) {
            const cluster::GuestResource *next = wanted.value(guest->guest.vmid);
            if (next && next->node != node->name)
                moves.append(std::pair(guest.get(), nodeOfName.value(next->node)));
        }
    }
    for (const auto &[guest, target] : std::as_const(moves)) {
        Item *source = guest->parent;
        const int from = guest->row;
        auto position = guestPosition(target, guest->guest.vmid);
        const int to = int(position - target->children.begin());
        beginMoveRows(indexFor(source), from, from, indexFor(target), to);
        std::unique_ptr<Item> owned = std::move(source->children[size_t(from)]);
        source->children.erase(source->children.begin() + from);
        owned->parent = target;
        owned->guest.node = target->name;
        target->children.insert(target->children.begin() + to, std::move(owned));
        renumber(source, from);
        renumber(target, to);
        endMoveRows();
    }

    // Gone guests, removed in runs from the bottom so the rows above keep their numbers.
    for (const auto &node : nodes) {
        auto &children = node->children;
        int row = int(children.size()) - 1;
        while (row >= 0) {
            if (wanted.contains(children[size_t(row)]->guest.vmid)) {
                --row;
                continue;
            }
            int first = row;
            while (first > 0 && !wanted.contains(children[size_t(first - 1)]->guest.vmid))
                --first;
            beginRemoveRows(indexFor(node.get()), first, row);
            children.erase(children.begin() + first, children.begin() + row + 1);
            renumber(node.get(), first);
            endRemoveRows();
            row = first - 1;
        }
    }

    // Changed and new guests, per node in vmid order; new ones are inserted in runs.
    QHash<Item *, QList<const cluster::GuestResource *>> newOnNode;
    QSet<int> existing;
    for (const auto &node : nodes) {
        for (const auto &guest : node->children) {
            existing.insert(guest->guest.vmid);
            const cluster::GuestResource *next = wanted.value(guest->guest.vmid);
            if (!next)
                continue;
            std::optional<plan::Role> role = guest->role;
            unsigned changed = guestChanges(guest->guest, *next);
            if (changed || !(guest->guest == *next)) {
                guest->guest = *next;
                role = roleFor(*next);
            }
            if (role != guest->role) {
                guest->role = role;
                changed |= bit(RoleColumn);
            }
            if (changed)
                emitChangedCells(guest.get(), changed);
        }
    }
    for (const cluster::GuestResource &guest : resources.guests) {
        if (!existing.contains(guest.vmid) && wanted.value(guest.vmid) == &guest)
            newOnNode[nodeOfName.value(guest.node)].append(&guest);
    }
    for (auto it = newOnNode.begin(); it != newOnNode.end(); ++it) {
        Item *node = it.key();
        auto &incoming = it.value();
        std::sort(incoming.begin(), incoming.end(),
                  [](const auto *a, const auto *b) { return a->vmid < b->vmid; });
        qsizetype next = 0;
        while (next < incoming.size()) {
            const int row = int(guestPosition(node, incoming[next]->vmid) - node->children.begin());
            // Everything that sorts before the guest now at `row` goes in one run.
            const int bound = row < int(node->children.size())
                                  ? node->children[size_t(row)]->guest.vmid
                                  : std::numeric_limits<int>::max();
            qsizetype end = next;
            while (end < incoming.size() && incoming[end]->vmid < bound)
                ++end;
            beginInsertRows(indexFor(node), row, row + int(end - next) - 1);
            std::vector<std::unique_ptr<Item>> run;
            run.reserve(size_t(end - next));
            for (qsizetype i = next; i < end; ++i) {
                auto item = std::make_unique<Item>();
                item->kind = Kind::Guest;
                item->parent = node;
                item->guest = *incoming[i];
                item->role = roleFor(*incoming[i]);
                run.push_back(std::move(item));
            }
            node->children.insert(node->children.begin() + row,
                                  std::make_move_iterator(run.begin()),
                                  std::make_move_iterator(run.end()));
            renumber(node, row);
            endInsertRows();
            next = end;
        }
    }

    // Nodes that left the cluster, with whatever is still on them.
    QSet<QString> wantedNodes;
    for (const cluster::NodeResource &node : resources.nodes)
        wantedNodes.insert(node.name);
    for (int row = int(nodes.size()) - 1; row >= 0; --row) {
        if (wantedNodes.contains(nodes[size_t(row)]->name))
            continue;
        beginRemoveRows(indexFor(clusterItem), row, row);
        nodes.erase(nodes.begin() + row);
        renumber(clusterItem, row);
        endRemoveRows();
    }
}

} // namespace rae::gui
