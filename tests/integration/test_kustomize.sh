#!/usr/bin/env bash
# Kustomize trees, packed through their entry point and imported with --git:
# the bundle holds the images the vendor's build deploys, and `kubectl
# kustomize` of the committed release equals `kubectl kustomize` of the
# vendor's entry with only its image references replaced by the site's
# pinned ones. Real docker-registry (TLS + htpasswd) upstream and site,
# seeded and checked with skopeo; a bare git remote checked with git.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

site_git_env
make_ca
start_registry up
start_registry site
basic=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
printf '{"auths": {"%s": {"auth": "%s"}, "%s": {"auth": "%s"}}}\n' "$up_HOST" "$basic" "$site_HOST" "$basic" > auth.json
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")
sk=(--creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d")
"$PACK" keygen --out k > /dev/null
git init -q --bare remote.git
URL=file://$T/remote.git

# payload BUNDLE: the signed index.
payload() { tar --zstd -xOf "$1" bundle.dsse.json | jq -r .payload | base64 -d; }

# expected_build VENDOR_ENTRY BUNDLE OUT: kubectl kustomize of the vendor's
# entry with each bundled image replaced by its pinned reference in the site
# registry: image fields by value (host-qualified, so only :latest is
# implied), references inside other strings as their source names them.
expected_build() {
  kubectl kustomize "$1" > "$3.vendor"
  "$IMPORT" inspect "$2" --json | jq -r --arg site "$site_HOST/site" \
    '.images[] | [(.source | sub("^docker://"; "")), "\($site)/\(.name)@\(.digest)"] | @tsv' > "$3.map"
  python3 - "$3.vendor" "$3.map" "$3" <<'PY'
import re, sys
pairs = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if line.strip())
def normal(ref):  # as the index's source names it: a tagless, digestless reference gets :latest
    return ref if "@" in ref or ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"
out = []
for line in open(sys.argv[1]):
    m = re.match(r"^(\s*(?:- )?image: )(\S+)$", line.rstrip("\n"))
    if m:
        line = m.group(1) + pairs.get(normal(m.group(2)), m.group(2)) + "\n"
    else:  # a reference inside a longer string, written as its source names it
        for old in sorted(pairs, key=len, reverse=True):
            line = line.replace(old, pairs[old])
    out.append(line)
open(sys.argv[3], "w").write("".join(out))
PY
}

# pinned_images_resolve BUILD: every image of the build is pinned in the site
# registry and resolves there by digest.
pinned_images_resolve() {
  local ref name got n=0
  for ref in $(grep -oE '(image: |=)'"$site_HOST"'/[^ "]+' "$1" | sed -E 's/^(image: |=)//' | sort -u); do
    n=$((n + 1))
    name=${ref%@*}
    got=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://${name%:*}@${ref##*@}" | sha256sum | cut -d' ' -f1) || true
    [ "$got" = "${ref##*@}" ] && ok "$ref resolves in the site registry" || bad "$ref: the site registry has $got"
  done
  [ "$n" -gt 0 ] || bad "$1 names no pinned image"
  if grep -E '^ *- image: |^ *image: ' "$1" | grep -vqF "$site_HOST/site/"; then
    bad "$1 has images outside the site registry: $(grep -E 'image: ' "$1" | grep -vF "$site_HOST/site/")"
  else
    ok "$1: every image field names the site registry"
  fi
}

# The real fixtures sit beside the checkout (../shared), or beside the
# directory of worktrees.
fixtures=$ROOT/../shared/fixtures/real
[ -d "$fixtures" ] || fixtures=$ROOT/../../shared/fixtures/real

# 1. metrics-server's real tree, entry overlays/release.
real=$fixtures/metrics-server
if [ -d "$real/manifests" ]; then
  "$TESTKIT" layout ms-lay ms --layer 11:200000 > /dev/null
  seed ms-lay ms "$up_HOST" k8s/metrics-server/metrics-server:v0.9.0
  mkdir ms && cp -r "$real/manifests" ms/vendor
  cat > ms/spec.yaml <<YAML
