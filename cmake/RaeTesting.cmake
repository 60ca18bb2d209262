# rae_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>] [WIDGETS] [LABELS <labels...>])
#
# One executable per test, registered with CTest. WIDGETS runs it on the offscreen platform.
# Every test sees RAE_TEST_DATA_DIR (tests/data) and RAE_SOURCE_DIR as compile definitions.
function(rae_add_test name)
    cmake_parse_arguments(arg "WIDGETS" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
    qt_add_executable(${name} ${arg_SOURCES})
    set_target_properties(${name} PROPERTIES MACOSX_BUNDLE OFF WIN32_EXECUTABLE OFF)
    target_link_libraries(${name} PRIVATE Rae::policy Qt6::Test ${arg_LIBRARIES})
    target_compile_definitions(${name} PRIVATE
        RAE_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
        RAE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        RAE_BINARY_DIR="${PROJECT_BINARY_DIR}")
    if(arg_WIDGETS)
        add_test(NAME ${name} COMMAND ${name} -platform offscreen)
    else()
        add_test(NAME ${name} COMMAND ${name})
    endif()
    if(NOT arg_TIMEOUT)
        set(arg_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES TIMEOUT ${arg_TIMEOUT} LABELS "${arg_LABELS}")
endfunction()

# rae_add_benchmark(<name> SOURCES <files...> [LIBRARIES <targets...>])
#
# Benchmarks are programs, not timed tests: they print their figures and are run by
# ./scripts/bench, never by CTest.
function(rae_add_benchmark name)
    cmake_parse_arguments(arg "" "" "SOURCES;LIBRARIES" ${ARGN})
    qt_add_executable(${name} ${arg_SOURCES})
    set_target_properties(${name} PROPERTIES MACOSX_BUNDLE OFF WIN32_EXECUTABLE OFF)
    target_link_libraries(${name} PRIVATE Rae::policy ${arg_LIBRARIES})
    target_compile_definitions(${name} PRIVATE
        RAE_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
        RAE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()
