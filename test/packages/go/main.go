// The TypeScript reference app (../typescript/main.ts), written in Go: four releases, one chart
// each, synthesized into dist/<chart>.k8s.yaml. test/packages/run.sh checks that every file is
// byte-identical to the TypeScript app's.
package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-progressive-delivery/cdk8s-progressive-delivery-go/cdk8sprogressivedelivery"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

// myappContainer: myapp's image runs as root and writes to its filesystem; it needs little CPU
// and memory.
func myappContainer() *cdk8splus27.ContainerOpts {
	return &cdk8splus27.ContainerOpts{
		SecurityContext: &cdk8splus27.ContainerSecurityContextProps{
			EnsureNonRoot:          jsii.Bool(false),
			ReadOnlyRootFilesystem: jsii.Bool(false),
		},
		Resources: &cdk8splus27.ContainerResources{
			Cpu: &cdk8splus27.CpuResources{Request: cdk8splus27.Cpu_Millis(jsii.Number(100))},
			Memory: &cdk8splus27.MemoryResources{
				Request: cdk8s.Size_Mebibytes(jsii.Number(64)),
				Limit:   cdk8s.Size_Mebibytes(jsii.Number(256)),
			},
		},
	}
}

func sidecar() *cdk8s.ApiObjectMetadata {
	return &cdk8s.ApiObjectMetadata{Labels: &map[string]*string{"sidecar.istio.io/inject": jsii.String("true")}}
}

