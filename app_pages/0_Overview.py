"""Overview (the app's home, at /): totals, top countries and pairs, what is rising, the latest
articles, feed health."""

from __future__ import annotations

import streamlit as st

from ingest.filter_words import language_name
from ingest.filters import Filters
from ingest.queries import (
    BASELINE_DAYS,
    BASELINE_MIN_ARTICLES,
    BASELINE_MIN_DAYS,
    RECENT_DAYS,
    SPIKE_MIN_ARTICLES,
    describe,
    rising_windows,
    spike_explanation,
)
from ui import charts, data, export, feeds, highlight, sizes, tables
from ui.counts import counted
from ui.filters import entity_label
from ui.layout import empty_state, nav_link, start_page

f = start_page("Overview", page="overview")
unit = counted(f)  # articles, or stories

if data.is_demo_only():
    span = data.data_date_range()
    every = data.totals(Filters(date_from=span[0], date_to=span[1])) if span else None
    widen = ""
    if span and every and (f.date_from > span[0] or f.date_to < span[1]):
        # The view opens on the snapshots' last 30 days, which hold a few of their languages.
        widen = (
            f" They span {span[0]:%Y}–{span[1]:%Y}: {every['articles']:,} articles in "
            f"{every['languages']} languages; **All dates** in the sidebar shows every one."
        )
    st.info(
        "This store holds only the bundled demo snapshots (real feed files saved at one moment), "
        "so dates are sparse and nothing updates." + widen + " To monitor live news, run "
        "`python -m ingest run` (or start the dashboard with `PANTAU_BACKGROUND_POLL=1`).",
        icon=":material/science:",
    )

stale = data.stale_tags()
if stale:
    st.info(
        f"{stale:,} stored articles were tagged by an earlier version of the tagger, so their "
        "tags may be missing what it finds now (people and organisations, say). Run "
        "`python -m ingest retag`, then `python -m ingest restory`, to bring them up to date.",
        icon=":material/update:",
    )

t = data.totals(f)
c1, c2, c3, c4 = st.columns(4)
c1.metric(unit.capitalize(), f"{t['articles']:,}")
c2.metric("Outlets", f"{t['feeds']:,}")
c3.metric("Languages", f"{t['languages']:,}")
c4.metric("Countries", f"{t['countries']:,}")

if t["articles"] == 0:
    empty_state("No articles match these filters. Widen the date range or clear a filter.")
    st.stop()

left, right = st.columns(2)
with left:
    st.subheader("Most covered countries")
    top = data.country_counts(f, limit=sizes.TOP_LIST)
    st.plotly_chart(
        charts.bar_figure(
            top, "country", "articles", f"{unit.capitalize()} mentioning each country", unit=unit
        ),
        key="top_countries_chart",
    )
    export.download_csv(
        "Download countries (CSV)", top[["iso3", "country", "articles", "share"]],
        "top-countries", f,
    )  # fmt: skip
with right:
    st.subheader("Most covered pairs")
    pairs = data.pair_counts(f, limit=sizes.TOP_LIST)
    st.plotly_chart(
        charts.bar_figure(
            pairs, "pair", "articles", f"{unit.capitalize()} mentioning both", unit=unit
        ),
        key="top_pairs",
    )
    export.download_csv(
        "Download pairs (CSV)", pairs[["iso3_a", "iso3_b", "pair", "articles"]], "top-pairs", f
    )
    nav_link("app_pages/3_Country_pair.py", label="Open a pair", icon=":material/compare_arrows:")

st.subheader("People and organisations in the news")
people = data.entity_counts(f, limit=sizes.TOP_LIST)
if people.empty:
    empty_state(
        "No article of this view names a person or organisation Pantau knows. The list "
        "(heads of state and government, ministers, international bodies, armed groups, state "
        "media) is in ingest/data/entities/."
    )
