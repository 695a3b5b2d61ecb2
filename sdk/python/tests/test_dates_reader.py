"""The hand-written ISO-8601 reader of before/after operands agrees with the regular expression
it replaces (core/dates.py reads dates without importing `re`, for the cold start)."""
from __future__ import annotations

import random
import re
import unittest

from signalbox.core.dates import ISO_DATE_PATTERN, iso_date_groups, parse_date_value

REFERENCE = re.compile(ISO_DATE_PATTERN, re.ASCII)

VALID = (
    "2024-03-18", "2024-03-18T09:30", "2024-03-18t09:30:15", "2024-03-18 09:30:15.1", "2024-03-18T09:30:15.123456Z",
    "2024-03-18T09:30z", "2024-03-18T09:30:15+05:30", "2024-03-18T09:30:15.5-0800", "0000-01-01T00:00:00Z",
)
ALPHABET = "0123456789-:.TtZz+ \u0663x"


def mutations(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        action = rng.randrange(3)
        at = rng.randrange(len(chars) + 1)
        if action == 0 and chars:
            del chars[min(at, len(chars) - 1)]
        elif action == 1:
            chars.insert(at, rng.choice(ALPHABET))
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice(ALPHABET)
    return "".join(chars)


def expected(text: str):
    match = REFERENCE.fullmatch(text)
    return None if match is None else list(match.groups())


class IsoDateReaderTests(unittest.TestCase):
    def test_reads_the_valid_forms_as_the_expression_does(self) -> None:
        for text in VALID:
            with self.subTest(text=text):
                self.assertIsNotNone(expected(text))
                self.assertEqual(iso_date_groups(text), expected(text))

    def test_agrees_with_the_expression_on_mutated_inputs(self) -> None:
        rng = random.Random(15)
        checked = matched = 0
        for _ in range(20_000):
            text = mutations(rng, rng.choice(VALID))
            self.assertEqual(iso_date_groups(text), expected(text), text)
            checked += 1
            matched += expected(text) is not None
        self.assertGreater(matched, 500)  # the mutations also produce valid dates, not only junk

    def test_refuses_non_ascii_digits_and_partial_forms(self) -> None:
        for text in ("\u0663\u0663\u0663\u0663-01-01", "2024-01-01T", "2024-01-01T10", "2024-01-01T10:00:", "2024-01-01T10:00:00.",
                     "2024-01-01T10:00+0", "2024-01-01Z", "2024-1-01", ""):
            with self.subTest(text=text):
                self.assertIsNone(iso_date_groups(text))
                self.assertNotEqual(parse_date_value(text), parse_date_value(text))  # NaN


if __name__ == "__main__":
    unittest.main()
