# Integration tests: the real binaries on loopback (tests/integration).
add_library(rantai_harness STATIC ${CMAKE_CURRENT_SOURCE_DIR}/integration/harness.c)
target_link_libraries(rantai_harness PUBLIC rantai_static)
target_compile_definitions(rantai_harness PRIVATE
  RANTAI_BUILD_DIR="${CMAKE_BINARY_DIR}")
target_compile_options(rantai_harness PRIVATE ${RANTAI_WARNINGS})
target_include_directories(rantai_harness PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/integration)

function(rantai_integration_test name)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/integration/${name}.c)
  target_link_libraries(${name} PRIVATE rantai_harness PkgConfig::CMOCKA)
  target_compile_options(${name} PRIVATE ${RANTAI_WARNINGS})
  add_dependencies(${name} rantai-producer rantai-buyer rantai-matcher rantai)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS integration)
endfunction()

rantai_integration_test(test_flow)
rantai_integration_test(test_process)
rantai_integration_test(test_validation)
