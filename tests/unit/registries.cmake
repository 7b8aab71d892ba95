# Unit tests of the registry cores (producer and buyer): handle() driven
# directly on a real store in a mkdtemp directory.
# Their fixture (registry_fx.h) is shared with test_producer_list
# (perf.cmake).
add_library(registry_fx STATIC ${CMAKE_CURRENT_LIST_DIR}/registry_fx.c)
target_link_libraries(registry_fx PUBLIC PkgConfig::CMOCKA rantai_common)
target_compile_options(registry_fx PRIVATE ${RANTAI_WARNINGS})
rantai_unit_test(test_producer_core
  ${CMAKE_CURRENT_LIST_DIR}/test_producer_core.c
  LIBS producer_core registry_fx)
rantai_unit_test(test_buyer_core
  ${CMAKE_CURRENT_LIST_DIR}/test_buyer_core.c LIBS buyer_core registry_fx)
