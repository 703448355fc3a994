#!/usr/bin/env bash
# airlock-import import --git and promote against real git remotes (a bare
# repository over file:// and one served by git daemon on loopback),
# checked with the git CLI and kubectl kustomize; the images land in a real
# docker-registry (TLS + htpasswd) and skopeo checks them.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"
source "$ROOT/tests/integration/git_servers.sh"

site_git_env
make_ca
start_registry site
write_auth_file auth.json "$site_HOST"
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")
sk=(--creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d")
"$PACK" keygen --out k > /dev/null

# A release whose YAML has what review diffs must survive: comments, quoting
# styles, flow mappings, several documents, an image inside a longer arg,
# and a site value.
make_release
cat > rel/k8s/app.yaml <<'YAML'
# The app. Comments, key order and quoting must survive the import.
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, labels: {tier: "backend"}}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: org/app:1.0   # pinned on import
          args: ["--sidecar-image=docker.io/org/web:3.0", '--x']
          env:
            - {name: HOST, value: "${airlock:ingress_host}"}
        - {name: web, image: "docker.io/org/web:3.0"}
      initContainers:
        - name: init
          image: 'org/multi:2.0'
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  helper: docker.io/org/web:3.0
  untouched: quay.io/other/thing:1.0
YAML
cat >> rel/spec.yaml <<'YAML'
values:
  ingress_host: {description: "Host name the site serves the app on"}
  storage_class: {default: standard}
YAML
printf 'ingress_host: app.site.example\n' > values.yaml
check "pack the release (sequence 1)" -- "$PACK" create rel/spec.yaml --key k.key -o s1.tar.zst
digest1=$("$IMPORT" inspect s1.tar.zst --json | jq -r .bundleDigest)

git init -q --bare remote.git
URL=file://$T/remote.git
gitlog() { git --git-dir="$T/remote.git" log --format=%H "$@" 2> /dev/null | wc -l; }
show() { git --git-dir="$T/remote.git" show "$1"; }

# 1. Import: registry load, render, one commit on a new dev branch.
check "import --registry --git into an empty remote" -- "$IMPORT" import s1.tar.zst --pubkey k.pub \
  --registry "$site_HOST" --prefix site "${reg[@]}" --git "$URL" --values values.yaml --json
cp out.txt i1.json
check "the summary reports the commit and a created branch" -- jq -e \
  '.git.commit != null and .git.createdBranch == true and .git.branch == "dev" and .git.path == "demo"' i1.json
[ "$(gitlog dev)" = 1 ] && ok "one commit on dev" || bad "dev has $(gitlog dev) commits"
msg=$(git --git-dir=remote.git log -1 --format=%B dev)
grep -qx "Airlock-Bundle: $digest1" <<< "$msg" && ok "the commit ends with the Airlock-Bundle trailer" \
  || bad "trailer missing: $msg"
grep -q "^Import demo 1.0.0 (sequence 1)" <<< "$msg" && ok "the message names release, version, sequence" \
  || bad "message: $msg"
[ "$(git --git-dir=remote.git log -1 --format='%an <%ae>' dev)" = "Site Importer <importer@site.example>" ] \
  && ok "author from GIT_AUTHOR_*" || bad "author: $(git --git-dir=remote.git log -1 --format='%an <%ae>' dev)"
show dev:demo/app.yaml > committed.yaml
diff rel/k8s/app.yaml committed.yaml > app.diff || true
changed=$(grep -c '^[<>]' app.diff || true)
others=$(grep '^[<>]' app.diff | grep -v -e 'image:' -e 'sidecar-image=' -e 'helper:' -e 'ingress_host\|app.site.example' || true)
[ "$changed" = 12 ] && [ -z "$others" ] && ok "only image references and the site value changed (6 lines)" \
  || bad "unexpected diff ($changed lines): $(cat app.diff)"
app_digest=$("$IMPORT" inspect s1.tar.zst --json | jq -r '.images[] | select(.name == "org/app:1.0") | .digest')
grep -qF "image: $site_HOST/site/org/app:1.0@$app_digest   # pinned on import" committed.yaml \
  && ok "a plain image scalar is pinned by digest, its comment kept" || bad "app image line: $(grep 'image:' committed.yaml)"
