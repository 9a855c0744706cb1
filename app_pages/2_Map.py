"""Map: the filtered coverage by country (count or share); a focus country's co-mentions as
lines; "who covers whom": outlet home country × countries mentioned. Draws with no network."""

from __future__ import annotations

import streamlit as st

from ingest.geo import country_name
from ui import charts, data, export, sizes, tables, view
from ui.counts import counted
from ui.layout import empty_state, start_page

f = start_page("Map", page="map")
unit = counted(f)  # articles, or stories
Unit = unit.capitalize()

counts = data.country_counts(f)
if counts.empty:
    empty_state("No country is mentioned in the articles matching these filters.")
    st.stop()

c1, c2, c3 = st.columns([1.2, 1.2, 2])
measure = view.url_radio(
    c1, "Shade by", ["articles", "share"], "map_measure",
    format_func={"articles": Unit, "share": f"Share of all {unit}"}.get,
)  # fmt: skip
scale = view.url_radio(
    c2, "Colour scale", charts.MAP_SCALES, "map_scale", format_func=charts.MAP_SCALES.get,
    help="Log or quantiles keep one much-covered country from washing out the rest.",
)  # fmt: skip
options = ["", *counts["iso3"]]
default_focus = f.pair[0] if f.pair else (f.countries[0] if len(f.countries) == 1 else "")
default_focus = default_focus if default_focus in options else ""
# In the URL: a country code, or "none" when the focus is cleared against a default one.
view.restore(
    "map_focus",
    parse=lambda raw: "" if raw == "none" else raw.upper() if raw and raw.upper() in options
    else default_focus,
)  # fmt: skip
if st.session_state.get("map_focus") not in options:
    st.session_state["map_focus"] = default_focus
focus = c3.selectbox(
    "Focus country (lines to the countries it is co-mentioned with)", options,
    key="map_focus", format_func=lambda c: country_name(c) if c else "None",
)  # fmt: skip
view.publish("map_focus", focus or "none", default=default_focus or "none")
partners = data.co_mentions(f, focus) if focus else None
if partners is not None:
    partners = partners.head(sizes.CO_MENTIONS)
fig = charts.choropleth_figure(
    counts, measure=measure, focus=focus or None, partners=partners, scale=scale, unit=unit,
    title=(f"Share of all {unit} mentioning each country" if measure == "share"
           else f"{Unit} mentioning each country")
    + (f", and its co-mentions with {country_name(focus)}" if focus else ""),
)  # fmt: skip
st.plotly_chart(fig, key="map_chart", config=charts.MAP_CONFIG)
st.caption(
    f"Share = {unit} mentioning the country ÷ all {unit} in the period (same date, language "
    f"and outlet filters). Line width and opacity grow with the number of {unit} mentioning "
    "both countries."
    + (" Counting stories: one per story, so syndicated copies count once." if f.count_stories
       else "")
)  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader("Countries")
    tables.table(
        counts[["country", "articles"]].assign(share=counts["share"] * 100), "map_table",
        height=360,
        labels={
            "country": st.column_config.TextColumn("Country"),
            "articles": st.column_config.NumberColumn(Unit),
            "share": st.column_config.ProgressColumn("Share of all", format=charts.SHARE_PRINTF,
                                                     min_value=0.0, max_value=100.0),
        },
        long="country", grow=False, fit=tables.HALF_PX, wrap=("country",),
    )  # fmt: skip
    export.download_csv("Download countries (CSV)", counts, "map-countries", f)
with right:
    if focus and partners is not None:
        st.subheader(f"Co-mentioned with {country_name(focus)}")
        if partners.empty:
            empty_state("No other country appears in these articles.")
        else:
            tables.table(
                partners[["country", "articles"]], "partners_table", height=360,
                labels={"country": "Country", "articles": Unit},
                long="country", grow=False, fit=tables.HALF_PX, wrap=("country",),
            )  # fmt: skip
            export.download_csv(
                "Download co-mentions (CSV)", partners, f"co-mentions-{focus.lower()}", f
            )
    else:
        st.subheader("Co-mentions")
        st.caption("Pick a focus country above to list the countries it appears with.")

st.subheader("Who covers whom")
who_by = st.radio(
    "Rows", ["home", "type"], horizontal=True, key="who_by",
    format_func={"home": "Outlet home country", "type": "Outlet type"}.get,
)  # fmt: skip
row_title = "Outlet home country" if who_by == "home" else "Outlet type"
st.caption(f"Rows: the {row_title.lower()} of each outlet. Columns: the countries its articles "
           "mention. Outlet types as the feed catalogue declares them.")  # fmt: skip
who = data.who_covers_whom(f, countries=sizes.WHO_COVERS_WHOM, by=who_by)
if who.empty:
    empty_state(f"No outlet with a known {row_title.lower()} covers these articles.")
else:
    st.plotly_chart(
        charts.heatmap_figure(who, "home_country", "country", row_title=row_title,
                              title=f"{Unit} by {row_title.lower()} and country mentioned",
                              column_title="Country mentioned", unit=unit),
        key="who_chart",
    )  # fmt: skip
    export.download_csv(
        "Download who covers whom (CSV)",
        who[["home", "home_country", "iso3", "country", "articles"]], "who-covers-whom", f,
    )  # fmt: skip
