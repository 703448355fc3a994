#!/usr/bin/env bash
# The matrix of bad bundles: each one exits 3 with a message naming the
# entry and the specific reason. The messages are asserted, so removing any
# one check makes its case fail (another check would give another message).
source "$(dirname "$0")/lib.sh" "$1"

make_release
"$PACK" keygen --out signer > /dev/null
"$PACK" keygen --out stranger > /dev/null
"$PACK" create rel/spec.yaml --key signer.key -o good.tar.zst > /dev/null
check "the good bundle verifies" -- "$IMPORT" verify good.tar.zst --pubkey signer.pub

expect_exit 3 "not signed by a trusted key" "wrong key" -- "$IMPORT" verify good.tar.zst --pubkey stranger.pub

# Digests of the entries the flip cases corrupt, read from the good bundle.
payload=$(tar --zstd -xOf good.tar.zst bundle.dsse.json | jq -r .payload | base64 -d)
app=$(jq -r '.images[] | select(.name == "org/app:1.0") | .digest | ltrimstr("sha256:")' <<< "$payload")
config=$(tar --zstd -xOf good.tar.zst "blobs/sha256/$app" | jq -r '.config.digest | ltrimstr("sha256:")')
layer=$(tar --zstd -xOf good.tar.zst "blobs/sha256/$app" | jq -r '.layers[0].digest | ltrimstr("sha256:")')

# case | expected message substring
cases=(
  "flip-layer|entry \"blobs/sha256/$layer\": sha256 mismatch"
  "flip-config|entry \"blobs/sha256/$config\": sha256 mismatch"
  "flip-manifest|entry \"blobs/sha256/$app\": sha256 mismatch"
  "flip-yaml|entry \"manifests/app.yaml\": sha256 mismatch"
  "flip-payload|bundle.dsse.json: signature by trusted key"
  "flip-sig|bundle.dsse.json: signature by trusted key"
  "unlisted|entry \"extra.txt\": is not listed in the signed index"
  "missing|entry \"manifests/app.yaml\": is listed in the signed index but missing"
  "duplicate|entry \"manifests/app.yaml\": appears twice"
  "oversize-entry|entry \"manifests/app.yaml\": is 170 bytes, the signed index says 154"
  "dotdot|entry \"../x\": unsafe path"
  "absolute|entry \"/abs\": unsafe path: absolute path"
  "backslash|entry \"manifests\\evil.yaml\": unsafe path: backslash"
  "symlink|entry \"manifests/link.yaml\": is a symbolic link"
  "hardlink|entry \"manifests/hard.yaml\": is a hard link"
  "device|entry \"manifests/dev.yaml\": is a character device"
  "fifo|entry \"manifests/fifo.yaml\": is a fifo"
  "pax-oversize|entry \"manifests/zz-padded.yaml\": its headers take"
  "envelope-oversize|entry \"bundle.dsse.json\": the envelope is"
  "envelope-not-first|entry \"oci-layout\": the first entry must be bundle.dsse.json"
  "drop-layer-signed|image org/app:1.0: blob blobs/sha256/$layer is not in the bundle"
  "zstd-bomb|needs a window larger than 16 MiB"
  "misnamed-blob|index lists \"blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000\" with sha256"
  "trailing-data|data after the end of the archive"
  "trailing-frame|data after the end of the archive"
  "blob-before-manifest|entry \"blobs/sha256/$config\" comes before the manifest blobs/sha256/$app"
  # What airlock verifies and what stock tar and zstd see are the same names and bytes.
  "reordered|entry \"oci-layout\": is listed in the signed index but missing from the archive at its place (the archive has \"index.json\" there)"
  "pax-global|its tar headers hold a pax global header"
  "pax-sparse-name|its tar headers hold a pax record \"GNU.sparse.name\""
  "gnu-longname|its tar headers hold a GNU long-name header"
  "skippable-before|a zstd skippable frame at byte 0"
  "skippable-after|a zstd skippable frame at byte"
  "padding-flood|more than 65536 bytes of padding after the end of the archive"
  "format-version-float|bundle format version 1.9 is not supported"
  "format-version-wrap|bundle format version 4294967297 is not supported"
  "created-future|the bundle was created at 2099-01-01T00:00:00Z, more than 24 h after this clock"
)
for c in "${cases[@]}"; do
  name=${c%%|*}
  msg=${c#*|}
  "$TESTKIT" mutate good.tar.zst "bad-$name.tar.zst" "$name" --key signer.key
  before=$(ls -A | sort)
  expect_exit 3 "$msg" "$name" -- "$IMPORT" verify "bad-$name.tar.zst" --pubkey signer.pub
  [ "$(ls -A | sort)" = "$before" ] || bad "$name: verify left files behind"
done

# The testkit's own rewrite of a good bundle is still good: the cases above
# fail because of their defect, not because of the rewrite.
"$TESTKIT" mutate good.tar.zst identity.tar.zst identity
check "an untouched rewrite verifies" -- "$IMPORT" verify identity.tar.zst --pubkey signer.pub

# Truncation at several points: inside the envelope, mid-layer, near the end.
size=$(stat -c %s good.tar.zst)
for cut in 200 $((size / 2)) $((size - 20)); do
  head -c "$cut" good.tar.zst > trunc.tar.zst
  expect_exit 3 "truncated" "truncated at $cut of $size bytes" -- "$IMPORT" verify trunc.tar.zst --pubkey signer.pub
done
: > empty.tar.zst
expect_exit 3 "empty file" "empty file" -- "$IMPORT" verify empty.tar.zst --pubkey signer.pub
printf 'this is not zstd\n' > text.tar.zst
expect_exit 3 "not a valid zstd stream" "not zstd" -- "$IMPORT" verify text.tar.zst --pubkey signer.pub
tar --zstd -xOf good.tar.zst | zstd -q -c > untarred.zst
expect_exit 3 "" "zstd of raw bytes, not tar" -- "$IMPORT" verify untarred.zst --pubkey signer.pub

# Expiry: created in 2020, expired in 2021.
sed 's/^expires: .*/expires: 2021-01-01T00:00:00Z/' rel/spec.yaml > rel/old.yaml
SOURCE_DATE_EPOCH=1577836800 "$PACK" create rel/old.yaml --key signer.key -o old.tar.zst > /dev/null
expect_exit 3 "the bundle expired at 2021-01-01T00:00:00Z" "expired bundle" -- "$IMPORT" verify old.tar.zst --pubkey signer.pub

# Usage errors: exit 2.
expect_exit 2 "cannot open bundle nosuch.tar.zst" "missing bundle" -- "$IMPORT" verify nosuch.tar.zst --pubkey signer.pub
expect_exit 2 "nosuch.pub" "missing key" -- "$IMPORT" verify good.tar.zst --pubkey nosuch.pub
expect_exit 2 "--pubkey" "no key at all" -- "$IMPORT" verify good.tar.zst
expect_exit 2 "is not a PEM SubjectPublicKeyInfo" "private key given as public" -- "$IMPORT" verify good.tar.zst --pubkey signer.key

finish
