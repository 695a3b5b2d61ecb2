"""Compiling an environment config once for fast, never-failing evaluation."""
from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from .errors import ConfigError
from .jsvalues import is_finite_number, is_integer_number, is_number, to_js_float
from .murmur3 import BUCKET_COUNT
from .operators import CompiledClause, SegmentMembership
from .outcome import Outcome, caller_default_outcome, error_outcome, served_outcome
from .result import DEFAULT, FLAG_KINDS, GENERAL, KILLED, DISABLED, PARSE_ERROR, PREREQUISITE_FAILED, SPLIT, STATIC, TARGETING_KEY_MISSING, TARGETING_MATCH, ERROR
from .rollout import CompiledRollout
from .segments import CompiledSegment

#: Prerequisite chains longer than this never pass (as do cycles).
MAX_PREREQUISITE_DEPTH = 10
_MAX_JSON_DEPTH = 64
_MISSING = object()


class ConfigProblem(NamedTuple):
    """Something in a config the engine could not use."""

    message: str
    flag_key: Optional[str] = None
    segment_key: Optional[str] = None


class CompiledServe:
    """What a rule or the default rule serves: a fixed outcome or a rollout."""

    __slots__ = ("fixed", "rollout")

    def __init__(self, fixed: Optional[Outcome], rollout: Optional[CompiledRollout]) -> None:
        self.fixed = fixed
        self.rollout = rollout


class CompiledRule:
    """A rule's clauses, what it serves, or the error it stands for (``error``)."""

    __slots__ = ("clauses", "serve", "error")

    def __init__(self, clauses: Tuple[CompiledClause, ...], serve: CompiledServe, error: Optional[Outcome]) -> None:
        self.clauses = clauses
        self.serve = serve
        self.error = error


class CompiledPrerequisite:
    """A prerequisite with its flag resolved (``flag`` is None when it does not exist)."""

    __slots__ = ("flag_key", "flag", "variant")

    def __init__(self, flag_key: str, flag: Optional["CompiledFlag"], variant: str) -> None:
        self.flag_key = flag_key
        self.flag = flag
        self.variant = variant


class CompiledFlag:
    """One flag compiled for evaluation; every result it can serve is built ahead of time."""

    __slots__ = (
        "key", "kind", "source", "broken", "killed", "on", "killed_outcome", "disabled_outcome",
        "prerequisite_failed_outcome", "prerequisites", "prerequisites_unsatisfiable",
        "prerequisites_error", "prerequisite_refs", "targets", "has_targets", "targets_error",
        "rules", "default_serve", "early",
    )

    def __init__(self, key: str, kind: Optional[str], source: Any) -> None:
        self.key = key
        self.kind = kind
        self.source = source
        self.broken: Optional[Outcome] = None
        self.killed = False
        self.on = False
        self.prerequisites: Tuple[CompiledPrerequisite, ...] = ()
        self.prerequisites_unsatisfiable = False
        self.prerequisites_error: Optional[Outcome] = None
        self.prerequisite_refs: List[Tuple[str, str]] = []
        self.targets: Dict[str, Outcome] = {}
        self.has_targets = False
        self.targets_error: Optional[Outcome] = None
        self.rules: Tuple[CompiledRule, ...] = ()
        #: The outcome when it does not depend on the context (broken, killed, off, unreadable
        #: prerequisites or targets before any prerequisite): decided without reading it.
        self.early: Optional[Outcome] = None


class CompiledEnvironment:
    """An environment config compiled for evaluation: flags and segments by key, clause values
    prepared, results prebuilt. Treat it as immutable; compile a new one when the config changes."""

    __slots__ = ("sequence", "flags", "segments", "problems")

    def __init__(self, sequence: float, flags: Dict[str, CompiledFlag], segments: Dict[str, CompiledSegment], problems: List[ConfigProblem]) -> None:
        self.sequence = sequence
        self.flags = flags
        self.segments = segments
        self.problems = tuple(problems)

    def flag_keys(self) -> List[str]:
        """The keys of all flags, in config order."""
        return list(self.flags)


