// TODO: the scenario reader moved to src/core/cluster/scenario.cpp; this file stays only while
// src/sim/CMakeLists.txt still lists it, and goes with that entry.
#include "scenario.h"
