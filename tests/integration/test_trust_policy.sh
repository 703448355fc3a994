#!/usr/bin/env bash
# Several signers and a site's trust policy (m-of-n, per-key expiry):
# create signs with every --key, verify and import count the policy's keys
# that signed and are current, the auditor's stock-tool check accepts each
# signature on its own.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

make_release
for k in a b c; do "$PACK" keygen --out "$k" > /dev/null; done
id() { openssl pkey -pubin -in "$1.pub" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1; }
ida=$(id a) idb=$(id b)

check "create signs with two keys" -- "$PACK" create rel/spec.yaml --key a.key --key b.key -o ab.tar.zst --json
jq -e --arg a "$ida" --arg b "$idb" '.keyids == [$a, $b] and .keyid == $a' out.txt > /dev/null \
  && ok "its report names both signers" || bad "create report: $(cat out.txt)"
[ "$(tar --zstd -xOf ab.tar.zst bundle.dsse.json | jq '.signatures | length')" = 2 ] \
  && ok "the envelope holds two signatures" || bad "envelope: $(tar --zstd -xOf ab.tar.zst bundle.dsse.json | head -c 400)"
"$PACK" create rel/spec.yaml --key a.key -o a.tar.zst > /dev/null
expect_exit 2 "the same key as --key a.key" "the same key twice" -- \
  "$PACK" create rel/spec.yaml --key a.key --key a.key -o out.tar.zst
[ ! -e out.tar.zst ] && ok "no bundle written" || bad "a bundle was written"

# The auditor checks each signature with stock openssl, one key at a time.
sed -n '/^```sh$/,/^```$/p' "$ROOT/docs/AUDITING.md" | sed '1d;$d' > audit.sh
for k in a b; do
  check "the auditor's commands verify signer $k" -- env BUNDLE=ab.tar.zst PUBKEY=$k.pub bash audit.sh
done

mkdir keys && cp a.pub b.pub c.pub keys/
cat > keys/policy.yaml <<'YAML'
# two of the vendor's three release keys
threshold: 2
keys:
  - path: a.pub
  - path: b.pub
    expires: 2099-01-01T00:00:00Z
  - path: c.pub
YAML
check "verify against a 2-of-3 policy" -- "$IMPORT" verify ab.tar.zst --trust-policy keys/policy.yaml --json
jq -e '.threshold == 2 and .trustPolicy == "keys/policy.yaml" and (.trustedSigners | length) == 2
       and (.trustedSigners[1].key == "keys/b.pub")' out.txt > /dev/null \
  && ok "the report names the policy, the threshold and both trusted signers" || bad "verify report: $(cat out.txt)"
check "text output says how many signatures the policy required" -- "$IMPORT" verify ab.tar.zst --trust-policy keys/policy.yaml
grep -qF "trust:     2 trusted signatures of 2 required, policy keys/policy.yaml" out.txt \
  && ok "the text report names the threshold" || bad "verify text: $(cat out.txt)"
expect_exit 3 "1 of 2 required trusted signatures" "one signature against a 2-of-3 policy" -- \
  "$IMPORT" verify a.tar.zst --trust-policy keys/policy.yaml
check "one signature is enough for --pubkey" -- "$IMPORT" verify a.tar.zst --pubkey a.pub

# A second signer on another machine: sign adds a signature, the payload
# (so the bundle digest) unchanged, every entry checked as it is copied.
check "sign adds a second signature" -- "$PACK" sign a.tar.zst --key b.key --pubkey a.pub -o a+b.tar.zst --json
jq -e --arg a "$ida" --arg b "$idb" '.previousKeyids == [$a] and .addedKeyids == [$b]' out.txt > /dev/null \
  && ok "its report names the signers before and the one added" || bad "sign report: $(cat out.txt)"
[ "$("$IMPORT" inspect a+b.tar.zst --json | jq -r .bundleDigest)" = "$("$IMPORT" inspect a.tar.zst --json | jq -r .bundleDigest)" ] \
  && ok "the bundle digest is unchanged" || bad "the bundle digest changed"
[ "$(tar --zstd -tf a+b.tar.zst | sha256sum)" = "$(tar --zstd -tf a.tar.zst | sha256sum)" ] \
  && ok "the same entries in the same order" || bad "entries differ"
