"""Name the kind of a failed request, for per-source error counts in the run summary."""

from __future__ import annotations

from typing import ClassVar

from scrapy import exceptions as scrapy_errors
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((scrapy_errors.CannotResolveHostError, error.DNSLookupError), "dns"),
    ((scrapy_errors.DownloadTimeoutError, error.TimeoutError, error.TCPTimedOutError), "timeout"),
    (
        (scrapy_errors.DownloadConnectionRefusedError, error.ConnectionRefusedError),
        "connection_refused",
    ),
    ((scrapy_errors.ResponseDataLossError,), "truncated"),
    # Scrapy cancels a download only when its body outgrows DOWNLOAD_MAXSIZE.
    ((scrapy_errors.DownloadCancelledError,), "too_large"),
    (
        (
            scrapy_errors.DownloadFailedError,
            error.ConnectionLost,
            error.ConnectionDone,
            ResponseFailed,
        ),
        "connection_lost",
    ),
    ((scrapy_errors.UnsupportedURLSchemeError,), "unsupported_scheme"),
    ((error.ConnectError,), "connect"),
)
# Failures that say the host is in trouble, as opposed to one page being bad.
HOST_FAILURES = frozenset(
    {"dns", "timeout", "connection_refused", "truncated", "connection_lost", "connect"}
)


class CountedIgnore(scrapy_errors.IgnoreRequest):
    """A request dropped on purpose, counted under its own failure ``kind``."""

    kind: ClassVar[str] = "ignored"


class CircuitOpen(CountedIgnore):
    """The request's source failed too often in a row: dropped without download."""

    kind = "circuit_open"


class RedirectLoop(CountedIgnore):
    """A redirect back to a URL already visited on the way."""

    kind = "redirect_loop"


class TooManyRedirects(CountedIgnore):
    """A redirect chain longer than ``REDIRECT_MAX_TIMES``."""

    kind = "too_many_redirects"


def failure_kind(failure: Failure) -> str:
    """``dns``, ``timeout``, ``http_503``, ``too_large``, ``robots``... for a request's failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, CountedIgnore):
        return exc.kind
    if isinstance(exc, scrapy_errors.IgnoreRequest):
        if isinstance(exc.__cause__, ValueError) and "DOWNLOAD_MAXSIZE" in str(exc):
            return "too_large"  # HttpCompressionMiddleware: a body that inflates beyond the limit
        return "robots" if "robots" in str(exc).lower() else "ignored"
    if isinstance(exc, scrapy_errors.ResponseDataLossError) and _reset(exc.__cause__):
        return "connection_lost"  # a reset mid-body; an orderly early close is "truncated"
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind
    return type(exc).__name__


def _reset(cause: BaseException | None) -> bool:
    """True when a body was cut short by a connection reset rather than an orderly close."""
    reasons = cause.reasons if isinstance(cause, ResponseFailed) else []
    return any(reason.check(error.ConnectionLost) for reason in reasons)
