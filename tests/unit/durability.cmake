# The shared feed server (PROTOCOL.md s5) on a real store and ROUTER.
rantai_unit_test(test_feed_server
  ${CMAKE_CURRENT_LIST_DIR}/test_feed_server.c LIBS rantai_common)
