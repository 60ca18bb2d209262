#pragma once

// The scenario reader lives in the core (cluster/scenario.h) so that the failure analysis reads
// scenario files the same way as the simulator; the simulator keeps using the names it had.
#include "cluster/scenario.h"

namespace rae::sim {

using cluster::AclDef;
using cluster::BackupDef;
using cluster::BackupJobDef;
using cluster::BridgeDef;
using cluster::HaGroupDef;
using cluster::HaResourceDef;
using cluster::HaRuleDef;
using cluster::NodeDef;
using cluster::parseByteSize;
using cluster::PciDeviceDef;
using cluster::PciMappingDef;
using cluster::PoolDef;
using cluster::ReplicationJobDef;
using cluster::RoleDef;
using cluster::Scenario;
using cluster::StorageDef;
using cluster::TokenDef;
using cluster::UserDef;
using cluster::VmDef;

} // namespace rae::sim
