target_sources(rae_core PRIVATE
    validation/finding.h
    validation/rules.cpp
    validation/validator.h)