grep -qF "'$site_HOST/site/org/multi:2.0@" committed.yaml && ok "single quotes kept" || bad "single-quoted image"
grep -qF "image: \"$site_HOST/site/org/web:3.0@" committed.yaml && ok "double quotes kept" || bad "double-quoted image"
web_digest=$("$IMPORT" inspect s1.tar.zst --json | jq -r '.images[] | select(.name == "org/web:3.0") | .digest')
grep -qF "[\"--sidecar-image=$site_HOST/site/org/web:3.0@$web_digest\", '--x']" committed.yaml \
  && ok "a bundled image inside a longer arg is rewritten, only that substring" || bad "args: $(grep args committed.yaml)"
grep -qF "untouched: quay.io/other/thing:1.0" committed.yaml && ok "an image the bundle does not carry is left alone" \
  || bad "untouched: $(grep untouched committed.yaml)"
grep -qF "helper: $site_HOST/site/org/web:3.0@" committed.yaml && ok "an image-like string naming a bundled image is pinned" \
  || bad "helper: $(grep helper: committed.yaml)"
grep -qF "untouched: quay.io/other/thing:1.0" committed.yaml && ok "an image the bundle lacks is left as it is" \
  || bad "untouched changed"
grep -qF 'value: "app.site.example"' committed.yaml && ok "the site value is filled in" || bad "site value"
cmp -s <(show dev:demo/sub/more.yml) rel/k8s/sub/more.yml && ok "a file without images is committed unchanged" \
  || bad "more.yml changed"
check "kustomization.yaml lists the resources" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:demo/kustomization.yaml | grep -A3 '^resources:' | grep -qx '  - sub/more.yml'"
check "the state records sequence 1" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:.airlock/state.json | jq -e '.releases.demo.sequence == 1 and .releases.demo.bundleDigest == \"$digest1\"'"
check "a receipt names the bundle, signer and images" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:.airlock/receipts/demo/1.json | jq -e '.bundleDigest == \"$digest1\" and (.images | length) == 3 and (.trustedSigners | length) == 1'"

# kubectl kustomize builds the committed release; every image in its
# output is in the registry by digest.
git clone -q -b dev remote.git wt
check "kubectl kustomize builds the release" -- kubectl kustomize wt/demo
cp out.txt built.yaml
images=$(grep -oE 'image: *["'"'"']?[^ "'"'"']+' built.yaml | sed -E 's/image: *["'"'"']?//' | sort -u)
[ "$(wc -l <<< "$images")" = 3 ] && ok "three images in the build" || bad "images in the build: $images"
for ref in $images; do
  case "$ref" in
    "$site_HOST"/site/*@sha256:*) ;;
    *) bad "$ref is not pinned in the site registry"; continue ;;
  esac
  name=${ref%@*}  # skopeo takes a tag or a digest, not both
  got=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://${name%:*}@${ref##*@}" | sha256sum | cut -d' ' -f1) || true
  [ "$got" = "${ref##*@}" ] && ok "$ref is in the registry" || bad "$ref: registry has $got"
done

# 2. Replay: the same bundle again is a no-op.
before=$(grep -c 'POST /v2/[^ ]*/blobs/uploads/' "$T/reg-site/log" || true)
check "the same bundle again exits 0" -- "$IMPORT" import s1.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --prefix site "${reg[@]}" --git "$URL" --values values.yaml
grep -q "already imported" out.txt && ok "it says already imported" || bad "replay output: $(cat out.txt)"
[ "$(gitlog dev)" = 1 ] && ok "replay makes no commit" || bad "replay committed"
[ "$(grep -c 'POST /v2/[^ ]*/blobs/uploads/' "$T/reg-site/log" || true)" = "$before" ] \
  && ok "replay uploads nothing" || bad "replay uploaded"
# A damaged copy of the imported bundle is not "already imported": the replay reads it to its end.
"$TESTKIT" mutate s1.tar.zst s1-damaged.tar.zst flip-layer
expect_exit 3 "sha256 mismatch" "a damaged copy of an imported bundle is refused, not reported imported" -- \
  "$IMPORT" import s1-damaged.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site "${reg[@]}" --git "$URL" \
  --values values.yaml
[ "$(gitlog dev)" = 1 ] && ok "the damaged replay makes no commit" || bad "damaged replay committed"

# 3. A newer sequence, then rollback and a conflicting sequence are refused.
sed -i 's/^sequence: 1$/sequence: 2/; s/^version: 1.0.0$/version: 1.1.0/' rel/spec.yaml
sed -i 's/replicas: 2/replicas: 3/' rel/k8s/app.yaml
check "pack sequence 2" -- "$PACK" create rel/spec.yaml --key k.key -o s2.tar.zst
check "import sequence 2" -- "$IMPORT" import s2.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site \
  "${reg[@]}" --git "$URL" --values values.yaml
