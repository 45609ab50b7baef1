"""A bad canary weight raises when the release is constructed (`python -m unittest`), with the
message the TypeScript library throws."""
import unittest

from cdk8s import App, Chart
from cdk8s_progressive_delivery import CanaryRelease, TrafficRouter


class BadWeightTest(unittest.TestCase):
    def test_bad_weight_raises(self):
        for weight in (101, -1):
            with self.subTest(weight=weight):
                chart = Chart(App(), "bad-weight")
                with self.assertRaises(RuntimeError) as raised:
                    CanaryRelease(
                        chart,
                        "myapp",
                        container_port=80,
                        router=TrafficRouter.nginx(host="myapp.example.com"),
                        stable={"version": "v1", "image": "myapp:v1"},
                        canary={"version": "v2", "image": "myapp:v2", "traffic": {"weight": weight}},
                    )
                self.assertEqual(
                    str(raised.exception),
                    f"CanaryRelease 'myapp': canary.traffic.weight ({weight}) must be a whole number between 0 and weightTotal (100)",
                )


if __name__ == "__main__":
    unittest.main()
