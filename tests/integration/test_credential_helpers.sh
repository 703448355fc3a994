#!/usr/bin/env bash
# Credentials that `docker login` keeps in a credential helper (an auth
# file's credsStore or credHelpers), with Debian's docker-credential-pass
# over pass and gpg: pack and import find them, a helper that has none
# falls back to the file's auths, and a missing or failing helper is a
# configuration error naming it.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

make_ca
start_registry up
start_registry site
start_token_registry tok
"$TESTKIT" layout lay app --layer 1:200000 --layer 2:50000 > /dev/null
seed lay app "$up_HOST" org/app:1.0
seed lay app "$tok_HOST" org/app:1.0
"$PACK" keygen --out k > /dev/null
export HOME=$T REGISTRY_AUTH_FILE=  # no stray credentials from the machine
reg=(--ca-file "$T/ca/ca.pem")

# A gpg key without a passphrase and a password store, as `pass init` makes.
export GNUPGHOME=$T/gnupg PASSWORD_STORE_DIR=$T/store
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key airlock-test@example.invalid default default never 2> /dev/null
pass init airlock-test@example.invalid > /dev/null
# helper_store SERVER USER SECRET: what `docker login` does with a helper.
helper_store() {
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3" | docker-credential-pass store
}
helper_store "$up_HOST" "$REG_USER" "$REG_PASS"
[ -n "$(find "$PASSWORD_STORE_DIR" -name '*.gpg')" ] && ok "the helper stored the credentials in pass" || bad "pass store is empty"
grep -rqF "$REG_PASS" "$PASSWORD_STORE_DIR" && bad "the password is in the store in the clear" || ok "pass keeps it encrypted"

printf 'name: app\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$up_HOST" > spec.yaml
no_output() { if ls out.tar.zst* > /dev/null 2>&1; then bad "$1: output left: $(ls out.tar.zst*)"; else ok "$1: no output left"; fi; }

# 1. credsStore: the default helper for every host.
printf '{"credsStore": "pass", "auths": {"%s": {}}}\n' "$up_HOST" > store.json
check "pack with credentials from credsStore" -- "$PACK" create spec.yaml --key k.key -o a.tar.zst --auth-file store.json "${reg[@]}"
check "its bundle verifies" -- "$IMPORT" verify a.tar.zst --pubkey k.pub

# 2. credHelpers: a helper for this host only.
printf '{"credHelpers": {"%s": "pass"}}\n' "$up_HOST" > helpers.json
check "pack with credentials from credHelpers" -- "$PACK" create spec.yaml --key k.key -o b.tar.zst --auth-file helpers.json "${reg[@]}"

# 3. The default auth file, ~/.docker/config.json, as docker login leaves it.
mkdir -p "$HOME/.docker"
cp store.json "$HOME/.docker/config.json"
check "pack with ~/.docker/config.json naming the helper" -- "$PACK" create spec.yaml --key k.key -o c.tar.zst "${reg[@]}"
rm "$HOME/.docker/config.json"

# 4. The helper has nothing for the site registry: the file's auths entry
# is used (import side, the same client).
printf '{"credsStore": "pass", "auths": {"%s": {"auth": "%s"}}}\n' "$site_HOST" \
  "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" > site.json
check "import falls back to auths when the helper has none for the host" -- \
  "$IMPORT" import a.tar.zst --pubkey k.pub --registry "$site_HOST" --auth-file site.json "${reg[@]}" --json
jq -e '.blobs.uploaded > 0 and .manifestsPushed > 0' out.txt > /dev/null && ok "the import uploaded" || bad "import report: $(cat out.txt)"

# 5. A helper "<token>" entry is an identity token: the refresh-token grant.
helper_store "$tok_HOST" "<token>" "$REG_REFRESH"
printf 'name: tok\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$tok_HOST" > tok.yaml
: > "$T/token.log"
check "pack with an identity token from the helper" -- "$PACK" create tok.yaml --key k.key -o t.tar.zst --auth-file store.json "${reg[@]}"
grep -q "token granted (refresh) scope=repository:org/app:pull" "$T/token.log" \
  && ok "the token came from the refresh grant" || bad "token log: $(cat "$T/token.log")"

# 6. Failures.
printf '{"credsStore": "pass"}\n' > nothing.json
expect_exit 4 "there are none for $site_HOST in nothing.json (and docker-credential-pass)" \
  "neither the helper nor the file has credentials" -- \
  "$IMPORT" import a.tar.zst --pubkey k.pub --registry "$site_HOST" --auth-file nothing.json "${reg[@]}"
printf '{"credHelpers": {"%s": "airlock-nosuch"}}\n' "$up_HOST" > missing.json
expect_exit 2 "docker-credential-airlock-nosuch is not installed" "a helper that is not installed" -- \
  "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file missing.json "${reg[@]}"
grep -qF "missing.json" err.txt && ok "the message names the auth file" || bad "message: $(cat err.txt)"
no_output "a helper that is not installed"
mkdir -m 700 "$T/other-gnupg"
expect_exit 2 "docker-credential-pass (for $up_HOST): exited with status 1" "a helper that fails (no secret key)" -- \
  env GNUPGHOME="$T/other-gnupg" "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file store.json "${reg[@]}"
grep -qF "decryption failed" err.txt && ok "the helper's own reason is in the message" || bad "message: $(cat err.txt)"
no_output "a helper that fails"
helper_store "$up_HOST" "$REG_USER" wrong-password
expect_exit 4 "registry $up_HOST" "wrong credentials in the helper" -- \
  "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file store.json "${reg[@]}"
no_output "wrong credentials in the helper"
printf '{"credsStore": 7}\n' > badtype.json
expect_exit 2 "auth file badtype.json: \"credsStore\" is not a string" "a malformed credsStore" -- \
  "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file badtype.json "${reg[@]}"

finish
