"""View settings in the URL: every control that changes what a page shows (sort, per page, page
number, a chart's series, grain and measure, the chosen point of the Coverage chart, the map's
shade, scale and focus, the story open) beside the sidebar filters, so a link restores the view
exactly, on a first visit in a fresh browser too.

They are not row filters (``ingest.filters`` has those, and ``python -m ingest export`` mirrors
them): each is declared once here, in VIEW_PARAMS — its widget key, URL parameter, the values it
takes and its default — and one mechanism keeps widget and URL in step:

- ``restore(name)`` before the widget: a URL value that this session did not write itself (a
  shared link, an edited address) becomes the widget's value; anything not understood is the
  default.
- ``publish(name, value)`` after it: the value goes into the URL, or leaves it when it is the
  default (links stay short).

A parameter belongs to one page; ``keep_only(page)`` drops the others' from the address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.filter_base import first_param
from ui import sizes

if TYPE_CHECKING:
    from ingest.filters import Filters

_WRITTEN = "pantau_view_url:"  # session key prefix: the URL text this session last wrote


@dataclass(frozen=True)
class ViewParam:
    """One view setting: ``page`` it belongs to, ``key`` of its widget, URL ``param``, the
    ``choices`` it takes (texts; None for a whole number ≥ ``minimum``) and its ``default``."""

    page: str
    key: str
    param: str
    default: Any
    choices: tuple[str, ...] | None = None
    minimum: int = 1
    boolean: bool = False

    def parse(self, raw: str, default: Any = None) -> Any:
        """The value of URL text ``raw``; ``default`` (else the declared one) when it is absent
        or not understood."""
        fallback = self.default if default is None else default
        raw = raw.strip()
        if self.boolean:
            return {"1": True, "0": False}.get(raw, fallback)
        if self.choices is not None:
            return raw if raw in self.choices else fallback
        if raw.isdigit() and len(raw) <= 9 and int(raw) >= self.minimum:
            return int(raw)
        return fallback

    def format(self, value: Any) -> str:
        if self.boolean:
            return "1" if value else "0"
        return str(value)


def _p(page: str, key: str, param: str, default: Any, choices: Any = None, **kw: Any) -> ViewParam:
    return ViewParam(page, key, param, default, tuple(choices) if choices else None, **kw)


ARTICLE_SORTS = ("newest", "oldest", "title", "outlet", "language")
COVERAGE_SERIES = ("country", "pair", "topic", "total")
GRAIN_CHOICES = ("auto", "D", "W", "M")
MEASURES = ("articles", "share")
MAP_SCALES = ("linear", "log", "quantile")

# The registry, one line per view setting. The Map's focus, the Coverage series and the
# Coverage point (its series and its period: what the articles below the chart are) have a
# default that depends on the data; the page passes it (``restore(..., default=)``).
VIEW_PARAMS: tuple[ViewParam, ...] = (
    _p("articles", "art_sort", "sort", "newest", ARTICLE_SORTS),
    _p("articles", "art_size", "per", sizes.ARTICLE_PAGE_SIZE, None, minimum=1),
    _p("articles", "art_page", "page", 1, None, minimum=1),
    _p("articles", "art_pick", "article", 0, None, minimum=1),
    _p("coverage", "cov_by", "series", "country", COVERAGE_SERIES),
    _p("coverage", "cov_freq", "grain", "auto", GRAIN_CHOICES),
    _p("coverage", "cov_measure", "measure", "articles", MEASURES),
    _p("coverage", "cov_rolling", "rolling", True, boolean=True),
    _p("coverage", "cov_point_key", "point", "", None),
    _p("coverage", "cov_point_day", "period", "", None),
    _p("map", "map_measure", "shade", "articles", MEASURES),
    _p("map", "map_scale", "scale", "linear", MAP_SCALES),
    _p("map", "map_focus", "focus", "", None),
    _p("pair", "pair_freq", "grain", "auto", GRAIN_CHOICES),
    _p("pair", "pair_shown", "shown", sizes.EVIDENCE_ARTICLES, None, minimum=1),
    _p("stories", "story_pick", "story", 0, None, minimum=1),
)
BY_KEY: dict[str, ViewParam] = {v.key: v for v in VIEW_PARAMS}
VIEW_PARAM_NAMES: frozenset[str] = frozenset(v.param for v in VIEW_PARAMS)


def view_params(page: str) -> list[ViewParam]:
    return [v for v in VIEW_PARAMS if v.page == page]


# --------------------------------------------------------------------------------------------
# Streamlit


def _url() -> Mapping[str, Any]:
    import streamlit as st

    return st.query_params.to_dict()


def restore(key: str, default: Any = None, parse: Callable[[str], Any] | None = None) -> Any:
    """Before the widget ``key``: take its value from the URL when this session did not write
    that URL text itself (a shared link, an edited address), or when the widget has no value
    yet. Returns the widget's value."""
    import streamlit as st

    v = BY_KEY[key]
    raw = first_param(_url(), v.param)
    written = st.session_state.get(_WRITTEN + key)
    if written != raw or key not in st.session_state:
        value = parse(raw) if parse is not None else v.parse(raw, default)
        st.session_state[key] = value
        st.session_state[_WRITTEN + key] = raw
    return st.session_state[key]


def publish(key: str, value: Any, default: Any = None) -> None:
    """After the widget ``key``: its value into the URL, or out of it when it is the default."""
    import streamlit as st

    v = BY_KEY[key]
    default = v.default if default is None else default
    raw = "" if value == default else v.format(value)
    if raw:
        if first_param(_url(), v.param) != raw:
            st.query_params[v.param] = raw
    elif v.param in st.query_params:
        del st.query_params[v.param]
    st.session_state[_WRITTEN + key] = raw


def keep_only(page: str) -> None:
    """Drop the URL view settings of other pages (a link to the Map carries no sort order)."""
    import streamlit as st

    own = {v.param for v in view_params(page)}
    for name in VIEW_PARAM_NAMES - own:
        if name in st.query_params:
            del st.query_params[name]


def url_radio(
    container: Any, label: str, options: Iterable[Any], key: str, default: Any = None, **kw: Any
) -> Any:
    """A horizontal radio whose value the URL keeps (``restore`` before it, ``publish`` after);
    ``kw`` go to Streamlit's ``radio``. Returns the value chosen."""
    restore(key, default=default)
    value = container.radio(label, list(options), horizontal=True, key=key, **kw)
    publish(key, value, default=default)
    return value


def grain_radio(container: Any, key: str, f: Filters) -> str:
    """The "Per" radio (Auto, or a grain of ``ui.charts.GRAINS``) kept in the URL; the grain
    chosen, Auto resolved for the view ``f`` (``grain_for``)."""
    from ingest.queries import grain_for
    from ui.charts import GRAINS

    words = {"auto": "Auto", **{k: label for k, (label, _word) in GRAINS.items()}}
    chosen = url_radio(
        container, "Per", words, key, format_func=words.get,
        help="Auto: days up to 120 days, weeks up to three years, months beyond.",
    )  # fmt: skip
    return grain_for(f) if chosen == "auto" else str(chosen)
