#!/usr/bin/env bash
# Start a real, local Kubernetes control plane built from Go modules (no Docker, no kubelet):
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok with fake Nodes, all
# on 127.0.0.1, then install every CRD of crds/*.yaml and source test/cluster/start.d/*.sh.
#
# The last line on stdout is exactly KUBECONFIG=<absolute path>; progress goes to stderr.
# On any failure everything started so far is stopped (cluster-down.sh), the tail of the
# failing component's log is printed, and the exit status is non-zero.
#
# Environment:
#   CDK8S_PD_CLUSTER_DIR  run dir (logs, pids, certs, kubeconfig)  [${TMPDIR:-/tmp}/cdk8s-pd-cluster]
#   CDK8S_PD_CACHE        build cache              [${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-progressive-delivery]
#   CDK8S_PD_CORE_ONLY=1  build and start only etcd, kubernetes and kwok; skip start.d/
#   CDK8S_PD_NODES        number of fake Nodes [2]
#   CDK8S_PD_START_D      the directory of the start scripts [test/cluster/start.d]
#
# The run dir gets an `env` file to source (KUBECONFIG, PD_RUN_DIR, PD_APISERVER_URL,
# PATH with kubectl, ports).
#
# Extension point: after the core is ready and the CRDs are Established, every
# test/cluster/start.d/*.sh is sourced in name order. It may use the helpers of lib.sh
# (pd_component_bin, pd_start, pd_wait_until, pd_free_ports, pd_log) and the variables
# KUBECONFIG, PD_RUN_DIR, PD_REPO_ROOT, PD_APISERVER_URL; kubectl is on PATH. Processes it
# starts with pd_start are stopped by cluster-down.sh. It should `return 1` (not exit) on failure.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

t0=$SECONDS
PD_RUN_DIR=$(pd_run_dir)
PD_STAGE=setup
PD_FAILED=
PD_BUILD_PID=
export PD_RUN_DIR PD_REPO_ROOT PD_CLUSTER_ROOT

SERVICE_CIDR=10.96.0.0/16
SERVICE_FIRST_IP=10.96.0.1
POD_CIDR=10.244.0.0/16       # kwok gives each fake Node a /24 of it; no overlap with services
NODES=${CDK8S_PD_NODES:-2}

# --- failure handling --------------------------------------------------------------------

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  set +e    # the clean-up must run to its end
  ((rc == 0)) && return 0
  if [[ -n ${PD_BUILD_PID:-} ]]; then
    kill -TERM -- "-$PD_BUILD_PID" 2>/dev/null || kill -TERM "$PD_BUILD_PID" 2>/dev/null
    wait "$PD_BUILD_PID" 2>/dev/null
  fi
  if ((rc == 130 || rc == 143)); then
    pd_log "interrupted during: $PD_STAGE"
  else
    pd_log "FAILED during: $PD_STAGE (exit $rc)"
  fi
  if ((rc != 130 && rc != 143)) && [[ -d "$PD_RUN_DIR/logs" ]]; then
    local names n
    names=$( { echo "${PD_FAILED:-}"; pd_dead; } | tr ' ' '\n' | awk 'NF && !seen[$0]++')
    [[ -n $names ]] || names=${PD_CURRENT:-}
    for n in $names; do
      [[ -f "$PD_RUN_DIR/logs/$n.log" ]] || continue
      pd_log "---- last 40 lines of $PD_RUN_DIR/logs/$n.log ----"
      tail -n 40 "$PD_RUN_DIR/logs/$n.log" >&2 || true
    done
  fi
  pd_log "stopping everything that was started"
  CDK8S_PD_CLUSTER_DIR=$PD_RUN_DIR "$PD_CLUSTER_ROOT/cluster-down.sh" >&2 || true
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- run dir ------------------------------------------------------------------------------

