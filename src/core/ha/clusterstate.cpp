#include "ha/clusterstate.h"

#include <algorithm>

namespace rae::ha {

const Node *ClusterState::node(const QString &name) const
{
    const auto it = std::find_if(nodes.cbegin(), nodes.cend(),
                                 [&name](const Node &node) { return node.name == name; });
    return it == nodes.cend() ? nullptr : &*it;
}

const Service *ClusterState::service(const QString &sid) const
{
    const auto it = std::find_if(services.cbegin(), services.cend(),
                                 [&sid](const Service &service) { return service.sid == sid; });
    return it == services.cend() ? nullptr : &*it;
}

} // namespace rae::ha
