# Release review of services/common: settings loading (config.c).
rantai_unit_test(test_config ${CMAKE_CURRENT_LIST_DIR}/test_config.c
  LIBS rantai_common)
