#!/usr/bin/env bash
# manifests: {git: URL, ref: TAG-OR-COMMIT, path: DIR} from real bare
# repositories, fetched with libgit2; the index records the commit. Over
# file://, then a private repository over https:// (git http-backend behind
# TLS and basic auth) and over ssh:// (OpenSSH's sshd on loopback), with the
# credentials never printed.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"
source "$ROOT/tests/integration/git_servers.sh"
export HOME=$T GIT_CONFIG_NOSYSTEM=1
unset AIRLOCK_GIT_USERNAME AIRLOCK_GIT_PASSWORD AIRLOCK_GIT_TOKEN SSH_AUTH_SOCK SSH_AGENT_PID

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

# ---- A private repository over https:// ------------------------------------
PW=vendor-pw-7e1f TOK=vendor-tok-93ab
# History the release does not need: a 3 MB branch, and a commit that no
# ref points at (mid, under main's tip).
gitc checkout -q -b big && head -c 3000000 /dev/urandom > work/big.bin && gitc add big.bin && gitc commit -qm big
gitc checkout -q - && gitc commit -q --allow-empty -m mid && mid=$(git -C work rev-parse HEAD)
gitc commit -q --allow-empty -m tip
mkdir -p https-root && git clone -q --bare work https-root/vendor.git
make_ca
start_git_https "$T/https-root" "alice:$PW" "x-access-token:$TOK"
HOSTPORT=localhost:$GIT_HTTPS_PORT
HURL=https://$HOSTPORT/vendor.git
PURL=https://alice:$PW@$HOSTPORT/vendor.git  # the password in the URL
SHOWN=https://alice:***@$HOSTPORT/vendor.git
ca=(--git-ca-file "$T/ca/ca.pem")
: > seen.txt  # every stdout and stderr below, searched for the secrets at the end
seen() { cat out.txt err.txt >> seen.txt; }
no_bundle() {  # no_bundle FILE DESCRIPTION
  if ls "$1"* > /dev/null 2>&1; then bad "$2: $1 was written"; else ok "$2: no bundle written"; fi
}
index_of() { tar --zstd -xOf "$1" bundle.dsse.json | jq -r .payload | base64 -d; }
# holds DESCRIPTION FILE [JQ-ARGS...] FILTER: FILE holds a JSON document for which FILTER is true
# (plain `jq -e` passes on an empty file).
holds() {
  local desc=$1 file=$2
  shift 2
  check "$desc" -- jq -n -e "${@:1:$#-1}" "input | (${*: -1})" "$file"
}
wants() { grep -c 'upload-pack< want ' https.trace || true; }
fresh_logs() { : > https.log; : > https.trace; }

spec v1.0 deploy "$HURL"
expect_exit 4 "asks for credentials" "https without credentials: exit 4" -- \
  "$PACK" create spec.yaml --key k.key -o h0.tar.zst "${ca[@]}"
seen; grep -qF "spec.yaml:5: git remote $HURL: fetch failed" err.txt && grep -qF -- --git-credentials err.txt \
  && ok "the message names spec:line and the URL, and how to give credentials" || bad "message: $(cat err.txt)"
no_bundle h0.tar.zst "https without credentials"

spec v1.0 deploy "$PURL"
expect_exit 4 "pass --git-ca-file" "https with a CA the system does not trust: exit 4" -- \
  "$PACK" create spec.yaml --key k.key -o h0.tar.zst
seen; grep -qF "git remote $SHOWN: fetch failed" err.txt && ok "the message names the URL redacted" \
  || bad "message: $(cat err.txt)"
no_bundle h0.tar.zst "an untrusted certificate"

spec v1.0 deploy "$HURL"
expect_exit 4 "the credentials were refused: \$AIRLOCK_GIT_USERNAME/\$AIRLOCK_GIT_PASSWORD (user alice)" \
  "a wrong password: exit 4 naming where it came from" -- \
  env AIRLOCK_GIT_USERNAME=alice AIRLOCK_GIT_PASSWORD=wrong-pw-5c "$PACK" create spec.yaml --key k.key -o h0.tar.zst \
  "${ca[@]}"
