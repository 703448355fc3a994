#!/usr/bin/env bash
# A hostile registry takes nothing down and steals nothing (issue 11,
# classes 3 and 4). Pack against the testkit's hostile-registry, import
# against its raw-registry: each case asserts the exit code, a message
# naming what and where, the peak RSS (/usr/bin/time), and that no output
# was left behind. The limits are common/http_limits.hpp's, documented in
# docs/OPERATIONS.md.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

export HOME=$T REGISTRY_AUTH_FILE=
# Stalls end after this many seconds here (60 by default).
# Stalls are cut after 3 s where a test stalls on purpose; elsewhere 30 s, so
# that a slow (sanitizer) build on a loaded machine hits the limit under test
# rather than the stall timeout.
export AIRLOCK_STALL_TIMEOUT=30
RSS_KIB=$((64 * 1024))  # every path here streams or refuses before reading
"$PACK" keygen --out k > /dev/null

# pack_hostile MODE CODE SUBSTRING DESC [RSS_KIB]: packs org/app:1.0 from a
# fresh hostile registry in MODE; asserts exit code, message, peak RSS (64
# MiB unless given), no output.
pack_hostile() {
  local mode=$1 code=$2 substr=$3 desc=$4 rss=${5:-$RSS_KIB}
  start_hostile h "$mode"
  printf 'name: h\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$h_HOST" > h.yaml
  write_auth_file h.json "$h_HOST"
  local start=$SECONDS
  expect_exit "$code" "$substr" "$desc" -- /usr/bin/time -f %M -o "$T/rss.txt" \
    "$PACK" create h.yaml --key k.key -o out.tar.zst --insecure-registry "$h_HOST" --auth-file h.json
  if [ "$code" != 0 ] && ! grep -qF "registry $h_HOST" "$T/err.txt"; then
    bad "$desc: the message does not name registry $h_HOST: $(head -c 300 "$T/err.txt")"
  fi
  peak_rss_under "$rss" "$desc"
  if [ "$code" != 0 ]; then
    if ls out.tar.zst* > /dev/null 2>&1; then bad "$desc: output left behind"; rm -f out.tar.zst*; else ok "$desc: no output left behind"; fi
  fi
  [ $((SECONDS - start)) -le 45 ] && ok "$desc: ended in $((SECONDS - start)) s" || bad "$desc: took $((SECONDS - start)) s"
  kill "${PIDS[-1]}" 2> /dev/null || true
}

pack_hostile ok 0 "" "a well-behaved registry (the harness works)"
rm -f out.tar.zst

# Class 3: every response is capped.
pack_hostile token-huge 4 "k_max_token_response_bytes" "a 50 MB token answer"
pack_hostile token-endless 4 "k_max_token_response_bytes" "a token answer without end"
# pack_raw MODE SUBSTRING DESC: the same against the raw registry's header bombs.
pack_raw() {
  start_raw r "$1"
  printf 'name: h\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$r_HOST" > r.yaml
  expect_exit 4 "$2" "$3" -- /usr/bin/time -f %M -o "$T/rss.txt" \
    "$PACK" create r.yaml --key k.key -o out.tar.zst --insecure-registry "$r_HOST"
  grep -qF "registry $r_HOST: manifest org/app:1.0" "$T/err.txt" && ok "$3: names registry and manifest" \
    || bad "$3: $(head -c 300 "$T/err.txt")"
  peak_rss_under "$RSS_KIB" "$3"
  if ls out.tar.zst* > /dev/null 2>&1; then bad "$3: output left behind"; else ok "$3: no output left behind"; fi
  kill "${PIDS[-1]}" 2> /dev/null || true
}
pack_raw headers-huge "the response headers exceed 262144 bytes" "one 100 MB header"
pack_raw headers-many "the response has more than 256 headers" "a million headers"
pack_hostile manifest-huge 4 "manifest org/app:1.0: the manifest is larger than 4194304 bytes" "a 100 MB manifest"
pack_hostile manifest-endless 4 "k_max_manifest_bytes" "a manifest without end"
pack_hostile index-children 4 "more than 1024 (k_max_index_children)" "an index of 5000 children"
# Not streamed: up to k_max_image_json_bytes (32 MiB) of manifests is read
# whole and parsed before the refusal, so its bound is 128 MiB.
pack_hostile index-large-children 4 "k_max_image_json_bytes" "an index of 200 children of 4 MiB" $((128 * 1024))
pack_hostile config-huge 4 "more than 4194304 (k_max_config_bytes)" "a config declared 100 MB"
pack_hostile config-endless 3 "served more than the 2000 bytes its descriptor says" "a config that never ends"
pack_hostile blob-endless 3 "served more than the 300000 bytes its descriptor says" "a layer that never ends"
pack_hostile blob-size-2e62 4 "4611686018427387904 bytes, more than any real layer" "a layer declared 2^62 bytes"

