# shellcheck shell=bash
# Sourced by cluster-up.sh: the fake Prometheus (test/cluster/fake-prometheus.js) on 127.0.0.1.
# Controllers that take a metrics server at start-up (Flagger) are given its URL, and the tests
# find it as FAKE_PROMETHEUS_URL in the run dir's env file.
read -r FAKE_PROMETHEUS_PORT < <(pd_free_ports 1)
FAKE_PROMETHEUS_URL="http://127.0.0.1:$FAKE_PROMETHEUS_PORT"
pd_start fake-prometheus node "$PD_CLUSTER_ROOT/fake-prometheus.js" "$FAKE_PROMETHEUS_PORT"
pd_wait_until 30 "the fake Prometheus" node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$FAKE_PROMETHEUS_URL/-/ready" || return 1
echo "export FAKE_PROMETHEUS_URL='$FAKE_PROMETHEUS_URL'" >>"$PD_RUN_DIR/env"
export FAKE_PROMETHEUS_URL
pd_log "fake Prometheus at $FAKE_PROMETHEUS_URL"
