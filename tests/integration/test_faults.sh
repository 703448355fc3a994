#!/usr/bin/env bash
# Faults and races an import must survive, against real parts:
#   1. kill -9 at random points of a 1 GiB import (into a real docker-registry
#      and a real git remote): every re-run converges on the same registry
#      content as an uninterrupted import, with exactly one commit;
#   2. a git remote whose pre-receive hook rejects the push: exit 4 naming the
#      remote and quoting the hook (escaped), no commit, and a later import
#      lands;
#   3. imports racing on one branch: different releases both land, the same
#      bundle twice makes one commit;
#   4. a full disk under pack's output: exit 1 naming the file, nothing left.
# (A registry failing 5% of requests: test_registry_flaky.sh; stalls:
# test_hostile_registry.sh.)
#
# FAULT_MIB (default 1024, 128 in a sanitizer build) sizes the release of part 1, FAULT_KILLS (default
# 20) the kill points, FAULT_SEED (default: random, printed) the points.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

site_git_env
make_ca
"$PACK" keygen --out k > /dev/null
"$PACK" keygen --out k2 > /dev/null
# A sanitizer build runs several times slower: the same kills on an eighth
# of the bytes.
default_mib=1024
[ "$(ldd "$PACK" 2> /dev/null | grep -cE 'lib(a|t)san')" = 0 ] || default_mib=128
mib=${FAULT_MIB:-$default_mib} kills=${FAULT_KILLS:-20} seed=${FAULT_SEED:-$((RANDOM * 32768 + RANDOM))}
printf 'note kill points from FAULT_SEED=%s\n' "$seed"

# --- 1. kill -9 at random points of a 1 GiB import --------------------------
# Three images, one layer shared: five unique layers of mib/5 each.
layer=$((mib * 1048576 / 5))
mkdir -p big/k8s
"$TESTKIT" layout big/a v1 --layer 1:$layer --layer 2:$layer > /dev/null
"$TESTKIT" layout big/b v1 --layer 1:$layer --layer 3:$layer > /dev/null
"$TESTKIT" layout big/c v1 --layer 4:$layer --layer 5:$layer > /dev/null
cat > big/k8s/app.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - {name: a, image: org/a:1}
        - {name: b, image: org/b:1}
        - {name: c, image: org/c:1}
YAML
printf 'name: big\nversion: "1"\nsequence: 1\nmanifests: [k8s]\nimages:\n' > big/spec.yaml
for i in a b c; do printf '  - {source: "oci:%s:v1", name: "org/%s:1"}\n' $i $i >> big/spec.yaml; done
check "pack a $mib MiB release" -- "$PACK" create big/spec.yaml --key k.key -o big.tar.zst
rm -rf big/a big/b big/c

# The registry's content: every repository's tags with the manifest digest
# each resolves to, and the blobs in its storage (an interrupted upload's
# leftovers are the registry's to purge: _uploads is not compared).
content() {  # content NAME
  local dir=$T/reg-$1/data/docker/registry/v2
  (cd "$dir/repositories" && find . -path '*/_manifests/tags/*/current/link' | sort | while read -r l; do
    printf '%s %s\n' "$l" "$(cat "$l")"
  done)
  [ ! -d "$dir/blobs" ] || (cd "$dir/blobs" && find . -name data -type f | sort)
}
# import_cmd NAME REMOTE [options]: sets cmd to the import of part 1 (an
# array, so that a background run's $! is airlock-import itself, which
# kill -9 then reaches, not a subshell it would outlive).
import_cmd() {
  local name=$1 remote=$2 host
  shift 2
  host=${name}_HOST
  write_auth_file "auth-$name.json" "${!host}"
  cmd=("$IMPORT" import big.tar.zst --pubkey k.pub --registry "${!host}" --auth-file "auth-$name.json"
    --ca-file "$T/ca/ca.pem" --git "file://$T/$remote" "$@")
}
stop_registry() {  # stop_registry NAME: stops it, frees its storage
  local pid=${1}_PID
  kill "${!pid}" 2> /dev/null || true
  wait "${!pid}" 2> /dev/null || true
  rm -rf "$T/reg-$1"
}

# The reference: one uninterrupted import; its duration spreads the kills.
start_registry ref
git init -q --bare ref.git
t0=$(date +%s%N)
import_cmd ref ref.git
check "an uninterrupted import of $mib MiB" -- "${cmd[@]}"
full_ms=$((($(date +%s%N) - t0) / 1000000))
printf 'note the uninterrupted import took %d ms\n' "$full_ms"
content ref > ref.content
[ "$(grep -c '/current/link' ref.content)" = 3 ] && ok "the reference holds three tags" \
  || bad "reference content: $(cat ref.content)"
