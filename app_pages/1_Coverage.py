"""Coverage over time: counts per day, week or month (or share of all coverage) per country,
pair or topic, with a rolling mean and spikes marked; a chosen point lists its articles."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ingest.queries import MIN_SHARE_TOTAL, describe, point_filters, spike_explanation
from ui import charts, data, export, highlight, sizes, tables, view
from ui.counts import counted
from ui.layout import articles_table, empty_state, start_page

f = start_page("Coverage over time", page="coverage")
unit = counted(f)  # articles, or stories


def parse_period(raw: str, periods: list[date]) -> date:
    """The period a URL names (its first day, YYYY-MM-DD), or the newest when it names none
    of ``periods``."""
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        return periods[0]
    return chosen if chosen in periods else periods[0]


BY = {"country": "Countries", "pair": "The pair", "topic": "Topics", "total": "All coverage"}
FILE_GRAIN = {"D": "daily", "W": "weekly", "M": "monthly"}
default_by = "pair" if f.pair else "topic" if f.topics and not f.countries else "country"
c1, c2, c3 = st.columns([2, 2, 1.5])
by = view.url_radio(c1, "Series", BY, "cov_by", default=default_by, format_func=BY.get)
freq = view.grain_radio(c2, "cov_freq", f)
measure = view.url_radio(
    c3, "Show", ["articles", "share"], "cov_measure",
    format_func={"articles": unit.capitalize(), "share": "Share of all"}.get,
)  # fmt: skip
view.restore("cov_rolling")
rolling = c3.checkbox("Rolling mean", key="cov_rolling")
view.publish("cov_rolling", rolling)
period_word = charts.GRAINS[freq][1]

if by == "pair" and not f.pair:
    empty_state("Choose a country pair in the sidebar to chart it.")
    st.stop()
if by == "total" and measure == "share":
    st.caption("All coverage is all of itself: showing articles, not a share.")
    measure = "articles"

series = data.coverage_series(f, by=by, freq=freq)
if by == "country" and not f.countries:
    st.caption("No countries selected: showing the five most covered in the period.")
if by == "topic" and not f.topics:
    st.caption(
        "No topics selected: showing the five most covered in the period. Choose topics in the "
        "sidebar to chart others."
    )
if series.empty or series["articles"].sum() == 0:
    empty_state("No articles match these filters in this period.")
    st.stop()

title = f"{f'Share of all {unit}' if measure == 'share' else unit.capitalize()} per {period_word}"
selection = st.plotly_chart(
    charts.coverage_figure(
        series, measure=measure, rolling=rolling, grain=freq, title=title, unit=unit
    ),
    key="coverage_chart", on_select="rerun", selection_mode="points",
)  # fmt: skip
st.caption(
    (f"Share = the series' {unit} ÷ all {unit} that {period_word}, under the same date, "
     "language and outlet filters; drawn only for a "
     f"{period_word} with at least {MIN_SHARE_TOTAL} {unit} in all. " if measure == "share"
     else "")
    + ("Counting stories: a story counts once, in the period of its first article. "
       if f.count_stories else "")
    + "Red circles mark spikes. " + spike_explanation(unit)
)  # fmt: skip
export.download_csv(
    "Download this series (CSV)",
    series[["period", "key", "label", "articles", "total", "share", "rolling", "score", "spike"]],
    f"coverage-{by}-{FILE_GRAIN[freq]}", f,
)  # fmt: skip

spikes = series[series["spike"]]
PERIOD_COLUMN = {"D": "Day", "W": "Week of", "M": "Month of"}
if not spikes.empty:
    st.subheader("Spikes")
    tables.table(
        spikes[["period", "label", "articles", "baseline", "score"]].sort_values(
            "score", ascending=False
        ),
        "spikes_table", long="label", grow=False, wrap=("label",),
        labels={
            "period": st.column_config.DateColumn(PERIOD_COLUMN[freq]),
            "label": "Series", "articles": unit.capitalize(),
            "baseline": st.column_config.NumberColumn("Usual", format="%.1f"),
            "score": st.column_config.NumberColumn("Spike score", format="%.1f"),
        },
    )  # fmt: skip

st.subheader("Articles behind a point")
firsts = series.drop_duplicates("key")  # one row per series, in the series' order
keys = list(firsts["key"])
labels = dict(zip(firsts["key"], firsts["label"], strict=True))
periods = sorted(set(series["period"].dt.date), reverse=True)
spike_days = set(zip(spikes["key"], spikes["period"].dt.date, strict=True))
k1, k2 = st.columns(2)
# The point (its series and period) is in the URL: a link opens on the same articles.
view.restore("cov_point_key", parse=lambda raw: raw if raw in keys else keys[0])
view.restore("cov_point_day", parse=lambda raw: parse_period(raw, periods))
picked = charts.picked_point(selection)
if picked is not None:  # a click on the chart chooses the series and the day below
    if picked[0] in keys:
        st.session_state["cov_point_key"] = picked[0]
    st.session_state["cov_point_day"] = picked[1]
if st.session_state.get("cov_point_key") not in keys:
    st.session_state["cov_point_key"] = keys[0]
if st.session_state.get("cov_point_day") not in periods:
    st.session_state["cov_point_day"] = periods[0]
key = k1.selectbox("Series", keys, format_func=lambda k: labels.get(k, k), key="cov_point_key")
point_label = {"D": "Day", "W": "Week starting", "M": "Month"}[freq]
day = k2.selectbox(
    point_label, periods, key="cov_point_day",
    format_func=lambda d: (f"{d:%B %Y}" if freq == "M" else f"{d:%d %b %Y}")
    + ("  · spike" if (key, d) in spike_days else ""),
)  # fmt: skip
view.publish("cov_point_key", key, default=keys[0])
view.publish("cov_point_day", day, default=periods[0])
pf = point_filters(f, by, key, day, freq)
st.markdown(f"*{highlight.md_escape(describe(pf))}*")
articles = data.list_articles(pf, limit=sizes.POINT_ARTICLES)
if articles.empty:
    empty_state(f"No articles in that {period_word}.")
else:
    articles_table(articles, key="point_articles")
    total_here = data.count_articles(pf)
    if total_here > len(articles):
        st.caption(
            f"Showing the newest {len(articles)} of {total_here:,}; the Articles page has all."
        )
    export.download_csv("Download these articles (CSV)", articles.drop(columns=["id"]),
                        "point-articles", pf)  # fmt: skip
