target_sources(rae_core PRIVATE
    cluster/backupjob.cpp cluster/backupjob.h
    cluster/backupvolume.cpp cluster/backupvolume.h
    cluster/cephstatus.cpp cluster/cephstatus.h
    cluster/ha.cpp cluster/ha.h
    cluster/inventory.cpp cluster/inventory.h
    cluster/network.cpp cluster/network.h
    cluster/nodestatus.cpp cluster/nodestatus.h
    cluster/pcimapping.cpp cluster/pcimapping.h
    cluster/profile.cpp cluster/profile.h
    cluster/replication.cpp cluster/replication.h
    cluster/resources.cpp cluster/resources.h
    cluster/rrddata.cpp cluster/rrddata.h
    cluster/scenario.cpp cluster/scenario.h
    cluster/snapshot.h
    cluster/snapshotpoller.cpp cluster/snapshotpoller.h
    cluster/storage.cpp cluster/storage.h
    cluster/tasklog.cpp cluster/tasklog.h)
