# shellcheck shell=bash
# Helpers shared by the scripts in test/cluster/ (and by test/cluster/start.d/*.sh).
# Source it; it defines functions and a few variables, and runs only `go version`.
#
#   PD_CLUSTER_ROOT        test/cluster (absolute)
#   PD_REPO_ROOT           the repository root (absolute)
#   pd_cache_root          where built components live:
#                          ${CDK8S_PD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery}
#   pd_components          the names of all components (dirs with a build.sh)
#   pd_component_key NAME  cache key: sha256 of the component's files and `go version`, 16 hex
#   pd_component_dir NAME  the bin dir of NAME at its current key (built or not)
#   pd_component_bin NAME  the same, but fails unless it is completely built
#   pd_run_dir             ${CDK8S_PD_CLUSTER_DIR:-${TMPDIR:-/tmp}/cdk8s-pd-cluster}
#   pd_start NAME CMD...   start CMD in its own session/process group, stdout+stderr to
#                          $PD_RUN_DIR/logs/NAME.log, pid recorded for cluster-down.sh
#   pd_alive NAME          the process started as NAME is still running
#   pd_wait_until SECS WHAT CMD...
#                          retry CMD every 0.5 s until it succeeds; fails after SECS or as soon
#                          as any process started with pd_start has died
#   pd_free_ports N        N distinct free TCP ports on 127.0.0.1 (20000-32767, i.e. below the
#                          kernel's ephemeral range, so outgoing connections cannot take them)
#   pd_log MSG             progress message on stderr

PD_CLUSTER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PD_REPO_ROOT=$(cd "$PD_CLUSTER_ROOT/../.." && pwd)

# `go version` once per script (and its children): part of every component's key.
if [[ -z ${PD_GO_VERSION:-} ]] && command -v go >/dev/null; then
  PD_GO_VERSION=$(GOTOOLCHAIN=local go version)
  export PD_GO_VERSION
fi

pd_log() { printf '[cluster %3ds] %s\n' "$SECONDS" "$*" >&2; }

pd_cache_root() {
  printf '%s\n' "${CDK8S_PD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery}"
}

pd_components() {
  local d
  for d in "$PD_CLUSTER_ROOT"/components/*/; do
    [[ -f "$d/build.sh" ]] && basename "$d"
  done
  return 0
}

# The key covers every file of the component dir (go.mod, go.sum, build.sh, tools.go and
# anything else a component keeps there), each with its path, plus `go version`, which names
# the toolchain, GOOS and GOARCH.
pd_component_key() {
  local name=$1 dir="$PD_CLUSTER_ROOT/components/$1" f
  [[ -f "$dir/build.sh" ]] || { echo "no such component: $name" >&2; return 1; }
  {
    printf '%s\n' "$PD_GO_VERSION"
    (cd "$dir" && find . -type f ! -name '*~' -print | LC_ALL=C sort) | while IFS= read -r f; do
      printf '\0%s\0' "$f"
      cat "$dir/$f"
    done
  } | sha256sum | cut -c1-16
}

pd_component_dir() {
  local key
  key=$(pd_component_key "$1") || return 1
  printf '%s/bin/%s-%s\n' "$(pd_cache_root)" "$1" "$key"
}

pd_component_bin() {
  local dir
  dir=$(pd_component_dir "$1") || return 1
  if [[ ! -f "$dir/.complete" ]]; then
    echo "component $1 is not built ($dir); run test/cluster/build-components.sh $1" >&2
    return 1
  fi
  printf '%s\n' "$dir"
}

pd_run_dir() {
  printf '%s\n' "${CDK8S_PD_CLUSTER_DIR:-${TMPDIR:-/tmp}/cdk8s-pd-cluster}"
}

# "STATE STARTTIME" of a pid (fields 3 and 22 of /proc/PID/stat, read once), so that a recycled
# pid is never taken for ours and a zombie is not taken for a running process.
pd_pid_stat() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) && [[ -n $stat ]] || return 1
  stat=${stat##*') '}        # drop "pid (comm) ", comm may contain spaces
  set -f; set -- $stat; set +f   # field 3 of the original is now $1
  printf '%s %s\n' "$1" "${20}"
}

pd_pid_start() {
  local st
  st=$(pd_pid_stat "$1") || return 1
  printf '%s\n' "${st#* }"
}

pd_start() {
  local name=$1; shift
  : "${PD_RUN_DIR:?PD_RUN_DIR is not set}"
  mkdir -p "$PD_RUN_DIR/logs" "$PD_RUN_DIR/pids"
  local log="$PD_RUN_DIR/logs/$name.log" seq pid
  seq=$(find "$PD_RUN_DIR/pids" -name '*.pid' | wc -l)
  # setsid: own session and process group (pgid = pid), so that cluster-down.sh can signal
  # the whole group and the process does not get the caller's SIGHUP/SIGINT.
  setsid "$@" >"$log" 2>&1 </dev/null &
  pid=$!
  printf '%s %s\n' "$pid" "$(pd_pid_start "$pid" || echo 0)" \
    >"$PD_RUN_DIR/pids/$(printf '%02d' "$seq")-$name.pid"
  pd_log "started $name (pid $pid, log $log)"
}

pd_pidfile() {
  local f
  for f in "$PD_RUN_DIR"/pids/*-"$1".pid; do [[ -f $f ]] && { printf '%s\n' "$f"; return 0; }; done
  return 1
}

# pd_alive_pidfile FILE: the process recorded in FILE still runs (same pid and start time,
# not a zombie).
pd_alive_pidfile() {
  local pid start st
  read -r pid start <"$1" || return 1
  st=$(pd_pid_stat "$pid") || return 1
  [[ ${st#* } == "$start" && ${st%% *} != [ZX] ]]
}

pd_alive() {
  local f
  f=$(pd_pidfile "$1") || return 1
  pd_alive_pidfile "$f"
}

# Names of the processes started with pd_start that are no longer running.
pd_dead() {
  local f n
  for f in "$PD_RUN_DIR"/pids/*.pid; do
    [[ -f $f ]] || continue
    pd_alive_pidfile "$f" && continue
    n=$(basename "$f" .pid); printf '%s\n' "${n#*-}"
  done
}

pd_wait_until() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs)) dead
  until "$@" >/dev/null 2>&1; do
    dead=$(pd_dead)
    if [[ -n $dead ]]; then
      pd_log "while waiting for $what: process(es) died: $(echo $dead)"
      PD_FAILED=${PD_FAILED:-$(echo $dead)}
      return 1
    fi
    if ((SECONDS >= deadline)); then
      pd_log "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
  pd_log "ready: $what"
}

pd_free_ports() {
  node -e '
    const net = require("net");
    const want = Number(process.argv[1]), held = [];
    const tried = new Set();
    function next() {
      if (held.length === want) {
        console.log(held.map(s => s.address().port).join(" "));
        held.forEach(s => s.close());
        return;
      }
      let port;
      do { port = 20000 + Math.floor(Math.random() * 12768); } while (tried.has(port));
      tried.add(port);
      if (tried.size > 5000) { console.error("no free ports"); process.exit(1); }
      const s = net.createServer();
      s.once("error", next);
      s.listen({ port, host: "127.0.0.1", exclusive: true }, () => { held.push(s); next(); });
    }
    next();
  ' "$1"
}
