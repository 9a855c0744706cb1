"""Pantau's ingest package."""

import threading

from tqdm import tqdm

# Progress bars lock with a thread lock only. tqdm's default lock also holds a semaphore shared
# with forked children; a child killed while drawing a bar leaves it held for ever, and the
# parent's next bar waits on it for ever (seen in CI: a worker whose test had SIGKILLed forked
# imports hung in its next poll). Pantau's bars never span processes.
tqdm.set_lock(threading.RLock())
