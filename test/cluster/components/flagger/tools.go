//go:build tools

// Package tools names the command this wrapper module builds, so that `go mod tidy` keeps its
// dependencies. build.sh builds it with `go build github.com/fluxcd/flagger/cmd/flagger`.
package tools

import _ "github.com/fluxcd/flagger/cmd/flagger"
