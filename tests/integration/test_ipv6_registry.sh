#!/usr/bin/env bash
# A registry written as an IPv6 literal, end to end: Debian's docker-registry
# listening on [::1] with TLS (a certificate from the test CA that names IP
# ::1; see make_ca for why ::1 alone) and htpasswd. airlock-import loads a bundle into [::1]:PORT, airlock-pack pulls
# an image that YAML references as [::1]:PORT/..., and an import with --git
# renders references to [::1]:PORT/<prefix>/... . skopeo cannot parse IPv6
# references, so it checks the same storage through a second registry on
# 127.0.0.1.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

if ! ip -6 addr show dev lo 2> /dev/null | grep -q 'inet6 ::1/128'; then
  echo "skipped: the loopback interface has no ::1"
  exit 0
fi

site_git_env
make_ca
REG_ADDR=::1 start_registry v6
[[ "$v6_HOST" == "[::1]:$v6_PORT" ]] && ok "the registry listens on $v6_HOST" || bad "v6_HOST is $v6_HOST"
write_auth_file auth.json "$v6_HOST"
reg=(--auth-file auth.json --ca-file "$T/ca/ca.pem")
"$PACK" keygen --out k > /dev/null
requests() { grep -c 'HTTP/' "$T/reg-v6/log" || true; }
# manifest_digest REPO REF: the digest of the manifest the [::1] registry serves.
manifest_digest() {
  printf 'sha256:%s' "$(curl -sf --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' "https://$v6_HOST/v2/$1/manifests/$2" \
    | sha256sum | cut -d' ' -f1)"
}

# 1. Import into the IPv6 registry (blob uploads follow the registry's
# Location, which names [::1]:PORT).
"$TESTKIT" layout lay app --layer 1:300000 --layer 2:100000 > /dev/null
printf 'name: seed\nversion: "1"\nsequence: 1\nimages:\n  - {source: "oci:lay:app", name: "team/app:1"}\n' > seed.yaml
check "pack a layout image" -- "$PACK" create seed.yaml --key k.key -o seed.tar.zst
want=$("$IMPORT" inspect seed.tar.zst --json | jq -r '.images[0].digest')
check "import into --registry $v6_HOST" -- "$IMPORT" import seed.tar.zst --pubkey k.pub --registry "$v6_HOST" \
  "${reg[@]}" --json
check "the summary names the IPv6 registry" -- jq -e --arg r "$v6_HOST/team/app" \
  '.registry == "'"$v6_HOST"'" and .imported[0].repository == $r' out.txt
got=$(manifest_digest team/app 1)
[ "$got" = "$want" ] && ok "team/app:1 is in the IPv6 registry at the bundle's digest" \
  || bad "registry has $got, bundle $want"
mkdir -p "$T/reg-v4" && ln -s "$T/reg-v6/data" "$T/reg-v4/data"
start_registry v4
check "skopeo, through 127.0.0.1, pulls what was imported" -- skopeo copy --quiet --src-creds "$REG_USER:$REG_PASS" \
  --src-cert-dir "$T/certs.d" "docker://$v4_HOST/team/app:1" oci:pulled:app

# 2. Pack an image that YAML names by the IPv6 registry.
mkdir -p rel/k8s
cat > rel/k8s/app.yaml <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - {name: app, image: "$v6_HOST/team/app:1"}
YAML
printf 'name: rel\nversion: "1"\nsequence: 1\nmanifests: [k8s]\n' > rel/spec.yaml
check "images finds the IPv6 reference in the YAML" -- "$PACK" images rel/spec.yaml --json
check "its name drops the host, its source keeps it" -- jq -e --arg s "docker://$v6_HOST/team/app:1" \
  '.images | length == 1 and .[0].name == "team/app:1" and .[0].source == $s' out.txt
check "pack from the IPv6 registry" -- "$PACK" create rel/spec.yaml --key k.key -o b.tar.zst "${reg[@]}"
check "the bundle verifies" -- "$IMPORT" verify b.tar.zst --pubkey k.pub --json
check "the bundle has the image at the registry's digest" -- \
  jq -e --arg d "$want" --arg s "docker://$v6_HOST/team/app:1" \
  '.images[0].name == "team/app:1" and .images[0].digest == $d and .images[0].source == $s' out.txt

# 3. Import with --git: the YAML's reference is rewritten to the IPv6 registry, pinned.
git init -q --bare remote.git
check "import --registry $v6_HOST --prefix site --git" -- "$IMPORT" import b.tar.zst --pubkey k.pub \
  --registry "$v6_HOST" --prefix site "${reg[@]}" --git "file://$T/remote.git"
got=$(manifest_digest site/team/app 1)
[ "$got" = "$want" ] && ok "site/team/app:1 landed at the bundle's digest" || bad "registry has $got, bundle $want"
check "the rendered YAML pins the image in the IPv6 registry" -- bash -o pipefail -c \
  "git --git-dir=remote.git show dev:rel/app.yaml | grep -qF 'image: \"$v6_HOST/site/team/app:1@$want\"'"
mkdir -p rendered/k8s && git --git-dir=remote.git show dev:rel/app.yaml > rendered/k8s/app.yaml
printf 'name: r\nversion: "1"\nsequence: 1\nmanifests: [k8s]\n' > rendered/spec.yaml
check "the rendered reference reads back as the IPv6 registry's" -- "$PACK" images rendered/spec.yaml --json
check "with the same name, pinned" -- jq -e --arg s "docker://$v6_HOST/site/team/app:1@$want" \
  '.images | length == 1 and .[0].name == "site/team/app:1" and .[0].source == $s' out.txt

# 4. What cannot be contacted as written is refused before any request.
before=$(requests)
printf 'name: x\nversion: "1"\nsequence: 1\nimages: ["[::1]:%s/team/app:1"]\n' "$((v6_PORT + 65536))" > wrap.yaml
expect_exit 2 "is not a TCP port (1 to 65535)" "a port over 65535 (the resolver would wrap it to $v6_PORT)" -- \
  "$PACK" create wrap.yaml --key k.key -o out.tar.zst "${reg[@]}"
printf 'name: x\nversion: "1"\nsequence: 1\nimages: ["[fd00::1]:5000/team/app:1"]\n' > hex.yaml
expect_exit 2 "an IPv6 address with hex letters cannot be contacted yet" "an IPv6 registry with hex letters" -- \
  "$PACK" create hex.yaml --key k.key -o out.tar.zst "${reg[@]}"
expect_exit 2 "is not a TCP port" "import --registry with a port over 65535" -- \
  "$IMPORT" import seed.tar.zst --pubkey k.pub --registry "[::1]:$((v6_PORT + 65536))" "${reg[@]}"
[ "$(requests)" = "$before" ] && ok "none of them reached the registry" \
  || bad "the registry saw $(($(requests) - before)) requests"
if ls out.tar.zst* > /dev/null 2>&1; then bad "output left: $(ls out.tar.zst*)"; else ok "no output left"; fi

finish
