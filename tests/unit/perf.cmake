# ListOffers by cooperative (merge over the cooperative's producers).
rantai_unit_test(test_producer_list
  ${CMAKE_CURRENT_LIST_DIR}/test_producer_list.c
  LIBS producer_core registry_fx)
# rantai_client_recv(timeout 0) polls once.
rantai_unit_test(test_client_poll
  ${CMAKE_CURRENT_LIST_DIR}/test_client_poll.c LIBS rantai_static)
