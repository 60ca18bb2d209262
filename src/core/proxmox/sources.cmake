target_sources(rae_core PRIVATE
    proxmox/apierror.cpp proxmox/apierror.h
    proxmox/certificatetrust.cpp proxmox/certificatetrust.h
    proxmox/client.cpp proxmox/client.h
    proxmox/request.h
    proxmox/formencoding.cpp proxmox/formencoding.h
    proxmox/lenient.cpp proxmox/lenient.h
    proxmox/privileges.cpp proxmox/privileges.h
    proxmox/propertystring.cpp proxmox/propertystring.h
    proxmox/taskfollower.cpp proxmox/taskfollower.h
    proxmox/upid.cpp proxmox/upid.h
    proxmox/version.cpp proxmox/version.h
    proxmox/vmconfig.cpp proxmox/vmconfig.h)
