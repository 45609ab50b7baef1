#!/usr/bin/env bash
# npm run test:cluster: start the cluster (building what is not cached), run the cluster tests,
# and stop every process it started, also when a test fails or the run is interrupted.
# Arguments are passed to jest (e.g. a test file or -t 'a test name').
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLUSTER=$ROOT/test/cluster
export CDK8S_PD_CLUSTER_DIR=${CDK8S_PD_CLUSTER_DIR:-${TMPDIR:-/tmp}/cdk8s-pd-cluster}

down() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n ${jest_pid:-} ]] && kill -0 "$jest_pid" 2>/dev/null; then kill "$jest_pid" 2>/dev/null || true; fi
  if ((started)); then "$CLUSTER/cluster-down.sh" >&2 || true; fi
  exit "$status"
}
trap down EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
# cluster-up.sh stops what it started when it fails (or is interrupted), and refuses a run dir
# whose cluster is already running: only a cluster it started is this script's to stop.
started=0
"$CLUSTER/cluster-up.sh" >/dev/null
started=1
up=$((SECONDS - t0))
# shellcheck disable=SC1091
source "$CDK8S_PD_CLUSTER_DIR/env"
KUBECTL=$(command -v kubectl)
export KUBECTL
echo "[cluster] up in ${up}s (builds included); running the cluster tests" >&2

t1=$SECONDS
status=0
# In the background and waited for, so that a signal to this script runs `down` at once.
(cd "$ROOT" && exec node node_modules/jest/bin/jest.js -c test/cluster/jest.config.js "$@") &
jest_pid=$!
wait "$jest_pid" || status=$?
jest_pid=
echo "[cluster] tests took $((SECONDS - t1))s; the whole run $((SECONDS - t0))s" >&2
exit "$status"