[ "$(gitlog dev)" = 2 ] && ok "sequence 2 is the second commit" || bad "dev has $(gitlog dev) commits"
tip=$(git --git-dir=remote.git rev-parse dev)
expect_exit 3 "rollback refused" "sequence 1 after 2: exit 3" -- "$IMPORT" import s1.tar.zst --pubkey k.pub \
  --registry "$site_HOST" --prefix site "${reg[@]}" --git "$URL" --values values.yaml
sed -i 's/^version: 1.1.0$/version: 1.1.1/' rel/spec.yaml
check "pack another bundle claiming sequence 2" -- "$PACK" create rel/spec.yaml --key k.key -o s2b.tar.zst
d2=$("$IMPORT" inspect s2.tar.zst --json | jq -r .bundleDigest)
d2b=$("$IMPORT" inspect s2b.tar.zst --json | jq -r .bundleDigest)
expect_exit 3 "$d2" "the same sequence with another bundle: exit 3" -- "$IMPORT" import s2b.tar.zst --pubkey k.pub \
  --registry "$site_HOST" --prefix site "${reg[@]}" --git "$URL" --values values.yaml
grep -qF "$d2b" err.txt && ok "the message names both bundles" || bad "message: $(cat err.txt)"
[ "$(git --git-dir=remote.git rev-parse dev)" = "$tip" ] && ok "refused imports leave dev where it was" \
  || bad "dev moved"

# 4. Site values: missing and unknown, before anything is visible.
git init -q --bare other.git
expect_exit 2 "manifests/app.yaml:14" "a missing site value: exit 2 naming file:line" -- "$IMPORT" import s2b.tar.zst \
  --pubkey k.pub --registry "$site_HOST" --prefix novalues "${reg[@]}" --git "file://$T/other.git" --branch x
printf 'ingress_host: a.example\nbogus: 1\n' > bad-values.yaml
expect_exit 2 "bad-values.yaml:2" "an unknown site value: exit 2 naming file:line" -- "$IMPORT" import s2b.tar.zst \
  --pubkey k.pub --registry "$site_HOST" --prefix novalues "${reg[@]}" --git "file://$T/other.git" --values bad-values.yaml
# No identity for the commit (no GIT_* variables, no git config): refused
# before any effect too.
expect_exit 2 "no identity for the git commit" "no commit identity: exit 2" -- \
  env -u GIT_AUTHOR_NAME -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL HOME="$T/empty-home" \
  XDG_CONFIG_HOME="$T/empty-home" "$IMPORT" import s2b.tar.zst --pubkey k.pub --registry "$site_HOST" \
  --prefix novalues "${reg[@]}" --git "file://$T/other.git" --values values.yaml
[ "$(grep -c '/v2/novalues/' "$T/reg-site/log" || true)" = 0 ] \
  && ok "the registry saw no request for these images (checked before the first blob)" \
  || bad "requests for novalues: $(grep '/v2/novalues/' "$T/reg-site/log" | head -3)"
[ -z "$(curl -s --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" "https://$site_HOST/v2/novalues/org/app/tags/list" | jq -r '.tags // [] | .[]')" ] \
  && ok "no tag was pushed" || bad "a tag was pushed despite a values error"
[ -z "$(git --git-dir=other.git for-each-ref)" ] && ok "nothing was committed" || bad "other.git has refs"

# 5. --git alone: the images are already in the registry the state names.
sed -i 's/^version: 1.1.1$/version: 1.2.0/; s/^sequence: 2$/sequence: 3/' rel/spec.yaml
sed -i 's/replicas: 3/replicas: 4/' rel/k8s/app.yaml
check "pack sequence 3" -- "$PACK" create rel/spec.yaml --key k.key -o s3.tar.zst
uploads_before=$(grep -c 'POST /v2/[^ ]*/blobs/uploads/' "$T/reg-site/log" || true)
check "--git alone takes the registry from the branch's last import" -- "$IMPORT" import s3.tar.zst --pubkey k.pub \
  "${reg[@]}" --git "$URL" --values values.yaml --json
check "it checked the images instead of loading them" -- jq -e \
  --arg r "$site_HOST" '.loaded == false and .registry == $r and .prefix == "site" and .git.commit != null' out.txt
[ "$(grep -c 'POST /v2/[^ ]*/blobs/uploads/' "$T/reg-site/log" || true)" = "$uploads_before" ] \
  && ok "--git alone uploads nothing" || bad "--git alone uploaded"
