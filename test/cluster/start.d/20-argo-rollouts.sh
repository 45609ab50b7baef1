# shellcheck shell=bash
# Sourced by cluster-up.sh: the Argo Rollouts controller (v1.9.1, built by
# components/argo-rollouts), out of cluster, watching every namespace. See README-controllers.md
# for each flag and where upstream reads it.
ARGO_BIN=$(pd_component_bin argo-rollouts) || return 1
# The controller's informers need all five of its CRDs (crds/argo-rollouts.yaml holds the three
# the library writes objects of); the build copied the module's own v1.9.1 files.
kubectl apply --server-side --force-conflicts --field-manager=cdk8s-pd-cluster -f "$ARGO_BIN/crds" >&2
kubectl wait --for=condition=Established crd --all --timeout=60s >&2
read -r ARGO_METRICS_PORT ARGO_HEALTHZ_PORT < <(pd_free_ports 2)
mkdir -p "$PD_RUN_DIR/argo-rollouts" # its working directory (plugins would be copied here)
# Only the ports can be chosen: upstream binds its metrics and healthz listeners to 0.0.0.0.
pd_start argo-rollouts env -C "$PD_RUN_DIR/argo-rollouts" KUBECONFIG="$KUBECONFIG" POD_NAMESPACE=argo-rollouts \
  "$ARGO_BIN/rollouts-controller" --kubeconfig "$KUBECONFIG" --leader-elect=false --ingress-api-version=networking/v1 \
  --metricsPort "$ARGO_METRICS_PORT" --healthzPort "$ARGO_HEALTHZ_PORT" --loglevel info
pd_wait_until 120 "Argo Rollouts' informers" grep -q 'Started controller' "$PD_RUN_DIR/logs/argo-rollouts.log" || return 1
pd_log "Argo Rollouts started"
