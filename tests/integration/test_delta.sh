#!/usr/bin/env bash
# Delta bundles (airlock-pack create --base) against real registries and a
# real git remote: release N full, N+1 a delta of N, N+2 a delta of N+1 (and
# N), each imported into a site registry and a GitOps branch, checked with
# kubectl kustomize and skopeo; a delta whose base the branch never imported,
# whose omitted blob the registry lost, or whose base digest is forged is
# refused with nothing visible; airlock-pack diff; and the auditor's
# stock-tool check of a delta (the "sh delta" block of docs/AUDITING.md, run
# verbatim).
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

site_git_env

sed -n '/^```sh$/,/^```$/p' "$ROOT/docs/AUDITING.md" | sed '1d;$d' > audit.sh
sed -n '/^```sh delta$/,/^```$/p' "$ROOT/docs/AUDITING.md" | sed '1d;$d' > audit-delta.sh
[ -s audit-delta.sh ] && ok "docs/AUDITING.md has an \"sh delta\" block" || bad "no \"sh delta\" block in docs/AUDITING.md"

make_ca
start_registry up
start_registry site
start_registry gc
cred=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
jq -n --arg c "$cred" --arg u "$up_HOST" --arg s "$site_HOST" --arg g "$gc_HOST" \
  '{auths: {($u): {auth: $c}, ($s): {auth: $c}, ($g): {auth: $c}}}' > auth.json
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")
sk=(--creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d")
"$PACK" keygen --out k > /dev/null
"$PACK" keygen --out other > /dev/null

# Images in the upstream registry. Same seed, same layer: every image
# shares the 2 MB base layer A (seed 1).
"$TESTKIT" layout lay app1 --layer 1:2000000 --layer 2:300000 > /dev/null   # A, B
"$TESTKIT" layout lay web1 --layer 1:2000000 --layer 3:300000 > /dev/null   # A, C
"$TESTKIT" layout lay old1 --layer 1:2000000 --layer 4:300000 > /dev/null   # A, D
"$TESTKIT" layout lay multi1 --platform linux/amd64 --platform linux/arm64 \
  --layer 1:2000000 --layer 8:200000 > /dev/null                               # A, F
"$TESTKIT" layout lay app2 --layer 1:2000000 --layer 5:300000 > /dev/null   # A, B2
"$TESTKIT" layout lay new1 --layer 1:2000000 --layer 6:300000 > /dev/null   # A, E
"$TESTKIT" layout lay app3 --layer 1:2000000 --layer 7:300000 > /dev/null   # A, B3
"$TESTKIT" layout lay lone1 --layer 9:100000 > /dev/null                    # shares nothing
for pair in app1:app:1 web1:web:1 old1:old:1 app2:app:2 new1:new:1 app3:app:3 lone1:lone:1; do
  seed lay "${pair%%:*}" "$up_HOST" "org/${pair#*:}"
done
seed lay multi1 "$up_HOST" org/multi:1 --all

# layer IMAGE N [FIELD]: the digest (or size) of layer N (from 0) of upstream
# image org/IMAGE as the registry holds it (skopeo compressed the layout's
# layers on the way in), its first platform's for an index.
layer() {
  local m
  m=$(skopeo inspect --raw "${sk[@]}" "docker://$up_HOST/org/$1")
  if [ "$(jq 'has("manifests")' <<< "$m")" = true ]; then
    m=$(skopeo inspect --raw "${sk[@]}" "docker://$up_HOST/org/${1%%:*}@$(jq -r '.manifests[0].digest' <<< "$m")")
  fi
  jq -r --argjson n "$2" --arg f "${3:-digest}" '.layers[$n][$f]' <<< "$m"
}
A=$(layer app:1 0) C=$(layer web:1 1) F=$(layer multi:1 1) B2=$(layer app:2 1) E=$(layer new:1 1) B3=$(layer app:3 1)

# release DIR VERSION SEQUENCE IMAGE...: a spec whose YAML runs the images
# (org/IMAGE at the upstream registry), found there by discovery.
release() {
  local dir=$1 version=$2 seq=$3 i
  shift 3
  mkdir -p "$dir/k8s"
  {
    printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: demo, labels: {version: "%s"}}\n' "$version"
    printf 'spec:\n  template:\n    spec:\n      containers:\n'
    for i in "$@"; do printf '        - {name: %s, image: "%s/org/%s"}\n' "${i%%:*}" "$up_HOST" "$i"; done
  } > "$dir/k8s/deploy.yaml"
  printf 'name: demo\nversion: "%s"\nsequence: %s\nmanifests: [k8s]\n' "$version" "$seq" > "$dir/spec.yaml"
}
release rel1 1.0.0 1 app:1 web:1 old:1 multi:1
release rel2 1.1.0 2 app:2 web:1 new:1 multi:1
release rel3 1.2.0 3 app:3 web:1 new:1 multi:1
release rel4 1.3.0 4 app:3 web:1 new:1 multi:1

