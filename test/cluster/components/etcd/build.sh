#!/usr/bin/env bash
# build.sh <outdir>: etcd from go.etcd.io/etcd/server/v3 (package main at the module root)
# at the version pinned in go.mod, statically linked.
set -euo pipefail
out=${1:?usage: build.sh <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

version=$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
# etcd's own build stamps the commit here; a module build has only the tag.
go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$version" \
  -o "$out/etcd" go.etcd.io/etcd/server/v3
