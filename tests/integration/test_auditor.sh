#!/usr/bin/env bash
# Runs the sh block of docs/AUDITING.md verbatim: stock tar, jq, base64,
# printf and openssl must accept a good bundle and reject tampered ones.
source "$(dirname "$0")/lib.sh" "$1"

sed -n '/^```sh$/,/^```$/p' "$ROOT/docs/AUDITING.md" | sed '1d;$d' > audit.sh
[ -s audit.sh ] && ok "docs/AUDITING.md has an sh block" || bad "no sh block in docs/AUDITING.md"

make_release
"$PACK" keygen --out signer > /dev/null
"$PACK" keygen --out stranger > /dev/null
"$PACK" create rel/spec.yaml --key signer.key -o bundle.tar.zst > /dev/null

check "the auditor's commands verify a good bundle" -- bash audit.sh
grep -q "Signature Verified Successfully" out.txt && ok "openssl pkeyutl -verify -rawin verified the signature" \
  || bad "openssl did not report a verified signature: $(cat out.txt)"
want=$("$IMPORT" inspect bundle.tar.zst --json | jq -r .bundleDigest)
grep -q "^${want#sha256:} " out.txt && ok "the auditor's bundle digest equals airlock's" || bad "bundle digest differs"

expect_exit 1 "" "the auditor rejects a bundle from another signer" -- env PUBKEY=stranger.pub bash audit.sh
for c in flip-sig flip-payload flip-layer flip-yaml unlisted missing duplicate symlink; do
  "$TESTKIT" mutate bundle.tar.zst "bad-$c.tar.zst" "$c" --key signer.key
  rc=0
  BUNDLE="bad-$c.tar.zst" bash audit.sh > /dev/null 2>&1 || rc=$?
  [ "$rc" -ne 0 ] && ok "the auditor rejects $c" || bad "the auditor accepted $c"
done

finish
