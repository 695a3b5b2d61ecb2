"""The ``matches`` engine: the pattern language, the linear-time matcher, and the catastrophic
patterns of the shared vectors (the same cases as sdk/src/core/regex-*.spec.ts)."""
from __future__ import annotations

import random
import re
import threading
import unittest

from signalbox.core import validate_regex
from signalbox.core.regex_matcher import LinearRegex, compile_regex, try_compile_regex
from signalbox.core.regex_program import program_size
from signalbox.core.regex_syntax import MAX_NESTING, MAX_PATTERN_LENGTH, RegexSyntaxError, code_points, parse_regex

from .helpers import load_vectors


def regex(pattern: str) -> LinearRegex:
    return compile_regex(pattern)


ACCEPTED = [
    "plain", "^[a-z]+@example\\.com$", "^build-\\d{3}$", "a|b|", "(?:ab)+c?", "(?<year>\\d{4})-(?<month>\\d{2})",
    "[^\\s,]+", "[\\d\\w.-]", "[\\w-.]", "[a-\\d]", "[-a]", "[a-]", "[]", "[^]", "a{2}", "a{2,}", "a{2,5}", "a{,5}", "a{x}", "{", "x}", "]",
    "a*?b+?c??d{1,2}?", "\\bword\\B", "\\t\\n\\v\\f\\r\\0", "\\x41\\u00e9\\uD83D\\uDE80", "\\cJ",
    "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\/\\-\\ \\@", "🚀+", "[🚀-🛸]", "()", "(|a)", "a{1000}",
    "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", "(a+)+$", "(a|aa)+b",
]

REFUSED = [
    ("(a)\\1", "backreference \\1 is not supported", 3),
    ("(?<n>a)\\k<n>", "backreference \\k is not supported", 7),
    ("(?=a)a", "lookahead (?= is not supported", 0),
    ("x(?!a)", "lookahead (?! is not supported", 1),
    ("(?<=a)b", "lookbehind (?<= is not supported", 0),
    ("(?<!a)b", "lookbehind (?<! is not supported", 0),
    ("(?i)abc", "unknown group (?i", 0),
    ("(unclosed", "missing ) for this group", 0),
    ("a)", "unmatched )", 1),
    ("[abc", "missing ] for this character class", 0),
    ("*a", "nothing to repeat before *", 0),
    ("a|+", "nothing to repeat before +", 2),
    ("{2}", "nothing to repeat before {", 0),
    ("a**", "a quantifier cannot follow a quantifier", 2),
    ("a{2}{3}", "a quantifier cannot follow a quantifier", 4),
    ("a*?+", "a quantifier cannot follow a quantifier", 3),
    ("^*", "an anchor or word boundary cannot be repeated", 0),
    ("x\\b+", "an anchor or word boundary cannot be repeated", 1),
    ("a{1001}", "repetition counts may be at most 1000", 1),
    ("a{2,99999999999999999999}", "repetition counts may be at most 1000", 1),
    ("a{5,2}", "numbers out of order", 1),
    ("[z-a]", "range out of order", 1),
    ("[\\B]", "\\B is not allowed in a character class", 1),
    ("\\p{L}", "Unicode property escapes \\p{...} are not supported", 0),
    ("\\q", "unknown escape \\q", 0),
    ("\\x4", "\\x must be followed by two hex digits", 0),
    ("\\u12", "\\u must be followed by four hex digits", 0),
    ("\\u{1F680}", "\\u{...} is not supported", 0),
    ("\\c1", "\\c must be followed by a letter", 0),
    ("\\01", "octal escapes are not supported", 0),
    ("[\\1]", "octal escapes are not supported", 1),
    ("abc\\", "\\ at end of pattern", 3),
    ("(?<1a>x)", "invalid group name", 3),
    ("(?<a>x)(?<a>y)", "duplicate group name a", 10),
    ("🚀(", "missing ) for this group", 1),
]

