target_sources(rae_core PRIVATE
    common/calendarevent.cpp common/calendarevent.h
    common/childprocess.cpp common/childprocess.h
    common/result.h
    common/sshkey.cpp common/sshkey.h
    common/translations.cpp common/translations.h)
