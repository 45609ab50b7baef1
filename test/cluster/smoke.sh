#!/usr/bin/env bash
# Smoke check of a cluster started by cluster-up.sh:
#   1. a namespace that enforces the restricted Pod Security Standard
#   2. a restricted-compliant Deployment (2 replicas) becomes Available
#   3. its Service's EndpointSlice lists 2 ready endpoints
#   4. a privileged Pod is rejected by the PodSecurity admission plugin
#   5. the API server reports the stamped version (gitVersion, major, minor)
# Uses the run dir's env file (KUBECONFIG, kubectl on PATH). Exit status 0 only if all pass.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PD_RUN_DIR=$(pd_run_dir)
[[ -f "$PD_RUN_DIR/env" ]] || { pd_log "no cluster in $PD_RUN_DIR (run cluster-up.sh)"; exit 1; }
# shellcheck disable=SC1091
source "$PD_RUN_DIR/env"

ns=pd-smoke
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }

cleanup() { kubectl delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT
kubectl delete namespace "$ns" --ignore-not-found --wait=true --timeout=60s >/dev/null

# 1. namespace enforcing restricted
kubectl apply -f - <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
EOF
if [[ $(kubectl get ns "$ns" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}') == restricted ]]; then
  pass "namespace $ns enforces pod-security restricted"
else
  fail "namespace $ns is not labelled enforce=restricted"
fi
# The ServiceAccount admission plugin needs the namespace's default ServiceAccount.
pd_wait_until 30 "ServiceAccount $ns/default" kubectl -n "$ns" get serviceaccount default

# 2. restricted-compliant Deployment and its Service
kubectl -n "$ns" apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: registry.k8s.io/pause:3.10
        ports:
        - {name: http, containerPort: 8080}
        resources:
          requests: {cpu: 10m, memory: 16Mi}
          limits: {memory: 32Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
EOF
if kubectl -n "$ns" wait --for=condition=Available deployment/web --timeout=90s; then
  pass "Deployment web Available: $(kubectl -n "$ns" get deployment web -o jsonpath='{.status.readyReplicas}/{.spec.replicas} ready')"
else
  fail "Deployment web did not become Available"
fi
kubectl -n "$ns" get pods -o wide

# 3. EndpointSlice with 2 ready endpoints
ready_endpoints() {
  kubectl -n "$ns" get endpointslices -l kubernetes.io/service-name=web \
    -o jsonpath='{range .items[*].endpoints[*]}{.conditions.ready}{"\n"}{end}' | grep -c '^true$' || true
}
two_ready() { [[ $(ready_endpoints) == 2 ]]; }
if pd_wait_until 60 "2 ready endpoints" two_ready; then
  pass "EndpointSlice of Service web lists 2 ready endpoints: $(kubectl -n "$ns" get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{.items[*].endpoints[*].addresses[*]}')"
else
  fail "EndpointSlice of Service web: $(ready_endpoints || true) ready endpoints, expected 2"
  kubectl -n "$ns" get endpointslices -o yaml || true
fi

# 4. a privileged Pod is rejected by PodSecurity
if out=$(kubectl -n "$ns" apply -f - 2>&1 <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
  - name: root
    image: registry.k8s.io/pause:3.10
    securityContext:
      privileged: true
EOF
); then
  fail "privileged Pod was admitted: $out"
elif grep -q 'violates PodSecurity "restricted:latest"' <<<"$out"; then
  pass "privileged Pod rejected by PodSecurity: $(head -c 300 <<<"$out")"
else
  fail "privileged Pod rejected, but not by PodSecurity: $out"
fi

# 5. version stamping
ver=$(kubectl get --raw /version)
if grep -q '"major": *"1"' <<<"$ver" && grep -q '"minor": *"34"' <<<"$ver" && grep -q '"gitVersion": *"v1\.34\.[0-9]*"' <<<"$ver"; then
  pass "API server version: $(tr -d ' \n' <<<"$ver" | head -c 120)"
else
  fail "API server version is not stamped v1.34.x/1/34: $ver"
fi

echo "smoke: $passed passed, $failed failed"
((failed == 0))
