# Shared by the integration tests: binaries, a private temp dir, assertions.
# Each test script: source lib.sh "$1"; ...; finish
set -euo pipefail
BIN=$(cd "${1:?usage: test_X.sh BUILD_DIR}" && pwd)
PACK=$BIN/airlock-pack
IMPORT=$BIN/airlock-import
TESTKIT=$BIN/airlock-testkit
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/airlock-test.XXXXXX")
PIDS=()
MOUNTS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
  for p in "${MOUNTS[@]}"; do umount "$p" 2> /dev/null || true; done
  # A gpg-agent a test started for its own GNUPGHOME.
  [[ "${GNUPGHOME:-}" == "$T"/* ]] && gpgconf --kill all 2> /dev/null || true
  [ -n "${KEEP_T:-}" ] || rm -rf "$T"  # KEEP_T=1 keeps the temp dir for a post-mortem
}
trap cleanup EXIT
cd "$T"
passed=0
failed=0

ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# expect_exit CODE SUBSTRING DESCRIPTION -- command...
# Runs the command; checks its exit code and that stderr contains SUBSTRING.
expect_exit() {
  local code=$1 substr=$2 desc=$3
  shift 4
  local rc=0
  "$@" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
  if [ "$rc" -ne "$code" ]; then
    bad "$desc: exit $rc, expected $code; stderr: $(head -c 600 "$T/err.txt")"
  elif [ -n "$substr" ] && ! grep -qF -- "$substr" "$T/err.txt"; then
    bad "$desc: stderr lacks \"$substr\": $(head -c 600 "$T/err.txt")"
  else
    ok "$desc"
  fi
}

# jq 1.6 exits 0 for `jq -e` on empty input: a check that read nothing
# must fail, so with -e no output is exit 4 (exported for `bash -c` too).
jq() {
  local a e=0
  for a in "$@"; do [[ "$a" == --exit-status || "$a" =~ ^-[a-zA-Z]*e[a-zA-Z]*$ ]] && e=1; done
  [ "$e" -eq 1 ] || { command jq "$@"; return; }
  local out rc=0
  out=$(command jq "$@") || rc=$?
  [ -z "$out" ] || printf '%s\n' "$out"
  [ "$rc" -eq 0 ] || return "$rc"
  [ -n "$out" ] || { echo "jq -e: no input, nothing checked" >&2; return 4; }
}
export -f jq

# at_time EPOCH command...: runs the command with the clock at EPOCH
# (libfaketime; ASan then is not the first library, which it allows). Only
# the wall clock is faked: libfaketime's stat() wrapper takes a semaphore
# that, under ASan, aborts the process now and then ("The futex facility
# returned an unexpected error code"), and the stall timeouts read the
# monotonic clock.
at_time() {
  local t=$1
  shift
  TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" faketime -f "@$(date -u -d "@$t" '+%Y-%m-%d %H:%M:%S')" "$@"
}

# check DESCRIPTION -- command...  (passes when the command succeeds)
# Its stdout replaces out.txt only once it has finished, so a check may read
# the previous command's out.txt.
check() {
  local desc=$1 rc=0
  shift 2
  "$@" > "$T/out.next" 2> "$T/err.txt" || rc=$?
  mv "$T/out.next" "$T/out.txt"
  if [ "$rc" -eq 0 ]; then ok "$desc"; else bad "$desc: $(head -c 600 "$T/err.txt")"; fi
}

# The site's git identity, and a HOME of the test's own (no credentials or
# git config from the machine), for the tests that commit.
site_git_env() {
  export GIT_AUTHOR_NAME="Site Importer" GIT_AUTHOR_EMAIL=importer@site.example
  export GIT_COMMITTER_NAME="Site Importer" GIT_COMMITTER_EMAIL=importer@site.example
  export HOME=$T REGISTRY_AUTH_FILE= GIT_CONFIG_NOSYSTEM=1
  git config --global init.defaultBranch main
}

# A small release: two single-platform images sharing a layer, a
# multi-arch index, YAML in a nested directory. Sets nothing; writes ./rel.
make_release() {
  mkdir -p rel/k8s/sub
  "$TESTKIT" layout rel/layouts/app v1 --layer 1:300000 --layer 2:120000 > /dev/null
  "$TESTKIT" layout rel/layouts/web v3 --layer 1:300000 --layer 4:90000 > /dev/null
  "$TESTKIT" layout rel/layouts/multi v2 --platform linux/amd64 --platform linux/arm64 \
    --layer 1:300000 --layer 3:70000 > /dev/null
  cat > rel/k8s/app.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - name: app
          image: org/app:1.0
YAML
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n' > rel/k8s/sub/more.yml
  cat > rel/spec.yaml <<'YAML'
name: demo
version: 1.0.0
sequence: 1
expires: 30d
manifests: [k8s]
images:
  - {source: "oci:layouts/app:v1", name: "org/app:1.0"}
  - {source: "oci:layouts/web:v3", name: "org/web:3.0"}
  - {source: "oci:layouts/multi:v2", name: "org/multi:2.0"}
YAML
}

finish() {
  printf '%d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}
