#!/usr/bin/env bash
# airlock-import receive: a diode's output directory holding a full bundle,
# a decodable set of parts of the next release, a set that does not decode
# and a file still being written; then a delta that waits for its base, and
# the watch mode (inotify) stopped by SIGTERM between bundles. Real
# docker-registry (TLS + htpasswd) and a real git remote.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

export GIT_AUTHOR_NAME="Site Importer" GIT_AUTHOR_EMAIL=importer@site.example
export GIT_COMMITTER_NAME="Site Importer" GIT_COMMITTER_EMAIL=importer@site.example
export HOME=$T REGISTRY_AUTH_FILE= GIT_CONFIG_NOSYSTEM=1
make_ca
start_registry site
write_auth_file auth.json "$site_HOST"
"$PACK" keygen --out k > /dev/null
git init -q --bare remote.git
URL=file://$T/remote.git
rcv=(--pubkey k.pub --registry "$site_HOST" --prefix p --auth-file auth.json --ca-file "$T/ca/ca.pem" --git "$URL")

"$TESTKIT" layout lay a1 --layer 1:300000 --layer 2:200000 > /dev/null
"$TESTKIT" layout lay a2 --layer 1:300000 --layer 3:200000 > /dev/null
"$TESTKIT" layout lay a3 --layer 1:300000 --layer 4:200000 > /dev/null
"$TESTKIT" layout lay a4 --layer 4:200000 --layer 6:100000 > /dev/null  # shares what app 3 carries
"$TESTKIT" layout lay o1 --layer 5:900000 > /dev/null
spec() {  # spec FILE NAME VERSION SEQUENCE LAYOUT-REF IMAGE
  printf 'name: %s\nversion: "%s"\nsequence: %s\nimages:\n  - {name: "%s", source: "oci:lay:%s"}\n' "$2" "$3" "$4" "$6" "$5" > "$1"
}
spec s1.yaml app 1.0 1 a1 org/app:1
spec s2.yaml app 1.1 2 a2 org/app:2
spec s3.yaml app 1.2 3 a3 org/app:3
spec o1.yaml other 1.0 1 o1 org/other:1
check "pack app 1 (full)" -- "$PACK" create s1.yaml --key k.key -o app1.tar.zst
check "pack app 2 straight into parts" -- "$PACK" create s2.yaml --key k.key -o app2-parts --part-size 300KB --parity 1 --data-parts 2
check "pack app 3 as a delta of app 2" -- "$PACK" create s3.yaml --key k.key -o app3.tar.zst --base app2-parts
check "pack other 1 into parts" -- "$PACK" create o1.yaml --key k.key -o other-parts --part-size 300KB --parity 1 --data-parts 3

