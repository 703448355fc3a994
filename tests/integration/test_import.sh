#!/usr/bin/env bash
# airlock-import import against real registries: Debian's docker-registry on
# loopback with TLS from a test CA and htpasswd; skopeo cross-checks what
# landed; the registry's access log counts uploads.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

make_ca
start_registry site
make_release
"$PACK" keygen --out k > /dev/null
"$PACK" keygen --out other > /dev/null
check "pack the release" -- "$PACK" create rel/spec.yaml --key k.key -o b.tar.zst
check "verify it" -- "$IMPORT" verify b.tar.zst --pubkey k.pub --json
cp out.txt v.json
export HOME=$T REGISTRY_AUTH_FILE=
write_auth_file auth.json "$site_HOST"
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")
sk=(--creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d")
uploads() { grep -c 'POST /v2/[^ ]*/blobs/uploads/' "$T/reg-$1/log" || true; }
# tags REGISTRY REPO: the repository's tags, or nothing when it has none.
tags() {
  curl -s --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" "https://$1/v2/$2/tags/list" | jq -r '.tags // [] | .[]'
}

# 1. Import: every image at the bundle's digest, and skopeo pulls it back.
check "import into a TLS + htpasswd registry" -- "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --prefix site/rel "${reg[@]}" --json
cp out.txt i1.json
check "the summary names three images with digests" -- jq -e --slurpfile v v.json \
  '(.imported | map([.name, .repository, .digest])) == ($v[0].images | map([.name, "'"$site_HOST"'/site/rel/" + (.name | split(":")[0]), .digest]))' i1.json
check "the summary counts blobs and bytes" -- jq -e \
  '.blobs.uploaded > 0 and .blobs.skipped == 0 and .blobs.bytesUploaded > 500000 and .seconds > 0 and .verified == true' i1.json
for name in org/app:1.0 org/web:3.0 org/multi:2.0; do
  want=$(jq -r --arg n "$name" '.images[] | select(.name == $n) | .digest' v.json)
  got=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$site_HOST/site/rel/$name" | sha256sum | cut -d' ' -f1)
  [ "$want" = "$got" ] && ok "$name resolves at the bundle's digest" || bad "$name: registry has $got, bundle $want"
  check "skopeo copy pulls $name back" -- skopeo copy --quiet --all --src-creds "$REG_USER:$REG_PASS" \
    --src-cert-dir "$T/certs.d" "docker://$site_HOST/site/rel/$name" "oci:pulled:$name"
done
check "the multi-arch index keeps both platforms" -- bash -o pipefail -c \
  "skopeo inspect --raw --creds '$REG_USER:$REG_PASS' --cert-dir '$T/certs.d' docker://$site_HOST/site/rel/org/multi:2.0 \
   | jq -e '.manifests | length == 2'"
# The shared layer went up once and reached the other repositories by mount.
check "shared blobs are mounted, not uploaded again" -- jq -e '.blobs.mounted >= 2' i1.json
[ "$(grep -c 'POST /v2/[^ ]*/blobs/uploads/?.*mount=' "$T/reg-site/log")" -ge 2 ] \
  && ok "the registry saw cross-repository mounts" || bad "no mount requests in the registry log"

# A platform-filtered bundle: the registry checks an index's children, so
# the index the bundle carries lists only the platform it keeps.
sed 's/^sequence: 1$/sequence: 2\nplatforms: [linux\/arm64]/' rel/spec.yaml > rel/arm.yaml
check "pack with platforms: [linux/arm64]" -- "$PACK" create rel/arm.yaml --key k.key -o arm.tar.zst
check "import the platform-filtered bundle" -- "$IMPORT" import arm.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --prefix site/arm "${reg[@]}" --json
want=$("$IMPORT" inspect arm.tar.zst --json | jq -r '.images[] | select(.name == "org/multi:2.0") | .digest')
got=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$site_HOST/site/arm/org/multi:2.0" | sha256sum | cut -d' ' -f1)
[ "$want" = "$got" ] && ok "the filtered index resolves at the bundle's digest" || bad "filtered index: $got vs $want"
check "skopeo pulls the arm64 image" -- skopeo copy --quiet --override-arch arm64 --src-creds "$REG_USER:$REG_PASS" \
  --src-cert-dir "$T/certs.d" "docker://$site_HOST/site/arm/org/multi:2.0" oci:pulled-arm:x

# 2. A re-run after success starts no upload and pushes nothing.
before=$(uploads site)
check "a re-run succeeds" -- "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site/rel "${reg[@]}" --json
check "the re-run uploads nothing" -- jq -e '.blobs.uploaded == 0 and .blobs.mounted == 0 and .manifestsPushed == 0' out.txt
[ "$(uploads site)" = "$before" ] && ok "the registry log shows no new upload ($before in all)" \
  || bad "the re-run started $(($(uploads site) - before)) uploads"

# 3. Nothing unverified becomes visible: tampered, truncated or wrongly
# signed bundles into an empty registry leave no tag and no manifest.
start_registry empty
write_auth_file eauth.json "$empty_HOST"
ereg=(--auth-file eauth.json --ca-file "$T/ca/ca.pem")
for kase in flip-layer flip-config flip-manifest flip-yaml; do
  "$TESTKIT" mutate b.tar.zst "bad-$kase.tar.zst" "$kase"
  expect_exit 3 "sha256 mismatch" "$kase: import refused" -- \
    "$IMPORT" import "bad-$kase.tar.zst" --pubkey k.pub --registry "$empty_HOST" "${ereg[@]}"
done
head -c $(($(stat -c %s b.tar.zst) * 3 / 4)) b.tar.zst > trunc.tar.zst
expect_exit 3 "trunc.tar.zst" "truncated bundle: import refused" -- \
  "$IMPORT" import trunc.tar.zst --pubkey k.pub --registry "$empty_HOST" "${ereg[@]}"
expect_exit 3 "not signed by a trusted key" "wrong key: import refused" -- \
  "$IMPORT" import b.tar.zst --pubkey other.pub --registry "$empty_HOST" "${ereg[@]}"
leaked=""
for repo in org/app org/web org/multi; do leaked+=$(tags "$empty_HOST" "$repo"); done
[ -z "$leaked" ] && ok "no tag became visible" || bad "tags visible after refused imports: $leaked"
grep -q 'PUT /v2/[^ ]*/manifests/' "$T/reg-empty/log" && bad "a manifest was pushed from a bad bundle" \
  || ok "no manifest was pushed from a bad bundle"

# 4. kill -9 in the middle, then a re-run completes.
"$TESTKIT" layout big v1 --layer 11:24000000 --layer 12:24000000 --layer 13:24000000 > /dev/null
cat > big.yaml <<'YAML'
name: big
version: "1"
sequence: 1
images:
  - {source: "oci:big:v1", name: "org/big:1"}
YAML
check "pack a bigger release" -- "$PACK" create big.yaml --key k.key -o big.tar.zst
"$IMPORT" import big.tar.zst --pubkey k.pub --registry "$empty_HOST" "${ereg[@]}" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do
  grep -q 'PUT /v2/org/big/blobs/uploads/' "$T/reg-empty/log" && break
  sleep 0.01
done
kill -9 "$pid" 2> /dev/null && ok "killed the import mid-upload" || bad "the import ended before it could be killed"
{ wait "$pid"; } 2> /dev/null || true
[ -z "$(tags "$empty_HOST" org/big)" ] && ok "the killed import left no tag" || bad "the killed import left a tag"
check "a re-run completes" -- "$IMPORT" import big.tar.zst --pubkey k.pub --registry "$empty_HOST" "${ereg[@]}" --json
check "the re-run kept what the killed run uploaded" -- jq -e '.blobs.skipped >= 1' out.txt
want=$("$IMPORT" inspect big.tar.zst --json | jq -r '.images[0].digest')
got=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$empty_HOST/org/big:1" | sha256sum | cut -d' ' -f1)
[ "$want" = "$got" ] && ok "org/big:1 resolves at the bundle's digest after the re-run" || bad "org/big:1: $got vs $want"

# Chunked uploads, for registries behind proxies that cap a request's body.
before=$(grep -c 'PATCH /v2/chunked/' "$T/reg-empty/log" || true)
check "import in 8 MiB PATCH chunks" -- "$IMPORT" import big.tar.zst --pubkey k.pub --registry "$empty_HOST" \
  --prefix chunked --chunk-mib 8 "${ereg[@]}" --json
check "every blob was uploaded" -- jq -e '.blobs.uploaded == 4 and .blobs.skipped == 0' out.txt
patches=$(grep -c 'PATCH /v2/chunked/org/big/blobs/uploads/[^ ]* HTTP/1.1" 202' "$T/reg-empty/log" || true)
# three 24 MB layers in 8 MiB chunks: 3 chunks each; the config: 1
[ "$((patches - before))" = 10 ] && ok "the registry took 10 PATCH chunks" || bad "PATCH count $((patches - before)), want 10"
got=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$empty_HOST/chunked/org/big:1" | sha256sum | cut -d' ' -f1)
[ "$want" = "$got" ] && ok "chunked/org/big:1 resolves at the bundle's digest" || bad "chunked/org/big:1: $got vs $want"
check "skopeo pulls it back" -- skopeo copy --quiet --src-creds "$REG_USER:$REG_PASS" --src-cert-dir "$T/certs.d" \
  "docker://$empty_HOST/chunked/org/big:1" oci:pulled-big:x

# Bearer token auth (the registry is the real one; the token service is the testkit's).
start_token_registry tok
write_auth_file tauth.json "$tok_HOST"
check "import into a token-auth registry" -- "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$tok_HOST" \
  --auth-file tauth.json --ca-file "$T/ca/ca.pem" --json
cp out.txt tok.json
check "shared blobs are mounted under token auth too" -- jq -e '.blobs.mounted >= 2 and .blobs.copied == 0' tok.json
grep -q 'token granted.*scope=repository:org/web:pull,push' "$T/token.log" && ok "the token service granted push scopes" \
  || bad "no push token in $(cat "$T/token.log")"
want=$(jq -r '.images[] | select(.name == "org/web:3.0") | .digest' v.json)
got=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$tok_HOST/org/web:3.0" | sha256sum | cut -d' ' -f1)
[ "$want" = "$got" ] && ok "org/web:3.0 resolves at the bundle's digest behind token auth" || bad "token registry: $got vs $want"

# 5. Registry failures: exit 4 naming registry and image.
write_auth_file wrong.json "$site_HOST" "$REG_USER" wrong-pass
expect_exit 4 "$site_HOST" "bad credentials: exit 4 naming the registry" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix fresh --auth-file wrong.json --ca-file "$T/ca/ca.pem"
expect_exit 4 "certificate" "an untrusted certificate: exit 4" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix fresh --auth-file auth.json
expect_exit 2 "--prefix" "an invalid prefix: exit 2" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix 'Bad/Prefix' "${reg[@]}"
kill "$site_PID"
wait "$site_PID" 2> /dev/null || true
expect_exit 4 "$site_HOST" "registry stopped: exit 4 naming the registry" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix fresh "${reg[@]}"
grep -q "org/" err.txt && ok "the message names the image" || bad "the message does not name an image: $(cat err.txt)"

# 6. A registry out of space: its storage is a 256 KiB tmpfs, smaller than
# the first layer (mounting needs root; the CI machine has it).
mkdir -p "$T/reg-full/data"
if mount -t tmpfs -o size=256k airlock-test "$T/reg-full/data" 2> /dev/null; then
  MOUNTS+=("$T/reg-full/data")
  start_registry full
  write_auth_file full.json "$full_HOST"
  expect_exit 4 "$full_HOST" "a registry out of space: exit 4 naming the registry" -- \
    "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$full_HOST" --prefix site --auth-file full.json \
    --ca-file "$T/ca/ca.pem"
  grep -q "org/" err.txt && ok "the message names the image" || bad "no image named: $(cat err.txt)"
  [ -z "$(tags "$full_HOST" site/org/app)$(tags "$full_HOST" site/org/web)$(tags "$full_HOST" site/org/multi)" ] \
    && ok "no tag in the full registry" || bad "tags were pushed into the full registry"
else
  echo "skip: cannot mount a tmpfs here (needs root): the out-of-space case is not tested"
fi

finish
