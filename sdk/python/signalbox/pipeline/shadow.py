"""Shadow runs: run a candidate beside the primary, serve the primary, record agreement and
latency. The candidate runs on a small thread pool and never delays or fails the primary."""
from __future__ import annotations

import json
import operator
import random
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, Tuple, Union

from .._logging import get_logger
from .scope import resolve

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from concurrent.futures import Future

    from .ports import FlagClient
    from .scope import RunScope

# The metric names every Signalbox SDK uses (sdk/src/telemetry/metric-names.ts).
PRIMARY_METRIC = "shadow.primary_ms"
CANDIDATE_METRIC = "shadow.candidate_ms"
CANDIDATE_ERRORS_METRIC = "shadow.candidate_errors"
AGREEMENT_METRIC = "shadow.agreement"
SKIPPED_METRIC = "shadow.skipped"
_SAMPLE_CHARS = 2000

_log = get_logger()

# What a candidate's run ended with: its result, its exception, and how long it took (ms).
_CandidateRun = Tuple[Any, Optional[BaseException], float]


class ShadowResult(NamedTuple):
    """What a finished shadow comparison saw (passed to ``on_result``)."""

    flag_key: str
    primary: Any
    candidate: Any
    agreed: Optional[bool]
    primary_ms: float
    candidate_ms: float
    candidate_error: Optional[BaseException]
    timed_out: bool


def run_shadow(
    source: Union[RunScope, FlagClient],
    flag_key: str,
    primary: Callable[[], Any],
    candidate: Callable[[], Any],
    *,
    context: Optional[Mapping[str, Any]] = None,
    compare: Callable[[Any, Any], bool] = operator.eq,
    input: Any = None,
    sample_rate: float = 1.0,
    timeout: float = 5.0,
    max_pending: int = 16,
    workers: int = 2,
    on_result: Optional[Callable[[ShadowResult], None]] = None,
) -> Any:
    """Returns ``primary()`` (its exceptions propagate as usual). When the boolean flag
    ``flag_key`` is on for the context, and for a ``sample_rate`` share of calls, ``candidate()``
    also runs on a background pool; once both finished, their results are compared with
    ``compare`` and recorded for the flag and the variant it served: ``shadow.primary_ms``,
    ``shadow.candidate_ms`` (failures and timeouts count as errors), ``shadow.agreement`` (1 or
    0), ``shadow.candidate_errors`` (1 per failure, or per candidate slower than ``timeout``
    seconds, whose result is then not compared) and ``shadow.skipped`` when the pool is
    saturated. Disagreements and candidate failures are offered as samples (with ``input``).
    Candidate errors are recorded, never raised."""
    evaluator, client = resolve(source)
    variant: Optional[str] = None
    try:
        details = evaluator.evaluate(flag_key, context, False, "boolean")
        variant = details.variant
        sampled = details.value is True and (sample_rate >= 1.0 or random.random() < sample_rate)
    except Exception:  # noqa: BLE001 - the shadow must never fail the primary
        sampled = False
    if not sampled:
        return primary()

    pool = client.shadow_executor(workers)
    if not pool.try_acquire(max_pending):
        client.track(SKIPPED_METRIC, 1.0, flag=flag_key, variant=variant)
        return primary()

    def run_candidate() -> _CandidateRun:
        started = time.perf_counter()
        try:
            return candidate(), None, (time.perf_counter() - started) * 1000.0
        except BaseException as error:  # noqa: BLE001
            return None, error, (time.perf_counter() - started) * 1000.0

    future = pool.submit(run_candidate)
    if future is None:  # the pool is shut down (client closing)
        pool.release()

    started = time.perf_counter()
    try:
        result = primary()
    except BaseException:
        primary_ms = (time.perf_counter() - started) * 1000.0
        client.track(PRIMARY_METRIC, primary_ms, flag=flag_key, variant=variant, error=True)
        if future is not None:
            future.add_done_callback(lambda _done: pool.release())
        raise
    primary_ms = (time.perf_counter() - started) * 1000.0
    client.track(PRIMARY_METRIC, primary_ms, flag=flag_key, variant=variant)

    if future is not None:
        def finished(done: Future[_CandidateRun]) -> None:
            pool.release()
            try:
                value, error, candidate_ms = done.result()
            except BaseException as cancelled:  # noqa: BLE001
                value, error, candidate_ms = None, cancelled, 0.0
            timed_out = candidate_ms > timeout * 1000.0
            failed = timed_out or error is not None
            client.track(CANDIDATE_METRIC, min(candidate_ms, timeout * 1000.0) if timed_out else candidate_ms,
                         flag=flag_key, variant=variant, error=failed)
            agreed: Optional[bool] = None
            if failed:
                client.track(CANDIDATE_ERRORS_METRIC, 1.0, flag=flag_key, variant=variant)
                reason = f"timed out after {timeout:g} s" if timed_out else f"{type(error).__name__}: {error}"
                _offer(client, "shadow.candidate_error", flag_key, variant, input, result, None, reason)
            else:
                try:
                    agreed = bool(compare(result, value))
                except Exception as compare_error:  # noqa: BLE001
                    _log.warning("signalbox: shadow compare failed for %s: %s", flag_key, compare_error)
                if agreed is not None:
                    client.track(AGREEMENT_METRIC, 1.0 if agreed else 0.0, flag=flag_key, variant=variant)
                    if not agreed:
                        _offer(client, "shadow.disagreement", flag_key, variant, input, result, value, None)
            if on_result is not None:
                try:
                    on_result(ShadowResult(flag_key, result, value, agreed, primary_ms, candidate_ms, error, timed_out))
                except Exception:  # noqa: BLE001
                    _log.exception("signalbox: shadow on_result failed")

        future.add_done_callback(finished)
    return result


def _json_sample(value: Any) -> Any:
    """A JSON-safe, size-capped copy of a value for a sample."""
    try:
        text = json.dumps(value, default=repr)
    except (TypeError, ValueError):
        text = json.dumps(repr(value))
    if len(text) <= _SAMPLE_CHARS:
        return json.loads(text)
    return text[:_SAMPLE_CHARS] + "…"


def _offer(
    client: FlagClient, kind: str, flag_key: str, variant: Optional[str], input: Any, primary: Any, candidate: Any,
    error: Optional[str],
) -> None:
    sample: Dict[str, Any] = {
        "kind": kind,
        "flag": flag_key,
        "variant": variant,
        "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "input": _json_sample(input),
        "primary": _json_sample(primary),
    }
    if error is None:
        sample["candidate"] = _json_sample(candidate)
    else:
        sample["error"] = error[:1000]
    try:
        client.offer_sample(sample)
    except Exception:  # noqa: BLE001
        _log.debug("signalbox: cannot keep a shadow sample", exc_info=True)
