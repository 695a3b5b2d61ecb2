"""Fail-closed steps: "no data is better than wrong data"."""
from __future__ import annotations

import math

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Optional

    from .ports import FlagClient


class StaleConfigError(RuntimeError):
    """A fail-closed step refused to run: the config is too old, or the flag could not be
    evaluated (the step would have run on a guess)."""

    def __init__(self, message: str, age: float, max_age: Optional[float], status: str) -> None:
        super().__init__(message)
        self.age = age
        self.max_age = max_age
        self.status = status


def _describe_age(age: float) -> str:
    return "no confirmed config" if math.isinf(age) else f"a config {age:.1f} s old"


def require_fresh(client: FlagClient, max_age: float, wait: float = 0.0) -> None:
    """Returns when the client's config is at most ``max_age`` seconds old, waiting up to
    ``wait`` seconds for it; raises StaleConfigError otherwise."""
    if client.config_age() <= max_age:
        return
    if wait > 0 and client.wait_for_config(max_age, wait):
        return
    age = client.config_age()
    status = client.status
    raise StaleConfigError(
        f"Signalbox: refusing to run a fail-closed step on {_describe_age(age)} "
        f"(client status {status!r}); it requires a config at most {max_age:g} s old"
        + (f" and none arrived within {wait:g} s" if wait > 0 else ""),
        age, max_age, status,
    )
