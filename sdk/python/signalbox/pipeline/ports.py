"""What the pipeline helpers need of a client: the pipeline depends on these protocols, never on
the client, which implements them (issue 16's layers: core <- pipeline <- client). Imported for
type checking only, so the pipeline's modules do not load ``typing`` at run time."""
from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable, Dict, Mapping, Optional, Protocol, TypeVar

from ..core import CompiledEnvironment, EvaluationDetails

T = TypeVar("T")


class ShadowExecutor(Protocol):
    """The pool shadow candidates run on; the client owns it (creates it on first use, stops it
    on close), so that it lives exactly as long as the client."""

    def try_acquire(self, max_pending: int) -> bool:
        """Counts one more pending candidate; False (nothing counted) when ``max_pending`` are."""
        ...

    def release(self) -> None:
        """Counts one pending candidate as finished."""
        ...

    def submit(self, task: Callable[[], T]) -> Optional[Future[T]]:
        """Runs ``task`` on the pool; None when the pool is shut down (the client closed)."""
        ...


class FlagSource(Protocol):
    """What a step evaluates on: a run (its pinned config) or a client."""

    def evaluate(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None,
                 kind: Optional[str] = None) -> EvaluationDetails: ...


class FlagClient(FlagSource, Protocol):
    """The client as the pipeline helpers use it (implemented by ``signalbox.SignalboxClient``)."""

    @property
    def environment(self) -> Optional[CompiledEnvironment]: ...

    @property
    def sequence(self) -> int: ...

    @property
    def status(self) -> str: ...

    def count_evaluation(self, flag_key: str, details: EvaluationDetails) -> None:
        """Counts an evaluation made outside the client (on a run's pinned config) in its metrics."""
        ...

    def track(self, metric: str, value: float = 1.0, *, flag: Optional[str] = None, variant: Optional[str] = None,
              error: bool = False) -> None: ...

    def offer_sample(self, sample: Dict[str, Any]) -> None: ...

    def config_age(self) -> float: ...

    def wait_for_config(self, max_age: float, timeout: float) -> bool: ...

    def shadow_executor(self, workers: int) -> ShadowExecutor: ...
