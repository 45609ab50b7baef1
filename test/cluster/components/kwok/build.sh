#!/usr/bin/env bash
# build.sh <outdir>: kwok from sigs.k8s.io/kwok/cmd/kwok at the version pinned in go.mod,
# statically linked (its version constants are already right in the module source).
#
# The kwok binary has no built-in stages: kwokctl writes the default ones into the
# config it hands to kwok. The same default stages (node-fast, node-heartbeat-with-lease,
# pod-fast) are copied from the module source into <outdir>/stages/ so that the binary
# and its stages always come from the same kwok version.
set -euo pipefail
out=${1:?usage: build.sh <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

go build -trimpath -ldflags "-s -w" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok

src=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
mkdir -p "$out/stages"
for f in node/fast/node-initialize.yaml \
         node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  install -m 0644 "$src/kustomize/stage/$f" "$out/stages/"
done
