#!/usr/bin/env bash
# airlock-pack create against real registries: Debian's docker-registry on
# loopback with TLS from a test CA and htpasswd, seeded with skopeo; and
# image discovery from YAML.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

make_ca
start_registry up
start_registry mirror
"$TESTKIT" layout lay app --layer 1:300000 --layer 2:100000 > /dev/null
"$TESTKIT" layout lay web --layer 1:300000 --layer 4:80000 > /dev/null
"$TESTKIT" layout lay multi --platform linux/amd64 --platform linux/arm64 --layer 1:300000 --layer 3:50000 > /dev/null
seed lay app "$up_HOST" org/app:1.0
seed lay web "$up_HOST" org/web:2.0
seed lay multi "$up_HOST" org/multi:3.0 --all
seed lay app "$mirror_HOST" quay.io/acme/app:1.0
write_auth_file auth.json "$up_HOST"
"$PACK" keygen --out k > /dev/null
export HOME=$T REGISTRY_AUTH_FILE=  # no stray credentials from the machine
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")

mkdir k8s
cat > k8s/app.yaml <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - {name: app, image: "$up_HOST/org/app:1.0"}
        - {name: web, image: "$up_HOST/org/web:2.0"}
YAML
cat > spec.yaml <<YAML
name: rel
version: "1.0"
sequence: 1
manifests: [k8s]
images:
  - $up_HOST/org/multi:3.0
YAML

# 1. Listed and discovered images, digests as skopeo sees them.
check "images lists listed and discovered images" -- "$PACK" images spec.yaml --json
[ -s out.txt ] || bad "images printed nothing"
check "three images, two of them found in k8s/app.yaml" -- jq -e '(.images | map(.name)) == ["org/multi:3.0", "org/app:1.0", "org/web:2.0"] and .images[1].foundAt == ["k8s/app.yaml:8"]' out.txt
check "pack from a TLS + htpasswd registry" -- "$PACK" create spec.yaml --key k.key -o b.tar.zst "${reg[@]}"
check "the bundle verifies" -- "$IMPORT" verify b.tar.zst --pubkey k.pub --json
cp out.txt v.json
for pair in org/app:1.0 org/web:2.0 org/multi:3.0; do
  want=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$up_HOST/$pair" | sha256sum | cut -d' ' -f1)
  got=$(jq -r --arg n "$pair" '.images[] | select(.name == $n) | .digest' v.json)
  [ "$want" = "$got" ] && ok "$pair: bundle digest equals skopeo's" || bad "$pair: bundle has $got, skopeo sees $want"
done
check "the index keeps both platforms" -- jq -e '.images[] | select(.name == "org/multi:3.0") | .platforms == ["linux/amd64", "linux/arm64"]' v.json
tar --zstd -tf b.tar.zst > list.txt
# manifests: app, web, index + 2 = 5; configs 4 (app, web, amd64, arm64); layers 1,2,3,4
[ "$(grep -c '^blobs/' list.txt)" = 13 ] && ok "the shared base layer is stored once" || bad "blob count $(grep -c '^blobs/' list.txt)"
check "the source is recorded" -- jq -e --arg s "docker://$up_HOST/org/app:1.0" '.images[] | select(.name == "org/app:1.0") | .source == $s' v.json

# 2. A platform filter rewrites the index to the chosen child; the source index digest is kept.
printf 'platforms: [linux/arm64]\n' >> spec.yaml
check "pack with platforms: [linux/arm64]" -- "$PACK" create spec.yaml --key k.key -o arm.tar.zst "${reg[@]}"
check "the filtered bundle verifies" -- "$IMPORT" verify arm.tar.zst --pubkey k.pub --json
cp out.txt arm.json
check "only linux/arm64 is kept" -- jq -e '.images[] | select(.name == "org/multi:3.0") | .platforms == ["linux/arm64"]' arm.json
multi_src=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$up_HOST/org/multi:3.0" | sha256sum | cut -d' ' -f1)
check "the index records the source index digest" -- jq -e --arg d "$multi_src" \
  '.images[] | select(.name == "org/multi:3.0") | .sourceDigest == $d and .digest != $d' arm.json
arm_digest=$(jq -r '.images[] | select(.name == "org/multi:3.0") | .digest' arm.json)
tar --zstd -xOf arm.tar.zst "blobs/sha256/${arm_digest#sha256:}" > arm-index.json
check "the bundle's index lists only the arm64 manifest" -- jq -e \
  '.manifests | length == 1 and .[0].platform.architecture == "arm64"' arm-index.json