git init -q --bare alone.git
expect_exit 2 "no --registry" "--git alone on a fresh branch without --registry: exit 2" -- \
  "$IMPORT" import s2.tar.zst --pubkey k.pub "${reg[@]}" --git "file://$T/alone.git" --values values.yaml
grep -qF "file://$T/alone.git" err.txt && ok "the message names the remote" || bad "message: $(cat err.txt)"
[ -z "$(git --git-dir=alone.git for-each-ref)" ] && ok "nothing was committed to alone.git" \
  || bad "alone.git has refs: $(git --git-dir=alone.git for-each-ref)"

# 6. Promote to environment branches; prod carries its own overlay.
git --git-dir=remote.git branch -q prod dev~1  # prod starts one import behind
check "promote dev to prod (fast-forward)" -- "$IMPORT" promote --git "$URL" --from dev --to prod --json
check "prod fast-forwarded" -- jq -e '.result == "fast-forward"' out.txt
[ "$(git --git-dir=remote.git rev-parse prod)" = "$(git --git-dir=remote.git rev-parse dev)" ] \
  && ok "prod is at dev" || bad "prod is not at dev"
check "promote dev to staging (created)" -- "$IMPORT" promote --git "$URL" --from dev --to staging --json
check "staging was created at dev" -- jq -e '.result == "created"' out.txt
git -C wt fetch -q origin && git -C wt checkout -q -b prod origin/prod
mkdir -p wt/overlays/prod
cat > wt/overlays/prod/kustomization.yaml <<'YAML'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../demo]
namePrefix: prod-
YAML
git -C wt add overlays && git -C wt commit -q -m "prod overlay" && git -C wt push -q origin prod
bump() {  # bump VERSION SEQUENCE REPLICAS: the next release
  sed -i -E "s/^version: .*/version: $1/; s/^sequence: .*/sequence: $2/" rel/spec.yaml
  sed -i -E "s/replicas: [0-9]+/replicas: $3/" rel/k8s/app.yaml
  "$PACK" create rel/spec.yaml --key k.key -o "s$2.tar.zst" > /dev/null
}
bump 1.3.0 4 5
check "import sequence 4 to dev" -- "$IMPORT" import s4.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site \
  "${reg[@]}" --git "$URL" --values values.yaml
check "promote dev to prod (merge)" -- "$IMPORT" promote --git "$URL" --from dev --to prod --json
check "a merge commit" -- jq -e '.result == "merged"' out.txt
[ "$(git --git-dir=remote.git rev-list --parents -1 prod | wc -w)" = 3 ] && ok "prod's tip has two parents" \
  || bad "prod's tip is not a merge"
check "prod keeps its overlay" -- git --git-dir=remote.git cat-file -e prod:overlays/prod/kustomization.yaml
show prod:demo/app.yaml | grep -q 'replicas: 5' && ok "prod has sequence 4" || bad "prod lacks sequence 4"
rm -rf wt2 && git clone -q -b prod remote.git wt2
check "kubectl kustomize builds the prod overlay" -- kubectl kustomize wt2/overlays/prod
grep -q 'name: prod-app' out.txt && grep -qF "$site_HOST/site/org/app:1.0@sha256:" out.txt \
  && ok "the overlay's build has prefixed names and pinned images" || bad "overlay build: $(head -30 out.txt)"
check "promote again: up to date" -- bash -o pipefail -c \
  "'$IMPORT' promote --git '$URL' --from dev --to prod --json | jq -e '.result == \"up-to-date\"'"

# A conflicting promote is refused and prod does not move.
sed -i -E 's/replicas: 5/replicas: 9  # prod hotfix/' wt2/demo/app.yaml
git -C wt2 commit -q -am "hotfix on prod" && git -C wt2 push -q origin prod
bump 1.4.0 5 6
check "import sequence 5 to dev" -- "$IMPORT" import s5.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site \
  "${reg[@]}" --git "$URL" --values values.yaml
prod_before=$(git --git-dir=remote.git rev-parse prod)
expect_exit 1 "conflict" "a conflicting promote is refused" -- "$IMPORT" promote --git "$URL" --from dev --to prod
grep -q "demo/app.yaml" err.txt && ok "the conflict lists demo/app.yaml" || bad "conflict message: $(cat err.txt)"
[ "$(git --git-dir=remote.git rev-parse prod)" = "$prod_before" ] && ok "prod did not move" || bad "prod moved"

