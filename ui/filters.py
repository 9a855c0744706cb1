"""Shared sidebar filters, mirrored into the URL (``st.query_params``) so a view is a link.

The widgets and the URL sync live here; each filter's URL parameter, parsing and validation are
``ingest.filters``' (re-exported: ``PARAM_KEYS``, ``to_query_params``, ``from_query_params``).
Parsing is strict and total: anything not understood is dropped, never passed on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ingest.catalogue import OUTLET_TYPES
from ingest.filter_words import TOPIC_LABELS, language_name, outlet_type_label
from ingest.filters import (
    BY_NAME,
    FILTERS,
    MAX_SEARCH_CHARS,
    MENTION_RULE,
    PARAM_KEYS,
    Filters,
    describe,
    from_query_params,
    to_query_params,
)
from ingest.geo import all_countries, country_name
from ingest.queries import Outlet, feeds_of, outlets_of
from ingest.records import MIN_BODY_MENTIONS
from ingest.tagging.entities import (
    Entity,
    all_entities,
    entities_matching,
    entity_by_qid,
    names_in_scripts,
)
from ui.highlight import md_escape

__all__ = ["PARAM_KEYS", "from_query_params", "to_query_params"]

# The counting rule in a line under the switch (the whole rule: its help, docs/prominence.md).
MENTION_CAPTION = (
    "Counting prominent mentions: a country named in the title or lead, or at least "
    f"{MIN_BODY_MENTIONS} times in the body (core). A single mention deep in the body (weak) is "
    "left out."
)
MENTION_ANY_CAPTION = "Counting any mention: a single mention deep in an article's body counts too."
# What the counts count, in a line under its switch.
COUNT_ARTICLES_CAPTION = "Count: articles (every copy of a syndicated story counts)."
COUNT_STORIES_CAPTION = "Count: stories (one per story, so syndicated copies count once)."
ENTITY_HELP = (
    "Articles naming any of them, in any language and script: Vladimir Putin finds Путин, "
    "푸틴, 普京 and Poutine. Any mention counts. The list is Pantau's table of people and "
    "organisations (ingest/data/entities/), each with its Wikidata ID."
)
MAX_SUGGESTIONS = 3  # entities offered under the text box
_STATE = "pantau_filters"
_FORCE = "pantau_filters_force"
_PAGE = "pantau_filters_page"  # the page whose run last drew the widgets

# Which filters each page applies (names of ``ingest.filters.FILTERS``): the sidebar shows
# those, and the URL carries their parameters, no others. The rest keep their values for the
# pages that use them. Feeds and Watchlist list every feed and every watch: no filter applies.
# Articles and Stories list rows, whatever the counts count: the count switch is not theirs.
EVERY_FILTER: tuple[str, ...] = tuple(flt.name for flt in FILTERS)
ROW_FILTERS: tuple[str, ...] = tuple(name for name in EVERY_FILTER if name != "count")
PAGE_FILTERS: dict[str, tuple[str, ...]] = {
    "overview": EVERY_FILTER,
    "coverage": EVERY_FILTER,
    "map": EVERY_FILTER,
    "pair": EVERY_FILTER,
    "articles": ROW_FILTERS,
    "feeds": (),
    "watchlist": (),
    "stories": ROW_FILTERS,
}
# Each filter's widgets in the sidebar: the session keys that hold its value.
WIDGETS: dict[str, tuple[str, ...]] = {
    "dates": ("flt_dates",),
    "countries": ("flt_countries",),
    "pair": ("flt_pair_a", "flt_pair_b"),
    "entities": (
        "flt_entities",
    ),  # no widget yet: the URL's entity= is kept (issue 14; the lead adds it)
    "topics": ("flt_topics",),
    "languages": ("flt_languages",),
    "outlets": ("flt_feeds",),
    "text": ("flt_search",),
    "mention": ("flt_any_mention",),
    "outlet_types": ("flt_outlet_types",),
    "outlet_homes": ("flt_outlet_homes",),
    "count": ("flt_count_stories",),
}


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


def _sync_widgets(f: Filters, outlets: Mapping[str, Outlet]) -> None:
    import streamlit as st

    st.session_state["flt_dates"] = (f.date_from, f.date_to)
    st.session_state["flt_countries"] = list(f.countries)
    st.session_state["flt_pair_a"] = f.pair[0] if f.pair else ""
    st.session_state["flt_pair_b"] = f.pair[1] if f.pair else ""
    st.session_state["flt_topics"] = list(f.topics)
    st.session_state["flt_entities"] = list(f.entities)
    st.session_state["flt_languages"] = list(f.languages)
    st.session_state["flt_feeds"] = outlets_of(f.feed_ids, outlets)
    st.session_state["flt_search"] = f.search
    st.session_state["flt_any_mention"] = f.any_mention
    st.session_state["flt_outlet_types"] = list(f.outlet_types)
    st.session_state["flt_outlet_homes"] = list(f.outlet_homes)
    st.session_state["flt_count_stories"] = f.count_stories


def _fields(f: Filters, names: Iterable[str]) -> dict[str, Any]:
    """The values ``f`` holds for the filters ``names``, by field."""
    return {field: getattr(f, field) for name in names for field in BY_NAME[name].fields}


def sidebar_filters(page: str) -> Filters:
    """Render the filters that apply to ``page`` (``PAGE_FILTERS``) in the sidebar and return
    the view: those from their widgets, the others as the session last held them. The URL
    carries the page's filters, and the session keeps them all in step."""
    import streamlit as st

    from ui import data

    shown = PAGE_FILTERS[page]
    defaults = data.default_filters()
    last: Filters | None = st.session_state.get(_STATE)
    kept = last if last is not None else defaults  # the hidden filters' values
    own_params = [p for name in shown for p in BY_NAME[name].params]
    url_f = None
    if any(k in st.query_params for k in own_params):
        from_url = from_query_params(st.query_params.to_dict(), defaults)
        # A filter the last page did not carry in the URL (it was not that page's) keeps the
        # session's value unless the URL names it: its absence there says nothing.
        before = str(st.session_state.get(_PAGE))
        carried = set(PAGE_FILTERS.get(before, EVERY_FILTER)) if last is not None else None
        read = [
            name
            for name in shown
            if carried is None
            or name in carried
            or any(p in st.query_params for p in BY_NAME[name].params)
        ]
        url_f = kept.with_(**_fields(from_url, read))
    force = st.session_state.pop(_FORCE, False)
    # A widget drawn on another page lost its value in the switch, though its key may remain.
    widgets_missing = st.session_state.get(_PAGE) != page or any(
        k not in st.session_state for name in shown for k in WIDGETS[name]
    )
    st.session_state[_PAGE] = page
    if url_f is not None and (url_f != last or force):
        target = url_f
        sync = True
    elif last is not None:
        target = last
        sync = widgets_missing or force
    else:
        target = defaults
        sync = True
    values = _fields(target, EVERY_FILTER)
    sb = st.sidebar
    if not shown:
        sb.caption("No filter applies to this page; the other pages keep theirs.")
        st.session_state[_STATE] = target
        _write_url({})
        return target
    outlets = data.outlets()
    if sync:
        _sync_widgets(target, outlets)
    sb.header("Filters")
    if "dates" in shown:
        values.update(_date_widgets(target))
    country_codes = sorted((c.iso3 for c in all_countries()), key=country_name)
    if "countries" in shown:
        values["countries"] = tuple(sb.multiselect(
            "Countries (any of)", country_codes, key="flt_countries", format_func=country_name,
            placeholder="All countries",
        ))  # fmt: skip
    if "pair" in shown:
        sb.caption("Country pair (articles mentioning both)")
        col_a, col_b = sb.columns(2)
        options = ["", *country_codes]
        label = lambda c: country_name(c) if c else "—"  # noqa: E731
        pa = col_a.selectbox("First country", options, key="flt_pair_a", format_func=label)
        pb = col_b.selectbox("Second country", options, key="flt_pair_b", format_func=label)
        values["pair"] = (pa, pb) if pa and pb and pa != pb else None
    if "topics" in shown:
        values["topics"] = tuple(sb.multiselect(
            "Topics (any of)", list(TOPIC_LABELS), key="flt_topics",
            format_func=lambda t: TOPIC_LABELS[t], placeholder="All topics",
        ))  # fmt: skip
    if "entities" in shown:
        values["entities"] = tuple(sb.multiselect(
            "People & organisations (any of)", [e.qid for e in all_entities()],
            key="flt_entities", format_func=entity_option,
            placeholder="Anyone", help=ENTITY_HELP,
            # The typed text as a whole, in a name or an alias in any script: Streamlit's default
            # ("fuzzy": the letters in order, anywhere) offered "Prabowo SUbianTo · INdonesia"
            # for "Putin", among dozens of others.
            filter_mode="contains",
        ))  # fmt: skip
    if "languages" in shown:
        held = data.languages_held()
        lang_options = list(dict.fromkeys([*held, *st.session_state.get("flt_languages", [])]))
        values["languages"] = tuple(sb.multiselect(
            "Languages", lang_options, key="flt_languages", format_func=language_name,
            placeholder="All languages",
        ))  # fmt: skip
    feed_titles = target.feed_titles
    if "outlets" in shown:
        chosen = sb.multiselect(
            "Outlets", sorted(outlets, key=lambda k: (outlets[k].name.lower(), k)),
            key="flt_feeds", format_func=lambda k: outlets[k].name if k in outlets else k,
            placeholder="All outlets",
        )  # fmt: skip
        values["feed_ids"] = feeds_of(chosen, outlets)
        feed_titles = tuple(outlets[k].name for k in chosen if k in outlets)
    if "outlet_types" in shown:
        values["outlet_types"] = tuple(sb.multiselect(
            "Outlet type", list(OUTLET_TYPES), key="flt_outlet_types",
            format_func=outlet_type_label, placeholder="All outlet types",
            help="As the feed catalogue declares it",
        ))  # fmt: skip
    if "outlet_homes" in shown:
        homes = data.outlet_homes_held()
        home_options = list(dict.fromkeys([*homes, *st.session_state.get("flt_outlet_homes", [])]))
        values["outlet_homes"] = tuple(sb.multiselect(
            "Outlet home country", home_options, key="flt_outlet_homes",
            format_func=country_name, placeholder="All outlet countries",
        ))  # fmt: skip
    if "text" in shown:
        values["search"] = sb.text_input(
            "Text in title, summary or body", key="flt_search", max_chars=MAX_SEARCH_CHARS
        )
        if "entities" in shown:
            _entity_suggestions(values["search"], values.get("entities", ()))
    if "mention" in shown:
        any_mention = sb.toggle("Count any mention of a country", key="flt_any_mention",
                                help=MENTION_RULE)  # fmt: skip
        sb.caption(MENTION_CAPTION if not any_mention else MENTION_ANY_CAPTION)
        values["any_mention"] = any_mention
    if "count" in shown:
        count_stories = sb.toggle(
            "Count stories, not articles", key="flt_count_stories",
            help="Counts, charts and the map count distinct stories: a wire story republished "
            "by ten outlets counts once. Lists and downloads of articles are unchanged.",
        )  # fmt: skip
        sb.caption(COUNT_STORIES_CAPTION if count_stories else COUNT_ARTICLES_CAPTION)
        values["count_stories"] = count_stories
    if sb.button("Reset filters", icon=":material/restart_alt:"):
        set_filters(defaults)
        st.rerun()
    current = Filters(**values, feed_titles=feed_titles)
    st.session_state[_STATE] = current
    params = to_query_params(current)
    _write_url({k: v for k, v in params.items() if k in own_params})
    sb.caption("The address bar holds this view: copy it to share exactly what you see.")
    return current


