# Real registries for the integration tests: Debian's docker-registry (the
# CNCF distribution registry) on loopback, TLS from a test CA made here,
# htpasswd auth. Source after lib.sh.
#   make_ca                      -> $T/ca/{ca.pem,server.pem,server6.pem,server.key}, $T/certs.d/ca.crt
#   start_registry NAME [AUTH]   -> ${NAME}_PORT, ${NAME}_HOST; AUTH: htpasswd (default) | none | plain (no TLS) | token REALM ISSUER
#                                   listens on $REG_ADDR (default 127.0.0.1; REG_ADDR=::1 gives ${NAME}_HOST=[::1]:PORT)
#   seed LAYOUT REF NAME HOST REPO:TAG [--all]
REG_USER=airlock
REG_PASS=s3cret-pass
REG_REFRESH=refresh-token-0123

make_ca() {
  mkdir -p "$T/ca" "$T/certs.d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=airlock test CA" \
    -keyout "$T/ca/ca.key" -out "$T/ca/ca.pem" 2> /dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$T/ca/server.key" -out "$T/ca/server.csr" 2> /dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$T/ca/ext.cnf"
  openssl x509 -req -in "$T/ca/server.csr" -CA "$T/ca/ca.pem" -CAkey "$T/ca/ca.key" -CAcreateserial -days 2 \
    -extfile "$T/ca/ext.cnf" -out "$T/ca/server.pem" 2> /dev/null
  # The same key for a registry on [::1], naming ::1 as its only IP address:
  # cpp-httplib 0.11 compares 16 bytes of every IP subjectAltName with an
  # IPv6 host, reading past the end of a 4-byte IPv4 one.
  printf 'subjectAltName=IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$T/ca/ext6.cnf"
  openssl x509 -req -in "$T/ca/server.csr" -CA "$T/ca/ca.pem" -CAkey "$T/ca/ca.key" -CAcreateserial -days 2 \
    -extfile "$T/ca/ext6.cnf" -out "$T/ca/server6.pem" 2> /dev/null
  cp "$T/ca/ca.pem" "$T/certs.d/ca.crt"
  htpasswd -Bbn "$REG_USER" "$REG_PASS" > "$T/ca/htpasswd" 2> /dev/null
  # A self-signed CA nobody trusts, for the untrusted-certificate cases.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=rogue" \
    -keyout "$T/ca/rogue.key" -out "$T/ca/rogue.pem" 2> /dev/null
}

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return; }
  done
  return 1
}

start_registry() {
  local name=$1 auth=${2:-htpasswd} port dir addr=${REG_ADDR:-127.0.0.1} cert=$T/ca/server.pem
  if [[ "$addr" == *:* ]]; then  # an IPv6 address, bracketed as a URL and a reference write it
    addr="[$addr]"
    cert=$T/ca/server6.pem
  fi
  dir=$T/reg-$name
  mkdir -p "$dir/data"
  for _ in 1 2 3; do
    port=$(free_port)
    {
      printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n'
      printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/data"
      printf 'http:\n  addr: "%s:%s"\n' "$addr" "$port"
      [ "$auth" = plain ] || printf '  tls:\n    certificate: %s\n    key: %s\n' "$cert" "$T/ca/server.key"
      case "$auth" in
        htpasswd) printf 'auth:\n  htpasswd:\n    realm: airlock-test\n    path: %s\n' "$T/ca/htpasswd" ;;
        token) printf 'auth:\n  token:\n    realm: %s\n    service: airlock-test\n    issuer: %s\n    rootcertbundle: %s\n' "$3" "$4" "$T/ca/token.pem" ;;
        none) ;;
      esac
    } > "$dir/config.yml"
    # docker-registry maps every REGISTRY_* variable onto its config.
    env -u REGISTRY_AUTH_FILE docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 100); do
      local scheme=https
      [ "$auth" = plain ] && scheme=http
      if curl -s -o /dev/null --cacert "$T/ca/ca.pem" "$scheme://$addr:$port/v2/"; then
        printf -v "${name}_PORT" '%s' "$port"
        printf -v "${name}_HOST" '%s' "$addr:$port"
        printf -v "${name}_PID" '%s' "$pid"
        return 0
      fi
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    kill "$pid" 2> /dev/null || true
  done
  echo "cannot start docker-registry $name: $(tail -5 "$dir/log")" >&2
  return 1
}

# seed LAYOUT REF HOST REPO:TAG [--all]: copies an OCI layout image into a registry with skopeo.
seed() {
  local layout=$1 ref=$2 host=$3 dest=$4
  shift 4
  skopeo copy --quiet "$@" --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$T/certs.d" \
    "oci:$layout:$ref" "docker://$host/$dest"
}

# An auth file as docker login writes it.
write_auth_file() {  # write_auth_file FILE HOST [USER PASS]
  local user=${3:-$REG_USER} pass=${4:-$REG_PASS}
  printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$2" "$(printf '%s:%s' "$user" "$pass" | base64 -w0)" > "$1"
}

