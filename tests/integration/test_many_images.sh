#!/usr/bin/env bash
# A release of many small images, each in its own repository (a base layer
# all share, a layer of each image's own): pack and import send the
# requests each image needs and no more, counted per method in the real
# registry's access log, and their memory does not grow with the images
# (the scale figures are scripts/bench --images 300's; docs/PERFORMANCE.md).
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

N=24
make_ca
start_registry up
start_registry site
printf 'name: many\nversion: "1"\nsequence: 1\nimages:\n' > pull.yaml
for i in $(seq 1 "$N"); do
  "$TESTKIT" layout lay "img$i" --layer 1:200000 --layer "$((100 + i)):20000" > /dev/null
  printf '  - %s/many/svc-%02d:1.0\n' "$up_HOST" "$i" >> pull.yaml
done
for i in $(seq 1 "$N"); do printf 'img%s many/svc-%02d:1.0\n' "$i" "$i"; done \
  | T=$T HOST=$up_HOST REG_USER=$REG_USER REG_PASS=$REG_PASS xargs -P 4 -n 2 bash -c \
    'skopeo copy --quiet --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$T/certs.d" "oci:$T/lay:$0" "docker://$HOST/$1"'
write_auth_file up.json "$up_HOST"
write_auth_file site.json "$site_HOST"
"$PACK" keygen --out k > /dev/null
export HOME=$T REGISTRY_AUTH_FILE=

# requests LOG FROM: "METHOD STATUS COUNT" lines for the access log's
# lines after line FROM (the registry writes a line as a request completes).
requests() {
  sleep 0.5
  tail -n +"$(($2 + 1))" "$1" | awk '/^[^ ]+ - [^ ]+ \[[^]]*\] "[A-Z]+ / {
    split($0, f, "\""); split(f[2], m, " "); split(f[3], st, " "); c[m[1]]++; if (st[1] == 401) u++ }
    END { for (k in c) print k, c[k]; print "401", u + 0 }' > "$T/requests.txt"
}
# count METHOD: how many of the last requests() used METHOD ("401": answered 401).
count() { awk -v m="$1" '$1 == m {n = $2} END {print n + 0}' "$T/requests.txt"; }
# expect_count METHOD OP N DESC
expect_count() {
  local got
  got=$(count "$1")
  if [ "$got" "$2" "$3" ]; then ok "$4: $1 $got"; else bad "$4: $1 $got, expected $2 $3 ($(tr '\n' ' ' < "$T/requests.txt"))"; fi
}

# Pack: three GETs an image (manifest, config, its layer), the shared base
# once, one auth challenge for the whole registry (not one per repository).
from=$(wc -l < "$T/reg-up/log")
check "pack $N images from the registry" -- /usr/bin/time -f %M -o "$T/rss.txt" \
  "$PACK" create pull.yaml --key k.key -o many.tar.zst --auth-file up.json --ca-file "$T/ca/ca.pem"
peak_rss_under $((64 * 1024)) "pack of $N images"
requests "$T/reg-up/log" "$from"
expect_count GET -eq $((3 * N + 2)) "pack: one GET per manifest, config and layer, the base once, one challenge"
expect_count 401 -eq 1 "pack: the registry's challenge met once"
expect_count HEAD -eq 0 "pack: no HEAD"
check "the bundle verifies" -- "$IMPORT" verify many.tar.zst --pubkey k.pub

# Import into an empty registry: one HEAD, of the first image's tag (it is
# pushed last, so when it is not there no import of this bundle finished
# and the other tags need no asking); per image POST + PUT for its config
# and for its layer (no HEAD first: the POST asks), a mount of the base,
# the manifest's PUT and the tag's; the base's own upload once; one
# challenge.
from=$(wc -l < "$T/reg-site/log")
check "import $N images into an empty registry" -- /usr/bin/time -f %M -o "$T/rss.txt" \
  "$IMPORT" import many.tar.zst --pubkey k.pub --registry "$site_HOST" --auth-file site.json \
  --ca-file "$T/ca/ca.pem" --json
