"""Pipeline helpers: gated steps, run snapshots, model choice, shadow runs, fail-closed steps."""
__all__ = [
    "Gate", "ModelChoice", "Run", "ShadowResult", "StaleConfigError", "Step", "choose_model", "current_run",
    "require_fresh", "run_shadow",
]
from .._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from .fail_closed import StaleConfigError, require_fresh
    from .gate import Gate, Step
    from .models import ModelChoice, choose_model
    from .run import Run, current_run
    from .shadow import ShadowResult, run_shadow

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


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