MATCHING = [
    ("example", "ann@example.com", True),
    ("^[a-z]+@example\\.com$", "ann@example.com", True),
    ("^[a-z]+@example\\.com$", "ann@example.com.evil", False),
    ("^b", "ann", False),
    ("", "", True),
    ("", "anything", True),
    ("^$", "", True),
    ("^$", "x", False),
    ("a|", "zzz", True),
    ("^prod$", "PROD", False),
    ("^prod$", "prod\n", False),
    ("prod$", "a prod", True),
    ("^prod", "x\nprod", False),
    ("a.b", "a\nb", False),
    ("a.b", "a\rb", False),
    ("a.b", "a\u2028b", False),
    ("a.b", "a\tb", True),
    ("a[^]b", "a\nb", True),
    ("a[]b", "ab", False),
    ("^\\d+$", "0123456789", True),
    ("^\\d+$", "١٢٣", False),
    ("^\\w+$", "snake_case_9", True),
    ("^\\w+$", "café", False),
    ("\\s", "a\u00a0b", True),
    ("\\s", "a\ufeffb", True),
    ("^\\S+$", "a\u3000b", False),
    ("\\bcat\\b", "the cat sat", True),
    ("\\bcat\\b", "concatenate", False),
    ("\\Bcat\\B", "concatenate", True),
    ("^\\b", "", False),
    ("\\B", "", True),
    ("x\\b", "x", True),
    ("^(?:ab)+$", "ababab", True),
    ("^(?:ab)+$", "ababa", False),
    ("^a{3}$", "aaa", True),
    ("^a{3}$", "aaaa", False),
    ("^a{2,3}$", "a", False),
    ("^a{2,3}$", "aaa", True),
    ("^a{2,}$", "aaaaaaa", True),
    ("^a{0}$", "", True),
    ("^a{,5}$", "a{,5}", True),
    ("x{", "x{", True),
    ("\\x41\\u0042", "AB", True),
    ("\\cJ", "\n", True),
    ("[\\b]", "\b", True),
    ("^[\\w-.]+$", "a-b.c", True),
    ("^[\\d-z]$", "-", True),
    ("^[\\d-z]$", "y", False),
    ("^(?<year>\\d{4})-(?<month>\\d{2})$", "2024-06", True),
    ("a*?b", "aaab", True),
    ("a??b", "b", True),
    ("colou?r", "color", True),
    ("(a|b|ab)*c", "ababab", False),
    ("(a|b|ab)*c", "abababc", True),
    # Code points
    ("^.$", "🚀", True),
    ("^..$", "🚀", False),
    ("^[🚀-🛸]$", "🛰", True),
    ("^\\uD83D\\uDE80$", "🚀", True),
    ("^🚀+$", "🚀🚀🚀", True),
    ("^[^a]$", "🚀", True),
    ("^\\ud800$", "\ud800", True),
    ("^.$", "\udc00", True),
    ("^.x$", "\ud83dx", True),
    ("\\uDE80x", "🚀x", False),
    ("\\uD83D", "🚀", False),
    ("🚀x", "a🚀x", True),
    ("x🚀", "ax🚀", True),
    ("x\\uD83D", "ax🚀", False),
    # A surrogate pair Python did not decode is one character, as in JavaScript.
    ("^.$", "\ud83d\ude80", True),
    ("^🚀$", "\ud83d\ude80", True),
]


