//go:build tools

// Package tools names the command this wrapper module builds, so that `go mod tidy` keeps its
// dependencies. build.sh builds it with `go build github.com/argoproj/argo-rollouts/cmd/rollouts-controller`.
package tools

import _ "github.com/argoproj/argo-rollouts/cmd/rollouts-controller"
