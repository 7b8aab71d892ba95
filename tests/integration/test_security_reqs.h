/*  test_security_reqs.h - request builders of test_security.c: the
    test's parties' producers, offers, buyers and demands, and one-id
    requests. Everything is allocated in sr_arena (set by the test). */
#ifndef RANTAI_TEST_SECURITY_REQS_H
#define RANTAI_TEST_SECURITY_REQS_H

#include "rantai/arena.h"
#include "rantai/codec.h"

#include <stdbool.h>

extern rantai_arena_t *sr_arena;

/* PutProducer of `id` in cooperative `coop` ("" independent). */
rantai_request_t *sr_put_producer(const char *id, const char *coop);

/* PutOffer of 500 kg: coffee (090111), rice (100630) for PRD-9. */
rantai_request_t *sr_put_offer(const char *id, const char *producer);

/* PutBuyer of `id` in marketplace `mkt`. */
rantai_request_t *sr_put_buyer(const char *id, const char *mkt);

/* PostDemand of 800 kg of coffee (0901) delivered to Surabaya. */
rantai_request_t *sr_post_demand(const char *id, const char *buyer);

/* A request whose body is one id (Get*, WithdrawOffer, CancelDemand,
   GetDemandState, GetOfferState); fails the test for other bodies. */
rantai_request_t *sr_id_req(int body_case, const char *id);

/* RespondAllocation. */
rantai_request_t *sr_respond(const char *allocation_id, bool accept);

#endif
