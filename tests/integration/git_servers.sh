# Git servers on loopback for the integration tests that reach git remotes
# over the network, sourced after lib.sh and registry.sh (and after make_ca:
# the https server uses the test CA's server certificate).

# start_git_https ROOT USER:PASSWORD...
# git's own http-backend serving the bare repositories under ROOT, behind
# TLS and basic auth (tests/integration/git_https_server.py). Sets
# GIT_HTTPS_PORT; logs each request to $T/https.log, git's packet trace to
# $T/https.trace.
start_git_https() {
  local root=$1 cred args=()
  shift
  for cred in "$@"; do args+=(--cred "$cred"); done
  rm -f "$T/https.port"
  python3 "$ROOT/tests/integration/git_https_server.py" --root "$root" --cert "$T/ca/server.pem" \
    --key "$T/ca/server.key" --port-file "$T/https.port" --log "$T/https.log" --trace "$T/https.trace" \
    "${args[@]}" > "$T/https.err" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$T/https.port" ] && break; sleep 0.1; done
  GIT_HTTPS_PORT=$(cat "$T/https.port")
}

# start_sshd
# OpenSSH's sshd on 127.0.0.1, accepting $T/sshd/client_key for the current
# user (not $T/sshd/stranger_key); its host key is $T/sshd/host_key. Sets
# SSHD_PORT. Nothing is added to known_hosts.
start_sshd() {
  mkdir -p "$T/sshd"
  ssh-keygen -q -t ed25519 -N '' -f "$T/sshd/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$T/sshd/client_key"
  ssh-keygen -q -t ed25519 -N '' -f "$T/sshd/stranger_key"
  cp "$T/sshd/client_key.pub" "$T/sshd/authorized_keys" && chmod 600 "$T/sshd/authorized_keys"
  [ "$(id -u)" = 0 ] && mkdir -p /run/sshd  # its privilege separation directory, when run as root
  for _ in 1 2 3; do
    SSHD_PORT=$(free_port)
    printf '%s\n' "Port $SSHD_PORT" "ListenAddress 127.0.0.1" "HostKey $T/sshd/host_key" \
      "AuthorizedKeysFile $T/sshd/authorized_keys" "PidFile $T/sshd/pid" "StrictModes no" "UsePAM no" \
      "PasswordAuthentication no" "KbdInteractiveAuthentication no" "PermitRootLogin prohibit-password" \
      > "$T/sshd/config"
    /usr/sbin/sshd -f "$T/sshd/config" -E "$T/sshd/log" -D &
    PIDS+=($!)
    for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$SSHD_PORT") 2> /dev/null && return; sleep 0.1; done
  done
}

# known_host KEY.pub: the sshd's [127.0.0.1]:PORT line for ~/.ssh/known_hosts.
known_host() {
  printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$1")"
}
