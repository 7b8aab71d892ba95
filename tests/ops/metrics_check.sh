#!/usr/bin/env bash
# Run by test_metrics.sh inside rantai_cluster.py (RANTAI_*_API/_HTTP set):
# some traffic, then every service's /metrics through promtool and checks
# of the series the docs promise.
set -euo pipefail
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
r() {
    "$BUILD/cli/rantai" --producer "$RANTAI_PRODUCER_API" \
        --buyer "$RANTAI_BUYER_API" --matcher "$RANTAI_MATCHER_API" "$@"
}

# A producer, an offer, a buyer, a demand the offer fills, a miss.
r put-producer --id MP-1 --coop MK-1 --province 32 --at -6.9,107.6 >/dev/null
seq=$(r put-offer --id MO-1 --producer MP-1 --commodity 090111 --qty 1t \
    --price 90000/kg | awk '{print $NF}')
r put-buyer --id MB-1 --marketplace MM-1 >/dev/null
r wait --producer-seq "$seq" >/dev/null
bseq=$(r post-demand --id MD-1 --buyer MB-1 --commodity 0901 --qty 500kg \
    --at -6.2,106.8 --partial | awk '{print $NF}')
r wait --buyer-seq "$bseq" >/dev/null
r get-producer --id nobody >/dev/null 2>&1 || true

for svc in PRODUCER BUYER MATCHER; do
    var=RANTAI_${svc}_HTTP
    http=${!var}
    curl -fsS "http://$http/metrics" >"$TMP/$svc.prom" || fail "$svc /metrics"
    if ! promtool check metrics <"$TMP/$svc.prom" >"$TMP/$svc.lint" 2>&1; then
        cat "$TMP/$svc.lint"
        fail "$svc: promtool check metrics"
    fi
    for page in healthz readyz; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://$http/$page")
        [ "$code" = 200 ] || fail "$svc /$page answered $code"
    done
    for m in rantai_requests_total rantai_request_duration_seconds_bucket \
        rantai_events_appended_total rantai_event_head_seq \
        rantai_feed_subscribers rantai_feed_max_lag_events \
        rantai_lmdb_map_size_bytes rantai_lmdb_used_bytes \
        rantai_lmdb_readers; do
        grep -q "^$m" "$TMP/$svc.prom" || fail "$svc: no $m"
    done
done
P=$TMP/PRODUCER.prom
M=$TMP/MATCHER.prom
grep -q '^rantai_requests_total{service="producer",type="get_producer",code="NOT_FOUND"} 1$' "$P" ||
    fail "producer: the NOT_FOUND get is not counted"
grep -q '^rantai_events_appended_total{service="producer"} 2$' "$P" ||
    fail "producer: 2 events appended"
grep -q '^rantai_feed_subscribers{service="producer"} 1$' "$P" ||
    fail "producer: the matcher's subscription: $(grep '^rantai_feed_sub' "$P")"
for m in rantai_matcher_open_offers rantai_matcher_open_demands \
    rantai_matcher_live_allocations rantai_matcher_applied_seq \
    rantai_matcher_pass_duration_seconds_bucket; do
    grep -q "^$m" "$M" || fail "matcher: no $m"
done
grep -q '^rantai_matcher_live_allocations{service="matcher"} 1$' "$M" ||
    fail "matcher: one live allocation"
echo "$((fails == 0 ? 1 : 0)) passed, $fails failed"
exit "$fails"
