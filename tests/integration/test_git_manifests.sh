#!/usr/bin/env bash
# manifests: {git: URL, ref: TAG-OR-COMMIT, path: DIR} from a real bare
# repository over file://, fetched with libgit2; the index records the commit.
source "$(dirname "$0")/lib.sh" "$1"

git init -q work
mkdir -p work/deploy/sub
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: "org/app:1.0"}]\n' > work/deploy/pod.yaml
printf 'a: 1\n' > work/deploy/sub/c.yml
printf 'not yaml, not bundled\n' > work/deploy/notes.txt
printf 'readme\n' > work/README
gitc() { git -C work -c user.name=test -c user.email=test@example.com "$@"; }
gitc add -A && gitc commit -qm v1 && gitc tag -a v1.0 -m "release 1.0"
v1=$(git -C work rev-parse HEAD)
printf 'b: 2\n' > work/deploy/later.yaml
gitc add -A && gitc commit -qm later
head=$(git -C work rev-parse HEAD)
git clone -q --bare work vendor.git

"$TESTKIT" layout lay v1 --layer 1:1000 > /dev/null
"$PACK" keygen --out k > /dev/null
spec() {  # spec REF [PATH] [URL]
  printf 'name: g\nversion: "1"\nsequence: 1\nmanifests:\n  - {git: "%s", ref: "%s", path: "%s"}\nimages:\n  - {source: "oci:lay:v1", name: "org/app:1.0"}\n' \
    "${3:-file://$T/vendor.git}" "$1" "${2:-deploy}" > spec.yaml
}

spec v1.0
check "pack from git at an annotated tag" -- "$PACK" create spec.yaml --key k.key -o tag.tar.zst
check "the bundle verifies" -- "$IMPORT" verify tag.tar.zst --pubkey k.pub
tar --zstd -tf tag.tar.zst > list.txt
[ "$(grep '^manifests/' list.txt | tr '\n' ' ')" = "manifests/pod.yaml manifests/sub/c.yml " ] \
  && ok "the tag's *.yaml and *.yml under deploy/, nothing else" || bad "manifests: $(grep '^manifests/' list.txt)"
check "the index records URL, ref, path and the commit the tag resolved to" -- bash -c \
  "tar --zstd -xOf tag.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e --arg c '$v1' --arg u 'file://$T/vendor.git' '.manifestSources == [{\"git\": \$u, \"ref\": \"v1.0\", \"commit\": \$c, \"path\": \"deploy\"}]'"
cmp -s <(tar --zstd -xOf tag.tar.zst manifests/pod.yaml) work/deploy/pod.yaml && ok "content is the file as committed" || bad "pod.yaml differs"

spec master
git -C work branch --show-current | grep -q main && spec main
check "pack from git at a branch" -- "$PACK" create spec.yaml --key k.key -o branch.tar.zst
tar --zstd -tf branch.tar.zst > branch-list.txt; grep -q manifests/later.yaml branch-list.txt && ok "the branch has the later file" || bad "branch content"
spec "${v1:0:12}"
check "pack from git at an abbreviated commit id" -- "$PACK" create spec.yaml --key k.key -o commit.tar.zst
check "which resolves to the full id" -- bash -o pipefail -c "tar --zstd -xOf commit.tar.zst bundle.dsse.json | jq -r .payload | base64 -d | jq -e --arg c '$v1' '.manifestSources[0].commit == \$c'"
spec v1.0 "" vendor.git
check "a local repository path relative to the spec" -- "$PACK" create spec.yaml --key k.key -o rel.tar.zst

spec v9.9
expect_exit 2 "has no tag, branch or commit \"v9.9\"" "an unknown ref" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst
spec v1.0 nope
expect_exit 2 "has no path \"nope\"" "an unknown path" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst
spec v1.0 deploy "file://$T/missing.git"
expect_exit 4 "git remote file://$T/missing.git: fetch failed" "a remote that is not there" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst
printf 'name: g\nversion: "1"\nsequence: 1\nmanifests:\n  - {git: "x", path: "y"}\n' > spec.yaml
expect_exit 2 "spec.yaml:5: a git manifests entry needs git: URL and ref:" "an entry without ref" -- "$PACK" create spec.yaml --key k.key -o out.tar.zst
if ls out.tar.zst* > /dev/null 2>&1; then bad "output left behind"; else ok "no output left behind"; fi

finish
