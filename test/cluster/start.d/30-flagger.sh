# shellcheck shell=bash
# Sourced by cluster-up.sh: the Flagger controller (v1.44.0, built by components/flagger), out of
# cluster, every namespace. One process serves every provider: each Canary the library writes
# names its own (nginx, istio, gatewayapi:v1, kubernetes). Its built-in metrics server is the
# fake Prometheus (the library's analysis uses MetricTemplates with their own address anyway).
FLAGGER_BIN=$(pd_component_bin flagger) || return 1
read -r FLAGGER_PORT < <(pd_free_ports 1)
pd_start flagger "$FLAGGER_BIN/flagger" -kubeconfig "$KUBECONFIG" -mesh-provider kubernetes \
  -metrics-server "$FAKE_PROMETHEUS_URL" -port "$FLAGGER_PORT" -control-loop-interval 2s \
  -log-level info -zap-encoding console
pd_wait_until 60 "Flagger /healthz" node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
  "http://127.0.0.1:$FLAGGER_PORT/healthz" || return 1
pd_log "Flagger started"