payload() { tar --zstd -xOf "$1" bundle.dsse.json | jq -r .payload | base64 -d; }
bdigest() { "$IMPORT" inspect "$1" --json | jq -r .bundleDigest; }
image_digest() { "$IMPORT" inspect "$1" --json | jq -r --arg n "$2" '.images[] | select(.name == $n) | .digest'; }
commits() { git --git-dir="$T/$1" rev-list --count "$2" 2> /dev/null || echo 0; }
no_output() { if ls "$2"* > /dev/null 2>&1; then bad "$1: output left: $(ls "$2"*)"; else ok "$1: no output left"; fi; }

# resign IN OUT FILTER [JQ ARGS...]: IN with its signed index rewritten by the
# jq FILTER and signed again by k.key with openssl over the DSSE PAE; every
# other entry as it was, in the same order (a ustar archive, zstd by tar).
resign() {
  local in=$1 out=$2 filter=$3 dir scratch type keyid
  shift 3
  dir=$(mktemp -d "$T/resign.XXXXXX")
  scratch=$dir.scratch
  mkdir "$scratch"
  tar --zstd -xf "$in" -C "$dir"
  type=$(jq -j .payloadType "$dir/bundle.dsse.json")
  jq -r .payload "$dir/bundle.dsse.json" | base64 -d | jq "$@" "$filter" > "$scratch/payload.json"
  printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(stat -c %s "$scratch/payload.json")" > "$scratch/pae.bin"
  cat "$scratch/payload.json" >> "$scratch/pae.bin"
  openssl pkeyutl -sign -inkey k.key -rawin -in "$scratch/pae.bin" -out "$scratch/sig.bin"
  keyid=$(openssl pkey -in k.key -pubout -outform DER | openssl dgst -sha256 -r)
  jq -n --arg t "$type" --arg p "$(base64 -w0 "$scratch/payload.json")" --arg k "${keyid%% *}" \
    --arg s "$(base64 -w0 "$scratch/sig.bin")" '{payloadType: $t, payload: $p, signatures: [{keyid: $k, sig: $s}]}' \
    > "$dir/bundle.dsse.json"
  { echo bundle.dsse.json; jq -r '.entries[].path' "$scratch/payload.json"; } > "$scratch/list.txt"
  tar --zstd --format=ustar --owner=0 --group=0 --numeric-owner --no-recursion -cf "$out" -C "$dir" -T "$scratch/list.txt"
}

# pinned BUNDLE [BRANCH] [REMOTE]: kubectl kustomize of the branch's demo/
# names exactly the bundle's images, each at the site registry by the
# bundle's digest, and the site registry serves each at that digest.
pinned() {
  local bundle=$1 branch=${2:-dev} remote=${3:-remote.git} wt got want ref name d
  wt=wt-${bundle%.tar.zst}-$branch
  rm -rf "$wt"
  git clone -q -b "$branch" "$T/$remote" "$wt"
  if ! kubectl kustomize "$wt/demo" > "$wt.yaml" 2> "$wt.err"; then
    bad "kubectl kustomize after $bundle: $(head -c 400 "$wt.err")"
    return
  fi
  got=$(grep -oE 'image: *["'"'"']?[^ "'"'"']+' "$wt.yaml" | sed -E 's/image: *["'"'"']?//' | sort -u)
  want=$("$IMPORT" inspect "$bundle" --json | jq -r --arg h "$site_HOST" '.images[] | "\($h)/site/\(.name)@\(.digest)"' | sort -u)
  if [ "$got" = "$want" ]; then
    ok "$bundle on $branch: kubectl kustomize gives its $(wc -l <<< "$want") images, each by digest at the site registry"
  else
    bad "$bundle on $branch: kustomize images $(tr '\n' ' ' <<< "$got") want $(tr '\n' ' ' <<< "$want")"
  fi
  for ref in $want; do
    name=${ref%@*}
    d=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://${name%:*}@${ref##*@}" | sha256sum | cut -d' ' -f1) || true
    [ "$d" = "${ref##*@}" ] || bad "$ref: the site registry serves $d"
  done
}

