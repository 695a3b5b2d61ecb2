"""Compiling an environment config once for fast, never-failing evaluation."""
from __future__ import annotations

import math
from _thread import allocate_lock

from .errors import ConfigError, ConfigProblem
from .jsvalues import is_array, is_finite_number, is_integer_number, is_number, is_object, to_js_float
from .murmur3 import BUCKET_COUNT
from .operators import CompiledClause
from .outcome import Outcome, caller_default_outcome, error_outcome, served_outcome
from .result import (
    DEFAULT, DISABLED, ERROR, FLAG_KINDS, GENERAL, KILLED, PARSE_ERROR, PREREQUISITE_FAILED, SPLIT, STATIC,
    TARGETING_KEY_MISSING, TARGETING_MATCH,
)
from .rollout import CompiledRollout
from .segments import CompiledSegment

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

    from typing_extensions import TypeGuard

    from .operators import SegmentMembership

    # Where the problems of one item go in ``problems``: a problem found by reading the config's
    # shape, or the problems of a segment or flag, found when it is compiled.
    _Slot = Union[ConfigProblem, Tuple[str, str]]

#: Prerequisite chains longer than this never pass (as do cycles).
MAX_PREREQUISITE_DEPTH = 10
_MAX_JSON_DEPTH = 64
_MISSING = object()


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

    # Set once the flag's parts are compiled (see _compile_flag and _broken_flag).
    killed_outcome: Outcome
    disabled_outcome: Outcome
    prerequisite_failed_outcome: Outcome
    default_serve: CompiledServe

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
    prepared, results prebuilt. Treat it as immutable; compile a new one when the config changes.

    Compiled with ``lazy=True``, it compiles a flag (with the flags it needs as prerequisites and
    the segments its rules use) on the flag's first evaluation, and everything else when
    ``flags``, ``segments`` or ``problems`` is first read; evaluations give the same results as
    with everything compiled at once. It reads the config as it goes: the config must not change
    while the environment is in use."""

    __slots__ = ("sequence", "ready", "_flags", "_segments", "_problems", "_pending", "_lock")

    def __init__(
        self, sequence: float, flags: Dict[str, CompiledFlag], segments: Dict[str, CompiledSegment],
        problems: List[ConfigProblem],
    ) -> None:
        self.sequence = sequence
        #: The flags compiled so far, by key: what evaluation reads first (see :meth:`flag`).
        self.ready: Dict[str, CompiledFlag] = flags
        self._flags = flags
        self._segments = segments
        self._problems = tuple(problems)
        self._pending: Optional[_Compilation] = None
        self._lock: Any = None

    @classmethod
    def deferred(cls, compilation: _Compilation) -> CompiledEnvironment:
        """An environment that compiles ``compilation``'s flags as they are first read."""
        environment = cls(compilation.sequence, {}, {}, [])
        environment._pending = compilation
        environment._lock = allocate_lock()
        return environment

    @property
    def flags(self) -> Dict[str, CompiledFlag]:
        """Every flag by key, in config order."""
        if self._pending is not None:
            self._complete()
        return self._flags

    @property
    def segments(self) -> Dict[str, CompiledSegment]:
        """Every segment that could be read, by key, in config order."""
        if self._pending is not None:
            self._complete()
        return self._segments

    @property
    def problems(self) -> Tuple[ConfigProblem, ...]:
        """What in the config could not be used, in config order."""
        if self._pending is not None:
            self._complete()
        return self._problems

    def flag(self, key: str) -> Optional[CompiledFlag]:
        """The flag ``key``, compiled now if it was not yet; None when there is no such flag."""
        flag = self.ready.get(key)
        if flag is None and self._pending is not None:
            self._compile_flag(key)
            flag = self.ready.get(key)
        return flag

    def _compile_flag(self, key: str) -> None:
        with self._lock:
            pending = self._pending
            if pending is None:  # another thread completed the environment meanwhile
                return
            try:
                pending.compile_flags((key,), self.ready)
            except Exception as error:  # noqa: BLE001 - as compile_environment
                self._fail(error)

    def flag_keys(self) -> List[str]:
        """The keys of all flags, in config order."""
        return list(self.flags)

    def _complete(self) -> None:
        with self._lock:
            pending = self._pending
            if pending is None:
                return
            try:
                flags, segments, problems = pending.compile_all(self.ready)
            except Exception as error:  # noqa: BLE001 - as compile_environment
                self._fail(error)
                return
            self._flags, self._segments, self._problems = flags, segments, tuple(problems)
            self.ready = flags
            self._pending = None

    def _fail(self, error: Exception) -> None:
        """What compile_environment makes of a config whose compilation raised."""
        self.sequence = -1
        self.ready = self._flags = {}
        self._segments = {}
        self._problems = (_uncompilable(error),)
        self._pending = None


