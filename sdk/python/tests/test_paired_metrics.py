"""Ratio pairs, CUPED covariates and segment breakdowns: the series names and sums the JS SDK sends."""
from __future__ import annotations

import unittest

from signalbox import SignalboxClient
from signalbox.metrics.paired import MAX_SEGMENT_VALUES, SEGMENT_NONE, SEGMENT_OTHER, segment_value_of

from .helpers import config


def series_of(client: SignalboxClient) -> dict:
    return {metric: s for (flag, variant, metric), s in client.metrics.snapshot_series().items()}


class PairedMetricsTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = SignalboxClient("sbk_test", offline=True, bootstrap=config(), send_metrics=False)

    def tearDown(self) -> None:
        self.client.close()

    def test_ratio_pairs_carry_the_six_sums_under_the_shared_names(self) -> None:
        for errors, rows in [(3, 1000), (0, 250), (7, 640)]:
            self.client.track_ratio("pipeline.errors", errors, "pipeline.rows", rows, flag="etl.dedupe", variant="on")
        series = series_of(self.client)
        y, x, xy = (series[f"ratio:pipeline.errors/pipeline.rows#{part}"] for part in ("y", "x", "xy"))
        self.assertEqual((y.count, x.count, xy.count), (3, 3, 3))
        self.assertEqual((y.sum, y.sum_squares), (10, 58))
        self.assertEqual((x.sum, x.sum_squares), (1890, 1000 ** 2 + 250 ** 2 + 640 ** 2))
        self.assertEqual(xy.sum, 3 * 1000 + 7 * 640)

    def test_a_covariate_adds_a_cuped_pair_beside_the_plain_series(self) -> None:
        self.client.track("score", 0.9, flag="model.scorer", variant="v2", covariate=0.7)
        series = series_of(self.client)
        self.assertEqual(series["score"].sum, 0.9)
        self.assertEqual(series["cuped:score#x"].sum, 0.7)
        self.assertAlmostEqual(series["cuped:score#xy"].sum, 0.63)
        # Without a flag there is no experiment to adjust: no pair.
        self.client.track("other", 1.0, covariate=2.0)
        self.assertNotIn("cuped:other#y", series_of(self.client))

    def test_pairs_with_a_non_finite_value_or_a_name_too_long_record_nothing(self) -> None:
        self.client.track_ratio("a", float("nan"), "b", 1, flag="f", variant="on")
        self.client.track_ratio("a" * 60, 1, "b" * 60, 1, flag="f", variant="on")
        self.assertEqual(series_of(self.client), {})

    def test_segments_are_capped_per_metric_and_attribute(self) -> None:
        for i in range(50):
            self.client.track("converted", 1, flag="f", variant="on", segment=("user", f"u-{i}"))
        names = [m for m in series_of(self.client) if m.startswith("converted@user=")]
        self.assertEqual(len(names), MAX_SEGMENT_VALUES + 1)
        self.assertEqual(series_of(self.client)[f"converted@user={SEGMENT_OTHER}"].count, 30)
        self.assertEqual(series_of(self.client)["converted"].count, 50)

    def test_segment_values_read_as_the_js_sdk_writes_them(self) -> None:
        self.assertEqual(segment_value_of(None), SEGMENT_NONE)
        self.assertEqual(segment_value_of(True), "true")
        self.assertEqual(segment_value_of(3), "3")
        self.assertEqual(segment_value_of(3.0), "3")
        self.assertEqual(segment_value_of(2.5), "2.5")
        self.assertEqual(segment_value_of({"a": 1}), SEGMENT_OTHER)
        self.assertEqual(len(segment_value_of("x" * 200)), 64)


if __name__ == "__main__":
    unittest.main()
