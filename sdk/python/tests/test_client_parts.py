"""Config store, SSE parsing, backoff, cache file, status."""
from __future__ import annotations

import json
import os
import tempfile
import unittest

from signalbox.client.backoff import Backoff
from signalbox.client.cache_file import environment_fingerprint, read_cache_file, write_cache_file
from signalbox.client.config_store import APPLIED, DUPLICATE, GAP, INVALID, WAITING, ConfigStore
from signalbox.client.sse import KEEPALIVE, parse_sse
from signalbox.client.status import derive_status
from signalbox.core import evaluate

from .helpers import boolean_flag, config


def lines(text: str):
    data = iter(line.encode() for line in text.splitlines(keepends=True))
    return lambda: next(data, b"")


class ConfigStoreTests(unittest.TestCase):
    def test_sequence_rules(self) -> None:
        store = ConfigStore()
        change = {"type": "change", "sequence": 2, "kind": "flag", "key": "f", "flag": boolean_flag("f", on=False)}
        self.assertEqual(store.apply(change), WAITING)
        self.assertEqual(store.apply({"type": "snapshot", "sequence": 1, "config": config(boolean_flag("f"))}), APPLIED)
        store.commit()
        self.assertTrue(evaluate(store.compiled, "f", {}, None).value)
        self.assertEqual(store.apply(change), APPLIED)
        batch = store.commit()
        self.assertEqual(batch.changed_keys, ["f"])
        self.assertEqual(evaluate(store.compiled, "f", {}, None).reason, "DISABLED")
        self.assertEqual(store.apply(change), DUPLICATE)
        self.assertEqual(store.apply(dict(change, sequence=4)), GAP)
        self.assertEqual(store.apply({"type": "nope"}), INVALID)
        self.assertEqual(store.apply(dict(change, sequence=True)), INVALID)
        self.assertEqual(store.apply({"type": "change", "sequence": 3, "kind": "flag", "key": "f", "flag": None}), APPLIED)
        store.commit()
        self.assertEqual(evaluate(store.compiled, "f", {}, None).error_code, "FLAG_NOT_FOUND")

    def test_older_snapshot_wins_and_identical_snapshot_does_not_recompile(self) -> None:
        store = ConfigStore()
        store.replace(config(boolean_flag("f"), sequence=9))
        store.commit()
        compiled = store.compiled
        store.replace(config(boolean_flag("f"), sequence=9))
        self.assertIsNone(store.commit())
        store.replace(config(boolean_flag("f"), sequence=3))
        self.assertEqual(store.commit().changed_keys, [])
        self.assertIs(store.compiled, compiled)
        self.assertEqual(store.sequence, 3)

    def test_segment_change_affects_flags_using_it_and_dependents(self) -> None:
        store = ConfigStore()
        uses = boolean_flag("uses", rules=[{"clauses": [{"op": "segment", "segments": ["s"]}], "serve": {"variant": "on"}}])
        dependent = boolean_flag("dependent", prerequisites=[{"flag": "uses", "variant": "on"}])
        store.replace(config(uses, dependent, boolean_flag("other"), segments=[{"key": "s", "included": []}]))
        store.commit()
        store.apply({"type": "change", "sequence": 2, "kind": "segment", "key": "s", "segment": {"key": "s", "included": ["a"]}})
        self.assertEqual(store.commit().changed_keys, ["uses", "dependent"])


    def test_a_first_config_changes_every_flag_in_config_order(self) -> None:
        store = ConfigStore()
        flags = [boolean_flag(key, rules=[{"clauses": [{"op": "segment", "segments": ["s"]}], "serve": {"variant": "on"}}])
                 for key in ("b", "a", "c")]
        store.replace(config(*flags, segments=[{"key": "s", "included": []}]))
        self.assertEqual(store.commit(lazy=True).changed_keys, ["b", "a", "c"])
        # A snapshot that drops a flag and changes the rest lists the dropped one last.
        store.replace(config(boolean_flag("b", on=False), boolean_flag("a", on=False), sequence=2))
        self.assertEqual(store.commit().changed_keys, ["b", "a", "c"])


class SseTests(unittest.TestCase):
    def test_parses_events_ids_comments_and_multiline_data(self) -> None:
        events = list(parse_sse(lines("event: hello\ndata: {\"a\":1}\n\n: keep-alive\n\nid: 7\nevent: change\ndata: x\ndata: y\n\nretry: 5\n\n")))
        self.assertEqual(events[0].event, "hello")
        self.assertIs(events[1], KEEPALIVE)
        self.assertEqual((events[2].event, events[2].data, events[2].id), ("change", "x\ny", "7"))
        self.assertEqual(len(events), 3)

    def test_crlf_and_default_event_name(self) -> None:
        events = list(parse_sse(lines("data:plain\r\n\r\n")))
        self.assertEqual((events[0].event, events[0].data), ("message", "plain"))


class BackoffTests(unittest.TestCase):
    def test_exponential_capped_with_jitter(self) -> None:
        backoff = Backoff(1.0, 8.0, jitter=0.5, rand=lambda: 0.5)
        # At the cap the jitter only goes down: delays are drawn from [4, 8], never above 8.
        self.assertEqual([backoff.next() for _ in range(5)], [1.0, 2.0, 4.0, 6.0, 6.0])
        backoff.reset()
        self.assertEqual(backoff.next(), 1.0)
        low = Backoff(1.0, 8.0, jitter=0.5, rand=lambda: 0.0)
        high = Backoff(1.0, 8.0, jitter=0.5, rand=lambda: 0.999999)
        self.assertAlmostEqual(low.next(), 0.5)
        self.assertAlmostEqual(high.next(), 1.5, places=4)


class CacheFileTests(unittest.TestCase):
    def test_round_trip_atomic_and_bound_to_key(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "cache.json")
            self.assertEqual(read_cache_file(path, "k").status, "missing")
            write_cache_file(path, "k", config(boolean_flag("f"), sequence=5))
            self.assertEqual(os.listdir(directory), ["cache.json"])  # no temporary left behind
            loaded = read_cache_file(path, "k")
            self.assertEqual((loaded.status, loaded.config["sequence"]), ("loaded", 5))
            self.assertEqual(read_cache_file(path, "other").status, "unusable")
            with open(path, encoding="utf-8") as handle:
                contents = json.load(handle)
            self.assertEqual(contents["environment"], environment_fingerprint("k"))
            self.assertNotIn("k", json.dumps({key: contents[key] for key in ("format", "environment")}).replace("format", ""))
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("{not json")
            self.assertEqual(read_cache_file(path, "k").status, "unusable")

    def test_fingerprint_matches_typescript_sdk(self) -> None:
        # sha256("signalbox-cache:" + key), first 16 hex digits, as sdk/src/client/cache-file.ts.
        self.assertEqual(len(environment_fingerprint("sbk_x")), 16)


class StatusTests(unittest.TestCase):
    def test_derivation(self) -> None:
        self.assertEqual(derive_status(False, False, "connecting", False, False), "initializing")
        self.assertEqual(derive_status(False, False, "disconnected", False, False), "offline")
        self.assertEqual(derive_status(True, False, "connected", False, False), "stale")
        self.assertEqual(derive_status(True, True, "disconnected", False, False), "offline")
        self.assertEqual(derive_status(True, True, "connected", False, True), "stale")
        self.assertEqual(derive_status(True, True, "connected", False, False), "ready")
        self.assertEqual(derive_status(True, True, "connected", True, False), "error")


if __name__ == "__main__":
    unittest.main()
