"""The evaluation order: one pure function shared by every Signalbox SDK."""
from __future__ import annotations

from .jsvalues import is_object
from .outcome import error_outcome, result_of
from .result import ERROR, FLAG_NOT_FOUND, GENERAL, TYPE_MISMATCH, EvaluationDetails

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional

    from typing_extensions import TypeGuard

    from .compile import CompiledEnvironment, CompiledFlag
    from .outcome import Outcome

_FLAG_NOT_FOUND = error_outcome(FLAG_NOT_FOUND, "no flag with this key")
_EMPTY: Dict[str, Any] = {}


def _is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    # Imported here: contexts are dicts but for the odd caller's mapping (issue 15's cold start).
    from collections.abc import Mapping

    return isinstance(value, Mapping)


def as_context(context: object) -> Mapping[str, Any]:
    """The context as a mapping; anything that is not a mapping reads as an empty context."""
    if is_object(context) or _is_mapping(context):
        return context
    return _EMPTY


def evaluate(
    environment: CompiledEnvironment,
    flag_key: str,
    context: Any,
    default_value: Any,
    expected_kind: Optional[str] = None,
) -> EvaluationDetails:
    """Evaluates one flag for a context. Never raises: unknown flags, type mismatches and
    unreadable configs serve ``default_value`` with reason ERROR and an error code.

    :param expected_kind: the kind the caller expects ("boolean", "string", "number", "json");
        a flag of another kind serves ``default_value`` with TYPE_MISMATCH. None accepts any kind.
    """
    try:
        flag = environment.ready.get(flag_key)
        if flag is None:
            # Not compiled yet (a lazily compiled environment), or no such flag.
            flag = environment.flag(flag_key)
            if flag is None:
                return result_of(_FLAG_NOT_FOUND, default_value)
        if expected_kind is not None and flag.broken is None and expected_kind != flag.kind:
            return EvaluationDetails(
                default_value, None, ERROR, None, TYPE_MISMATCH,
                f'flag "{flag.key}" is a {flag.kind} flag, not {expected_kind}',
            )
        if type(context) is not dict:
            context = as_context(context)
        # An exact-type check, not isinstance, on the hot path: pyright cannot narrow it to dict[str, Any].
        outcome = decide(flag, context)  # pyright: ignore[reportUnknownArgumentType]
        result = outcome.result
        if result is None or outcome.mutable_value:
            return result_of(outcome, default_value)
        return result
    except Exception as error:  # noqa: BLE001 - evaluation never raises
        return EvaluationDetails(default_value, None, ERROR, None, GENERAL, f"evaluation failed: {error}")


def evaluate_all(environment: CompiledEnvironment, context: Any) -> Dict[str, EvaluationDetails]:
    """Evaluates every flag for a context; flags that would serve a caller's default get None."""
    results: Dict[str, EvaluationDetails] = {}
    record = as_context(context)
    for flag in environment.flags.values():
        try:
            results[flag.key] = result_of(decide(flag, record), None)
        except Exception as error:  # noqa: BLE001
            results[flag.key] = EvaluationDetails(None, None, ERROR, None, GENERAL, f"evaluation failed: {error}")
    return results


def decide(flag: CompiledFlag, context: Mapping[str, Any]) -> Outcome:
    """The evaluation order; returns the outcome of the first step that decides."""
    early = flag.early
    if early is not None:
        return early
    if flag.prerequisites:
        if not _prerequisites_pass(flag, context):
            return flag.prerequisite_failed_outcome
        if flag.targets_error is not None:
            return flag.targets_error
    if flag.has_targets:
        key = context.get("targetingKey")
        if type(key) is str or isinstance(key, str):
            target = flag.targets.get(key)
            if target is not None:
                return target
    for rule in flag.rules:
        if rule.error is not None:
            return rule.error
        for clause in rule.clauses:
            if not clause.matches(context):
                break
        else:
            serve = rule.serve
            if serve.rollout is None:
                # `fixed` is set whenever `rollout` is None: CompiledServe's invariant, which its
                # types could state only at the cost of a call on this hot path.
                return serve.fixed  # pyright: ignore[reportReturnType]
            return serve.rollout.serve(context)
    serve = flag.default_serve
    if serve.rollout is None:
        return serve.fixed  # pyright: ignore[reportReturnType]
    return serve.rollout.serve(context)


def _prerequisites_pass(flag: CompiledFlag, context: Mapping[str, Any]) -> bool:
    if flag.prerequisites_unsatisfiable:
        return False
    for prerequisite in flag.prerequisites:
        if prerequisite.flag is None:
            return False
        outcome = decide(prerequisite.flag, context)
        if not (outcome.serves_variant and outcome.variant == prerequisite.variant):
            return False
    return True
