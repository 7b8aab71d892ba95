# Operations tests (tests/ops): systemd units, example configs, install
# tree + pkg-config/CMake consumers, the integrator examples against the
# real services, and the container/Kubernetes manifests. Each is a script
# taking the build directory; exit 77 means a needed tool is missing
# (each script names its Debian packages). They expect the whole tree to
# be built (cmake --install needs every installed target).
# Debian packages, all tests: systemd man-db groff-base pkg-config python3
# python3-yaml python3-zmq python3-protobuf protobuf-compiler.
find_program(RANTAI_BASH bash REQUIRED)
find_program(RANTAI_SYS_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT RANTAI_SYS_PYTHON3)
  set(RANTAI_SYS_PYTHON3 ${Python3_EXECUTABLE})
endif()
set(RANTAI_OPS_DIR ${CMAKE_SOURCE_DIR}/tests/ops)
foreach(t systemd configs install examples metrics)
  add_test(NAME ops_${t}
           COMMAND ${RANTAI_BASH} ${RANTAI_OPS_DIR}/test_${t}.sh ${CMAKE_BINARY_DIR})
endforeach()
add_test(NAME ops_deploy
         COMMAND ${RANTAI_SYS_PYTHON3} ${RANTAI_OPS_DIR}/test_deploy.py
                 ${CMAKE_BINARY_DIR})
foreach(t systemd configs install examples metrics deploy)
  set_tests_properties(ops_${t} PROPERTIES LABELS ops TIMEOUT 300
                       SKIP_RETURN_CODE 77
                       ENVIRONMENT "PYTHON=${RANTAI_SYS_PYTHON3};PYTHONDONTWRITEBYTECODE=1")
endforeach()
# Two tests install to their own temp prefixes from the same build tree:
# the install script writes the configured units into the build tree, so
# keep them apart.
set_tests_properties(ops_systemd ops_install PROPERTIES RESOURCE_LOCK
                     rantai_install)
