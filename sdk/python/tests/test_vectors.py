"""Every case of sdk/test-vectors/ (the cross-language contract) must pass in Python."""
from __future__ import annotations

import unittest

from signalbox.core import bucket_for, compile_environment, evaluate

from .helpers import VECTORS_DIR, json_equal, load_vectors

FILES = sorted(path.name for path in VECTORS_DIR.glob("*.json"))


class VectorTests(unittest.TestCase):
    def test_all_files_are_present(self) -> None:
        self.assertEqual(
            FILES,
            ["bucketing.json", "errors.json", "matches.json", "operators.json", "prerequisites.json", "reasons.json", "segments.json", "types.json"],
        )
        total = sum(len(load_vectors(name)["cases"]) for name in FILES)
        self.assertGreaterEqual(total, 270)

    def _run_file(self, name: str) -> None:
        for index, case in enumerate(load_vectors(name)["cases"]):
            with self.subTest(file=name, case=index, description=case["description"]):
                environment = compile_environment(case["config"])
                result = evaluate(environment, case["flagKey"], case.get("context"), case.get("defaultValue"), case.get("expectedKind")).to_dict()
                result.pop("errorMessage", None)
                self.assertTrue(json_equal(result, case["expected"]), f"got {result}, expected {case['expected']}")
                if "bucket" in case:
                    self.assertEqual(bucket_for(case["config"]["flags"][0]["salt"], case["bucketUnit"]), case["bucket"])


for _name in FILES:
    def _test(self: VectorTests, name: str = _name) -> None:
        self._run_file(name)

    setattr(VectorTests, "test_" + _name.replace(".json", "").replace("-", "_"), _test)


if __name__ == "__main__":
    unittest.main()
