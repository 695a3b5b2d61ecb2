"""The Python evaluator supports exactly the operators of the evaluation core's table.

The table is declared once, in sdk/src/core/operator-table.ts; sdk/test-vectors/generate.mjs writes
it to sdk/test-vectors/tables/operators.json (and a TypeScript test fails when that file is stale).
"""
from __future__ import annotations

import json
import unittest
from typing import Any, Dict, List

from signalbox.core import compile_environment, evaluate
from signalbox.core.errors import ConfigError
from signalbox.core.operators import ATTRIBUTE_OPERATORS, CompiledClause

from .helpers import VECTORS_DIR, boolean_flag, config

TABLE: Dict[str, Any] = json.loads((VECTORS_DIR / "tables" / "operators.json").read_text(encoding="utf-8"))
OPERATORS: List[Dict[str, str]] = TABLE["operators"]
NAMES = [operator["name"] for operator in OPERATORS]


def example_clause(name: str) -> Dict[str, Any]:
    """A clause of operator `name` whose operands are its kind's example from the table."""
    operand = TABLE["operands"][OPERATORS[NAMES.index(name)]["operand"]]
    operands = [] if operand["example"] is None else [operand["example"]]
    if operand["field"] == "segments":
        return {"op": name, "segments": operands}
    return {"attribute": "attribute", "op": name, "values": operands}


class OperatorTableTests(unittest.TestCase):
    def test_the_table_lists_operators(self) -> None:
        self.assertIn("segment", NAMES)
        self.assertEqual(len(NAMES), len(set(NAMES)))
        self.assertGreaterEqual(len(NAMES), 17)

    def test_attribute_operators_are_the_tables_in_its_order(self) -> None:
        self.assertEqual(list(ATTRIBUTE_OPERATORS), [name for name in NAMES if name != "segment"])

    def test_every_operator_of_the_table_compiles_and_evaluates(self) -> None:
        segment = {"key": "beta-testers", "included": ["user-1"], "excluded": [], "rules": []}
        for name in NAMES:
            with self.subTest(operator=name):
                flag = boolean_flag("f", rules=[{"clauses": [example_clause(name)], "serve": {"variant": "on"}}], defaultRule={"variant": "off"})
                environment = compile_environment(config(flag, segments=[segment]))
                self.assertEqual(environment.problems, ())
                result = evaluate(environment, "f", {"targetingKey": "user-1"}, None)
                self.assertIn(result.reason, ("TARGETING_MATCH", "DEFAULT"))

    def test_every_operator_of_the_table_is_accepted_by_the_clause_compiler(self) -> None:
        for name in NAMES:
            with self.subTest(operator=name):
                clause = CompiledClause(example_clause(name), lambda key: None)
                self.assertEqual(clause.op, name)

    def test_operators_outside_the_table_are_refused(self) -> None:
        for name in ("between", "In", "semver_eq", "__class__", "__init__", "", "m_in"):
            with self.subTest(operator=name):
                self.assertNotIn(name, NAMES)
                with self.assertRaises(ConfigError):
                    CompiledClause({"attribute": "a", "op": name, "values": ["x"]}, lambda key: None)


if __name__ == "__main__":
    unittest.main()
