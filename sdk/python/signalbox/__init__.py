"""Signalbox Python SDK: feature flags for data pipelines and ML, evaluated in-process.

    from signalbox import SignalboxClient

    with SignalboxClient("sbk_...", url="http://127.0.0.1:4000") as client:
        with client.run(runId="2024-06-01") as run:
            if run.is_enabled("etl.enable-data-validation"):
                ...
"""
from .version import SDK_NAME, VERSION

__version__ = VERSION

__all__ = [
    "SDK_NAME", "VERSION", "EvaluationDetails", "Gate", "ModelChoice", "Run", "ShadowResult",
    "SignalboxClient", "StaleConfigError", "Step", "compile_environment", "current_run", "evaluate",
]
from ._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from .client.client import SignalboxClient
    from .core import EvaluationDetails, compile_environment, evaluate
    from .pipeline.fail_closed import StaleConfigError
    from .pipeline.gate import Gate, Step
    from .pipeline.models import ModelChoice
    from .pipeline.run import Run, current_run
    from .pipeline.shadow import ShadowResult

# Imported on first use (PEP 562), so that `import signalbox` or `signalbox.core` alone does not
# load the transports, threads and logging: the cold start stays within issue 15's budget.
_LAZY = {
    "SignalboxClient": "client.client",
    "EvaluationDetails": "core",
    "compile_environment": "core",
    "evaluate": "core",
    "Gate": "pipeline.gate",
    "Step": "pipeline.gate",
    "ModelChoice": "pipeline.models",
    "Run": "pipeline.run",
    "current_run": "pipeline.run",
    "ShadowResult": "pipeline.shadow",
    "StaleConfigError": "pipeline.fail_closed",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
