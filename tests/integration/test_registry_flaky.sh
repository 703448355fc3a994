#!/usr/bin/env bash
# A registry that fails a random 5% of requests (the testkit's registry-front
# in front of a real docker-registry, for the upstream and for the site):
# pack and import either succeed or fail with exit 4 naming the registry and
# what, never hang, never corrupt; a failed import leaves no tag, and a
# re-run finishes the job.
source "$(dirname "$0")/lib.sh" "$1"
source "$ROOT/tests/integration/registry.sh"

make_ca
start_registry up
start_registry site
make_release
for img in "app v1 org/app:1.0" "web v3 org/web:3.0" "multi v2 org/multi:2.0"; do
  set -- $img
  seed "rel/layouts/$1" "$2" "$up_HOST" "$3" --all
done
export HOME=$T REGISTRY_AUTH_FILE=
"$PACK" keygen --out k > /dev/null
RSS_KIB=$((128 * 1024))  # pack's zstd workers and the prefetch buffers included

attempt_ok_or_4() {  # attempt_ok_or_4 DESC HOST -- cmd...: exit 0, or 4 naming the registry; sets rc
  local desc=$1 host=$2 start=$SECONDS
  shift 3
  rc=0
  timeout 300 /usr/bin/time -f %M -o "$T/rss.txt" "$@" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
  if [ "$rc" -eq 0 ]; then
    ok "$desc: succeeded"
  elif [ "$rc" -eq 4 ] && grep -qF "registry $host" "$T/err.txt"; then
    ok "$desc: exit 4 naming the registry: $(head -c 200 "$T/err.txt")"
  else
    bad "$desc: exit $rc: $(head -c 400 "$T/err.txt")"
  fi
  peak_rss_under "$RSS_KIB" "$desc"
  [ $((SECONDS - start)) -le 120 ] && ok "$desc: ended in $((SECONDS - start)) s" || bad "$desc: took $((SECONDS - start)) s"
}

# Pack through a flaky upstream, with five seeds (each a fixed sequence of
# injected failures).
packed=""
injected=0
for seed in 1 2 3 4 5; do
  start_front "p$seed" "$up_HOST" --fail-random 5 --seed "$seed"
  host_var=p${seed}_HOST
  printf 'name: demo\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0, %s/org/web:3.0, %s/org/multi:2.0]\n' \
    "${!host_var}" "${!host_var}" "${!host_var}" > flaky.yaml
  write_auth_file flaky.json "${!host_var}"
  attempt_ok_or_4 "pack through a flaky upstream (seed $seed)" "${!host_var}" -- \
    "$PACK" create flaky.yaml --key k.key -o "flaky$seed.tar.zst" --auth-file flaky.json --ca-file "$T/ca/ca.pem"
  if [ "$rc" -eq 0 ]; then
    check "the bundle of seed $seed verifies" -- "$IMPORT" verify "flaky$seed.tar.zst" --pubkey k.pub
    packed=flaky$seed.tar.zst
  elif ls "flaky$seed.tar.zst"* > /dev/null 2>&1; then
    bad "seed $seed: output left behind"
  else
    ok "seed $seed: no output left behind"
  fi
  injected=$((injected + $(grep -c "^injected random 503" "$T/front-p$seed.log" || true)))
done
[ "$injected" -gt 0 ] && ok "$injected failures were injected into the packs" || bad "no failure was injected into any pack"
if [ -z "$packed" ]; then
  # Every seed failed somewhere: the bundle for the import comes from the real registry directly.
  printf 'name: demo\nversion: "1"\nsequence: 1\nimages: [%s/org/app:1.0, %s/org/web:3.0, %s/org/multi:2.0]\n' \
    "$up_HOST" "$up_HOST" "$up_HOST" > direct.yaml
  write_auth_file direct.json "$up_HOST"
  check "pack directly" -- "$PACK" create direct.yaml --key k.key -o direct.tar.zst --auth-file direct.json --ca-file "$T/ca/ca.pem"
  packed=direct.tar.zst
fi

# Import through a flaky site registry until it succeeds (four seeds, each
# into its own prefix); after each failure no tag is visible at the site
# (asked of the registry itself, not the front).
tag_visible() {
  skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" "docker://$site_HOST/$1" > /dev/null 2>&1
}
want=$("$IMPORT" verify "$packed" --pubkey k.pub --json | jq -r '.images[] | select(.name == "org/app:1.0") | .digest')
failures=0
site_injected=0
for seed in 7 8 9 10; do
  start_front "s$seed" "$site_HOST" --fail-random 5 --seed "$seed"
  host_var=s${seed}_HOST
  write_auth_file site.json "${!host_var}"
  done_ok=0
  for n in 1 2 3 4 5 6; do
    attempt_ok_or_4 "import through a flaky site registry (seed $seed, attempt $n)" "${!host_var}" -- \
      "$IMPORT" import "$packed" --pubkey k.pub --registry "${!host_var}" --prefix "s$seed" --auth-file site.json \
      --ca-file "$T/ca/ca.pem"
    if [ "$rc" -eq 0 ]; then done_ok=1; break; fi
    failures=$((failures + 1))
    if tag_visible "s$seed/org/app:1.0" || tag_visible "s$seed/org/web:3.0" || tag_visible "s$seed/org/multi:2.0"; then
      bad "seed $seed attempt $n failed but a tag is visible at the site"
    else
      ok "seed $seed attempt $n failed and no tag is visible at the site"
    fi
  done
  [ "$done_ok" = 1 ] && ok "seed $seed: the import finished" || bad "seed $seed: the import never succeeded in 6 attempts"
  got=sha256:$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$T/certs.d" \
    "docker://$site_HOST/s$seed/org/app:1.0" | sha256sum | cut -d' ' -f1)
  [ "$want" = "$got" ] && ok "seed $seed: the site serves org/app:1.0 with the bundle's digest" \
    || bad "seed $seed: digest at the site: $got, want $want"
  check "seed $seed: the multi-platform image copies out whole (skopeo reads every blob)" -- \
    skopeo copy --quiet --all --src-creds "$REG_USER:$REG_PASS" --src-cert-dir "$T/certs.d" \
    "docker://$site_HOST/s$seed/org/multi:2.0" "oci:$T/out-$seed:x"
  # A seed may draw no failure in the few requests an import sends; the sum over seeds must not be zero.
  site_injected=$((site_injected + $(grep -c "^injected random 503" "$T/front-s$seed.log" || true)))
done
[ "$site_injected" -gt 0 ] && ok "$site_injected failures were injected at the site" \
  || bad "no failure was injected into any import"
echo "# $failures import attempts failed (exit 4) before a re-run finished them"

finish
