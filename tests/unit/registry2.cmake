# Unit tests of services/common/registry.c (shared by the registry cores).
rantai_unit_test(test_registry
  ${CMAKE_CURRENT_LIST_DIR}/test_registry.c LIBS rantai_common)