seen; grep -qF wrong-pw-5c err.txt && bad "the wrong password was printed" || ok "the wrong password is not printed"
no_bundle h0.tar.zst "a wrong password"

fresh_logs
check "pack from https:// with user and password from the environment and --git-ca-file" -- \
  env AIRLOCK_GIT_USERNAME=alice "AIRLOCK_GIT_PASSWORD=$PW" "$PACK" create spec.yaml --key k.key -o h1.tar.zst \
  "${ca[@]}"
seen
check "the bundle verifies" -- "$IMPORT" verify h1.tar.zst --pubkey k.pub
index_of h1.tar.zst > h1.json || true
holds "the index records the https URL and the tag's commit" h1.json --arg c "$v1" --arg u "$HURL" \
  '.manifestSources == [{"git": $u, "ref": "v1.0", "commit": $c, "path": "deploy"}]'
[ "$(tar --zstd -tf h1.tar.zst | grep '^manifests/' | tr '\n' ' ')" = "manifests/pod.yaml manifests/sub/c.yml " ] \
  && ok "the tag's files, as over file://" || bad "manifests: $(tar --zstd -tf h1.tar.zst | grep '^manifests/')"
[ "$(wants)" = 1 ] && grep -q "upload-pack< want $(git -C work rev-parse v1.0) " https.trace \
  && ok "the fetch asked for the tag alone" || bad "wants: $(grep 'upload-pack< want' https.trace)"
pack_bytes=$(awk '$2 ~ /git-upload-pack$/ {n += $5} END {print n + 0}' https.log)
[ "$pack_bytes" -lt 100000 ] && ok "and received $pack_bytes bytes, not the 3 MB branch" \
  || bad "the fetch of one tag received $pack_bytes bytes"
! grep -q " 401 " https.log && ok "the credential went with every request" || bad "https log: $(cat https.log)"

printf 'https://alice:not-this-one@%s\nhttps://alice:%s@%s/vendor.git\nhttps://bob:nor-this@%s/other.git\n' \
  "$HOSTPORT" "$PW" "$HOSTPORT" "$HOSTPORT" > git-credentials
fresh_logs
check "pack from https:// with --git-credentials (its most specific line)" -- \
  "$PACK" create spec.yaml --key k.key -o h2.tar.zst "${ca[@]}" --git-credentials git-credentials
seen; grep -q "POST /vendor.git/git-upload-pack 200 alice" https.log && ok "read as alice" || bad "$(cat https.log)"

spec v1.0 deploy "$PURL"
check "pack from https:// with the password in the URL" -- \
  "$PACK" create spec.yaml --key k.key -o h3.tar.zst "${ca[@]}" --json
seen
index_of h3.tar.zst > h3.json || true
holds "the index shows the URL with the password redacted" h3.json --arg u "$SHOWN" '.manifestSources[0].git == $u'
check "airlock-pack images with the git flags" -- "$PACK" images spec.yaml "${ca[@]}" --json
seen; cp out.txt images.json
holds "images --json shows where it found each image, the URL redacted" images.json \
  --arg at "$SHOWN@v1.0:deploy/pod.yaml:5" '.images[] | select(.name == "org/app:1.0") | .foundAt | index($at) != null'

spec v1.0 deploy "$HURL"
fresh_logs
check "airlock-pack images from https:// with \$AIRLOCK_GIT_TOKEN" -- \
  env "AIRLOCK_GIT_TOKEN=$TOK" "$PACK" images spec.yaml "${ca[@]}"
seen; grep -q "POST /vendor.git/git-upload-pack 200 x-access-token" https.log && ok "read with the token" \
  || bad "$(cat https.log)"

