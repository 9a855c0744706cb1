"""Each dashboard page's run as a reader sees it, beside a trivial Streamlit + plotly page
(issue 11, item 1): real Chromium, from navigation to the end of the script run.

    .venv/bin/python bench/bench_page_runs.py --db data/pantau.db [--runs 5]

Two Streamlit servers are started on 127.0.0.1: the dashboard over ``--db`` (the demo store by
default: a store seeded by ``./pantau start``) and a one-chart trivial page. For each page,
the first load after the server started (cold) and the median of ``--runs`` further loads in a
fresh tab (warm) are timed: from ``page.goto`` until Streamlit reports the script finished
(``data-test-script-state="notRunning"`` with the main block drawn). Goal: every page's warm
run within 2x the trivial page's, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("Overview", ""),
    ("Coverage", "Coverage"),
    ("Map", "Map?c=RUS"),
    ("Country pair", "Country_pair?pair=RUS-UKR"),
    ("Articles", "Articles"),
    ("Feeds", "Feeds"),
    ("Watchlist", "Watchlist"),
    ("Stories", "Stories"),
]
TRIVIAL = """\
import plotly.express as px
import streamlit as st

st.title("Trivial")
st.plotly_chart(px.line(x=[1, 2, 3], y=[1, 3, 2]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(script: Path, port: int, environment: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"streamlit did not start on port {port}")


def load_seconds(browser, url: str) -> float:  # noqa: ANN001
    """One load in a fresh tab: navigation until the script run has finished."""
    context = browser.new_context(viewport={"width": 1920, "height": 1100})
    page = context.new_page()
    began = time.perf_counter()
    page.goto(url, timeout=300_000)
    while True:
        state = page.get_attribute("[data-testid=stApp]", "data-test-script-state")
        if state == "notRunning" and page.locator("[data-testid=stMain]").count():
            break
        page.wait_for_timeout(25)
    elapsed = time.perf_counter() - began
    context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "pantau.db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    environment = {**os.environ, "PANTAU_DATABASE_URL": f"sqlite:///{args.db.resolve()}"}
    with tempfile.TemporaryDirectory() as scratch:
        trivial = Path(scratch) / "trivial.py"
        trivial.write_text(TRIVIAL)
        ports = free_port(), free_port()
        servers = [
            serve(ROOT / "dashboard.py", ports[0], environment),
            serve(trivial, ports[1], environment),
        ]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("PANTAU_CHROMIUM", "/usr/bin/chromium"),
                    args=["--no-sandbox"],
                )
                rows = []
                targets = [("Trivial page", f"http://127.0.0.1:{ports[1]}/")] + [
                    (name, f"http://127.0.0.1:{ports[0]}/{path}") for name, path in PAGES
                ]
                for name, url in targets:
                    cold = load_seconds(browser, url)
                    warm = statistics.median(load_seconds(browser, url) for _ in range(args.runs))
                    rows.append((name, cold, warm))
                browser.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    base = rows[0][2]
    print(f"store: {args.db}   warm = median of {args.runs} loads, each in a fresh tab")
    print(f"{'page':<14} {'cold s':>7} {'warm s':>7} {'warm / trivial':>15}")
    for name, cold, warm in rows:
        mark = "" if warm <= 2 * base else "   over 2x"
        print(f"{name:<14} {cold:7.2f} {warm:7.2f} {warm / base:14.2f}x{mark}")


if __name__ == "__main__":
    main()