check "the co-signed bundle meets the 2-of-3 policy" -- "$IMPORT" verify a+b.tar.zst --trust-policy keys/policy.yaml
check "the auditor's commands verify the added signature" -- env BUNDLE=a+b.tar.zst PUBKEY=b.pub bash audit.sh
cp a.tar.zst inplace.tar.zst
check "sign may replace its input" -- "$PACK" sign inplace.tar.zst --key b.key -o inplace.tar.zst
check "which then meets the policy" -- "$IMPORT" verify inplace.tar.zst --trust-policy keys/policy.yaml
expect_exit 2 "already signed" "a key that already signed" -- "$PACK" sign a+b.tar.zst --key b.key -o out.tar.zst
expect_exit 2 "the same key as --key b.key" "sign with the same key twice" -- \
  "$PACK" sign a.tar.zst --key b.key --key b.key -o out.tar.zst
expect_exit 3 "not signed by a trusted key" "--pubkey names a key that did not sign" -- \
  "$PACK" sign a.tar.zst --key b.key --pubkey c.pub -o out.tar.zst
"$TESTKIT" mutate a.tar.zst bad-layer.tar.zst flip-layer --key a.key
expect_exit 3 "sha256" "a damaged bundle is not co-signed" -- "$PACK" sign bad-layer.tar.zst --key b.key -o out.tar.zst
if ls out.tar.zst* > /dev/null 2>&1; then bad "a refused sign left $(ls out.tar.zst*)"; else ok "no output left by a refused sign"; fi

# Per-key expiry: an expired key's signature does not count.
sed 's/2099-01-01/2020-01-01/' keys/policy.yaml > keys/expired.yaml
expect_exit 3 "no longer trusted: $idb (keys/b.pub) expired at 2020-01-01T00:00:00Z" \
  "a signature by an expired key does not count" -- "$IMPORT" verify ab.tar.zst --trust-policy keys/expired.yaml
printf 'threshold: 2\nkeys:\n  - {path: a.pub}\n  - {path: b.pub, expires: "2020-01-01T00:00:00Z"}\n' > keys/two.yaml
expect_exit 3 "needs 2 signatures, but only 1 of its keys is current" "a policy that expired keys cannot satisfy" -- \
  "$IMPORT" verify ab.tar.zst --trust-policy keys/two.yaml

# Import applies the policy before any registry request.
expect_exit 3 "1 of 2 required trusted signatures" "import refuses an under-signed bundle" -- \
  "$IMPORT" import a.tar.zst --trust-policy keys/policy.yaml --registry 127.0.0.1:1
make_ca
start_registry site
write_auth_file site-auth.json "$site_HOST"
check "import with a 2-of-3 policy" -- "$IMPORT" import ab.tar.zst --trust-policy keys/policy.yaml \
  --registry "$site_HOST" --auth-file site-auth.json --ca-file "$T/ca/ca.pem" --json
jq -e '.loaded and .threshold == 2 and (.imported | length) > 0' out.txt > /dev/null \
  && ok "the import report carries the threshold" || bad "import report: $(cat out.txt)"

# A clock set back cannot revive an expired key: with --git, time is at
# least the creation of the newest bundle the branch has imported.
export GIT_AUTHOR_NAME="Site Importer" GIT_AUTHOR_EMAIL=importer@site.example
export GIT_COMMITTER_NAME="Site Importer" GIT_COMMITTER_EMAIL=importer@site.example
git init -q --bare gitops.git
# Bundles created now; key b expired an hour ago; the importer's clock is
# then set back twelve hours (faketime), within the creation-time skew.
now=$(date -u +%s)
SOURCE_DATE_EPOCH=$now "$PACK" create rel/spec.yaml --key a.key -o f1.tar.zst > /dev/null
sed 's/^sequence: 1$/sequence: 2/' rel/spec.yaml > rel/spec2.yaml
SOURCE_DATE_EPOCH=$now "$PACK" create rel/spec2.yaml --key a.key --key b.key -o f2.tar.zst > /dev/null
site=(--registry "$site_HOST" --auth-file site-auth.json --ca-file "$T/ca/ca.pem" --git "file://$T/gitops.git")
check "import a bundle created now" -- "$IMPORT" import f1.tar.zst --pubkey a.pub "${site[@]}"
expired=$(date -u -d "@$((now - 3600))" +%Y-%m-%dT%H:%M:%SZ)
created=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)
printf 'threshold: 2\nkeys:\n  - path: a.pub\n  - {path: b.pub, expires: "%s"}\n' "$expired" > keys/kpast.yaml
back=$((now - 12 * 3600))
check "by a clock set back twelve hours the key that expired an hour ago still counts" -- \
  at_time "$back" "$IMPORT" verify f2.tar.zst --trust-policy keys/kpast.yaml