def _describe(error: BaseException) -> str:
    return str(error) if isinstance(error, ConfigError) else f"unreadable config ({type(error).__name__})"


def _uncompilable(error: BaseException) -> ConfigProblem:
    return ConfigProblem(f"the config cannot be compiled: {_describe(error)}")


def compile_environment(config: Any, lazy: bool = False) -> CompiledEnvironment:
    """Compiles an environment config. Never raises: what cannot be read is listed in
    ``problems``, and evaluating such a flag serves the caller's default with reason ERROR.

    :param lazy: compile each flag on its first evaluation instead of all of them now (see
        :class:`CompiledEnvironment`): a process that evaluates a few flags of a large config
        starts sooner. The config must not change while the environment is in use."""
    try:
        compilation = _Compilation(config)
        if lazy:
            return CompiledEnvironment.deferred(compilation)
        flags, segments, problems = compilation.compile_all({})
        return CompiledEnvironment(compilation.sequence, flags, segments, problems)
    except Exception as error:  # noqa: BLE001 - compilation must never raise
        return CompiledEnvironment(-1, {}, {}, [_uncompilable(error)])


class _Compilation:
    """A config read for its shape (lists, keys, duplicates): what is left is compiling its
    segments and flags, each on its own, in any order. Not thread-safe (the environment locks)."""

    def __init__(self, config: Any) -> None:
        self.sequence: float = -1
        self.layout: List[_Slot] = []
        self.segment_sources: Dict[str, Any] = {}
        self.flag_sources: Dict[str, Any] = {}
        self.segments: Dict[str, CompiledSegment] = {}
        self.broken_segments: Dict[str, str] = {}
        self.flag_problems: Dict[str, List[ConfigProblem]] = {}
        if not is_object(config):
            self.layout.append(ConfigProblem("an environment config must be an object"))
            return
        raw_sequence: Any = config.get("sequence")
        self.sequence = raw_sequence if is_finite_number(raw_sequence) else -1
        self._read_items(config.get("segments", _MISSING), "segment", self.segment_sources, optional=True)
        self._read_items(config.get("flags", _MISSING), "flag", self.flag_sources, optional=False)

    def _read_items(self, source: Any, kind: str, sources: Dict[str, Any], optional: bool) -> None:
        if source is _MISSING and optional:
            return
        if not is_array(source):
            self.layout.append(ConfigProblem(f"{kind}s must be a list"))
            return
        for item in source:
            key = item.get("key") if is_object(item) else None
            if type(key) is not str:
                self.layout.append(ConfigProblem(f"a {kind} needs a string key"))
                continue
            if key in sources:
                where = {"segment_key": key} if kind == "segment" else {"flag_key": key}
                self.layout.append(ConfigProblem(f"duplicate {kind} key; the first one is used", **where))
                continue
            sources[key] = item
            self.layout.append((kind, key))

    def segment(self, key: str) -> Optional[CompiledSegment]:
        """The segment a clause names, compiled on first use; None when there is none. Raises
        ConfigError when it cannot be read (the rule using it cannot be either)."""
        compiled = self.segments.get(key)
        if compiled is not None:
            return compiled
        if key not in self.broken_segments:
            source = self.segment_sources.get(key)
            if source is None:
                return None
            try:
                compiled = self.segments[key] = CompiledSegment(source)
                return compiled
            except Exception as error:  # noqa: BLE001
                self.broken_segments[key] = _describe(error)
        raise ConfigError(f'segment "{key}" cannot be read: {self.broken_segments[key]}')

    def compile_flags(self, keys: Iterable[str], ready: Dict[str, CompiledFlag]) -> None:
        """Compiles the flags ``keys`` and every flag they need as a prerequisite, and adds them
        to ``ready`` (each flag complete before it appears there)."""
        fresh: Dict[str, CompiledFlag] = {}
        stack = list(keys)
        stack.reverse()
        while stack:
            key = stack.pop()
            if key in fresh or key in ready:
                continue
            source = self.flag_sources.get(key)
            if source is None:
                continue
            problems: List[ConfigProblem] = []
            flag = fresh[key] = _compile_flag(key, source, self.segment, problems)
            self.flag_problems[key] = problems
            stack.extend(reversed([k for k, _ in flag.prerequisite_refs]))
        if fresh:
            _resolve_prerequisites(fresh, ready)
            ready.update(fresh)

    def compile_all(
        self, ready: Dict[str, CompiledFlag],
    ) -> Tuple[Dict[str, CompiledFlag], Dict[str, CompiledSegment], List[ConfigProblem]]:
        """Compiles what is left (``ready`` holds what is not); returns the flags and segments in
        config order and every problem in config order."""
        for key in self.segment_sources:
            if key not in self.segments and key not in self.broken_segments:
                try:
                    self.segment(key)
                except ConfigError:
                    pass
        self.compile_flags(self.flag_sources, ready)
        flags = {key: ready[key] for key in self.flag_sources}
        segments = {key: self.segments[key] for key in self.segment_sources if key in self.segments}
        problems: List[ConfigProblem] = []
        for slot in self.layout:
            if isinstance(slot, ConfigProblem):
                problems.append(slot)
            elif slot[0] == "segment":
                if slot[1] in self.broken_segments:
                    problems.append(ConfigProblem(self.broken_segments[slot[1]], segment_key=slot[1]))
            else:
                problems.extend(self.flag_problems[slot[1]])
        return flags, segments, problems


