target_sources(rae_core PRIVATE
    deploy/envfile.cpp deploy/envfile.h
    deploy/servicesecrets.cpp deploy/servicesecrets.h
    deploy/demoservices.cpp deploy/demoservices.h
    deploy/snapshot.cpp deploy/snapshot.h
    deploy/snapshotreader.cpp deploy/snapshotreader.h
    deploy/apitier.cpp deploy/apitier.h
    deploy/changeset.cpp deploy/changeset.h
    deploy/actions.cpp deploy/actions.h
    deploy/journal.cpp deploy/journal.h
    deploy/provisioning.cpp deploy/provisioning.h
    deploy/scriptexport.cpp deploy/scriptexport.h
    deploy/runner.cpp deploy/runner.h
    deploy/executor.cpp deploy/executor.h
    deploy/deployment.cpp deploy/deployment.h
    deploy/upgrade.cpp deploy/upgrade.h
)