expect_exit 3 "no longer trusted at $created" "but not after the branch's clock floor" -- \
  at_time "$back" "$IMPORT" import f2.tar.zst --trust-policy keys/kpast.yaml "${site[@]}"
grep -qF "$idb (keys/b.pub) expired at $expired" err.txt && ok "the message names the expired key" \
  || bad "message: $(cat err.txt)"
# A bundle created far ahead of the clock never reaches the branch: it would
# move the clock floor and lock every later import.
expect_exit 2 "more than 24 h after now" "pack refuses a creation time days ahead" -- \
  env SOURCE_DATE_EPOCH=$((now + 3 * 86400)) "$PACK" create rel/spec2.yaml --key a.key -o late.tar.zst
[ ! -e late.tar.zst ] && ok "no bundle written" || bad "late.tar.zst was written"
expect_exit 2 "is it in milliseconds?" "SOURCE_DATE_EPOCH in milliseconds" -- \
  env SOURCE_DATE_EPOCH="${now}000" "$PACK" create rel/spec2.yaml --key a.key -o ms.tar.zst
SOURCE_DATE_EPOCH=$now "$PACK" create rel/spec2.yaml --key a.key --key b.key -o f3.tar.zst > /dev/null
expect_exit 3 "more than 24 h after this clock" "import on a clock two days behind refuses a bundle from its future" -- \
  at_time $((now - 2 * 86400)) "$IMPORT" import f3.tar.zst --pubkey a.pub "${site[@]}"
[ "$(git --git-dir=gitops.git rev-list --count dev)" = 1 ] && ok "no commit for the refused bundle" \
  || bad "dev has $(git --git-dir=gitops.git rev-list --count dev) commits"

# Bad policies and options: exit 2, naming file and line.
expect_exit 2 "" "--pubkey and --trust-policy together" -- \
  "$IMPORT" verify ab.tar.zst --pubkey a.pub --trust-policy keys/policy.yaml
expect_exit 2 "no trusted public key given (use --pubkey or --trust-policy)" "no trusted key at all" -- \
  "$IMPORT" verify ab.tar.zst
printf 'threshold: 3\nkeys:\n  - path: a.pub\n  - path: b.pub\n' > keys/t3.yaml
expect_exit 2 "keys/t3.yaml:1: threshold 3 is more than the 2 keys listed" "a threshold above the keys" -- \
  "$IMPORT" verify ab.tar.zst --trust-policy keys/t3.yaml
printf 'threshold: 1\nkeys:\n  - path: a.pub\n  - path: ../keys/a.pub\n' > keys/dup.yaml
expect_exit 2 "keys/dup.yaml:4: key $ida" "a key listed twice" -- "$IMPORT" verify ab.tar.zst --trust-policy keys/dup.yaml
printf 'keys:\n  - path: a.pub\n    expire: 2030-01-01T00:00:00Z\n' > keys/typo.yaml
expect_exit 2 "keys/typo.yaml:3: unknown key \"expire\"" "a misspelt field" -- \
  "$IMPORT" verify ab.tar.zst --trust-policy keys/typo.yaml
printf 'keys:\n  - path: nosuch.pub\n' > keys/missing.yaml
expect_exit 2 "keys/missing.yaml:2: " "a policy naming a key file that is not there" -- \
  "$IMPORT" verify ab.tar.zst --trust-policy keys/missing.yaml
grep -qF "keys/nosuch.pub" err.txt && ok "the message names the key file" || bad "message: $(cat err.txt)"

finish
