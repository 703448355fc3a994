#!/usr/bin/env bash
# Every command's inputs, the same way: a directory where a file belongs, a
# missing file, a name holding a terminal escape. Each is a usage error
# (exit 2) that names the flag or the path, printed escaped, and leaves
# nothing behind.
source "$(dirname "$0")/lib.sh" "$1"

make_release
"$PACK" keygen --out k > /dev/null
"$PACK" create rel/spec.yaml --key k.key -o b.tar.zst > /dev/null
mkdir adir
esc=$'evil\e[2J\e[HVERIFIED'

# expect_usage SUBSTRING DESCRIPTION -- command...: exit 2, the message, no
# raw escape byte on stderr, nothing new in the directory.
expect_usage() {
  local substr=$1 desc=$2 before
  shift 3
  before=$(ls -A | grep -vx 'out.txt\|err.txt\|out.next' | sort)
  expect_exit 2 "$substr" "$desc" -- "$@"
  if grep -q $'\e' "$T/err.txt"; then bad "$desc: an escape byte reached stderr"; fi
  local after
  after=$(ls -A | grep -vx 'out.txt\|err.txt\|out.next' | sort)
  [ "$after" = "$before" ] || bad "$desc: left $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
}

# The bundle argument.
for cmd in "verify --pubkey k.pub" inspect; do
  expect_usage "bundle adir is a directory" "$cmd: a directory as the bundle" -- "$IMPORT" $cmd adir
  expect_usage "cannot open bundle nosuch.tar.zst" "$cmd: a missing bundle" -- "$IMPORT" $cmd nosuch.tar.zst
  expect_usage 'evil\x1b[2J\x1b[HVERIFIED' "$cmd: a bundle name with escapes is printed escaped" -- \
    "$IMPORT" $cmd "$esc"
done
expect_usage "bundle adir is a directory" "import: a directory as the bundle" -- \
  "$IMPORT" import adir --pubkey k.pub --registry localhost:1
expect_usage "bundle adir is a directory" "sign: a directory as the bundle" -- \
  "$PACK" sign adir --key k.key -o out.tar.zst

# Keys and policies.
expect_usage "adir is not a regular file" "verify --pubkey a directory" -- "$IMPORT" verify b.tar.zst --pubkey adir
expect_usage "cannot open nosuch.pub" "verify --pubkey missing" -- "$IMPORT" verify b.tar.zst --pubkey nosuch.pub
expect_usage "adir is not a regular file" "verify --trust-policy a directory" -- \
  "$IMPORT" verify b.tar.zst --trust-policy adir
expect_usage "adir is not a regular file" "create --key a directory" -- \
  "$PACK" create rel/spec.yaml --key adir -o out.tar.zst
expect_usage "adir is not a regular file" "sign --key a directory" -- "$PACK" sign b.tar.zst --key adir -o out.tar.zst
expect_usage 'evil\x1b[2J' "create --key with escapes in its name" -- "$PACK" create rel/spec.yaml --key "$esc" -o out.tar.zst

# Outputs: refused before any work.
expect_usage "output adir is a directory" "create -o a directory" -- "$PACK" create rel/spec.yaml --key k.key -o adir
expect_usage "its directory nodir does not exist" "create -o into a missing directory" -- \
  "$PACK" create rel/spec.yaml --key k.key -o nodir/out.tar.zst
expect_usage "output adir is a directory" "sign -o a directory" -- "$PACK" sign b.tar.zst --key k.key -o adir
expect_usage "" "keygen --out into a missing directory" -- "$PACK" keygen --out nodir/k

# Specs and other files.
expect_usage "adir is not a regular file" "create with a directory as the spec" -- \
  "$PACK" create adir --key k.key -o out.tar.zst
expect_usage "adir is not a regular file" "images with a directory as the spec" -- "$PACK" images adir
expect_usage "adir is not a regular file" "create --auth-file a directory" -- \
  "$PACK" create rel/spec.yaml --key k.key -o out.tar.zst --auth-file adir
expect_usage "adir is not a regular file" "import --values a directory" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry localhost:1 --git "file://$T/nosuch.git" --values adir

# Flag values that become names.
expect_usage "is not HOST[:PORT]" "import --registry that is not a host" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry registry
expect_usage 'evil\x1b[2J' "import --registry with escapes is printed escaped" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry "$esc"
expect_usage "not a valid repository path component" "import --prefix with uppercase" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry localhost:1 --prefix Vendor
for p in .airlock .git x/.GIT/y ../.. . /abs overlays/prod; do
  expect_usage "--path" "import --path $p" -- \
    "$IMPORT" import b.tar.zst --pubkey k.pub --registry localhost:1 --git "file://$T/nosuch.git" --path "$p"
done
expect_usage 'evil\x1b[2J' "import --path with escapes is printed escaped" -- \
  "$IMPORT" import b.tar.zst --pubkey k.pub --registry localhost:1 --git "file://$T/nosuch.git" --path "$esc"
expect_usage "" "an unknown option with escapes" -- "$IMPORT" verify b.tar.zst "--$esc"

finish