peak_rss_under $((64 * 1024)) "import of $N images"
cp "$T/out.txt" import1.json
requests "$T/reg-site/log" "$from"
expect_count HEAD -eq 2 "import: the first image's tag asked for, and the challenge"
expect_count POST -eq $((3 * N)) "import: uploads opened (asking whether the blob is there), mounts"
expect_count PUT -eq $((4 * N + 1)) "import: blobs, manifests by digest, then tags"
expect_count GET -eq 0 "import: no GET"
expect_count PATCH -eq 0 "import: no PATCH"
expect_count 401 -eq 1 "import: the registry's challenge met once"
check "import: each unique blob uploaded once, the base mounted into every other repository" -- \
  jq -e --argjson n "$N" '.blobs.uploaded == 2 * $n + 1 and .blobs.mounted == $n - 1 and .blobs.skipped == 0
    and .manifestsPushed == $n and ([.imported[] | select(.tagPushed)] | length) == $n' import1.json
for i in 1 "$N"; do
  name=$(printf 'many/svc-%02d:1.0' "$i")
  want=$(jq -r --arg n "$name" '.imported[] | select(.name == $n) | .digest' import1.json)
  check "skopeo copies $name out of the site whole" -- skopeo copy --quiet --src-creds "$REG_USER:$REG_PASS" \
    --src-cert-dir "$T/certs.d" "docker://$site_HOST/$name" "oci:$T/out:$i"
  got=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$site_HOST/$name" \
    | sha256sum | cut -d' ' -f1)
  [ "$got" = "$want" ] && ok "$name is at the bundle's digest" || bad "$name: $got, the bundle says $want"
done

# Again: every image is complete (its tag names its digest), so a HEAD of
# each tag is all; nothing is uploaded, mounted or pushed.
from=$(wc -l < "$T/reg-site/log")
check "import the same bundle again" -- "$IMPORT" import many.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --auth-file site.json --ca-file "$T/ca/ca.pem" --json
cp "$T/out.txt" import2.json
requests "$T/reg-site/log" "$from"
expect_count HEAD -eq $((N + 1)) "again: one HEAD per tag, and the challenge"
expect_count POST -eq 0 "again: no upload opened, no mount"
expect_count PUT -eq 0 "again: nothing pushed"
check "again: nothing uploaded, mounted or pushed; no tag moved" -- \
  jq -e --argjson n "$N" '.blobs.uploaded == 0 and .blobs.mounted == 0 and .blobs.skipped == 2 * $n + 1
    and .manifestsPushed == 0 and ([.imported[] | select(.tagPushed)] | length) == 0' import2.json

# The first image's tag moved elsewhere (as by an import of another bundle,
# or one that stopped before its last tag): the others are not asked for,
# each image is made complete again by asking for its blobs, none is sent
# again, and every tag names the bundle's digest.
check "move the first image's tag to another image" -- skopeo copy --quiet --dest-creds "$REG_USER:$REG_PASS" \
  --dest-cert-dir "$T/certs.d" "oci:$T/lay:img2" "docker://$site_HOST/many/svc-01:1.0"
from=$(wc -l < "$T/reg-site/log")
check "import the same bundle a third time" -- "$IMPORT" import many.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --auth-file site.json --ca-file "$T/ca/ca.pem" --json
cp "$T/out.txt" import3.json
requests "$T/reg-site/log" "$from"
expect_count HEAD -eq 2 "third: the first image's tag asked for, and the challenge"
check "third: no blob sent again, every tag pushed" -- \
  jq -e --argjson n "$N" '.blobs.uploaded == 0 and ([.imported[] | select(.tagPushed)] | length) == $n' import3.json
for i in 1 2 "$N"; do
  name=$(printf 'many/svc-%02d:1.0' "$i")
  want=$(jq -r --arg n "$name" '.imported[] | select(.name == $n) | .digest' import1.json)
  got=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$site_HOST/$name" \
    | sha256sum | cut -d' ' -f1)
  [ "$got" = "$want" ] && ok "third: $name is at the bundle's digest" || bad "third: $name: $got, the bundle says $want"
done

finish
