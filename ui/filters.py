"""Shared sidebar filters, mirrored into the URL (``st.query_params``) so a view is a link.

URL form (every key optional, lists comma-separated): ``from=2024-06-01&to=2024-06-30&c=RUS,PRK
&pair=PRK-RUS&t=military,diplomacy&lang=en,id&feed=3,7&q=text``. Parsing is strict and total:
anything not understood is dropped, never passed on (codes are checked against the country
reference, topics against the taxonomy, languages against a pattern, feed ids must be integers,
dates must be ISO dates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ingest.geo import all_countries, country_name
from ingest.queries import EARLIEST, LATEST, TOPIC_LABELS, Filters, describe, language_name
from ui.highlight import md_escape

PARAM_KEYS = ("from", "to", "c", "pair", "t", "lang", "feed", "q")
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_STATE = "pantau_filters"
_FORCE = "pantau_filters_force"


def to_query_params(f: Filters) -> dict[str, str]:
    """The URL query parameters of ``f`` (round trip: ``from_query_params`` gives ``f`` back)."""
    params = {"from": f.date_from.isoformat(), "to": f.date_to.isoformat()}
    if f.countries:
        params["c"] = ",".join(f.countries)
    if f.pair:
        params["pair"] = "-".join(f.pair)
    if f.topics:
        params["t"] = ",".join(f.topics)
    if f.languages:
        params["lang"] = ",".join(x or "unknown" for x in f.languages)
    if f.feed_ids:
        params["feed"] = ",".join(str(i) for i in f.feed_ids)
    if f.search:
        params["q"] = f.search
    return params


def _first(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""


def _parse_date(text: str) -> date | None:
    """A date from a URL, or None; dates outside 1970–2100 are refused (they would overflow
    the date arithmetic of the queries and mean nothing for news)."""
    try:
        value = date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None
    return value if value is not None and EARLIEST <= value <= LATEST else None


def _items(text: str, limit: int = 50) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()][:limit]


def from_query_params(params: Mapping[str, Any], defaults: Filters) -> Filters:
    """Filters from URL query parameters; what is missing or invalid falls back to ``defaults``."""
    start = _parse_date(_first(params, "from")) or defaults.date_from
    end = _parse_date(_first(params, "to")) or defaults.date_to
    countries = tuple(c.upper() for c in _items(_first(params, "c")))
    pair_text = _items(_first(params, "pair").replace("-", ","), 2)
    pair = (pair_text[0].upper(), pair_text[1].upper()) if len(pair_text) == 2 else None
    topics = tuple(_items(_first(params, "t")))
    languages = []
    for code in _items(_first(params, "lang")):
        code = code.lower()
        if code == "unknown":
            languages.append("")
        elif _LANG.match(code):
            languages.append(code)
    feed_ids = tuple(
        int(x) for x in _items(_first(params, "feed")) if re.fullmatch(r"[0-9]{1,9}", x)
    )
    return Filters(
        date_from=start,
        date_to=end,
        countries=countries,
        pair=pair,
        topics=topics,
        languages=tuple(languages),
        feed_ids=feed_ids,
        search=_first(params, "q")[:200],
    )


# --------------------------------------------------------------------------------------------
# Streamlit


def set_filters(f: Filters) -> None:
    """Switch the view to ``f`` (e.g. "open this pair"): widgets follow on the next run."""
    import streamlit as st

    st.session_state[_STATE] = f
    st.session_state[_FORCE] = True
    st.query_params.from_dict(to_query_params(f))


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


def sidebar_filters(show_pair: bool = True) -> Filters:
    """Render the shared filters in the sidebar and return them (URL and session kept in step)."""
    import streamlit as st

    from ui import data

    defaults: Filters = data.query("default_filters")
    span = data.query("data_date_range")
    names: dict[int, str] = data.query("feed_names")
    languages: list[str] = data.query("languages_held")

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
    pair: tuple[str, str] | None = None
    if show_pair:
        sb.caption("Country pair (articles mentioning both)")
        col_a, col_b = sb.columns(2)
        options = ["", *country_codes]
        label = lambda c: country_name(c) if c else "—"  # noqa: E731
        pa = col_a.selectbox("First country", options, key="flt_pair_a", format_func=label)
        pb = col_b.selectbox("Second country", options, key="flt_pair_b", format_func=label)
        pair = (pa, pb) if pa and pb and pa != pb else None
    else:
        pair = target.pair
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
    search = sb.text_input("Text in title or summary", key="flt_search", max_chars=200)
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
    params = to_query_params(current)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    sb.caption("The address bar holds this view: copy it to share exactly what you see.")
    return current


def caption(f: Filters, subject: str = "Articles") -> None:
    """The view in words, under a page's title."""
    import streamlit as st

    st.markdown(f"**{md_escape(describe(f, subject))}**")


_md_escape = md_escape
