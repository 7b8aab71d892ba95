# librantai unit tests (one executable per module).
set(RANTAI_LIB_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(RANTAI_DATA_DIR ${CMAKE_CURRENT_LIST_DIR}/../../data
                       ABSOLUTE)

rantai_unit_test(test_arena ${RANTAI_LIB_TEST_DIR}/test_arena.c
                 LIBS rantai_static)
rantai_unit_test(test_units ${RANTAI_LIB_TEST_DIR}/test_units.c
                 LIBS rantai_static)
rantai_unit_test(test_codec ${RANTAI_LIB_TEST_DIR}/test_codec.c
                 LIBS rantai_static)
rantai_unit_test(test_client ${RANTAI_LIB_TEST_DIR}/test_client.c
                 LIBS rantai_static Threads::Threads)
foreach(t test_units test_codec)
  target_compile_definitions(${t} PRIVATE
                             RANTAI_DATA_DIR="${RANTAI_DATA_DIR}")
endforeach()