name: metrics-server
version: 0.9.0
sequence: 1
manifests:
  - {path: vendor, kustomize: overlays/release}
mirrors:
  registry.k8s.io: $up_HOST/k8s
YAML
  check "images on metrics-server, entry overlays/release" -- "$PACK" images ms/spec.yaml --json
  cp out.txt ms-images.json
  check "it bundles registry.k8s.io/metrics-server/metrics-server:v0.9.0 only" -- jq -e \
    '[.images[].source] == ["docker://registry.k8s.io/metrics-server/metrics-server:v0.9.0"]' ms-images.json
  check "the reference is base/deployment.yaml's, set by components/release/kustomization.yaml:4" -- jq -e \
    '.images[0].foundAt == ["ms/vendor/base/deployment.yaml:21"] and .images[0].transformed == [{"at": "ms/vendor/base/deployment.yaml:21", "was": "gcr.io/k8s-staging-metrics-server/metrics-server:master", "setBy": ["ms/vendor/components/release/kustomization.yaml:4"]}]' ms-images.json
  check "a note names the files the build does not use" -- jq -e \
    '.kustomizeNotes | length == 1 and (.[0] | contains("overlays/test/kustomization.yaml"))' ms-images.json
  check "the text report shows the transformer" -- "$PACK" images ms/spec.yaml
  grep -qxF "       was gcr.io/k8s-staging-metrics-server/metrics-server:master, set by ms/vendor/components/release/kustomization.yaml:4" out.txt \
    && ok "the text names the transformer's file:line" || bad "images text: $(cat out.txt)"
  printf 'name: ms\nversion: "1"\nsequence: 1\nmanifests: [vendor]\n' > ms/plain.yaml
  check "without kustomize: the tree is read as plain YAML" -- "$PACK" images ms/plain.yaml
  grep -qF "ms/plain.yaml:4: ms/vendor holds kustomization files but none at its root: it is bundled and read as plain YAML; name the entry point of its build with kustomize: DIR" err.txt \
    && ok "and a warning says to name its entry" || bad "plain warning: $(cat err.txt)"
  check "pack metrics-server" -- "$PACK" create ms/spec.yaml --key k.key -o ms.tar.zst "${reg[@]}"
  check "the bundle holds the release image and not the staging one" -- bash -o pipefail -c \
    "'$IMPORT' inspect ms.tar.zst --json | jq -e '[.images[].source] == [\"docker://registry.k8s.io/metrics-server/metrics-server:v0.9.0\"]'"
  check "the index records the entry, its files and the image it deploys" -- bash -o pipefail -c \
    "tar --zstd -xOf ms.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e '.kustomize | length == 1 and .[0].entry == \"manifests/overlays/release\" and .[0].images == [\"registry.k8s.io/metrics-server/metrics-server:v0.9.0\"] and (.[0].files | length) == 20 and .[0].resources == [\"manifests/base/apiservice.yaml\", \"manifests/base/deployment.yaml\", \"manifests/base/rbac.yaml\", \"manifests/base/service.yaml\"]'"
  tar --zstd -tf ms.tar.zst | grep '^manifests/' | sort > ms-entries.txt
  (cd ms/vendor && find . -type f | sed 's|^\./|manifests/|' | sort) > ms-files.txt
  cmp -s ms-entries.txt ms-files.txt && ok "every file of the tree is bundled" || bad "entries: $(diff ms-files.txt ms-entries.txt)"
  check "import metrics-server with --git" -- "$IMPORT" import ms.tar.zst --pubkey k.pub --registry "$site_HOST" \
    --prefix site "${reg[@]}" --git "$URL" --branch ms
  rm -rf wt-ms && git clone -q -b ms remote.git wt-ms
  check "the vendor's files are committed byte for byte below manifests/" -- diff -r ms/vendor wt-ms/metrics-server/manifests
  check "the generated kustomization lists the entry alone" -- bash -o pipefail -c \
    "sed -n '/^resources:/,/^images:/p' wt-ms/metrics-server/kustomization.yaml | grep -c '^  - ' | grep -qx 1 && grep -qx '  - manifests/overlays/release' wt-ms/metrics-server/kustomization.yaml"
  check "kubectl kustomize builds the committed release" -- kubectl kustomize wt-ms/metrics-server
  cp out.txt ms-built.yaml
  expected_build ms/vendor/overlays/release ms.tar.zst ms-expected.yaml
  if cmp -s ms-expected.yaml ms-built.yaml; then
    ok "the committed build equals the vendor's build with the image replaced"
  else
    bad "the builds differ: $(diff ms-expected.yaml ms-built.yaml | head -20)"
  fi
  grep -qF "gcr.io/k8s-staging" ms-built.yaml && bad "the staging image is in the build" || ok "no staging image in the build"
  pinned_images_resolve ms-built.yaml
