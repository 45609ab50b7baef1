#!/usr/bin/env bash
# Regenerate the typed CRD bindings in imports/ with `cdk8s import`.
#
# Usage:
#   scripts/import-crds.sh [CRD_DIR]      # offline (default CRD_DIR: crds/ in the repo root)
#   scripts/import-crds.sh --online       # fetch the pinned URLs listed under `imports:` in cdk8s.yaml
#   scripts/import-crds.sh --check        # offline from crds/; exit 1 if imports/ differs from what it generates
#
# Offline mode reads every *.yaml / *.yml file in CRD_DIR (non-CRD documents are ignored),
# concatenates them and runs ONE `cdk8s import --language typescript --output imports`.
# cdk8s names each generated module after the API group, so the result is one file per
# group: networking.istio.io.ts, gateway.networking.k8s.io.ts, argoproj.io.ts,
# flagger.app.ts, monitoring.coreos.com.ts. The versions of the CRDs: crds/SOURCE.md.
#
# Online: cdk8s.yaml lists the raw upstream URLs of the same pinned versions, so
# plain `npx cdk8s import` (no arguments) fetches them too. Caveat: plain `cdk8s import`
# imports every list entry separately and rewrites the per-group file each time, so
# where one API group is split over several upstream files (argoproj.io: 3 files,
# monitoring.coreos.com: 2, gateway.networking.k8s.io: 5) only the last file's kinds
# survive. `--online` avoids that: it downloads the same URLs (curl) into a temp folder
# and then runs the offline path on it. Upstream istio's file also holds more CRDs and
# groups than the trimmed local copy, so online output is a superset of the offline one.
#
# Existing imports/*.ts are replaced only after the new import succeeded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CDK8S="$ROOT/node_modules/.bin/cdk8s"
OUT_DIR="$ROOT/imports"

[[ -x "$CDK8S" ]] || { echo "error: $CDK8S not found; run npm ci first" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

CHECK=no
if [[ "${1:-}" == "--check" ]]; then
  CHECK=yes
  shift
fi

if [[ "${1:-}" == "--online" ]]; then
  CRD_DIR="$WORK/crds"
  mkdir -p "$CRD_DIR"
  i=0
  # Read the `imports:` list from cdk8s.yaml (with the yaml parser cdk8s-cli itself uses).
  while IFS= read -r url; do
    i=$((i + 1))
    echo "fetching $url" >&2
    curl -fsSL --retry 3 -o "$CRD_DIR/$(printf '%02d' "$i").yaml" "$url"
  done < <(cd "$ROOT" && node -e '
    const yaml = require("yaml");
    const cfg = yaml.parse(require("fs").readFileSync("cdk8s.yaml", "utf8")) || {};
    for (const spec of cfg.imports || []) {
      if (spec.includes(":=")) throw new Error(`module-name prefixes are not supported here: ${spec}`);
      console.log(spec);
    }')
  [[ "$i" -gt 0 ]] || { echo "error: no imports: listed in cdk8s.yaml" >&2; exit 1; }
else
  CRD_DIR="${1:-$ROOT/crds}"
fi

[[ -d "$CRD_DIR" ]] || { echo "error: CRD folder not found: $CRD_DIR" >&2; exit 1; }

shopt -s nullglob
files=("$CRD_DIR"/*.yaml "$CRD_DIR"/*.yml)
shopt -u nullglob
[[ ${#files[@]} -gt 0 ]] || { echo "error: no *.yaml / *.yml files in $CRD_DIR" >&2; exit 1; }

# One import of all CRDs together, so that CRDs of the same API group coming from
# different files end up in the same module instead of overwriting each other.
ALL="$WORK/all-crds.yaml"
for f in "${files[@]}"; do
  echo "  input: $f" >&2
  printf -- '---\n' >> "$ALL"
  cat "$f" >> "$ALL"
  printf '\n' >> "$ALL"
done

# Run from the repo root (cdk8s reads cdk8s.yaml for defaults); --no-save keeps
# cdk8s.yaml untouched, --no-check-upgrade avoids a network call.
(cd "$ROOT" && "$CDK8S" import "$ALL" \
  --language typescript \
  --output "$WORK/imports" \
  --no-save \
  --no-check-upgrade)

shopt -s nullglob
generated=("$WORK/imports"/*.ts)
old=("$OUT_DIR"/*.ts)
shopt -u nullglob
[[ ${#generated[@]} -gt 0 ]] || { echo "error: cdk8s import generated nothing" >&2; exit 1; }

if [[ "$CHECK" == yes ]]; then
  if diff -r -q "$WORK/imports" "$OUT_DIR" >&2; then
    echo "imports/ is what cdk8s import generates from $CRD_DIR" >&2
    exit 0
  fi
  echo "error: imports/ differs from what cdk8s import generates from $CRD_DIR: run npm run import" >&2
  exit 1
fi

mkdir -p "$OUT_DIR"
if [[ ${#old[@]} -gt 0 ]]; then rm -f -- "${old[@]}"; fi
cp -- "${generated[@]}" "$OUT_DIR/"

echo "generated:" >&2
(cd "$ROOT" && wc -l imports/*.ts) >&2
