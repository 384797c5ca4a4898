#!/usr/bin/env bash
# check-layers: includes point down the flow of src/DESIGN.md, never up.
# Each module has a layer; a file may include headers of lower layers and its
# own. Only http includes microhttpd.h; only store includes sqlite3.h. A
# module's private src/<module>_impl.h is included by its own parts only.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A layer=(
  [xalloc]=0 [err]=0
  [log]=1 [buf]=1 [b64]=1 [clock]=1 [ids]=1 [uri]=1
  [attr]=2 [metrics]=2 [sigv4]=2
  [store]=3 [expr]=3 [route]=3
  [item]=4 [handler]=4 [healthcheck]=4 [usage]=4
  [handler_items]=5 [handler_manager]=5 [handler_builtin]=5
  [function]=6
  [config]=7
  [ddb]=8 [gateway]=8
  [http]=9 [seed]=9
  [main]=10
)
# The module a file name (without .c or .h) belongs to: src/<module>_<part>.c
# and src/<module>_impl.h belong to <module> (src/DESIGN.md: a module that grows).
module_of() {
  local m=$1
  while [[ -z ${layer[$m]+x} && $m == *_* ]]; do m=${m%_*}; done
  echo "$m"
}
fail=0
for f in src/*.c src/*_impl.h include/*.h; do
  mod=$(basename "$f"); mod=$(module_of "${mod%.*}")
  [[ -n ${layer[$mod]+x} ]] || { echo "check-layers: $f: module '$mod' has no layer in $0"; fail=1; continue; }
  while read -r inc; do
    dep=${inc%.h}
    case "$inc" in
      microhttpd.h) [[ $mod == http ]] || { echo "check-layers: $f includes microhttpd.h (only http may)"; fail=1; } ;;
      sqlite3.h) [[ $mod == store ]] || { echo "check-layers: $f includes sqlite3.h (only store may)"; fail=1; } ;;
    esac
    if [[ $inc == *_impl.h && -f src/$inc ]]; then
      owner=$(module_of "${inc%.h}")
      [[ $owner == "$mod" ]] || { echo "check-layers: $f includes $inc (private to module $owner)"; fail=1; }
      continue
    fi
    [[ -f include/$inc ]] || continue
    [[ $dep == "$mod" ]] && continue
    if (( ${layer[$dep]} >= ${layer[$mod]} )); then
      echo "check-layers: $f (layer ${layer[$mod]}) includes $inc (layer ${layer[$dep]}): includes must point down"
      fail=1
    fi
  done < <(sed -n 's/^#include [<"]\([^>"]*\)[>"].*/\1/p' "$f")
done
[[ $fail == 0 ]] && echo "check-layers: ok"
exit $fail
