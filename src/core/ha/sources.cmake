target_sources(rae_core PRIVATE
    ha/clusterstate.cpp ha/clusterstate.h
    ha/failureanalysis.cpp ha/failureanalysis.h
    ha/nodeusage.cpp ha/nodeusage.h
    ha/placement.cpp ha/placement.h
    ha/planfailure.cpp ha/planfailure.h
    ha/recovery.cpp ha/recovery.h
    ha/rules.cpp ha/rules.h)
