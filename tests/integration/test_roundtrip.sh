#!/usr/bin/env bash
# pack → verify → inspect on images with shared layers and a multi-arch
# index; the unpacked bundle is an OCI layout skopeo reads; determinism.
source "$(dirname "$0")/lib.sh" "$1"

make_release
"$PACK" keygen --out signer > /dev/null
check "pack" -- "$PACK" create rel/spec.yaml --key signer.key -o b.tar.zst
check "verify" -- "$IMPORT" verify b.tar.zst --pubkey signer.pub
grep -q '^VERIFIED b.tar.zst' out.txt && ok "verify says VERIFIED" || bad "verify output: $(cat out.txt)"
[ ! -s err.txt ] && ok "verify is quiet on stderr in a pipe" || bad "verify wrote to stderr: $(cat err.txt)"

"$IMPORT" verify b.tar.zst --pubkey signer.pub --json > v.json
keyid=$(openssl pkey -pubin -in signer.pub -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
check "verify --json names the trusted key" -- jq -e --arg k "$keyid" '.verified and .trustedSigners[0].keyid == $k and .trustedSigners[0].key == "signer.pub"' v.json
check "verify --json lists 3 images and 2 manifest files" -- jq -e '(.images | length) == 3 and (.manifests | map(.path)) == ["manifests/app.yaml", "manifests/sub/more.yml"]' v.json
check "multi-arch image keeps both platforms" -- jq -e '.images[] | select(.name == "org/multi:2.0") | .platforms == ["linux/amd64", "linux/arm64"] and .mediaType == "application/vnd.oci.image.index.v1+json"' v.json
check "release fields" -- jq -e '.release == {"name": "demo", "version": "1.0.0", "sequence": 1} and .expires != null' v.json

# Shared layer (seed 1) stored once: 3 images, 4 distinct layers.
tar --zstd -tf b.tar.zst > list.txt
nblobs=$(grep -c '^blobs/sha256/' list.txt)
# manifests: app, web, multi index + 2 platform manifests = 5; configs: 4; layers: 1,2,3,4 = 4
[ "$nblobs" -eq 13 ] && ok "each blob stored once (13 blobs)" || bad "expected 13 blobs, found $nblobs"
order=$(head -5 list.txt | tr '\n' ' ')
[ "$order" = "bundle.dsse.json oci-layout index.json manifests/app.yaml manifests/sub/more.yml " ] \
  && ok "entry order" || bad "entry order: $order"

"$IMPORT" inspect b.tar.zst --json > i.json
check "inspect --json says not verified, same digest as verify" -- jq -e --slurpfile v v.json '.verified == false and .bundleDigest == $v[0].bundleDigest and (.images | length) == 3' i.json
check "inspect human output" -- "$IMPORT" inspect b.tar.zst
grep -q 'NOT VERIFIED' out.txt && ok "inspect warns it verified nothing" || bad "inspect output lacks NOT VERIFIED"

check "verify from standard input" -- bash -c "'$IMPORT' verify - --pubkey signer.pub < b.tar.zst"

# The unpacked bundle is an OCI image layout that skopeo reads as it is.
mkdir un && tar --zstd -xf b.tar.zst -C un
for name in org/app:1.0 org/web:3.0 org/multi:2.0; do
  want=$(jq -r --arg n "$name" '.images[] | select(.name == $n) | .digest' v.json)
  got=sha256:$(skopeo inspect --raw "oci:un:$name" | sha256sum | cut -d' ' -f1)
  [ "$want" = "$got" ] && ok "skopeo reads $name at its bundle digest" || bad "skopeo $name: $got, index says $want"
done
check "skopeo copies the multi-arch image out of the bundle" -- skopeo copy --all --quiet oci:un:org/multi:2.0 oci:copy:m

# Determinism: same inputs and creation time → byte-identical index.
SOURCE_DATE_EPOCH=1764000000 "$PACK" create rel/spec.yaml --key signer.key -o d1.tar.zst > /dev/null
SOURCE_DATE_EPOCH=1764000000 "$PACK" create rel/spec.yaml --key signer.key -o d2.tar.zst --threads 1 > /dev/null
p1=$(tar --zstd -xOf d1.tar.zst bundle.dsse.json | jq -r .payload)
p2=$(tar --zstd -xOf d2.tar.zst bundle.dsse.json | jq -r .payload)
[ "$p1" = "$p2" ] && ok "same inputs give a byte-identical index" || bad "index differs between two packs"
cmp -s d1.tar.zst d2.tar.zst && ok "and a byte-identical bundle, whatever the thread count" || bad "bundles differ between two packs"
check "created comes from SOURCE_DATE_EPOCH" -- bash -o pipefail -c "tar --zstd -xOf d1.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e '.created == \"2025-11-24T16:00:00Z\"'"

# Two trusted keys, one of which signed: accepted, and the other is not claimed.
"$PACK" keygen --out other > /dev/null
check "verify with several --pubkey, one matching" -- "$IMPORT" verify b.tar.zst --pubkey other.pub --pubkey signer.pub --json
check "only the matching key is reported" -- jq -e --arg k "$keyid" '.trustedSigners | length == 1 and .[0].keyid == $k' out.txt

finish