# 0. Pack: N full, N+1 a delta of N, N+2 a delta of N+1 and N.
check "pack release N (sequence 1), full" -- "$PACK" create rel1/spec.yaml --key k.key -o s1.tar.zst "${reg[@]}"
check "pack N+1 (sequence 2) as a delta of N" -- "$PACK" create rel2/spec.yaml --key k.key -o s2.tar.zst \
  --base s1.tar.zst "${reg[@]}"
check "pack N+2 (sequence 3) as a delta of N+1 and N" -- "$PACK" create rel3/spec.yaml --key k.key -o s3.tar.zst \
  --base s2.tar.zst --base s1.tar.zst "${reg[@]}"
d1=$(bdigest s1.tar.zst) d2=$(bdigest s2.tar.zst) d3=$(bdigest s3.tar.zst)
payload s1.tar.zst > p1.json
payload s2.tar.zst > p2.json
payload s3.tar.zst > p3.json

check "N is a full bundle: format version 1, no delta" -- jq -e '.formatVersion == 1 and (has("delta") | not)' p1.json
check "N+1's index: format version 3, base N" -- jq -e --arg d "$d1" \
  '.formatVersion == 3 and .delta.bases == [{bundleDigest: $d, sequence: 1, version: "1.0.0"}]' p2.json
check "N+1 omits exactly the layers N carried: A, C, F" -- jq -e --arg a "$A" --arg c "$C" --arg f "$F" \
  '(.delta.omitted | map(.digest) | sort) == ([$a, $c, $f] | sort)' p2.json
check "each omitted blob's size is its layer's" -- jq -e --argjson a "$(layer app:1 0 size)" --argjson c "$(layer web:1 1 size)" \
  --argjson f "$(layer multi:1 1 size)" --arg A "$A" --arg C "$C" --arg F "$F" \
  '.delta.omitted | all(.[]; .size == ({($A): $a, ($C): $c, ($F): $f})[.digest])' p2.json
check "each omitted blob is expected at a repository of N's images" -- jq -e --slurpfile base p1.json \
  '($base[0].images | map(.repository)) as $r | .delta.omitted | all(.[]; .repository as $x | $r | index([$x]) != null)' p2.json
tar --zstd -tf s2.tar.zst > list2.txt
missing=""
for x in "$A" "$C" "$F"; do grep -qx "blobs/sha256/${x#sha256:}" list2.txt && missing+=" $x"; done
[ -z "$missing" ] && ok "tar --zstd -tf of N+1 lacks the omitted blobs" || bad "N+1 carries omitted blobs:$missing"
grep -qx "blobs/sha256/${B2#sha256:}" list2.txt && grep -qx "blobs/sha256/${E#sha256:}" list2.txt \
  && ok "N+1 carries its new layers B2 and E" || bad "N+1 lacks B2 or E"
size1=$(stat -c %s s1.tar.zst) size2=$(stat -c %s s2.tar.zst)
[ "$size2" -lt $((size1 / 3)) ] && ok "the delta is much smaller: $size2 bytes against the full $size1" \
  || bad "the delta is $size2 bytes, the full $size1"
check "N+2's index: bases N+1 and N" -- jq -e --arg d1 "$d1" --arg d2 "$d2" \
  '.formatVersion == 3 and (.delta.bases | map([.bundleDigest, .sequence, .version])) == [[$d2, 2, "1.1.0"], [$d1, 1, "1.0.0"]]' p3.json
check "N+2 omits A, C, F (N carried them) and E (N+1 did)" -- jq -e --arg a "$A" --arg c "$C" --arg f "$F" --arg e "$E" \
  '(.delta.omitted | map(.digest) | sort) == ([$a, $c, $f, $e] | sort)' p3.json
check "N+2 carries B3" -- bash -o pipefail -c "tar --zstd -tf s3.tar.zst | grep -qx 'blobs/sha256/${B3#sha256:}'"
# A layer the base only omitted is carried again.
check "pack N+2 against N+1 alone" -- "$PACK" create rel3/spec.yaml --key k.key -o s3only.tar.zst --base s2.tar.zst "${reg[@]}"
check "against N+1 alone it omits only E, and carries A, C, F again" -- bash -o pipefail -c "
  tar --zstd -xOf s3only.tar.zst bundle.dsse.json | jq -r .payload | base64 -d \
  | jq -e --arg e '$E' '.delta.omitted | map(.digest) == [\$e]' > /dev/null \
  && tar --zstd -tf s3only.tar.zst | grep -cx -e 'blobs/sha256/${A#sha256:}' -e 'blobs/sha256/${C#sha256:}' -e 'blobs/sha256/${F#sha256:}' | grep -qx 3"

