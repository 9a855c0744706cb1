"""Coverage over time: daily or weekly counts (or share of all coverage) per country, pair or
topic, with a rolling mean and spikes marked; a chosen point lists its articles."""

from __future__ import annotations

import streamlit as st

from ingest.queries import SPIKE_EXPLANATION, describe, point_filters
from ui import charts, data, export, highlight, sizes
from ui.layout import articles_table, empty_state, start_page

f = start_page("Coverage over time", ":material/show_chart:")

BY = {"country": "Countries", "pair": "The pair", "topic": "Topics", "total": "All coverage"}
default_by = "pair" if f.pair else "topic" if f.topics and not f.countries else "country"
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
by = c1.radio(
    "Series", list(BY), index=list(BY).index(default_by), format_func=BY.get,
    horizontal=True, key="cov_by",
)  # fmt: skip
freq = c2.radio(
    "Per", ["D", "W"], format_func={"D": "Day", "W": "Week"}.get, horizontal=True, key="cov_freq"
)
measure = c3.radio(
    "Show", ["articles", "share"], horizontal=True, key="cov_measure",
    format_func={"articles": "Articles", "share": "Share of all"}.get,
)  # fmt: skip
rolling = c4.checkbox("Rolling mean", value=True, key="cov_rolling")

if by == "pair" and not f.pair:
    empty_state("Choose a country pair in the sidebar to chart it.")
    st.stop()
if by == "topic" and not f.topics:
    empty_state("Choose one or more topics in the sidebar to chart them.")
    st.stop()

series = data.coverage_series(f, by=by, freq=freq)
if by == "country" and not f.countries:
    st.caption("No countries selected: showing the five most covered in the period.")
if series.empty or series["articles"].sum() == 0:
    empty_state("No articles match these filters in this period.")
    st.stop()

selection = st.plotly_chart(
    charts.coverage_figure(series, measure=measure, rolling=rolling),
    key="coverage_chart", on_select="rerun", selection_mode="points",
)  # fmt: skip
st.caption(
    ("Share = the series' articles ÷ all articles that day, under the same date, language and "
     "outlet filters. " if measure == "share" else "")
    + "Red circles mark spikes. " + SPIKE_EXPLANATION
)  # fmt: skip
export.download_csv(
    "Download this series (CSV)",
    series[["period", "key", "label", "articles", "total", "share", "rolling", "score", "spike"]],
    f"coverage-{by}-{'weekly' if freq == 'W' else 'daily'}", f,
)  # fmt: skip

spikes = series[series["spike"]]
if not spikes.empty:
    st.subheader("Spikes")
    st.dataframe(
        spikes[["period", "label", "articles", "baseline", "score"]].sort_values(
            "score", ascending=False
        ),
        hide_index=True, key="spikes_table",
        column_config={
            "period": st.column_config.DateColumn("Day" if freq == "D" else "Week of"),
            "label": "Series", "articles": "Articles",
            "baseline": st.column_config.NumberColumn("Usual", format="%.1f"),
            "score": st.column_config.NumberColumn("Spike score", format="%.1f"),
        },
    )  # fmt: skip

st.subheader("Articles behind a point")
keys = list(dict.fromkeys(series["key"]))
labels = dict(zip(series["key"], series["label"], strict=False))
periods = sorted({p.date() for p in series["period"]}, reverse=True)
spike_days = {(k, p.date()) for k, p in zip(spikes["key"], spikes["period"], strict=False)}
k1, k2 = st.columns(2)
picked = charts.picked_point(selection)
if picked is not None:  # a click on the chart chooses the series and the day below
    if picked[0] in keys:
        st.session_state["cov_point_key"] = picked[0]
    st.session_state["cov_point_day"] = picked[1]
if st.session_state.get("cov_point_key") not in keys:
    st.session_state.pop("cov_point_key", None)
if st.session_state.get("cov_point_day") not in periods:
    st.session_state.pop("cov_point_day", None)
key = k1.selectbox("Series", keys, format_func=lambda k: labels.get(k, k), key="cov_point_key")
day = k2.selectbox(
    "Day" if freq == "D" else "Week starting", periods, key="cov_point_day",
    format_func=lambda d: f"{d:%d %b %Y}" + ("  · spike" if (key, d) in spike_days else ""),
)  # fmt: skip
pf = point_filters(f, by, key, day, freq)
st.markdown(f"*{highlight.md_escape(describe(pf))}*")
articles = data.list_articles(pf, limit=sizes.POINT_ARTICLES)
if articles.empty:
    empty_state("No articles at this point.")
else:
    articles_table(articles, key="point_articles")
    total_here = data.count_articles(pf)
    if total_here > len(articles):
        st.caption(
            f"Showing the newest {len(articles)} of {total_here:,}; the Articles page has all."
        )
    export.download_csv("Download these articles (CSV)", articles.drop(columns=["id"]),
                        "point-articles", pf)  # fmt: skip
