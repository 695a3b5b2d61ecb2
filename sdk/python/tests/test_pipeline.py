"""Pipeline helpers on an offline client: gates, runs, model choice, shadow runs, fail-closed."""
from __future__ import annotations

import threading
import time
import unittest

from signalbox import SignalboxClient, StaleConfigError

from .helpers import boolean_flag, config

MODEL = {
    "key": "model.sentiment", "kind": "string", "salt": "m", "version": 1, "on": True, "offVariant": "v1",
    "variants": [{"key": "v1", "value": "sentiment-v1"}, {"key": "v2", "value": "sentiment-v2"}],
    "defaultRule": {"rollout": {"bucketBy": "runId", "variants": [{"variant": "v1", "weight": 50000}, {"variant": "v2", "weight": 50000}]}},
}


def make_client(*flags: dict) -> SignalboxClient:
    flags = flags or (boolean_flag("step.on"), boolean_flag("step.off", on=False), boolean_flag("shadow.on"), MODEL)
    return SignalboxClient("sbk_test", offline=True, bootstrap=config(*flags), send_metrics=False)


def apply_change(client: SignalboxClient, flag: dict) -> None:
    client.deliver({"type": "change", "sequence": client.sequence + 1, "kind": "flag", "key": flag["key"], "flag": flag}, None)


def series(client: SignalboxClient, flag: str, variant: str, metric: str):
    return client.metrics.snapshot_series().get((flag, variant, metric))


class EvaluationSurfaceTests(unittest.TestCase):
    def test_typed_values_and_details(self) -> None:
        with make_client() as client:
            self.assertEqual(client.status, "stale")  # bootstrap only, never confirmed
            self.assertTrue(client.is_enabled("step.on"))
            self.assertFalse(client.is_enabled("step.off", default=True))
            self.assertEqual(client.get_string("model.sentiment", {"runId": "r"}, "x")[:10], "sentiment-")
            details = client.evaluate("step.off", {}, False, "boolean")
            self.assertEqual((details.variant, details.reason), ("off", "DISABLED"))
            mismatch = client.evaluate("model.sentiment", {}, False, "boolean")
            self.assertEqual((mismatch.value, mismatch.error_code), (False, "TYPE_MISMATCH"))

    def test_not_ready_client_serves_defaults(self) -> None:
        with SignalboxClient("sbk_test", offline=True, send_metrics=False) as client:
            self.assertEqual(client.status, "offline")
            self.assertEqual(client.evaluate("f", {}, 7).to_dict()["errorCode"], "GENERAL")
            self.assertEqual(client.get_number("f", default=7), 7)

    def test_change_and_status_listeners(self) -> None:
        with make_client() as client:
            changes, statuses = [], []
            client.on_change(changes.append)
            client.on_status_change(statuses.append)
            client.deliver({"type": "snapshot", "sequence": 5, "config": config(boolean_flag("step.on", on=False), sequence=5)}, None)
            client.connected(streaming=True)
            self.assertEqual(changes[0], ["step.on", "model.sentiment", "shadow.on", "step.off"])  # removed flags last, sorted
            self.assertEqual(statuses[-1], "ready")
            self.assertEqual(client.config_age(), 0.0)


class GateTests(unittest.TestCase):
    def test_decorator_runs_skips_or_falls_back_and_records_per_variant(self) -> None:
        with make_client() as client:
            @client.gate("step.on")
            def enabled(x: int) -> int:
                return x * 2

            @client.gate("step.off", skip_value="skipped")
            def disabled(x: int) -> int:
                raise AssertionError("must not run")

            @client.gate("step.off", fallback=lambda x: x + 1)
            def with_fallback(x: int) -> int:
                raise AssertionError("must not run")

            self.assertEqual(enabled(2), 4)
            self.assertEqual(disabled(2), "skipped")
            self.assertEqual(with_fallback(2), 3)
            self.assertEqual(series(client, "step.on", "on", "step.duration_ms").count, 1)
            self.assertEqual(series(client, "step.off", "off", "step.skipped").count, 1)
            self.assertEqual(series(client, "step.off", "off", "step.duration_ms").count, 1)

    def test_errors_are_recorded_and_raised(self) -> None:
        with make_client() as client:
            @client.gate("step.on")
            def broken() -> None:
                raise ValueError("boom")

            with self.assertRaises(ValueError):
                broken()
            with self.assertRaises(KeyError):
                with client.gate("step.on") as step:
                    self.assertTrue(step.enabled)
                    raise KeyError("x")
            recorded = series(client, "step.on", "on", "step.duration_ms")
            self.assertEqual((recorded.count, recorded.errors), (2, 2))

    def test_context_manager_form(self) -> None:
        with make_client() as client:
            ran = []
            with client.gate("step.off") as step:
                if step:
                    ran.append(1)
            self.assertEqual(ran, [])
            self.assertEqual(step.variant, "off")
            with client.gate("step.on") as step:
                time.sleep(0.01)
            self.assertGreaterEqual(step.duration_ms, 9.0)


class RunTests(unittest.TestCase):
    def test_run_pins_config_but_kill_pierces(self) -> None:
        with make_client() as client:
            with client.run(runId="run-1") as run:
                self.assertTrue(run.is_enabled("step.on"))
                apply_change(client, boolean_flag("step.on", on=False))
                self.assertFalse(client.is_enabled("step.on"))
                self.assertTrue(run.is_enabled("step.on"))  # pinned: the run does not split
                apply_change(client, boolean_flag("step.on", killed=True))
                details = run.evaluate("step.on", default=True, kind="boolean")
                self.assertEqual((details.value, details.reason), (False, "KILLED"))

    def test_gates_inside_a_run_use_its_snapshot_and_context(self) -> None:
        with make_client() as client:
            @client.gate("step.on")
            def step() -> str:
                return "ran"

            with client.run(runId="run-2"):
                apply_change(client, boolean_flag("step.on", on=False))
                self.assertEqual(step(), "ran")
            self.assertIsNone(step())

    def test_runs_are_isolated_between_threads(self) -> None:
        with make_client() as client:
            seen = []
            with client.run(runId="a"):
                thread = threading.Thread(target=lambda: seen.append(client.choose_model("model.sentiment", {"runId": "zz"}, "sentiment-v1").details.reason))
                thread.start()
                thread.join()
            self.assertEqual(seen, ["SPLIT"])


