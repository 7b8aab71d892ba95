# Fuzz targets (tests/fuzz; how to run them: docs/SECURITY.md "Fuzzing").
#
# Always: each target is also a ctest (fuzz_<name>) built with the normal
# compiler, whose main() (replay_main.c) feeds every file of the committed
# seed corpus tests/fuzz/corpus/<name>/ to LLVMFuzzerTestOneInput once.
#
# -DRANTAI_FUZZ=ON (needs -DCMAKE_C_COMPILER=clang): each target also
# becomes a libFuzzer binary <name>, linked with the code under test
# compiled again with -fsanitize=fuzzer-no-link,address,undefined and with
# an instrumented protobuf-c compiled from Debian's source by
# build-protobuf-c.sh into the build dir (the system's shared
# libprotobuf-c is invisible to the fuzzer).
set(FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(FUZZ_TARGETS
  fuzz_request_decode:rantai_common
  fuzz_feed_decode:rantai_common
  fuzz_producer_handle:producer_core
  fuzz_buyer_handle:buyer_core
  fuzz_matcher_handle:matcher_core)

option(RANTAI_FUZZ "Build the libFuzzer targets (clang)" OFF)
if(RANTAI_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RANTAI_FUZZ needs clang: -DCMAKE_C_COMPILER=clang")
  endif()
  set(FUZZ_FLAGS -g -O1 -fno-omit-frame-pointer
      -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
  set(PBC_DIR ${CMAKE_BINARY_DIR}/protobuf-c-fuzz)
  add_custom_command(
    OUTPUT ${PBC_DIR}/protobuf-c.o
    COMMAND ${FUZZ_DIR}/build-protobuf-c.sh ${PBC_DIR} ${CMAKE_C_COMPILER}
            ${FUZZ_FLAGS} -fsanitize-ignorelist=${FUZZ_DIR}/ubsan-ignore.txt
    DEPENDS ${FUZZ_DIR}/build-protobuf-c.sh ${FUZZ_DIR}/ubsan-ignore.txt
    COMMENT "instrumented protobuf-c (Debian source)")
  add_custom_target(protobuf_c_fuzz DEPENDS ${PBC_DIR}/protobuf-c.o)

  # The code under test, compiled again with coverage instrumentation
  # (the normal targets are built without it).
  set(FUZZ_LIB_SRCS)
  foreach(t rantai_static rantai_common producer_core buyer_core
            matcher_core)
    get_target_property(t_srcs ${t} SOURCES)
    get_target_property(t_dir ${t} SOURCE_DIR)
    foreach(s ${t_srcs})
      if(NOT IS_ABSOLUTE ${s})
        set(s ${t_dir}/${s})
      endif()
      list(APPEND FUZZ_LIB_SRCS ${s})
    endforeach()
  endforeach()
  add_library(rantai_fuzz_all STATIC ${FUZZ_LIB_SRCS})
  add_dependencies(rantai_fuzz_all rantai_gen)
  target_compile_options(rantai_fuzz_all PUBLIC ${FUZZ_FLAGS})
  target_include_directories(rantai_fuzz_all PUBLIC
    ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/gen
    ${CMAKE_SOURCE_DIR}/services/common ${CMAKE_SOURCE_DIR}/services/producer
    ${CMAKE_SOURCE_DIR}/services/buyer ${CMAKE_SOURCE_DIR}/services/matcher)
  target_link_libraries(rantai_fuzz_all PUBLIC PkgConfig::CZMQ PkgConfig::ZMQ
    PkgConfig::LMDB PkgConfig::MHD Threads::Threads m)
  target_link_options(rantai_fuzz_all PUBLIC -fsanitize=address,undefined)
endif()

foreach(spec ${FUZZ_TARGETS})
  string(REPLACE ":" ";" parts ${spec})
  list(GET parts 0 name)
  list(GET parts 1 lib)
  set(srcs ${FUZZ_DIR}/${name}.c ${FUZZ_DIR}/fuzz_common.c)

  add_executable(${name}_replay ${srcs} ${FUZZ_DIR}/replay_main.c)
  target_link_libraries(${name}_replay PRIVATE ${lib} rantai_common)
  target_include_directories(${name}_replay PRIVATE ${FUZZ_DIR})
  target_compile_options(${name}_replay PRIVATE ${RANTAI_WARNINGS})
  add_test(NAME ${name} COMMAND ${name}_replay ${FUZZ_DIR}/corpus/${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS fuzz)

  if(RANTAI_FUZZ)
    add_executable(${name} ${srcs})
    add_dependencies(${name} protobuf_c_fuzz)
    # The object file first: its definitions win over the shared library.
    target_link_libraries(${name} PRIVATE ${PBC_DIR}/protobuf-c.o
                          rantai_fuzz_all)
    target_include_directories(${name} PRIVATE ${FUZZ_DIR})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  endif()
endforeach()

# The seed corpora generator (not a test; see gen_seeds.c).
add_executable(fuzz_gen_seeds EXCLUDE_FROM_ALL ${FUZZ_DIR}/gen_seeds.c)
target_link_libraries(fuzz_gen_seeds PRIVATE rantai_common)
target_include_directories(fuzz_gen_seeds PRIVATE ${FUZZ_DIR})
target_compile_options(fuzz_gen_seeds PRIVATE ${RANTAI_WARNINGS})
