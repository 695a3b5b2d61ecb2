"""The SDK's logger, ``signalbox``: a library logs, and the application decides where logs go.

Importing ``logging`` costs milliseconds (issue 15's cold start), and until an application has
imported it, it has configured no handler: every record the SDK emits would be dropped (the
``signalbox`` logger has a NullHandler, so not even the last-resort handler prints it). The
client's default logger therefore drops records itself until ``logging`` has been imported by
anyone, and forwards them from then on."""
from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from typing import Any

LOGGER_NAME = "signalbox"


def get_logger() -> Any:
    """``logging.getLogger("signalbox")``, with the SDK's NullHandler."""
    import logging

    logger = logging.getLogger(LOGGER_NAME)
    # Checked each time rather than once: a handler list swapped while the handler was added
    # (as unittest's assertLogs does) would otherwise lose it for good.
    if not any(type(handler) is logging.NullHandler for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    return logger


def _imported_logger() -> Any:
    """The SDK's logger once something has imported ``logging``, else None."""
    logging = sys.modules.get("logging")
    # Half-imported (another thread is importing it right now): nothing can be configured yet.
    if logging is None or not hasattr(logging, "NullHandler"):
        return None
    return get_logger()


class SdkLogger:
    """Stands in for ``logging.getLogger("signalbox")`` (the client's default ``logger``)."""

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging.Logger's name
        logger = _imported_logger()
        return logger is not None and logger.isEnabledFor(level)

    def debug(self, message: str, *args: Any, **options: Any) -> None:
        self._log("debug", message, args, options)

    def info(self, message: str, *args: Any, **options: Any) -> None:
        self._log("info", message, args, options)

    def warning(self, message: str, *args: Any, **options: Any) -> None:
        self._log("warning", message, args, options)

    def error(self, message: str, *args: Any, **options: Any) -> None:
        self._log("error", message, args, options)

    def exception(self, message: str, *args: Any, **options: Any) -> None:
        self._log("exception", message, args, options)

    @staticmethod
    def _log(method: str, message: str, args: Any, options: Any) -> None:
        logger = _imported_logger()
        if logger is not None:
            # The record names the SDK's caller, not this method or the one above it.
            options.setdefault("stacklevel", 3)
            getattr(logger, method)(message, *args, **options)


def would_show(logger: Any, level: int) -> bool:
    """Whether a record at ``level`` sent to ``logger`` would reach a handler that shows it: so
    that a message costly to build (the client's list of config problems) is built only then.
    What Logger.callHandlers would do, without emitting; True for a logger it cannot inspect."""
    if isinstance(logger, SdkLogger):
        logger = _imported_logger()
        if logger is None:
            return False
    logging = sys.modules.get("logging")
    if logging is None or not isinstance(logger, logging.Logger):
        return True
    if not logger.isEnabledFor(level):
        return False
    found = False
    current = logger
    while current is not None:
        for handler in current.handlers:
            found = True
            if not isinstance(handler, logging.NullHandler) and level >= handler.level:
                return True
        if not current.propagate:
            break
        current = current.parent
    # With no handler at all, logging falls back to its last-resort handler (stderr).
    return not found and logging.lastResort is not None and level >= logging.lastResort.level
