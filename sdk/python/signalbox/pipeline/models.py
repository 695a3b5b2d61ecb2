"""Choosing a model version with a multivariate flag, and attributing outcomes to it."""
from __future__ import annotations

import time
from contextlib import contextmanager

from .scope import resolve

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any, Generator, Mapping, Optional, Union

    from ..core import EvaluationDetails
    from .ports import FlagClient
    from .scope import RunScope

LATENCY_METRIC = "model.latency_ms"


class ModelChoice:
    """The model version served for a context. ``value`` is what to load or call; ``track``
    records outcome metrics attributed to the flag and the variant served."""

    __slots__ = ("flag_key", "details", "_client")

    def __init__(self, client: FlagClient, flag_key: str, details: EvaluationDetails) -> None:
        self._client = client
        self.flag_key = flag_key
        self.details = details

    @property
    def value(self) -> Any:
        """The served value (e.g. ``"sentiment-v2"``)."""
        return self.details.value

    @property
    def variant(self) -> Optional[str]:
        """The served variant key (None when the caller's default was served)."""
        return self.details.variant

    def track(self, metric: str, value: float = 1.0, *, error: bool = False) -> None:
        """Records ``metric`` for this flag and variant (e.g. accuracy, rows, a conversion)."""
        self._client.track(metric, value, flag=self.flag_key, variant=self.variant, error=error)

    @contextmanager
    def timed(self, metric: str = LATENCY_METRIC) -> Generator[ModelChoice, None, None]:
        """Times the body as ``metric`` (ms) for this variant; an exception counts as an error."""
        started = time.perf_counter()
        failed = False
        try:
            yield self
        except BaseException:
            failed = True
            raise
        finally:
            self.track(metric, (time.perf_counter() - started) * 1000.0, error=failed)

    def __repr__(self) -> str:
        return (f"ModelChoice({self.flag_key!r}, variant={self.variant!r}, value={self.value!r}, "
                f"reason={self.details.reason!r})")


def _kind_of(default: object) -> Optional[str]:
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, str):
        return "string"
    if isinstance(default, (int, float)):
        return "number"
    return None


def choose_model(source: Union[RunScope, FlagClient], flag_key: str, context: Optional[Mapping[str, Any]],
                 default: Any) -> ModelChoice:
    """Evaluates ``flag_key`` on ``source`` (a client or a run; a client defers to the current
    run); the flag's kind must match the default's type (str → string flag)."""
    evaluator, client = resolve(source)
    details = evaluator.evaluate(flag_key, context, default, _kind_of(default))
    return ModelChoice(client, flag_key, details)
