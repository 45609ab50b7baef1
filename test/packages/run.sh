#!/usr/bin/env bash
# npm run test:packages: the packages of every language, as their users get them.
#
#   1. scripts/package.sh builds them with jsii-pacmak into dist-pacmak/ (npm tarball, Python
#      wheel and sdist, Maven jar, Go module, C# sources).
#   2. The TypeScript reference app (typescript/) installs the npm tarball, synthesizes four
#      releases, runs its bad-weight test (node --test) and `cdk8s synth` with the library's
#      validation plugin (cdk8s.yaml `validations:`).
#   3. The Python (python/), Java (java/) and Go (go/) apps do the same as their users would:
#      Python: a fresh virtualenv, cdk8s, cdk8s-plus-27 and constructs from PyPI
#              (requirements.txt), then the wheel; `python -m unittest`, `python main.py`
#      Java:   `mvn install:install-file` of the jar into the local repository, then
#              `mvn test exec:java` (cdk8s and constructs from Maven Central)
#      Go:     the module through the `replace` of go.mod; `go test`, `go build`, the binary
#      and each app's dist/<chart>.k8s.yaml must be byte-identical to the TypeScript app's.
#   4. README.md's programs of recipe 1 (the header canary) in TypeScript, Python, Java and Go
#      (extracted by readme-programs.js) run in the same environments; the Python, Java and Go
#      ones must synthesize the TypeScript one's dist/myapp.k8s.yaml, byte for byte.
#
# Two cdk8s bindings are not served by the registries these machines reach: the Go modules
# github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 and .../cdk8s-plus-go/cdk8splus27/v2 (the Go
# module proxy answers 403) and the Maven artifact org.cdk8s:cdk8s-plus-27. scripts/package.sh
# builds them from the npm packages with jsii-pacmak, and here the Go app gets a `replace` for
# each and the jar is installed into the local Maven repository, as a user would do.
#
#   test/packages/run.sh [--no-build] [python|java|go ...]   (default: all three)
#
# --no-build reuses dist-pacmak/ as it is. The Python, Java and Go apps run at the same time
# (PACKAGES_PARALLEL=0: one after the other, for the time each takes alone). Caches (pip,
# Maven, Go, the cdk8s bindings) live in $CDK8S_PD_CACHE/packages (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery/packages); CDK8S_PD_CACHE=$(mktemp
# -d) gives a cold run. Work files go to a temp dir, removed at the end (PACKAGES_KEEP=1 keeps
# it). Closing line: `packages: N passed, N failed`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APPS=$ROOT/test/packages
DIST=$ROOT/dist-pacmak

build=1
langs=()
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    python | java | go) langs+=("$arg") ;;
    -h | --help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
