"""The cold start (issue 15): what importing the SDK loads, lazy compilation giving the same
answers as compiling everything, and the logging stand-in that spares importing logging.
How long the start takes is measured by bench/startup/python_cold.py, not asserted here."""
from __future__ import annotations

import ast
import copy
import io
import json
import logging
import os
import pickle
import random
import subprocess
import sys
import tempfile
import threading
import unittest
from typing import Any, Dict, List

from signalbox import SignalboxClient
from signalbox._logging import SdkLogger, would_show
from signalbox.core import ConfigProblem, EvaluationDetails, compile_environment, evaluate, evaluate_all

from .helpers import SDK_DIR, VECTORS_DIR, boolean_flag, config, load_vectors

# Modules only an online client needs (HTTP, SSE, threads of its own, cache writing), and
# logging, which the SDK leaves to the application.
TRANSPORT_MODULES = (
    "http.client", "socket", "ssl", "email", "urllib.request", "concurrent.futures", "tempfile", "hashlib",
    "logging", "signalbox.client.http", "signalbox.client.delivery", "signalbox.client.sse",
    "signalbox.metrics.sender",
)


def fresh_modules(code: str) -> List[str]:
    """The modules a fresh interpreter (no site, so nothing preloaded) holds after ``code``."""
    script = f"import sys\nsys.path.insert(0, {str(SDK_DIR / 'python')!r})\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=60, check=False)
    if completed.returncode != 0:
        raise AssertionError(completed.stderr)
    return completed.stdout.split()


def loaded(modules: List[str], names: Any) -> List[str]:
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in names)]