stop_registry ref

RANDOM=$seed
converged=0 killed=0 finished=0
for i in $(seq "$kills"); do
  start_registry "k$i"
  git init -q --bare "k$i.git"
  # A point in the first 110% of the import: some land after the commit.
  delay_ms=$((RANDOM * 32768 + RANDOM))
  delay_ms=$((delay_ms % (full_ms * 11 / 10 + 1)))
  import_cmd "k$i" "k$i.git"
  "${cmd[@]}" > "kill-$i.out" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2> /dev/null; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
  { wait "$pid"; } 2> /dev/null || true
  rc=0
  "${cmd[@]}" --json > "rerun-$i.json" 2> "rerun-$i.err" || rc=$?
  commits=$(git --git-dir="k$i.git" rev-list --count dev 2> /dev/null || echo 0)
  content "k$i" > "k$i.content"
  if [ "$rc" != 0 ]; then
    bad "kill at $delay_ms ms: the re-run failed ($rc): $(head -c 300 "rerun-$i.err")"
  elif [ "$commits" != 1 ]; then
    bad "kill at $delay_ms ms: $commits commits on dev after the re-run"
  elif ! diff -q ref.content "k$i.content" > /dev/null; then
    bad "kill at $delay_ms ms: registry content differs: $(diff ref.content "k$i.content" | head -5)"
  else
    converged=$((converged + 1))
  fi
  stop_registry "k$i"
  rm -rf "k$i.git"
done
[ "$converged" = "$kills" ] && ok "$kills kill points ($killed killed mid-import, $finished after it ended): every re-run converged" \
  || bad "$converged of $kills re-runs converged"
[ "$killed" -ge $((kills / 2)) ] && ok "most kills landed inside the import ($killed of $kills)" \
  || bad "only $killed of $kills kills landed inside the import"
rm -f big.tar.zst

# --- 2. a git remote that rejects the push ----------------------------------
make_release
check "pack a small release" -- "$PACK" create rel/spec.yaml --key k.key -o s1.tar.zst
digest1=$("$IMPORT" inspect s1.tar.zst --json | jq -r .bundleDigest)
start_registry site
write_auth_file auth.json "$site_HOST"
reg=(--registry "$site_HOST" --auth-file auth.json --ca-file "$T/ca/ca.pem")
# git daemon runs git-receive-pack, which runs the hooks (file:// is written
# by libgit2 directly and runs none).
mkdir -p served
git init -q --bare served/guarded.git
cat > served/guarded.git/hooks/pre-receive <<'SH'
#!/bin/sh
printf 'policy: pushes to this remote are frozen\033[2J\n' >&2
exit 1
SH
chmod +x served/guarded.git/hooks/pre-receive
for _ in 1 2 3; do
  gport=$(free_port)
  git daemon --reuseaddr --base-path="$T/served" --export-all --enable=receive-pack --listen=127.0.0.1 \
    --port="$gport" "$T/served" > "$T/daemon.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$gport") 2> /dev/null && break 2; sleep 0.1; done
done
GURL=git://127.0.0.1:$gport/guarded.git
expect_exit 4 "git://127.0.0.1:$gport/guarded.git" "a remote whose hook rejects the push: exit 4 naming it" -- \
  "$IMPORT" import s1.tar.zst --pubkey k.pub "${reg[@]}" --git "$GURL"
grep -qF "pre-receive hook declined" "$T/err.txt" && ok "the message says the hook declined" \
  || bad "rejection message: $(head -c 400 "$T/err.txt")"
if grep -q $'\033' "$T/err.txt"; then bad "the remote's escape sequence reached the terminal"; else ok "nothing the remote sent reaches the terminal raw"; fi
[ -z "$(git --git-dir=served/guarded.git for-each-ref)" ] && ok "the rejected push left no ref" \
  || bad "refs after the rejection: $(git --git-dir=served/guarded.git for-each-ref)"
rm served/guarded.git/hooks/pre-receive
check "once the hook allows it, the import lands" -- "$IMPORT" import s1.tar.zst --pubkey k.pub "${reg[@]}" --git "$GURL"
[ "$(git --git-dir=served/guarded.git rev-list --count dev)" = 1 ] && ok "one commit on dev" \
  || bad "dev has $(git --git-dir=served/guarded.git rev-list --count dev) commits"