if [[ -e $PD_RUN_DIR ]]; then
  if [[ -f "$PD_RUN_DIR/.cdk8s-pd-cluster" ]]; then
    running=$(for f in "$PD_RUN_DIR"/pids/*.pid; do
      [[ -f $f ]] && pd_alive_pidfile "$f" && basename "$f" .pid; done || true)
    if [[ -n $running ]]; then
      pd_log "a cluster is already running in $PD_RUN_DIR ($(echo $running)); run cluster-down.sh first"
      trap - EXIT; exit 1
    fi
    pd_log "removing the stale run dir $PD_RUN_DIR"
    CDK8S_PD_CLUSTER_DIR=$PD_RUN_DIR "$PD_CLUSTER_ROOT/cluster-down.sh" >&2
  elif [[ -n "$(ls -A "$PD_RUN_DIR" 2>/dev/null)" ]]; then
    pd_log "$PD_RUN_DIR exists, is not empty and is not a cluster run dir; refusing to use it"
    trap - EXIT; exit 1
  fi
fi
mkdir -p "$PD_RUN_DIR"
PD_RUN_DIR=$(cd "$PD_RUN_DIR" && pwd)
touch "$PD_RUN_DIR/.cdk8s-pd-cluster"
mkdir -p "$PD_RUN_DIR"/{certs,logs,pids,kubeconfigs,etcd,kwok}

# --- build (cached) -------------------------------------------------------------------------

PD_STAGE="building components"
build_args=()
[[ ${CDK8S_PD_CORE_ONLY:-} == 1 ]] && build_args=(etcd kubernetes kwok)
# In the background, in its own process group, and waited for: a SIGTERM/SIGINT to this script
# is then handled at once (a foreground child would be waited for first) and on_exit stops
# the build with its go processes.
setsid "$PD_CLUSTER_ROOT/build-components.sh" "${build_args[@]}" </dev/null &
PD_BUILD_PID=$!
wait "$PD_BUILD_PID"
PD_BUILD_PID=
ETCD_BIN=$(pd_component_bin etcd)
K8S_BIN=$(pd_component_bin kubernetes)
KWOK_BIN=$(pd_component_bin kwok)
export PATH="$K8S_BIN:$PATH"

# --- certificates and kubeconfigs ------------------------------------------------------------

PD_STAGE="generating certificates"
command -v openssl >/dev/null || { pd_log "openssl is required"; exit 1; }
certs=$PD_RUN_DIR/certs
(
  cd "$certs"
  umask 077
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=cdk8s-pd-ca" \
    -keyout ca.key -out ca.crt 2>/dev/null
  # ECDSA P-256 for the CAs and TLS certificates (RSA keys took ~3 s of a warm start);
  # RSA for the service account token signing key (one key for both apiserver flags, like kwokctl)
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
  openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null

  sign() { # sign NAME SUBJECT EXTENSIONS
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
      -extfile <(printf '%b' "$3") -out "$1.crt" 2>/dev/null
    rm -f "$1.csr"
  }
  client='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'
  sign apiserver "/CN=kube-apiserver" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:$SERVICE_FIRST_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
  # front proxy (request header) CA and client, as kubeadm sets them up: without them the
  # controller manager and scheduler log "missing content for CA bundle" every few seconds
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=cdk8s-pd-front-proxy-ca" \
    -keyout front-proxy-ca.key -out front-proxy-ca.crt 2>/dev/null
  (
    sign_fp() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=front-proxy-client" \
      -keyout front-proxy-client.key 2>/dev/null | openssl x509 -req -CA front-proxy-ca.crt \
      -CAkey front-proxy-ca.key -CAcreateserial -days 365 -extfile <(printf '%b' "$client") \
      -out front-proxy-client.crt 2>/dev/null; }
    sign_fp
  )
  sign admin "/O=system:masters/CN=cdk8s-pd-admin" "$client"
  sign kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign kube-scheduler "/CN=system:kube-scheduler" "$client"
  sign kwok "/O=system:masters/CN=kwok" "$client"
)

PD_STAGE="picking ports"
read -r ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHEDULER_PORT KWOK_PORT < <(pd_free_ports 6)
PD_APISERVER_URL=https://127.0.0.1:$APISERVER_PORT
export PD_APISERVER_URL

write_kubeconfig() { # write_kubeconfig FILE CERTNAME
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cdk8s-pd
  cluster:
    server: $PD_APISERVER_URL
    certificate-authority-data: $(base64 -w0 "$certs/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$certs/$2.crt")
    client-key-data: $(base64 -w0 "$certs/$2.key")
contexts:
- name: cdk8s-pd
  context:
    cluster: cdk8s-pd
    user: $2
current-context: cdk8s-pd
EOF
  chmod 600 "$1"
}
KUBECONFIG=$PD_RUN_DIR/kubeconfig
export KUBECONFIG
write_kubeconfig "$KUBECONFIG" admin
for c in kube-controller-manager kube-scheduler kwok; do
  write_kubeconfig "$PD_RUN_DIR/kubeconfigs/$c.kubeconfig" "$c"
done

# --- etcd ------------------------------------------------------------------------------------

PD_STAGE="starting etcd"; PD_CURRENT=etcd
pd_start etcd "$ETCD_BIN/etcd" \
  --name=default \
  --data-dir="$PD_RUN_DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="default=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync \
  --log-level=warn
pd_wait_until 30 "etcd /health" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# --- kube-apiserver ----------------------------------------------------------------------------

PD_STAGE="starting kube-apiserver"; PD_CURRENT=kube-apiserver
pd_start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --endpoint-reconciler-type=none \
  --secure-port="$APISERVER_PORT" \
  --cert-dir="$PD_RUN_DIR/certs/apiserver-generated" \
  --tls-cert-file="$certs/apiserver.crt" \
  --tls-private-key-file="$certs/apiserver.key" \
  --client-ca-file="$certs/ca.crt" \
  --requestheader-client-ca-file="$certs/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$certs/front-proxy-client.crt" \
  --proxy-client-key-file="$certs/front-proxy-client.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$certs/sa.pub" \
  --service-account-signing-key-file="$certs/sa.key" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true \
  --max-requests-inflight=0 \
  --max-mutating-requests-inflight=0 \
  --enable-priority-and-fairness=false \
  --profiling=false
pd_wait_until 90 "kube-apiserver /readyz" kubectl get --raw /readyz

# --- kube-controller-manager, kube-scheduler ---------------------------------------------------

PD_STAGE="starting kube-controller-manager"; PD_CURRENT=kube-controller-manager
kcm_kc=$PD_RUN_DIR/kubeconfigs/kube-controller-manager.kubeconfig
pd_start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$kcm_kc" \
  --authentication-kubeconfig="$kcm_kc" \
  --authorization-kubeconfig="$kcm_kc" \
  --bind-address=127.0.0.1 \
  --secure-port="$KCM_PORT" \
  --cert-dir="$PD_RUN_DIR/certs/kcm-generated" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --root-ca-file="$certs/ca.crt" \
  --service-account-private-key-file="$certs/sa.key" \
  --cluster-signing-cert-file="$certs/ca.crt" \
  --cluster-signing-key-file="$certs/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --profiling=false

PD_STAGE="starting kube-scheduler"; PD_CURRENT=kube-scheduler
sched_kc=$PD_RUN_DIR/kubeconfigs/kube-scheduler.kubeconfig
pd_start kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig="$sched_kc" \
  --authentication-kubeconfig="$sched_kc" \
  --authorization-kubeconfig="$sched_kc" \
  --bind-address=127.0.0.1 \
  --secure-port="$SCHEDULER_PORT" \
  --cert-dir="$PD_RUN_DIR/certs/scheduler-generated" \
  --leader-elect=false \
  --profiling=false

# --- kwok and its fake Nodes ---------------------------------------------------------------------

PD_STAGE="starting kwok"; PD_CURRENT=kwok
kwok_conf=$PD_RUN_DIR/kwok/kwok.yaml
# Only the stages: with no KwokConfiguration object in it, kwok defaults its options (a
# KwokConfiguration from a file is not defaulted: "node leases parallelism must be greater than 0").
# kwok's default stages (copied by the kwok build), then this project's, test/cluster/kwok-stages/
# (read here, not at build time: they are not part of the binaries' cache key). A project file
# named as a default one replaces it, and must be that default plus its lines marked
# `# cdk8s-pd` (and its comment header): a kwok upgrade that changes the default is caught here.
kwok_stages=$PD_CLUSTER_ROOT/kwok-stages
for f in "$kwok_stages"/*.yaml; do
  [[ -f $f ]] || continue
  default=$KWOK_BIN/stages/$(basename "$f")
  [[ -f $default ]] || continue
  if ! diff -u "$default" <(grep -v -e '^#' -e '# cdk8s-pd$' "$f") >&2; then
    pd_log "test/cluster/kwok-stages/$(basename "$f") is no longer kwok's default stage plus the lines marked cdk8s-pd (diff above): update the copy"
    exit 1
  fi
done
{
  for f in "$KWOK_BIN"/stages/*.yaml; do
    [[ -f "$kwok_stages/$(basename "$f")" ]] && continue
    echo "---"; cat "$f"
  done
  for f in "$kwok_stages"/*.yaml; do
    if [[ -f $f ]]; then echo "---"; cat "$f"; fi
  done
} >"$kwok_conf"
# HOME points into the run dir so that a ~/.kwok/kwok.yaml of the user is not loaded too.
# Node addresses are 127.0.0.1 and the kubelet port is kwok's own server, so anything the
# API server sends "to a kubelet" (logs, exec, port-forward) stays on this machine.
pd_start kwok env HOME="$PD_RUN_DIR/kwok" "$KWOK_BIN/kwok" \
  --kubeconfig="$PD_RUN_DIR/kubeconfigs/kwok.kubeconfig" \
  --config="$kwok_conf" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --cidr="$POD_CIDR" \
  --node-ip=127.0.0.1 \
  --node-port="$KWOK_PORT" \
  --server-address="127.0.0.1:$KWOK_PORT" \
  --node-lease-duration-seconds=40
pd_wait_until 30 "kwok /healthz" curl -fsS "http://127.0.0.1:$KWOK_PORT/healthz"

PD_STAGE="creating fake Nodes"; PD_CURRENT=kwok
# Room for every pod of the cluster tests, which keep their namespaces to the end: cdk8s-plus
# requests a whole CPU per container by default, and each Node's pod CIDR is a /24.
for ((i = 0; i < NODES; i++)); do
  cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    node-role.kubernetes.io/agent: ""
    type: kwok
    topology.kubernetes.io/zone: zone-$i
spec:
  podCIDR: 10.244.$i.0/24
  podCIDRs: [10.244.$i.0/24]
status:
  allocatable: {cpu: "1000", memory: 4Ti, pods: "250", ephemeral-storage: 1Ti}
  capacity: {cpu: "1000", memory: 4Ti, pods: "250", ephemeral-storage: 1Ti}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
    kubeProxyVersion: fake
EOF
done | kubectl apply -f - >&2

# --- CRDs (applied while the controllers start; waited for below) -----------------------------

PD_STAGE="installing CRDs"; PD_CURRENT=kube-apiserver
shopt -s nullglob
crds=("$PD_REPO_ROOT"/crds/*.yaml)
shopt -u nullglob
if ((${#crds[@]})); then
  kubectl apply --server-side --field-manager=cdk8s-pd-cluster "${crds[@]/#/--filename=}" >&2
fi

# --- readiness -------------------------------------------------------------------------------------

PD_STAGE="waiting for the controllers and scheduler"; PD_CURRENT=kube-controller-manager
pd_wait_until 60 "kube-controller-manager /healthz" curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
PD_CURRENT=kube-scheduler
pd_wait_until 60 "kube-scheduler /healthz" curl -fsSk "https://127.0.0.1:$SCHEDULER_PORT/healthz"
PD_STAGE="waiting for ServiceAccount default/default"; PD_CURRENT=kube-controller-manager
pd_wait_until 60 "ServiceAccount default/default" kubectl -n default get serviceaccount default
PD_STAGE="waiting for Nodes Ready"; PD_CURRENT=kwok
nodes_ready() {
  local n
  n=$(kubectl get nodes -l type=kwok \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)
  ((n >= NODES))
}
pd_wait_until 60 "$NODES Ready Nodes" nodes_ready

PD_STAGE="waiting for the CRDs to be Established"; PD_CURRENT=kube-apiserver
if ((${#crds[@]})); then
  kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
  pd_log "ready: $(kubectl get crd --no-headers | wc -l) CRDs Established"
fi

cat >"$PD_RUN_DIR/env" <<EOF
# source this file to talk to the cluster in $PD_RUN_DIR
export KUBECONFIG='$KUBECONFIG'
export PD_RUN_DIR='$PD_RUN_DIR'
export PD_APISERVER_URL='$PD_APISERVER_URL'
export PD_ETCD_URL='http://127.0.0.1:$ETCD_PORT'
export PD_KWOK_URL='http://127.0.0.1:$KWOK_PORT'
export PATH='$K8S_BIN':"\$PATH"
EOF
pd_log "core ready in $((SECONDS - t0))s: $(kubectl version 2>/dev/null | tr '\n' ' ')"

# --- extension point --------------------------------------------------------------------------------

if [[ ${CDK8S_PD_CORE_ONLY:-} != 1 ]]; then
  shopt -s nullglob
  for f in "${CDK8S_PD_START_D:-$PD_CLUSTER_ROOT/start.d}"/*.sh; do
    PD_STAGE="start.d/$(basename "$f")"; PD_CURRENT=
    pd_log "sourcing $PD_STAGE"
    # shellcheck disable=SC1090
    source "$f"
  done
  shopt -u nullglob
fi

PD_STAGE=done
pd_log "cluster up in $((SECONDS - t0))s (run dir $PD_RUN_DIR; down: test/cluster/cluster-down.sh)"
echo "KUBECONFIG=$KUBECONFIG"
