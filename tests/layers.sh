#!/usr/bin/env bash
# The layers hold: common/ < formats/ < packer/, importer/ < cli/. A file
# may include only from its own layer or a lower one; packer/ and
# importer/ never include each other, nor cli/pack/ the importer or
# cli/import/ the packer. Unit tests obey the layer they test; the testkit
# uses the library, never the command lines.
#   tests/layers.sh [SOURCE_DIR]   prints every violation, exits 1 if any
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

allowed() {  # allowed FILE -> the include prefixes FILE may use
  case "$1" in
    common/*) echo "common" ;;
    formats/*) echo "common formats" ;;
    packer/*) echo "common formats packer" ;;
    importer/*) echo "common formats importer" ;;
    tests/unit/common/*) echo "common tests" ;;
    tests/unit/formats/*) echo "common formats tests" ;;
    tests/unit/packer/*) echo "common formats packer tests" ;;
    tests/unit/importer/*) echo "common formats importer tests" ;;
    cli/pack/*) echo "common formats packer cli" ;;
    cli/import/*) echo "common formats importer cli" ;;
    cli/*) echo "common formats packer importer cli" ;;
    tests/testkit/*) echo "common formats packer importer tests" ;;
    tests/unit/*) echo "common formats packer importer tests" ;;
    *) echo "" ;;
  esac
}

violations=0
while IFS= read -r file; do
  ok=$(allowed "$file")
  [ -n "$ok" ] || continue
  while IFS=: read -r line include; do
    layer=${include%%/*}
    case " $ok " in
      *" $layer "*) ;;
      *)
        echo "$file:$line: includes \"$include\" from $layer/, above or beside its layer (may use: $ok)"
        violations=$((violations + 1))
        ;;
    esac
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" | sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1:\2/' |
    grep -E ':(common|formats|packer|importer|cli|tests)/' || true)
done < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' 2> /dev/null ||
  find . -name '*.[ch]pp' -not -path './build*' | sed 's#^\./##')

if [ "$violations" -gt 0 ]; then
  echo "$violations include(s) break the layers" >&2
  exit 1
fi
echo "layers hold"
