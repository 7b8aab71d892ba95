# Unit tests of the registry cores (producer and buyer): handle() driven
# directly on a real store in a mkdtemp directory.
rantai_unit_test(test_producer_core
  ${CMAKE_CURRENT_LIST_DIR}/test_producer_core.c LIBS producer_core)
rantai_unit_test(test_buyer_core
  ${CMAKE_CURRENT_LIST_DIR}/test_buyer_core.c LIBS buyer_core)
