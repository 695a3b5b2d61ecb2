"""The Signalbox client: serves flag evaluations from an in-process copy of the config that a
background thread keeps current."""
from __future__ import annotations

import math
import time
from _thread import RLock

from .._logging import SdkLogger, would_show
from ..core import EvaluationDetails, evaluate
from ..core.jsvalues import is_object
from ..core.result import ERROR, GENERAL
from ..metrics.aggregator import MetricsAggregator
from .backoff import DEFAULT_MAX_RETRY_DELAY, DEFAULT_RETRY_DELAY
from .cache_file import is_environment_config, read_cache_file, write_cache_file
from .config_store import APPLIED, ConfigStore
from .json_text import loads
from .status import CONNECTED, CONNECTING, DISCONNECTED, derive_status

# typing, threading and json are not imported at run time: with re, which typing and json import,
# they would be a third of an offline client's cold start (issue 15).
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    import logging
    from threading import Condition
    from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

    from ..core import CompiledEnvironment

    from ..metrics.sender import MetricsSender
    from ..pipeline.gate import Gate
    from ..pipeline.models import ModelChoice
    from ..pipeline.run import Run
    from .delivery import Delivery
    from .config_store import CommittedBatch
    from .endpoints import Endpoints
    from .shadow_pool import ShadowPool

    StatusListener = Callable[[str], None]
    ChangeListener = Callable[[List[str]], None]

# The delivery (HTTP, SSE, threads) and the metrics sender are imported only by a client that
# goes online, and logging only once the application has imported it (see .._logging), so that
# an offline client started from a bootstrap loads little more than the evaluator (issue 15).

NOT_READY_MESSAGE = "client is not ready"
DEFAULT_URL = "http://127.0.0.1:4000"
_WARNING = 30  # logging.WARNING


