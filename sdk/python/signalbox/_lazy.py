"""Names a package exports but imports only on first use (PEP 562), so a cold start loads only
what it touches."""

# Builtin generics, not `typing`: this module loads on every import of the SDK.
def lazy_exports(namespace: "dict[str, object]", table: "dict[str, str]") -> tuple:
    """`__getattr__` and `__dir__` for the package whose globals are `namespace`: `table` maps an
    exported name to the submodule (relative to the package) that defines it."""

    def __getattr__(name: str) -> object:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        # What `from .<module> import <name>` does, without importlib (which imports warnings).
        value = getattr(__import__(module, namespace, None, (name,), 1), name)
        namespace[name] = value
        return value

    def __dir__() -> "list[str]":
        return sorted(set(namespace) | set(namespace["__all__"]))  # type: ignore[arg-type]

    return __getattr__, __dir__
