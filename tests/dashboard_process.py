"""A Streamlit dashboard started as a real process for the browser and deploy tests.

The server binds port 0 (the system picks a free port as it binds, so no other process can take it
between a look-up and the bind) and prints the address it listens on ("URL: http://127.0.0.1:N");
``reported_url`` reads that line from the process's log. ``wait_until_run_finished`` waits on the
app's own script state, as Streamlit's end-to-end tests do.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

# Streamlit prints the final address once the socket is bound ("URL: http://127.0.0.1:43117").
_URL_LINE = re.compile(r"URL: (http://127\.0\.0\.1:(\d+))\s*$", re.M)


def reported_url(proc: subprocess.Popen, log: Path, timeout: float = 90) -> str:
    """The base URL the dashboard in ``proc`` reports in ``log`` once it has bound its port."""
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        found = _URL_LINE.search(text)
        if found and int(found.group(2)) > 0:
            return found.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited ({proc.returncode}): {text[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(
                f"streamlit reported no address in {timeout:.0f} s: {text[-3000:]}"
            )
        time.sleep(0.2)


# The root element carries the script run's state: "running" while the page script runs,
# "notRunning" once it has finished (and "initial" before the first run).
RUN_FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_until_run_finished(page, timeout_ms: int = 60_000) -> None:  # noqa: ANN001
    """Wait until the page's script run has finished and the app is connected."""
    page.wait_for_selector(RUN_FINISHED, state="attached", timeout=timeout_ms)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
        state="attached",
        timeout=timeout_ms,
    )