# start_token_registry NAME: a registry with token auth, and the testkit's
# token service beside it (its log: $T/token.log).
start_token_registry() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=airlock token signer" \
    -keyout "$T/ca/token.key" -out "$T/ca/token.pem" 2> /dev/null
  local tport
  for _ in 1 2 3; do
    tport=$(free_port)
    "$TESTKIT" token-server --port "$tport" --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
      --sign-key "$T/ca/token.key" --sign-cert "$T/ca/token.pem" --issuer airlock-test-issuer \
      --service airlock-test --user "$REG_USER" --pass "$REG_PASS" --refresh-token "$REG_REFRESH" > "$T/token.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do
      if curl -s -o /dev/null --cacert "$T/ca/ca.pem" "https://127.0.0.1:$tport/token"; then
        start_registry "$1" token "https://127.0.0.1:$tport/token" airlock-test-issuer
        return
      fi
      sleep 0.1
    done
  done
  echo "cannot start the token service: $(cat "$T/token.log")" >&2
  return 1
}

# start_front NAME UPSTREAM_HOST [registry-front options]: the testkit's
# failure-injecting TLS front for a real registry; log in $T/front-NAME.log.
start_front() {
  local name=$1 upstream=$2 port
  shift 2
  for _ in 1 2 3; do
    port=$(free_port)
    "$TESTKIT" registry-front --port "$port" --cert "$T/ca/server.pem" --key "$T/ca/server.key" --ca "$T/ca/ca.pem" \
      --upstream "https://$upstream" --user "$REG_USER" --pass "$REG_PASS" "$@" > "$T/front-$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 50); do
      if curl -s -o /dev/null --cacert "$T/ca/ca.pem" "https://127.0.0.1:$port/v2/"; then
        printf -v "${name}_HOST" '%s' "127.0.0.1:$port"
        return 0
      fi
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
  done
  echo "cannot start registry-front $name: $(cat "$T/front-$name.log")" >&2
  return 1
}

# start_hostile NAME MODE [hostile-registry options]: the testkit's hostile
# plain-HTTP registry (tests/testkit/hostile_registry.cpp) serving org/app:1.0;
# sets ${NAME}_HOST (and ${NAME}_STORAGE, its storage origin's port); log in
# $T/hostile-NAME.log.
start_hostile() {
  local name=$1 mode=$2 port sport
  shift 2
  for _ in 1 2 3; do
    port=$(free_port)
    sport=$(free_port)
    "$TESTKIT" hostile-registry --port "$port" --storage-port "$sport" --mode "$mode" \
      --user "$REG_USER" --pass "$REG_PASS" "$@" > "$T/hostile-$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 50); do
      if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
        printf -v "${name}_HOST" '%s' "127.0.0.1:$port"
        printf -v "${name}_STORAGE" '%s' "$sport"
        return 0
      fi
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
  done
  echo "cannot start hostile-registry $name: $(cat "$T/hostile-$name.log")" >&2
  return 1
}

# start_raw NAME MODE [--keep BYTES]: the testkit's raw-socket registry
# (tests/testkit/raw_registry.cpp) that closes (cut) or stops reading (stall)
# mid-upload, or answers GETs with a header bomb; sets ${NAME}_HOST; log in
# $T/raw-NAME.log.
start_raw() {
  local name=$1 mode=$2 port
  shift 2
  for _ in 1 2 3; do
    port=$(free_port)
    "$TESTKIT" raw-registry --port "$port" --mode "$mode" "$@" > "$T/raw-$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 50); do
      if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
        printf -v "${name}_HOST" '%s' "127.0.0.1:$port"
        return 0
      fi
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
  done
  echo "cannot start raw-registry $name: $(cat "$T/raw-$name.log")" >&2
  return 1
}

# peak_rss_under KIB DESC: checks the peak RSS that `/usr/bin/time -f %M -o
# $T/rss.txt` wrote for the last command. Sanitizer builds (their shadow
# memory alone is ~70 MiB) are not measured: the line says so.
peak_rss_under() {
  local kib
  # grep -c reads all of ldd's output (grep -q under pipefail races ldd's SIGPIPE).
  if [ "$(ldd "$PACK" 2> /dev/null | grep -cE 'lib(a|t)san')" != 0 ]; then
    printf 'skip %s: peak RSS not measured in a sanitizer build\n' "$2"
    return 0
  fi
  kib=$(tail -1 "$T/rss.txt")
  if [ "$kib" -le "$1" ]; then ok "$2: peak RSS $kib KiB <= $1 KiB"; else bad "$2: peak RSS $kib KiB > $1 KiB"; fi
}

# What a test asks a registry started here, as the registry answers it:
# tags HOST REPO: the repository's tags, one a line (nothing when none).
tags() {
  curl -s --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" "https://$1/v2/$2/tags/list" | jq -r '.tags // [] | .[]'
}
# status HOST REPO KIND REF: the HTTP status of HEAD /v2/REPO/KIND/REF (KIND manifests or blobs).
status() {
  curl -s -o /dev/null -w '%{http_code}' -I --cacert "$T/ca/ca.pem" -u "$REG_USER:$REG_PASS" \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' \
    "https://$1/v2/$2/$3/$4"
}
# manifest_puts NAME: manifest PUTs in registry NAME's access log so far.
manifest_puts() { grep -c 'PUT /v2/[^ ]*/manifests/' "$T/reg-$1/log" || true; }
