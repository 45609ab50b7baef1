#!/usr/bin/env bash
# build.sh <outdir>: the Argo Rollouts controller (github.com/argoproj/argo-rollouts
# cmd/rollouts-controller, the version pinned in go.mod) as <outdir>/rollouts-controller,
# statically linked, version-stamped the way upstream's Makefile does (LDFLAGS, Makefile:35-43
# @v1.9.1) so that `rollouts-controller --version` prints v1.9.1 instead of v99.99.99+unknown.
#
# It also copies the module's own CRDs (manifests/crds/*-crd.yaml) to <outdir>/crds/: the
# controller waits for informers on all five of them (rollouts, analysisruns,
# analysistemplates, clusteranalysistemplates, experiments; controller/controller.go:591-599),
# and crds/argo-rollouts.yaml in this repository has only three.
set -euo pipefail
out=${1:?usage: build.sh <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

mod=github.com/argoproj/argo-rollouts
want=v1.9.1 commit=b6bd3bcf8f60d717a98763d26acc983db7f97cb0   # tag v1.9.1 (crds/SOURCE.md)
version=$(go list -m -f '{{.Version}}' "$mod")
[[ $version == "$want" ]] || { echo "go.mod has $mod $version, build.sh pins $want ($commit): update both" >&2; exit 1; }
date=$(go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$mod")

pkg=$mod/utils/version
ldflags="-s -w -X $pkg.version=${version#v} -X $pkg.buildDate=$date -X $pkg.gitCommit=$commit"
ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.gitTag=$version"

go build -trimpath -ldflags "$ldflags" -o "$out/rollouts-controller" "$mod/cmd/rollouts-controller"

src=$(go list -m -f '{{.Dir}}' "$mod")
mkdir -p "$out/crds"
cp "$src"/manifests/crds/*-crd.yaml "$out/crds/"
chmod 644 "$out"/crds/*.yaml      # the module cache is read-only
"$out/rollouts-controller" --version