# 7. A network transport: git daemon on loopback.
git init -q --bare served/net.git
for _ in 1 2 3; do
  gport=$(free_port)
  git daemon --reuseaddr --base-path="$T/served" --export-all --enable=receive-pack --listen=127.0.0.1 \
    --port="$gport" "$T/served" > "$T/daemon.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$gport") 2> /dev/null && break 2; sleep 0.1; done
done
check "import over git://" -- "$IMPORT" import s1.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site \
  "${reg[@]}" --git "git://127.0.0.1:$gport/net.git" --branch dev --values values.yaml
git --git-dir=served/net.git log -1 --format=%B dev | grep -qx "Airlock-Bundle: $digest1" \
  && ok "the commit arrived over git://" || bad "no commit in served/net.git"
expect_exit 4 "127.0.0.1:1" "an unreachable remote: exit 4 naming it" -- "$IMPORT" import s1.tar.zst --pubkey k.pub \
  --registry "$site_HOST" --prefix site "${reg[@]}" --git "git://127.0.0.1:1/none.git" --values values.yaml

# 8. https://: git's own http-backend behind TLS (the test CA) and basic auth.
git init -q --bare https-root/site.git
start_git_https "$T/https-root" alice:s3cret-pw x-access-token:tok-0123456789
HURL=https://localhost:$GIT_HTTPS_PORT/site.git
hgit=(--git "$HURL" --git-ca-file "$T/ca/ca.pem")
himport=("$IMPORT" import s1.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site "${reg[@]}" --values values.yaml)
expect_exit 4 "asks for credentials" "https without credentials: exit 4" -- "${himport[@]}" "${hgit[@]}"
grep -qF "$HURL" err.txt && ok "the message names the remote" || bad "no URL in: $(cat err.txt)"
expect_exit 4 "certificate" "https with a certificate the system does not trust: exit 4" -- \
  env AIRLOCK_GIT_TOKEN=tok-0123456789 "${himport[@]}" --git "$HURL"
expect_exit 4 "refused" "a wrong token: exit 4" -- env AIRLOCK_GIT_TOKEN=tok-wrong-value "${himport[@]}" "${hgit[@]}"
grep -qF 'AIRLOCK_GIT_TOKEN' err.txt && ! grep -qF 'tok-wrong-value' err.txt \
  && ok "the message names the token's source, never the token" || bad "refusal message: $(cat err.txt)"
[ -z "$(git --git-dir=https-root/site.git for-each-ref)" ] && ok "nothing reached the https remote" \
  || bad "refs after failures: $(git --git-dir=https-root/site.git for-each-ref)"
: > https.log
check "import over https:// with a token" -- env AIRLOCK_GIT_TOKEN=tok-0123456789 "${himport[@]}" "${hgit[@]}"
git --git-dir=https-root/site.git log -1 --format=%B dev | grep -qx "Airlock-Bundle: $digest1" \
  && ok "the commit arrived over https://" || bad "no commit in https-root/site.git"
grep -q "POST /site.git/git-receive-pack 200 x-access-token" https.log && ! grep -q " 401 " https.log \
  && ok "the token went with every request (no 401 round trips)" || bad "https log: $(cat https.log)"
check "a replay over https:// with user and password from the environment" -- \
  env AIRLOCK_GIT_USERNAME=alice AIRLOCK_GIT_PASSWORD=s3cret-pw "${himport[@]}" "${hgit[@]}"
grep -q "already imported" out.txt && grep -q "GET /site.git/info/refs?service=git-upload-pack 200 alice" https.log \
  && ok "it is already imported, read as alice" || bad "replay over https: $(cat out.txt)"
printf 'https://bob:nope@localhost:%s\nhttps://alice:s3cret-pw@localhost:%s/site.git\n' "$(cat https.port)" \
  "$(cat https.port)" > git-credentials
check "import over https:// with user:password in the URL" -- "$IMPORT" import s5.tar.zst --pubkey k.pub \
  --registry "$site_HOST" --prefix site "${reg[@]}" --values values.yaml --git-ca-file "$T/ca/ca.pem" \
  --git "https://alice:s3cret-pw@localhost:$(cat https.port)/site.git" --json
check "the report shows the URL without the password" -- jq -e '.git.url | test("alice:[*]+@") and (contains("s3cret") | not)' out.txt
! git --git-dir=https-root/site.git grep -q s3cret-pw dev -- && ok "the committed receipt has no password" \
  || bad "the password is in the branch: $(git --git-dir=https-root/site.git grep s3cret-pw dev --)"
