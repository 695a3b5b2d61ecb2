"""Delivery that heals itself: transient failures (5xx, network errors, UNAVAILABLE refusals) are
retried with backoff, honouring the server's Retry-After; only permanent refusals stop the client.
The client talks to a scripted standard-library server (tests/fake_server.py)."""
from __future__ import annotations

import inspect
import time
import unittest
from email.utils import formatdate
from typing import Any

from signalbox import SignalboxClient
from signalbox.client.backoff import Backoff, parse_retry_after, retry_after_ms
from signalbox.client.delivery import Delivery

from .fake_server import CONFIG_PATH, HELLO, STREAM_PATH, Answer, FakeServer, Stream, unavailable, wait_until
from .helpers import boolean_flag, config

FLAG = "etl.enable-data-validation"


class RetryAfterTests(unittest.TestCase):
    def test_parses_seconds_and_http_dates(self) -> None:
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertEqual(parse_retry_after(" 0 "), 0.0)
        self.assertEqual(parse_retry_after("-2"), 0.0)
        for unreadable in (None, "", "soon", "nan", "inf"):
            self.assertIsNone(parse_retry_after(unreadable), unreadable)
        now = 1_700_000_000.0
        self.assertAlmostEqual(parse_retry_after(formatdate(now + 10, usegmt=True), now=lambda: now), 10.0)
        self.assertEqual(parse_retry_after(formatdate(now - 10, usegmt=True), now=lambda: now), 0.0)

    def test_reads_retry_after_ms(self) -> None:
        self.assertEqual(retry_after_ms(1500), 1.5)
        self.assertEqual(retry_after_ms(0), 0.0)
        for unreadable in (None, True, -1, "100", float("nan")):
            self.assertIsNone(retry_after_ms(unreadable), unreadable)

    def test_backoff_takes_the_hint_as_lower_bound_capped_at_the_maximum(self) -> None:
        self.assertEqual(Backoff(0.5, 5.0, rand=lambda: 0.0).next(at_least=2.0), 2.0)
        spread = Backoff(0.5, 5.0, rand=lambda: 0.999999).next(at_least=2.0)
        self.assertTrue(2.0 <= spread <= 2.4, spread)  # a little above, so clients do not return together
        self.assertEqual(Backoff(0.5, 5.0, rand=lambda: 0.0).next(at_least=60.0), 5.0)
        self.assertEqual(Backoff(0.5, 5.0, rand=lambda: 0.5).next(at_least=0.1), 0.5)  # below the backoff: no effect
        # A ceiling (the poll interval) shortens the backoff, never the server's hint.
        self.assertLessEqual(Backoff(0.5, 5.0, rand=lambda: 0.999999).next(ceiling=0.3), 0.3)
        self.assertGreaterEqual(Backoff(0.5, 5.0, rand=lambda: 0.0).next(at_least=2.0, ceiling=0.3), 2.0)


class DefaultsTests(unittest.TestCase):
    def test_default_max_backoff_is_5_s_and_first_retry_about_half_a_second(self) -> None:
        for function in (SignalboxClient.__init__, Delivery.__init__):
            parameters = inspect.signature(function).parameters
            self.assertEqual(parameters["max_retry_delay"].default, 5.0, function.__qualname__)
            self.assertEqual(parameters["retry_delay"].default, 0.5, function.__qualname__)
        server = FakeServer(config(boolean_flag(FLAG)))
        self.addCleanup(server.stop)
        client = SignalboxClient("sbk_test", server.url, send_metrics=False)
        self.addCleanup(client.close)
        backoff = client._delivery._backoff  # noqa: SLF001 - the client passes its defaults on
        self.assertEqual((backoff.base, backoff.maximum), (0.5, 5.0))
        # 5 s is a ceiling, jitter included: no delay is longer, however many failures.
        highest = Backoff(0.5, 5.0, rand=lambda: 0.999999)
        delays = [highest.next() for _ in range(12)]
        self.assertAlmostEqual(delays[0], 0.75, places=4)
        self.assertLessEqual(max(delays), 5.0)
        self.assertAlmostEqual(delays[-1], 5.0, places=4)
        lowest = Backoff(0.5, 5.0, rand=lambda: 0.0)
        self.assertEqual([lowest.next() for _ in range(6)][-1], 2.5)


