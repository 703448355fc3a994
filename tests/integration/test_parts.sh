#!/usr/bin/env bash
# Parts with parity (airlock-pack split, create --part-size; airlock-import
# verify/inspect/import/join from parts) against real registries and real
# git remotes: a bundle split into 2 groups with 2 parity parts each; any 2
# parts of each group deleted (or damaged, or cut short) and the import equals
# the import of the whole bundle (tags, digests, commit tree); one part more
# lost and nothing is visible; parts of two sets in one directory told apart;
# join byte-identical; create --part-size imports as create then split; bad
# inputs; and the auditor's stock-tool check of every chunk (the "sh parts"
# block of docs/DIODE.md, run verbatim).
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

site_git_env

sed -n '/^```sh parts$/,/^```$/p' "$ROOT/docs/DIODE.md" | sed '1d;$d' > audit-parts.sh
[ -s audit-parts.sh ] && ok "docs/DIODE.md has an \"sh parts\" block" || bad "no \"sh parts\" block in docs/DIODE.md"

make_ca
start_registry a   # the whole bundle
start_registry b   # its parts, damaged
start_registry c   # create --part-size
start_registry d   # create, then split
cred=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
jq -n --arg c "$cred" --arg a "$a_HOST" --arg b "$b_HOST" --arg cc "$c_HOST" --arg d "$d_HOST" \
  '{auths: {($a): {auth: $c}, ($b): {auth: $c}, ($cc): {auth: $c}, ($d): {auth: $c}}}' > auth.json
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")
sk=(--creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d")
"$PACK" keygen --out k > /dev/null

# A release of about 3.5 MB of random layers (they do not compress): two
# images sharing a base layer, and a multi-platform one.
mkdir -p rel/k8s
"$TESTKIT" layout rel/lay app1 --layer 1:1500000 --layer 2:600000 > /dev/null
"$TESTKIT" layout rel/lay web1 --layer 1:1500000 --layer 3:900000 > /dev/null
"$TESTKIT" layout rel/lay multi1 --platform linux/amd64 --platform linux/arm64 --layer 4:250000 > /dev/null
cat > rel/k8s/deploy.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo}
spec:
  template:
    spec:
      containers:
        - {name: app, image: "org/app:1"}
        - {name: web, image: "org/web:1"}
        - {name: multi, image: "org/multi:1"}
YAML
spec() {  # spec VERSION SEQUENCE > FILE
  printf 'name: demo\nversion: "%s"\nsequence: %s\nmanifests: [k8s]\nimages:\n' "$1" "$2"
  printf '  - {source: "oci:lay:app1", name: "org/app:1"}\n  - {source: "oci:lay:web1", name: "org/web:1"}\n'
  printf '  - {source: "oci:lay:multi1", name: "org/multi:1"}\n'
}
spec 1.0.0 1 > rel/spec.yaml
spec 1.1.0 2 > rel/spec2.yaml