: > https.log
check "promote over https:// with a credentials file (its most specific line)" -- \
  "$IMPORT" promote "${hgit[@]}" --git-credentials git-credentials --from dev --to prod
[ "$(git --git-dir=https-root/site.git rev-parse prod)" = "$(git --git-dir=https-root/site.git rev-parse dev)" ] \
  && grep -q "POST /site.git/git-receive-pack 200 alice" https.log && ok "prod created over https:// as alice" \
  || bad "prod over https: $(tail -3 https.log)"

# 9. ssh://: OpenSSH's sshd on loopback; a key file, the agent, host keys.
mkdir -p "$HOME/.ssh"
start_sshd
sport=$SSHD_PORT
git init -q --bare ssh-remote.git
SURL="ssh://$(id -un)@127.0.0.1:$sport$T/ssh-remote.git"
simport=("$IMPORT" import s1.tar.zst --pubkey k.pub --registry "$site_HOST" --prefix site "${reg[@]}" --values values.yaml
  --git "$SURL")
expect_exit 4 "known_hosts" "an ssh host key that is not in known_hosts: exit 4" -- \
  "${simport[@]}" --git-ssh-key sshd/client_key
known_host sshd/stranger_key.pub > "$HOME/.ssh/known_hosts"
expect_exit 4 "hostkey" "a host key that differs from known_hosts: exit 4" -- \
  "${simport[@]}" --git-ssh-key sshd/client_key
known_host sshd/host_key.pub > "$HOME/.ssh/known_hosts"
expect_exit 4 "was refused" "a key the server does not accept: exit 4 naming it" -- \
  "${simport[@]}" --git-ssh-key sshd/stranger_key
[ -z "$(git --git-dir=ssh-remote.git for-each-ref)" ] && ok "nothing reached the ssh remote" \
  || bad "refs after failures: $(git --git-dir=ssh-remote.git for-each-ref)"
check "import over ssh:// with a key file" -- "${simport[@]}" --git-ssh-key sshd/client_key
git --git-dir=ssh-remote.git log -1 --format=%B dev | grep -qx "Airlock-Bundle: $digest1" \
  && ok "the commit arrived over ssh://" || bad "no commit in ssh-remote.git"
eval "$(ssh-agent -s)" > /dev/null
PIDS+=("$SSH_AGENT_PID")
ssh-add -q sshd/client_key 2> /dev/null
check "promote over ssh:// with the key in the agent" -- "$IMPORT" promote --git "$SURL" --from dev --to prod
[ "$(git --git-dir=ssh-remote.git rev-parse prod)" = "$(git --git-dir=ssh-remote.git rev-parse dev)" ] \
  && ok "prod created over ssh://" || bad "prod missing in ssh-remote.git"
kill "$SSH_AGENT_PID" 2> /dev/null || true
unset SSH_AUTH_SOCK SSH_AGENT_PID

# 10. On Argo Rollouts' released install.yaml: only its image line changes.
real=$ROOT/../shared/fixtures/real/argo-rollouts-install.yaml
if [ -f "$real" ]; then
  start_registry mirror
  "$TESTKIT" layout argo-lay r --layer 7:200000 > /dev/null
  seed argo-lay r "$mirror_HOST" quay.io/argoproj/argo-rollouts:latest
  write_auth_file mauth.json "$mirror_HOST"
  mkdir -p argo/k8s && cp "$real" argo/k8s/install.yaml
  printf 'name: argo\nversion: "1"\nsequence: 1\nmanifests: [k8s]\nmirrors:\n  quay.io: %s/quay.io\n' "$mirror_HOST" > argo/spec.yaml
  check "pack Argo Rollouts through a mirror" -- "$PACK" create argo/spec.yaml --key k.key -o argo.tar.zst \
    --auth-file mauth.json --ca-file "$T/ca/ca.pem"
  check "import it with --git" -- "$IMPORT" import argo.tar.zst --pubkey k.pub --registry "$site_HOST" "${reg[@]}" \
    --git "$URL" --branch argo
  show argo:argo/install.yaml > argo-committed.yaml
  diff "$real" argo-committed.yaml > argo.diff || true
  [ "$(grep -c '^<' argo.diff)" = 1 ] && [ "$(grep -c '^>' argo.diff)" = 1 ] \
    && grep -q '^> *- image: '"$site_HOST"'/argoproj/argo-rollouts:latest@sha256:' argo.diff \
    && ok "the committed install.yaml differs from the original only on its image line" || bad "argo diff: $(cat argo.diff)"
else
  echo "skip: $real not present"
fi

finish