else
  echo "skip: $real not present (metrics-server)"
fi

# 2. A tree of our own: a base reached through ../, a Component, newName,
# newTag, digest, a tag set in the release overlay (the Deployment says
# :latest), patches that set images (a strategic merge file, an inline JSON
# 6902 operation), a generator with a non-YAML source,
# an image inside an arg, one repository untagged and tagged (the generated
# images: list must take the tagged one first), and an overlay the entry
# does not use.
"$TESTKIT" layout own-lay app --layer 21:150000 > /dev/null
"$TESTKIT" layout own-lay redis --layer 22:90000 > /dev/null
"$TESTKIT" layout own-lay side --layer 23:80000 > /dev/null
"$TESTKIT" layout own-lay helper --layer 24:70000 > /dev/null
"$TESTKIT" layout own-lay worker --layer 25:60000 > /dev/null
seed own-lay app "$up_HOST" org/app:3.2.0
seed own-lay redis "$up_HOST" docker/library/redis:7.2
seed own-lay side "$up_HOST" docker/library/redis:latest
seed own-lay side "$up_HOST" org/side:1.0
seed own-lay helper "$up_HOST" org/helper:2.0
seed own-lay worker "$up_HOST" org/worker:1.4
side_digest=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$up_HOST/org/side:1.0" | sha256sum | cut -d' ' -f1)
mkdir -p own/vendor/{base,components/pin,overlays/release,overlays/dev}
cat > own/vendor/base/kustomization.yaml <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deploy.yaml
images:
  - name: app
    newName: $up_HOST/org/app
  - name: redis
    newName: $up_HOST/docker/library/redis
YAML
cat > own/vendor/base/deploy.yaml <<YAML
# The vendor's Deployment: comments and quoting stay.
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      initContainers:
        - name: cache
          image: "redis"
      containers:
        - name: app
          image: app:latest
          args: ["--helper-image=$up_HOST/org/helper:2.0", "--v=2"]
        - name: side
          image: $up_HOST/org/side:1.0
        - name: cache-7
          image: redis:7.2
YAML
cat > own/vendor/components/pin/kustomization.yaml <<YAML
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - job.yaml
images:
  - name: $up_HOST/org/side
    digest: $side_digest
YAML
cat > own/vendor/components/pin/job.yaml <<YAML
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: $up_HOST/org/app:latest
YAML
cat > own/vendor/overlays/release/kustomization.yaml <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
components:
  - ../../components/pin
patches:
  - path: worker.yaml
  - target: {kind: Job, name: migrate}
    patch: |-
      - op: add
        path: /spec/template/spec/initContainers
        value: [{name: wait, image: "$up_HOST/org/app:latest"}]
configMapGenerator:
  - name: settings
    files: [settings.properties]
images:
  - name: $up_HOST/org/app
    newTag: "3.2.0"
  - name: worker
    newName: $up_HOST/org/worker
    newTag: "1.4"
YAML
cat > own/vendor/overlays/release/worker.yaml <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - name: worker
          image: worker
YAML
printf 'level=info\n' > own/vendor/overlays/release/settings.properties
cat > own/vendor/overlays/dev/kustomization.yaml <<YAML
resources: [../../base]
images:
  - {name: $up_HOST/org/app, newTag: dev}
