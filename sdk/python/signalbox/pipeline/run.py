"""Pinning one config for all the steps of a pipeline run."""
from __future__ import annotations

from ..core import evaluate
from ..core.result import ERROR, GENERAL, EvaluationDetails
from .scope import RunScope, current_run, enter, leave

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from contextvars import Token
    from typing import Any, Callable, Dict, Mapping, Optional

    from ..core import CompiledEnvironment
    from .gate import Gate
    from .models import ModelChoice
    from .ports import FlagClient

__all__ = ["Run", "current_run"]


class Run(RunScope):
    """A pipeline run's view of the flags: the config as it was when the run started, so a change
    mid-run cannot split a batch between two behaviours. A kill still pierces it: a flag killed
    since the run started serves its kill result.

    ``context`` (e.g. ``{"runId": ..., "pipeline": ...}``) is the default evaluation context of
    every step; per-call contexts are merged over it. Entering the run (``with``) makes it the
    current run, which gated steps and model choices use when no run is passed explicitly.
    """

    def __init__(self, client: FlagClient, context: Dict[str, Any]) -> None:
        self.client = client
        self.context = context
        run_id = context.get("runId")
        if "targetingKey" not in context and isinstance(run_id, str):
            self.context = dict(context, targetingKey=run_id)
        self._environment: Optional[CompiledEnvironment] = client.environment
        self.sequence = client.sequence
        self._token: Optional[Token[Optional[RunScope]]] = None

    @property
    def pinned_sequence(self) -> int:
        """The change-log sequence of the pinned config."""
        return self.sequence

    def evaluate(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None,
                 kind: Optional[str] = None) -> EvaluationDetails:
        """Evaluates against the pinned config (a live kill of the flag wins)."""
        merged = self.context if not context else {**self.context, **context}
        environment = self._environment
        live = self.client.environment
        if environment is None:
            if live is None:
                return EvaluationDetails(default, None, ERROR, None, GENERAL, "client is not ready")
            # Nothing was pinned yet (the client had no config): pin the first one seen.
            self._environment = environment = live
            self.sequence = self.client.sequence
        details = None
        if live is not None and live is not environment:
            flag = live.flag(flag_key)
            if flag is not None and flag.killed:
                details = evaluate(live, flag_key, merged, default, kind)
        if details is None:
            details = evaluate(environment, flag_key, merged, default, kind)
        self.client.count_evaluation(flag_key, details)
        return details

    def is_enabled(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: bool = False) -> bool:
        """The value of a boolean flag for this run."""
        value: bool = self.evaluate(flag_key, context, default, "boolean").value
        return value

    def get_string(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: str = "") -> str:
        """The value of a string flag for this run."""
        value: str = self.evaluate(flag_key, context, default, "string").value
        return value

    def get_number(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: float = 0) -> float:
        """The value of a number flag for this run."""
        value: float = self.evaluate(flag_key, context, default, "number").value
        return value

    def get_json(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None) -> Any:
        """The value of a JSON flag for this run."""
        return self.evaluate(flag_key, context, default, "json").value

    def track(self, metric: str, value: float = 1.0, *, flag: Optional[str] = None, variant: Optional[str] = None,
              error: bool = False) -> None:
        """Records a metric through the client."""
        self.client.track(metric, value, flag=flag, variant=variant, error=error)

    def gate(self, flag_key: str, **options: Any) -> Gate:
        """A gated step evaluated in this run (see :class:`signalbox.pipeline.Gate`)."""
        from .gate import Gate

        return Gate(self.client, flag_key, run=self, **options)

    def choose_model(
        self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None,
    ) -> ModelChoice:
        """A model version for this run (see :class:`signalbox.pipeline.ModelChoice`)."""
        from .models import choose_model

        return choose_model(self, flag_key, context, default)

    def shadow(self, flag_key: str, primary: Callable[[], Any], candidate: Callable[[], Any], **options: Any) -> Any:
        """A shadow run evaluated in this run (see :func:`signalbox.pipeline.shadow.run_shadow`)."""
        from .shadow import run_shadow

        return run_shadow(self, flag_key, primary, candidate, **options)

    def config_age(self) -> float:
        return self.client.config_age()

    def __enter__(self) -> Run:
        self._token = enter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            leave(self._token)
            self._token = None