def _json_copy(value: Any, depth: int = 0) -> Any:
    """A deep copy of a JSON value; raises ConfigError for non-JSON values, too deep nesting
    or non-finite numbers."""
    if depth > _MAX_JSON_DEPTH:
        raise ConfigError("a JSON value is nested too deeply (or is cyclic)")
    if value is None or isinstance(value, (str, bool)):
        return value
    if is_number(value):
        number = to_js_float(value)
        if number is None or not math.isfinite(number):
            raise ConfigError("a JSON number must be finite")
        return value
    if _is_list_or_tuple(value):
        return [_json_copy(element, depth + 1) for element in value]
    if is_object(value):
        return {str(k): _json_copy(v, depth + 1) for k, v in value.items()}
    raise ConfigError(f"a {type(value).__name__} is not a JSON value")


def _is_list_or_tuple(value: object) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, (list, tuple))


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

    def __init__(self, key: str, source: Dict[str, Any], problems: List[ConfigProblem]) -> None:
        self.key = key
        self.source = source
        self.problems = problems
        self.variants: Dict[str, Any] = {}

    def problem(self, message: str) -> str:
        self.problems.append(ConfigProblem(message, flag_key=self.key))
        return message

    def read_variants(self, kind: str) -> None:
        variants = self.source.get("variants")
        if not is_array(variants):
            raise ConfigError("variants must be a list")
        for variant in variants:
            if not is_object(variant) or type(variant.get("key")) is not str:
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
            if not is_object(serve):
                raise ConfigError("a serve must be an object")
            variant = serve.get("variant")
            if type(variant) is str:
                return CompiledServe(self.serve_variant(variant, reason, rule_index), None)
            rollout = serve.get("rollout")
            if not is_object(rollout):
                raise ConfigError("a serve needs a variant or a rollout")
            return CompiledServe(None, self.rollout(rollout, rule_index))
        except Exception as error:  # noqa: BLE001
            return CompiledServe(error_outcome(PARSE_ERROR, self.problem(_describe(error)), rule_index), None)

    def rollout(self, rollout: Dict[str, Any], rule_index: Optional[int]) -> CompiledRollout:
        bucket_by = rollout.get("bucketBy")
        if bucket_by is None:
            bucket_by = "targetingKey"
        if type(bucket_by) is not str or not bucket_by:
            raise ConfigError("bucketBy must be a non-empty string")
        slices = rollout.get("variants")
        if not is_array(slices) or not slices:
            raise ConfigError("a rollout needs a list of weighted variants")
        cumulative: List[int] = []
        outcomes: List[Outcome] = []
        total = 0
        for item in slices:
            if not is_object(item) or type(item.get("variant")) is not str:
                raise ConfigError("a weighted variant needs a variant key")
            weight: Any = item.get("weight")
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
        source: Any = self.source.get("targets")
        if source is None:
            source = []

        def fail(message: str) -> Tuple[Dict[str, Outcome], Optional[Outcome], int]:
            return targets, error_outcome(PARSE_ERROR, self.problem(message)), 0

        if not is_array(source):
            return fail("targets must be a list")
        count = 0
        for target in source:
            if not is_object(target) or type(target.get("variant")) is not str:
                return fail("a target needs a variant")
            keys = target.get("values")
            if not is_array(keys) or not all(type(k) is str for k in keys):
                return fail("target values must be a list of strings")
            outcome = self.serve_variant(target["variant"], TARGETING_MATCH)
            for key in keys:
                targets.setdefault(key, outcome)
            count += len(keys)
        return targets, None, count

    def rules(
        self, resolve: Callable[[str], Optional[SegmentMembership]],
    ) -> Tuple[List[CompiledRule], Optional[Outcome]]:
        source: Any = self.source.get("rules")
        if source is None:
            source = []
        if not is_array(source):
            return [], error_outcome(PARSE_ERROR, self.problem("rules must be a list"), 0)

        rules: List[CompiledRule] = []
        for index, rule in enumerate(source):
            try:
                if not is_object(rule) or not is_array(rule.get("clauses")):
                    raise ConfigError("a rule needs a list of clauses")
                clauses = tuple(CompiledClause(clause, resolve) for clause in rule["clauses"])
                rules.append(CompiledRule(clauses, self.serve(rule.get("serve"), TARGETING_MATCH, index), None))
            except Exception as error:  # noqa: BLE001
                outcome = error_outcome(PARSE_ERROR, self.problem(f"rule {index}: {_describe(error)}"), index)
                rules.append(CompiledRule((), CompiledServe(outcome, None), outcome))
        return rules, None

    def prerequisites(self) -> Tuple[List[Tuple[str, str]], Optional[Outcome]]:
        source: Any = self.source.get("prerequisites")
        if source is None:
            source = []
        valid = is_array(source) and all(
            is_object(item) and type(item.get("flag")) is str and type(item.get("variant")) is str for item in source
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


def _compile_flag(
    key: str, source: Dict[str, Any], resolve: Callable[[str], Optional[SegmentMembership]],
    problems: List[ConfigProblem],
) -> CompiledFlag:
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
        rules, rules_error = compiler.rules(resolve)
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
        if rules_error is None:
            flag.rules = tuple(rules)
        else:
            flag.rules = (CompiledRule((), CompiledServe(rules_error, None), rules_error),)
        flag.default_serve = default_serve
        return flag
    except Exception as error:  # noqa: BLE001
        return _broken_flag(key, source, kind, compiler.problem(_describe(error)))


def _resolve_prerequisites(fresh: Dict[str, CompiledFlag], ready: Mapping[str, CompiledFlag]) -> None:
    """Links the prerequisites of the ``fresh`` flags (to fresh or ``ready`` ones) and marks
    cyclic or too-deep chains as never passing. Whether a chain passes depends only on the flags
    it reaches, which are all fresh or ready: flags compiled in any order get the same answers."""
    for flag in fresh.values():
        flag.prerequisites = tuple(
            CompiledPrerequisite(k, fresh.get(k) or ready.get(k), v) for k, v in flag.prerequisite_refs
        )
    # The fresh flags and every flag they reach: a graph closed under prerequisites.
    flags = dict(fresh)
    stack = list(fresh.values())
    while stack:
        for prerequisite in stack.pop().prerequisites:
            needed = prerequisite.flag
            if needed is not None and needed.key not in flags:
                flags[needed.key] = needed
                stack.append(needed)
    pending: Dict[str, int] = {}
    dependents: Dict[str, List[CompiledFlag]] = {}
    depths: Dict[str, float] = {}
    queue: List[CompiledFlag] = []
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
            queue.append(flag)
    while queue:
        current = queue.pop()
        depth = depths[current.key]
        for dependent in dependents.get(current.key, ()):
            left = pending[dependent.key] - 1
            pending[dependent.key] = left
            best = depths[dependent.key]
            depths[dependent.key] = depth + 1 if best == math.inf else max(best, depth + 1)
            if left == 0:
                queue.append(dependent)
    for flag in fresh.values():
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