YAML
cat > own/spec.yaml <<YAML
name: own
version: 3.2.0
sequence: 1
manifests:
  - {path: vendor, kustomize: overlays/release/}
images:
  - $up_HOST/org/helper:2.0
YAML
check "kubectl kustomize builds the vendor's entry" -- kubectl kustomize own/vendor/overlays/release
check "images on the tree" -- "$PACK" images own/spec.yaml --json
cp out.txt own-images.json
check "the six images the build deploys, and the listed helper" -- jq -e --arg up "$up_HOST" \
  '[.images[].source] | sort == (["docker://\($up)/org/helper:2.0", "docker://\($up)/docker/library/redis:latest", "docker://\($up)/docker/library/redis:7.2", "docker://\($up)/org/app:3.2.0", "docker://\($up)/org/side@'"$side_digest"'", "docker://\($up)/org/worker:1.4"] | sort)' own-images.json
check "the Deployment's app:latest, the Job's and the JSON patch's, all set to 3.2.0" -- jq -e \
  '.images[] | select(.name == "org/app:3.2.0") | .foundAt == ["own/vendor/base/deploy.yaml:13", "own/vendor/components/pin/job.yaml:10", "own/vendor/overlays/release/kustomization.yaml:13"] and (.transformed | map(.setBy | length)) == [2, 1, 1]' own-images.json
check "the app's trail: base newName, then the overlay's newTag" -- jq -e \
  '.images[] | select(.name == "org/app:3.2.0") | .transformed[0] == {"at": "own/vendor/base/deploy.yaml:13", "was": "app:latest", "setBy": ["own/vendor/base/kustomization.yaml:6", "own/vendor/overlays/release/kustomization.yaml:18"]}' own-images.json
check "the digest transformer of the Component" -- jq -e \
  '.images[] | select(.source | contains("org/side@")) | .transformed[0].setBy == ["own/vendor/components/pin/kustomization.yaml:6"]' own-images.json
check "the overlay's newTag, line 18, applies to what the patch sets" -- jq -e \
  '.images[] | select(.name == "org/app:3.2.0") | .transformed[2].setBy == ["own/vendor/overlays/release/kustomization.yaml:18"]' own-images.json
check "the image the patch sets, set by the overlay" -- jq -e \
  '.images[] | select(.name == "org/worker:1.4") | .foundAt == ["own/vendor/overlays/release/worker.yaml:9"] and .transformed[0].was == "worker"' own-images.json
check "the overlay the entry does not use is a note" -- jq -e \
  '.kustomizeNotes | length == 1 and (.[0] | contains("overlays/dev/kustomization.yaml"))' own-images.json
check "pack the tree" -- "$PACK" create own/spec.yaml --key k.key -o own.tar.zst "${reg[@]}"
payload own.tar.zst | jq -e '.formatVersion == 2' > /dev/null \
  && ok "a bundle with a kustomize tree is format version 2 (an importer of format 1 refuses it)" \
  || bad "formatVersion: $(payload own.tar.zst | jq .formatVersion)"
tar --zstd -tf own.tar.zst > own-entries.txt
grep -qx manifests/overlays/release/settings.properties own-entries.txt \
  && ok "the generator's non-YAML source is bundled" || bad "settings.properties is not in the bundle"
check "import the tree with --git" -- "$IMPORT" import own.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --prefix site "${reg[@]}" --git "$URL" --branch own
rm -rf wt-own && git clone -q -b own remote.git wt-own
diff -r own/vendor wt-own/own/manifests > own.diff || true
helper_digest=$("$IMPORT" inspect own.tar.zst --json | jq -r '.images[] | select(.name == "org/helper:2.0") | .digest')
sed "s|$up_HOST/org/helper:2.0|$site_HOST/site/org/helper:2.0@$helper_digest|" own/vendor/base/deploy.yaml > deploy.expected
if [ "$(grep -c '^[<>]' own.diff)" = 2 ] && grep -q '^diff -r own/vendor/base/deploy.yaml ' own.diff \
  && cmp -s deploy.expected wt-own/own/manifests/base/deploy.yaml; then
  ok "the vendor's files are committed unchanged but the bundled image inside an arg"
