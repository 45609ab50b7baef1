#!/usr/bin/env bash
# Build the cluster components (test/cluster/components/<name>/) into the cache, once per
# content: each goes to $cache/bin/<name>-<key>/, key = sha256 of the component's files and
# `go version` (see pd_component_key in lib.sh). A dir with a .complete marker is reused;
# otherwise build.sh runs into a temp dir that is renamed only when the build succeeded.
#
#   build-components.sh [name...]        build the named components (default: all)
#   build-components.sh --print-dir NAME print NAME's bin dir; exit 1 if it is not built
#   build-components.sh --list           print the component names
#   build-components.sh --prune          remove cached builds that no component here uses now
#                                        (other checkouts at other commits may still want them)
#
# Progress goes to stderr; a build's own output goes to $cache/logs/<name>-<key>.log and
# its tail is printed if it fails.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  --print-dir) pd_component_bin "${2:?usage: build-components.sh --print-dir NAME}"; exit ;;
  --list) pd_components; exit ;;
  --prune)
    # remove cached builds whose key is no longer the current one of any component here
    keep=$(for n in $(pd_components); do basename "$(pd_component_dir "$n")"; done)
    for d in "$(pd_cache_root)"/bin/*/; do
      [[ -d $d ]] || continue
      d=${d%/}
      grep -qxF "$(basename "$d")" <<<"$keep" && continue
      echo "removing $d" >&2; rm -rf "$d"
    done
    exit ;;
  -h|--help) sed -n '2,14p' "$0"; exit ;;
esac

command -v go >/dev/null || { pd_log "go is not on PATH"; exit 1; }

if (($#)); then names=("$@"); else mapfile -t names < <(pd_components); fi
cache=$(pd_cache_root)
mkdir -p "$cache/bin" "$cache/logs"

status=0
tmp=
trap '[[ -n $tmp ]] && rm -rf "$tmp"' EXIT
for name in "${names[@]}"; do
  dir=$(pd_component_dir "$name") || { status=1; continue; }
  key=${dir##*-}
  if [[ -f "$dir/.complete" ]]; then
    printf '%-20s cached   %s\n' "$name" "$dir" >&2
    continue
  fi
  # One build per component at a time (another checkout or shell may be building it too).
  exec {lock}>"$cache/bin/.$name.lock"
  flock "$lock"
  if [[ -f "$dir/.complete" ]]; then
    printf '%-20s cached   %s (built meanwhile by another process)\n' "$name" "$dir" >&2
    exec {lock}>&-
    continue
  fi
  # Holding the lock, any temp dir of this component is from a build that was interrupted.
  rm -rf "$cache/bin/.$name-"*.tmp.*
  tmp=$(mktemp -d "$cache/bin/.$name-$key.tmp.XXXXXX")
  chmod 755 "$tmp"
  log="$cache/logs/$name-$key.log"
  printf '%-20s building (log %s)\n' "$name" "$log" >&2
  start=$SECONDS
  if bash "$PD_CLUSTER_ROOT/components/$name/build.sh" "$tmp" >"$log" 2>&1; then
    touch "$tmp/.complete"
    rm -rf "$dir"                # a leftover without .complete is not a build
    mv -T "$tmp" "$dir"
    tmp=
    printf '%-20s built    in %ds  %s\n' "$name" "$((SECONDS - start))" "$dir" >&2
  else
    rm -rf "$tmp"; tmp=
    printf '%-20s FAILED   after %ds; last lines of %s:\n' "$name" "$((SECONDS - start))" "$log" >&2
    tail -n 30 "$log" | sed 's/^/    /' >&2
    status=1
  fi
  exec {lock}>&-
done
exit $status
