"""Names a package exports but imports only on first use (PEP 562), so a cold start loads only
what it touches."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Tuple


def lazy_exports(
    namespace: Dict[str, Any], table: Dict[str, str],
) -> Tuple[Callable[[str], object], Callable[[], List[str]]]:
    """`__getattr__` and `__dir__` for the package whose globals are `namespace`: `table` maps an
    exported name to the submodule (relative to the package) that defines it. The package also
    imports each such name under ``TYPE_CHECKING``, so that type checkers see its exports."""

    def __getattr__(name: str) -> object:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        # What `from .<module> import <name>` does, without importlib (which imports warnings).
        value = getattr(__import__(module, namespace, None, (name,), 1), name)
        namespace[name] = value
        return value

    def __dir__() -> List[str]:
        exported: List[str] = namespace["__all__"]
        return sorted(set(namespace) | set(exported))

    return __getattr__, __dir__
