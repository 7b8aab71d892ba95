# Fault tests (docs/DURABILITY.md): kill -9 / SIGSTOP under load, resuming
# subscribers (test_faults), a full disk (test_disk_full).
# RANTAI_FAULT_KILLS=200 for the long run.
# integration.cmake (which defines rantai_integration_test) sorts after
# this file in tests/CMakeLists.txt's glob: register at the end of the
# directory instead.
function(rantai_faults_test)
  rantai_integration_test(test_faults)
  target_link_libraries(test_faults PRIVATE Threads::Threads)
  set_tests_properties(test_faults PROPERTIES TIMEOUT 600
                       LABELS "integration;faults")
  rantai_integration_test(test_disk_full)
  set_tests_properties(test_disk_full PROPERTIES LABELS "integration;faults")
endfunction()
cmake_language(DEFER CALL rantai_faults_test)