else
  bad "committed tree differs: $(cat own.diff)"
fi
grep -qF "image: app:latest" wt-own/own/manifests/base/deploy.yaml \
  && ok "the field the transformers set is left as the vendor wrote it" || bad "deploy.yaml: $(cat wt-own/own/manifests/base/deploy.yaml)"
check "kubectl kustomize builds the committed release" -- kubectl kustomize wt-own/own
cp out.txt own-built.yaml
expected_build own/vendor/overlays/release own.tar.zst own-expected.yaml
if cmp -s own-expected.yaml own-built.yaml; then
  ok "the committed build equals the vendor's build with every image replaced"
else
  bad "the builds differ: $(diff own-expected.yaml own-built.yaml | head -20)"
fi
grep -qF -- "--helper-image=$site_HOST/site/org/helper:2.0@$helper_digest" own-built.yaml \
  && ok "the image inside an arg is pinned in the build" || bad "args: $(grep helper own-built.yaml)"
pinned_images_resolve own-built.yaml

# 2b. The same tree with its release overlay as the item's root: the default
# entry, whose own kustomization.yaml sits where the generated one would.
mkdir -p root/vendor
cp own/vendor/base/deploy.yaml root/vendor/deploy.yaml
cat > root/vendor/kustomization.yaml <<YAML
resources: [deploy.yaml]
images:
  - {name: app, newName: $up_HOST/org/app, newTag: "3.2.0"}
  - {name: redis, newName: $up_HOST/docker/library/redis}
YAML
# Beside it, a plain file: listed on its own, its image rewritten in place.
cat > root/extra.yaml <<YAML
apiVersion: batch/v1
kind: Job
metadata: {name: extra}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: x, image: "$up_HOST/org/helper:2.0"}]
YAML
printf 'name: rooted\nversion: "1"\nsequence: 1\nmanifests: [vendor, extra.yaml]\nimages: [%s/org/helper:2.0]\n' "$up_HOST" > root/spec.yaml
check "pack a tree whose root is the entry (no kustomize: key)" -- "$PACK" create root/spec.yaml --key k.key \
  -o root.tar.zst "${reg[@]}"
check "the index records the root as the entry" -- bash -o pipefail -c \
  "tar --zstd -xOf root.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e '.kustomize[0].entry == \"manifests\"'"
check "import it" -- "$IMPORT" import root.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site "${reg[@]}" \
  --git "$URL" --branch rooted
rm -rf wt-root && git clone -q -b rooted remote.git wt-root
cmp -s root/vendor/kustomization.yaml wt-root/rooted/manifests/kustomization.yaml \
  && ok "the vendor's root kustomization.yaml is kept, below manifests/" || bad "vendor root kustomization changed"
sed -n '/^resources:/,/^images:/p' wt-root/rooted/kustomization.yaml > root-resources.txt
[ "$(grep -c '^  - ' root-resources.txt)" = 2 ] && grep -qx '  - manifests' root-resources.txt \
  && grep -qx '  - manifests/extra.yaml' root-resources.txt \
  && ok "the generated kustomization lists manifests and the plain file" \
  || bad "generated: $(cat wt-root/rooted/kustomization.yaml)"
helper=$("$IMPORT" inspect root.tar.zst --json | jq -r '.images[] | select(.name == "org/helper:2.0") | .digest')
grep -qF "image: \"$site_HOST/site/org/helper:2.0@$helper\"" wt-root/rooted/manifests/extra.yaml \
  && ok "the plain file's image is pinned in place" || bad "extra.yaml: $(cat wt-root/rooted/manifests/extra.yaml)"
check "kubectl kustomize builds it" -- kubectl kustomize wt-root/rooted
cp out.txt root-built.yaml
# The vendor's build with the plain file beside it, as the release lists them.
mkdir -p root-exp && cp -r root/vendor root-exp/manifests && cp root/extra.yaml root-exp/
printf 'resources: [manifests, extra.yaml]\n' > root-exp/kustomization.yaml
expected_build root-exp root.tar.zst root-expected.yaml
cmp -s root-expected.yaml root-built.yaml && ok "the rooted build equals the vendor's with images replaced" \
  || bad "rooted builds differ: $(diff root-expected.yaml root-built.yaml | head -20)"

