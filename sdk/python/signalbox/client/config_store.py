"""The client's copy of an environment's config, kept current by snapshots and changes."""
from __future__ import annotations

from ..core import CompiledEnvironment, ConfigProblem, compile_environment
from ..core.jsvalues import is_array, is_object
from .cache_file import is_environment_config, is_sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set, Tuple


APPLIED = "applied"
DUPLICATE = "duplicate"
GAP = "gap"
WAITING = "waiting"
INVALID = "invalid"


class CommittedBatch:
    """What one commit made visible."""

    __slots__ = ("sequence", "changed_keys", "environment")

    def __init__(self, sequence: int, changed_keys: List[str], environment: Optional[CompiledEnvironment]) -> None:
        self.sequence = sequence
        self.changed_keys = changed_keys
        #: The newly compiled environment; None when the commit changed only the sequence.
        self.environment = environment

    @property
    def problems(self) -> Tuple[ConfigProblem, ...]:
        """What the new config's flags and segments could not use (compiles every flag)."""
        return self.environment.problems if self.environment is not None else ()


class ConfigStore:
    """Messages are applied to plain dicts; ``commit`` compiles them into the environment
    evaluations read. A change applies only when its sequence is exactly the next one; older ones
    are duplicates, newer ones a gap. Not thread-safe: the client serialises access. The dicts
    are never changed in place (a change replaces a flag's dict): a lazily compiled environment
    still reads them."""

    def __init__(self) -> None:
        self._flags: Dict[str, Dict[str, Any]] = {}
        self._segments: Dict[str, Dict[str, Any]] = {}
        self.sequence = 0
        self.has_config = False
        self.compiled: Optional[CompiledEnvironment] = None
        self._uncommitted = False
        self._changed_flags: Set[str] = set()
        self._changed_segments: Set[str] = set()

    def apply(self, message: Any) -> str:
        """Applies a server message (snapshot or change); returns APPLIED, DUPLICATE, GAP,
        WAITING or INVALID."""
        if not is_object(message):
            return INVALID
        kind = message.get("type")
        if kind == "snapshot":
            if not is_sequence(message.get("sequence")) or not is_environment_config(message.get("config")):
                return INVALID
            self.replace(message["config"], int(message["sequence"]))
            return APPLIED
        if kind == "change":
            return self._apply_change(message)
        return INVALID

    def replace(self, config: Any, sequence: Optional[int] = None) -> bool:
        """Replaces the whole state, as a snapshot does (even with an older sequence: a restored
        server's word wins). False when ``config`` is not an environment config."""
        if not is_environment_config(config):
            return False
        if sequence is None:
            sequence = int(config["sequence"])
        flags = {f["key"]: f for f in config["flags"] if is_object(f) and isinstance(f.get("key"), str)}
        segments = {s["key"]: s for s in config["segments"] if is_object(s) and isinstance(s.get("key"), str)}
        _diff_into(self._flags, flags, self._changed_flags)
        _diff_into(self._segments, segments, self._changed_segments)
        self._flags, self._segments = flags, segments
        if sequence != self.sequence or not self.has_config or self._changed_flags or self._changed_segments:
            self._uncommitted = True
        self.sequence = sequence
        self.has_config = True
        return True

    def commit(self, lazy: bool = False) -> Optional[CommittedBatch]:
        """Compiles what was applied since the last commit (``lazy``: each flag on its first
        evaluation, see compile_environment); None when nothing was applied."""
        if not self._uncommitted:
            return None
        self._uncommitted = False
        content_changed = bool(self._changed_flags or self._changed_segments or self.compiled is None)
        changed: List[str] = []
        if content_changed:
            changed = _affected_flag_keys(self._flags, self._changed_flags, self._changed_segments)
        self._changed_flags.clear()
        self._changed_segments.clear()
        if content_changed:
            self.compiled = compile_environment(self.to_config(), lazy=lazy)
        return CommittedBatch(self.sequence, changed, self.compiled if content_changed else None)

    def to_config(self) -> Dict[str, Any]:
        """The current state as a plain config (what the cache file stores)."""
        return {
            "sequence": self.sequence, "flags": list(self._flags.values()), "segments": list(self._segments.values()),
        }

    def _apply_change(self, change: Dict[str, Any]) -> str:
        sequence: Any = change.get("sequence")
        if not is_sequence(sequence) or not isinstance(change.get("key"), str):
            return INVALID
        if not self.has_config:
            return WAITING
        if sequence <= self.sequence:
            return DUPLICATE
        if sequence != self.sequence + 1:
            return GAP
        key = change["key"]
        if change.get("kind") == "flag":
            flag = change.get("flag")
            if flag is not None and not is_object(flag):
                return INVALID
            if flag is None:
                self._flags.pop(key, None)
            else:
                self._flags[key] = flag
            self._changed_flags.add(key)
        elif change.get("kind") == "segment":
            segment = change.get("segment")
            if segment is not None and not is_object(segment):
                return INVALID
            if segment is None:
                self._segments.pop(key, None)
            else:
                self._segments[key] = segment
            self._changed_segments.add(key)
        else:
            return INVALID
        self.sequence = int(sequence)
        self._uncommitted = True
        return APPLIED


def _same_json(a: Any, b: Any) -> bool:
    import json  # only a config that replaces another compares them (issue 15's cold start)

    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return False


def _diff_into(before: Dict[str, Any], after: Dict[str, Any], changed: Set[str]) -> None:
    for key, value in after.items():
        old = before.get(key)
        if old is None or (old is not value and not _same_json(old, value)):
            changed.add(key)
    for key in before:
        if key not in after:
            changed.add(key)


def _references_segment(flag: Any, segments: Set[str]) -> bool:
    rules = flag.get("rules") if is_object(flag) else None
    if not is_array(rules):
        return False
    for rule in rules:
        clauses = rule.get("clauses") if is_object(rule) else None
        for clause in clauses if is_array(clauses) else ():
            if is_object(clause) and clause.get("op") == "segment" and is_array(clause.get("segments")):
                if any(key in segments for key in clause["segments"] if isinstance(key, str)):
                    return True
    return False


def _affected_flag_keys(flags: Dict[str, Any], changed_flags: Set[str], changed_segments: Set[str]) -> List[str]:
    """Flags whose evaluation may have changed: the flags themselves, flags with a rule on a
    changed segment, and transitively flags with any of those as a prerequisite."""
    affected = set(changed_flags)
    if affected.issuperset(flags):
        # Every flag changed (a first config): nothing else can be affected. Spares reading every
        # rule of every flag on a client's start (issue 15).
        return list(flags) + sorted(key for key in affected if key not in flags)
    dependents: Dict[str, List[str]] = {}
    for key, flag in flags.items():
        if changed_segments and _references_segment(flag, changed_segments):
            affected.add(key)
        prerequisites = flag.get("prerequisites") if is_object(flag) else None
        for prerequisite in prerequisites if is_array(prerequisites) else ():
            on = prerequisite.get("flag") if is_object(prerequisite) else None
            if isinstance(on, str):
                dependents.setdefault(on, []).append(key)
    pending = list(affected)
    while pending:
        for dependent in dependents.get(pending.pop(), ()):
            if dependent not in affected:
                affected.add(dependent)
                pending.append(dependent)
    ordered = [key for key in flags if key in affected]
    ordered.extend(sorted(key for key in affected if key not in flags))
    return ordered