[ "$(tar --zstd -tf arm.tar.zst | grep -c '^blobs/')" = 11 ] && ok "the amd64 manifest and config are left out" || bad "filtered blob count"
sed -i '$d' spec.yaml

# 3. A mirror: pulled from the mirror, named as the public image.
cat > mirror.yaml <<YAML
name: rel
version: "1.0"
sequence: 1
images:
  - quay.io/acme/app:1.0
mirrors:
  quay.io: $mirror_HOST/quay.io
YAML
write_auth_file mauth.json "$mirror_HOST"
check "pack through a mirror" -- "$PACK" create mirror.yaml --key k.key -o m.tar.zst --auth-file mauth.json --ca-file "$T/ca/ca.pem" --json
check "the bundle keeps the public name" -- bash -o pipefail -c "'$IMPORT' inspect m.tar.zst --json | jq -e '.images[0].name == \"acme/app:1.0\" and .images[0].source == \"docker://quay.io/acme/app:1.0\"'"

# 4. A digest-pinned reference.
app_digest=$(jq -r '.images[] | select(.name == "org/app:1.0") | .digest' v.json)
printf 'name: pin\nversion: "1"\nsequence: 1\nimages:\n  - %s/org/app@%s\n' "$up_HOST" "$app_digest" > pin.yaml
check "pack a digest-pinned reference" -- "$PACK" create pin.yaml --key k.key -o pin.tar.zst "${reg[@]}"
check "its bundle name carries the digest" -- bash -o pipefail -c "'$IMPORT' inspect pin.tar.zst --json | jq -e --arg d '$app_digest' '.images[0].digest == \$d and (.images[0].name | startswith(\"org/app:sha256-\"))'"

# 4b. A registry behind token auth (bearer flow: challenge, token service, retry).
start_token_registry tok
seed lay app "$tok_HOST" org/app:1.0
grep -q "token granted scope=repository:org/app:pull,push" "$T/token.log" && ok "skopeo pushed through the token service" || bad "token log: $(cat "$T/token.log")"
printf 'name: tok\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$tok_HOST" > tok.yaml
write_auth_file tauth.json "$tok_HOST"
: > "$T/token.log"
check "pack from a token-auth registry" -- "$PACK" create tok.yaml --key k.key -o tok.tar.zst --auth-file tauth.json --ca-file "$T/ca/ca.pem"
check "its bundle verifies" -- "$IMPORT" verify tok.tar.zst --pubkey k.pub
[ "$(grep -c 'token granted scope=repository:org/app:pull service=airlock-test' "$T/token.log")" = 1 ] \
  && ok "one token, for the pull scope, cached for every request" || bad "token requests: $(cat "$T/token.log")"
printf '{"auths": {"%s": {"identitytoken": "%s"}}}\n' "$tok_HOST" "$REG_REFRESH" > tid.json
: > "$T/token.log"
check "an auth file's identitytoken drives the OAuth2 refresh-token grant" -- "$PACK" create tok.yaml --key k.key -o tid.tar.zst --auth-file tid.json --ca-file "$T/ca/ca.pem"
grep -q "token granted (refresh) scope=repository:org/app:pull" "$T/token.log" && ok "the token came from the refresh grant" || bad "token log: $(cat "$T/token.log")"
write_auth_file tbad.json "$tok_HOST" "$REG_USER" wrong-password
expect_exit 4 "the token service refused the credentials from tbad.json" "token auth with bad credentials" -- "$PACK" create tok.yaml --key k.key -o out.tar.zst --auth-file tbad.json --ca-file "$T/ca/ca.pem"

