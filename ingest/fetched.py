"""What fetching one address (a feed in ``ingest.fetch``, a page in ``ingest.page_fetch``)
ended as: the fields both results share, and the timing and last-resort error handling
around one attempt."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar


@dataclass
class Fetched:
    """What fetching one address ended as: the fields a feed's fetch (``FetchResult``) and a
    page's (``ingest.page_fetch.PageResult``) share; each documents its own outcomes."""

    url: str
    final_url: str
    outcome: str
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    retry_after: datetime | None = None
    error: str | None = None
    error_category: str | None = None
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


_R = TypeVar("_R", bound=Fetched)


def timed_attempt(
    url: str,
    attempt: Callable[[float], _R],
    result_type: type[_R],
    logger: logging.Logger,
    message: str,
) -> _R:
    """``attempt(started)``'s result with its ``duration_ms`` set; an exception it raises (our
    bug: one bad address never stops a run) is logged with ``message`` and ends as an "error"
    of category "unexpected"."""
    started = time.monotonic()
    try:
        result = attempt(started)
    except Exception as exc:
        logger.exception(message, url)
        result = result_type(
            url=url,
            final_url=url,
            outcome="error",
            error=f"unexpected error: {type(exc).__name__}: {exc}",
            error_category="unexpected",
        )
    result.duration_ms = round((time.monotonic() - started) * 1000)
    return result
