target_sources(rae_core PRIVATE
    monitor/nvidiasmi.cpp monitor/nvidiasmi.h)