bdigest() { "$IMPORT" inspect "$1" --json | jq -r .bundleDigest; }
# flip FILE OFFSET: flips the lowest bit of the byte at OFFSET, in place.
flip() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
CHUNK=262144 HEADER=4096 ROW=$((262144 + 32))
# fresh DIR: a copy of the whole set; part DIR NAME: the file of part NAME (g000.d01, g001.p00) there.
fresh() { rm -rf "$1"; cp -r parts "$1"; }
part() {  # short names: g000.d01 is the file's .g00000.d001
  local g=${2%%.*} k=${2#*.}
  printf '%s/%s.g%05d.%s%03d.part\n' "$1" "$P" "$((10#${g#g}))" "${k:0:1}" "$((10#${k:1}))"
}
# imp INPUT HOST PREFIX REMOTE [flags]: import INPUT (a bundle, a directory, part files) into HOST and $T/REMOTE.
imp() {
  local in=$1 host=$2 pre=$3 remote=$4
  shift 4
  [ -d "$T/$remote" ] || git init -q --bare "$T/$remote"
  # shellcheck disable=SC2086
  "$IMPORT" import $in --pubkey k.pub --registry "$host" --prefix "$pre" "${reg[@]}" --git "file://$T/$remote" \
    --branch dev "$@"
}
# tree_text REMOTE HOST [PATH]: the tip of dev as text: its commit message and every file (or
# only the files under PATH, without the message, which names the bundle), with what two
# imports of one bundle may differ in replaced: the registry host, the remote's URL and the
# receipt's import time.
tree_text() {
  local dir=$T/tree-$1-${3:-all}
  rm -rf "$dir"
  mkdir -p "$dir"
  git --git-dir="$T/$1" archive dev ${3:+"$3"} | tar -x -C "$dir"
  {
    [ -n "${3:-}" ] || git --git-dir="$T/$1" log -1 --format=%B dev
    (cd "$dir" && find . -type f | sort | while read -r f; do printf '== %s\n' "$f"; cat "$f"; done)
  } | sed -e "s/$2/REGISTRY/g" -e "s|file://$T/$1|REMOTE|g" -e 's/"imported": "[^"]*"/"imported": TIME/'
}
# same_import DESC HOST1 REMOTE1 HOST2 REMOTE2 [PATH]: the same tags and digests of every image
# of s1.tar.zst (in the bundle's names, under prefix site/) in both registries, and the same commit tree.
same_import() {
  local desc=$1 h1=$2 r1=$3 h2=$4 r2=$5 path=${6:-} name digest d1 d2 t1 t2 diffs=""
  while read -r name digest; do
    t1=$(tags "$h1" "site/${name%:*}" | sort) t2=$(tags "$h2" "site/${name%:*}" | sort)
    d1=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$h1/site/$name" | sha256sum | cut -d' ' -f1)
    d2=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$h2/site/$name" | sha256sum | cut -d' ' -f1)
    [ "$t1" = "$t2" ] && [ -n "$t1" ] || diffs+=" $name: tags [$t1] and [$t2];"
    [ "$d1" = "$digest" ] && [ "$d2" = "$digest" ] || diffs+=" $name: digests $d1 and $d2, the bundle's $digest;"
  done < images.txt
  if [ -z "$diffs" ]; then ok "$desc: the same tags, each at the bundle's digest"; else bad "$desc:$diffs"; fi
  tree_text "$r1" "$h1" "$path" > tree1.txt
  tree_text "$r2" "$h2" "$path" > tree2.txt
  if [ -s tree1.txt ] && cmp -s tree1.txt tree2.txt; then
    local what="commit message and tree"
    [ -z "$path" ] || what="tree under $path/"
    ok "$desc: the same $what ($(grep -c '^== ' tree1.txt) files; registry host, remote URL and import time aside)"
  else
    bad "$desc: the commit trees differ: $(diff tree1.txt tree2.txt | head -c 600)"
  fi
}

# 1. The bundle, split into exactly 2 groups of 4 data and 2 parity parts:
# 600KB holds a header and 2 chunks (528448 bytes), so a group holds 2 MiB.
check "pack the release (sequence 1)" -- "$PACK" create rel/spec.yaml --key k.key -o s1.tar.zst
D1=$(bdigest s1.tar.zst)
"$IMPORT" inspect s1.tar.zst --json | jq -r '.images[] | "\(.name) \(.digest)"' > images.txt
size1=$(stat -c %s s1.tar.zst)
check "split it: --part-size 600KB --parity 2 --data-parts 4" -- \
  "$PACK" split s1.tar.zst --part-size 600KB --parity 2 --data-parts 4 -o parts --json
cp out.txt split.json
check "split --json: 2 groups of 4 + 2 parts, 12 part files, the bundle's digest and size" -- jq -e \
  --arg d "$D1" --argjson s "$size1" '.groups == 2 and .dataParts == 4 and .parityParts == 2
    and (.parts | length) == 12 and .bundleDigest == $d and .bundleSize == $s' split.json
P=demo-1.0.0-s1.${D1:7:12}
[ "$(ls parts)" = "$(for g in 00000 00001; do for p in d000 d001 d002 d003 p000 p001; do echo "$P.g$g.$p.part"; done; done)" ] \
  && ok "the parts are named <release>-<version>-s<seq>.<digest>.g<GGGGG>.d<NNN>|p<NNN>.part, in order" \
  || bad "part names: $(ls parts)"
[ -z "$(find parts -name '.*' -type f)" ] && ok "no temporary file is left" || bad "left in parts/: $(ls -A parts)"
sizes=$(stat -c %s parts/*.g00000.* | sort -u)
[ "$sizes" = $((HEADER + 2 * ROW)) ] && ok "group 0's parts are a header and 2 records each ($sizes bytes)" \
  || bad "group 0 part sizes: $sizes"
check "every part header: the magic, the JSON, its sha256" -- bash -c '
  for f in parts/*.part; do
    [ "$(head -n 1 "$f")" = "airlock-part 1" ] || exit 1
    json=$(head -c 4096 "$f" | sed -n 2p)
    [ "$(head -c 4096 "$f" | sed -n 3p)" = "sha256 $(printf %s "$json" | sha256sum | cut -d" " -f1)" ] || exit 1
  done'
head -c "$HEADER" "$(part parts g001.p01)" | sed -n 2p > h.json
check "a header says what its part is" -- jq -e --arg d "$D1" --argjson s "$size1" '
  .bundleDigest == $d and .bundleSize == $s and .groups == 2 and .group == 1 and .dataParts == 4
  and .parityParts == 2 and .part == 5 and .chunkSize == 262144 and .groupOffset == 2097152
  and .groupSize == $s - 2097152 and .release == {name: "demo", version: "1.0.0", sequence: 1}
  and (.set | test("^[0-9a-f]{32}$"))' h.json
rows1=$(jq .rows h.json)
check "join of the whole set" -- "$IMPORT" join parts -o j.tar.zst
cmp -s j.tar.zst s1.tar.zst && ok "join writes the bundle back byte for byte" || bad "join differs from the bundle"
check "inspect reads the parts" -- "$IMPORT" inspect parts --json
check "inspect --json: the bundle digest, and every part present" -- jq -e --arg d "$D1" '.bundleDigest == $d
  and (.parts.groups | length) == 2 and all(.parts.groups[]; (.present | length) == 6 and .decodable)' out.txt
check "verify of the whole set" -- "$IMPORT" verify parts --pubkey k.pub --json
check "nothing decoded from parity when every part is whole" -- jq -e '.verified and .parts.decodedChunks == 0' out.txt

# 2. The whole bundle imported into registry a and a.git.
check "import the whole bundle into registry a" -- imp s1.tar.zst "$a_HOST" site a.git

# 3. Any 2 parts of each group deleted, in several choices. The first into
# registry b and b.git, compared with the import of the whole bundle.
fresh x1
rm "$(part x1 g000.d00)" "$(part x1 g000.d03)" "$(part x1 g001.d01)" "$(part x1 g001.p00)"
check "verify with two data parts of group 0 and a data and a parity part of group 1 deleted" -- \
  "$IMPORT" verify x1 --pubkey k.pub --json
cp out.txt v1.json
check "it reports per group what is present, missing, and decodable" -- jq -e '.verified
  and .parts.groups[0].present == ["d01", "d02", "p00", "p01"] and .parts.groups[0].missing == ["d00", "d03"]
  and .parts.groups[1].present == ["d00", "d02", "d03", "p01"] and .parts.groups[1].missing == ["d01", "p00"]
  and all(.parts.groups[]; .damaged == [] and .decodable and .dataParts == 4 and .parityParts == 2)
  and .parts.decodedChunks > 0' v1.json
check "verify's text names the missing parts" -- "$IMPORT" verify x1 --pubkey k.pub
grep -q "group 0: 4 of 6 whole (4 needed), missing d00 d03, decodable" out.txt \
  && grep -q "chunks decoded from parity" out.txt && ok "the text says so per group" || bad "verify text: $(cat out.txt)"
check "import those parts into registry b" -- imp x1 "$b_HOST" site b.git --json
check "the import decoded from parity" -- jq -e '.parts.decodedChunks > 0 and .git.commit != null' out.txt
same_import "parts with 2 deleted per group against the whole bundle" "$a_HOST" a.git "$b_HOST" b.git
git clone -q -b dev "$T/b.git" wt-b
if kubectl kustomize wt-b/demo > wt-b.yaml 2> wt-b.err; then
  got=$(grep -oE 'image: *["'"'"']?[^ "'"'"']+' wt-b.yaml | sed -E 's/image: *["'"'"']?//' | sort || true)
  want=$(while read -r name digest; do echo "$b_HOST/site/$name@$digest"; done < images.txt | sort)
  [ "$got" = "$want" ] && ok "kubectl kustomize of b.git's demo/ runs every image from registry b by digest" \
    || bad "kustomize images: $got; want $want"
else
  bad "kubectl kustomize wt-b/demo: $(head -c 400 wt-b.err)"
fi
check "join of those parts" -- "$IMPORT" join x1 -o j1.tar.zst
cmp -s j1.tar.zst s1.tar.zst && ok "join after deletions is byte-identical" || bad "join after deletions differs"

# Other choices: two parity parts; a parity and a data part; the two last data parts.
for choice in "g000.p00 g000.p01 g001.d00 g001.p01" "g000.d02 g000.p01 g001.d02 g001.d03" \
  "g000.d01 g000.p00 g001.p00 g001.p01"; do
  fresh xc
  for n in $choice; do rm "$(part xc "$n")"; done
  rc=0
  "$IMPORT" verify xc --pubkey k.pub --json > vc.json 2> err.txt || rc=$?
  if [ "$rc" = 0 ] && jq -e 'all(.parts.groups[]; .decodable and (.missing | length) == 2)' vc.json > /dev/null; then
    ok "verify with $choice deleted"
  else
    bad "verify with $choice deleted: exit $rc: $(head -c 400 err.txt)"
  fi
  rc=0
  "$IMPORT" join xc -o jc.tar.zst > /dev/null 2> err.txt || rc=$?
  [ "$rc" = 0 ] && cmp -s jc.tar.zst s1.tar.zst && ok "join with $choice deleted is byte-identical" \
    || bad "join with $choice deleted: exit $rc $(head -c 300 err.txt)"
  rm -f jc.tar.zst
done

# 2 lost in each stripe, one of them deleted and the other a part that is
# there with a flipped byte in that stripe's chunk (or in the chunk's stored
# sha256): a damaged part is an erasure only where it is damaged. Group 0:
# d00 deleted, d02 damaged in row 0 and p01 in row 1; group 1: p00 deleted,
# d02 damaged in row 0.
fresh x2
rm "$(part x2 g000.d00)" "$(part x2 g001.p00)"
flip "$(part x2 g000.d02)" $((HEADER + CHUNK + 5))       # group 0, row 0, inside the stored sha256
flip "$(part x2 g000.p01)" $((HEADER + ROW + 1000))      # group 0, row 1, inside the chunk
flip "$(part x2 g001.d02)" $((HEADER + 77777))           # group 1, row 0, inside the chunk
check "verify with a part of each group deleted and bytes of 3 more flipped" -- "$IMPORT" verify x2 --pubkey k.pub --json
check "the flipped chunks do not make the headers' status worse; chunks were decoded" -- jq -e '.verified
  and all(.parts.groups[]; .decodable and (.missing | length) == 1) and .parts.decodedChunks >= 3' out.txt
check "import them into registry b and b2.git" -- imp x2 "$b_HOST" site b2.git
same_import "parts with deletions and flipped chunks against the whole bundle" "$a_HOST" a.git "$b_HOST" b2.git
check "join of those parts" -- "$IMPORT" join x2 -o j2.tar.zst
cmp -s j2.tar.zst s1.tar.zst && ok "join with flipped chunks is byte-identical" || bad "join with flipped chunks differs"

# 4. K+1 parts of one group lost: exit 3 naming the group and the missing
# parts, before any effect.
fresh x3
rm "$(part x3 g001.d00)" "$(part x3 g001.d02)" "$(part x3 g001.p01)"
puts=$(manifest_puts b)
expect_exit 3 "missing: d00, d02, p01" "verify with 3 parts of group 1 deleted: exit 3 naming them" -- \
  "$IMPORT" verify x3 --pubkey k.pub
grep -q "group 1:" err.txt && ! grep -q "group 0:" err.txt && ok "the message names group 1 (and not group 0)" \
  || bad "message: $(cat err.txt)"
expect_exit 3 "missing: d00, d02, p01" "inspect of those parts: exit 3 naming them" -- "$IMPORT" inspect x3 --json
expect_exit 3 "missing: d00, d02, p01" "import of those parts: exit 3 naming them" -- imp x3 "$b_HOST" lost lost.git
grep -q "group 1:" err.txt && ok "the import's message names group 1" || bad "message: $(cat err.txt)"
! grep -q '/v2/lost/' "$T/reg-b/log" && ok "the registry was not even asked about lost/" \
  || bad "requests under lost/: $(grep '/v2/lost/' "$T/reg-b/log" | head -c 300)"
leaked=""
while read -r name digest; do
  leaked+=$(tags "$b_HOST" "lost/${name%:*}")
  [ "$(status "$b_HOST" "lost/${name%:*}" manifests "$digest")" = 404 ] || leaked+=" manifest $name"
done < images.txt
[ -z "$leaked" ] && ok "no tag and no manifest under lost/" || bad "visible under lost/: $leaked"
[ "$(manifest_puts b)" = "$puts" ] && ok "no manifest was pushed" || bad "manifests were pushed"
[ -z "$(git ls-remote "file://$T/lost.git")" ] && ok "lost.git has no branch" || bad "lost.git: $(git ls-remote "file://$T/lost.git")"
expect_exit 3 "group 1" "join of those parts: exit 3" -- "$IMPORT" join x3 -o j3.tar.zst
[ ! -e j3.tar.zst ] && ok "join wrote nothing" || bad "join left j3.tar.zst"

# Two parts gone and a chunk of a third part of the same group flipped: the
# headers say decodable, the stripe does not decode; found while streaming,
# still before any effect.
fresh x4
rm "$(part x4 g000.d01)" "$(part x4 g000.p00)"
flip "$(part x4 g000.d03)" $((HEADER + ROW + 4242))   # row 1: inside a layer, well after the envelope
expect_exit 3 "group 0, chunk 1" "import with 2 parts of group 0 gone and a chunk of a third flipped: exit 3" -- \
  imp x4 "$b_HOST" torn torn.git
leaked=""
while read -r name digest; do
  leaked+=$(tags "$b_HOST" "torn/${name%:*}")
  [ "$(status "$b_HOST" "torn/${name%:*}" manifests "$digest")" = 404 ] || leaked+=" manifest $name"
done < images.txt
[ -z "$leaked" ] && [ "$(manifest_puts b)" = "$puts" ] && [ -z "$(git ls-remote "file://$T/torn.git")" ] \
  && ok "no tag, no manifest, no branch" || bad "visible after the torn import: $leaked"

# 5. A damaged header makes its part a missing one.
fresh x5
flip "$(part x5 g000.d01)" 40   # inside the header's JSON line
rm "$(part x5 g000.p01)"
check "verify with a header damaged and a part deleted in group 0" -- "$IMPORT" verify x5 --pubkey k.pub --json
check "the part with the damaged header counts as missing" -- jq -e '.parts.groups[0].missing == ["d01", "p01"]
  and .parts.groups[0].decodable and .parts.decodedChunks > 0' out.txt
rm "$(part x5 g000.d02)"
expect_exit 3 "missing: d01, d02, p01" "and with one more deleted: exit 3 naming it among the missing" -- \
  "$IMPORT" verify x5 --pubkey k.pub

# 6. A part cut short is damaged from its cut, and still decodes when few
# enough are lost.
fresh x6
truncate -s -1000 "$(part x6 g000.p00)"   # its last record cut
rm "$(part x6 g000.d00)"
check "verify with a part of group 0 cut short and another deleted" -- "$IMPORT" verify x6 --pubkey k.pub --json
check "the cut part is reported damaged, cut at its second chunk" -- jq -e '
  .parts.groups[0].damaged[0].part == "p00" and (.parts.groups[0].damaged[0].why | test("cut short at chunk 1 of 2"))
  and .parts.groups[0].missing == ["d00"] and .parts.groups[0].decodable and .parts.decodedChunks > 0' out.txt
check "join of those parts" -- "$IMPORT" join x6 -o j6.tar.zst
cmp -s j6.tar.zst s1.tar.zst && ok "join with a part cut short is byte-identical" || bad "join with a cut part differs"
rm "$(part x6 g000.d01)"   # row 1 now has d02, d03, p01: 3 of 4
expect_exit 3 "group 0" "with a second part of group 0 deleted: exit 3" -- "$IMPORT" verify x6 --pubkey k.pub
grep -q "cut short" err.txt && ok "the message names the cut part" || bad "message: $(cat err.txt)"

# 7. Two sets in one directory: another bundle, and another split of this one.
check "pack sequence 2" -- "$PACK" create rel/spec2.yaml --key k.key -o s2.tar.zst
D2=$(bdigest s2.tar.zst)
check "split it" -- "$PACK" split s2.tar.zst --part-size 600KB --parity 2 --data-parts 4 -o parts2
check "create --base takes the base's parts directory" -- "$PACK" create rel/spec2.yaml --key k.key --base parts \
  -o delta2 --part-size 600KB --parity 2
check "the parts are of a delta of the first bundle" -- bash -o pipefail -c \
  "'$IMPORT' inspect delta2 --json | jq -e '.delta.bases[0].bundleDigest == \"$D1\" and .delta.omittedBlobs > 0'"
mkdir mix
cp parts/* parts2/* mix/
expect_exit 2 "2 sets" "verify of a directory with parts of two bundles: exit 2" -- "$IMPORT" verify mix --pubkey k.pub
grep -qF "$D1" err.txt && grep -qF "$D2" err.txt && ok "the message names both sets' bundles" || bad "message: $(cat err.txt)"
expect_exit 2 "2 sets" "import of it: exit 2" -- imp mix "$b_HOST" mix mix.git
expect_exit 2 "2 sets" "join of it: exit 2" -- "$IMPORT" join mix -o jm.tar.zst
check "verify of the second set's files, given explicitly" -- "$IMPORT" verify mix/demo-1.1.0-s2.* --pubkey k.pub --json
check "is the second bundle" -- jq -e --arg d "$D2" '.bundleDigest == $d and .release.sequence == 2' out.txt
check "join of the first set's files, given explicitly" -- "$IMPORT" join mix/demo-1.0.0-s1.* -o jm1.tar.zst
cmp -s jm1.tar.zst s1.tar.zst && ok "it is the first bundle, byte for byte" || bad "join of explicit files differs"
check "split the first bundle again" -- "$PACK" split s1.tar.zst --part-size 600KB --parity 2 --data-parts 4 -o again
[ "$(ls again)" = "$(ls parts)" ] && ok "a second split has the same names" || bad "names: $(ls again)"
mkdir twice
cp parts/*.g00000.* twice/
for f in again/*.g00001.*; do cp "$f" "twice/${f#again/}"; done
expect_exit 2 "2 sets" "two splits of one bundle, mixed: exit 2 (each split has its own set id)" -- \
  "$IMPORT" verify twice --pubkey k.pub

# 8. create --part-size imports as create then split: registry c from parts
# written while packing (two of each group deleted), registry d from create
# then split.
check "create --part-size 600KB --parity 2 --data-parts 4" -- "$PACK" create rel/spec.yaml --key k.key -o cp \
  --part-size 600KB --parity 2 --data-parts 4 --json
check "its report lists 12 parts" -- jq -e '(.parts | length) == 12' out.txt
DC=$(head -c "$HEADER" "$(ls cp/*.g00000.d000.part)" | sed -n 2p | jq -r .bundleDigest)
[ -z "$(find cp -type f ! -name '*.part')" ] && ok "only parts in the directory" || bad "in cp/: $(ls -A cp)"
check "create -o, then split" -- "$PACK" create rel/spec.yaml --key k.key -o s1b.tar.zst
check "split it" -- "$PACK" split s1b.tar.zst --part-size 600KB --parity 2 --data-parts 4 -o sp
check "the parts written while packing verify" -- "$IMPORT" verify cp --pubkey k.pub --json
check "they are the bundle their headers name" -- jq -e --arg d "$DC" '.bundleDigest == $d' out.txt
check "join of the parts written while packing" -- "$IMPORT" join cp -o jcp.tar.zst
check "the auditor's check (section 10) passes the parts written while packing" -- env PARTS="cp/*.part" bash audit-parts.sh
check "the joined file verifies as a bundle" -- "$IMPORT" verify jcp.tar.zst --pubkey k.pub
rm "$(ls cp/*.g00000.d001.part)" "$(ls cp/*.g00000.p000.part)" "$(ls cp/*.g00001.d003.part)" "$(ls cp/*.g00001.d000.part)"
check "import create --part-size's parts (2 of each group deleted) into registry c" -- imp cp "$c_HOST" site c.git
check "import create-then-split's parts into registry d" -- imp sp "$d_HOST" site d.git
same_import "create --part-size against create then split" "$c_HOST" c.git "$d_HOST" d.git demo
same_import "create --part-size against the first bundle" "$a_HOST" a.git "$c_HOST" c.git demo

# 9. Bad inputs.
expect_exit 2 "less than the smallest part" "--part-size 100KB: exit 2" -- \
  "$PACK" split s1.tar.zst --part-size 100KB --parity 2 -o bad1
expect_exit 2 "12XB" "--part-size 12XB (no such unit): exit 2" -- "$PACK" split s1.tar.zst --part-size 12XB --parity 2 -o bad2
expect_exit 2 "--part-size" "create --parity without --part-size: exit 2" -- \
  "$PACK" create rel/spec.yaml --key k.key -o bad3 --parity 2
expect_exit 2 "--part-size" "split without --part-size: exit 2" -- "$PACK" split s1.tar.zst --parity 2 -o bad4
expect_exit 2 "at most 255" "--data-parts 250 --parity 10: exit 2" -- \
  "$PACK" split s1.tar.zst --part-size 600KB --data-parts 250 --parity 10 -o bad5
[ -z "$(ls -d bad* 2> /dev/null)" ] && ok "the refused splits and creates wrote nothing" || bad "left: $(ls -d bad*)"
mkdir empty
expect_exit 2 "no bundle parts" "verify of a directory with no parts: exit 2" -- "$IMPORT" verify empty --pubkey k.pub
expect_exit 2 "no bundle parts" "import of a directory with no parts: exit 2" -- imp empty "$b_HOST" empty empty.git
expect_exit 2 "no bundle parts" "join of a directory with no parts: exit 2" -- "$IMPORT" join empty -o je.tar.zst

# 10. The auditor checks every chunk with stock tools: the "sh parts" block.
check "the auditor's check passes the whole set" -- env PARTS="parts/*.part" bash audit-parts.sh
[ "$(grep -c '^OK .* chunk ' out.txt)" = $((6 * rows1 + 6 * $(head -c "$HEADER" "$(part parts g001.d00)" | sed -n 2p | jq .rows))) ] \
  && ok "it checked every chunk of every part" || bad "audit output: $(head -c 600 out.txt)"
check "and the parts of another split" -- env PARTS="sp/*.part" bash audit-parts.sh
fresh ya
flip "$(part ya g001.d01)" $((HEADER + 12345))
expect_exit 1 "" "the auditor's check fails a part with a flipped chunk byte" -- env PARTS="ya/*.part" bash audit-parts.sh
grep -q "^BAD ya/$P.g00001.d001.part chunk 0" out.txt && [ "$(grep -c '^BAD' out.txt)" = 1 ] \
  && ok "it names that part and chunk, and only it" || bad "audit output: $(grep -v '^OK' out.txt)"
fresh yb
flip "$(part yb g000.p01)" 60
expect_exit 1 "" "the auditor's check fails a part with a flipped header byte" -- env PARTS="yb/*.part" bash audit-parts.sh
grep -q "^BAD yb/$P.g00000.p001.part" out.txt && ok "it names that part" || bad "audit output: $(grep -v '^OK' out.txt)"
fresh yc
truncate -s -1000 "$(part yc g000.d03)"
expect_exit 1 "" "the auditor's check fails a part cut short" -- env PARTS="yc/*.part" bash audit-parts.sh

# Headers that lie about the bundle they hold (a sound header sha256, the
# wrong sequence): refused once the envelope has decoded, exit 3.
fresh lie
for f in lie/*.part; do
  python3 - "$f" <<'PY'
import hashlib, json, sys
path = sys.argv[1]
with open(path, 'r+b') as f:
    block = f.read(4096)
    magic, line, rest = block.split(b'\n', 2)
    j = json.loads(line)
    j['release']['sequence'] = 7
    line = json.dumps(j, separators=(',', ':'), sort_keys=True).encode()
    out = magic + b'\n' + line + b'\n' + b'sha256 ' + hashlib.sha256(line).hexdigest().encode() + b'\n'
    f.seek(0)
    f.write(out.ljust(4096, b'\n'))
PY
done
expect_exit 3 "the parts' headers say bundle" "parts whose headers name another sequence than the bundle's" -- \
  "$IMPORT" verify lie --pubkey k.pub
# Two copies of a part, one cut short: the whole one is used, whichever comes first.
fresh dup1
mkdir -p dup2
cp "$(part dup1 g000.d00)" dup2/
truncate -s 5000 "$(part dup1 g000.d00)"
rm "$(part dup1 g000.d01)" "$(part dup1 g000.p00)"
check "a cut copy and a whole copy of one part: the whole one counts" -- "$IMPORT" verify dup1 dup2 --pubkey k.pub
check "in either order" -- "$IMPORT" verify dup2 dup1 --pubkey k.pub

finish