class ModelTests(unittest.TestCase):
    def test_choice_is_deterministic_per_run_and_track_is_attributed(self) -> None:
        with make_client() as client:
            splits = {"v1": 0, "v2": 0}
            for i in range(400):
                choice = client.choose_model("model.sentiment", {"runId": f"run-{i}"}, "sentiment-v1")
                self.assertEqual(choice.variant, client.choose_model("model.sentiment", {"runId": f"run-{i}"}, "sentiment-v1").variant)
                splits[choice.variant] += 1
                choice.track("accuracy", 0.9)
                with choice.timed():
                    pass
            self.assertTrue(150 < splits["v1"] < 250, splits)
            self.assertEqual(series(client, "model.sentiment", "v2", "accuracy").count, splits["v2"])
            self.assertEqual(series(client, "model.sentiment", "v1", "model.latency_ms").count, splits["v1"])


class ShadowTests(unittest.TestCase):
    def wait_for(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail("condition not reached")
            time.sleep(0.01)

    def test_agreement_is_recorded_and_primary_served(self) -> None:
        with make_client() as client:
            results = []
            for i in range(10):
                value = client.shadow("shadow.on", lambda i=i: i, lambda i=i: i if i < 7 else -1, on_result=results.append)
                self.assertEqual(value, i)
            self.wait_for(lambda: len(results) == 10)
            agreement = series(client, "shadow.on", "on", "shadow.agreement")
            self.assertEqual((agreement.count, agreement.sum), (10, 7.0))
            self.assertEqual(series(client, "shadow.on", "on", "shadow.primary_ms").count, 10)
            client.metrics.close_window()
            samples = client.metrics.take_pending()[0][0]["samples"]
            self.assertEqual(sorted(s["primary"] for s in samples), [7, 8, 9])
            self.assertEqual({s["kind"] for s in samples}, {"shadow.disagreement"})

    def test_slow_or_failing_candidate_never_delays_or_fails_primary(self) -> None:
        with make_client() as client:
            results = []

            def slow() -> int:
                time.sleep(0.3)
                return 1

            def failing() -> int:
                raise RuntimeError("candidate bug")

            started = time.perf_counter()
            self.assertEqual(client.shadow("shadow.on", lambda: 1, slow, timeout=0.1, on_result=results.append), 1)
            self.assertEqual(client.shadow("shadow.on", lambda: 2, failing, on_result=results.append), 2)
            self.assertLess(time.perf_counter() - started, 0.2)
            self.wait_for(lambda: len(results) == 2)
            by_primary = {r.primary: r for r in results}
            self.assertTrue(by_primary[1].timed_out)
            self.assertIsInstance(by_primary[2].candidate_error, RuntimeError)
            self.assertEqual(series(client, "shadow.on", "on", "shadow.candidate_errors").count, 2)
            self.assertEqual(series(client, "shadow.on", "on", "shadow.candidate_ms").errors, 2)

    def test_flag_off_or_unsampled_runs_primary_only(self) -> None:
        with make_client() as client:
            calls = []
            client.shadow("step.off", lambda: 1, lambda: calls.append(1))
            client.shadow("shadow.on", lambda: 1, lambda: calls.append(1), sample_rate=0.0)
            time.sleep(0.05)
            self.assertEqual(calls, [])

    def test_saturated_pool_skips(self) -> None:
        with make_client() as client:
            release = threading.Event()
            for _ in range(3):
                client.shadow("shadow.on", lambda: 0, release.wait, max_pending=2, workers=1)
            self.assertEqual(series(client, "shadow.on", "on", "shadow.skipped").count, 1)
            release.set()


class FailClosedTests(unittest.TestCase):
    def test_unconfirmed_config_refuses_with_clear_error(self) -> None:
        with make_client() as client:
            @client.gate("step.on", max_config_age=60, wait=0.2)
            def publish() -> str:
                return "published"

            started = time.monotonic()
            with self.assertRaises(StaleConfigError) as raised:
                publish()
            self.assertGreaterEqual(time.monotonic() - started, 0.2)
            self.assertIn("no confirmed config", str(raised.exception))
            self.assertIn("at most 60 s", str(raised.exception))

    def test_waits_for_a_fresh_config_then_runs(self) -> None:
        with make_client() as client:
            def confirm() -> None:
                time.sleep(0.1)
                client.deliver({"type": "snapshot", "sequence": 9, "config": config(boolean_flag("step.on"), sequence=9)}, None)
                client.connected(streaming=False)

            threading.Thread(target=confirm).start()
            with client.gate("step.on", max_config_age=5, wait=3) as step:
                self.assertTrue(step.enabled)

    def test_unknown_flag_fails_closed(self) -> None:
        with make_client() as client:
            client.deliver({"type": "snapshot", "sequence": 9, "config": config(boolean_flag("step.on"), sequence=9)}, None)
            client.connected(streaming=True)
            with self.assertRaises(StaleConfigError):
                with client.gate("missing", max_config_age=5):
                    pass
            client.require_fresh(5)


if __name__ == "__main__":
    unittest.main()
