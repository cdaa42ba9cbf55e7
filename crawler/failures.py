"""Name the kind of a failed request, for per-source error counts in the run summary."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

_KINDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (error.DNSLookupError, "dns"),
    ((error.TimeoutError, error.TCPTimedOutError), "timeout"),
    (error.ConnectionRefusedError, "connection_refused"),
    ((error.ConnectionLost, error.ConnectionDone, ResponseFailed), "connection_lost"),
    (error.ConnectError, "connect"),
)


def failure_kind(failure: Failure) -> str:
    """``dns``, ``timeout``, ``http_503``, ``robots``... for a request's failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        return "robots" if "robots" in str(exc).lower() or not str(exc) else "ignored"
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind
    return type(exc).__name__
