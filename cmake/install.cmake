# install.cmake - what `cmake --install` puts where (GNUInstallDirs):
#   bin/                 rantai-producer, rantai-buyer, rantai-matcher, rantai
#                        (installed by services/ and cli/)
#   lib/                 librantai.so.1 (+ .so link) and librantai.a
#   lib/pkgconfig/       rantai.pc            (pkg-config --cflags --libs rantai)
#   lib/cmake/rantai/    rantaiConfig.cmake   (find_package(rantai) ->
#                        rantai::rantai shared, rantai::rantai_static)
#   include/rantai/      public headers, include/rantai/v1/*.pb-c.h generated
#   share/rantai/proto/  rantai/v1/*.proto (for other languages' codegen)
#   share/man/man1,man5  rantai(1), rantai-{producer,buyer,matcher}(1),
#                        rantai.conf(5)
#   share/doc/rantai/examples/  {producer,buyer,matcher}.conf
#   etc/rantai/          the same example configs, only if not there yet
#                        (an operator's edits are never overwritten)
#   lib/systemd/system/  rantai-*.service, rantai.target (paths filled in
#                        from this prefix; RANTAI_SYSTEMD_UNIT_DIR moves them)
include(CMakePackageConfigHelpers)

set(RANTAI_SYSTEMD_UNIT_DIR "" CACHE PATH
    "Where the systemd units are installed (empty: PREFIX/lib/systemd/system)")
option(RANTAI_INSTALL_SYSTEMD "Install the systemd units" ON)

# ---- the client library ---------------------------------------------------
set_target_properties(rantai_shared PROPERTIES EXPORT_NAME rantai)
set_target_properties(rantai_static PROPERTIES EXPORT_NAME rantai_static)
install(TARGETS rantai_shared rantai_static
        EXPORT rantaiTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/rantai
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROTO_HDRS}
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rantai/v1)

# pkg-config: relocatable (paths relative to the .pc file's directory).
file(RELATIVE_PATH RANTAI_PC_UP "/r/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/r")
string(REGEX REPLACE "/$" "" RANTAI_PC_UP "${RANTAI_PC_UP}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/rantai.pc.in
               ${CMAKE_BINARY_DIR}/rantai.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/rantai.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: rantaiConfig.cmake recreates the PkgConfig:: imported
# targets the library links against, then loads the exported targets.
set(RANTAI_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/rantai)
install(EXPORT rantaiTargets NAMESPACE rantai::
        DESTINATION ${RANTAI_CMAKE_DIR})
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/rantaiConfig.cmake.in
  ${CMAKE_BINARY_DIR}/rantaiConfig.cmake
  INSTALL_DESTINATION ${RANTAI_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/rantaiConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/rantaiConfig.cmake
              ${CMAKE_BINARY_DIR}/rantaiConfigVersion.cmake
        DESTINATION ${RANTAI_CMAKE_DIR})

# ---- the wire contract ------------------------------------------------------
install(DIRECTORY ${CMAKE_SOURCE_DIR}/proto/rantai
        DESTINATION ${CMAKE_INSTALL_DATADIR}/rantai/proto
        FILES_MATCHING PATTERN "*.proto")

# ---- manual pages -----------------------------------------------------------
install(FILES ${CMAKE_SOURCE_DIR}/man/rantai.1
              ${CMAKE_SOURCE_DIR}/man/rantai-producer.1
              ${CMAKE_SOURCE_DIR}/man/rantai-buyer.1
              ${CMAKE_SOURCE_DIR}/man/rantai-matcher.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/man/rantai.conf.5
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# ---- example configuration --------------------------------------------------
# Paths outside the prefix's usual tree (etc, the systemd unit directory)
# and the absolute paths written into the units are computed when
# installing, from the prefix in force then (`cmake --install --prefix`
# included), so a build can be installed anywhere.
set(RANTAI_EXAMPLE_CONFS
    ${CMAKE_SOURCE_DIR}/deploy/config/producer.conf
    ${CMAKE_SOURCE_DIR}/deploy/config/buyer.conf
    ${CMAKE_SOURCE_DIR}/deploy/config/matcher.conf)
install(FILES ${RANTAI_EXAMPLE_CONFS}
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# Same rule as GNUInstallDirs: prefix /usr -> /etc, otherwise PREFIX/etc.
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(RANTAI_ETC "/etc")
  else()
    set(RANTAI_ETC "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
]])
foreach(conf ${RANTAI_EXAMPLE_CONFS})
  get_filename_component(name ${conf} NAME)
  install(CODE "
    set(dest \"\$ENV{DESTDIR}\${RANTAI_ETC}/rantai/${name}\")
    if(EXISTS \"\${dest}\")
      message(STATUS \"Keeping: \${dest}\")
    else()
      # file(INSTALL) prepends DESTDIR by itself.
      file(INSTALL DESTINATION \"\${RANTAI_ETC}/rantai\"
           TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
           FILES \"${conf}\")
    endif()")
endforeach()

# ---- systemd ----------------------------------------------------------------
# Units go to PREFIX/lib/systemd/system (/usr/lib/systemd/system for
# packages, /usr/local/lib/systemd/system for the default prefix: both are
# on systemd's search path) unless RANTAI_SYSTEMD_UNIT_DIR says otherwise.
if(RANTAI_INSTALL_SYSTEMD)
  foreach(svc producer buyer matcher)
    install(CODE "
      set(BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
      set(SYSCONFDIR \"\${RANTAI_ETC}\")
      configure_file(\"${CMAKE_SOURCE_DIR}/deploy/systemd/rantai-${svc}.service.in\"
                     \"${CMAKE_BINARY_DIR}/deploy/systemd/rantai-${svc}.service\"
                     @ONLY)")
  endforeach()
  if(RANTAI_SYSTEMD_UNIT_DIR)
    set(unit_dest ${RANTAI_SYSTEMD_UNIT_DIR})
  else()
    set(unit_dest lib/systemd/system)
  endif()
  install(FILES ${CMAKE_BINARY_DIR}/deploy/systemd/rantai-producer.service
                ${CMAKE_BINARY_DIR}/deploy/systemd/rantai-buyer.service
                ${CMAKE_BINARY_DIR}/deploy/systemd/rantai-matcher.service
                ${CMAKE_SOURCE_DIR}/deploy/systemd/rantai.target
          DESTINATION ${unit_dest})
endif()