func main() {
	app := cdk8s.NewApp(nil)

	// 1. A header canary on ingress-nginx: only requests with `name: huazi` reach v2.
	headerCanary := cdk8s.NewChart(app, jsii.String("header-canary"), &cdk8s.ChartProps{Namespace: jsii.String("header-canary")})
	cdk8sprogressivedelivery.NewCanaryRelease(headerCanary, jsii.String("myapp"), &cdk8sprogressivedelivery.CanaryReleaseProps{
		ContainerPort: jsii.Number(80),
		ServicePort:   jsii.Number(8080),
		Container:     myappContainer(),
		Router: cdk8sprogressivedelivery.TrafficRouter_Nginx(&cdk8sprogressivedelivery.NginxRouterOptions{
			Host: jsii.String("myapp.example.com"), IngressClassName: jsii.String("nginx"), Path: jsii.String("/"),
		}),
		Stable: &cdk8sprogressivedelivery.ReleaseTrack{Version: jsii.String("v1"), Image: jsii.String("myapp:v1"), Replicas: jsii.Number(3)},
		Canary: &cdk8sprogressivedelivery.CanaryTrack{
			Version:  jsii.String("v2"),
			Image:    jsii.String("myapp:v2"),
			Replicas: jsii.Number(1),
			Traffic:  &cdk8sprogressivedelivery.CanaryTraffic{Header: cdk8sprogressivedelivery.HeaderMatch_Exact(jsii.String("name"), jsii.String("huazi"))},
		},
	})

	// 2. A weighted canary on Istio, by DestinationRule subsets: 10% to v2.
	istioCanary := cdk8s.NewChart(app, jsii.String("istio-weight-canary"), &cdk8s.ChartProps{Namespace: jsii.String("istio-weight-canary")})
	cdk8sprogressivedelivery.NewCanaryRelease(istioCanary, jsii.String("myapp"), &cdk8sprogressivedelivery.CanaryReleaseProps{
		ContainerPort: jsii.Number(80),
		ServicePort:   jsii.Number(8080),
		Container:     myappContainer(),
		PodMetadata:   sidecar(),
		Router: cdk8sprogressivedelivery.TrafficRouter_Istio(&cdk8sprogressivedelivery.IstioRouterOptions{
			Hosts:    jsii.Strings("myapp.com", "myapp"),
			Gateways: jsii.Strings("istio-system/public-gateway", "mesh"),
			Subsets:  jsii.Bool(true),
		}),
		Stable: &cdk8sprogressivedelivery.ReleaseTrack{Version: jsii.String("v1"), Image: jsii.String("myapp:v1"), Replicas: jsii.Number(3)},
		Canary: &cdk8sprogressivedelivery.CanaryTrack{
			Version:  jsii.String("v2"),
			Image:    jsii.String("myapp:v2"),
			Replicas: jsii.Number(1),
			Traffic:  &cdk8sprogressivedelivery.CanaryTraffic{Weight: jsii.Number(10)},
		},
	})

	// 3. Blue-green on ingress-nginx: blue (v1) serves everyone, green (v2) at the preview host.
	blueGreen := cdk8s.NewChart(app, jsii.String("blue-green-preview"), &cdk8s.ChartProps{Namespace: jsii.String("blue-green-preview")})
	cdk8sprogressivedelivery.NewBlueGreenRelease(blueGreen, jsii.String("myapp"), &cdk8sprogressivedelivery.BlueGreenReleaseProps{
		ContainerPort: jsii.Number(80),
		ServicePort:   jsii.Number(8080),
		Container:     myappContainer(),
		Router: cdk8sprogressivedelivery.TrafficRouter_Nginx(&cdk8sprogressivedelivery.NginxRouterOptions{
			Host: jsii.String("myapp.example.com"), IngressClassName: jsii.String("nginx"), Path: jsii.String("/"),
		}),
		Blue:        &cdk8sprogressivedelivery.ReleaseTrack{Version: jsii.String("v1"), Image: jsii.String("myapp:v1"), Replicas: jsii.Number(3)},
		Green:       &cdk8sprogressivedelivery.ReleaseTrack{Version: jsii.String("v2"), Image: jsii.String("myapp:v2"), Replicas: jsii.Number(3)},
		Active:      cdk8sprogressivedelivery.BlueGreenColor_BLUE,
		PreviewHost: jsii.String("preview.myapp.example.com"),
	})

	// 4. A plan with analysis on Argo Rollouts (Istio): 5% for 2 hours, 50% for 4 hours, then
	// everyone; roll back above 5% of requests failing with 5xx.
	argoPlan := cdk8s.NewChart(app, jsii.String("argo-rollouts-plan"), &cdk8s.ChartProps{Namespace: jsii.String("argo-rollouts-plan")})
	cdk8sprogressivedelivery.NewCanaryRelease(argoPlan, jsii.String("myapp"), &cdk8sprogressivedelivery.CanaryReleaseProps{
		ContainerPort: jsii.Number(80),
		ServicePort:   jsii.Number(8080),
		Container:     myappContainer(),
		PodMetadata:   sidecar(),
		Router: cdk8sprogressivedelivery.TrafficRouter_Istio(&cdk8sprogressivedelivery.IstioRouterOptions{
			Hosts:    jsii.Strings("myapp.com", "myapp"),
			Gateways: jsii.Strings("istio-system/public-gateway", "mesh"),
		}),
		Engine: cdk8sprogressivedelivery.DeliveryEngine_ArgoRollouts(nil),
		Steps: &[]cdk8sprogressivedelivery.CanaryStep{
			cdk8sprogressivedelivery.CanaryStep_ShiftTraffic(jsii.Number(5)), cdk8sprogressivedelivery.CanaryStep_Pause(cdk8s.Duration_Hours(jsii.Number(2))),
			cdk8sprogressivedelivery.CanaryStep_ShiftTraffic(jsii.Number(50)), cdk8sprogressivedelivery.CanaryStep_Pause(cdk8s.Duration_Hours(jsii.Number(4))),
			cdk8sprogressivedelivery.CanaryStep_ShiftTraffic(jsii.Number(100)),
		},
		Analysis: cdk8sprogressivedelivery.CanaryAnalysis_Prometheus(&cdk8sprogressivedelivery.PrometheusAnalysisOptions{
			Address:      jsii.String("http://prometheus.monitoring:9090"),
			MaxErrorRate: jsii.Number(5),
		}),
		Stable: &cdk8sprogressivedelivery.ReleaseTrack{Version: jsii.String("v1"), Image: jsii.String("myapp:v1"), Replicas: jsii.Number(3)},
		Canary: &cdk8sprogressivedelivery.CanaryTrack{Version: jsii.String("v2"), Image: jsii.String("myapp:v2")},
	})

	app.Synth()
}
