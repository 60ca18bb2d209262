# Desktop integration and the .deb package. Included from the top-level CMakeLists.txt with
#   include(packaging/packaging.cmake)
# after add_subdirectory(src).
include(GNUInstallDirs)

install(FILES ${CMAKE_CURRENT_LIST_DIR}/rae-deploy.desktop
    DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/org.rae.Deploy.metainfo.xml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/rae-deploy.svg
    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
# The demo's scenario, found by rae-deploy --demo at <prefix>/share/rae-deploy/sim/.
install(FILES ${PROJECT_SOURCE_DIR}/resources/sim/reference.yaml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/rae-deploy/sim)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "rae-deploy")
set(CPACK_PACKAGE_VENDOR "RAE Deploy")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "RAE Deploy maintainers <maintainers@rae.invalid>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
# Library dependencies are read from the binaries; Debian 12's Qt 6.4 is the oldest we support.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-svg-plugins | libqt6svg6")
include(CPack)
