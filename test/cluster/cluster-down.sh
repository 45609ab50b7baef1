#!/usr/bin/env bash
# Stop every process that cluster-up.sh (or a start.d/ script) recorded in the run dir, newest
# first: SIGTERM to its process group, up to 10 s to exit, then SIGKILL. Then remove the run
# dir. Idempotent: with no run dir, or nothing running, it does nothing and exits 0.
#
#   CDK8S_PD_CLUSTER_DIR  run dir  [${TMPDIR:-/tmp}/cdk8s-pd-cluster]
#   CDK8S_PD_KEEP_RUN_DIR=1  stop the processes but keep the run dir (logs) for inspection
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PD_RUN_DIR=$(pd_run_dir)
if [[ ! -d $PD_RUN_DIR ]]; then
  pd_log "nothing to stop ($PD_RUN_DIR does not exist)"
  exit 0
fi
if [[ ! -f "$PD_RUN_DIR/.cdk8s-pd-cluster" ]]; then
  pd_log "$PD_RUN_DIR is not a cluster run dir (no .cdk8s-pd-cluster marker); not touching it"
  exit 1
fi

mapfile -t pidfiles < <(find "$PD_RUN_DIR/pids" -name '*.pid' 2>/dev/null | LC_ALL=C sort -r)

stopped=0
for f in "${pidfiles[@]}"; do
  name=$(basename "$f" .pid); name=${name#*-}
  read -r pid start <"$f" || continue
  if ! pd_alive_pidfile "$f"; then
    rm -f "$f"; continue
  fi
  # pd_start runs each process with setsid, so it leads its own process group; signal the
  # group (children included) if it still is the leader, else only the process.
  target=$pid
  [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]] && target=-$pid
  kill -TERM -- "$target" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    pd_alive_pidfile "$f" || break
    sleep 0.1
  done
  if pd_alive_pidfile "$f"; then
    pd_log "$name (pid $pid) did not stop within 10s of SIGTERM; SIGKILL"
    kill -KILL -- "$target" 2>/dev/null
    for ((i = 0; i < 50; i++)); do pd_alive_pidfile "$f" || break; sleep 0.1; done
  fi
  # members of the group that outlived their leader
  [[ $target == -* ]] && kill -KILL -- "$target" 2>/dev/null
  pd_log "stopped $name (pid $pid)"
  stopped=$((stopped + 1))
  rm -f "$f"
done

if [[ ${CDK8S_PD_KEEP_RUN_DIR:-} == 1 ]]; then
  pd_log "stopped $stopped process(es); kept $PD_RUN_DIR"
else
  rm -rf "$PD_RUN_DIR"
  pd_log "stopped $stopped process(es); removed $PD_RUN_DIR"
fi
exit 0