# inspect and verify report the delta; verify needs no registry.
check "inspect --json of N has no delta" -- bash -o pipefail -c "'$IMPORT' inspect s1.tar.zst --json | jq -e 'has(\"delta\") | not'"
check "inspect --json of N+1" -- "$IMPORT" inspect s2.tar.zst --json
check "it reports bases, omitted blobs and bytes, carried bytes" -- jq -e --arg d "$d1" --slurpfile p p2.json '
  .delta.bases == [{bundleDigest: $d, sequence: 1, version: "1.0.0"}]
  and .delta.omitted == $p[0].delta.omitted and .delta.omittedBlobs == 3
  and .delta.omittedBytes == ($p[0].delta.omitted | map(.size) | add)
  and .delta.carriedBytes == ($p[0].entries | map(.size) | add)' out.txt
check "inspect's text says \"delta of sequence 1\"" -- bash -o pipefail -c "'$IMPORT' inspect s2.tar.zst | grep -q 'delta of sequence 1'"
requests() { grep -cE '"(GET|HEAD|POST|PUT|PATCH|DELETE) /' "$T/reg-$1/log" || true; }
site_lines=$(requests site) up_lines=$(requests up)
check "verify of a delta, with no registry" -- "$IMPORT" verify s2.tar.zst --pubkey k.pub --json
cp out.txt v2.json
check "verify --json reports the omitted blobs" -- jq -e --slurpfile p p2.json \
  '.verified == true and .delta.omitted == $p[0].delta.omitted and .delta.omittedBlobs == 3' v2.json
[ "$(requests site)" = "$site_lines" ] && [ "$(requests up)" = "$up_lines" ] \
  && ok "verify asked no registry" || bad "verify made registry requests"
check "verify's text of N+2 names both bases" -- bash -o pipefail -c \
  "'$IMPORT' verify s3.tar.zst --pubkey k.pub | grep 'delta of sequence 2' | grep -q 'sequence 1'"

# Base errors at pack time.
check "pack N with another key" -- "$PACK" create rel1/spec.yaml --key other.key -o sx.tar.zst "${reg[@]}"
expect_exit 3 "sx.tar.zst" "a base signed by a key neither --key nor --base-pubkey gives: exit 3" -- \
  "$PACK" create rel2/spec.yaml --key k.key -o x.tar.zst --base sx.tar.zst "${reg[@]}"
no_output "untrusted base" x.tar.zst
check "the same base with --base-pubkey other.pub" -- "$PACK" create rel2/spec.yaml --key k.key -o s2x.tar.zst \
  --base sx.tar.zst --base-pubkey other.pub "${reg[@]}"
check "that delta names the other-signed base" -- bash -o pipefail -c \
  "tar --zstd -xOf s2x.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e '.delta.bases[0].bundleDigest == \"$(bdigest sx.tar.zst)\"'"
expect_exit 2 "sequence" "a base whose sequence is not lower: exit 2" -- \
  "$PACK" create rel2/spec.yaml --key k.key -o x.tar.zst --base s2.tar.zst "${reg[@]}"
no_output "base of the same sequence" x.tar.zst
mkdir -p relo
printf 'name: other\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1]\n' "$up_HOST" > relo/o1.yaml
printf 'name: other\nversion: "2"\nsequence: 2\nimages: [%s/org/lone:1]\n' "$up_HOST" > relo/o2.yaml
check "pack a bundle of another release" -- "$PACK" create relo/o1.yaml --key k.key -o o1.tar.zst "${reg[@]}"
expect_exit 2 "other" "a base of another release: exit 2" -- \
  "$PACK" create rel2/spec.yaml --key k.key -o x.tar.zst --base o1.tar.zst "${reg[@]}"
no_output "base of another release" x.tar.zst
check "a --base that shares nothing" -- "$PACK" create relo/o2.yaml --key k.key -o o2.tar.zst --base o1.tar.zst "${reg[@]}"
check "is written as a full bundle" -- bash -o pipefail -c \
  "tar --zstd -xOf o2.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e '.formatVersion == 1 and (has(\"delta\") | not)'"