class SignalboxClient:
    """Evaluates flags locally; never blocks an evaluation on the network.

    At start it serves ``bootstrap`` (a config dict), else ``bootstrap_file``, else the
    last-known-good ``cache_file``, then fetches the snapshot over HTTP and follows the SSE
    stream in a background thread (resume by sequence, reconnect with backoff and jitter, acks),
    falling back to polling when the server cannot stream. Use as a context manager, or call
    :meth:`close`.

    :param sdk_key: the environment's SDK key (``sbk_...``).
    :param url: the server's base URL.
    :param streaming: False polls the snapshot every ``poll_interval`` seconds instead.
    :param cache_file: opt-in path of the last-known-good cache (written atomically on change).
    :param start_timeout: seconds the constructor waits for the first config (0: do not wait).
    :param retry_delay: first delay (seconds) before reconnecting or retrying after a failure
        (0.5); it doubles on each further failure, with ±50 % jitter.
    :param max_retry_delay: the longest such delay (5 s), a hard ceiling that also caps the
        server's Retry-After.
    :param stale_after: report ``stale`` when the server was silent this long (seconds).
    :param offline: serve bootstrap/cache only; no network at all.
    :param send_metrics: aggregate and post metrics to ``/api/v1/sdk/events``.
    """

    def __init__(
        self,
        sdk_key: str,
        url: str = DEFAULT_URL,
        *,
        streaming: bool = True,
        poll_interval: float = 30.0,
        bootstrap: Optional[Mapping[str, Any]] = None,
        bootstrap_file: Optional[str] = None,
        cache_file: Optional[str] = None,
        start_timeout: float = 5.0,
        request_timeout: float = 10.0,
        stream_read_timeout: float = 40.0,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        stale_after: Optional[float] = None,
        offline: bool = False,
        send_metrics: bool = True,
        metrics_interval: float = 5.0,
        max_metric_series: int = 1000,
        max_pending_batches: int = 60,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        if type(sdk_key) is not str or not sdk_key:
            raise ValueError("sdk_key must be a non-empty string")
        self._sdk_key = sdk_key
        self._log: Any = logger or SdkLogger()
        endpoints: Optional[Endpoints] = None
        # An offline client never uses the URL. It is checked all the same (a ValueError), but
        # the default is known to be valid: not parsing it spares importing urllib.parse.
        if not (offline and url == DEFAULT_URL):
            from . import endpoints as endpoints_module

            endpoints = endpoints_module.Endpoints(url)
        self._endpoints = endpoints
        self._lock = RLock()
        self._store = ConfigStore()
        self._environment: Optional[CompiledEnvironment] = None
        self._cache_file = cache_file
        self._stale_after = stale_after
        self._confirmed = False
        self._refused = False
        self._refusal: Optional[str] = None
        self._streaming_connected = False
        self._connection = DISCONNECTED if offline else CONNECTING
        self._contact_at: Optional[float] = None
        self._closed = False
        self._status = ""
        self._status_listeners: List[StatusListener] = []
        self._change_listeners: List[ChangeListener] = []
        # Made by the first wait (threading costs milliseconds to import, and an offline client
        # rarely waits); notified under the lock, so a waiter cannot miss a notification.
        self._config_event: Optional[Condition] = None
        self.metrics = MetricsAggregator(max_series=max_metric_series, max_pending_batches=max_pending_batches)
        self._count_evaluations = send_metrics and not offline
        self._load_initial(bootstrap, bootstrap_file)
        self._status = self._derive()

        self._metrics_sender: Optional[MetricsSender] = None
        if send_metrics and not offline:
            from ..metrics import sender

            self._metrics_sender = sender.MetricsSender(self.metrics, self._post_events, metrics_interval, logger)
            self._metrics_sender.start()
        self._shadow_pool: Optional[ShadowPool] = None
        self._delivery: Optional[Delivery] = None
        if not offline and endpoints is not None:
            from . import delivery

            self._delivery = delivery.Delivery(
                endpoints, sdk_key, self, streaming=streaming, poll_interval=poll_interval,
                request_timeout=request_timeout, read_timeout=stream_read_timeout, retry_delay=retry_delay,
                max_retry_delay=max_retry_delay, logger=logger,
            )
            self._delivery.start()
            if start_timeout > 0:
                self.wait_until_ready(start_timeout)

    # -- start-up data --

    def _load_initial(self, bootstrap: Optional[Mapping[str, Any]], bootstrap_file: Optional[str]) -> None:
        config: Any = None
        source = ""
        if bootstrap is not None:
            config, source = dict(bootstrap), "bootstrap"
        elif bootstrap_file is not None:
            try:
                with open(bootstrap_file, "r", encoding="utf-8") as handle:
                    config = loads(handle.read())
                source = f"bootstrap file {bootstrap_file}"
            except (OSError, ValueError) as error:
                self._log.warning("signalbox: cannot read bootstrap file %s: %s", bootstrap_file, error)
            # An exported cache file works as a bootstrap file too.
            if is_object(config) and config.get("format") == "signalbox-config-cache":
                config = config.get("config")
        if config is None and self._cache_file is not None:
            cached = read_cache_file(self._cache_file, self._sdk_key)
            if cached.status == "loaded":
                config, source = cached.config, f"cache file (saved {cached.saved_at})"
            elif cached.status == "unusable":
                self._log.warning("signalbox: ignoring cache file %s: %s", self._cache_file, cached.reason)
        if config is None:
            return
        if not is_environment_config(config) or not self._store.replace(config):
            self._log.warning("signalbox: ignoring %s: not an environment config", source)
            return
        # Lazily: a process that evaluates a few flags soon after start compiles only those.
        # Configs from the server are compiled whole, on the delivery thread, as they arrive.
        batch = self._store.commit(lazy=True)
        self._environment = self._store.compiled
        self._log.info("signalbox: serving the %s (sequence %s)", source, self._store.sequence)
        self._report_problems(batch)

    # -- evaluation --

    def evaluate(
        self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None,
        kind: Optional[str] = None,
    ) -> EvaluationDetails:
        """Evaluates a flag with details (value, variant, reason, rule index, error code).
        Never raises and never waits on the network."""
        environment = self._environment
        if environment is None:
            details = EvaluationDetails(default, None, ERROR, None, GENERAL, NOT_READY_MESSAGE)
        else:
            details = evaluate(environment, flag_key, context, default, kind)
        if self._count_evaluations and type(flag_key) is str:
            self.metrics.count_evaluation(flag_key, details.variant, details.reason)
        return details

    def is_enabled(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: bool = False) -> bool:
        """The value of a boolean flag (``default`` when it cannot be evaluated)."""
        return self.evaluate(flag_key, context, default, "boolean").value

    def get_string(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: str = "") -> str:
        """The value of a string flag."""
        return self.evaluate(flag_key, context, default, "string").value

    def get_number(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: float = 0) -> float:
        """The value of a number flag."""
        return self.evaluate(flag_key, context, default, "number").value

    def get_json(self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None) -> Any:
        """The value of a JSON flag (a fresh copy the caller may change)."""
        return self.evaluate(flag_key, context, default, "json").value

    @property
    def environment(self) -> Optional[CompiledEnvironment]:
        """The compiled config evaluations read now (None before any config)."""
        return self._environment

    def current_config(self) -> Optional[Dict[str, Any]]:
        """The served config as plain JSON (None before any)."""
        with self._lock:
            return self._store.to_config() if self._store.has_config else None

    # -- status --

    @property
    def status(self) -> str:
        """``initializing``, ``ready``, ``stale``, ``offline`` or ``error`` (see client.status)."""
        self._refresh_status()
        return self._status

    @property
    def sequence(self) -> int:
        """The change-log sequence of the served config (0 before any)."""
        return self._store.sequence

    @property
    def transport(self) -> str:
        """``stream``, ``poll`` or ``none`` (offline)."""
        return self._delivery.mode if self._delivery is not None else "none"

    def config_age(self) -> float:
        """How old the served config may be, in seconds: 0 while the stream is connected (any
        change would have arrived), else the time since the server was last heard from;
        ``inf`` without a config or with one the server never confirmed."""
        with self._lock:
            if self._environment is None or not self._confirmed or self._refused:
                return math.inf
            if self._connection == CONNECTED and self._streaming_connected:
                return 0.0
            return math.inf if self._contact_at is None else max(0.0, time.monotonic() - self._contact_at)

    def wait_until_ready(self, timeout: Optional[float] = None) -> bool:
        """Waits until the server confirmed a config (or the key was refused); True when ready."""
        deadline = None if timeout is None else time.monotonic() + timeout
        config_event = self._condition()
        with config_event:
            while not (self._confirmed or self._refused or self._closed):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                config_event.wait(remaining)
            return self._confirmed and not self._refused

    def wait_for_config(self, max_age: float, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds until the config is at most ``max_age`` seconds old."""
        deadline = time.monotonic() + timeout
        config_event = self._condition()
        with config_event:
            while self.config_age() > max_age and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                config_event.wait(min(remaining, 0.25))
            return self.config_age() <= max_age

    def on_status_change(self, listener: StatusListener) -> Callable[[], None]:
        """Calls ``listener(status)`` on every status change; returns a function that removes it."""
        self._status_listeners.append(listener)
        return lambda: self._status_listeners.remove(listener) if listener in self._status_listeners else None

    def on_change(self, listener: ChangeListener) -> Callable[[], None]:
        """Calls ``listener(changed_flag_keys)`` after each config update that changed flags."""
        self._change_listeners.append(listener)
        return lambda: self._change_listeners.remove(listener) if listener in self._change_listeners else None

    # -- metrics --

    def track(
        self, metric: str, value: float = 1.0, *, flag: Optional[str] = None, variant: Optional[str] = None,
        error: bool = False, covariate: Optional[float] = None, segment: Optional[Tuple[str, Any]] = None,
    ) -> None:
        """Records one observation of ``metric``, attributed to ``flag``/``variant`` when given.
        Aggregated in memory and sent in batches; costs a dict update.

        ``covariate``: the same unit's value before the experiment (CUPED); needs ``flag``.
        ``segment``: ``(attribute, value)`` to also record the value in that breakdown (results by
        segment; at most 20 values per attribute in one process)."""
        self.metrics.record(metric, value, flag, variant, error)
        if covariate is not None and flag is not None:
            from ..metrics.paired import cuped_pair_name, record_pair

            record_pair(self.metrics, flag, variant, cuped_pair_name(metric), value, covariate)
        if segment is not None:
            from ..metrics.paired import segment_series_name, segment_value_of

            attribute, attribute_value = segment
            admitted = self._segment_cap().admit(metric, attribute, segment_value_of(attribute_value))
            self.metrics.record(segment_series_name(metric, attribute, admitted), value, flag, variant, error)

    def _segment_cap(self) -> Any:
        # Made on first use: threading costs import time, and most clients never break metrics down.
        cap = self.__dict__.get("_segment_values")
        if cap is None:
            from ..metrics.paired import SegmentValueCap

            with self._lock:
                cap = self.__dict__.setdefault("_segment_values", SegmentValueCap())
        return cap

    def track_ratio(
        self, numerator: str, numerator_value: float, denominator: str, denominator_value: float, *,
        flag: Optional[str] = None, variant: Optional[str] = None,
    ) -> None:
        """Records one unit's ratio-metric observation (a batch's errors and rows): experiments on
        ``numerator / denominator`` compare Σnumerator / Σdenominator by the delta method."""
        from ..metrics.paired import ratio_pair_name, record_pair

        pair = ratio_pair_name(numerator, denominator)
        record_pair(self.metrics, flag, variant, pair, numerator_value, denominator_value)

    def flush(self) -> Optional[str]:
        """Sends pending metrics now; returns the send result (None when metrics are off)."""
        return self._metrics_sender.flush() if self._metrics_sender is not None else None

    def count_evaluation(self, flag_key: str, details: EvaluationDetails) -> None:
        """Counts an evaluation made on this client's behalf (a run's, on its pinned config) in
        the evaluation metrics, as :meth:`evaluate` counts its own."""
        if self._count_evaluations and type(flag_key) is str:
            self.metrics.count_evaluation(flag_key, details.variant, details.reason)

    def offer_sample(self, sample: Dict[str, Any]) -> None:
        """Offers an example (a shadow disagreement) to the metrics; a random few per window are sent."""
        self.metrics.offer_sample(sample)

    def _post_events(self, payload: Dict[str, Any]) -> int:
        from .http import auth_headers, request

        endpoints = self._endpoints
        assert endpoints is not None  # only an online client sends metrics
        response = request(endpoints, "POST", endpoints.events, auth_headers(self._sdk_key), payload, 10.0)
        return response.status

    # -- pipeline helpers (see signalbox.pipeline) --

    def run(self, context: Optional[Mapping[str, Any]] = None, **attributes: Any) -> Run:
        """Pins the current config for a pipeline run (see :class:`signalbox.pipeline.Run`)."""
        from ..pipeline.run import Run

        return Run(self, dict(context or {}, **attributes))

    def gate(self, flag_key: str, **options: Any) -> Gate:
        """A gated step, usable as a decorator or a context manager (see :class:`signalbox.pipeline.Gate`)."""
        from ..pipeline.gate import Gate

        return Gate(self, flag_key, **options)

    def choose_model(
        self, flag_key: str, context: Optional[Mapping[str, Any]] = None, default: Any = None,
    ) -> ModelChoice:
        """Chooses a model version from a multivariate flag (see :class:`signalbox.pipeline.ModelChoice`)."""
        from ..pipeline.models import choose_model

        return choose_model(self, flag_key, context, default)

    def shadow(self, flag_key: str, primary: Callable[[], Any], candidate: Callable[[], Any], **options: Any) -> Any:
        """Runs ``primary`` and returns its result; maybe runs ``candidate`` beside it (see
        :func:`signalbox.pipeline.shadow.run_shadow`)."""
        from ..pipeline.shadow import run_shadow

        return run_shadow(self, flag_key, primary, candidate, **options)

    def require_fresh(self, max_age: float, wait: float = 0.0) -> None:
        """Raises :class:`signalbox.StaleConfigError` unless the config is at most ``max_age``
        seconds old, after waiting up to ``wait`` seconds for it to become so."""
        from ..pipeline.fail_closed import require_fresh

        require_fresh(self, max_age, wait)

    def shadow_executor(self, workers: int) -> ShadowPool:
        """The pool shadow candidates run on: created on the first shadow run (with its
        ``workers``), stopped by :meth:`close`. A closed client's pool runs nothing."""
        with self._lock:
            pool = self._shadow_pool
            if pool is None:
                from .shadow_pool import ShadowPool

                pool = self._shadow_pool = ShadowPool(workers)
                if self._closed:
                    pool.shutdown()
            return pool

    # -- lifecycle --

    def close(self) -> None:
        """Stops the background threads, sends pending metrics and writes the cache file."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._notify_config()
        if self._delivery is not None:
            self._delivery.close()
        if self._metrics_sender is not None:
            self._metrics_sender.close(flush=True)
        with self._lock:
            pool = self._shadow_pool
        if pool is not None:
            pool.shutdown()
        with self._lock:
            self._connection = DISCONNECTED
        self._refresh_status()

    def __enter__(self) -> "SignalboxClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- DeliverySink (called from the delivery thread) --

    def current_sequence(self) -> int:
        return self._store.sequence

    def deliver(self, message: Dict[str, Any], connection_id: Optional[str]) -> str:
        changed: List[str] = []
        with self._lock:
            outcome = self._store.apply(message)
            if outcome == APPLIED:
                batch = self._store.commit()
                if message.get("type") == "snapshot":
                    self._confirmed = True
                self._contact_at = time.monotonic()
                if batch is not None:
                    self._environment = self._store.compiled
                    changed = batch.changed_keys
                    self._report_problems(batch)
                    self._write_cache()
                self._notify_config()
        self._refresh_status()
        if changed:
            for listener in list(self._change_listeners):
                try:
                    listener(changed)
                except Exception:  # noqa: BLE001
                    self._log.exception("signalbox: a change listener failed")
        return outcome

    def connected(self, streaming: bool) -> None:
        with self._lock:
            self._connection = CONNECTED
            self._streaming_connected = streaming
            self._contact_at = time.monotonic()
            if self._store.has_config:
                self._confirmed = True  # a resumed stream or a 304 confirms what we hold
            self._notify_config()
        self._refresh_status()

    def heard(self) -> None:
        with self._lock:
            self._contact_at = time.monotonic()
        self._refresh_status()

    def disconnected(self, reason: str) -> None:
        with self._lock:
            was = self._connection
            self._connection = DISCONNECTED
            self._streaming_connected = False
        if was != DISCONNECTED:
            self._log.info("signalbox: disconnected: %s", reason)
        self._refresh_status()

    def refused(self, message: str) -> None:
        """A permanent refusal (401/403, or an SSE refusal UNAUTHENTICATED/FORBIDDEN)."""
        with self._lock:
            self._refused = True
            self._refusal = message
            self._connection = DISCONNECTED
            self._notify_config()
        self._log.error("signalbox: the server refused the SDK key: %s", message)
        self._refresh_status()

    # -- internals --

    def _condition(self) -> Condition:
        """The condition waiters wait on for a config (or a refusal, or the close)."""
        with self._lock:
            if self._config_event is None:
                from threading import Condition

                self._config_event = Condition(self._lock)
            return self._config_event

    def _notify_config(self) -> None:
        """Wakes the waiters; called with the lock held."""
        if self._config_event is not None:
            self._config_event.notify_all()

    def _report_problems(self, batch: Optional[CommittedBatch]) -> None:
        # Listing the problems of a lazily compiled config compiles every flag: done only when the
        # warning would be shown, else flags compile on their first evaluation.
        if batch is not None and batch.environment is not None and would_show(self._log, _WARNING) and batch.problems:
            self._log.warning("signalbox: config problems: %s", [p.message for p in batch.problems])

    def _write_cache(self) -> None:
        if self._cache_file is None:
            return
        try:
            write_cache_file(self._cache_file, self._sdk_key, self._store.to_config())
        except OSError as error:
            self._log.warning("signalbox: cannot write cache file %s: %s", self._cache_file, error)

    def _derive(self) -> str:
        silent = (
            self._stale_after is not None
            and self._contact_at is not None
            and time.monotonic() - self._contact_at > self._stale_after
        )
        return derive_status(self._store.has_config, self._confirmed, self._connection, self._refused, silent)

    def _refresh_status(self) -> None:
        with self._lock:
            status = self._derive()
            if status == self._status:
                return
            self._status = status
        for listener in list(self._status_listeners):
            try:
                listener(status)
            except Exception:  # noqa: BLE001
                self._log.exception("signalbox: a status listener failed")