def _describe(error: BaseException) -> str:
    return str(error) if isinstance(error, ConfigError) else f"unreadable config ({type(error).__name__})"


def compile_environment(config: Any) -> CompiledEnvironment:
    """Compiles an environment config. Never raises: what cannot be read is listed in
    ``problems``, and evaluating such a flag serves the caller's default with reason ERROR."""
    problems: List[ConfigProblem] = []
    try:
        return _compile_checked(config, problems)
    except Exception as error:  # noqa: BLE001 - compilation must never raise
        problems.append(ConfigProblem(f"the config cannot be compiled: {_describe(error)}"))
        return CompiledEnvironment(-1, {}, {}, problems)


def _compile_checked(config: Any, problems: List[ConfigProblem]) -> CompiledEnvironment:
    if not isinstance(config, dict):
        problems.append(ConfigProblem("an environment config must be an object"))
        return CompiledEnvironment(-1, {}, {}, problems)
    raw_sequence = config.get("sequence")
    sequence = raw_sequence if is_finite_number(raw_sequence) else -1
    valid, broken = _compile_segments(config.get("segments", _MISSING), problems)
    flags = _compile_flags(config.get("flags", _MISSING), valid, broken, problems)
    _resolve_prerequisites(flags)
    return CompiledEnvironment(sequence, flags, valid, problems)


def _compile_segments(source: Any, problems: List[ConfigProblem]) -> Tuple[Dict[str, CompiledSegment], Dict[str, str]]:
    valid: Dict[str, CompiledSegment] = {}
    broken: Dict[str, str] = {}
    if source is _MISSING:
        return valid, broken
    if not isinstance(source, list):
        problems.append(ConfigProblem("segments must be a list"))
        return valid, broken
    for item in source:
        key = item.get("key") if isinstance(item, dict) else None
        if type(key) is not str:
            problems.append(ConfigProblem("a segment needs a string key"))
            continue
        if key in valid or key in broken:
            problems.append(ConfigProblem("duplicate segment key; the first one is used", segment_key=key))
            continue
        try:
            valid[key] = CompiledSegment(item)
        except Exception as error:  # noqa: BLE001
            message = _describe(error)
            broken[key] = message
            problems.append(ConfigProblem(message, segment_key=key))
    return valid, broken


def _compile_flags(source: Any, valid: Dict[str, CompiledSegment], broken: Dict[str, str], problems: List[ConfigProblem]) -> Dict[str, CompiledFlag]:
    flags: Dict[str, CompiledFlag] = {}
    if not isinstance(source, list):
        problems.append(ConfigProblem("flags must be a list"))
        return flags
    for item in source:
        key = item.get("key") if isinstance(item, dict) else None
        if type(key) is not str:
            problems.append(ConfigProblem("a flag needs a string key"))
            continue
        if key in flags:
            problems.append(ConfigProblem("duplicate flag key; the first one is used", flag_key=key))
            continue
        flags[key] = _compile_flag(key, item, valid, broken, problems)
    return flags


def _json_copy(value: Any, depth: int = 0) -> Any:
    """A deep copy of a JSON value; raises ConfigError for non-JSON values, too deep nesting
    or non-finite numbers."""
    if depth > _MAX_JSON_DEPTH:
        raise ConfigError("a JSON value is nested too deeply (or is cyclic)")
    if value is None or isinstance(value, (str, bool)):
        return value
    if is_number(value):
        if not math.isfinite(to_js_float(value)):  # type: ignore[arg-type]
            raise ConfigError("a JSON number must be finite")
        return value
    if isinstance(value, (list, tuple)):
        return [_json_copy(element, depth + 1) for element in value]
    if isinstance(value, dict):
        return {str(k): _json_copy(v, depth + 1) for k, v in value.items()}
    raise ConfigError(f"a {type(value).__name__} is not a JSON value")