# 1. The four cases. The diode's files are old enough (--settle 60), but
# for one that is still being written.
mkdir in
cp app2-parts/* in/                # sequence 2, decodable: must come after sequence 1
cp app1.tar.zst in/app-1.tar.zst   # sequence 1
cp other-parts/* in/
lost=$(ls other-parts | grep '\.g00000\.' | head -2)
for f in $lost; do rm "in/$f"; done  # two of a group of 3 + 1: undecodable
touch -d '5 minutes ago' in/*
head -c 40000 app3.tar.zst > in/app-3.tar.zst  # half-written, changing now
expect_exit 3 "something failed" "receive --once: exit 3, for the set that does not decode" -- \
  "$IMPORT" receive in --once --settle 60 --json "${rcv[@]}"
cp out.txt pass1.json
outcome() { jq -r --arg r "$2" --argjson s "$3" '[.items[] | select(.release == $r and .sequence == $s) | .outcome] | join(",")' "$1"; }
[ "$(outcome pass1.json app 1)" = imported ] && [ "$(outcome pass1.json app 2)" = imported ] \
  && ok "the full bundle and the decodable parts are imported" || bad "pass 1: $(cat pass1.json)"
[ "$(outcome pass1.json other 1)" = undecodable ] && ok "the set that does not decode is reported" || bad "pass 1: $(cat pass1.json)"
check "the half-written file is left alone" -- jq -e '.items[] | select(.name == "app-3.tar.zst") | .outcome == "settling"' pass1.json
[ -f in/app-3.tar.zst ] && [ "$(stat -c %s in/app-3.tar.zst)" = 40000 ] && ok "it is still there, as it was" || bad "app-3.tar.zst moved"
[ "$(git --git-dir=remote.git log --reverse --format=%s dev | tr '\n' '|')" = "Import app 1.0 (sequence 1)|Import app 1.1 (sequence 2)|" ] \
  && ok "imported in sequence order (the parts, sequence 2, after the bundle, sequence 1)" \
  || bad "commits: $(git --git-dir=remote.git log --reverse --format=%s dev)"
[ -f in/done/app-1.tar.zst ] && [ -f in/done/app-1.tar.zst.report.json ] && ok "the bundle and its report are in done/" \
  || bad "done/: $(ls in/done)"
check "its report is the import's" -- jq -e '.verified == true and .release.sequence == 1 and .git.commit != null' in/done/app-1.tar.zst.report.json
[ "$(ls in/done | grep -c '\.part$')" = "$(ls app2-parts | wc -l)" ] && ok "every part of the set it used is in done/" || bad "done/: $(ls in/done)"
check "the parts' report says so" -- bash -o pipefail -c "jq -e '.parts.groups | length > 0' in/done/app-1.1-s2.*.report.json"
[ "$(ls in/failed/*.undecodable.json | wc -l)" = 1 ] && ok "one report for the undecodable set" || bad "failed/: $(ls in/failed)"
check "it names the group and the parts missing" -- bash -o pipefail -c "jq -r .error in/failed/*.undecodable.json | grep -q 'group 0: 2 of 4 parts whole, 3 needed'"
[ "$(ls in | grep -c '^other-')" = $(($(ls other-parts | wc -l) - 2)) ] && ok "its parts stay in place, in case the rest arrives" \
  || bad "in/: $(ls in)"
check "the registry has app 1 and 2" -- bash -c "curl -sf --cacert '$T/ca/ca.pem' -u '$REG_USER:$REG_PASS' https://$site_HOST/v2/p/org/app/tags/list | jq -e '.tags | sort == [\"1\", \"2\"]'"

# 2. Again: nothing new; the undecodable set is not reported again.
check "a second pass exits 0" -- "$IMPORT" receive in --once --settle 60 --json "${rcv[@]}"
check "the set is marked reported before" -- jq -e '[.items[] | select(.release == "other")] | .[0].outcome == "undecodable" and .[0].reportedBefore' out.txt
[ "$(ls in/failed | wc -l)" = 1 ] && ok "no second report" || bad "failed/: $(ls in/failed)"
[ "$(git --git-dir=remote.git rev-list --count dev)" = 2 ] && ok "no new commit" || bad "commits: $(git --git-dir=remote.git rev-list --count dev)"
# The missing parts arrive: the set imports.
for f in $lost; do cp "other-parts/$f" in/; done
touch -d '5 minutes ago' in/other-*
check "once the rest of the set arrives, it imports" -- "$IMPORT" receive in --once --settle 60 --json "${rcv[@]}"
check "other 1 imported" -- jq -e '[.items[] | select(.release == "other")] | .[0].outcome == "imported"' out.txt

# 3. A delta waits for its base: app 4 (a delta of app 3) before app 3 is whole.
spec s4.yaml app 1.3 4 a4 org/app:4
check "pack app 4 as a delta of app 3" -- "$PACK" create s4.yaml --key k.key -o app4.tar.zst --base app3.tar.zst
rm in/app-3.tar.zst
cp app4.tar.zst in/app-4.tar.zst
touch -d '5 minutes ago' in/app-4.tar.zst
check "receive with app 4 alone" -- "$IMPORT" receive in --once --settle 60 --json "${rcv[@]}"
check "app 4 waits for its base" -- jq -e '.items[] | select(.name == "app-4.tar.zst") | .outcome == "waiting" and (.error | contains("has not imported"))' out.txt
[ -f in/app-4.tar.zst ] && ok "it stays in place" || bad "app-4.tar.zst moved"
cp app3.tar.zst in/app-3.tar.zst
touch -d '5 minutes ago' in/app-3.tar.zst
check "its base arrives: both import" -- "$IMPORT" receive in --once --settle 60 --json "${rcv[@]}"
[ "$(git --git-dir=remote.git log -2 --reverse --format=%s dev | tr '\n' '|')" = "Import app 1.2 (sequence 3, delta of sequence 2)|Import app 1.3 (sequence 4, delta of sequence 3)|" ] \
  && ok "app 3 then app 4" || bad "commits: $(git --git-dir=remote.git log -3 --format=%s dev)"

# 4. A bundle that does not verify goes to failed/ with its report.
"$PACK" keygen --out stranger > /dev/null
spec s5.yaml app 1.4 5 a2 org/app:5
"$PACK" create s5.yaml --key stranger.key -o in/app-5.tar.zst > /dev/null
touch -d '5 minutes ago' in/app-5.tar.zst
expect_exit 3 "something failed" "a bundle no trusted key signed" -- "$IMPORT" receive in --once --settle 60 "${rcv[@]}"
[ -f in/failed/app-5.tar.zst ] && jq -e '.exitCode == 3 and (.error | contains("not signed by a trusted key"))' in/failed/app-5.tar.zst.report.json > /dev/null \
  && ok "it is in failed/ with a report saying why" || bad "failed/: $(ls in/failed)"

# 5. Watching: a bundle dropped in is imported; SIGTERM stops the watch.
mkdir watch
"$IMPORT" receive watch --settle 1 "${rcv[@]}" --branch watched > watch.log 2>&1 &
pid=$!
sleep 1
cp app1.tar.zst watch/.app-1.tar.zst.tmp && mv watch/.app-1.tar.zst.tmp watch/app-1.tar.zst
for _ in $(seq 1 40); do [ -f watch/done/app-1.tar.zst.report.json ] && break; sleep 0.5; done
[ -f watch/done/app-1.tar.zst.report.json ] && ok "the watch imported a bundle dropped in" || bad "watch: $(cat watch.log)"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] && ok "SIGTERM ends the watch, exit 0" || bad "the watch exited $rc: $(cat watch.log)"
[ "$(git --git-dir=remote.git rev-list --count watched)" = 1 ] && ok "one commit on the watched branch" || bad "watched branch"

# 6. The registry down: the bundle is not at fault, it stays for the next pass.
mkdir down
cp app1.tar.zst down/app-1.tar.zst
touch -d '5 minutes ago' down/app-1.tar.zst
expect_exit 4 "a registry or git remote failed" "receive with the registry down: exit 4" -- \
  "$IMPORT" receive down --once --settle 60 --pubkey k.pub --registry 127.0.0.1:9 --prefix p --ca-file "$T/ca/ca.pem" \
  --git "$URL" --branch down
[ -f down/app-1.tar.zst ] && [ ! -d down/failed ] && ok "the bundle stays in place, no failed/ report" || bad "down/: $(ls -R down)"

finish
