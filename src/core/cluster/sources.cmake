target_sources(rae_core PRIVATE
    cluster/replication.cpp cluster/replication.h
    cluster/resources.cpp cluster/resources.h)
