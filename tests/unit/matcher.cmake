# Unit tests of the matcher: the pure rules, and the core driven with
# registry events on a real store in a mkdtemp directory.
rantai_unit_test(test_matcher_rules
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_rules.c LIBS matcher_core)
rantai_unit_test(test_matcher_core
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_core.c LIBS matcher_core)
rantai_unit_test(test_matcher_lifecycle
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_lifecycle.c LIBS matcher_core)