def _value_of_kind(kind: str, value: Any, variant_key: str) -> Any:
    valid = (
        (kind == "json" and value is not _MISSING)
        or (kind == "boolean" and type(value) is bool)
        or (kind == "string" and isinstance(value, str))
        or (kind == "number" and is_finite_number(value))
    )
    if not valid:
        raise ConfigError(f'variant "{variant_key}" does not hold a {kind} value')
    return _json_copy(value)


class _FlagCompiler:
    """Compiles the parts of a flag; each part that cannot be read becomes an error outcome of its step."""

    def __init__(self, key: str, source: dict, problems: List[ConfigProblem]) -> None:
        self.key = key
        self.source = source
        self.problems = problems
        self.variants: Dict[str, Any] = {}

    def problem(self, message: str) -> str:
        self.problems.append(ConfigProblem(message, flag_key=self.key))
        return message

    def read_variants(self, kind: str) -> None:
        variants = self.source.get("variants")
        if not isinstance(variants, list):
            raise ConfigError("variants must be a list")
        for variant in variants:
            if not isinstance(variant, dict) or type(variant.get("key")) is not str:
                raise ConfigError("a variant needs a string key")
            key = variant["key"]
            if key in self.variants:
                raise ConfigError(f'duplicate variant "{key}"')
            self.variants[key] = _value_of_kind(kind, variant.get("value", _MISSING), key)

    def serve_variant(self, variant: str, reason: str, rule_index: Optional[int] = None) -> Outcome:
        if variant not in self.variants:
            return error_outcome(GENERAL, self.problem(f'unknown variant "{variant}"'), rule_index)
        return served_outcome(variant, self.variants[variant], reason, rule_index)

    def serve_off(self, reason: str, error_code: Optional[str] = None, rule_index: Optional[int] = None) -> Outcome:
        off = self.source.get("offVariant")
        message = None if error_code is None else "the context has no value for the rollout's bucketBy attribute"
        if off is None:
            return caller_default_outcome(reason, error_code, message, rule_index)
        if type(off) is not str:
            return error_outcome(PARSE_ERROR, self.problem("offVariant must be a string or null"), rule_index)
        if off not in self.variants:
            return error_outcome(GENERAL, self.problem(f'unknown off variant "{off}"'), rule_index)
        if error_code is None:
            return served_outcome(off, self.variants[off], reason)
        # The rule index stays out of the result: the unit never reached a slice of that rule.
        served = served_outcome(off, self.variants[off], reason, None, error_code, message)
        return Outcome(served.result, reason, off, rule_index, error_code, message)

    def serve(self, serve: Any, reason: str, rule_index: Optional[int] = None) -> CompiledServe:
        try:
            if not isinstance(serve, dict):
                raise ConfigError("a serve must be an object")
            variant = serve.get("variant")
            if type(variant) is str:
                return CompiledServe(self.serve_variant(variant, reason, rule_index), None)
            rollout = serve.get("rollout")
            if not isinstance(rollout, dict):
                raise ConfigError("a serve needs a variant or a rollout")
            return CompiledServe(None, self.rollout(rollout, rule_index))
        except Exception as error:  # noqa: BLE001
            return CompiledServe(error_outcome(PARSE_ERROR, self.problem(_describe(error)), rule_index), None)

    def rollout(self, rollout: dict, rule_index: Optional[int]) -> CompiledRollout:
        bucket_by = rollout.get("bucketBy")
        if bucket_by is None:
            bucket_by = "targetingKey"
        if type(bucket_by) is not str or not bucket_by:
            raise ConfigError("bucketBy must be a non-empty string")
        slices = rollout.get("variants")
        if not isinstance(slices, list) or not slices:
            raise ConfigError("a rollout needs a list of weighted variants")
        cumulative: List[int] = []
        outcomes: List[Outcome] = []
        total = 0
        for item in slices:
            if not isinstance(item, dict) or type(item.get("variant")) is not str:
                raise ConfigError("a weighted variant needs a variant key")
            weight = item.get("weight")
            if not is_integer_number(weight) or weight < 0 or weight > BUCKET_COUNT:
                raise ConfigError(f"weights must be integers from 0 to {BUCKET_COUNT}")
            total += int(weight)
            cumulative.append(total)
            outcomes.append(self.serve_variant(item["variant"], SPLIT, rule_index))
        if total != BUCKET_COUNT:
            raise ConfigError(f"rollout weights must sum to {BUCKET_COUNT}, not {total}")
        unit_missing = self.serve_off(ERROR, TARGETING_KEY_MISSING, rule_index)
        return CompiledRollout(self.source["salt"], bucket_by, cumulative, outcomes, unit_missing)

    def targets(self) -> Tuple[Dict[str, Outcome], Optional[Outcome], int]:
        targets: Dict[str, Outcome] = {}
        source = self.source.get("targets")
        if source is None:
            source = []

        def fail(message: str) -> Tuple[Dict[str, Outcome], Optional[Outcome], int]:
            return targets, error_outcome(PARSE_ERROR, self.problem(message)), 0

        if not isinstance(source, list):
            return fail("targets must be a list")
        count = 0
        for target in source:
            if not isinstance(target, dict) or type(target.get("variant")) is not str:
                return fail("a target needs a variant")
            keys = target.get("values")
            if not isinstance(keys, list) or not all(type(k) is str for k in keys):
                return fail("target values must be a list of strings")
            outcome = self.serve_variant(target["variant"], TARGETING_MATCH)
            for key in keys:
                targets.setdefault(key, outcome)
            count += len(keys)
        return targets, None, count

    def rules(self, valid: Dict[str, CompiledSegment], broken: Dict[str, str]) -> Tuple[List[CompiledRule], Optional[Outcome]]:
        source = self.source.get("rules")
        if source is None:
            source = []
        if not isinstance(source, list):
            return [], error_outcome(PARSE_ERROR, self.problem("rules must be a list"), 0)

        def resolve(key: str) -> Optional[SegmentMembership]:
            if key in broken:
                raise ConfigError(f'segment "{key}" cannot be read: {broken[key]}')
            return valid.get(key)

        rules: List[CompiledRule] = []
        for index, rule in enumerate(source):
            try:
                if not isinstance(rule, dict) or not isinstance(rule.get("clauses"), list):
                    raise ConfigError("a rule needs a list of clauses")
                clauses = tuple(CompiledClause(clause, resolve) for clause in rule["clauses"])
                rules.append(CompiledRule(clauses, self.serve(rule.get("serve"), TARGETING_MATCH, index), None))
            except Exception as error:  # noqa: BLE001
                outcome = error_outcome(PARSE_ERROR, self.problem(f"rule {index}: {_describe(error)}"), index)
                rules.append(CompiledRule((), CompiledServe(outcome, None), outcome))
        return rules, None

    def prerequisites(self) -> Tuple[List[Tuple[str, str]], Optional[Outcome]]:
        source = self.source.get("prerequisites")
        if source is None:
            source = []
        valid = isinstance(source, list) and all(
            isinstance(item, dict) and type(item.get("flag")) is str and type(item.get("variant")) is str for item in source
        )
        if not valid:
            return [], error_outcome(PARSE_ERROR, self.problem("prerequisites must be a list of { flag, variant }"))
        return [(item["flag"], item["variant"]) for item in source], None