def entity_label(qid: str) -> str:
    """A person or organisation as the sidebar lists it: the name, and a person's country
    ("Vladimir Putin · Russia"); the QID itself when the table no longer holds it."""
    entity = entity_by_qid(qid)
    if entity is None:
        return qid
    if entity.kind == "person" and entity.country:
        return f"{entity.name} · {country_name(entity.country)}"
    return entity.name


def entity_option(qid: str) -> str:
    """An entity as the sidebar's list offers it: its label and its names in other scripts
    ("Vladimir Putin · Russia — Путин, 푸틴, 普京, プーチン, بوتين"), so that typing a name in
    any of them finds it."""
    names = names_in_scripts(qid)
    return entity_label(qid) + (" — " + ", ".join(names) if names else "")


def entity_suggestions(search: str, chosen: Iterable[str]) -> list[Entity]:
    """The people and organisations a typed search names (``entities_matching``: any alias, any
    script, any case, a word's start), those not chosen already, at most ``MAX_SUGGESTIONS``."""
    taken = set(chosen)
    found = entities_matching(search.strip()) if search and search.strip() else []
    return [e for e in found if e.qid not in taken][:MAX_SUGGESTIONS]


def _choose_entity(qid: str) -> None:
    """The suggestion taken: the entity joins the filter and the typed text goes (the entity
    finds every spelling the text would, and more)."""
    import streamlit as st

    chosen = list(st.session_state.get("flt_entities", []))
    st.session_state["flt_entities"] = [*chosen, qid] if qid not in chosen else chosen
    st.session_state["flt_search"] = ""


