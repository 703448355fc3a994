#!/usr/bin/env bash
# Bad pack inputs: the exit code, a message naming file:line or the blob,
# and no output file (nor a temporary beside it) left behind.
source "$(dirname "$0")/lib.sh" "$1"

make_release
"$PACK" keygen --out signer > /dev/null

no_output() {
  if ls out.tar.zst* > /dev/null 2>&1; then bad "$1: output left behind: $(ls out.tar.zst*)"; else ok "$1: nothing left behind"; fi
}
spec_case() {  # spec_case CODE SUBSTRING DESCRIPTION  (spec text on stdin)
  cat > rel/bad.yaml
  expect_exit "$1" "$2" "$3" -- "$PACK" create rel/bad.yaml --key signer.key -o out.tar.zst
  no_output "$3"
}

spec_case 2 "bad.yaml:3: sequence \"0\" must be a positive integer" "sequence 0" <<'Y'
name: demo
version: 1.0.0
sequence: 0
Y
spec_case 2 "bad.yaml:4: unknown key \"imgaes\"" "misspelt key" <<'Y'
name: demo
version: 1.0.0
sequence: 1
imgaes: []
Y
spec_case 2 "bad.yaml: \"version\" is required" "missing version" <<'Y'
name: demo
sequence: 1
Y
spec_case 2 "release name \"Demo_App\"" "bad release name" <<'Y'
name: Demo_App
version: 1.0.0
sequence: 1
Y
spec_case 2 "bad.yaml:3: not valid YAML" "not YAML" <<'Y'
name: demo
version: [1.0
Y
spec_case 2 "manifests entry \"nope\"" "missing manifests dir" <<'Y'
name: demo
version: 1.0.0
sequence: 1
manifests: [nope]
Y
spec_case 2 "has no image \"v9\" (it has: v1)" "unknown image ref in a layout" <<'Y'
name: demo
version: 1.0.0
sequence: 1
images: [{source: "oci:layouts/app:v9", name: "org/app:9"}]
Y
spec_case 2 "is not an OCI image layout" "not a layout" <<'Y'
name: demo
version: 1.0.0
sequence: 1
images: [{source: "oci:k8s:v1", name: "org/app:9"}]
Y
spec_case 2 "would both be named org/app:1.0" "two images with one name" <<'Y'
name: demo
version: 1.0.0
sequence: 1
images:
  - {source: "oci:layouts/app:v1", name: "org/app:1.0"}
  - {source: "oci:layouts/web:v3", name: "org/app:1.0"}
Y
spec_case 2 "\"Org/App\" is not a valid repository path" "bad image name" <<'Y'
name: demo
version: 1.0.0
sequence: 1
images: [{source: "oci:layouts/app:v1", name: "Org/App:1"}]
Y
spec_case 2 "expires 2020-01-01T00:00:00Z is not after the creation time" "expiry before creation" <<'Y'
name: demo
version: 1.0.0
sequence: 1
expires: 2020-01-01T00:00:00Z
Y
printf 'a: [unclosed\n' > rel/k8s/broken.yaml
spec_case 2 "broken.yaml:2: not valid YAML" "broken manifest YAML" < rel/spec.yaml
rm rel/k8s/broken.yaml

# A layer whose bytes no longer match its digest: exit 3, no bundle.
layer=$(jq -r '.manifests[0].digest' rel/layouts/app/index.json | cut -d: -f2)
layer=$(jq -r '.layers[1].digest' "rel/layouts/app/blobs/sha256/$layer" | cut -d: -f2)
printf 'X' | dd of="rel/layouts/app/blobs/sha256/$layer" bs=1 seek=1000 conv=notrunc status=none
spec_case 3 "blob content does not match its digest sha256:$layer" "corrupt layer in the layout" < rel/spec.yaml
rm "rel/layouts/app/blobs/sha256/$layer"
spec_case 2 "blob sha256:$layer is missing from the layout" "missing layer in the layout" < rel/spec.yaml

# An existing bundle is not clobbered by a failed run.
printf 'previous\n' > out.tar.zst
expect_exit 2 "" "failed pack over an existing file" -- "$PACK" create rel/spec.yaml --key signer.key -o out.tar.zst
[ "$(cat out.tar.zst)" = previous ] && ok "the existing file is untouched" || bad "the existing file changed"
[ "$(ls out.tar.zst* | wc -l)" = 1 ] && ok "no temporary left beside it" || bad "temporary left: $(ls out.tar.zst*)"

expect_exit 2 "spec" "create without a spec" -- "$PACK" create --key signer.key -o out.tar.zst
expect_exit 2 "" "unknown subcommand" -- "$PACK" frobnicate
check "--help works" -- "$PACK" create --help

# Site value placeholders: undeclared, malformed, and a malformed declaration.
rm -f out.tar.zst
mkdir -p rel/vals
printf 'kind: ConfigMap\napiVersion: v1\ndata:\n  host: "${airlock:ingress_host}"\n' > rel/vals/cm.yaml
spec_case 2 "cm.yaml:4: \${airlock:ingress_host} is not declared under values:" "an undeclared placeholder" <<'Y'
name: demo
version: 1.0.0
sequence: 1
manifests: [vals]
Y
printf 'kind: ConfigMap\napiVersion: v1\ndata:\n  host: "${airlock:1host}"\n' > rel/vals/cm.yaml
spec_case 2 "cm.yaml:4: malformed placeholder" "a malformed placeholder" <<'Y'
name: demo
version: 1.0.0
sequence: 1
manifests: [vals]
values:
  host: {}
Y
spec_case 2 "bad.yaml:6: unknown key \"defualt\" of value host" "a misspelt key of a value" <<'Y'
name: demo
version: 1.0.0
sequence: 1
manifests: [vals]
values:
  host: {defualt: x}
Y

# Pack refuses what import would: an index too large for the reader's
# envelope limit (1 MiB) is refused before anything is written.
mkdir -p rel/many
for i in $(seq 1 6000); do printf 'kind: ConfigMap\napiVersion: v1\nmetadata: {name: c%d}\n' "$i" > "rel/many/c$i.yaml"; done
spec_case 2 "more than the 1048576 an importer reads" "an index over the envelope limit" <<'Y'
name: demo
version: 1.0.0
sequence: 1
manifests: [many]
Y

# A symbolic link in a vendor's tree is resolved before its entry path is
# computed: one that leads out of the tree does not bring the packer's own
# files into the bundle.
mkdir -p rel/linked && cp rel/k8s/app.yaml rel/linked/app.yaml
printf 'kind: ConfigMap\napiVersion: v1\nmetadata: {name: secret}\n' > private.yaml
ln -s "$PWD/private.yaml" rel/linked/outside.yaml
spec_case 2 "cannot be bundled" "a link out of the tree" <<'Y'
name: demo
version: 1.0.0
sequence: 1
manifests: [linked]
images:
  - {source: "oci:layouts/app:v1", name: "org/app:1.0"}
Y

# --base: an earlier bundle of the same release, signed by a key this
# packer trusts; refused before any registry is contacted.
rm -rf rel && make_release  # the cases above damaged its layouts
check "pack the base (sequence 1)" -- "$PACK" create rel/spec.yaml --key signer.key -o base.tar.zst
sed 's/^sequence: 1/sequence: 2/' rel/spec.yaml > rel/next.yaml
sed 's/^name: demo/name: other/; s/^sequence: 1/sequence: 2/' rel/spec.yaml > rel/other.yaml
base_case() {  # base_case CODE SUBSTRING DESCRIPTION SPEC [ARGS...]
  local code=$1 text=$2 what=$3 spec=$4
  shift 4
  expect_exit "$code" "$text" "$what" -- "$PACK" create "$spec" --key signer.key -o out.tar.zst "$@"
  no_output "$what"
}
base_case 2 "a bundle of release demo, not of other" "a base of another release" rel/other.yaml --base base.tar.zst
base_case 2 "sequence 1 is not before this bundle's 1" "a base of the same sequence" rel/spec.yaml --base base.tar.zst
base_case 2 "are the same bundle" "the same base twice" rel/next.yaml --base base.tar.zst --base base.tar.zst
base_case 2 "cannot open bundle missing.tar.zst" "a base that is not there" rel/next.yaml --base missing.tar.zst
base_case 2 "--base-pubkey needs a --base" "--base-pubkey alone" rel/next.yaml --base-pubkey signer.pub
"$PACK" keygen --out stranger > /dev/null
expect_exit 3 "not signed by a trusted key" "a base no trusted key signed" -- \
  "$PACK" create rel/next.yaml --key stranger.key -o out.tar.zst --base base.tar.zst
no_output "a base no trusted key signed"
head -c 2000 base.tar.zst > torn.tar.zst
base_case 3 "torn.tar.zst" "a base cut short inside its envelope" rel/next.yaml --base torn.tar.zst
check "a base signed by a --base-pubkey" -- "$PACK" create rel/next.yaml --key stranger.key --base-pubkey signer.pub \
  -o next.tar.zst --base base.tar.zst
check "that bundle is a delta of the base" -- bash -o pipefail -c "'$IMPORT' inspect next.tar.zst --json | jq -e '.delta.bases[0].sequence == 1 and .delta.omittedBlobs > 0'"

finish
