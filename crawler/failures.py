"""Name the kind of a failed request, for per-source error counts in the run summary."""

from __future__ import annotations

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


def failure_kind(failure: Failure) -> str:
    """``dns``, ``timeout``, ``http_503``, ``robots``... for a request's failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, scrapy_errors.IgnoreRequest):
        return "robots" if "robots" in str(exc).lower() else "ignored"
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind
    return type(exc).__name__
