/*  fuzz_feed_decode - the feed envelope: FeedRequest (what every feed
    server decodes from untrusted subscribers), FeedMessage (what every
    subscriber, the matcher included, decodes) and Event (what the event
    log stores and the matcher applies). */
#include "fuzz_common.h"
#include "fuzz_decode_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rantai_arena_t *arena;
    if (!arena) {
        arena = rantai_arena_new();
    }
    const rantai_feed_request_t *fr =
        (const rantai_feed_request_t *) s_decode_check(
            &rantai__v1__feed_request__descriptor, data, size, arena);
    if (fr && fr->body_case == RANTAI__V1__FEED_REQUEST__BODY_SUBSCRIBE &&
        fr->subscribe->party) {
        rantai_id_valid(fr->subscribe->party->id);
        rantai_enum_defined(&rantai__v1__party_kind__descriptor,
                            (int) fr->subscribe->party->kind);
    }
    s_decode_check(&rantai__v1__feed_message__descriptor, data, size, arena);
    s_decode_check(&rantai__v1__event__descriptor, data, size, arena);
    rantai_arena_reset(arena);
    return 0;
}