# 1. Import N, N+1, N+2 into the site registry and a git branch.
git init -q --bare remote.git
URL=file://$T/remote.git
imp() {  # imp BUNDLE URL BRANCH PREFIX [REGISTRY] [more flags]
  local b=$1 url=$2 br=$3 pre=$4 host=${5:-$site_HOST}
  shift 5 2> /dev/null || shift $#
  "$IMPORT" import "$b" --pubkey k.pub --registry "$host" --prefix "$pre" "${reg[@]}" --git "$url" --branch "$br" "$@"
}
check "import N (full)" -- imp s1.tar.zst "$URL" dev site "$site_HOST" --json
pinned s1.tar.zst
check "import N+1 (delta of N)" -- imp s2.tar.zst "$URL" dev site "$site_HOST" --json
cp out.txt i2.json
check "its report shows the commit" -- jq -e '.verified == true and .git.commit != null' i2.json
pinned s2.tar.zst
git --git-dir=remote.git log -1 --format=%B dev > msg2.txt
grep -q "^Import demo 1.1.0 (sequence 2, delta of sequence 1)" msg2.txt && grep -qx "Airlock-Bundle: $d2" msg2.txt \
  && ok "the commit says \"delta of sequence 1\" and names the bundle" || bad "commit message: $(cat msg2.txt)"
check "the receipt records the delta" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:.airlock/receipts/demo/2.json | jq -e --arg d '$d1' \
   '.bundleDigest == \"$d2\" and .delta.bases == [{bundleDigest: \$d, sequence: 1, version: \"1.0.0\"}]
    and .delta.omittedBlobs == 3 and .delta.omittedBytes == $(jq '.delta.omitted | map(.size) | add' p2.json)'"
check "the state records sequence 2" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:.airlock/state.json | jq -e '.releases.demo.sequence == 2 and .releases.demo.bundleDigest == \"$d2\"'"

# 2. A delta onto a branch that never imported its base: exit 3 naming the
# base, nothing visible. A fresh remote and prefix first, then a fresh
# branch of the same remote with the same prefix (every omitted blob is in
# the registry there: only the branch can stop it).
git init -q --bare fresh.git
puts=$(manifest_puts site)
expect_exit 3 "$d1" "N+1 onto a fresh remote: exit 3 naming base N's digest" -- \
  imp s2.tar.zst "file://$T/fresh.git" dev fresh
grep -q "sequence 1" err.txt && ok "the message names sequence 1" || bad "message: $(cat err.txt)"
leaked=""
for repo in org/app org/web org/new org/multi; do leaked+=$(tags "$site_HOST" "fresh/$repo"); done
[ -z "$leaked" ] && ok "no tag under fresh/" || bad "tags under fresh/: $leaked"
app2=$(image_digest s2.tar.zst org/app:2) new1=$(image_digest s2.tar.zst org/new:1)
[ "$(status "$site_HOST" fresh/org/app manifests "$app2")" = 404 ] && [ "$(status "$site_HOST" fresh/org/new manifests "$new1")" = 404 ] \
  && ok "no manifest by digest under fresh/" || bad "a manifest under fresh/ is visible"
