"""Pipeline helpers: gated steps, run snapshots, model choice, shadow runs, fail-closed steps."""
from .fail_closed import StaleConfigError, require_fresh
from .gate import Gate, Step
from .models import ModelChoice, choose_model
from .run import Run, current_run
from .shadow import ShadowResult, run_shadow

__all__ = ["Gate", "ModelChoice", "Run", "ShadowResult", "StaleConfigError", "Step", "choose_model", "current_run", "require_fresh", "run_shadow"]