# 5. Failures: exit 4 naming registry and image, exit 3 for bad bytes; no output left.
no_output() { if ls out.tar.zst* > /dev/null 2>&1; then bad "$1: output left: $(ls out.tar.zst*)"; else ok "$1: no output left"; fi; }
write_auth_file bad.json "$up_HOST" "$REG_USER" wrong-password
expect_exit 4 "registry $up_HOST" "bad credentials" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file bad.json --ca-file "$T/ca/ca.pem"
grep -q "org/multi:3.0" err.txt && grep -q "access denied" err.txt && ok "bad credentials: names the image and says access denied" || bad "bad credentials message: $(cat err.txt)"
no_output "bad credentials"
expect_exit 4 "requires credentials" "no credentials" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst --ca-file "$T/ca/ca.pem"
no_output "no credentials"
printf 'name: x\nversion: "1"\nsequence: 1\nimages: [%s/org/nope:9]\n' "$up_HOST" > nope.yaml
expect_exit 4 "image $up_HOST/org/nope:9: registry $up_HOST: manifest org/nope:9: not found" "unknown image" -- "$PACK" create nope.yaml --key k.key -o out.tar.zst "${reg[@]}"
no_output "unknown image"
expect_exit 4 "is not trusted" "untrusted certificate" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file auth.json
grep -q "$up_HOST" err.txt && grep -q "org/multi:3.0" err.txt && ok "untrusted certificate: names registry and image" || bad "untrusted message: $(cat err.txt)"
no_output "untrusted certificate"
expect_exit 4 "is not trusted" "a CA that did not sign it" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst --auth-file auth.json --ca-file "$T/ca/rogue.pem"
no_output "a CA that did not sign it"

# A layer whose stored bytes were altered: the registry serves them, pack refuses.
layer=$(tar --zstd -xOf b.tar.zst "blobs/sha256/${app_digest#sha256:}" | jq -r '.layers[1].digest | ltrimstr("sha256:")')
data="$T/reg-up/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
printf 'X' | dd of="$data" bs=1 seek=5000 conv=notrunc status=none
printf 'name: x\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0]\n' "$up_HOST" > one.yaml
expect_exit 3 "blob content does not match its digest sha256:$layer" "a corrupted layer" -- "$PACK" create one.yaml --key k.key -o out.tar.zst "${reg[@]}"
no_output "a corrupted layer"

kill "$mirror_PID"; wait "$mirror_PID" 2> /dev/null || true
expect_exit 4 "registry $mirror_HOST" "registry down" -- "$PACK" create mirror.yaml --key k.key -o out.tar.zst --auth-file mauth.json --ca-file "$T/ca/ca.pem"
grep -q "quay.io/acme/app:1.0" err.txt && ok "registry down: names the image" || bad "registry down message: $(cat err.txt)"
no_output "registry down"

# 6. Discovery on the project's fixture and, when present, on real manifests.
mkdir -p disc/k8s && cp "$ROOT/tests/fixtures/discovery/workloads.yaml" disc/k8s/
printf 'name: d\nversion: "1"\nsequence: 1\nmanifests: [k8s]\n' > disc/spec.yaml
check "discovery on tests/fixtures/discovery" -- "$PACK" images disc/spec.yaml --json
cp out.txt disc.json
check "every workload kind, pod templates in CRs, CR image fields; no CRD property" -- jq -e '(.images | map(.source)) == [
  "docker://registry.example.com/platform/migrate:3.1",
  "docker://registry.example.com/platform/api:3.1",
  "docker://docker.io/library/postgres:15",
  "docker://registry.example.com:5000/platform/agent@sha256:1111111111111111111111111111111111111111111111111111111111111111",
  "docker://docker.io/library/busybox:latest",
  "docker://docker.io/library/alpine:3.19",
  "docker://registry.example.com/platform/runner:7",
  "docker://registry.example.com/platform/worker:7"]' disc.json
check "api is found twice, with file:line" -- jq -e '.images[1].foundAt == ["disc/k8s/workloads.yaml:12", "disc/k8s/workloads.yaml:47"]' disc.json
check "image-like strings elsewhere are warnings with file:line" -- jq -e '(.warnings | map(.text + " " + .at)) == ["ghcr.io/acme/sidecar:0.9 disc/k8s/workloads.yaml:13", "quay.io/acme/helper:1.0 disc/k8s/workloads.yaml:15"]' disc.json
real=$ROOT/../shared/fixtures/real/argo-rollouts-install.yaml
if [ -f "$real" ]; then
  mkdir -p argo/k8s && cp "$real" argo/k8s/
  printf 'name: argo\nversion: "1"\nsequence: 1\nmanifests: [k8s]\n' > argo/spec.yaml
  check "discovery on Argo Rollouts' released install.yaml" -- "$PACK" images argo/spec.yaml --json
  check "exactly one image, quay.io/argoproj/argo-rollouts:latest, none of the CRD properties" -- jq -e '(.images | map(.source)) == ["docker://quay.io/argoproj/argo-rollouts:latest"] and .warnings == []' out.txt
else
  echo "skip: $real not present"
fi

finish
