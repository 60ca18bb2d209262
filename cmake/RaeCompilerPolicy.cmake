# One INTERFACE target carries the compiler policy; every target of the project links it.
add_library(rae_policy INTERFACE)
add_library(Rae::policy ALIAS rae_policy)

target_compile_features(rae_policy INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

target_compile_definitions(rae_policy INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    RAE_VERSION="${PROJECT_VERSION}")

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(rae_policy INTERFACE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
        -Woverloaded-virtual -Wimplicit-fallthrough -Wnull-dereference -Wformat=2)
    if(RAE_WERROR)
        target_compile_options(rae_policy INTERFACE -Werror)
    endif()
elseif(MSVC)
    target_compile_options(rae_policy INTERFACE /W4 /permissive- /Zc:__cplusplus)
    if(RAE_WERROR)
        target_compile_options(rae_policy INTERFACE /WX)
    endif()
endif()
