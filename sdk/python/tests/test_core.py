"""Unit tests of the evaluation core beyond the shared vectors: JavaScript number semantics,
hashing, operators, robustness."""
from __future__ import annotations

import math
import random
import string
import unittest

from signalbox.core import bucket_for, compile_environment, evaluate, murmur3_x86_32, parse_date_value, parse_semver
from signalbox.core.regex_matcher import try_compile_regex
from signalbox.core.jsvalues import js_number_string, unit_string
from signalbox.core.murmur3 import HashPrefix

from .helpers import boolean_flag, config


def clause_flag(clause: dict) -> dict:
    return boolean_flag("f", rules=[{"clauses": [clause], "serve": {"variant": "on"}}], defaultRule={"variant": "off"})


def matches(clause: dict, context: dict) -> bool:
    return evaluate(compile_environment(config(clause_flag(clause))), "f", context, None).value is True


class NumberFormattingTests(unittest.TestCase):
    def test_js_string_of_numbers(self) -> None:
        cases = {
            42.0: "42", 3.5: "3.5", 1e21: "1e+21", 1.5e-7: "1.5e-7", 9007199254740992.0: "9007199254740992",
            0.000001: "0.000001", 1e-7: "1e-7", 1.2345678901234568e20: "123456789012345680000", 1e20: "100000000000000000000",
            -2.5: "-2.5", -0.0: "0", 0.1: "0.1", 5e-324: "5e-324", 1.7976931348623157e308: "1.7976931348623157e+308",
            123.456: "123.456", 1e300: "1e+300", 2.5e-5: "0.000025",
        }
        for value, expected in cases.items():
            self.assertEqual(js_number_string(value), expected, repr(value))

    def test_units(self) -> None:
        self.assertEqual(unit_string(1), "1")
        self.assertEqual(unit_string(1.0), "1")
        self.assertEqual(unit_string(2**60), "1152921504606847000")  # as JavaScript prints 2 ** 60
        self.assertEqual(unit_string(10**21), "1e+21")
        for missing in (True, False, None, "", [], {}, math.nan, math.inf):
            self.assertIsNone(unit_string(missing), repr(missing))

    def test_int_and_float_units_bucket_alike(self) -> None:
        flag = boolean_flag("f", defaultRule={"rollout": {"bucketBy": "n", "variants": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 50000}]}})
        environment = compile_environment(config(flag))
        for n in range(200):
            self.assertEqual(evaluate(environment, "f", {"n": n}, None), evaluate(environment, "f", {"n": float(n)}, None))

    def test_bool_units_are_no_unit(self) -> None:
        flag = boolean_flag("f", defaultRule={"rollout": {"bucketBy": "n", "variants": [{"variant": "on", "weight": 100000}]}})
        result = evaluate(compile_environment(config(flag)), "f", {"n": True}, None)
        self.assertEqual((result.reason, result.error_code), ("ERROR", "TARGETING_KEY_MISSING"))


class HashTests(unittest.TestCase):
    def test_published_vectors(self) -> None:
        self.assertEqual(murmur3_x86_32(""), 0)
        self.assertEqual(murmur3_x86_32("", 1), 0x514E28B7)
        self.assertEqual(murmur3_x86_32("Hello, world!", 1234), 0xFAF6CDB3)
        self.assertEqual(murmur3_x86_32("The quick brown fox jumps over the lazy dog"), 0x2E4FF723)

    def test_prefix_matches_whole_hash(self) -> None:
        rng = random.Random(7)
        for _ in range(300):
            salt = "".join(rng.choice(string.ascii_letters) for _ in range(rng.randrange(0, 12)))
            unit = "".join(rng.choice(string.printable + "é漢😀") for _ in range(rng.randrange(1, 20)))
            self.assertEqual(HashPrefix(salt + ".").bucket(unit), bucket_for(salt, unit))

    def test_lone_surrogates_hash_as_replacement_character(self) -> None:
        self.assertEqual(bucket_for("s", "a\ud800b"), bucket_for("s", "a\ufffdb"))
        # A pair given as two code points is one astral character, as in JavaScript.
        self.assertEqual(bucket_for("s", "\ud83d\ude00"), bucket_for("s", "😀"))


