"""The client's pool for shadow candidates: a few threads, and a count of the candidates pending
so that a saturated pool skips a shadow rather than queue work."""
from __future__ import annotations

from _thread import allocate_lock
from concurrent.futures import Future, ThreadPoolExecutor

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Callable, Optional, TypeVar

    T = TypeVar("T")


class ShadowPool:
    """Implements the pipeline's ``ShadowExecutor``. Created by the client on the first shadow
    run, with that run's ``workers``; stopped when the client closes."""

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="signalbox-shadow")
        self._pending = 0
        self._lock = allocate_lock()

    def try_acquire(self, max_pending: int) -> bool:
        with self._lock:
            if self._pending >= max_pending:
                return False
            self._pending += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._pending -= 1

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, task: Callable[[], T]) -> Optional[Future[T]]:
        try:
            return self._executor.submit(task)
        except RuntimeError:  # shut down: the client is closing
            return None

    def shutdown(self) -> None:
        """Stops the pool without waiting for running candidates."""
        self._executor.shutdown(wait=False)
