"""Pipeline helpers: gated steps, run snapshots, model choice, shadow runs, fail-closed steps."""
__all__ = ["Gate", "ModelChoice", "Run", "ShadowResult", "StaleConfigError", "Step", "choose_model", "current_run", "require_fresh", "run_shadow"]

# Each helper's module is imported on first use: a run or a gate does not need the shadow runs'
# thread pool (issue 15's cold start).
_LAZY = {
    "StaleConfigError": "fail_closed",
    "require_fresh": "fail_closed",
    "Gate": "gate",
    "Step": "gate",
    "ModelChoice": "models",
    "choose_model": "models",
    "Run": "run",
    "current_run": "run",
    "ShadowResult": "shadow",
    "run_shadow": "shadow",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # What `from .<module> import <name>` does, without importlib (which imports warnings).
    value = getattr(__import__(module, globals(), None, (name,), 1), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