else:
    st.caption(
        "Any mention, in any language and script (Путин, 푸틴 and 普京 count for Vladimir "
        "Putin). Pick one under People & organisations in the sidebar to read the articles."
    )
    st.plotly_chart(
        charts.bar_figure(
            people.assign(label=[entity_label(q) for q in people["qid"]]), "label", "articles",
            f"{unit.capitalize()} naming each", unit=unit,
        ),
        key="top_entities_chart",
    )  # fmt: skip
    export.download_csv(
        "Download people and organisations (CSV)",
        people[["qid", "name", "kind", "country", "articles"]], "top-entities", f,
    )  # fmt: skip

st.subheader("Rising fastest")
base_start, recent_start = rising_windows(f)
st.caption(
    f"Last {RECENT_DAYS} days to {f.date_to:%d %B %Y} against each one's own previous "
    f"{BASELINE_DAYS} days. " + spike_explanation(unit)
)
held = data.baseline_days(f)
no_baseline = held < BASELINE_MIN_DAYS
r1, r2 = st.container(), st.container()  # one above the other: every column fits at 1000 px
column_config = {
    "label": "Name",
    "recent": st.column_config.NumberColumn(
        f"{RECENT_DAYS} days",
        format="%d",
        help=f"{unit.capitalize()} in the last {RECENT_DAYS} days",
    ),
    "expected": st.column_config.NumberColumn("Expected", format="%.1f", help="From the baseline"),
    "score": st.column_config.NumberColumn("Score", format="%.1f", help="Spike score"),
}
for column, kind, plural in ((r1, "country", "countries"), (r2, "pair", "pairs")):
    with column:
        rising = data.rising(f, kind=kind, limit=sizes.RISING)
        if no_baseline:
            empty_state(
                f"No baseline to score {plural} against: the store holds articles on only "
                f"{held} of the {BASELINE_DAYS} days before {recent_start:%d %B %Y} (at least "
                f"{BASELINE_MIN_DAYS} needed)."
            )
            continue
        if rising.empty:
            empty_state(
                f"No {kind} has both {SPIKE_MIN_ARTICLES} or more articles in the last "
                f"{RECENT_DAYS} days and a baseline of {BASELINE_MIN_ARTICLES} or more in the "
                f"{BASELINE_DAYS} days before."
            )
            continue
        tables.table(
            rising[["label", "recent", "expected", "score"]], f"rising_{plural}",
            labels=column_config, long="label", grow=False, wrap=("label",),
        )  # fmt: skip
        export.download_csv(f"Download rising {plural} (CSV)", rising, f"rising-{plural}", f)

st.subheader("Latest articles")
latest = data.list_articles(f, limit=sizes.LATEST_ARTICLES)
for row in latest.itertuples():
    when = f"{row.published_at:%d %b %Y %H:%M} UTC"  # an article of no feed has no outlet
    meta = " · ".join(p for p in (row.outlet, when, language_name(row.language)) if p)
    st.markdown(
        highlight.article_html(row.title, "", row.url, meta=meta, lang=row.language),
        unsafe_allow_html=True,
    )
export.download_csv(
    "Download latest articles (CSV)", latest.drop(columns=["id"]), "latest-articles", f
)
nav_link("app_pages/4_Articles.py", label="All articles", icon=":material/article:")

st.subheader("Feed health")
health = data.feed_health()
feeds.health_metrics(health)
problems = health[health["health"].isin(["failing", "suspended"])]
if not problems.empty:
    tables.table(
        problems[["title", "health", "error_count", "last_error"]], "feed_problems",
        labels={"title": "Feed", "health": "Health", "error_count": "Errors",
                "last_error": "Last error"},
        long="last_error", wrap=("title", "health", "last_error"),
    )  # fmt: skip
nav_link("app_pages/5_Feeds.py", label="All feeds", icon=":material/rss_feed:")
st.caption(highlight.md_escape(describe(f, unit.capitalize())))