def _broken_flag(key: str, source: Any, kind: Optional[str], message: str) -> CompiledFlag:
    flag = CompiledFlag(key, kind, source)
    broken = error_outcome(PARSE_ERROR, message)
    flag.broken = broken
    flag.killed_outcome = flag.disabled_outcome = flag.prerequisite_failed_outcome = broken
    flag.default_serve = CompiledServe(broken, None)
    return flag


def _compile_flag(key: str, source: dict, valid: Dict[str, CompiledSegment], broken: Dict[str, str], problems: List[ConfigProblem]) -> CompiledFlag:
    raw_kind = source.get("kind")
    kind = raw_kind if type(raw_kind) is str and raw_kind in FLAG_KINDS else None
    compiler = _FlagCompiler(key, source, problems)
    try:
        if kind is None:
            raise ConfigError("kind must be boolean, string, number or json")
        if type(source.get("salt")) is not str:
            raise ConfigError("salt must be a string")
        if type(source.get("on")) is not bool:
            raise ConfigError("on must be a boolean")
        if "killed" in source and type(source["killed"]) is not bool:
            raise ConfigError("killed must be a boolean")
        compiler.read_variants(kind)
        targets, targets_error, target_count = compiler.targets()
        rules, rules_error = compiler.rules(valid, broken)
        refs, prerequisites_error = compiler.prerequisites()
        # STATIC: nothing about the context can change what the default rule serves.
        is_static = target_count == 0 and not rules and rules_error is None
        default_rule = source.get("defaultRule")
        if default_rule is None:
            default_serve = CompiledServe(caller_default_outcome(STATIC if is_static else DEFAULT), None)
        else:
            default_serve = compiler.serve(default_rule, STATIC if is_static else DEFAULT)
        flag = CompiledFlag(key, kind, source)
        flag.killed = source.get("killed") is True
        flag.on = source["on"]
        flag.killed_outcome = compiler.serve_off(KILLED)
        flag.disabled_outcome = compiler.serve_off(DISABLED)
        flag.prerequisite_failed_outcome = compiler.serve_off(PREREQUISITE_FAILED)
        flag.prerequisites_error = prerequisites_error
        flag.prerequisite_refs = refs
        flag.targets = targets
        flag.has_targets = bool(targets)
        flag.targets_error = targets_error
        flag.rules = tuple(rules) if rules_error is None else (CompiledRule((), CompiledServe(rules_error, None), rules_error),)
        flag.default_serve = default_serve
        return flag
    except Exception as error:  # noqa: BLE001
        return _broken_flag(key, source, kind, compiler.problem(_describe(error)))


