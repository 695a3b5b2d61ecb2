"""Gating a pipeline step on a flag: run it, skip it or run a fallback, and record duration and
outcome per variant."""
from __future__ import annotations

import time
from functools import wraps

from ..core.result import ERROR
from .fail_closed import StaleConfigError, require_fresh
from .scope import current_run

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, List, Mapping, Optional

    from ..core import EvaluationDetails
    from .ports import FlagClient
    from .scope import RunScope

DURATION_METRIC = "step.duration_ms"
SKIPPED_METRIC = "step.skipped"


class Step:
    """What the ``with`` form of a gate yields: whether the step should run, and why."""

    __slots__ = ("flag_key", "details", "started", "duration_ms", "failed")

    def __init__(self, flag_key: str, details: EvaluationDetails) -> None:
        self.flag_key = flag_key
        self.details = details
        self.started = time.perf_counter()
        self.duration_ms: Optional[float] = None
        self.failed = False

    @property
    def enabled(self) -> bool:
        """True when the flag serves ``True``: run the step."""
        return self.details.value is True

    @property
    def variant(self) -> Optional[str]:
        """The variant served (None when the caller's default was)."""
        return self.details.variant

    def __bool__(self) -> bool:
        return self.enabled


class Gate:
    """A step gated by a boolean flag. As a decorator::

        @client.gate("etl.enable-data-validation", fallback=lambda df: df)
        def validate(df): ...

    the step runs when the flag is on, else ``fallback`` runs (with the same arguments) or the
    call returns ``skip_value``. As a context manager the body always runs, so check the step::

        with client.gate("etl.send-notifications") as step:
            if step.enabled:
                notify()

    Either way the duration (``step.duration_ms``) and outcome (errors) are recorded per
    variant, and skips as ``step.skipped``. The context is the current run's (``with
    client.run(...)``), merged with ``context``. With ``max_config_age`` the step is fail-closed:
    it waits up to ``wait`` seconds for a config that fresh, then raises StaleConfigError; it also
    raises instead of running on a caller's default when the flag cannot be evaluated.
    """

    def __init__(
        self,
        client: FlagClient,
        flag_key: str,
        *,
        context: Optional[Mapping[str, Any]] = None,
        fallback: Optional[Callable[..., Any]] = None,
        skip_value: Any = None,
        default: bool = False,
        metric: str = DURATION_METRIC,
        max_config_age: Optional[float] = None,
        wait: float = 0.0,
        run: Optional[RunScope] = None,
    ) -> None:
        self.client = client
        self.flag_key = flag_key
        self.context = dict(context) if context else None
        self.fallback = fallback
        self.skip_value = skip_value
        self.default = default
        self.metric = metric
        self.max_config_age = max_config_age
        self.wait = wait
        self.run = run
        self._steps: List[Step] = []

    def decide(self) -> EvaluationDetails:
        """Evaluates the flag now (fail-closed checks included)."""
        if self.max_config_age is not None:
            require_fresh(self.client, self.max_config_age, self.wait)
        run = self.run or current_run()
        if run is not None and run.client is self.client:
            details = run.evaluate(self.flag_key, self.context, self.default, "boolean")
        else:
            details = self.client.evaluate(self.flag_key, self.context, self.default, "boolean")
        if self.max_config_age is not None and details.reason == ERROR:
            raise StaleConfigError(
                f"Signalbox: refusing to run fail-closed step {self.flag_key!r}: the flag cannot be evaluated "
                f"({details.error_code}: {details.error_message})",
                self.client.config_age(), self.max_config_age, self.client.status,
            )
        return details

    def _record(self, details: EvaluationDetails, started: float, failed: bool) -> float:
        duration_ms = (time.perf_counter() - started) * 1000.0
        self.client.track(self.metric, duration_ms, flag=self.flag_key, variant=details.variant, error=failed)
        return duration_ms

    # -- decorator --

    def __call__(self, step: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(step)
        def gated(*args: Any, **kwargs: Any) -> Any:
            details = self.decide()
            target = step if details.value is True else self.fallback
            if target is None:
                self.client.track(SKIPPED_METRIC, 1.0, flag=self.flag_key, variant=details.variant)
                return self.skip_value
            started = time.perf_counter()
            try:
                result = target(*args, **kwargs)
            except BaseException:
                self._record(details, started, True)
                raise
            self._record(details, started, False)
            return result

        # The gate stays reachable from the decorated function (e.g. to read its flag key).
        setattr(gated, "gate", self)
        return gated

    # -- context manager --

    def __enter__(self) -> Step:
        step = Step(self.flag_key, self.decide())
        self._steps.append(step)
        return step

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        step: Step = self._steps.pop()
        step.failed = exc_type is not None
        if step.enabled:
            step.duration_ms = self._record(step.details, step.started, step.failed)
        else:
            self.client.track(SKIPPED_METRIC, 1.0, flag=self.flag_key, variant=step.variant, error=step.failed)
