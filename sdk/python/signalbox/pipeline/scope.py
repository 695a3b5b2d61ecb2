"""The current run: what gated steps, model choices and shadow runs evaluate on when they are
given a client inside ``with client.run(...)``."""
from __future__ import annotations

from contextvars import ContextVar

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from contextvars import Token
    from typing import Any, Mapping, Optional, Tuple, Union

    from ..core import EvaluationDetails
    from .ports import FlagClient, FlagSource


class RunScope:
    """What the steps of a pipeline run see of it: its client, and evaluation on its pinned
    config. The base of :class:`signalbox.pipeline.Run`, so that the helpers can tell a run
    from a client without importing the run's module (which imports theirs)."""

    client: FlagClient

    def evaluate(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None,
                 kind: Optional[str] = None) -> EvaluationDetails:
        raise NotImplementedError


_CURRENT_RUN: ContextVar[Optional[RunScope]] = ContextVar("signalbox_current_run", default=None)


def current_run() -> Optional[RunScope]:
    """The run entered with ``with client.run(...)`` in this thread/task, if any."""
    return _CURRENT_RUN.get()


def enter(run: RunScope) -> Token[Optional[RunScope]]:
    """Makes ``run`` the current run, until :func:`leave` with the token returned."""
    return _CURRENT_RUN.set(run)


def leave(token: Token[Optional[RunScope]]) -> None:
    _CURRENT_RUN.reset(token)


def resolve(source: Union[RunScope, FlagClient]) -> Tuple[FlagSource, FlagClient]:
    """What a helper given ``source`` evaluates on, and the client it records through: a run
    evaluates on itself; a client defers to the current run when that run is one of its own."""
    if isinstance(source, RunScope):
        return source, source.client
    run = current_run()
    if run is not None and run.client is source:
        return run, source
    return source, source
