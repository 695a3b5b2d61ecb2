"""Metrics aggregation, histograms and the batch sender."""
from __future__ import annotations

import json
import random
import unittest

from signalbox.metrics import Histogram, MetricsAggregator, MetricsSender
from signalbox.metrics.histogram import bucket_index
from signalbox.metrics.sender import FAILED, NOTHING, REFUSED, REJECTED, SENT, UNAVAILABLE


class HistogramTests(unittest.TestCase):
    def test_percentiles_within_bucket_precision(self) -> None:
        rng = random.Random(1)
        values = [rng.lognormvariate(3, 1) for _ in range(20000)]
        histogram = Histogram.of(values)
        ordered = sorted(values)
        for p in (50, 95, 99):
            exact = ordered[int(p / 100 * len(ordered)) - 1]
            self.assertAlmostEqual(histogram.percentile(p) / exact, 1.0, delta=1 / 32 + 0.005)

    def test_merge_equals_histogram_of_union(self) -> None:
        a, b = Histogram.of([1, 2, 3, 1000]), Histogram.of([0, 2, 5e-9, 1e300])  # noqa: E501
        a.merge(b)
        self.assertEqual(a.buckets, Histogram.of([1, 2, 3, 1000, 0, 2, 5e-9, 1e300]).buckets)
        self.assertEqual(a.count, 8)

    def test_indexes_match_the_shared_scheme(self) -> None:
        # index = 16*e + floor((m - 1) * 16) for v = m * 2^e, 1 <= m < 2 (sdk/src/telemetry/histogram.ts)
        cases = {1.0: 0, 1.0625: 1, 1.999: 15, 2.0: 16, 3.0: 24, 0.75: -8, 0.5: -16, 100.0: 16 * 6 + 9,
                 0.0: -1024, -5.0: -1024, 2.0 ** -64: -1024, 2.0 ** -63: -1008, 2.0 ** 63: 1008, 2.0 ** 64: 1023, 1e300: 1023}
        for value, index in cases.items():
            self.assertEqual(bucket_index(value), index, repr(value))

    def test_json_round_trip(self) -> None:
        histogram = Histogram.of([0, -3, 1.0, 1.5])
        data = json.loads(json.dumps(histogram.to_json()))
        self.assertEqual(data, {"scheme": "log2-16", "buckets": {"-1024": 2, "0": 1, "8": 1}})
        self.assertEqual(Histogram.from_json(data).buckets, histogram.buckets)
        self.assertEqual(Histogram.of([0, 0, 5]).percentile(50), 0.0)

    def test_bounded_bucket_count(self) -> None:
        histogram = Histogram.of([2.0 ** e for e in range(-1074, 1024, 3)])
        self.assertTrue(all(-1024 <= k <= 1023 for k in histogram.buckets))


class AggregatorTests(unittest.TestCase):
    def test_counts_sums_squares_errors(self) -> None:
        aggregator = MetricsAggregator()
        for value in (1.0, 2.0, 3.0):
            aggregator.record("latency_ms", value, "model.x", "v2")
        aggregator.record("latency_ms", 4.0, "model.x", "v2", error=True)
        aggregator.record("latency_ms", 10.0, "model.x", "v1")
        series = aggregator.snapshot_series()
        v2 = series[("model.x", "v2", "latency_ms")]
        self.assertEqual((v2.count, v2.sum, v2.sum_squares, v2.errors), (4, 10.0, 30.0, 1))
        self.assertEqual(series[("model.x", "v1", "latency_ms")].count, 1)

    def test_window_becomes_batch_in_wire_format(self) -> None:
        clock = iter([1000.0, 1005.0]).__next__
        aggregator = MetricsAggregator(clock=clock)
        aggregator.record("rows", 5, "etl.x", "on")
        aggregator.record("rows", 7, None, None)
        aggregator.close_window()
        batches, dropped = aggregator.take_pending()
        self.assertEqual(dropped, 0)
        self.assertEqual(batches[0]["windowStart"], "1970-01-01T00:16:40.000Z")
        self.assertEqual(batches[0]["windowEnd"], "1970-01-01T00:16:45.000Z")
        first = batches[0]["series"][0]
        self.assertEqual(
            {k: first[k] for k in ("flag", "variant", "metric", "count", "sum", "sumSquares", "errors")},
            {"flag": "etl.x", "variant": "on", "metric": "rows", "count": 1, "sum": 5.0, "sumSquares": 25.0, "errors": 0},
        )
        self.assertEqual(first["histogram"]["scheme"], "log2-16")
        self.assertEqual(batches[0]["series"][1]["flag"], None)

    def test_series_are_bounded_and_bad_values_refused(self) -> None:
        aggregator = MetricsAggregator(max_series=3)
        for i in range(10):
            aggregator.record(f"m{i}", 1.0)
        self.assertTrue(aggregator.record("m0", 1.0))  # an existing series still records
        self.assertFalse(aggregator.record("m1", float("nan")))
        self.assertFalse(aggregator.record("m1", True))
        self.assertEqual(len(aggregator.snapshot_series()), 3)
        self.assertEqual(aggregator.refused_observations, 9)
        self.assertFalse(MetricsAggregator().record("bad\nname", 1.0))
        self.assertFalse(MetricsAggregator().record("x" * 129, 1.0))

    def test_pending_batches_are_bounded_and_dropped_batches_counted(self) -> None:
        aggregator = MetricsAggregator(max_pending_batches=2)
        for window in range(5):
            for _ in range(window + 1):
                aggregator.record("m", 1.0)
            aggregator.close_window()
        self.assertEqual(aggregator.pending_batches, 2)
        batches, dropped = aggregator.take_pending()
        self.assertEqual([b["series"][0]["count"] for b in batches], [4, 5])
        self.assertEqual(dropped, 3)

    def test_evaluation_counts_and_samples(self) -> None:
        aggregator = MetricsAggregator(max_samples=2)
        for _ in range(3):
            aggregator.count_evaluation("f", "on", "SPLIT")
        aggregator.count_evaluation("f", None, "ERROR")
        for i in range(10):
            aggregator.offer_sample({"kind": "shadow.disagreement", "flag": "f", "variant": "on", "at": "x", "primary": i})
        aggregator.close_window()
        batch = aggregator.take_pending()[0][0]
        self.assertEqual(batch["series"], [])
        self.assertEqual(batch["evaluations"], [{"flag": "f", "variant": "on", "reason": "SPLIT", "count": 3},
                                                {"flag": "f", "variant": None, "reason": "ERROR", "count": 1}])
        self.assertEqual(len(batch["samples"]), 2)