def _resolve_prerequisites(flags: Dict[str, CompiledFlag]) -> None:
    """Links prerequisites to their flags and marks cyclic or too-deep chains as never passing."""
    for flag in flags.values():
        flag.prerequisites = tuple(CompiledPrerequisite(k, flags.get(k), v) for k, v in flag.prerequisite_refs)
    pending: Dict[str, int] = {}
    dependents: Dict[str, List[CompiledFlag]] = {}
    depths: Dict[str, float] = {}
    ready: List[CompiledFlag] = []
    for flag in flags.values():
        count = 0
        for prerequisite in flag.prerequisites:
            if prerequisite.flag is None:
                continue
            count += 1
            dependents.setdefault(prerequisite.flag.key, []).append(flag)
        pending[flag.key] = count
        depths[flag.key] = 0 if count == 0 else math.inf
        if count == 0:
            ready.append(flag)
    while ready:
        current = ready.pop()
        depth = depths[current.key]
        for dependent in dependents.get(current.key, ()):
            left = pending[dependent.key] - 1
            pending[dependent.key] = left
            best = depths[dependent.key]
            depths[dependent.key] = depth + 1 if best == math.inf else max(best, depth + 1)
            if left == 0:
                ready.append(dependent)
    for flag in flags.values():
        flag.prerequisites_unsatisfiable = pending[flag.key] > 0 or depths[flag.key] > MAX_PREREQUISITE_DEPTH
        flag.early = _early_outcome(flag)


def _early_outcome(flag: CompiledFlag) -> Optional[Outcome]:
    if flag.broken is not None:
        return flag.broken
    if flag.killed:
        return flag.killed_outcome
    if not flag.on:
        return flag.disabled_outcome
    if flag.prerequisites_error is not None:
        return flag.prerequisites_error
    if not flag.prerequisites and flag.targets_error is not None:
        return flag.targets_error
    return None