class TransientFailureTests(unittest.TestCase):
    def setUp(self) -> None:
        self.config = config(boolean_flag(FLAG), sequence=5)
        self.server = FakeServer(self.config)
        self.addCleanup(self.server.stop)

    def client(self, **options: Any) -> SignalboxClient:
        options.setdefault("retry_delay", 0.05)
        options.setdefault("max_retry_delay", 2.0)
        options.setdefault("send_metrics", False)
        client = SignalboxClient("sbk_test", self.server.url, **options)
        self.addCleanup(client.close)
        return client

    def gap(self, requests: list, index: int) -> float:
        return requests[index].at - requests[index - 1].at

    def test_503_with_retry_after_on_the_snapshot_is_retried_and_the_client_ends_ready(self) -> None:
        self.server.script(CONFIG_PATH, unavailable(retry_after=1))
        client = self.client(start_timeout=4)
        self.assertEqual(client.status, "ready")
        self.assertTrue(client.is_enabled(FLAG))
        requests = self.server.requests
        self.assertEqual(requests[0].path, CONFIG_PATH)
        self.assertGreaterEqual(self.gap(requests, 1), 1.0, "the next attempt came before Retry-After")

    def test_503_with_retry_after_on_the_stream_is_retried(self) -> None:
        self.server.script(STREAM_PATH, unavailable(retry_after=1))
        client = self.client()
        wait_until(lambda: len(self.server.requests_to(STREAM_PATH)) >= 2, 4, "the stream was not retried")
        self.assertGreaterEqual(self.gap(self.server.requests_to(STREAM_PATH), 1), 1.0)
        wait_until(lambda: client.status == "ready", 2, "not ready after the retry")
        self.assertEqual(client.transport, "stream")

    def test_retry_after_longer_than_the_maximum_backoff_is_capped(self) -> None:
        self.server.script(STREAM_PATH, unavailable(retry_after=60))
        client = self.client(max_retry_delay=0.3)
        wait_until(lambda: len(self.server.requests_to(STREAM_PATH)) >= 2, 3, "the stream was not retried within the maximum backoff")
        gap = self.gap(self.server.requests_to(STREAM_PATH), 1)
        self.assertTrue(0.25 <= gap < 1.5, gap)
        wait_until(lambda: client.status == "ready", 2, "not ready after the retry")

    def test_sse_refused_unavailable_is_retried_resuming_from_the_held_sequence(self) -> None:
        refusal = {"error": "UNAVAILABLE", "message": "the server could not read the change log", "retryAfterMs": 400}
        self.server.script(STREAM_PATH, Stream((HELLO, ("refused", refusal)), hold=0))
        client = self.client()
        wait_until(lambda: len(self.server.requests_to(STREAM_PATH)) >= 2, 3, "an UNAVAILABLE refusal was not retried")
        streams = self.server.requests_to(STREAM_PATH)
        self.assertGreaterEqual(self.gap(streams, 1), 0.4, "retried before retryAfterMs")
        self.assertEqual(streams[1].headers.get("last-event-id"), "5")
        self.assertIn("sequence=5", streams[1].query)
        wait_until(lambda: client.status == "ready", 2, "not ready after the retry")

    def test_permanent_refusals_stop_the_client(self) -> None:
        cases = {
            "UNAUTHENTICATED": Stream((HELLO, ("refused", {"error": "UNAUTHENTICATED", "message": "The SDK key was revoked"})), hold=0),
            "FORBIDDEN": Stream((HELLO, ("refused", {"error": "FORBIDDEN", "message": "not an SDK key"})), hold=0),
            "no error code": Stream((HELLO, ("refused", {"message": "go away"})), hold=0),
            "HTTP 401": Answer(401, {"error": "UNAUTHENTICATED", "message": "unknown key"}),
        }
        for name, answer in cases.items():
            with self.subTest(name):
                server = FakeServer(self.config)
                self.addCleanup(server.stop)
                server.script(STREAM_PATH, answer)
                client = SignalboxClient("sbk_test", server.url, retry_delay=0.05, max_retry_delay=0.2, send_metrics=False)
                self.addCleanup(client.close)
                wait_until(lambda: client.status == "error", 2, "the refusal did not stop the client")
                time.sleep(0.4)  # a retry would have come by now
                self.assertEqual(len(server.requests_to(STREAM_PATH)), 1)
                self.assertEqual(client.status, "error")

    def test_clean_end_of_a_long_lived_stream_reconnects_promptly_and_resumes(self) -> None:
        # Four failures grow the backoff (the next one would wait 0.4-1.2 s); then a stream that
        # stays up, delivers nothing new, and ends cleanly as a server shutting down ends it.
        self.server.script(STREAM_PATH, *[unavailable() for _ in range(4)], Stream((HELLO,), hold=0.4))
        client = self.client()
        client._delivery.healthy_stream_after = 0.2  # noqa: SLF001 - instead of 10 s
        wait_until(lambda: len(self.server.requests_to(STREAM_PATH)) >= 6, 5, "no reconnection after the clean end")
        streams = self.server.requests_to(STREAM_PATH)
        self.assertLess(streams[5].at - self.server.stream_ended[0], 0.3, "the reconnection was not prompt")
        self.assertEqual(streams[5].headers.get("last-event-id"), "5")
        wait_until(lambda: client.status == "ready", 2, "not ready after the reconnection")

    def test_streams_that_end_at_once_after_hello_back_off(self) -> None:
        # A server that says hello and ends the stream at once must not be retried at the first
        # delay forever: hello alone is no proof the stream works.
        self.server.script(STREAM_PATH, *[Stream((HELLO,), hold=0) for _ in range(8)])
        self.client(max_retry_delay=0.4)
        wait_until(lambda: len(self.server.requests_to(STREAM_PATH)) >= 6, 5, "the stream was not retried")
        streams = self.server.requests_to(STREAM_PATH)
        # Delays 0.05, 0.1, 0.2, 0.4 (±50 %, at most 0.4): the fifth is at least 0.2 s.
        self.assertGreaterEqual(self.gap(streams, 5), 0.15)

    def test_polling_client_honours_retry_after_and_recovers(self) -> None:
        self.server.script(CONFIG_PATH, Answer(200, self.config), unavailable(retry_after=1))
        client = self.client(streaming=False, poll_interval=0.1)
        self.assertTrue(client.is_enabled(FLAG))  # the first poll answered (status may already be offline: 503 next)
        wait_until(lambda: len(self.server.requests_to(CONFIG_PATH)) >= 3, 4, "the poll was not retried")
        polls = self.server.requests_to(CONFIG_PATH)
        self.assertGreaterEqual(self.gap(polls, 2), 1.0, "the poll interval overrode Retry-After")
        wait_until(lambda: client.status == "ready", 2, "not ready after the retry")
        self.assertTrue(client.is_enabled(FLAG))


    def test_a_server_that_cannot_stream_is_polled_instead_and_changes_still_arrive(self) -> None:
        # A proxy or server without the stream endpoint (404): the client polls the snapshot
        # rather than retrying the stream, and keeps following changes.
        self.server.script(STREAM_PATH, Answer(404, {"error": "NOT_FOUND", "message": "no such route"}))
        client = self.client(poll_interval=0.1)
        wait_until(lambda: client.transport == "poll", 4, "the client did not fall back to polling")
        self.assertEqual(client.status, "ready")
        self.assertTrue(client.is_enabled(FLAG))
        self.server.config = config(boolean_flag(FLAG, on=False, version=2), sequence=6)
        wait_until(lambda: not client.is_enabled(FLAG), 4, "a change did not arrive by polling")
        self.assertEqual(client.sequence, 6)
        self.assertEqual(len(self.server.requests_to(STREAM_PATH)), 1, "the stream was retried instead of polled")


if __name__ == "__main__":
    unittest.main()
