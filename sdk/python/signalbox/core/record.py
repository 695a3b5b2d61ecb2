"""Named tuple classes without importing ``collections`` (nor ``typing``, whose NamedTuple is
built on it): the evaluator's result and problem types are made on every start, and those imports
were milliseconds of issue 15's cold-start budget. What ``collections.namedtuple`` makes, for the
features the SDK's tuples offer: fields by name, defaults, ``_fields``, ``_field_defaults``,
``_make``, ``_replace``, ``_asdict``, repr and pickling (tests/test_startup.py compares them)."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, Tuple

try:  # CPython's C field accessor, as namedtuple uses (typeshed has no stub for _collections)
    from _collections import _tuplegetter  # pyright: ignore[reportMissingImports, reportUnknownVariableType]
except ImportError:  # pragma: no cover - other Pythons
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> Any:
        return property(itemgetter(index), doc=doc)


_tuple_new: Callable[..., Tuple[object, ...]] = tuple[object, ...].__new__


def record_type(name: str, fields: Tuple[str, ...], defaults: Tuple[Any, ...], module: str) -> type:
    """A tuple subclass named ``name`` with ``fields``; the last ``len(defaults)`` fields default
    to ``defaults``. Subclass it to add methods (with ``__slots__ = ()``)."""
    arguments = ", ".join(fields)
    # A constructor with the fields as its parameters, as namedtuple compiles one.
    namespace: Dict[str, Any] = {"_tuple_new": _tuple_new, "__builtins__": {}}
    new: Callable[..., Any] = eval(f"lambda _cls, {arguments}: _tuple_new(_cls, ({arguments}))", namespace)
    new.__name__ = "__new__"
    new.__defaults__ = defaults
    count = len(fields)
    repr_format = "(" + ", ".join(f"{field}=%r" for field in fields) + ")"

    def _make(cls: Any, iterable: Iterable[Any]) -> Any:
        result = _tuple_new(cls, iterable)
        if len(result) != count:
            raise TypeError(f"Expected {count} arguments, got {len(result)}")
        return result

    def _replace(self: Any, /, **changes: Any) -> Any:
        result = self._make(map(changes.pop, fields, self))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return result

    def __repr__(self: Any) -> str:
        return self.__class__.__name__ + repr_format % self

    def _asdict(self: Any) -> Dict[str, Any]:
        return dict(zip(fields, self))

    def __getnewargs__(self: Any) -> Tuple[Any, ...]:
        return tuple(self)

    body: Dict[str, Any] = {
        "__doc__": f"{name}({arguments})",
        "__slots__": (),
        "__module__": module,
        "_fields": fields,
        "_field_defaults": dict(zip(fields[count - len(defaults):], defaults)),
        "__new__": new,
        "_make": classmethod(_make),
        "_replace": _replace,
        "__repr__": __repr__,
        "_asdict": _asdict,
        "__getnewargs__": __getnewargs__,
        "__match_args__": fields,
    }
    for index, field in enumerate(fields):
        body[field] = _tuplegetter(index, f"Alias for field number {index}")
    return type(name, (tuple,), body)
