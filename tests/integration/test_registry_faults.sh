#!/usr/bin/env bash
# The client against the failures of real registries and networks, injected
# by the testkit's registry-front in front of a real docker-registry: 503 and
# 429 answers (retries with backoff), a blob connection dropped mid-body
# (resumed with Range), blobs redirected to storage on another origin
# (followed without the registry's credentials), and plain HTTP refused.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

make_ca
start_registry up
"$TESTKIT" layout lay app --layer 1:400000 --layer 2:300000 > /dev/null
seed lay app "$up_HOST" org/app:1.0
want=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$up_HOST/org/app:1.0" | sha256sum | cut -d' ' -f1)
export HOME=$T REGISTRY_AUTH_FILE=
"$PACK" keygen --out k > /dev/null

pack_via() {  # pack_via NAME OUT: packs org/app:1.0 through front NAME
  local host_var=${1}_HOST
  printf 'name: f\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "${!host_var}" > "$1.yaml"
  write_auth_file "$1.json" "${!host_var}"
  "$PACK" create "$1.yaml" --key k.key -o "$2" --auth-file "$1.json" --ca-file "$T/ca/ca.pem"
}
digest_of() { "$IMPORT" verify "$1" --pubkey k.pub --json | jq -r '.images[0].digest'; }

start_front flaky "$up_HOST" --fail-first 3
check "503, 429, 503 then success: pack retries" -- pack_via flaky flaky.tar.zst
[ "$(grep -c '^injected' "$T/front-flaky.log")" = 3 ] && ok "three failures were injected and survived" || bad "front log: $(cat "$T/front-flaky.log")"
[ "$(digest_of flaky.tar.zst)" = "$want" ] && ok "the image is intact" || bad "digest after retries"

start_front broken "$up_HOST" --fail-first 100
expect_exit 4 "failed after 4 attempts: HTTP 503" "a registry that keeps failing" -- pack_via broken out.tar.zst
if ls out.tar.zst* > /dev/null 2>&1; then bad "output left behind"; else ok "no output left behind"; fi

start_front drop "$up_HOST" --drop-after 100000
check "blob connections dropped mid-body: pack resumes" -- pack_via drop drop.tar.zst
grep -q "^dropping" "$T/front-drop.log" && ok "connections were dropped" || bad "nothing dropped: $(cat "$T/front-drop.log")"
grep -q "range=bytes=100000-" "$T/front-drop.log" && ok "the client resumed with Range: bytes=100000-" || bad "no Range resume: $(cat "$T/front-drop.log")"
[ "$(digest_of drop.tar.zst)" = "$want" ] && ok "the resumed bundle verifies with the right digest" || bad "digest after resume"

start_front redir "$up_HOST" --redirect-blobs
check "blobs redirected to another origin" -- pack_via redir redir.tar.zst
grep -q "^storage .* authorization=absent" "$T/front-redir.log" && ok "blob storage was reached" || bad "no storage request: $(cat "$T/front-redir.log")"
if grep -q "authorization=present" "$T/front-redir.log"; then bad "credentials were sent to blob storage"; else ok "no credentials were sent to blob storage"; fi
[ "$(digest_of redir.tar.zst)" = "$want" ] && ok "the redirected bundle verifies" || bad "digest after redirect"

# Plain HTTP only for a host named with --insecure-registry; never a fallback.
start_registry plain plain
printf 'name: p\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$plain_HOST" > plain.yaml
skopeo copy --quiet --dest-tls-verify=false "oci:lay:app" "docker://$plain_HOST/org/app:1.0"
expect_exit 4 "registry $plain_HOST" "a plain-HTTP registry is not spoken to over HTTP by default" -- "$PACK" create plain.yaml --key k.key -o out.tar.zst
check "--insecure-registry allows plain HTTP for that host" -- "$PACK" create plain.yaml --key k.key -o plain.tar.zst --insecure-registry "$plain_HOST"

finish