((${#langs[@]})) || langs=(python java go)

CACHE=${CDK8S_PD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery}/packages
mkdir -p "$CACHE/pip" "$CACHE/m2" "$CACHE/go/mod" "$CACHE/go/build"
export PIP_CACHE_DIR=$CACHE/pip PIP_DISABLE_PIP_VERSION_CHECK=1
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw"
M2=$CACHE/m2
# The jsii runtimes start node; on an end-of-life node they print a banner on every start.
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=$NODE_MAJOR JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1

# One run per cache at a time (scripts/package.sh is told that the lock is held).
exec {lock}>"$CACHE/.lock"
flock "$lock"
export CDK8S_PD_PACKAGES_LOCKED=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-pd-packages.XXXXXX")
cleanup() { if [[ -z ${PACKAGES_KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi; }
trap cleanup EXIT

# Each part appends its checks to its own results file ($RESULTS: `ok   ...` or `FAIL ...`
# lines, with what explains a failure indented under it), so parts can run at the same time.
say() { printf '[packages %3ds] %s\n' "$SECONDS" "$*" >&2; }
pass() { printf 'ok   %s\n' "$1" >>"$RESULTS"; }
fail() { printf 'FAIL %s\n' "$1" >>"$RESULTS"; }
explain() { sed 's/^/     | /' >>"$RESULTS"; }
# step NAME LOG CMD...: runs CMD with its output in LOG (its time appended to LOG's name in
# $WORK/times); on failure prints LOG's tail.
step() {
  local name=$1 log=$2 start=$SECONDS
  shift 2
  if "$@" >"$log" 2>&1; then
    printf '%-28s %4ds\n' "${log##*/}" "$((SECONDS - start))" >>"$WORK/times"
    return 0
  fi
  fail "$name"
  tail -40 "$log" | explain
  return 1
}

# compare LABEL DIR [REF]: each file of REF (default: the TypeScript app's dist/) is
# byte-identical in DIR/dist/, and DIR/dist/ has no other file.
compare() {
  local label=$1 dir=$2 ref=${3:-$WORK/typescript/dist} f
  for f in "$ref"/*; do
    f=${f##*/}
    if cmp -s "$ref/$f" "$dir/dist/$f"; then
      pass "$label dist/$f is byte-identical to TypeScript's"
    else
      fail "$label dist/$f is byte-identical to TypeScript's"
      if [[ -f $dir/dist/$f ]]; then
        diff -u "$ref/$f" "$dir/dist/$f" | head -40 | explain
      else
        echo "missing" | explain
      fi
    fi
  done
  local extra
  extra=$(cd "$dir/dist" 2>/dev/null && for f in *; do [[ -e $ref/$f ]] || printf '%s ' "$f"; done)
  if [[ -n $extra ]]; then fail "$label no file beyond TypeScript's (extra: $extra)"; fi
}

# readme_program LANG: the README's program of recipe 1 in LANG, as extracted for this run
# (fails the check when there is none).
readme_program() {
  local file
  file=$(ls "$WORK/readme/$1"/* 2>/dev/null | head -1)
  if [[ -z $file ]]; then
    fail "$1: README recipe 1 (no program extracted from README.md)"
    return 1
  fi
  printf '%s\n' "$file"
}

# finish: prints every results file in order, the times and the closing line.
finish() {
  local passed failed
  cat "$WORK"/results-* 2>/dev/null
  passed=$(cat "$WORK"/results-* 2>/dev/null | grep -c '^ok ')
  failed=$(cat "$WORK"/results-* 2>/dev/null | grep -c '^FAIL ')
  if [[ -f $WORK/times ]]; then
    echo "step times:" >&2
    sed 's/^/  /' "$WORK/times" >&2
  fi
  printf 'packages: %d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

t0=$SECONDS
RESULTS=$WORK/results-0-build
if ((build)); then
  say "building the packages: scripts/package.sh js ${langs[*]} dotnet"
  if ! "$ROOT/scripts/package.sh" js "${langs[@]}" dotnet 2>&1 | tee "$WORK/package.log" | sed 's/^/  /' >&2; then
    fail "scripts/package.sh built the packages"
    finish
    exit 1
  fi
fi
build_time=$((SECONDS - t0))
# shellcheck disable=SC1091
[[ -f $DIST/cdk8s-bindings.env ]] && source "$DIST/cdk8s-bindings.env"
VERSION=$(node -p "require('$ROOT/package.json').version")
TARBALL=$DIST/js/cdk8s-progressive-delivery@$VERSION.jsii.tgz
WHEEL=$DIST/python/cdk8s_progressive_delivery-$VERSION-py3-none-any.whl
JAR_DIR=$DIST/java/io/github/cdk8s-progressive-delivery/cdk8s-progressive-delivery/$VERSION
GO_MODULE=$DIST/go/cdk8sprogressivedelivery
check_built() { if [[ -e $2 ]]; then pass "$1: ${2#"$ROOT"/}"; else fail "$1: ${2#"$ROOT"/} (missing)"; fi; }
check_built js "$TARBALL"
for lang in "${langs[@]}"; do
  case $lang in
    python) check_built python "$WHEEL"; check_built python "$DIST/python/cdk8s_progressive_delivery-$VERSION.tar.gz" ;;
    java) check_built java "$JAR_DIR/cdk8s-progressive-delivery-$VERSION.jar" ;;
    go) check_built go "$GO_MODULE/go.mod" ;;
  esac
done
check_built dotnet "$DIST/dotnet/Cdk8s.ProgressiveDelivery/Cdk8s.ProgressiveDelivery.csproj"

# --- 2. the TypeScript reference app --------------------------------------------------------------
typescript() {
  local app=$WORK/typescript nm=$ROOT/node_modules
  mkdir -p "$app"
  cp "$APPS/typescript"/*.ts "$APPS/typescript"/tsconfig.json "$APPS/typescript"/cdk8s.yaml "$app/"
  # The tarball, and the peers linked from this repository (npm, offline).
  node -e '
    const [app, tarball, nm] = process.argv.slice(1);
    const fs = require("fs");
    const deps = { "cdk8s-progressive-delivery": `file:${tarball}` };
    for (const p of ["cdk8s", "cdk8s-plus-27", "constructs", "@types/node"]) deps[p] = `file:${fs.realpathSync(`${nm}/${p}`)}`;
    fs.writeFileSync(`${app}/package.json`, JSON.stringify({ name: "myapp", version: "0.0.0", private: true, dependencies: deps }, null, 2));
  ' "$app" "$TARBALL" "$nm"
  step "typescript: npm install the tarball" "$WORK/typescript-install.log" \
    bash -c "cd '$app' && npm install --offline --no-audit --no-fund --ignore-scripts --no-package-lock --legacy-peer-deps" || return
  step "typescript: tsc" "$WORK/typescript-tsc.log" bash -c "cd '$app' && node '$nm/typescript/bin/tsc' -p ." || return
  if step "typescript: bad weight test" "$WORK/typescript-test.log" bash -c "cd '$app' && node --test bad-weight-test.js"; then
    pass "typescript: bad weight test ($(grep -c '^ok ' "$WORK/typescript-test.log") tests)"
  fi
  if step "typescript: synth" "$WORK/typescript-synth.log" bash -c "cd '$app' && node main.js"; then
    pass "typescript: synth ($(ls "$app/dist" | wc -l) files)"
  fi
  # `cdk8s synth` with the library's validation plugin, loaded from the installed tarball
  # (cdk8s.yaml `validations:`, package ./node_modules/cdk8s-progressive-delivery): the four
  # releases have no finding. Its own output dir, since cdk8s synth empties the one it writes.
  if step "typescript: cdk8s synth with the validation plugin" "$WORK/typescript-validate.log" bash -c "cd '$app' && \
      node '$nm/cdk8s-cli/bin/cdk8s' synth --no-check-upgrade --output dist-validated >validate.out 2>&1; rc=\$?; cat validate.out; \
      [[ \$rc == 0 ]] && grep -q 'Validations ended succesfully' validate.out && grep -q 'findings .* 0 ' validate.out"; then
    pass "typescript: cdk8s synth with the validation plugin (no finding)"
  fi
  # The README's recipe 1 (with its myapp.ts): the reference for the README's programs in the
  # other languages, which are extracted here too.
  step "README.md: the programs of recipe 1" "$WORK/readme-extract.log" \
    node "$APPS/readme-programs.js" "$ROOT/README.md" "$WORK/readme" || return
  mkdir -p "$app/readme"
  cp "$WORK/readme/typescript/"*.ts "$app/readme/"
  if step "typescript: README recipe 1" "$WORK/typescript-readme.log" bash -c "cd '$app/readme' && \
      node '$nm/typescript/bin/tsc' --strict --skipLibCheck --target ES2020 --module commonjs myapp.ts main.ts && node main.js"; then
    pass "typescript: README recipe 1 synth ($(ls "$app/readme/dist" | wc -l) files)"
  fi
}

# --- 3. the other languages -------------------------------------------------------------------------
python_app() {
  local app=$WORK/python venv=$WORK/python-venv
  cp -R "$APPS/python" "$app"
  step "python: virtualenv, requirements.txt from PyPI, then the wheel" "$WORK/python-install.log" \
    bash -c "python3 -m venv '$venv' && '$venv/bin/pip' install --no-input -r '$app/requirements.txt' '$WHEEL'" || return
  if step "python: bad weight test" "$WORK/python-test.log" bash -c "cd '$app' && '$venv/bin/python' -m unittest -v"; then
    pass "python: unit tests: bad weight, route simulator ($(grep -c '\.\.\. ok$' "$WORK/python-test.log") tests)"
  fi
  if step "python: synth" "$WORK/python-synth.log" bash -c "cd '$app' && '$venv/bin/python' main.py"; then
    pass "python: synth ($(ls "$app/dist" | wc -l) files)"
    compare "python:" "$app"
  fi
  local program readme=$WORK/python-readme
  program=$(readme_program python) || return
  mkdir -p "$readme"
  if step "python: README recipe 1" "$WORK/python-readme.log" bash -c "cd '$readme' && '$venv/bin/python' '$program'"; then
    compare "python: README recipe 1," "$readme" "$WORK/typescript/readme/dist"
  fi
}

java_app() {
  local app=$WORK/java mvn=(mvn --batch-mode --no-transfer-progress -Dstyle.color=never "-Dmaven.repo.local=$M2")
  cp -R "$APPS/java" "$app"
  # Until the first release: the built jar (and cdk8s-plus-27, which Maven Central does not
  # serve here) installed into the local repository.
  local mvn_q cmd plus plus_jar installed
  mvn_q="$(printf '%q ' "${mvn[@]}") -q"
  cmd="$mvn_q install:install-file $(printf '%q ' "-Dfile=$JAR_DIR/cdk8s-progressive-delivery-$VERSION.jar" "-DpomFile=$JAR_DIR/cdk8s-progressive-delivery-$VERSION.pom")"
  plus=$(ls -d "$JAVA_CDK8S_BINDINGS/org/cdk8s/cdk8s-plus-27"/*/ | head -1)
  plus=${plus%/}
  plus_jar=$plus/cdk8s-plus-27-${plus##*/}
  # cdk8s-plus-27 once: what install:install-file installed is marked `>=` in _remote.repositories.
  installed=$M2/org/cdk8s/cdk8s-plus-27/${plus##*/}/_remote.repositories
  if ! grep -q '^cdk8s-plus-27-[^>]*\.jar>=$' "$installed" 2>/dev/null; then
    cmd="$mvn_q install:install-file $(printf '%q ' "-Dfile=$plus_jar.jar" "-DpomFile=$plus_jar.pom") && $cmd"
  fi
  step "java: mvn install:install-file the jars" "$WORK/java-install.log" bash -c "$cmd" || return
  # One Maven run, `mvn test exec:java`: the test, then the app (a failing test does not stop
  # it; Surefire's summary says how the test went).
  # (and the classpath, for the README's program below)
  step "java: mvn test exec:java" "$WORK/java-test-synth.log" \
    bash -c "cd '$app' && $(printf '%q ' "${mvn[@]}") -Dmaven.test.failure.ignore=true test exec:java \
      dependency:build-classpath -Dmdep.outputFile='$WORK/java-classpath.txt'"
  local summary
  summary=$(grep -o 'Tests run: [0-9]*, Failures: [0-9]*, Errors: [0-9]*, Skipped: [0-9]*$' "$WORK/java-test-synth.log" | tail -1)
  if [[ $summary == "Tests run: 2, Failures: 0, Errors: 0, Skipped: 0" ]]; then
    pass "java: bad weight test (${summary%%, Failures*})"
  else
    fail "java: bad weight test (${summary:-no Surefire summary})"
    grep -A12 '<<< FAILURE!\|<<< ERROR!' "$WORK/java-test-synth.log" | head -40 | explain
  fi
  if [[ -d $app/dist ]]; then
    pass "java: synth ($(ls "$app/dist" | wc -l) files)"
    compare "java:" "$app"
  else
    fail "java: synth (mvn exec:java wrote no dist/)"
  fi
  # The README's program: javac and java, on the app's classpath.
  local program readme=$WORK/java-readme main
  program=$(readme_program java) || return
  main=$(sed -n 's/^package \([A-Za-z0-9_.]*\);.*/\1./p' "$program")Main
  mkdir -p "$readme/classes"
  if step "java: README recipe 1" "$WORK/java-readme.log" bash -c "cd '$readme' && cp=\$(cat '$WORK/java-classpath.txt') && \
      javac -d classes -cp \"\$cp\" '$program' && java -cp \"classes:\$cp\" $main"; then
    compare "java: README recipe 1," "$readme" "$WORK/typescript/readme/dist"
  fi
}

go_app() {
  local app=$WORK/go
  cp -R "$APPS/go" "$app"
  # The relative replace of go.mod, from where the app now is; and the cdk8s modules that the Go
  # module proxy does not serve here.
  step "go: go mod edit (replace)" "$WORK/go-mod.log" bash -c "cd '$app' && go mod edit \
    -replace github.com/cdk8s-progressive-delivery/cdk8s-progressive-delivery-go/cdk8sprogressivedelivery=$GO_MODULE \
    -replace github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2=$GO_CDK8S_BINDINGS/cdk8s \
    -replace github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2=$GO_CDK8S_BINDINGS/cdk8splus27" || return
  if step "go: bad weight test (go test)" "$WORK/go-test.log" bash -c "cd '$app' && go test -v ./..."; then
    pass "go: bad weight test ($(grep -c -- '--- PASS: .*/' "$WORK/go-test.log") tests)"
  fi
  if step "go: synth (go build, then the binary)" "$WORK/go-synth.log" bash -c "cd '$app' && go build -o myapp . && ./myapp"; then
    pass "go: synth ($(ls "$app/dist" | wc -l) files)"
    compare "go:" "$app"
  fi
  # The README's program: a second main package in the app's module.
  local program readme=$WORK/go-readme
  program=$(readme_program go) || return
  mkdir -p "$app/readme" "$readme"
  cp "$program" "$app/readme/main.go"
  if step "go: README recipe 1" "$WORK/go-readme.log" bash -c "cd '$app' && go build -o '$readme/myapp' ./readme && cd '$readme' && ./myapp"; then
    compare "go: README recipe 1," "$readme" "$WORK/typescript/readme/dist"
  fi
}

# run_app NAME: runs NAME's app with its own results file; its time goes to $WORK/app-times.
# An app whose function stops early (a crash, an unset variable) is a failed check, not silence.
run_app() {
  local lang=$1 t=$SECONDS status=0
  RESULTS=$WORK/results-$2-$lang
  say "$lang: the app"
  ("$3") || status=$?
  if ((status != 0)); then
    fail "$lang: the app's steps stopped early (exit $status)"
  elif ! grep -q . "$RESULTS" 2>/dev/null; then
    fail "$lang: the app ran no check"
  fi
  say "$lang: done in $((SECONDS - t))s"
  echo "$lang $((SECONDS - t))s" >>"$WORK/app-times"
}
run_app typescript 1 typescript
if [[ ! -d $WORK/typescript/dist ]]; then
  say "no reference YAML: the other languages cannot be compared"
fi
t=$SECONDS
i=2
pids=()
for lang in "${langs[@]}"; do
  if [[ ${PACKAGES_PARALLEL:-1} == 0 ]]; then
    run_app "$lang" "$i" "${lang}_app"
  else
    run_app "$lang" "$i" "${lang}_app" &
    pids+=($!)
  fi
  i=$((i + 1))
done
for pid in "${pids[@]}"; do wait "$pid"; done
apps_time=$((SECONDS - t))

pacmak_line=$(sed -n 's/.*pacmak: //p' "$WORK/package.log" 2>/dev/null | tail -1)
say "build ${build_time}s${pacmak_line:+ (jsii-pacmak, in parallel: $pacmak_line)}"
say "apps: $(tr '\n' ' ' <"$WORK/app-times")(${langs[*]}: ${apps_time}s$( [[ ${PACKAGES_PARALLEL:-1} == 0 ]] || echo ', at the same time')); total ${SECONDS}s"
finish