def declared_fields(module_file: str) -> Dict[str, bool]:
    """The fields of the NamedTuple a module declares for type checkers (``_Fields``), each with
    whether it has a default."""
    tree = ast.parse((SDK_DIR / "python" / "signalbox" / module_file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "_Fields":
            return {
                item.target.id: item.value is not None
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    raise AssertionError(f"no _Fields in {module_file}")


class ResultTupleTests(unittest.TestCase):
    def test_the_run_time_tuples_have_the_fields_their_types_declare(self) -> None:
        for module_file, cls in (("core/result.py", EvaluationDetails), ("core/errors.py", ConfigProblem)):
            with self.subTest(cls=cls.__name__):
                declared = declared_fields(module_file)
                self.assertEqual(cls._fields, tuple(declared))
                self.assertEqual(set(cls._field_defaults), {name for name, has in declared.items() if has})
                self.assertTrue(all(value is None for value in cls._field_defaults.values()))

    def test_they_behave_as_named_tuples(self) -> None:
        details = EvaluationDetails("v2", "b", "SPLIT", 0)
        value, variant, reason, rule_index, error_code, error_message = details
        self.assertEqual((value, variant, reason, rule_index, error_code, error_message), ("v2", "b", "SPLIT", 0, None, None))
        self.assertEqual(repr(details), "EvaluationDetails(value='v2', variant='b', reason='SPLIT', rule_index=0, error_code=None, error_message=None)")
        self.assertEqual(details._replace(variant="c").variant, "c")
        self.assertIsInstance(details._replace(variant="c"), EvaluationDetails)
        self.assertEqual(details, ("v2", "b", "SPLIT", 0, None, None))
        self.assertEqual(ConfigProblem("bad", flag_key="f")._asdict(), {"message": "bad", "flag_key": "f", "segment_key": None})
        copied = pickle.loads(pickle.dumps(details))
        self.assertEqual((type(copied), copied), (EvaluationDetails, details))
        self.assertEqual(copy.copy(details), details)
        with self.assertRaises(TypeError):
            EvaluationDetails("v2")  # variant and reason have no default
        with self.assertRaises(ValueError):
            details._replace(colour="red")
        self.assertEqual(EvaluationDetails._make(["x", None, "STATIC", None, None, None]).reason, "STATIC")


class ImportTests(unittest.TestCase):
    def test_importing_the_evaluation_entry_points_loads_no_transport(self) -> None:
        modules = fresh_modules("import signalbox\nfrom signalbox.core import compile_environment, evaluate\nfrom signalbox import EvaluationDetails")
        self.assertEqual(loaded(modules, TRANSPORT_MODULES + ("threading", "signalbox.client", "signalbox.metrics", "signalbox.pipeline")), [])

    def test_importing_the_client_loads_no_transport(self) -> None:
        modules = fresh_modules("from signalbox import SignalboxClient")
        self.assertEqual(loaded(modules, TRANSPORT_MODULES), [])
        self.assertIn("signalbox.client.client", modules)

    def test_an_offline_client_evaluates_without_loading_transports_or_logging(self) -> None:
        flag = boolean_flag("f", rules=[{"clauses": [{"attribute": "plan", "op": "in", "values": ["pro"]}], "serve": {"variant": "off"}}])
        modules = fresh_modules(
            "from signalbox import SignalboxClient\n"
            f"client = SignalboxClient('sbk_test', bootstrap={config(flag)!r}, offline=True)\n"
            "assert client.evaluate('f', {'plan': 'pro'}).variant == 'off'\n"
            "client.track('rows', 3.0, flag='f', variant='off')\n"
            "with client.run(runId='run-1', plan='free') as run:\n"
            "    assert run.is_enabled('f')\n"
            "    assert client.gate('f', skip_value=0)(lambda: 1)() == 1\n"
            "client.close()"
        )
        self.assertEqual(loaded(modules, TRANSPORT_MODULES + ("urllib",)), [])
        self.assertNotIn("signalbox.pipeline.shadow", modules)

    def test_an_offline_client_from_a_bootstrap_file_imports_no_typing_re_json_or_threading(self) -> None:
        # What issue 15's cold start measures: these imports were most of it.
        flag = boolean_flag("f", rules=[{"clauses": [
            {"attribute": "plan", "op": "in", "values": ["pro"]},
            {"attribute": "createdAt", "op": "after", "values": ["2024-01-01T00:00:00Z"]},
        ], "serve": {"variant": "off"}}])
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "bootstrap.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(config(flag), handle)
            modules = fresh_modules(
                "from signalbox import SignalboxClient\n"
                f"client = SignalboxClient('sbk_test', bootstrap_file={path!r}, offline=True)\n"
                "assert client.evaluate('f', {'plan': 'pro', 'createdAt': '2024-06-01'}).variant == 'off'\n"
            )
        self.assertEqual(loaded(modules, ("typing", "re", "json", "collections", "threading", "logging")), [])

    def test_the_lazy_names_of_the_package_are_its_public_api(self) -> None:
        import signalbox
        import signalbox.core

        import signalbox.metrics
        import signalbox.pipeline

        for package in (signalbox, signalbox.core, signalbox.metrics, signalbox.pipeline):
            for name in package.__all__:
                self.assertIsNotNone(getattr(package, name), name)
            self.assertTrue(set(package.__all__) <= set(dir(package)))
            with self.assertRaises(AttributeError):
                getattr(package, "no_such_name")
        self.assertIs(signalbox.SignalboxClient, SignalboxClient)

    def test_an_online_client_still_checks_its_url_offline(self) -> None:
        with self.assertRaises(ValueError):
            SignalboxClient("sbk_test", url="ftp://example.com", offline=True)


def vector_configs() -> List[Dict[str, Any]]:
    """Every distinct config of the shared vectors, with the contexts its cases use."""
    grouped: Dict[str, Dict[str, Any]] = {}
    for path in sorted(VECTORS_DIR.glob("*.json")):
        for case in load_vectors(path.name)["cases"]:
            key = json.dumps(case["config"], sort_keys=True)
            entry = grouped.setdefault(key, {"config": case["config"], "contexts": [], "cases": []})
            entry["contexts"].append(case.get("context"))
            entry["cases"].append(case)
    return list(grouped.values())


def results(environment: Any, keys: List[Any], contexts: List[Any]) -> List[Any]:
    return [[evaluate(environment, key, context, "default").to_dict() for context in contexts] for key in keys]


class LazyCompileTests(unittest.TestCase):
    def test_lazy_compile_equals_eager_compile_on_the_vectors_in_any_order(self) -> None:
        shuffle = random.Random(15)
        for index, entry in enumerate(vector_configs()):
            source, contexts = entry["config"], entry["contexts"]
            eager = compile_environment(source)
            keys = list(eager.flags) + ["no-such-flag"]
            expected = dict(zip(keys, results(eager, keys, contexts)))
            for order in range(3):
                with self.subTest(config=index, order=order):
                    lazy = compile_environment(source, lazy=True)
                    ordered = keys[::-1] if order == 1 else shuffle.sample(keys, len(keys)) if order == 2 else keys
                    # One flag at a time: each compiles alone (with its prerequisites), in a new order.
                    for key, got in zip(ordered, results(lazy, ordered, contexts)):
                        self.assertEqual(got, expected[key], key)
                    self.assertEqual(lazy.problems, eager.problems)
                    self.assertEqual(list(lazy.flags), list(eager.flags))
                    self.assertEqual(list(lazy.segments), list(eager.segments))
                    self.assertEqual(lazy.sequence, eager.sequence)

    def test_lazy_environments_pass_the_vectors(self) -> None:
        for entry in vector_configs():
            for case in entry["cases"]:
                with self.subTest(description=case["description"]):
                    environment = compile_environment(case["config"], lazy=True)
                    result = evaluate(environment, case["flagKey"], case.get("context"), case.get("defaultValue"), case.get("expectedKind")).to_dict()
                    result.pop("errorMessage", None)
                    self.assertEqual(json.dumps(result, sort_keys=True), json.dumps(case["expected"], sort_keys=True))

    def test_a_lazy_environment_compiles_only_the_flag_evaluated_and_what_it_needs(self) -> None:
        flags = [boolean_flag(f"f{i}") for i in range(50)]
        flags.append(boolean_flag("needs", prerequisites=[{"flag": "f7", "variant": "on"}]))
        environment = compile_environment(config(*flags), lazy=True)
        self.assertEqual(environment.ready, {})
        self.assertEqual(evaluate(environment, "needs", {}, False).value, True)
        self.assertEqual(sorted(environment.ready), ["f7", "needs"])
        self.assertEqual(len(environment.flags), 51)  # reading flags compiles the rest
        self.assertEqual(len(environment.ready), 51)

    def test_reading_problems_compiles_everything_and_keeps_config_order(self) -> None:
        broken_segment = {"key": "s-broken", "rules": "not a list"}
        source = config(
            boolean_flag("uses-broken", rules=[{"clauses": [{"op": "segment", "segments": ["s-broken"]}], "serve": {"variant": "on"}}]),
            {"key": 7},
            boolean_flag("bad-variant", defaultRule={"variant": "nope"}),
            boolean_flag("uses-broken"),
            segments=[broken_segment, {"key": "s-broken"}],
        )
        lazy = compile_environment(source, lazy=True)
        evaluate(lazy, "bad-variant", {}, None)  # compiled out of order first
        self.assertEqual(lazy.problems, compile_environment(source).problems)
        self.assertEqual([(p.segment_key, p.flag_key) for p in lazy.problems], [
            ("s-broken", None), ("s-broken", None), (None, "uses-broken"), (None, None), (None, "bad-variant"), (None, "uses-broken"),
        ])

    def test_evaluate_all_and_flag_keys_see_every_flag(self) -> None:
        source = config(*[boolean_flag(f"f{i}", on=i % 2 == 0) for i in range(5)])
        lazy, eager = compile_environment(source, lazy=True), compile_environment(source)
        self.assertEqual(lazy.flag_keys(), eager.flag_keys())
        self.assertEqual({k: v.to_dict() for k, v in evaluate_all(lazy, {}).items()}, {k: v.to_dict() for k, v in evaluate_all(eager, {}).items()})

    def test_threads_evaluating_a_lazy_environment_get_the_eager_answers(self) -> None:
        entry = max(vector_configs(), key=lambda e: len(e["config"].get("flags", [])))
        eager = compile_environment(entry["config"])
        keys = list(eager.flags)
        expected = results(eager, keys, entry["contexts"])
        for _ in range(5):
            lazy = compile_environment(entry["config"], lazy=True)
            answers: List[Any] = []
            start = threading.Barrier(4)

            def work() -> None:
                start.wait()
                answers.append(results(lazy, keys, entry["contexts"]))

            threads = [threading.Thread(target=work) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(answers, [expected] * 4)


class ClientStartTests(unittest.TestCase):
    def test_logs_config_problems_at_start_when_warnings_are_shown(self) -> None:
        source = config(boolean_flag("ok"), boolean_flag("bad", defaultRule={"variant": "nope"}))
        with self.assertLogs("signalbox", "WARNING") as logs:
            client = SignalboxClient("sbk_test", bootstrap=source, offline=True)
        client.close()
        self.assertEqual(len(logs.records), 1)
        self.assertIn('unknown variant "nope"', logs.output[0])

    def test_skips_listing_problems_when_nothing_would_show_them(self) -> None:
        logger = logging.getLogger("signalbox.test.quiet")
        logger.propagate = False
        logger.addHandler(logging.NullHandler())
        source = config(*[boolean_flag(f"f{i}") for i in range(10)], boolean_flag("bad", defaultRule={"variant": "nope"}))
        client = SignalboxClient("sbk_test", bootstrap=source, offline=True, logger=logger)
        try:
            self.assertEqual(client.environment.ready, {})
            self.assertTrue(client.is_enabled("f1"))
            self.assertEqual(list(client.environment.ready), ["f1"])
            # A config from the server is compiled whole as it arrives (on the delivery thread).
            changed = dict(source, sequence=2, flags=source["flags"] + [boolean_flag("new")])
            client.deliver({"type": "snapshot", "sequence": 2, "config": changed}, None)
            self.assertEqual(len(client.environment.ready), 12)
        finally:
            client.close()


class LoggingTests(unittest.TestCase):
    def setUp(self) -> None:
        self.logger = logging.getLogger("signalbox.test.showing")
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(funcName)s %(message)s"))
        self.logger.propagate = False

    def tearDown(self) -> None:
        self.logger.handlers.clear()
        self.logger.setLevel(logging.NOTSET)

    def test_would_show_follows_levels_handlers_and_propagation(self) -> None:
        self.logger.addHandler(logging.NullHandler())
        self.assertFalse(would_show(self.logger, logging.WARNING))
        self.logger.addHandler(self.handler)
        self.assertTrue(would_show(self.logger, logging.WARNING))
        self.handler.setLevel(logging.ERROR)
        self.assertFalse(would_show(self.logger, logging.WARNING))
        self.handler.setLevel(logging.NOTSET)
        self.logger.setLevel(logging.ERROR)
        self.assertFalse(would_show(self.logger, logging.WARNING))

    def test_would_show_counts_the_last_resort_handler(self) -> None:
        self.assertTrue(would_show(self.logger, logging.WARNING))  # no handler at all: stderr
        self.assertFalse(would_show(self.logger, logging.INFO))

    def test_a_logger_it_cannot_inspect_is_assumed_to_show(self) -> None:
        self.assertTrue(would_show(object(), logging.WARNING))

    def test_the_sdk_logger_forwards_to_the_signalbox_logger_naming_the_caller(self) -> None:
        with self.assertLogs("signalbox", "INFO") as logs:
            SdkLogger().info("serving %s", "x")
            try:
                raise RuntimeError("boom")
            except RuntimeError:
                SdkLogger().exception("failed")
        self.assertEqual([r.getMessage() for r in logs.records], ["serving x", "failed"])
        self.assertEqual({r.funcName for r in logs.records}, {self._testMethodName})
        self.assertIsNotNone(logs.records[1].exc_info)
        # The SDK's NullHandler (assertLogs swapped the handlers while it ran).
        self.assertTrue(any(isinstance(h, logging.NullHandler) for h in logging.getLogger("signalbox").handlers))


if __name__ == "__main__":
    unittest.main()