class PatternLanguageTests(unittest.TestCase):
    def test_accepts_the_language(self) -> None:
        for pattern in ACCEPTED:
            with self.subTest(pattern=pattern):
                self.assertIsNone(validate_regex(pattern))

    def test_refuses_with_the_reason_and_position(self) -> None:
        for pattern, reason, position in REFUSED:
            with self.subTest(pattern=pattern):
                with self.assertRaises(RegexSyntaxError) as raised:
                    parse_regex(pattern)
                self.assertIn(reason, raised.exception.reason)
                self.assertEqual(raised.exception.position, position)
                self.assertEqual(validate_regex(pattern), f"{raised.exception.reason} (at position {position})")

    def test_refuses_a_pattern_longer_than_256_characters_counted_as_javascript_counts_them(self) -> None:
        self.assertIsNone(validate_regex("a" * MAX_PATTERN_LENGTH))
        self.assertIn("at most 256 characters", validate_regex("a" * (MAX_PATTERN_LENGTH + 1)) or "")
        self.assertIn("at most 256 characters", validate_regex("🚀" * (MAX_PATTERN_LENGTH // 2 + 1)) or "")

    def test_refuses_groups_nested_too_deep(self) -> None:
        self.assertIsNone(validate_regex("(" * MAX_NESTING + "a" + ")" * MAX_NESTING))
        self.assertIn(f"nested at most {MAX_NESTING} deep", validate_regex("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1)) or "")

    def test_refuses_a_pattern_whose_repetitions_expand_too_far(self) -> None:
        self.assertIsNone(validate_regex("a{1000}"))
        self.assertIsNone(validate_regex("[a-z]{1,500}"))
        for pattern in ("[a-z]{1,501}", "(a{1000}){1000}", ".{0,1000}", "((((a{1000}){1000}){1000}){1000}){1000}", "(a{100}){30}"):
            with self.subTest(pattern=pattern):
                self.assertIn("too large", validate_regex(pattern) or "")
                self.assertIsNone(try_compile_regex(pattern))

    def test_sizes_programs_by_expanding_counted_repetitions(self) -> None:
        sizes = {"abc": 3, "a|b|c": 7, "a*": 3, "a+": 2, "a?": 2, "a{3}": 3, "a{2,4}": 6, "a{3,}": 4, "(ab){10}": 20}
        for pattern, size in sizes.items():
            with self.subTest(pattern=pattern):
                self.assertEqual(program_size(parse_regex(pattern)), size)

    def test_reads_code_points_as_javascript_does(self) -> None:
        self.assertEqual(code_points("a🚀b"), [0x61, 0x1F680, 0x62])
        self.assertEqual(code_points("\ud83d\ude80"), [0x1F680])
        self.assertEqual(code_points("\ud800x"), [0xD800, 0x78])

    def test_refuses_a_non_string_pattern(self) -> None:
        self.assertEqual(validate_regex(42), "a pattern must be a string")
        self.assertEqual(validate_regex(None), "a pattern must be a string")


def _python_pattern(pattern: str) -> str:
    """The generated patterns below, for Python's ``re`` (ASCII inputs without \\r)."""
    return pattern.replace("$", "\\Z")


class MatcherTests(unittest.TestCase):
    def test_matches_as_the_table_says(self) -> None:
        for pattern, text, expected in MATCHING:
            with self.subTest(pattern=pattern, text=text):
                self.assertIs(regex(pattern).test(text), expected)

    def test_agrees_with_python_re_on_random_ascii_patterns_and_inputs(self) -> None:
        # A fixed seed: `re` backtracks, and a random pattern can make the oracle itself hang
        # (seed 8 finds one: ((?:[a-c]{0,}.?)+||){0,}\\.[ab][\\d-]? on 12 characters).
        rng = random.Random(20240601)
        atoms = ["a", "b", "-", " ", ".", "\\d", "\\w", "\\s", "\\W", "[ab]", "[^a]", "[a-c]", "[-b]", "1", "x", "\\.", "[\\d-]"]
        assertions = ["\\b", "\\B", "^", "$"]
        quantifiers = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?", "{2,}?"]

        def expr(depth: int) -> str:
            if depth > 2 or rng.random() < 0.3:
                return "".join(term(depth) for _ in range(rng.randint(0, 4)))
            return expr(depth + 1) + "|" + expr(depth + 1)

        def term(depth: int) -> str:
            roll = rng.random()
            if roll < 0.15:
                return rng.choice(assertions)
            if roll < 0.3 and depth < 3:
                piece = rng.choice(["(", "(?:"]) + expr(depth + 1) + ")"
            else:
                piece = rng.choice(atoms)
            return piece + rng.choice(quantifiers)

        alphabet = "abc- 1x.\n_"
        checked = 0
        while checked < 1500:
            pattern = expr(0)
            ours = try_compile_regex(pattern)
            if ours is None:
                self.assertIn("too large", validate_regex(pattern) or "", pattern)
                continue
            theirs = re.compile(_python_pattern(pattern))
            for _ in range(6):
                # Not empty: Python's \B never matches an empty string, ECMAScript's does.
                text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
                self.assertIs(ours.test(text), theirs.search(text) is not None, f"{pattern!r} on {text!r}")
            checked += 1

    def test_agrees_with_python_re_on_long_inputs_for_patterns_that_start_with_a_literal(self) -> None:
        # Long inputs cross the slices the matcher reads in, and its skips to the literal prefix.
        rng = random.Random(11)
        atoms = ["a", "b", "x", ".", "\\d", "\\w", "[ab]", "[^a]", "\\b", "$"]
        for _ in range(300):
            literal = "".join(rng.choice("abx1") for _ in range(rng.randint(1, 3)))
            tail = "".join(atom + ("" if atom in ("\\b", "$") else rng.choice(["", "", "*", "+", "?", "{2}"])) for atom in rng.sample(atoms, rng.randint(0, 3)))
            pattern = literal + tail
            ours = regex(pattern)
            theirs = re.compile(_python_pattern(pattern))
            for _ in range(4):
                text = "".join(rng.choice("abcx1 ") for _ in range(rng.randint(200, 1200)))
                self.assertIs(ours.test(text), theirs.search(text) is not None, f"{pattern!r} on {text!r}")

    def test_answers_the_same_after_its_state_cache_fills_up_and_is_emptied(self) -> None:
        pattern = "(a|b)*a(a|b){12}$"
        ours = regex(pattern)
        theirs = re.compile(_python_pattern(pattern))
        rng = random.Random(7)
        for _ in range(10):
            text = "".join(rng.choice("ab") for _ in range(2000))
            for end in ("", "b" * 12, "a" * 13):
                self.assertIs(ours.test(text + end), theirs.search(text + end) is not None)
        self.assertGreater(ours.cache_resets, 0)

    def test_reads_each_character_once_when_the_states_it_needs_are_cached(self) -> None:
        ours = regex("^[a-z0-9.-]+@[a-z0-9-]+(\\.[a-z]{2,})+$")
        text = "x" * 5000 + "@example.com"
        self.assertTrue(ours.test(text))
        before = ours.steps
        self.assertTrue(ours.test(text))
        self.assertEqual(ours.steps - before, len(text))

    def test_skips_to_the_next_occurrence_of_the_literal_every_match_starts_with(self) -> None:
        ours = regex("@corp\\.com$")
        self.assertTrue(ours.test("@corp.co" * 1000 + "@corp.com"))
        self.assertFalse(ours.test("@corp.co" * 1000 + "@corp.com!"))
        self.assertFalse(ours.test("x" * 10_000))
        self.assertTrue(regex("ab\\b").test("abc " * 100 + "ab"))
        self.assertFalse(regex("ab\\b").test("abc " * 100 + "abc"))

    def test_never_matches_an_input_longer_than_65536_utf16_code_units(self) -> None:
        self.assertTrue(regex("a$").test("b" * 65_535 + "a"))
        self.assertFalse(regex("a").test("a" * 65_537))
        self.assertTrue(regex("^").test("🚀" * 32_768))
        self.assertFalse(regex("^").test("🚀" * 32_769))

    def test_is_safe_to_share_between_threads(self) -> None:
        pattern = "(a|b)*a(a|b){10}$"
        shared = regex(pattern)
        theirs = re.compile(_python_pattern(pattern))
        rng = random.Random(3)
        texts = ["".join(rng.choice("ab") for _ in range(rng.randint(0, 300))) for _ in range(200)]
        expected = [theirs.search(text) is not None for text in texts]
        failures = []

        def run() -> None:
            for _ in range(3):
                for text, answer in zip(texts, expected):
                    if shared.test(text) is not answer:
                        failures.append(text)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(failures, [])


STEPS_PER_CHARACTER_AND_INSTRUCTION = 3
ISSUE_PATTERNS = ["(a|a)*$", "(a|aa)+b", "((a+))+$", "(a{1,})+$", "^([a-z0-9]|[a-z0-9-])*$", "^.*.*.*.*=$", "(x+x+)+y", "(a*)*b", "(.*a){20}", "^(\\w+\\s?)*$", "(a|b|ab)*c"]


class CatastrophicPatternTests(unittest.TestCase):
    """Each catastrophic pattern of the shared vectors is refused on save, or runs on its
    10,000-character adversarial input within a deterministic bound on the engine's work."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.corpus = [
            (case["config"]["flags"][0]["rules"][0]["clauses"][0]["values"][0], case["context"]["input"], case["expected"]["reason"] == "TARGETING_MATCH")
            for case in load_vectors("matches.json")["cases"]
            if case["description"].startswith("catastrophic: ")
        ]

    def test_covers_the_patterns_of_the_issue_and_more(self) -> None:
        patterns = {pattern for pattern, _, _ in self.corpus}
        for pattern in ISSUE_PATTERNS:
            self.assertIn(pattern, patterns)
        self.assertGreaterEqual(len(patterns), 25)
        for _, text, _ in self.corpus:
            self.assertEqual(len(text), 10_000)

    def test_each_is_refused_or_answers_within_the_bound(self) -> None:
        for pattern, text, expected in self.corpus:
            with self.subTest(pattern=pattern):
                compiled = try_compile_regex(pattern)
                if compiled is None:
                    reason = validate_regex(pattern) or ""
                    self.assertRegex(reason, r"not supported|at most|too large")
                    self.assertRegex(reason, r"\(at position \d+\)$")
                    self.assertFalse(expected)
                    continue
                self.assertIs(compiled.test(text), expected)
                self.assertLessEqual(compiled.steps, STEPS_PER_CHARACTER_AND_INSTRUCTION * (len(text) + 1) * compiled.size)
                before = compiled.steps
                self.assertIs(compiled.test(text), expected)
                if compiled.cache_resets == 0:
                    self.assertLessEqual(compiled.steps - before, len(text))


if __name__ == "__main__":
    unittest.main()
