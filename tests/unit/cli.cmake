# The JSON printer of librantai and the argument parsers of `rantai`.
rantai_unit_test(test_json ${CMAKE_CURRENT_LIST_DIR}/test_json.c
                 LIBS rantai_static)
rantai_unit_test(test_cli_args ${CMAKE_CURRENT_LIST_DIR}/test_cli_args.c
                 LIBS rantai_cli_args)