# Retry-After is parsed without exceptions and capped (30 s).
pack_hostile retry-after-garbage 0 "" "Retry-After: soon, then -1 (ignored: backoff)"
rm -f out.tar.zst
pack_hostile retry-after-huge 0 "" "Retry-After: 10^20 (waited the 30 s cap, then retried)"
rm -f out.tar.zst

# Stalls end within the stall timeout (3 s here).
AIRLOCK_STALL_TIMEOUT=3 pack_hostile stall-headers 4 "manifest org/app:1.0: stalled: fewer than 1024 bytes moved in 3 s" "an upstream that never answers"
AIRLOCK_STALL_TIMEOUT=3 pack_hostile stall-body 4 "stalled: fewer than 1024 bytes moved in 3 s" "an upstream that stops mid-body"

# Class 4: credentials go only to the registry's origin.
for mode in storage-401 storage-401-basic; do
  pack_hostile "$mode" 4 "(not the registry) answered 401" "blob storage answers 401 ($mode)"
  grep -q "^storage /storage/.* authorization=absent" "$T/hostile-h.log" \
    && ok "$mode: storage was reached without credentials" || bad "$mode: $(cat "$T/hostile-h.log")"
  if grep -q "authorization=present" <(grep "^storage" "$T/hostile-h.log"); then
    bad "$mode: credentials reached the storage origin: $(grep '^storage' "$T/hostile-h.log")"
  else
    ok "$mode: no credentials reached the storage origin"
  fi
  if grep -q "^storage token" "$T/hostile-h.log"; then bad "$mode: storage's token realm was asked"; else ok "$mode: storage's token realm was never asked"; fi
done

# The site registry: closed or stalled mid-upload, streamed PUT and PATCH chunks.
mkdir -p rel
"$TESTKIT" layout rel/lay v1 --layer 1:3000000 > /dev/null
printf 'name: site\nversion: "1"\nsequence: 1\nimages:\n  - {source: "oci:lay:v1", name: "org/app:1.0"}\n' > rel/spec.yaml
check "a bundle with a 3 MB layer" -- "$PACK" create rel/spec.yaml --key k.key -o site.tar.zst

# import_cut MODE DESC [import options]
import_cut() {
  local mode=$1 desc=$2
  shift 2
  start_raw c "$mode" --keep 65536
  local start=$SECONDS
  expect_exit 4 "registry $c_HOST: blob upload org/app@sha256:" "$desc" -- /usr/bin/time -f %M -o "$T/rss.txt" \
    "$IMPORT" import site.tar.zst --pubkey k.pub --registry "$c_HOST" --insecure-registry "$c_HOST" --uploads 1 "$@"
  peak_rss_under "$RSS_KIB" "$desc"
  [ $((SECONDS - start)) -le 30 ] && ok "$desc: ended in $((SECONDS - start)) s" || bad "$desc: took $((SECONDS - start)) s"
  kill "${PIDS[-1]}" 2> /dev/null || true
}
import_cut cut "a registry that closes mid-PUT: exit 4, not SIGPIPE"
grep -q "bytes" "$T/err.txt" && grep -qE "after [0-9]+ of [0-9]+ bytes" "$T/err.txt" \
  && ok "the message counts the bytes that went" || bad "no byte count: $(cat "$T/err.txt")"
import_cut cut "a registry that closes mid-PATCH: exit 4, not SIGPIPE" --chunk-mib 1
grep -qE "chunk at byte 0: .* after [0-9]+ of 1048576 bytes" "$T/err.txt" \
  && ok "the message names the chunk and its bytes" || bad "no chunk named: $(cat "$T/err.txt")"
AIRLOCK_STALL_TIMEOUT=3 import_cut stall "a registry that stops reading mid-PUT"
grep -q "stalled: fewer than 1024 bytes moved in 3 s" "$T/err.txt" && ok "the stall is named" || bad "stall: $(cat "$T/err.txt")"

finish
