#pragma once

#include "cluster/resources.h"
#include "plan/plan.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace rae::gui {

// Clusters → nodes → VMs, with columns name, status, role, HA state, CPU and memory.
//
// setSnapshot() applies a new cluster snapshot as a diff: guests that changed node are moved
// (beginMoveRows), gone rows removed, new rows inserted, and dataChanged() is emitted only for
// the cells whose values changed. It never resets, so selection, expansion and scroll position
// survive a poll, and a snapshot equal to the last one emits nothing at all.
// Nodes are kept sorted by name and guests by vmid. Lives on the GUI thread.
class ClusterModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column
    {
        NameColumn,
        StatusColumn,
        RoleColumn,
        HaStateColumn,
        CpuColumn,
        MemoryColumn,
        ColumnCount
    };
    enum class Kind
    {
        Cluster,
        Node,
        Guest
    };
    enum Roles
    {
        KindRole = Qt::UserRole + 1, // Kind as int
        SortRole,                    // numbers for CPU and memory, text elsewhere
        ClusterRole,                 // the cluster's name
        NodeRole,                    // node name (node and guest rows)
        VmidRole,                    // guest rows
    };

    explicit ClusterModel(QObject *parent = nullptr);
    ~ClusterModel() override;

    void setSnapshot(const QString &cluster, const cluster::Resources &resources);
    void setClusterStatus(const QString &cluster, const QString &status);
    void removeCluster(const QString &cluster);
    // Names the role of each guest that the plan knows (by vmid or name).
    void setPlan(const plan::Plan &plan);

    QModelIndex clusterIndex(const QString &cluster) const;
    QModelIndex nodeIndex(const QString &cluster, const QString &node) const;
    QModelIndex guestIndex(const QString &cluster, int vmid) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Item;

    Item *itemFor(const QModelIndex &index) const;
    QModelIndex indexFor(const Item *item, int column = 0) const;
    static void renumber(Item *parent, int from = 0);
    std::optional<plan::Role> roleFor(const cluster::GuestResource &guest) const;
    void emitChangedCells(const Item *item, unsigned changedColumns);
    void syncNodes(Item *clusterItem, const cluster::Resources &resources);
    void syncGuests(Item *clusterItem, const cluster::Resources &resources);

    std::vector<std::unique_ptr<Item>> m_clusters;
    QHash<int, plan::Role> m_roleOfVmid;
    QHash<QString, plan::Role> m_roleOfName;
};

} // namespace rae::gui
