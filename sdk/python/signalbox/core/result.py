"""The outcome of one evaluation, and the reason and error-code names."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Dict, NamedTuple, Optional

    class _Fields(NamedTuple):
        value: Any
        variant: Optional[str]
        reason: str
        rule_index: Optional[int] = None
        error_code: Optional[str] = None
        error_message: Optional[str] = None
else:
    # The tuple typing.NamedTuple makes, without importing typing (and re, collections with it):
    # most of what a cold start imported (issue 15). tests/test_startup.py checks the fields agree.
    from .record import record_type

    _Fields = record_type(
        "EvaluationDetails", ("value", "variant", "reason", "rule_index", "error_code", "error_message"),
        (None, None, None), __name__,
    )

# Reasons: OpenFeature's plus Signalbox's KILLED and PREREQUISITE_FAILED.
STATIC = "STATIC"
TARGETING_MATCH = "TARGETING_MATCH"
SPLIT = "SPLIT"
DEFAULT = "DEFAULT"
DISABLED = "DISABLED"
ERROR = "ERROR"
KILLED = "KILLED"
PREREQUISITE_FAILED = "PREREQUISITE_FAILED"

# Error codes (OpenFeature's).
FLAG_NOT_FOUND = "FLAG_NOT_FOUND"
TYPE_MISMATCH = "TYPE_MISMATCH"
TARGETING_KEY_MISSING = "TARGETING_KEY_MISSING"
PARSE_ERROR = "PARSE_ERROR"
GENERAL = "GENERAL"

#: Flag kinds.
FLAG_KINDS = frozenset(("boolean", "string", "number", "json"))


class EvaluationDetails(_Fields):
    """What an evaluation served and why.

    ``variant`` is None when the caller's default was served; ``rule_index`` is set only for
    ``TARGETING_MATCH``/``SPLIT`` decided by a rule; ``error_code`` only with reason ``ERROR``
    (or with the off variant served for ``TARGETING_KEY_MISSING``).
    """

    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        """The result in the wire/vector shape (camelCase keys, absent keys left out)."""
        out: Dict[str, Any] = {"value": self.value}
        if self.variant is not None:
            out["variant"] = self.variant
        out["reason"] = self.reason
        if self.rule_index is not None:
            out["ruleIndex"] = self.rule_index
        if self.error_code is not None:
            out["errorCode"] = self.error_code
        if self.error_message is not None:
            out["errorMessage"] = self.error_message
        return out
