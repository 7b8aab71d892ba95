/*  producer_core.h - the rules of the producer registry (PROTOCOL.md
    sections 2-4 and 6): producers and their offers.

    The core has no state of its own (pass NULL as `core`): everything lives
    in the store, in the databases named by producer_service.db_names:

      producers           producer id -> record
      offers              offer id -> record
      offers_by_producer  producer_id \0 offer_id -> "" (list index)
      producers_by_coop   cooperative_id \0 producer_id -> "" (written on
                          a producer's first put: the cooperative never
                          changes)

    ListOffers by cooperative merges the offers_by_producer ranges of the
    cooperative's producers in offer id order (an offer put dirties one
    index page, not two). Stores from before producers_by_coop get it
    built at start-up (start hook); their old offers_by_coop database is
    left in the file, unused.

    A record is a 16-byte header - the big-endian seq of the last put and
    the big-endian seq of the withdrawal (0 while live) - followed by the
    canonical packed protobuf (unknown fields dropped, empty min_order
    removed, -0.0 coordinates made 0.0), so an idempotent put is a byte
    comparison.

    Field paths in INVALID_ARGUMENT replies are dotted proto field names
    relative to the request body ("offer.quantity.unit",
    "offer.certificates[0].scheme", "offer_id", "id"); List filters are
    prefixed with the body name ("list_offers.page_token").

    Thread rules: handle() runs on the server's writer thread (or any thread
    for reads) and touches nothing but ctx. */
#ifndef PRODUCER_CORE_H
#define PRODUCER_CORE_H

#include "service.h"

/* The producer service: name "producer", its databases, is_write (PutProducer,
   PutOffer, WithdrawOffer) and handle. handle() answers every producer
   request into the reply (errors as reply codes); it returns 0, or a store
   error (RANTAI_EMAPFULL must reach the server so it can grow the map and
   retry; anything else becomes INTERNAL). */
extern const rantai_service_def_t producer_service;

#endif
