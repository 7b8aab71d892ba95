# Engine tests of the matcher (helper "engine"): the randomized property
# test against a brute-force model, byte-identical replay, the candidate
# index and the explanation of unfilled demands.
rantai_unit_test(test_matcher_property
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_property.c LIBS matcher_core m)
rantai_unit_test(test_matcher_replay
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_replay.c LIBS matcher_core m)
rantai_unit_test(test_matcher_engine
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_engine.c LIBS matcher_core m)
# Settling: bounded work with many OPEN demands, clock-driven re-queue.
rantai_unit_test(test_matcher_settle
  ${CMAKE_CURRENT_LIST_DIR}/test_matcher_settle.c LIBS matcher_core m)
