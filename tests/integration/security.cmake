# The security suite (tests/integration/test_security.c): the real
# binaries with --security curve. integration.cmake (included before this
# file, alphabetically) defines rantai_harness and rantai_integration_test.
add_library(rantai_harness_curve STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/harness_curve.c)
target_link_libraries(rantai_harness_curve PUBLIC rantai_harness)
target_compile_options(rantai_harness_curve PRIVATE ${RANTAI_WARNINGS})

rantai_integration_test(test_security)
target_link_libraries(test_security PRIVATE rantai_harness_curve)
target_sources(test_security PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_security_reqs.c)
