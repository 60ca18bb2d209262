target_sources(rae_core PRIVATE
    plan/bytesize.cpp plan/bytesize.h
    plan/plan.cpp plan/plan.h
    plan/planreader.cpp plan/planreader.h
    plan/planwriter.cpp plan/planwriter.h)