[ "$(manifest_puts site)" = "$puts" ] && ok "no manifest was pushed" || bad "manifests were pushed"
[ -z "$(git ls-remote "file://$T/fresh.git")" ] && ok "fresh.git has no branch" || bad "fresh.git: $(git ls-remote "file://$T/fresh.git")"

app3=$(image_digest s3.tar.zst org/app:3)
expect_exit 3 "sequence 2" "N+2 onto a fresh branch of the same remote: exit 3 naming its bases" -- \
  imp s3.tar.zst "$URL" other site
grep -qF "$d2" err.txt && grep -qF "$d1" err.txt && ok "the message names both base digests" || bad "message: $(cat err.txt)"
! tags "$site_HOST" site/org/app | grep -qx 3 && ok "no tag org/app:3" || bad "org/app:3 was tagged"
[ "$(status "$site_HOST" site/org/app manifests "$app3")" = 404 ] && ok "no manifest of org/app:3 by digest" \
  || bad "org/app:3's manifest is visible"
[ "$(manifest_puts site)" = "$puts" ] && ok "still no manifest pushed" || bad "manifests were pushed"
[ -z "$(git ls-remote "$URL" refs/heads/other)" ] && ok "no branch \"other\"" || bad "branch other was created"

# 4. A forged base digest, signed by the trusted key: verify cannot tell,
# the import branch can (b4 imported N only). Then the real N+1 imports there,
# and a delta of N alone after N+1 (its base found in the branch's receipts).
forged=sha256:$(printf forged-base | sha256sum | cut -d' ' -f1)
resign s2.tar.zst forged.tar.zst '.delta.bases[0].bundleDigest = $f' --arg f "$forged"
check "the forged delta verifies (signature and every entry)" -- "$IMPORT" verify forged.tar.zst --pubkey k.pub --json
check "it names the forged base" -- jq -e --arg f "$forged" '.delta.bases[0].bundleDigest == $f' out.txt
check "import N onto branch b4" -- imp s1.tar.zst "$URL" b4 site
expect_exit 3 "$forged" "the forged delta: exit 3 naming the digest" -- imp forged.tar.zst "$URL" b4 site
[ "$(commits remote.git b4)" = 1 ] && ok "b4 did not move" || bad "b4 has $(commits remote.git b4) commits"
check "the real N+1 imports onto b4" -- imp s2.tar.zst "$URL" b4 site
check "pack N+2 as a delta of N alone" -- "$PACK" create rel3/spec.yaml --key k.key -o s3b.tar.zst --base s1.tar.zst "${reg[@]}"
check "it imports onto b4 after N+1 (N is in b4's receipts)" -- imp s3b.tar.zst "$URL" b4 site
pinned s3b.tar.zst b4

# 1 (cont). N+2 onto dev; skopeo pulls every image back complete.
check "import N+2 (delta of N+1 and N)" -- imp s3.tar.zst "$URL" dev site
pinned s3.tar.zst
grep -q "delta of sequence 2" <(git --git-dir=remote.git log -1 --format=%s dev) && ok "the commit says delta of sequence 2" \
  || bad "subject: $(git --git-dir=remote.git log -1 --format=%s dev)"
check "receipt 3 names both bases" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:.airlock/receipts/demo/3.json | jq -e '(.delta.bases | map(.sequence)) == [2, 1] and .delta.omittedBlobs == 4'"
"$IMPORT" inspect s3.tar.zst --json | jq -r '.images[] | "\(.name) \(.digest)"' > images3.txt
mkdir pulled
while read -r name digest; do
  dest=pulled/${name//[:\/]/-}
  if ! skopeo copy --quiet --all --preserve-digests --src-creds "$REG_USER:$REG_PASS" --src-cert-dir "$T/certs.d" \
    "docker://$site_HOST/site/${name%:*}@$digest" "oci:$dest:x" < /dev/null 2> copy.err; then
    bad "skopeo copy $name from the site registry: $(head -c 300 copy.err)"
    continue
  fi
  got=$(jq -r '.manifests[0].digest' "$dest/index.json")
  # Complete: every manifest's config and layers are in the copy, each its digest.
  lost=""
  for m in $(jq -r '.manifests[0].digest' "$dest/index.json") \
    $(jq -r '.manifests[]?.digest' "$dest/blobs/sha256/${got#sha256:}"); do
    for b in $(jq -r '(.config.digest // empty), ((.layers // []) | .[].digest)' "$dest/blobs/sha256/${m#sha256:}"); do
      [ "sha256:$(sha256sum < "$dest/blobs/sha256/${b#sha256:}" 2> /dev/null | cut -d' ' -f1)" = "$b" ] || lost+=" $b"
    done
  done
  [ "$got" = "$digest" ] && [ -z "$lost" ] && ok "skopeo pulls $name from the site registry complete, at the bundle's digest" \
    || bad "$name: copied $got (bundle $digest), missing or wrong:$lost"
done < images3.txt
[ "$(wc -l < images3.txt)" = 4 ] && ok "N+2 has four images" || bad "N+2 images: $(cat images3.txt)"

# 3. An omitted blob the registry lost: a fresh registry imported up to N,
# then layer C (omitted by N+1) deleted from every repository holding it.
git init -q --bare gc.git
check "import N into a second site registry" -- imp s1.tar.zst "file://$T/gc.git" dev site "$gc_HOST"
deleted=0
for repo in $(curl -s --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" "https://$gc_HOST/v2/_catalog" | jq -r '.repositories[]'); do
  [ "$(status "$gc_HOST" "$repo" blobs "$C")" = 200 ] || continue
  code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" \
    "https://$gc_HOST/v2/$repo/blobs/$C")
  [ "$code" = 202 ] && deleted=$((deleted + 1)) || bad "DELETE $C in $repo: HTTP $code"
done
left=""
for repo in $(curl -s --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" "https://$gc_HOST/v2/_catalog" | jq -r '.repositories[]'); do
  [ "$(status "$gc_HOST" "$repo" blobs "$C")" = 404 ] || left+=" $repo"
done
[ "$deleted" -ge 1 ] && [ -z "$left" ] && ok "layer C deleted from the $deleted repositories that held it" \
  || bad "C deleted from $deleted, still in:$left"
puts=$(manifest_puts gc)
expect_exit 3 "$C" "N+1 when the registry lost an omitted blob: exit 3 naming it" -- \
  imp s2.tar.zst "file://$T/gc.git" dev site "$gc_HOST"
grep -q "org/web:1" err.txt && ok "the message names an image that needs it" || bad "message: $(cat err.txt)"
! tags "$gc_HOST" site/org/app | grep -qx 2 && [ -z "$(tags "$gc_HOST" site/org/new)" ] \
  && ok "no new tag" || bad "tags: app $(tags "$gc_HOST" site/org/app) new $(tags "$gc_HOST" site/org/new)"
[ "$(status "$gc_HOST" site/org/app manifests "$app2")" = 404 ] && [ "$(manifest_puts gc)" = "$puts" ] \
  && ok "no manifest pushed" || bad "a manifest was pushed"
[ "$(commits gc.git dev)" = 1 ] && ok "no commit on gc.git's dev" || bad "gc.git dev has $(commits gc.git dev) commits"

# 5. A full bundle after the deltas still imports.
check "pack sequence 4, full" -- "$PACK" create rel4/spec.yaml --key k.key -o s4.tar.zst "${reg[@]}"
check "it is a full bundle" -- bash -o pipefail -c \
  "tar --zstd -xOf s4.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e '.formatVersion == 1 and (has(\"delta\") | not)'"
check "import it after the deltas" -- imp s4.tar.zst "$URL" dev site
pinned s4.tar.zst
check "its receipt has no delta" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:.airlock/receipts/demo/4.json | jq -e 'has(\"delta\") | not'"
! git --git-dir=remote.git log -1 --format=%s dev | grep -q delta && ok "its commit does not say delta" || bad "subject says delta"
[ "$(commits remote.git dev)" = 4 ] && ok "dev has four commits" || bad "dev has $(commits remote.git dev) commits"

# 7. airlock-pack diff: bundle N against bundle N+1, and against N+1's spec.
blob_bytes2=$(jq '[.entries[] | select(.path | startswith("blobs/")) | .size] | add' p2.json)
blob_count2=$(jq '[.entries[] | select(.path | startswith("blobs/"))] | length' p2.json)
omitted_bytes2=$(jq '.delta.omitted | map(.size) | add' p2.json)
app1=$(image_digest s1.tar.zst org/app:1) web1=$(image_digest s1.tar.zst org/web:1) old1=$(image_digest s1.tar.zst org/old:1)
check "diff N N+1 --json" -- "$PACK" diff s1.tar.zst s2.tar.zst --json
cp out.txt diff-bb.json
diff_ok() {  # diff_ok FILE: the changes from N to N+1, and what a delta carries
  jq -e --arg a1 "$app1" --arg a2 "$app2" --arg w "$web1" --arg o "$old1" --argjson cb "$blob_bytes2" --argjson cn "$blob_count2" \
    --argjson ob "$omitted_bytes2" '
    def img($r): [.images[] | select((.name | split(":")[0]) == $r)][0];
    ([.old.name, .old.version, .old.sequence] == ["demo", "1.0.0", 1])
    and ([.new.name, .new.version, .new.sequence] == ["demo", "1.1.0", 2])
    and (.images | length) == 5
    and (img("org/app") | .change == "changed" and .oldDigest == $a1 and .newDigest == $a2
         and .newBlobs >= 1 and .newBytes >= 300000 and .newBytes < 400000)
    and (img("org/web") | .change == "unchanged" and .oldDigest == $w and .newDigest == $w
         and .newBlobs == 0 and .newBytes == 0)
    and (img("org/multi") | .change == "unchanged" and .newBlobs == 0)
    and (img("org/new") | .change == "added" and .oldDigest == null and .newBytes >= 300000)
    and (img("org/old") | .change == "removed" and .oldDigest == $o and .newDigest == null)
    and .delta.carriedBlobs == $cn and .delta.carriedBytes == $cb
    and .delta.omittedBlobs == 3 and .delta.omittedBytes == $ob' "$1"
}
check "it shows app changed, web and multi unchanged, new added, old removed; carriedBytes = N+1's blob bytes" -- \
  diff_ok diff-bb.json
check "diff N SPEC-of-N+1 --json" -- "$PACK" diff s1.tar.zst rel2/spec.yaml --json "${reg[@]}"
cp out.txt diff-bs.json
check "the same changes and bytes from the spec" -- diff_ok diff-bs.json
check "diff's text output" -- "$PACK" diff s1.tar.zst s2.tar.zst
grep -q "org/old" out.txt && grep -q "org/new" out.txt && ok "the text names removed and added images" \
  || bad "diff text: $(head -20 out.txt)"

# 6 and the auditor: the stock-tool procedure and the "sh delta" block.
check "the auditor's procedure verifies delta N+1" -- env BUNDLE=s2.tar.zst PUBKEY=k.pub bash audit.sh
check "the auditor's delta check passes N+1 against N" -- env BUNDLE=s2.tar.zst BASE=s1.tar.zst bash audit-delta.sh
grep -qF "base     $d1  sequence 1" out.txt && grep -qF "omitted  $A" out.txt \
  && ok "it lists the base and the omitted blobs" || bad "audit output: $(cat out.txt)"
grep -q "^base s1.tar.zst is ${d1}$" out.txt && ok "the base's payload sha256 is the digest N+1 names" \
  || bad "base digest line: $(grep '^base s1' out.txt)"
check "the auditor's delta check passes N+2 against N+1 and N" -- env BUNDLE=s3.tar.zst BASE="s2.tar.zst s1.tar.zst" bash audit-delta.sh
check "and N+2 against N+1 alone (what it omits, N+1 carried)" -- env BUNDLE=s3only.tar.zst BASE=s2.tar.zst bash audit-delta.sh
expect_exit 1 "" "the auditor's delta check fails N+2 without base N" -- env BUNDLE=s3.tar.zst BASE=s2.tar.zst bash audit-delta.sh
expect_exit 1 "" "the auditor's delta check fails N+1 against the other-signed N" -- \
  env BUNDLE=s2.tar.zst BASE=sx.tar.zst bash audit-delta.sh
check "the forged delta passes the signature procedure" -- env BUNDLE=forged.tar.zst PUBKEY=k.pub bash audit.sh
expect_exit 1 "" "the auditor's delta check fails the forged base digest" -- \
  env BUNDLE=forged.tar.zst BASE=s1.tar.zst bash audit-delta.sh
expect_exit 1 "" "the auditor's delta check fails a full bundle" -- env BUNDLE=s1.tar.zst BASE=s1.tar.zst bash audit-delta.sh
junk=sha256:$(printf 'no image needs this' | sha256sum | cut -d' ' -f1)
resign s2.tar.zst t-unneeded.tar.zst '.delta.omitted += [{digest: $j, size: 19, repository: "org/app"}]' --arg j "$junk"
resign s2.tar.zst t-carried.tar.zst '.delta.omitted += [{digest: $b, size: $n, repository: "org/app"}]' \
  --arg b "$B2" --argjson n "$(layer app:2 1 size)"
resign s2.tar.zst t-size.tar.zst '.delta.omitted[0].size += 1'
for t in unneeded carried size; do
  rc=0
  BUNDLE=t-$t.tar.zst PUBKEY=k.pub bash audit.sh > /dev/null 2>&1 || rc=$?
  [ "$rc" = 0 ] || bad "t-$t: the signature procedure failed, so the case tests nothing"
  rc=0
  BUNDLE=t-$t.tar.zst BASE=s1.tar.zst bash audit-delta.sh > /dev/null 2>&1 || rc=$?
  [ "$rc" -ne 0 ] && ok "the auditor's delta check fails $t" || bad "the auditor's delta check accepted $t"
done
expect_exit 3 "$junk" "verify refuses an omitted blob no image needs" -- "$IMPORT" verify t-unneeded.tar.zst --pubkey k.pub
expect_exit 3 "$B2" "verify refuses an omitted blob that is also carried" -- "$IMPORT" verify t-carried.tar.zst --pubkey k.pub
expect_exit 3 "its manifest says" "verify refuses an omitted blob of another size than its manifest gives" -- "$IMPORT" verify t-size.tar.zst --pubkey k.pub

finish
