"""How wide the page's main column is in this browser, so that a table whose long column takes
the spare width (``ui.tables``) is given rows as tall as its text needs at that width, not at
the 1000 px layout's (its headlines wrapped in 160 px, rows of six lines, in a 1920 px window
where one line holds them).

Streamlit tells the server nothing of the browser's size (``st.context`` has its headers, its
locale, its theme, not its width; issue streamlit/streamlit#2258), and its grid (1.67) has no
row height that follows the text. So a small ``st.components.v2`` component (Streamlit's own:
no new dependency), mounted at the foot of the sidebar, measures the main column's content
width in the browser and reports it in whole pixels; the script reruns with it and keeps it in
the session (``main_px``) for every page. It reports again whenever the column narrows (a
smaller window, the sidebar opened) and when it widens by more than ``SLACK_PX`` (a scrollbar
that comes and goes does not rerun the page): rows made for a width a little under the real one
are at most a line taller, never cut. Until the first report (the first run of a session, or a
script run without a browser, AppTest) tables are laid out for the 1000 px window, as before.
The CSV downloads do not depend on it.

The component's element carries ``data-main-px`` (the width measured) and ``data-settled``
("true" once the script has the width it would report), which the browser tests wait for."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

KEY = "main_width"  # the component's key
STORED = "main_px"  # session state: the main column's width last reported, in px
SLACK_PX = 24  # a wider column is reported only beyond this (a scrollbar is 15-17 px)

JS = """
export default function ({ data, setStateValue, parentElement }) {
  const host = parentElement.host ?? parentElement;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main) return;
  const known = data?.known ?? null;
  const slack = data?.slack ?? 0;
  const measure = () => {
    const s = getComputedStyle(main);
    return Math.floor(main.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight));
  };
  const report = () => {
    const px = measure();
    const stale = px > 0 && (known === null || px < known || px > known + slack);
    host.dataset.mainPx = String(px);
    host.dataset.settled = String(!stale);
    if (stale) setStateValue('px', px);
  };
  report();
  let timer = null;
  const observer = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(report, 200); });
  observer.observe(main);
  return () => { observer.disconnect(); clearTimeout(timer); };
}
"""

_measure = st.components.v2.component("pantau.main_width", js=JS)


def _keep() -> None:
    """The component reported a width: keep it for this session's runs (the callback runs
    before the script, which passes it back to the component as known)."""
    state = st.session_state.get(KEY)
    px = state.get("px") if isinstance(state, Mapping) else None
    if isinstance(px, int | float) and not isinstance(px, bool) and px > 0:
        st.session_state[STORED] = int(px)


def track() -> None:
    """Mount the measuring component (at the foot of the sidebar), telling it the width this
    session already has."""
    with st.sidebar:
        _measure(
            key=KEY,
            data={"known": st.session_state.get(STORED), "slack": SLACK_PX},
            on_px_change=_keep,
        )


def main_px() -> int | None:
    """The main column's content width in this browser, in px; None until it is known."""
    px = st.session_state.get(STORED)
    return px if isinstance(px, int) else None
