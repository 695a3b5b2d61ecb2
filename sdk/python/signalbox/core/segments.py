"""Segments: reusable audiences shared by all flags of a project."""
from __future__ import annotations

from .errors import ConfigError
from .jsvalues import is_array, is_object
from .operators import CompiledClause

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Tuple

    from .operators import Context

_MISSING = object()


def _string_list(source: Dict[str, Any], field: str) -> List[str]:
    value = source.get(field, _MISSING)
    if value is _MISSING:
        return []
    if not is_array(value) or not all(type(k) is str for k in value):
        raise ConfigError(f"segment {field} must be a list of strings")
    return value


class CompiledSegment:
    """Included keys are in, then excluded keys are out, then a context matching any rule is in."""

    __slots__ = ("key", "included", "excluded", "rules")

    def __init__(self, source: Any) -> None:
        if not is_object(source) or type(source.get("key")) is not str:
            raise ConfigError("a segment needs a string key")
        self.key: str = source["key"]
        self.included = frozenset(_string_list(source, "included"))
        self.excluded = frozenset(_string_list(source, "excluded"))
        rules: Any = source.get("rules", _MISSING)
        if rules is _MISSING:
            rules = []
        if not is_array(rules):
            raise ConfigError("segment rules must be a list")
        compiled: List[Tuple[CompiledClause, ...]] = []
        for rule in rules:
            clauses = rule.get("clauses") if is_object(rule) else None
            if not is_array(clauses):
                raise ConfigError("a segment rule needs a list of clauses")
            compiled_rule: List[CompiledClause] = []
            for clause in clauses:
                if is_object(clause) and clause.get("op") == "segment":
                    raise ConfigError("segment rules cannot refer to other segments")
                compiled_rule.append(CompiledClause(clause, lambda _key: None))
            compiled.append(tuple(compiled_rule))
        self.rules = tuple(compiled)

    def is_member(self, context: Context) -> bool:
        """Whether the context is a member of this segment."""
        key = context.get("targetingKey")
        if type(key) is str or isinstance(key, str):
            if key in self.included:
                return True
            if key in self.excluded:
                return False
        for rule in self.rules:
            for clause in rule:
                if not clause.matches(context):
                    break
            else:
                return True
        return False
