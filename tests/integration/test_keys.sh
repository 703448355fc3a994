#!/usr/bin/env bash
# keygen: file modes, formats stock openssl reads, key id, no overwrite.
source "$(dirname "$0")/lib.sh" "$1"

check "keygen" -- "$PACK" keygen --out k --json
[ "$(stat -c %a k.key)" = 600 ] && ok "private key mode 0600" || bad "private key mode $(stat -c %a k.key)"
check "private key is PKCS#8 Ed25519" -- bash -c "openssl pkey -in k.key -noout -text | grep -q ED25519 && head -1 k.key | grep -q 'BEGIN PRIVATE KEY'"
check "public key is SPKI PEM" -- bash -c "head -1 k.pub | grep -q 'BEGIN PUBLIC KEY' && openssl pkey -pubin -in k.pub -noout"
"$PACK" keygen --out k2 --json > kg.json
want=$(openssl pkey -pubin -in k2.pub -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
check "key id is sha256 of the DER SPKI" -- jq -e --arg k "$want" '.keyid == $k' kg.json
expect_exit 2 "already exists" "keygen refuses to overwrite" -- "$PACK" keygen --out k
chmod 644 k.key
mkdir rel && printf 'name: x\nversion: "1"\nsequence: 1\n' > rel/spec.yaml
expect_exit 2 "chmod 600" "a group-readable private key is refused" -- "$PACK" create rel/spec.yaml --key k.key -o x.tar.zst
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2> /dev/null && chmod 600 ec.key
expect_exit 2 "is not an Ed25519 key" "an EC key is refused" -- "$PACK" create rel/spec.yaml --key ec.key -o x.tar.zst
[ ! -e x.tar.zst ] && ok "no bundle written" || bad "a bundle was written"

finish