# 2c. The tree from a git source: locations read URL@REF:PATH:LINE; a file
# the build needs that is not YAML (a generator's source) is bundled from
# the git source too, within k_max_git_other_bytes.
git init -q gitsrc && cp -r own/vendor gitsrc/deploy
git -C gitsrc add -A && git -C gitsrc commit -qm tree && git -C gitsrc tag v1
cat > git-spec.yaml <<YAML
name: own
version: "1"
sequence: 1
manifests:
  - {git: $T/gitsrc, ref: v1, path: deploy, kustomize: overlays/release}
YAML
check "pack the tree from a git source, its generator's source included" -- \
  "$PACK" create git-spec.yaml --key k.key -o git.tar.zst "${reg[@]}"
tar --zstd -xOf git.tar.zst manifests/overlays/release/settings.properties 2> /dev/null \
  | cmp -s - gitsrc/deploy/overlays/release/settings.properties \
  && ok "the git source's settings.properties is bundled byte for byte" || bad "settings.properties is not in git.tar.zst"
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' x > gitsrc/deploy/overlays/release/settings.properties
git -C gitsrc commit -qam "a huge generator source" && git -C gitsrc tag big
sed 's/ref: v1/ref: big/' git-spec.yaml > git-big.yaml
expect_exit 2 "$T/gitsrc@big:deploy/overlays/release/kustomization.yaml:16: $T/gitsrc@big:deploy/overlays/release/settings.properties is not read: it is larger than 16777216 bytes (k_max_yaml_file)" \
  "a generator's source over the limit is refused, naming file:line and the limit" -- "$PACK" images git-big.yaml
git -C gitsrc checkout -q v1 -- deploy/overlays/release/settings.properties
sed -i '/configMapGenerator:/,/files: \[settings.properties\]/d' gitsrc/deploy/overlays/release/kustomization.yaml
git -C gitsrc commit -qam "no generator" && git -C gitsrc tag v2
sed -i 's/ref: v1/ref: v2/' git-spec.yaml
check "images on the tree from git" -- "$PACK" images git-spec.yaml --json
cp out.txt git-images.json
check "its locations name the git source" -- jq -e --arg at "$T/gitsrc@v2:deploy/base/deploy.yaml:13" \
  '.images[] | select(.name == "org/app:3.2.0") | .foundAt[0] == $at and (.transformed[0].setBy[1] | endswith("deploy/overlays/release/kustomization.yaml:15"))' git-images.json

# 3. Refusals: exit 2 naming file:line, no bundle.
refuse() {  # refuse DESC SUBSTRING KUSTOMIZATION-TEXT
  rm -rf bad && mkdir -p bad/vendor/app/sub bad/vendor/base
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' > bad/vendor/base/cm.yaml
  printf 'resources: [cm.yaml]\n' > bad/vendor/base/kustomization.yaml
  printf '%s' "$3" > bad/vendor/app/kustomization.yaml
  printf 'name: bad\nversion: "1"\nsequence: 1\nmanifests:\n  - {path: vendor, kustomize: app}\n' > bad/spec.yaml
  expect_exit 2 "$2" "$1" -- "$PACK" create bad/spec.yaml --key k.key -o bad.tar.zst "${reg[@]}"
  [ ! -e bad.tar.zst ] && ! ls bad.tar.zst.* > /dev/null 2>&1 && ok "$1: no bundle left" || bad "$1: a bundle was left"
}
refuse "a remote resource" 'bad/vendor/app/kustomization.yaml:3: resource "https://github.com/kubernetes-sigs/metrics-server//manifests/base?ref=v0.7.2" is remote' \
  $'resources:\n  - ../base\n  - https://github.com/kubernetes-sigs/metrics-server//manifests/base?ref=v0.7.2\n'
