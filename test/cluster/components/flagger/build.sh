#!/usr/bin/env bash
# build.sh <outdir>: the Flagger controller (github.com/fluxcd/flagger cmd/flagger, the version
# pinned in go.mod) as <outdir>/flagger, statically linked. Flagger keeps its version in the
# source (pkg/version/version.go: VERSION = "1.44.0"); its Dockerfile stamps only REVISION
# (-X github.com/fluxcd/flagger/pkg/version.REVISION), which is done here with the tag's commit.
set -euo pipefail
out=${1:?usage: build.sh <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

mod=github.com/fluxcd/flagger
want=v1.44.0 commit=15bd6ad555e6c935da55f0ab95977be74c149bd6   # tag v1.44.0 (crds/SOURCE.md)
version=$(go list -m -f '{{.Version}}' "$mod")
[[ $version == "$want" ]] || { echo "go.mod has $mod $version, build.sh pins $want ($commit): update both" >&2; exit 1; }

go build -trimpath -ldflags "-s -w -X $mod/pkg/version.REVISION=$commit" -o "$out/flagger" "$mod/cmd/flagger"
"$out/flagger" -version
