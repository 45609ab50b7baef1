package main

import (
	"fmt"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-progressive-delivery/cdk8s-progressive-delivery-go/cdk8sprogressivedelivery"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

// A bad canary weight panics when the release is constructed (jsii panics with an error), with
// the TypeScript library's message.
func TestBadWeightPanics(t *testing.T) {
	for _, weight := range []float64{101, -1} {
		t.Run(fmt.Sprint(weight), func(t *testing.T) {
			defer func() {
				r := recover()
				want := fmt.Sprintf("CanaryRelease 'myapp': canary.traffic.weight (%v) must be a whole number between 0 and weightTotal (100)", weight)
				err, ok := r.(error)
				if !ok || err.Error() != want {
					t.Fatalf("recovered %#v, want an error %q", r, want)
				}
			}()
			chart := cdk8s.NewChart(cdk8s.NewApp(nil), jsii.String("bad-weight"), nil)
			cdk8sprogressivedelivery.NewCanaryRelease(chart, jsii.String("myapp"), &cdk8sprogressivedelivery.CanaryReleaseProps{
				ContainerPort: jsii.Number(80),
				Router:        cdk8sprogressivedelivery.TrafficRouter_Nginx(&cdk8sprogressivedelivery.NginxRouterOptions{Host: jsii.String("myapp.example.com")}),
				Stable:        &cdk8sprogressivedelivery.ReleaseTrack{Version: jsii.String("v1"), Image: jsii.String("myapp:v1")},
				Canary: &cdk8sprogressivedelivery.CanaryTrack{
					Version: jsii.String("v2"),
					Image:   jsii.String("myapp:v2"),
					Traffic: &cdk8sprogressivedelivery.CanaryTraffic{Weight: jsii.Number(weight)},
				},
			})
		})
	}
}
