#!/usr/bin/env bash
# build.sh <outdir>: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# from k8s.io/kubernetes at the version pinned in go.mod, statically linked, with the
# version stamped the way hack/lib/version.sh does (unstamped, the API server reports
# v0.0.0-master+$Format:%H$ with an empty major/minor, which Flagger and Argo Rollouts reject).
set -euo pipefail
out=${1:?usage: build.sh <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)       # v1.34.N
date=$(go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
# the commit of the tag, when the module proxy recorded it (.info "Origin")
commit=$(go list -m -f '{{with .Origin}}{{.Hash}}{{end}}' "k8s.io/kubernetes@$version" 2>/dev/null || true)
major=${version#v}; major=${major%%.*}
minor=${version#v*.}; minor=${minor%%.*}

ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  [[ -n $commit ]] && ldflags+=" -X $pkg.gitCommit=$commit"
done

go build -trimpath -ldflags "$ldflags" -o "$out/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl
