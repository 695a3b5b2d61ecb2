"""The JSON reader of bootstrap and cache files: the same values and errors as json.loads."""
from __future__ import annotations

import json
import math
import unittest

from signalbox.client import json_text

from .helpers import VECTORS_DIR


class JsonTextTests(unittest.TestCase):
    def test_reads_every_vector_file_as_json_loads_does(self) -> None:
        files = sorted(VECTORS_DIR.glob("*.json"))
        self.assertTrue(files)
        for path in files:
            text = path.read_text(encoding="utf-8")
            with self.subTest(file=path.name):
                self.assertEqual(json_text.loads(text), json.loads(text))

    def test_reads_scalars_constants_whitespace_and_unicode(self) -> None:
        for text in (' \n {"a": [1, 2.5, -0, 1e400, true, null, "\\u00e9\\ud83d\\ude00"]}\r\n\t', "42", '"x"', "[]", " null "):
            with self.subTest(text=text):
                self.assertEqual(repr(json_text.loads(text)), repr(json.loads(text)))
        self.assertTrue(math.isnan(json_text.loads("[NaN]")[0]))
        self.assertEqual(json_text.loads("[Infinity, -Infinity]"), [math.inf, -math.inf])

    def test_refuses_what_json_loads_refuses_with_its_error(self) -> None:
        for text in ("", "   ", '{"a": 1} x', "[1, 2", "{'a': 1}", "\ufeff{}", '"tab\there"', "[1,]", "01"):
            with self.subTest(text=text):
                with self.assertRaises(json.JSONDecodeError) as expected:
                    json.loads(text)
                with self.assertRaises(ValueError) as got:
                    json_text.loads(text)
                self.assertEqual(str(got.exception), str(expected.exception))


if __name__ == "__main__":
    unittest.main()