def _entity_suggestions(search: str, chosen: Iterable[str]) -> None:
    """Under the text box: the entities the typed text names, each a button that filters by
    it in every language and script ("Putin" → Vladimir Putin: Путин, 푸틴, 普京, Poutine)."""
    import streamlit as st

    found = entity_suggestions(search, chosen)
    if not found:
        return
    sb = st.sidebar
    sb.caption("Find them in every language and script instead:")
    for entity in found:
        sb.button(
            entity_label(entity.qid), key=f"flt_suggest_{entity.qid}",
            icon=":material/person_search:" if entity.kind == "person" else
            ":material/groups:",
            on_click=_choose_entity, args=(entity.qid,),
            help=f"Filter by {entity.name} (Wikidata {entity.qid}): every spelling Pantau "
            "knows, in every script, not only the typed text.",
        )  # fmt: skip


def _date_widgets(target: Filters) -> dict[str, date]:
    """The date range widget and its "All dates" button; the range chosen."""
    import streamlit as st

    from ui import data

    span = data.data_date_range()
    sb = st.sidebar
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
    return {"date_from": start, "date_to": end}


def caption(f: Filters, subject: str = "Articles") -> None:
    """The view in words, under a page's title."""
    import streamlit as st

    st.markdown(f"**{md_escape(describe(f, subject))}**")
