package com.example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.cdk8s.App;
import org.cdk8s.Chart;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.cdk8s.progressivedelivery.CanaryRelease;
import io.github.cdk8s.progressivedelivery.CanaryTrack;
import io.github.cdk8s.progressivedelivery.CanaryTraffic;
import io.github.cdk8s.progressivedelivery.NginxRouterOptions;
import io.github.cdk8s.progressivedelivery.ReleaseTrack;
import io.github.cdk8s.progressivedelivery.TrafficRouter;
import software.amazon.jsii.JsiiError;

/**
 * A bad canary weight throws when the release is built, with the TypeScript library's message.
 * jsii throws it as a {@link JsiiError} (a RuntimeException) whose message is the library's
 * message, then the JavaScript stack on the lines after it.
 */
class BadWeightTest {
    @ParameterizedTest
    @ValueSource(ints = {101, -1})
    void badWeightThrows(final int weight) {
        Chart chart = new Chart(new App(), "bad-weight");
        CanaryRelease.Builder release = CanaryRelease.Builder.create(chart, "myapp")
                .containerPort(80)
                .router(TrafficRouter.nginx(NginxRouterOptions.builder().host("myapp.example.com").build()))
                .stable(ReleaseTrack.builder().version("v1").image("myapp:v1").build())
                .canary(CanaryTrack.builder().version("v2").image("myapp:v2")
                        .traffic(CanaryTraffic.builder().weight(weight).build())
                        .build());
        JsiiError thrown = assertThrows(JsiiError.class, release::build);
        assertEquals("CanaryRelease 'myapp': canary.traffic.weight (" + weight
                + ") must be a whole number between 0 and weightTotal (100)", thrown.getMessage().lines().findFirst().get());
    }
}
