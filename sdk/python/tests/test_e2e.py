"""End-to-end: the Python client against the real Signalbox server (built dist, embedded
database in a temporary directory). Skipped only when server/dist/src/main.js is missing."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from typing import Any, List, Optional

from signalbox import SignalboxClient
from signalbox.metrics.sender import SENT, UNAVAILABLE

from .helpers import REPO_DIR

SERVER_MAIN = REPO_DIR / "server" / "dist" / "src" / "main.js"
ADMIN_TOKEN = "python-e2e-admin-token-0123456789"
FLAG_PATH = "/api/v1/projects/demo/flags/{key}/environments/development"


class Server:
    """A server process on a data dir; restartable on the same port."""

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.process: Optional[subprocess.Popen] = None
        self.lines: List[str] = []
        self.sdk_key: Optional[str] = None

    def start(self, timeout: float = 90.0) -> None:
        env = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1", SIGNALBOX_DATA_DIR=self.data_dir,
                   SIGNALBOX_ADMIN_TOKEN=ADMIN_TOKEN, SIGNALBOX_DEMO="true", LOG_LEVEL="warn")
        env.pop("DATABASE_URL", None)
        self.lines = []
        self.process = subprocess.Popen(["node", str(SERVER_MAIN)], cwd=str(REPO_DIR), env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        listening = threading.Event()

        def pump(stream: Any) -> None:
            try:
                for line in stream:
                    self._take(line, listening)
            except (OSError, ValueError):
                pass  # the pipe was closed by stop()

        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not listening.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = "".join(self.lines)
                self.stop()
                raise RuntimeError(f"the server did not start:\n{output}")

    def _take(self, line: str, listening: threading.Event) -> None:
        self.lines.append(line)
        key = re.match(r"\s+development\s+(sbk_\S+)", line)
        if key:
            self.sdk_key = key.group(1)
        found = re.search(r"console http://127\.0\.0\.1:(\d+)/", line)
        if found:
            self.port = int(found.group(1))
            listening.set()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
        except ProcessLookupError:
            pass
        finally:
            if process.stdout is not None:
                process.stdout.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def set_on(self, key: str, on: bool) -> None:
        current = self.admin("GET", FLAG_PATH.format(key=key))
        self.admin("PATCH", FLAG_PATH.format(key=key), {"version": current["version"], "on": on})

    def sdk_config(self) -> Any:
        request = urllib.request.Request(self.url + "/api/v1/sdk/config", headers={"Authorization": f"Bearer {self.sdk_key}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode())


def wait_until(predicate: Any, timeout: float, message: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s: {message}")
        time.sleep(0.02)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@unittest.skipUnless(SERVER_MAIN.exists(), f"{SERVER_MAIN} is missing: build the server first (npx tsc -b server)")
@unittest.skipUnless(shutil.which("node"), "node is not installed")
class EndToEndTests(unittest.TestCase):
    server: Server
    data_dir: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.data_dir = tempfile.mkdtemp(prefix="signalbox-python-e2e-")
        cls.server = Server(os.path.join(cls.data_dir, "data"))
        try:
            cls.server.start()
        except BaseException:
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise
        assert cls.server.sdk_key, "the demo project's development key was not printed"

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def tearDown(self) -> None:
        # Each test leaves a running server behind, whatever it did.
        if self.server.process is None or self.server.process.poll() is not None:
            self.server.start()

    def client(self, **options: Any) -> SignalboxClient:
        options.setdefault("retry_delay", 0.1)
        options.setdefault("max_retry_delay", 0.5)
        client = SignalboxClient(self.server.sdk_key, self.server.url, **options)
        self.addCleanup(client.close)
        return client

    def test_kill_through_the_api_reaches_the_client_quickly(self) -> None:
        client = self.client()
        self.assertEqual(client.status, "ready")
        self.assertEqual(client.transport, "stream")
        key = "etl.enable-data-validation"
        self.assertTrue(client.is_enabled(key, {"runId": "r1"}))
        self.server.admin("POST", FLAG_PATH.format(key=key) + "/kill", {"reason": "python e2e"})
        try:
            elapsed = wait_until(lambda: client.evaluate(key, {"runId": "r1"}, True, "boolean").reason == "KILLED", 5, "kill not delivered")
            self.assertFalse(client.is_enabled(key, {"runId": "r1"}, default=True))
            self.assertLess(elapsed, 2.0)
        finally:
            self.server.admin("POST", FLAG_PATH.format(key=key) + "/restore", {})
        wait_until(lambda: client.evaluate(key, {}, False, "boolean").reason != "KILLED", 5, "restore not delivered")

    def test_polling_client_follows_changes(self) -> None:
        client = self.client(streaming=False, poll_interval=0.3)
        self.assertEqual((client.status, client.transport), ("ready", "poll"))
        self.server.set_on("etl.send-notifications", False)
        try:
            wait_until(lambda: client.evaluate("etl.send-notifications", {}, True, "boolean").reason == "DISABLED", 5, "poll did not see the change")
        finally:
            self.server.set_on("etl.send-notifications", True)

    def test_refused_key_reports_error(self) -> None:
        statuses: List[str] = []
        client = SignalboxClient("sbk_not_a_key", self.server.url, start_timeout=5, send_metrics=False)
        self.addCleanup(client.close)
        client.on_status_change(statuses.append)
        self.assertEqual(client.status, "error")

    def test_cache_file_lets_the_client_start_with_the_server_down(self) -> None:
        cache = os.path.join(self.data_dir, "cache.json")
        with self.client(cache_file=cache) as online:
            self.assertEqual(online.status, "ready")
            expected = online.evaluate("model.sentiment", {"targetingKey": "user-7"}, "none", "string")
        self.assertTrue(os.path.exists(cache))
        down = SignalboxClient(self.server.sdk_key, f"http://127.0.0.1:{free_port()}", cache_file=cache, start_timeout=0.5,
                               retry_delay=0.1, send_metrics=False)
        self.addCleanup(down.close)
        self.assertEqual(down.evaluate("model.sentiment", {"targetingKey": "user-7"}, "none", "string"), expected)
        self.assertTrue(down.is_enabled("etl.enable-data-validation"))
        self.assertIn(down.status, ("stale",))
        self.assertEqual(down.config_age(), float("inf"))

    def test_metrics_are_posted_to_the_events_endpoint(self) -> None:
        client = self.client(metrics_interval=3600)

        @client.gate("etl.enable-data-validation")
        def validate() -> str:
            return "ok"

        with client.run(runId="run-e2e"):
            validate()
            client.choose_model("model.sentiment", default="sentiment-v1").track("accuracy", 0.93)
        result = client.flush()
        status = client._metrics_sender.last_status  # noqa: SLF001 - white-box check of the sender
        if status == 404:
            # POST /api/v1/sdk/events is not on the server yet: the batches are kept for later.
            self.assertEqual(result, UNAVAILABLE)
            self.assertGreaterEqual(client.metrics.pending_batches, 1)
        else:
            self.assertEqual(result, SENT, f"events endpoint answered {status}")

    def test_zz_restart_loses_no_change(self) -> None:
        """Client connected; the server restarts on the same data dir and port. A change made
        while the client is disconnected and one made after it reconnected both arrive, and the
        client ends with exactly the server's config."""
        client = self.client()
        cache = os.path.join(self.data_dir, "restart-cache.json")
        disconnected = self.client(cache_file=cache)
        first_sequence = client.sequence
        disconnected.close()  # this one is offline while the next change happens

        self.server.stop()
        wait_until(lambda: client.status == "offline", 5, "client did not notice the server going away")
        self.server.start()
        self.server.set_on("etl.send-notifications", False)  # possibly before `client` reconnects
        try:
            wait_until(lambda: client.evaluate("etl.send-notifications", {}, True, "boolean").reason == "DISABLED", 15,
                       "change made across the restart not delivered")
            wait_until(lambda: client.status == "ready", 5, "client not ready after the restart")
            self.server.set_on("ops.gpu-processing", False)
            wait_until(lambda: client.sequence == self.server.sdk_config()["sequence"], 5, "change after restart not delivered")
            self.assertGreater(client.sequence, first_sequence)
            self.assertEqual(client.current_config(), _normalised(self.server.sdk_config(), client.current_config()))

            # The client that was closed during the changes resumes from its cache file.
            resumed = self.client(cache_file=cache)
            self.assertEqual(resumed.status, "ready")
            self.assertEqual(resumed.sequence, client.sequence)
            self.assertEqual(resumed.evaluate("etl.send-notifications", {}, True, "boolean").reason, "DISABLED")
        finally:
            self.server.set_on("etl.send-notifications", True)
            self.server.set_on("ops.gpu-processing", True)


def _normalised(server_config: Any, client_config: Any) -> Any:
    """The server's config with flags and segments in the client's order (order is not content)."""
    order = {flag["key"]: i for i, flag in enumerate(client_config["flags"])}
    segment_order = {segment["key"]: i for i, segment in enumerate(client_config["segments"])}
    return {
        "sequence": server_config["sequence"],
        "flags": sorted(server_config["flags"], key=lambda f: order.get(f["key"], 1 << 30)),
        "segments": sorted(server_config["segments"], key=lambda s: segment_order.get(s["key"], 1 << 30)),
    }


if __name__ == "__main__":
    unittest.main()
