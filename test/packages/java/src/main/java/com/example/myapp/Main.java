package com.example.myapp;

import java.util.List;
import java.util.Map;

import org.cdk8s.ApiObjectMetadata;
import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.ChartProps;
import org.cdk8s.Duration;
import org.cdk8s.Size;
import org.cdk8s.plus27.ContainerOpts;
import org.cdk8s.plus27.ContainerResources;
import org.cdk8s.plus27.ContainerSecurityContextProps;
import org.cdk8s.plus27.Cpu;
import org.cdk8s.plus27.CpuResources;
import org.cdk8s.plus27.MemoryResources;

import io.github.cdk8s.progressivedelivery.BlueGreenColor;
import io.github.cdk8s.progressivedelivery.BlueGreenRelease;
import io.github.cdk8s.progressivedelivery.CanaryAnalysis;
import io.github.cdk8s.progressivedelivery.CanaryRelease;
import io.github.cdk8s.progressivedelivery.CanaryStep;
import io.github.cdk8s.progressivedelivery.CanaryTrack;
import io.github.cdk8s.progressivedelivery.CanaryTraffic;
import io.github.cdk8s.progressivedelivery.DeliveryEngine;
import io.github.cdk8s.progressivedelivery.HeaderMatch;
import io.github.cdk8s.progressivedelivery.IstioRouterOptions;
import io.github.cdk8s.progressivedelivery.NginxRouterOptions;
import io.github.cdk8s.progressivedelivery.PrometheusAnalysisOptions;
import io.github.cdk8s.progressivedelivery.ReleaseTrack;
import io.github.cdk8s.progressivedelivery.TrafficRouter;

/**
 * The TypeScript reference app (../typescript/main.ts), written in Java: four releases, one chart
 * each, synthesized into dist/&lt;chart&gt;.k8s.yaml. test/packages/run.sh checks that every file is
 * byte-identical to the TypeScript app's.
 */
public final class Main {
    /** myapp's image runs as root and writes to its filesystem; it needs little CPU and memory. */
    static final ContainerOpts CONTAINER = ContainerOpts.builder()
            .securityContext(ContainerSecurityContextProps.builder()
                    .ensureNonRoot(false)
                    .readOnlyRootFilesystem(false)
                    .build())
            .resources(ContainerResources.builder()
                    .cpu(CpuResources.builder().request(Cpu.millis(100)).build())
                    .memory(MemoryResources.builder()
                            .request(Size.mebibytes(64))
                            .limit(Size.mebibytes(256))
                            .build())
                    .build())
            .build();
    static final ApiObjectMetadata SIDECAR = ApiObjectMetadata.builder()
            .labels(Map.of("sidecar.istio.io/inject", "true"))
            .build();

    public static void main(final String[] args) {
        App app = new App();

        // 1. A header canary on ingress-nginx: only requests with `name: huazi` reach v2.
        Chart headerCanary = new Chart(app, "header-canary", ChartProps.builder().namespace("header-canary").build());
        CanaryRelease.Builder.create(headerCanary, "myapp")
                .containerPort(80)
                .servicePort(8080)
                .container(CONTAINER)
                .router(TrafficRouter.nginx(NginxRouterOptions.builder()
                        .host("myapp.example.com").ingressClassName("nginx").path("/").build()))
                .stable(ReleaseTrack.builder().version("v1").image("myapp:v1").replicas(3).build())
                .canary(CanaryTrack.builder().version("v2").image("myapp:v2").replicas(1)
                        .traffic(CanaryTraffic.builder().header(HeaderMatch.exact("name", "huazi")).build())
                        .build())
                .build();

        // 2. A weighted canary on Istio, by DestinationRule subsets: 10% to v2.
        Chart istioCanary = new Chart(app, "istio-weight-canary", ChartProps.builder().namespace("istio-weight-canary").build());
        CanaryRelease.Builder.create(istioCanary, "myapp")
                .containerPort(80)
                .servicePort(8080)
                .container(CONTAINER)
                .podMetadata(SIDECAR)
                .router(TrafficRouter.istio(IstioRouterOptions.builder()
                        .hosts(List.of("myapp.com", "myapp"))
                        .gateways(List.of("istio-system/public-gateway", "mesh"))
                        .subsets(true)
                        .build()))
                .stable(ReleaseTrack.builder().version("v1").image("myapp:v1").replicas(3).build())
                .canary(CanaryTrack.builder().version("v2").image("myapp:v2").replicas(1)
                        .traffic(CanaryTraffic.builder().weight(10).build())
                        .build())
                .build();

        // 3. Blue-green on ingress-nginx: blue (v1) serves everyone, green (v2) at the preview host.
        Chart blueGreen = new Chart(app, "blue-green-preview", ChartProps.builder().namespace("blue-green-preview").build());
        BlueGreenRelease.Builder.create(blueGreen, "myapp")
                .containerPort(80)
                .servicePort(8080)
                .container(CONTAINER)
                .router(TrafficRouter.nginx(NginxRouterOptions.builder()
                        .host("myapp.example.com").ingressClassName("nginx").path("/").build()))
                .blue(ReleaseTrack.builder().version("v1").image("myapp:v1").replicas(3).build())
                .green(ReleaseTrack.builder().version("v2").image("myapp:v2").replicas(3).build())
                .active(BlueGreenColor.BLUE)
                .previewHost("preview.myapp.example.com")
                .build();

        // 4. A plan with analysis on Argo Rollouts (Istio): 5% for 2 hours, 50% for 4 hours, then
        // everyone; roll back above 5% of requests failing with 5xx.
        Chart argoPlan = new Chart(app, "argo-rollouts-plan", ChartProps.builder().namespace("argo-rollouts-plan").build());
        CanaryRelease.Builder.create(argoPlan, "myapp")
                .containerPort(80)
                .servicePort(8080)
                .container(CONTAINER)
                .podMetadata(SIDECAR)
                .router(TrafficRouter.istio(IstioRouterOptions.builder()
                        .hosts(List.of("myapp.com", "myapp"))
                        .gateways(List.of("istio-system/public-gateway", "mesh"))
                        .build()))
                .engine(DeliveryEngine.argoRollouts())
                .steps(List.of(
                        CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
                        CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
                        CanaryStep.shiftTraffic(100)))
                .analysis(CanaryAnalysis.prometheus(PrometheusAnalysisOptions.builder()
                        .address("http://prometheus.monitoring:9090")
                        .maxErrorRate(5)
                        .build()))
                .stable(ReleaseTrack.builder().version("v1").image("myapp:v1").replicas(3).build())
                .canary(CanaryTrack.builder().version("v2").image("myapp:v2").build())
                .build();

        app.synth();
    }
}
