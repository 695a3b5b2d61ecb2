"""Possible ends of an evaluation, built once at compile time."""
from __future__ import annotations


from .result import DEFAULT, SPLIT, STATIC, TARGETING_MATCH, ERROR, EvaluationDetails

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Optional

_SERVING = frozenset((STATIC, TARGETING_MATCH, SPLIT, DEFAULT))


class Outcome:
    """When it serves a variant, its prebuilt ``result`` is returned as is (no allocation); when
    it serves the caller's default (``result is None``) the result is built per call."""

    __slots__ = (
        "result", "reason", "variant", "rule_index", "error_code", "error_message", "serves_variant", "mutable_value",
    )

    def __init__(
        self,
        result: Optional[EvaluationDetails],
        reason: str,
        variant: Optional[str],
        rule_index: Optional[int],
        error_code: Optional[str],
        error_message: Optional[str],
    ) -> None:
        self.result = result
        self.reason = reason
        self.variant = variant
        self.rule_index = rule_index
        self.error_code = error_code
        self.error_message = error_message
        self.serves_variant = result is not None and variant is not None and error_code is None and reason in _SERVING
        # JSON objects and arrays are copied per call so callers cannot change the config.
        self.mutable_value = result is not None and isinstance(result.value, (dict, list))


def served_outcome(
    variant: str,
    value: Any,
    reason: str,
    rule_index: Optional[int] = None,
    error_code: Optional[str] = None,
    error_message: Optional[str] = None,
) -> Outcome:
    """An outcome that serves ``value`` of variant ``variant``."""
    result = EvaluationDetails(value, variant, reason, rule_index, error_code, error_message)
    return Outcome(result, reason, variant, rule_index, error_code, error_message)


def caller_default_outcome(
    reason: str,
    error_code: Optional[str] = None,
    error_message: Optional[str] = None,
    rule_index: Optional[int] = None,
) -> Outcome:
    """An outcome that serves the caller's default value."""
    return Outcome(None, reason, None, rule_index, error_code, error_message)


def error_outcome(error_code: str, error_message: str, rule_index: Optional[int] = None) -> Outcome:
    """A config problem: the caller's default with reason ERROR."""
    return caller_default_outcome(ERROR, error_code, error_message, rule_index)


def result_of(outcome: Outcome, default_value: Any) -> EvaluationDetails:
    """The result of an outcome for a caller whose default is ``default_value``."""
    result = outcome.result
    if result is not None:
        if outcome.mutable_value:
            from copy import deepcopy  # only JSON flags need it: imported on first use

            return result._replace(value=deepcopy(result.value))
        return result
    return EvaluationDetails(default_value, None, outcome.reason, None, outcome.error_code, outcome.error_message)