# A commit that no ref points at: git http-backend does not serve objects
# by id unless the repository allows it, so every branch and tag is
# fetched; once allowed, only that commit.
spec "$mid" deploy "$HURL"
fresh_logs
check "pack at a commit no ref points at (every branch and tag fetched)" -- \
  env "AIRLOCK_GIT_TOKEN=$TOK" "$PACK" create spec.yaml --key k.key -o h4.tar.zst "${ca[@]}"
seen
[ "$(index_of h4.tar.zst | jq -r '.manifestSources[0].commit')" = "$mid" ] && [ "$(wants)" -gt 1 ] \
  && ok "it resolved to that commit, from every branch and tag ($(wants) wants)" || bad "wants: $(wants)"
git --git-dir=https-root/vendor.git config uploadpack.allowReachableSHA1InWant true
fresh_logs
check "pack at that commit from a server that serves objects by id" -- \
  env "AIRLOCK_GIT_TOKEN=$TOK" "$PACK" create spec.yaml --key k.key -o h5.tar.zst "${ca[@]}"
seen
[ "$(wants)" = 1 ] && grep -q "upload-pack< want $mid " https.trace && ok "only that commit was asked for" \
  || bad "wants: $(grep 'upload-pack< want' https.trace)"

found=""
for f in seen.txt images.json; do
  [ -s "$f" ] || found="$found $f(empty)"
  grep -qF -e "$PW" -e "$TOK" "$f" && found="$found $f"
done
for b in h1 h2 h3 h4 h5; do
  idx=$(index_of "$b.tar.zst") || idx=""
  [ -n "$idx" ] || found="$found $b(no index)"
  grep -qF -e "$PW" -e "$TOK" <<< "$idx" && found="$found $b's index"
done
[ -z "$found" ] && ok "neither the password nor the token is in any output, report or index" \
  || bad "a secret appears in:$found"

# ---- A private repository over ssh:// ---------------------------------------
mkdir -p "$HOME/.ssh" && : > "$HOME/.ssh/known_hosts"
start_sshd
git clone -q --bare work ssh-vendor.git
SURL="ssh://$(id -un)@127.0.0.1:$SSHD_PORT$T/ssh-vendor.git"
spec v1.0 deploy "$SURL"
expect_exit 4 "must be in ~/.ssh/known_hosts" "an unknown ssh host key: exit 4 with the hint" -- \
  "$PACK" create spec.yaml --key k.key -o s0.tar.zst --git-ssh-key "$T/sshd/client_key"
grep -qF "spec.yaml:5: git remote $SURL: fetch failed" err.txt && ok "the message names spec:line and the URL" \
  || bad "message: $(cat err.txt)"
no_bundle s0.tar.zst "an unknown host key"
known_host "$T/sshd/host_key.pub" > "$HOME/.ssh/known_hosts"
expect_exit 4 "stranger_key was refused" "a key the server does not accept: exit 4 naming it" -- \
  "$PACK" create spec.yaml --key k.key -o s0.tar.zst --git-ssh-key "$T/sshd/stranger_key"
no_bundle s0.tar.zst "a refused ssh key"
check "pack from ssh:// with --git-ssh-key" -- \
  "$PACK" create spec.yaml --key k.key -o s1.tar.zst --git-ssh-key "$T/sshd/client_key"
index_of s1.tar.zst > s1.json || true
holds "the index records the ssh URL and the tag's commit" s1.json --arg c "$v1" --arg u "$SURL" \
  '.manifestSources[0].git == $u and .manifestSources[0].commit == $c'
eval "$(ssh-agent -s)" > /dev/null
PIDS+=("$SSH_AGENT_PID")
ssh-add -q "$T/sshd/client_key" 2> /dev/null
check "pack from ssh:// with the key in the agent" -- "$PACK" create spec.yaml --key k.key -o s2.tar.zst
check "the same manifests" -- cmp <(tar --zstd -xOf s1.tar.zst manifests/pod.yaml) \
  <(tar --zstd -xOf s2.tar.zst manifests/pod.yaml)
kill "$SSH_AGENT_PID" 2> /dev/null || true
unset SSH_AUTH_SOCK SSH_AGENT_PID

finish