refuse "a remote resource without a scheme" 'bad/vendor/app/kustomization.yaml:2: resource "github.com/org/repo/deploy?ref=v1" is remote' \
  $'resources:\n  - github.com/org/repo/deploy?ref=v1\n'
refuse "a path escaping the item" 'bad/vendor/app/kustomization.yaml:3: resource "../../outside" is outside the manifests entry' \
  $'resources:\n  - ../base\n  - ../../outside\n'
refuse "a missing resource" 'bad/vendor/app/kustomization.yaml:2: resource "../nowhere": bad/vendor/nowhere does not exist' \
  $'resources:\n  - ../nowhere\n'
refuse "a kustomization that is not YAML" 'bad/vendor/app/kustomization.yaml:3: not valid YAML' \
  $'resources:\n  - [../base\n'
refuse "a file outside its kustomization's directory" 'bad/vendor/app/kustomization.yaml:2: resource "../base/cm.yaml" is not in or below bad/vendor/app' \
  $'resources:\n  - ../base/cm.yaml\n'
refuse "a Helm chart" 'bad/vendor/app/kustomization.yaml:2: helmCharts' $'helmCharts:\n  - {name: x, repo: https://charts.example.com}\n'
refuse "an unquoted number as a tag" 'bad/vendor/app/kustomization.yaml:4: newTag 1.0 reads as a number' \
  $'resources: [../base]\nimages:\n  - name: app\n    newTag: 1.0\n'
refuse "a directory without a kustomization" 'bad/vendor/app/kustomization.yaml:1: bad/vendor/app/sub holds no kustomization' \
  $'resources: [sub]\n'
printf 'name: bad\nversion: "1"\nsequence: 1\nmanifests:\n  - {path: vendor, kustomize: base/missing}\n' > bad/spec.yaml
expect_exit 2 "bad/spec.yaml:5: kustomize: bad/vendor/base/missing is not a directory" "an entry that does not exist" -- \
  "$PACK" images bad/spec.yaml

# 4. airlock-pack images on every real fixture: under a second each.
if [ -d "$fixtures" ]; then
  sanitized=$(ldd "$PACK" 2> /dev/null | grep -cE 'lib(a|t)san' || true)
  for f in "$fixtures"/*; do
    base=$(basename "$f")
    mkdir -p "fx/$base"
    case "$f" in
      *.yaml) cp "$f" "fx/$base/in.yaml"; printf 'name: fx\nversion: "1"\nsequence: 1\nmanifests: [in.yaml]\n' > "fx/$base/spec.yaml" ;;
      *.txt) { printf 'name: fx\nversion: "1"\nsequence: 1\nimages:\n'; grep -v '^ *#' "$f" | grep . | sed 's/^/  - /'; } > "fx/$base/spec.yaml" ;;
      *) if [ -d "$f/manifests/overlays/release" ]; then
           printf 'name: fx\nversion: "1"\nsequence: 1\nmanifests:\n  - {path: %s, kustomize: overlays/release}\n' "$f/manifests" > "fx/$base/spec.yaml"
         else continue; fi ;;
    esac
    # CPU seconds (user + system): the machine's other work does not count.
    rc=0
    /usr/bin/time -f '%U %S %e' -o "fx/$base/time.txt" "$PACK" images "fx/$base/spec.yaml" > "fx/$base/out.txt" \
      2> "fx/$base/err.txt" || rc=$?
    read -r user sys wall < <(tail -1 "fx/$base/time.txt")
    cpu_ms=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
    echo "airlock-pack images $base: ${cpu_ms} ms CPU, ${wall} s wall"
    if [ "$rc" -ne 0 ]; then
      bad "images on $base: exit $rc: $(head -c 300 "fx/$base/err.txt")"
    elif [ "$sanitized" != 0 ]; then
      printf 'skip images on %s under 1 s: not timed in a sanitizer build\n' "$base"
    elif [ "$cpu_ms" -lt 1000 ]; then
      ok "images on $base in $cpu_ms ms of CPU"
    else
      bad "images on $base took $cpu_ms ms of CPU"
    fi
  done
else
  echo "skip: no real fixtures"
fi

finish
