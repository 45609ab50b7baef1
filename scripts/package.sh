#!/usr/bin/env bash
# Builds the packages of every jsii target with jsii-pacmak into dist-pacmak/ (not committed):
#
#   dist-pacmak/js/      cdk8s-progressive-delivery-<version>.tgz          (npm)
#   dist-pacmak/python/  cdk8s_progressive_delivery-<version>-py3-none-any.whl and .tar.gz
#   dist-pacmak/java/    a Maven repository: io/github/cdk8s-progressive-delivery/
#                        cdk8s-progressive-delivery/<version>/ (jar, sources, javadoc, pom)
#   dist-pacmak/go/      the Go module, cdk8sprogressivedelivery/ (go.mod says its path)
#   dist-pacmak/dotnet/  the C# sources only: there is no .NET SDK nor NuGet registry here
#
#   scripts/package.sh [target...]     targets: js python java go dotnet (default: all five)
#
# The build runs in a temp copy of the sources (so it never races with a `npm test` or another
# build in this working tree), with `npm run build` (jsii), then jsii-pacmak. What pacmak runs:
#   python  python3 -m venv, then pip installs setuptools, build and twine from PyPI
#           (requirements of jsii-pacmak) and runs `python -m build` and `twine check`
#   java    mvn (JDK 17): versions-maven-plugin, compiler, jar, source, javadoc, deploy
#           plugins and the dependencies (jsii-runtime, cdk8s, constructs) from Maven Central
#   go      go mod tidy and go build: jsii-runtime-go and constructs-go from the Go module proxy
# Two dependencies are not served by the registries these machines reach: the Go modules of
# cdk8s (github.com/cdk8s-team/cdk8s-core-go, .../cdk8s-plus-go: the proxy answers 403 "not
# available") and the Maven artifact org.cdk8s:cdk8s-plus-27 (Maven Central has no version of
# it here). jsii-pacmak builds them from the npm packages cdk8s and cdk8s-plus-27 in
# node_modules (the very assemblies and JavaScript the published bindings wrap), once per
# version, into the cache; the library's build finds them as jsii "local dependencies"
# (Go `replace`, a Maven file repository).
#
# Caches, all outside the repository, under $CDK8S_PD_CACHE/packages (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery/packages): pip/ (PIP_CACHE_DIR),
# m2/ (the Maven local repository), go/mod (GOMODCACHE), go/build (GOCACHE), and
# deps/<what>-<versions>/ (the cdk8s bindings built here). Point CDK8S_PD_CACHE at an empty
# directory for a cold build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/node_modules/.bin
ALL_TARGETS=(js python java go dotnet)
if (($#)); then targets=("$@"); else targets=("${ALL_TARGETS[@]}"); fi
for t in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "package.sh: unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done
has() { [[ " ${targets[*]} " == *" $1 "* ]]; }
log() { printf '[package %3ds] %s\n' "$SECONDS" "$*" >&2; }

# --- toolchains -------------------------------------------------------------------------------
need() { command -v "$1" >/dev/null || { log "$2 needs '$1' on PATH"; exit 1; }; }
[[ -x $BIN/jsii-pacmak ]] || { log "node_modules/.bin/jsii-pacmak is missing: run npm ci first"; exit 1; }
if has python; then
  need python3 python
  python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' \
    || { log "python needs Python >= 3.10 (the wheel's Requires-Python) with venv and ensurepip"; exit 1; }
fi
if has java; then need mvn java; need java java; need javac java; fi
if has go; then need go go; fi

# --- caches -----------------------------------------------------------------------------------
CACHE=${CDK8S_PD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery}/packages
mkdir -p "$CACHE/pip" "$CACHE/m2" "$CACHE/go/mod" "$CACHE/go/build" "$CACHE/deps"
export PIP_CACHE_DIR=$CACHE/pip
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw"   # so that the cache can be deleted with rm -rf
export GOPROXY=${GOPROXY:-https://proxy.golang.org}  # the module proxy only: never straight from version control
M2=$CACHE/m2

# One build at a time per cache (the Maven local repository is not safe for concurrent
# writers). test/packages/run.sh holds this lock already and says so.
if [[ -z ${CDK8S_PD_PACKAGES_LOCKED:-} ]]; then
  exec {lock}>"$CACHE/.lock"
  flock "$lock"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-pd-package.XXXXXX")
cleanup() {
  local pids
  pids=$(jobs -p)
  if [[ -n $pids ]]; then kill $pids 2>/dev/null; wait 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PKG=$WORK/cdk8s-progressive-delivery

# --- the sources, as a fresh clone has them, and node_modules -----------------------------------
mkdir -p "$PKG/node_modules"
for entry in src imports package.json package-lock.json tsconfig.jsii.json tsconfig.dts.json README.md LICENSE; do
  cp -R "$ROOT/$entry" "$PKG/$entry"
done
# node_modules: links to this repository's, except cdk8s and cdk8s-plus-27, which are copied
# so that their bindings built here can sit beside them (jsii's `<package>/dist/<target>`).
for entry in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
  case ${entry##*/} in
    cdk8s | cdk8s-plus-27) cp -R "$entry" "$PKG/node_modules/" ;;
    *) ln -s "$entry" "$PKG/node_modules/" ;;
  esac
done
version() { node -p "require('$PKG/node_modules/$1/package.json').version"; }
VERSION=$(node -p "require('$PKG/package.json').version")
PACMAK_VERSION=$(version jsii-pacmak)
CDK8S_VERSION=$(version cdk8s)
PLUS_VERSION=$(version cdk8s-plus-27)

# pacmak's own `npm pack` must not run `prepack` (the build above is the build).
pacmak() { NPM_CONFIG_IGNORE_SCRIPTS=true "$BIN/jsii-pacmak" --no-npmignore "$@"; }

# --- the cdk8s bindings the registries do not serve here ---------------------------------------
# deps/<target>-cdk8s-<v>-plus27-<v>-pacmak-<v>[-toolchain]/<target>/...; a .complete marker
# says the build finished.
build_deps() { # target dir pacmak-args...
  local target=$1 dir=$2
  shift 2
  if [[ -f $dir/.complete ]]; then
    log "$target: cdk8s bindings cached: ${dir##*/}"
    return 0
  fi
  local tmp
  rm -rf "$dir" "$dir".tmp.*
  tmp=$(mktemp -d "$dir.tmp.XXXXXX")
  log "$target: building the cdk8s bindings from the npm packages (once per version): ${dir##*/}"
  local start=$SECONDS
  if pacmak "$@" --targets "$target" --outdir "$tmp" >"$tmp.log" 2>&1; then
    touch "$tmp/.complete"
    mv -T "$tmp" "$dir"
    rm -f "$tmp.log"
    log "$target: cdk8s bindings built in $((SECONDS - start))s"
  else
    tail -40 "$tmp.log" >&2
    log "$target: building the cdk8s bindings failed (log: $tmp.log)"
    return 1
  fi
}
deps_key="cdk8s-$CDK8S_VERSION-plus27-$PLUS_VERSION-pacmak-$PACMAK_VERSION"
pids=()
if has go; then
  GO_DEPS=$CACHE/deps/go-$deps_key-$(go env GOVERSION)
  build_deps go "$GO_DEPS" "$PKG/node_modules/cdk8s" "$PKG/node_modules/cdk8s-plus-27" &
  pids+=($!)
fi
if has java; then
  JAVA_VERSION=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.version = //p')
  JAVA_DEPS=$CACHE/deps/java-$deps_key-jdk$JAVA_VERSION
  # org.cdk8s:cdk8s itself is on Maven Central; only cdk8s-plus-27 is built here.
  build_deps java "$JAVA_DEPS" "$PKG/node_modules/cdk8s-plus-27" \
    --maven-local-repository "$M2" --mvn-define maven.javadoc.skip=true &
  pids+=($!)
fi
# Meanwhile (the cdk8s bindings need only node_modules), the library's own build.
log "npm run build (jsii) in a copy of the sources"
(cd "$PKG" && npm run --silent build >"$WORK/build.log" 2>&1) || { cat "$WORK/build.log" >&2; exit 1; }
log "npm run build done"
for pid in "${pids[@]}"; do wait "$pid"; done
# Where jsii-pacmak looks for local dependencies: <dependency>/<jsii.outdir>/<target>.
if has go || has java; then
  mkdir -p "$PKG/node_modules/cdk8s-plus-27/dist"
  if has go; then ln -s "$GO_DEPS/go" "$PKG/node_modules/cdk8s-plus-27/dist/go"; fi
  if has java; then ln -s "$JAVA_DEPS/java" "$PKG/node_modules/cdk8s-plus-27/dist/java"; fi
fi

# --- the library ----------------------------------------------------------------------------------
build=()
for t in js python java go; do if has "$t"; then build+=("$t"); fi; done
OUT=$WORK/out
if ((${#build[@]})); then
  log "jsii-pacmak ${build[*]} (cdk8s-progressive-delivery $VERSION)"
  if ! pacmak "$PKG" -v --targets "${build[@]}" --outdir "$OUT" --maven-local-repository "$M2" >"$WORK/pacmak.log" 2>&1; then
    grep -v '^!!' "$WORK/pacmak.log" | tail -60 >&2
    log "jsii-pacmak failed"
    exit 1
  fi
  # "[jsii-pacmak] [INFO] Packaged. java (25.8s) | python (27.5s) | npm pack (2.7s) | ..."
  sed -n 's/.*\[INFO\] Packaged\. /pacmak: /p' "$WORK/pacmak.log" >&2
fi
if has dotnet; then
  log "jsii-pacmak dotnet --code-only (no .NET SDK nor NuGet registry here: sources only)"
  pacmak "$PKG" --targets dotnet --code-only --outdir "$OUT" >"$WORK/pacmak-dotnet.log" 2>&1 \
    || { grep -v '^!!' "$WORK/pacmak-dotnet.log" | tail -40 >&2; exit 1; }
fi

mkdir -p "$ROOT/dist-pacmak"
for t in "${targets[@]}"; do
  rm -rf "$ROOT/dist-pacmak/$t"
  mv "$OUT/$t" "$ROOT/dist-pacmak/$t"
done
# Where the cdk8s bindings built here are, for the apps of test/packages/ (a Go `replace`, a jar
# to install into the local Maven repository).
{
  if has go; then printf 'GO_CDK8S_BINDINGS=%q\n' "$GO_DEPS/go"; fi
  if has java; then printf 'JAVA_CDK8S_BINDINGS=%q\n' "$JAVA_DEPS/java"; fi
} >"$ROOT/dist-pacmak/cdk8s-bindings.env"
log "done: $(cd "$ROOT" && for t in "${targets[@]}"; do printf 'dist-pacmak/%s ' "$t"; done)"