class OperatorTests(unittest.TestCase):
    def test_in_keeps_booleans_and_numbers_apart(self) -> None:
        self.assertFalse(matches({"attribute": "a", "op": "in", "values": [1]}, {"a": True}))
        self.assertFalse(matches({"attribute": "a", "op": "in", "values": [True]}, {"a": 1}))
        self.assertFalse(matches({"attribute": "a", "op": "in", "values": [0]}, {"a": False}))
        self.assertTrue(matches({"attribute": "a", "op": "in", "values": [1]}, {"a": 1.0}))
        self.assertTrue(matches({"attribute": "a", "op": "in", "values": [True]}, {"a": True}))
        self.assertFalse(matches({"attribute": "a", "op": "in", "values": ["1"]}, {"a": 1}))
        self.assertTrue(matches({"attribute": "a", "op": "notIn", "values": [1]}, {"a": True}))

    def test_comparisons_ignore_booleans(self) -> None:
        self.assertFalse(matches({"attribute": "a", "op": "lt", "values": [5]}, {"a": True}))
        self.assertFalse(matches({"attribute": "a", "op": "gte", "values": [0]}, {"a": False}))
        self.assertTrue(matches({"attribute": "a", "op": "lt", "values": [5]}, {"a": 4.5}))
        self.assertFalse(matches({"attribute": "a", "op": "before", "values": [5]}, {"a": True}))

    def test_ecmascript_regex_semantics(self) -> None:
        # `$` is end of input only, `\d` is ASCII only, `.` excludes every line terminator.
        self.assertFalse(matches({"attribute": "a", "op": "matches", "values": ["^prod$"]}, {"a": "prod\n"}))
        self.assertFalse(matches({"attribute": "a", "op": "matches", "values": ["^\\d+$"]}, {"a": "١٢٣"}))
        self.assertFalse(matches({"attribute": "a", "op": "matches", "values": ["a.b"]}, {"a": "a\u2028b"}))
        self.assertTrue(matches({"attribute": "a", "op": "matches", "values": ["\\s"]}, {"a": "a\u00a0b"}))
        self.assertIsNone(try_compile_regex("(unclosed"))
        self.assertIsNotNone(try_compile_regex("[a-z]+\\.(com|org){1,2}"))

    def test_semver_and_dates(self) -> None:
        self.assertIsNone(parse_semver("1.2.3\n"))
        self.assertIsNone(parse_semver("１.2.3"))
        self.assertEqual(parse_date_value("1970-01-01T00:00:01Z"), 1000.0)
        self.assertEqual(parse_date_value("2024-01-01T01:00:00+01:00"), parse_date_value("2024-01-01"))
        self.assertEqual(parse_date_value("0000-01-01"), -62167219200000.0)
        self.assertTrue(math.isnan(parse_date_value("2024-01-01\n")))
        self.assertTrue(math.isnan(parse_date_value(True)))


class RobustnessTests(unittest.TestCase):
    def test_evaluation_never_raises(self) -> None:
        rng = random.Random(3)
        junk = [None, True, 1, -1.5, "x", [], {}, [1, "a"], {"a": 1}, math.nan, math.inf, object()]
        shapes = [
            lambda: rng.choice(junk),
            lambda: config(boolean_flag("f", **{rng.choice(["kind", "salt", "on", "killed", "variants", "targets", "rules", "defaultRule", "prerequisites", "offVariant"]): rng.choice(junk)})),
            lambda: config(boolean_flag("f", rules=[{"clauses": [{"attribute": rng.choice(junk), "op": rng.choice(["in", "lt", "matches", "segment", "semverEq", "before", rng.choice(junk)]), "values": rng.choice(junk)}], "serve": rng.choice(junk)}])),
        ]
        for _ in range(2000):
            environment = compile_environment(rng.choice(shapes)())
            result = evaluate(environment, rng.choice(["f", "g", None, 1]), rng.choice(junk), "d", rng.choice([None, "boolean", "json", 5]))
            self.assertIn(result.reason, {"STATIC", "TARGETING_MATCH", "SPLIT", "DEFAULT", "DISABLED", "ERROR", "KILLED", "PREREQUISITE_FAILED"})

    def test_json_values_are_copies(self) -> None:
        flag = {"key": "j", "kind": "json", "salt": "s", "on": True, "variants": [{"key": "a", "value": {"list": [1, 2]}}], "defaultRule": {"variant": "a"}}
        environment = compile_environment(config(flag))
        first = evaluate(environment, "j", {}, None).value
        first["list"].append(3)
        self.assertEqual(evaluate(environment, "j", {}, None).value, {"list": [1, 2]})


class BucketingPropertyTests(unittest.TestCase):
    def rollout(self, key: str, on_weight: int) -> dict:
        return boolean_flag(key, defaultRule={"rollout": {"variants": [{"variant": "on", "weight": on_weight}, {"variant": "off", "weight": 100000 - on_weight}]}})

    def test_uniform_monotonic_and_isolated(self) -> None:
        units = [f"user-{i}" for i in range(20000)]
        five = compile_environment(config(self.rollout("f", 5000)))
        twenty_five = compile_environment(config(self.rollout("f", 25000)))
        other = compile_environment(config(self.rollout("g", 25000)))
        in_five = {u for u in units if evaluate(five, "f", {"targetingKey": u}, None).value}
        in_25 = {u for u in units if evaluate(twenty_five, "f", {"targetingKey": u}, None).value}
        in_other = {u for u in units if evaluate(other, "g", {"targetingKey": u}, None).value}
        self.assertTrue(in_five <= in_25)
        self.assertAlmostEqual(len(in_25) / len(units), 0.25, delta=0.015)
        # Independent salts: the overlap is about 25 % of 25 %.
        self.assertAlmostEqual(len(in_25 & in_other) / len(units), 0.0625, delta=0.01)


if __name__ == "__main__":
    unittest.main()
