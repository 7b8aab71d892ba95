/*  buyer_core.h - the rules of the buyer registry (PROTOCOL.md sections
    2-4 and 6): buyers and their demands.

    The core has no state of its own (pass NULL as `core`): everything lives
    in the store, in the databases named by buyer_service.db_names:

      buyers                  buyer id -> record
      demands                 demand id -> record
      demands_by_buyer        buyer_id \0 demand_id -> "" (list index)
      demands_by_marketplace  marketplace_id \0 demand_id -> "" (list index)

    A record is a 16-byte header - the big-endian seq of the put/post and
    the big-endian seq of the cancellation (0 while live) - followed by the
    canonical packed protobuf (unknown fields dropped, an unset max_price
    removed, -0.0 coordinates made 0.0), so an idempotent put is a byte
    comparison. A cancelled demand stays readable and listed.

    Field paths in INVALID_ARGUMENT replies are dotted proto field names
    relative to the request body ("demand.quantity.unit",
    "demand.origin_provinces[1]", "demand_id", "id"); List filters are
    prefixed with the body name ("list_demands.page_token").

    Thread rules: handle() touches nothing but ctx. */
#ifndef BUYER_CORE_H
#define BUYER_CORE_H

#include "service.h"

/* The buyer service: name "buyer", its databases, is_write (PutBuyer,
   PostDemand, CancelDemand) and handle. handle() answers every buyer
   request into the reply (errors as reply codes); it returns 0, or a store
   error (RANTAI_EMAPFULL must reach the server so it can grow the map and
   retry; anything else becomes INTERNAL). */
extern const rantai_service_def_t buyer_service;

#endif
