"""Shared sidebar filters, mirrored into the URL (``st.query_params``) so a view is a link.

The widgets and the URL sync live here; each filter's URL parameter, parsing and validation are
``ingest.filters``' (re-exported: ``PARAM_KEYS``, ``to_query_params``, ``from_query_params``).
Parsing is strict and total: anything not understood is dropped, never passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ingest.filters import (
    MAX_SEARCH_CHARS,
    PARAM_KEYS,
    TOPIC_LABELS,
    Filters,
    describe,
    from_query_params,
    language_name,
    to_query_params,
)
from ingest.geo import all_countries, country_name
from ui.highlight import md_escape

__all__ = ["PARAM_KEYS", "from_query_params", "to_query_params"]

_STATE = "pantau_filters"
_FORCE = "pantau_filters_force"


# --------------------------------------------------------------------------------------------
# Streamlit


def set_filters(f: Filters) -> None:
    """Switch the view to ``f`` (e.g. "open this pair"): widgets follow on the next run."""
    import streamlit as st

    st.session_state[_STATE] = f
    st.session_state[_FORCE] = True
    _write_url(to_query_params(f))


def _write_url(params: Mapping[str, str]) -> None:
    """The filters' URL parameters set to ``params``; other parameters (the view settings of
    ``ui.view``) stay as they are."""
    import streamlit as st

    now = st.query_params.to_dict()
    for key in PARAM_KEYS:
        if key in params:
            if now.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in now:
            del st.query_params[key]


def _sync_widgets(f: Filters, names: Mapping[int, str]) -> None:
    import streamlit as st

    st.session_state["flt_dates"] = (f.date_from, f.date_to)
    st.session_state["flt_countries"] = list(f.countries)
    st.session_state["flt_pair_a"] = f.pair[0] if f.pair else ""
    st.session_state["flt_pair_b"] = f.pair[1] if f.pair else ""
    st.session_state["flt_topics"] = list(f.topics)
    st.session_state["flt_languages"] = list(f.languages)
    st.session_state["flt_feeds"] = [i for i in f.feed_ids if i in names]
    st.session_state["flt_search"] = f.search


def sidebar_filters() -> Filters:
    """Render the shared filters in the sidebar and return them (URL and session kept in step)."""
    import streamlit as st

    from ui import data

    defaults = data.default_filters()
    span = data.data_date_range()
    names = data.feed_names()
    languages = data.languages_held()

    has_url = any(k in st.query_params for k in PARAM_KEYS)
    url_f = from_query_params(st.query_params.to_dict(), defaults) if has_url else None
    last: Filters | None = st.session_state.get(_STATE)
    force = st.session_state.pop(_FORCE, False)
    widgets_missing = "flt_dates" not in st.session_state
    if url_f is not None and (url_f != last or force):
        target = url_f
        sync = True
    elif last is not None:
        target = last
        sync = widgets_missing or force
    else:
        target = defaults
        sync = True
    if sync:
        _sync_widgets(target, names)

    country_codes = sorted((c.iso3 for c in all_countries()), key=country_name)
    sb = st.sidebar
    sb.header("Filters")
    lo = span[0] if span else None
    hi = span[1] if span else None
    dates = sb.date_input(
        "Date range", key="flt_dates", min_value=min(lo, target.date_from) if lo else None,
        max_value=max(hi, target.date_to) if hi else None, format="YYYY-MM-DD",
    )  # fmt: skip
    if span:
        sb.button(
            "All dates", key="flt_all_dates", icon=":material/date_range:",
            help=f"Every day the store holds: {span[0]:%Y-%m-%d} – {span[1]:%Y-%m-%d}.",
            on_click=st.session_state.update, kwargs={"flt_dates": span},
        )  # fmt: skip
    if isinstance(dates, tuple | list) and len(dates) == 2:
        start, end = dates
    elif isinstance(dates, tuple | list) and len(dates) == 1:
        start = end = dates[0]
    elif isinstance(dates, date):
        start = end = dates
    else:
        start, end = target.date_from, target.date_to
    countries = sb.multiselect(
        "Countries (any of)", country_codes, key="flt_countries", format_func=country_name,
        placeholder="All countries",
    )  # fmt: skip
    sb.caption("Country pair (articles mentioning both)")
    col_a, col_b = sb.columns(2)
    options = ["", *country_codes]
    label = lambda c: country_name(c) if c else "—"  # noqa: E731
    pa = col_a.selectbox("First country", options, key="flt_pair_a", format_func=label)
    pb = col_b.selectbox("Second country", options, key="flt_pair_b", format_func=label)
    pair = (pa, pb) if pa and pb and pa != pb else None
    topics = sb.multiselect(
        "Topics (any of)", list(TOPIC_LABELS), key="flt_topics",
        format_func=lambda t: TOPIC_LABELS[t], placeholder="All topics",
    )  # fmt: skip
    lang_options = list(dict.fromkeys([*languages, *st.session_state.get("flt_languages", [])]))
    langs = sb.multiselect(
        "Languages", lang_options, key="flt_languages", format_func=language_name,
        placeholder="All languages",
    )  # fmt: skip
    feeds = sb.multiselect(
        "Outlets", sorted(names, key=lambda i: names[i].lower()), key="flt_feeds",
        format_func=lambda i: names.get(i, f"outlet #{i}"), placeholder="All outlets",
    )  # fmt: skip
    search = sb.text_input("Text in title or summary", key="flt_search", max_chars=MAX_SEARCH_CHARS)
    if sb.button("Reset filters", icon=":material/restart_alt:"):
        set_filters(defaults)
        st.rerun()
    current = Filters(
        date_from=start,
        date_to=end,
        countries=tuple(countries),
        pair=pair,
        topics=tuple(topics),
        languages=tuple(langs),
        feed_ids=tuple(feeds),
        search=search,
        feed_titles=tuple(names.get(i, f"outlet #{i}") for i in feeds),
    )
    st.session_state[_STATE] = current
    _write_url(to_query_params(current))
    sb.caption("The address bar holds this view: copy it to share exactly what you see.")
    return current


def caption(f: Filters, subject: str = "Articles") -> None:
    """The view in words, under a page's title."""
    import streamlit as st

    st.markdown(f"**{md_escape(describe(f, subject))}**")
