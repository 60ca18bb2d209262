# rae_add_translations(<target>)
#
# Compiles translations/*.ts with lrelease and embeds the .qm files in <target> under
# :/i18n/, where rae::installTranslations() finds them. The .ts files are refreshed from the
# code by scripts/update-translations.
function(rae_add_translations target)
    file(GLOB ts_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/translations/*.ts)
    if(NOT ts_files)
        return()
    endif()
    qt_add_lrelease(${target} TS_FILES ${ts_files} QM_FILES_OUTPUT_VARIABLE qm_files)
    qt_add_resources(${target} "${target}_translations" PREFIX "/i18n" BASE
        ${CMAKE_CURRENT_BINARY_DIR} FILES ${qm_files})
endfunction()
