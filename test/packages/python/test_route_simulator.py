"""The public route simulator from Python (jsii): where each request lands, for a release served
at two paths, with a sticky canary (`python -m unittest`)."""
import unittest

from cdk8s import App, Chart
from cdk8s_progressive_delivery import (
    CanaryRelease,
    HeaderMatch,
    PathMatch,
    RouteSimulator,
    SimulatedRequest,
    TrafficRouter,
)


class RouteSimulatorTest(unittest.TestCase):
    def setUp(self):
        chart = Chart(App(), "sim")
        CanaryRelease(
            chart,
            "myapp",
            container_port=80,
            router=TrafficRouter.gateway_api(
                parent_refs=[{"name": "public"}],
                hostnames=["myapp.example.com"],
                paths=[PathMatch.prefix("/api"), PathMatch.exact("/healthz")],
            ),
            stable={"version": "v1", "image": "myapp:v1", "replicas": 3},
            canary={
                "version": "v2",
                "image": "myapp:v2",
                "traffic": {"header": HeaderMatch.exact("stage", "gray"), "weight": 10, "sticky": True},
            },
        )
        self.sim = RouteSimulator.from_chart(chart)

    def route(self, **request):
        return {v: round(s, 9) for v, s in self.sim.route(SimulatedRequest(host="myapp.example.com", **request)).items()}

    def test_the_header_goes_to_the_canary_at_every_path(self):
        for path in ("/api", "/api/orders", "/healthz"):
            with self.subTest(path=path):
                self.assertEqual(self.route(path=path, headers={"stage": "gray"}), {"v2": 1})

    def test_the_rest_by_weight(self):
        self.assertEqual(self.route(path="/api"), {"v1": 0.9, "v2": 0.1})

    def test_a_user_kept_by_the_sticky_cookie_stays_on_the_canary(self):
        self.assertEqual(self.route(path="/api", cookies={"myapp-canary": "v2"}), {"v2": 1})

    def test_a_path_no_rule_serves_reaches_nothing(self):
        self.assertEqual(self.route(path="/apiary"), {})


if __name__ == "__main__":
    unittest.main()
