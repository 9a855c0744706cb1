"""Progress bars: tqdm, imported by the first bar a command draws (importing tqdm takes ~50 ms,
which ``python -m ingest tag`` and every other command without a bar need not pay)."""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm import tqdm


@cache
def _tqdm() -> type[tqdm]:
    from tqdm import tqdm

    # Bars lock with a thread lock only. tqdm's default lock also holds a semaphore shared with
    # forked children; a child killed while drawing a bar leaves it held for ever, and the
    # parent's next bar waits on it for ever (seen in CI: a worker whose test had SIGKILLed
    # forked imports hung in its next poll). Pantau's bars never span processes.
    tqdm.set_lock(threading.RLock())
    return tqdm


def progress_bar(*args: Any, **kwargs: Any) -> tqdm:
    """A tqdm progress bar (same arguments), with Pantau's lock."""
    return _tqdm()(*args, **kwargs)