class SenderTests(unittest.TestCase):
    def make(self, answers: list) -> tuple:
        aggregator = MetricsAggregator(max_pending_batches=3)
        posted: list = []

        def post(payload: dict) -> int:
            posted.append(json.loads(json.dumps(payload)))
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return aggregator, MetricsSender(aggregator, post, interval=3600), posted

    def test_sends_payload_and_keeps_batches_while_unreachable(self) -> None:
        aggregator, sender, posted = self.make([OSError("down"), 404, 202])
        self.assertEqual(sender.flush(), NOTHING)
        aggregator.record("m", 2.0, "f", "on")
        self.assertEqual(sender.flush(), FAILED)
        aggregator.record("m", 3.0, "f", "on")
        self.assertEqual(sender.flush(), UNAVAILABLE)
        self.assertEqual(aggregator.pending_batches, 2)
        self.assertEqual(sender.flush(), SENT)
        self.assertEqual(aggregator.pending_batches, 0)
        last = posted[-1]
        self.assertTrue(last["sdk"].startswith("signalbox-sdk-python/"))
        self.assertEqual(len(last["batches"]), 2)
        self.assertEqual(last["dropped"], 0)

    def test_rejected_batches_are_dropped_and_reported(self) -> None:
        aggregator, sender, posted = self.make([400, 202])
        aggregator.record("m", 1.0)
        self.assertEqual(sender.flush(), REJECTED)
        self.assertEqual(aggregator.pending_batches, 0)
        aggregator.record("m", 1.0)
        sender.flush()
        self.assertEqual(posted[-1]["dropped"], 1)

    def test_a_refused_key_stops_sending_for_good(self) -> None:
        for status in (401, 403):
            aggregator, sender, posted = self.make([status])
            aggregator.record("m", 1.0)
            with self.assertLogs("signalbox", level="WARNING") as logs:
                self.assertEqual(sender.flush(), REFUSED)
            self.assertIn(f"HTTP {status}", logs.output[0])
            self.assertEqual(aggregator.pending_batches, 0)
            # Later windows are dropped without a request: `make` has no answer left to give.
            aggregator.record("m", 2.0)
            self.assertEqual(sender.flush(), REFUSED)
            self.assertEqual(len(posted), 1)
            self.assertEqual(aggregator.pending_batches, 0)

    def test_overflow_while_unreachable_is_reported_once_sent(self) -> None:
        aggregator, sender, posted = self.make([OSError()] * 5 + [204])
        for _ in range(5):
            aggregator.record("m", 1.0)
            sender.flush()
        self.assertEqual(sender.flush(), SENT)
        self.assertEqual(len(posted[-1]["batches"]), 3)
        self.assertEqual(posted[-1]["dropped"], 2)


if __name__ == "__main__":
    unittest.main()