git --git-dir=served/guarded.git log -1 --format=%B dev | grep -qx "Airlock-Bundle: $digest1" \
  && ok "the commit names the bundle" || bad "the commit does not name the bundle"

# --- 3. imports racing on one branch -----------------------------------------
# Releases other than demo: the same images, other names.
for r in alpha beta; do
  sed "s/^name: demo$/name: $r/" rel/spec.yaml > "rel/$r.yaml"
  check "pack release $r" -- "$PACK" create "rel/$r.yaml" --key k.key -o "$r.tar.zst"
done
# race REPO BUNDLE BUNDLE: two imports at once onto branch dev of a fresh
# served/REPO.git; sets rc_a, rc_b, commits and tree.
race() {
  local repo=$1 pa pb
  git init -q --bare "served/$repo.git"
  "$IMPORT" import "$2" --pubkey k.pub "${reg[@]}" --git "git://127.0.0.1:$gport/$repo.git" > "$repo-a.out" 2>&1 &
  pa=$!
  "$IMPORT" import "$3" --pubkey k.pub "${reg[@]}" --git "git://127.0.0.1:$gport/$repo.git" > "$repo-b.out" 2>&1 &
  pb=$!
  rc_a=0 rc_b=0
  wait "$pa" || rc_a=$?
  wait "$pb" || rc_b=$?
  commits=$(git --git-dir="served/$repo.git" rev-list --count dev 2> /dev/null || echo 0)
  tree=$(git --git-dir="served/$repo.git" ls-tree --name-only dev 2> /dev/null | tr '\n' ' ')
  said="exits $rc_a $rc_b, $commits commits, tree: $tree; $(tail -c 300 "$repo-a.out") $(tail -c 300 "$repo-b.out")"
}
for round in 1 2 3; do
  race "race$round" alpha.tar.zst beta.tar.zst
  if [ "$rc_a$rc_b" = 00 ] && [ "$commits" = 2 ] && [[ "$tree" == *alpha* && "$tree" == *beta* ]]; then
    ok "round $round: two releases racing on dev both land (2 commits: $tree)"
  else
    bad "round $round, two releases: $said"
  fi
  race "same$round" alpha.tar.zst alpha.tar.zst
  if [ "$rc_a$rc_b" = 00 ] && [ "$commits" = 1 ]; then
    ok "round $round: the same bundle imported twice at once makes one commit"
  else
    bad "round $round, the same bundle: $said"
  fi
done

# --- 4. a full disk under pack's output ---------------------------------------
# A 2 MiB tmpfs in a private mount namespace (an unprivileged user namespace
# where root is not at hand); the release is ~1 MB compressed, so a 256 KiB
# disk fills mid-bundle and a 2 MiB one does not.
full_disk() {  # full_disk SIZE command...: runs it with ./disk a tmpfs of SIZE
  local size=$1
  shift
  mkdir -p disk
  unshare -rm sh -c 'mount -t tmpfs -o size="$0" none disk && "$@"; rc=$?; ls -A disk > disk.ls; exit $rc' "$size" "$@"
}
"$TESTKIT" layout rel/layouts/bulk v1 --layer 9:1500000 > /dev/null
printf '  - {source: "oci:layouts/bulk:v1", name: "org/bulk:1"}\n' >> rel/spec.yaml
check "the release packs on a disk with room (the harness works)" -- full_disk 8m "$PACK" create rel/spec.yaml --key k.key -o disk/out.tar.zst
[ "$(cat disk.ls)" = out.tar.zst ] && ok "and writes the bundle there" || bad "the roomy disk holds: $(cat disk.ls)"
expect_exit 1 "disk/out.tar.zst" "pack onto a full disk: exit 1 naming the output" -- \
  full_disk 256k "$PACK" create rel/spec.yaml --key k.key -o disk/out.tar.zst
grep -qF "No space left on device" "$T/err.txt" && ok "the message says the disk is full" \
  || bad "full-disk message: $(head -c 300 "$T/err.txt")"
[ ! -s disk.ls ] && ok "nothing left on the full disk" || bad "left on the full disk: $(cat disk.ls)"
expect_exit 1 "disk/co.tar.zst" "sign onto a full disk: exit 1 naming the output" -- \
  full_disk 256k "$PACK" sign s1.tar.zst --key k2.key -o disk/co.tar.zst
[ ! -s disk.ls ] && ok "nothing left by the refused sign" || bad "left on the full disk: $(cat disk.ls)"

finish
