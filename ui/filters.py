"""Shared sidebar filters, mirrored into the URL (``st.query_params``) so a view is a link.

The widgets and the URL sync live here; each filter's URL parameter, parsing and validation are
``ingest.filters``' (re-exported: ``PARAM_KEYS``, ``to_query_params``, ``from_query_params``).
Parsing is strict and total: anything not understood is dropped, never passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ingest.catalogue import OUTLET_TYPES
from ingest.filter_words import TOPIC_LABELS, language_name, outlet_type_label
from ingest.filters import (
    MAX_SEARCH_CHARS,
    MENTION_RULE,
    PARAM_KEYS,
    Filters,
    describe,
    from_query_params,
    to_query_params,
)
from ingest.geo import all_countries, country_name
from ingest.queries import Outlet
from ingest.records import MIN_BODY_MENTIONS
from ui.highlight import md_escape

__all__ = ["PARAM_KEYS", "from_query_params", "to_query_params"]

# The counting rule in a line under the switch (the whole rule: its help, docs/prominence.md).
MENTION_CAPTION = (
    "Counting prominent mentions: a country named in the title or lead, or at least "
    f"{MIN_BODY_MENTIONS} times in the body (core). A single mention deep in the body (weak) is "
    "left out."
)
MENTION_ANY_CAPTION = "Counting any mention: a single mention deep in an article's body counts too."
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


def outlets_of(feed_ids: tuple[int, ...], outlets: Mapping[str, Outlet]) -> list[str]:
    """The outlets (keys) that hold any of ``feed_ids``: what the Outlets widget shows."""
    chosen = set(feed_ids)
    return [key for key, o in outlets.items() if chosen & set(o.feed_ids)]


def feeds_of(keys: list[str], outlets: Mapping[str, Outlet]) -> tuple[int, ...]:
    """Every feed of the outlets ``keys`` (a catalogue feed and its archive copies alike)."""
    return tuple(i for key in keys if key in outlets for i in outlets[key].feed_ids)


def _sync_widgets(f: Filters, outlets: Mapping[str, Outlet]) -> None:
    import streamlit as st

    st.session_state["flt_dates"] = (f.date_from, f.date_to)
    st.session_state["flt_countries"] = list(f.countries)
    st.session_state["flt_pair_a"] = f.pair[0] if f.pair else ""
    st.session_state["flt_pair_b"] = f.pair[1] if f.pair else ""
    st.session_state["flt_topics"] = list(f.topics)
    st.session_state["flt_languages"] = list(f.languages)
    st.session_state["flt_feeds"] = outlets_of(f.feed_ids, outlets)
    st.session_state["flt_search"] = f.search
    st.session_state["flt_any_mention"] = f.any_mention
    st.session_state["flt_outlet_types"] = list(f.outlet_types)
    st.session_state["flt_outlet_homes"] = list(f.outlet_homes)


def sidebar_filters() -> Filters:
    """Render the shared filters in the sidebar and return them (URL and session kept in step)."""
    import streamlit as st

    from ui import data

    defaults = data.default_filters()
    span = data.data_date_range()
    outlets = data.outlets()
    languages = data.languages_held()
    homes_held = data.outlet_homes_held()

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
        _sync_widgets(target, outlets)

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
    chosen = sb.multiselect(
        "Outlets", sorted(outlets, key=lambda k: (outlets[k].name.lower(), k)), key="flt_feeds",
        format_func=lambda k: outlets[k].name if k in outlets else k, placeholder="All outlets",
    )  # fmt: skip
    feeds = feeds_of(chosen, outlets)
    outlet_types = sb.multiselect(
        "Outlet type", list(OUTLET_TYPES), key="flt_outlet_types", format_func=outlet_type_label,
        placeholder="All outlet types", help="As the feed catalogue declares it",
    )  # fmt: skip
    home_options = list(dict.fromkeys([*homes_held, *st.session_state.get("flt_outlet_homes", [])]))
    outlet_homes = sb.multiselect(
        "Outlet home country", home_options, key="flt_outlet_homes", format_func=country_name,
        placeholder="All outlet countries",
    )  # fmt: skip
    search = sb.text_input("Text in title or summary", key="flt_search", max_chars=MAX_SEARCH_CHARS)
    any_mention = sb.toggle("Count any mention of a country", key="flt_any_mention",
                            help=MENTION_RULE)  # fmt: skip
    sb.caption(MENTION_CAPTION if not any_mention else MENTION_ANY_CAPTION)
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
        feed_ids=feeds,
        search=search,
        any_mention=any_mention,
        outlet_types=tuple(outlet_types),
        outlet_homes=tuple(outlet_homes),
        feed_titles=tuple(outlets[k].name for k in chosen if k in outlets),
    )
    st.session_state[_STATE] = current
    _write_url(to_query_params(current))
    sb.caption("The address bar holds this view: copy it to share exactly what you see.")
    return current


def caption(f: Filters, subject: str = "Articles") -> None:
    """The view in words, under a page's title."""
    import streamlit as st

    st.markdown(f"**{md_escape(describe(f, subject))}**")
