"""Signalbox Python SDK: feature flags for data pipelines and ML, evaluated in-process.

    from signalbox import SignalboxClient

    with SignalboxClient("sbk_...", url="http://127.0.0.1:4000") as client:
        with client.run(runId="2024-06-01") as run:
            if run.is_enabled("etl.enable-data-validation"):
                ...
"""
import logging

from .client import SignalboxClient
from .core import EvaluationDetails, compile_environment, evaluate
from .pipeline import Gate, ModelChoice, Run, ShadowResult, StaleConfigError, Step, current_run
from .version import SDK_NAME, VERSION

__version__ = VERSION

# A library logs; the application decides where logs go.
logging.getLogger("signalbox").addHandler(logging.NullHandler())

__all__ = [
    "SDK_NAME", "VERSION", "EvaluationDetails", "Gate", "ModelChoice", "Run", "ShadowResult",
    "SignalboxClient", "StaleConfigError", "Step", "compile_environment", "current_run", "evaluate",
]
