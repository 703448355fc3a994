#!/usr/bin/env bash
# YAML cannot exhaust memory or time, at pack or at import: alias bombs,
# deep nesting and huge files are refused naming file:line, with peak RSS
# bounded; a byte order mark is read as YAML readers read it.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

rss_below() {  # rss_below KIB DESCRIPTION -- command...: runs it, checks its peak RSS
  local limit=$1 desc=$2
  shift 3
  /usr/bin/time -f %M -o "$T/rss.txt" "$@" > "$T/out.txt" 2> "$T/err.txt" || true
  peak_rss_under "$limit" "$desc"
}

make_release
"$PACK" keygen --out k > /dev/null
spec() {  # spec DIR: a spec whose manifests are DIR
  printf 'name: demo\nversion: 1.0.0\nsequence: 1\nmanifests: [%s]\nimages:\n  - {source: "oci:layouts/app:v1", name: "org/app:1.0"}\n' "$1" > rel/y.yaml
}
no_bundle() { [ ! -e out.tar.zst ] && ok "$1: no bundle written" || bad "$1: a bundle was written"; }

# 1. A billion laughs: ten levels of ten aliases each (10^10 nodes expanded).
mkdir -p rel/bomb
{
  printf 'kind: ConfigMap\napiVersion: v1\nmetadata: {name: lol}\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n'
  prev=a
  for l in b c d e f g h i j; do
    printf '  %s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n' $l $l $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
    prev=$l
  done
} > rel/bomb/lol.yaml
spec bomb
expect_exit 2 "lol.yaml:10: the document expands to more than 1000000 nodes" "an alias bomb at pack" -- \
  timeout 20 "$PACK" create rel/y.yaml --key k.key -o out.tar.zst
no_bundle "alias bomb"
rss_below 65536 "the alias bomb at pack" -- "$PACK" images rel/y.yaml

# 2. Nesting: block mappings 150 deep, and flow sequences 100000 deep.
mkdir -p rel/deep
python3 -c "
print('kind: ConfigMap')
print('data:')
for i in range(150): print('  ' * (i + 1) + 'k%d:' % i)
print('  ' * 151 + 'leaf: x')" > rel/deep/deep.yaml
spec deep
expect_exit 2 "deep.yaml:" "a mapping nested 150 deep" -- "$PACK" create rel/y.yaml --key k.key -o out.tar.zst
grep -q "nested deeper than 100 levels" err.txt && ok "the message says nested deeper than 100" || bad "message: $(cat err.txt)"
rm rel/deep/deep.yaml
python3 -c "print('a: ' + '[' * 100000 + ']' * 100000)" > rel/deep/flow.yaml
expect_exit 2 "flow.yaml:1:" "flow sequences 100000 deep" -- "$PACK" create rel/y.yaml --key k.key -o out.tar.zst
no_bundle "deep nesting"

# 3. Size: one file over 16 MiB; files over 64 MiB in all.
mkdir -p rel/huge
python3 -c "
import sys
sys.stdout.write('kind: ConfigMap\napiVersion: v1\nmetadata: {name: big}\ndata:\n')
for i in range(48 * 1024): sys.stdout.write('  k%d: \"%s\"\n' % (i, 'x' * 1000))" > rel/huge/big.yaml
spec huge
expect_exit 2 "more than the limit of 16777216" "a 48 MiB YAML file" -- "$PACK" create rel/y.yaml --key k.key -o out.tar.zst
rss_below 65536 "the 48 MiB file at pack" -- "$PACK" create rel/y.yaml --key k.key -o out.tar.zst
rm rel/huge/big.yaml
for i in 1 2 3 4 5; do
  python3 -c "
import sys
sys.stdout.write('kind: ConfigMap\napiVersion: v1\nmetadata: {name: c$i}\ndata:\n')
for i in range(15 * 1024): sys.stdout.write('  k%d: \"%s\"\n' % (i, 'x' * 1000))" > "rel/huge/c$i.yaml"
done
expect_exit 2 "the most an importer holds" "75 MiB of YAML in five files" -- \
  "$PACK" create rel/y.yaml --key k.key -o out.tar.zst
no_bundle "too much YAML"

# 4. A UTF-8 byte order mark is skipped, as YAML readers do.
mkdir -p rel/bom
printf '\xef\xbb\xbfapiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: org/app:1.0}]\n' > rel/bom/pod.yaml
spec bom
check "YAML that starts with a byte order mark packs" -- "$PACK" create rel/y.yaml --key k.key -o bom.tar.zst
check "and its image is found" -- bash -c "'$PACK' images rel/y.yaml --json | jq -e '.images[0].foundAt | length == 2'"

# 5. Import: a signed bundle whose YAML is an alias bomb or too large.
make_ca
start_registry site
write_auth_file site-auth.json "$site_HOST"
git init -q --bare remote.git
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
"$TESTKIT" mutate bom.tar.zst bomb.tar.zst yaml-bomb --key k.key
expect_exit 2 "manifests/pod.yaml:" "import refuses a signed alias bomb" -- \
  "$IMPORT" import bomb.tar.zst --pubkey k.pub --registry "$site_HOST" --auth-file site-auth.json \
  --ca-file "$T/ca/ca.pem" --git "file://$T/remote.git"
grep -q "expands to more than 1000000 nodes" err.txt && ok "it names the expansion limit" || bad "message: $(cat err.txt)"
[ -z "$(find "$T/reg-site/data" -type f 2> /dev/null)" ] && ok "nothing reached the registry" \
  || bad "the registry holds: $(find "$T/reg-site/data" -type f | head -3)"
[ -z "$(git --git-dir=remote.git branch)" ] && ok "no commit" || bad "a branch was made"
rss_below 65536 "import of the alias bomb" -- "$IMPORT" import bomb.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --auth-file site-auth.json --ca-file "$T/ca/ca.pem" --git "file://$T/remote.git"
"$TESTKIT" mutate bom.tar.zst huge.tar.zst yaml-huge --key k.key
expect_exit 3 "more than the 16777216 a YAML file may hold" "verify refuses an index listing a 20 MiB YAML file" -- \
  "$IMPORT" verify huge.tar.zst --pubkey k.pub
rss_below 65536 "verify of that bundle" -- "$IMPORT" verify huge.tar.zst --pubkey k.pub

finish
