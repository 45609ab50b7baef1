"""The TypeScript reference app (../typescript/main.ts), written in Python.

`cdk8s synth` (or `python main.py`) writes dist/<chart>.k8s.yaml; test/packages/run.sh checks
that every file is byte-identical to the TypeScript app's.
"""
from cdk8s import App, Chart, Duration, Size
import cdk8s_plus_27 as kplus
from cdk8s_progressive_delivery import (
    BlueGreenColor,
    BlueGreenRelease,
    CanaryAnalysis,
    CanaryRelease,
    CanaryStep,
    DeliveryEngine,
    HeaderMatch,
    TrafficRouter,
)

# myapp's image runs as root and writes to its filesystem; it needs little CPU and memory.
CONTAINER = kplus.ContainerOpts(
    security_context=kplus.ContainerSecurityContextProps(ensure_non_root=False, read_only_root_filesystem=False),
    resources=kplus.ContainerResources(
        cpu=kplus.CpuResources(request=kplus.Cpu.millis(100)),
        memory=kplus.MemoryResources(request=Size.mebibytes(64), limit=Size.mebibytes(256)),
    ),
)
SIDECAR = {"labels": {"sidecar.istio.io/inject": "true"}}

app = App()

# 1. A header canary on ingress-nginx: only requests with `name: huazi` reach v2.
header_canary = Chart(app, "header-canary", namespace="header-canary")
CanaryRelease(
    header_canary,
    "myapp",
    container_port=80,
    service_port=8080,
    container=CONTAINER,
    router=TrafficRouter.nginx(host="myapp.example.com", ingress_class_name="nginx", path="/"),
    stable={"version": "v1", "image": "myapp:v1", "replicas": 3},
    canary={"version": "v2", "image": "myapp:v2", "replicas": 1, "traffic": {"header": HeaderMatch.exact("name", "huazi")}},
)

# 2. A weighted canary on Istio, by DestinationRule subsets: 10% to v2.
istio_canary = Chart(app, "istio-weight-canary", namespace="istio-weight-canary")
CanaryRelease(
    istio_canary,
    "myapp",
    container_port=80,
    service_port=8080,
    container=CONTAINER,
    pod_metadata=SIDECAR,
    router=TrafficRouter.istio(hosts=["myapp.com", "myapp"], gateways=["istio-system/public-gateway", "mesh"], subsets=True),
    stable={"version": "v1", "image": "myapp:v1", "replicas": 3},
    canary={"version": "v2", "image": "myapp:v2", "replicas": 1, "traffic": {"weight": 10}},
)

# 3. Blue-green on ingress-nginx: blue (v1) serves everyone, green (v2) at the preview host.
blue_green = Chart(app, "blue-green-preview", namespace="blue-green-preview")
BlueGreenRelease(
    blue_green,
    "myapp",
    container_port=80,
    service_port=8080,
    container=CONTAINER,
    router=TrafficRouter.nginx(host="myapp.example.com", ingress_class_name="nginx", path="/"),
    blue={"version": "v1", "image": "myapp:v1", "replicas": 3},
    green={"version": "v2", "image": "myapp:v2", "replicas": 3},
    active=BlueGreenColor.BLUE,
    preview_host="preview.myapp.example.com",
)

# 4. A plan with analysis on Argo Rollouts (Istio): 5% for 2 hours, 50% for 4 hours, then
# everyone; roll back above 5% of requests failing with 5xx.
argo_plan = Chart(app, "argo-rollouts-plan", namespace="argo-rollouts-plan")
CanaryRelease(
    argo_plan,
    "myapp",
    container_port=80,
    service_port=8080,
    container=CONTAINER,
    pod_metadata=SIDECAR,
    router=TrafficRouter.istio(hosts=["myapp.com", "myapp"], gateways=["istio-system/public-gateway", "mesh"]),
    engine=DeliveryEngine.argo_rollouts(),
    steps=[
        CanaryStep.shift_traffic(5), CanaryStep.pause(Duration.hours(2)),
        CanaryStep.shift_traffic(50), CanaryStep.pause(Duration.hours(4)),
        CanaryStep.shift_traffic(100),
    ],
    analysis=CanaryAnalysis.prometheus(address="http://prometheus.monitoring:9090", max_error_rate=5),
    stable={"version": "v1", "image": "myapp:v1", "replicas": 3},
    canary={"version": "v2", "image": "myapp:v2"},
)

app.synth()
