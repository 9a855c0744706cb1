"""Plotly figure builders: pure functions of query results (no Streamlit), human labels.

Colours are consistent across pages: a country, pair or topic always gets the same colour
(a stable hash into one qualitative palette), choropleths use one sequential scale.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ingest.geo import get_country
from ingest.queries import MIN_SHARE_TOTAL
from ui.counts import bar_labels

PALETTE = (
    "#2f7bbf", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#e07a5f", "#7b8fa6",
    "#2a9d8f", "#f4a261", "#6d597a", "#b56576", "#457b9d", "#a7c957", "#bc6c25", "#5e548e",
)  # fmt: skip
SEQUENTIAL = "Blues"
PRIMARY = "#2f7bbf"  # a mid blue: bars read on light and dark backgrounds
SPIKE_COLOUR = "#c1121f"
MUTED = "#8593a3"  # notes on a chart: mid-grey, legible on light and dark
MAP_CONFIG = {"topojsonURL": "/app/static/", "displaylogo": False}
# No font colour and transparent backgrounds: Streamlit's chart theme gives the text the
# page's colour, light or dark; grid and axis lines are mid-grey at part opacity, for both.
FONT = dict(family="sans-serif", size=13)
GRID = "rgba(128, 140, 153, 0.25)"
AXIS_LINE = "rgba(128, 140, 153, 0.7)"
CLEAR = "rgba(0, 0, 0, 0)"


def plain(label: object) -> str:
    """A label as text: Plotly.js renders a subset of HTML in chart text (links, styles), and
    outlet titles come from untrusted feeds, so markup characters are escaped."""
    return html.escape(str(label), quote=False)


def colour_for(key: str) -> str:
    """The colour of a country, pair or topic key, the same on every page."""
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def colours_for(keys: list[str]) -> dict[str, str]:
    """Each key's own colour, moved to the next free palette colour when two keys of one chart
    would share it (deterministic for a given set of keys)."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for key in keys:
        colour = colour_for(key)
        start = PALETTE.index(colour)
        for step in range(len(PALETTE)):
            candidate = PALETTE[(start + step) % len(PALETTE)]
            if candidate not in used:
                colour = candidate
                break
        used.add(colour)
        out[key] = colour
    return out


def _layout(fig: go.Figure, title: str = "", height: int = 420) -> go.Figure:
    legend = sum(1 for t in fig.data if t.showlegend is not False) > 1
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)) if title else None,
        height=height + (40 if legend else 0),
        margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=FONT,
        plot_bgcolor=CLEAR,
        paper_bgcolor=CLEAR,
        # Under the plot, so a title and a legend never share the top line.
        legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
        hoverlabel=dict(font_size=12),
    )
    fig.update_xaxes(showgrid=False, linecolor=AXIS_LINE)
    fig.update_yaxes(gridcolor=GRID, zeroline=False)
    return fig


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font=dict(size=14, color=MUTED))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height=240)


# The time grains of a coverage chart: the label of its control, the period in words.
GRAINS = {"D": ("Day", "day"), "W": ("Week", "week"), "M": ("Month", "month")}


def shown_share(share: pd.Series, total: pd.Series, min_total: int = MIN_SHARE_TOTAL) -> pd.Series:
    """A share in percent where its denominator holds at least ``min_total`` articles; None
    (a gap in the line) elsewhere."""
    return (share * 100).where(total >= min_total)


def _point_ids(part: pd.DataFrame) -> np.ndarray:
    """(key, period as YYYY-MM-DD) per row, the customdata ``picked_point`` reads back: one
    array, which plotly takes as it is (a list of tuples it walks cell by cell, slow for a
    daily series over years)."""
    return np.column_stack(
        [
            part["key"].to_numpy(dtype=object),
            part["period"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
        ]
    )


def coverage_figure(
    df: pd.DataFrame, measure: str = "articles", rolling: bool = True, grain: str = "D",
    title: str = "", unit: str = "articles",
) -> go.Figure:  # fmt: skip
    """Lines per series over time (``articles`` or ``share``), rolling mean dotted, spikes
    marked. Each point carries (key, period) as customdata, for point selection. A share is
    drawn only where its period holds at least MIN_SHARE_TOTAL articles in all, and the chart
    says so. ``unit``: what the counts count (articles, or stories)."""
    if df.empty:
        return empty_figure("No articles match these filters.")
    fig = go.Figure()
    share = measure == "share"
    period = GRAINS.get(grain, GRAINS["D"])[1]
    palette = colours_for([str(k) for k in dict.fromkeys(df["key"])])
    for key, part in df.groupby("key", sort=False):
        label = str(part["label"].iloc[0])
        colour = palette[str(key)]
        y = shown_share(part["share"], part["total"]) if share else part["articles"]
        custom = _point_ids(part)
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=y,
                mode="lines+markers",
                marker=dict(size=4),
                name=label,
                line=dict(color=colour, width=2),
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>%{{x|%d %b %Y}}: %{{y:,.{2 if share else 0}f}}"
                    f"{'%' if share else ' ' + unit}<extra></extra>"
                ),
            )
        )
        if rolling:
            fig.add_trace(
                go.Scatter(
                    x=part["period"],
                    y=(
                        shown_share(part["rolling_share"], part["rolling_total"])
                        if share
                        else part["rolling"]
                    ),
                    mode="lines",
                    name=f"{label} (rolling mean)",
                    line=dict(color=colour, width=1, dash="dot"),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        spikes = part[part["spike"]]
        if not spikes.empty:
            fig.add_trace(
                go.Scatter(
                    x=spikes["period"],
                    y=shown_share(spikes["share"], spikes["total"])
                    if share
                    else spikes["articles"],
                    mode="markers",
                    name=f"{label}: spike",
                    marker=dict(
                        symbol="circle-open", size=13, color=SPIKE_COLOUR, line=dict(width=2)
                    ),
                    customdata=_point_ids(spikes),
                    text=[f"spike score {s:.1f}" for s in spikes["score"]],
                    hovertemplate="%{x|%d %b %Y}: %{text}<extra></extra>",
                    showlegend=False,
                )
            )
    fig.update_yaxes(title=f"% of all {unit}" if share else unit, rangemode="tozero")
    if share:
        periods = df.drop_duplicates("period")
        thin = int((periods["total"] < MIN_SHARE_TOTAL).sum())
        pooled = f"; the rolling mean pools every {period} of its window" if rolling else ""
        fig.add_annotation(
            text=f"Share drawn only for a {period} with at least {MIN_SHARE_TOTAL} {unit} in "
            f"all" + (f" ({thin:,} of {len(periods):,} {period}s left out{pooled})" if thin else ""),
            xref="paper", yref="paper", x=1, y=1.0, xanchor="right", yanchor="bottom",
            showarrow=False, font=dict(size=11, color=MUTED),
        )  # fmt: skip
    else:
        count_axis(fig.layout.yaxis, df["articles"].max())
    return _layout(fig, title)


def picked_point(selection: Any) -> tuple[str, date] | None:
    """The (key, period) of the first chosen point of a ``coverage_figure`` (what
    ``st.plotly_chart(..., on_select="rerun")`` returned), or None when no point is chosen."""
    points = getattr(getattr(selection, "selection", None), "points", None) or []
    for point in points:
        custom = point.get("customdata") if isinstance(point, dict) else None
        if custom and len(custom) == 2:
            return str(custom[0]), date.fromisoformat(str(custom[1]))
    return None


def count_axis(axis: Any, top: float) -> None:
    """An axis of counts: whole numbers only (never a tick at 0.5), a tick per unit when the
    counts are small."""
    axis.tickformat = ",d"
    if pd.notna(top) and top <= 6:
        axis.tick0 = 0
        axis.dtick = 1


def bar_figure(
    df: pd.DataFrame, label: str, value: str, title: str = "", unit: str = "articles"
) -> go.Figure:
    """Horizontal bars of ``value`` labelled by ``label``, largest on top, in the app's primary
    colour; ``unit`` titles the axis (articles, or stories)."""
    if df.empty:
        return empty_figure("Nothing to show for these filters.")
    part = df.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=part[value],
            y=[plain(v) for v in part[label]],
            orientation="h",
            marker_color=PRIMARY,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
            # small counts say so beside the bar (issue 11 item 6)
            text=bar_labels([int(v) for v in part[value]]) if value == "articles" else None,
            textposition="outside",
        )
    )
    fig.update_xaxes(title=unit)
    count_axis(fig.layout.xaxis, part[value].max())
    return _layout(fig, title, height=max(240, 26 * len(part) + 80 + (40 if title else 0)))


MAP_SCALES = {"linear": "Linear", "log": "Log", "quantile": "Quantiles"}
# Mentioned countries from a visible light blue up; a country no article mentions keeps the
# land's grey, so "none" never looks like "few".
MAP_COLOURS = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
NO_MENTIONS = "#b9c0c8"  # a neutral grey, unlike the lightest blue, on light and dark
MAP_LATITUDES = (-58.0, 90.0)  # the map's visible latitudes: to the pole, where lines may pass
ARC_POINTS = 64


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float, n: int = ARC_POINTS
                 ) -> tuple[list[float], list[float]]:  # fmt: skip
    """``n`` points (lon, lat) along the shorter great-circle arc between two places."""
    p1, l1, p2, l2 = (math.radians(v) for v in (lat1, lon1, lat2, lon2))
    a = [math.cos(p1) * math.cos(l1), math.cos(p1) * math.sin(l1), math.sin(p1)]
    b = [math.cos(p2) * math.cos(l2), math.cos(p2) * math.sin(l2), math.sin(p2)]
    angle = math.acos(max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b, strict=True)))))
    lons, lats = [], []
    for i in range(n):
        t = i / (n - 1)
        if angle < 1e-9:
            w1, w2 = 1 - t, t
        else:
            w1 = math.sin((1 - t) * angle) / math.sin(angle)
            w2 = math.sin(t * angle) / math.sin(angle)
        x, y, z = (w1 * u + w2 * v for u, v in zip(a, b, strict=True))
        lats.append(math.degrees(math.atan2(z, math.hypot(x, y))))
        lons.append(math.degrees(math.atan2(y, x)))
    return lons, lats


def unwrapped(lons: list[float], centre: float) -> list[float]:
    """Longitudes as seen from a map centred on ``centre``: in (centre − 180, centre + 180]."""
    return [centre + ((lon - centre + 180.0) % 360.0) - 180.0 for lon in lons]


# A share, wherever the Map shows one (hover, colour bar, table): a percentage with one
# decimal, "33.6%". SHARE_FORMAT for plotly's templates, SHARE_PRINTF for a table's column.
SHARE_FORMAT = ".1f"
SHARE_PRINTF = "%.1f%%"


def percent(share: float) -> str:
    """A share (0–1) as the Map shows it: "33.6%"."""
    return f"{share * 100:{SHARE_FORMAT}}%"


def map_values(
    values: pd.Series, scale: str, label: Callable[[float], str] | None = None
) -> tuple[pd.Series, dict[str, Any]]:
    """The colour values for ``scale`` and the colour bar's ticks (labelled in real values,
    by ``label`` when given)."""
    values = values.astype(float)
    if scale == "log" and len(values):
        top = max(values.max(), 1.0)
        ticks = [v for e in range(0, int(math.log10(top)) + 2) for v in (10**e, 2 * 10**e,
                 5 * 10**e) if v <= top * 1.01]  # fmt: skip
        return np.log10(values.clip(lower=1e-9)), dict(
            tickvals=[math.log10(v) for v in ticks],
            ticktext=[label(v) if label else f"{v:,g}" for v in ticks],
        )
    if scale == "quantile" and len(values):
        ranks = values.rank(method="average", pct=True)
        qs = [0.0, 0.25, 0.5, 0.75, 1.0]
        return ranks, dict(
            tickvals=[max(q, ranks.min()) for q in qs],
            ticktext=[label(v) if label else f"{v:,.3g}" for v in (values.quantile(q) for q in qs)],
        )
    return values, {}


def choropleth_figure(
    df: pd.DataFrame, measure: str = "articles", focus: str | None = None,
    partners: pd.DataFrame | None = None, scale: str = "linear", title: str = "",
    unit: str = "articles",
) -> go.Figure:  # fmt: skip
    """Countries shaded by ``measure`` (articles or share) on a ``scale`` of MAP_SCALES; with
    ``focus``, great-circle lines from the focus country to each partner, width by
    co-mentions, on a map centred on the focus. Countries no article mentions stay grey.
    ``unit``: what the counts count (articles, or stories). Draws offline with MAP_CONFIG."""
    share = measure == "share"
    fig = go.Figure()
    shade = df[df["iso3"] != focus] if focus and not df.empty else df
    if not shade.empty:
        real = shade["share"] * 100 if share else shade["articles"]
        z, ticks = map_values(real, scale, (lambda v: percent(v / 100)) if share else None)
        if share and scale == "linear":
            ticks = dict(ticksuffix="%", tickformat=SHARE_FORMAT)
        shown = f"share of {unit}" if share else unit
        fig.add_trace(
            go.Choropleth(
                locations=shade["iso3"],
                locationmode="ISO-3",
                z=z,
                text=[plain(c) for c in shade["country"]],
                customdata=real,
                colorscale=MAP_COLOURS,
                marker_line_color=AXIS_LINE,
                marker_line_width=0.5,
                colorbar=dict(
                    title=shown + ("" if scale == "linear" else f" ({MAP_SCALES[scale].lower()})"),
                    thickness=12,
                    **ticks,
                ),
                hovertemplate=(
                    f"<b>%{{text}}</b><br>%{{customdata:{SHARE_FORMAT}}}% of {unit}<extra></extra>"
                    if share
                    else f"<b>%{{text}}</b><br>%{{customdata:,}} {unit}<extra></extra>"
                ),
            )
        )
    if focus and not df[df["iso3"] == focus].empty:
        # The focus country in its own colour, so it does not flatten its partners' scale.
        own = df[df["iso3"] == focus]
        own_share, count = own["share"].iloc[0], own["articles"].iloc[0]
        value = f"{percent(own_share)} of {unit}" if share else f"{count:,} {unit}"
        fig.add_trace(
            go.Choropleth(
                locations=own["iso3"],
                locationmode="ISO-3",
                z=[1],
                colorscale=[[0, SPIKE_COLOUR], [1, SPIKE_COLOUR]],
                showscale=False,
                marker_line_color=AXIS_LINE,
                hovertemplate=f"<b>{plain(own['country'].iloc[0])}</b> (focus)<br>{value}"
                "<extra></extra>",
            )
        )
    centre = 0.0
    origin = get_country(focus) if focus else None
    if origin is not None:
        centre = origin.lon
    if origin is not None and partners is not None and not partners.empty:
        top = partners["articles"].max()
        for row in partners.itertuples():
            dest = get_country(row.iso3)
            if dest is None:
                continue
            lons, lats = great_circle(origin.lon, origin.lat, dest.lon, dest.lat)
            fig.add_trace(
                go.Scattergeo(
                    lon=unwrapped(lons, centre),
                    lat=lats,
                    mode="lines",
                    line=dict(width=1 + 7 * row.articles / top, color=SPIKE_COLOUR),
                    opacity=0.35 + 0.5 * row.articles / top,
                    hovertext=f"{origin.name} – {dest.name}: {row.articles:,} {unit}",
                    hoverinfo="text",
                    showlegend=False,
                )
            )
        fig.add_trace(
            go.Scattergeo(
                lon=[origin.lon],
                lat=[origin.lat],
                mode="markers",
                marker=dict(size=9, color=SPIKE_COLOUR),
                hovertext=origin.name,
                hoverinfo="text",
                showlegend=False,
            )
        )
    fig.update_geos(
        projection_type="natural earth",
        projection_rotation=dict(lon=centre),
        showframe=False,
        showcoastlines=False,
        showcountries=True,
        countrycolor=AXIS_LINE,
        showland=True,
        landcolor=NO_MENTIONS,
        showocean=False,
        bgcolor="rgba(0,0,0,0)",
        lataxis_range=list(MAP_LATITUDES),
        lonaxis_range=[centre - 180, centre + 180],
    )
    fig.add_annotation(
        text=f"<span style='color:{NO_MENTIONS}'>■</span> grey: no article mentions it",
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
        showarrow=False, font=dict(size=11, color=MUTED),
    )  # fmt: skip
    return _layout(fig, title, height=520)


def heatmap_figure(
    df: pd.DataFrame, row: str, column: str, value: str = "articles", title: str = "",
    row_title: str = "", column_title: str = "", unit: str = "articles",
) -> go.Figure:  # fmt: skip
    """A matrix of counts (long-form input), rows and columns in order of their totals;
    ``unit``: what they count (articles, or stories)."""
    if df.empty:
        return empty_figure("Nothing to show for these filters.")
    table = df.pivot_table(index=row, columns=column, values=value, aggfunc="sum", fill_value=0)
    table = table.loc[
        table.sum(axis=1).sort_values(ascending=False).index,
        table.sum(axis=0).sort_values(ascending=False).index,
    ]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=[plain(v) for v in table.columns],
            y=[plain(v) for v in table.index],
            colorscale=SEQUENTIAL,
            hovertemplate=f"%{{y}} × %{{x}}: %{{z:,}} {unit}<extra></extra>",
            colorbar=dict(title=unit, thickness=12),
        )
    )
    fig.update_yaxes(autorange="reversed", title=row_title)
    # Upright column names: at -40° the neighbours of a 1000 px window's narrow columns (about
    # 19 px each) overlapped; upright, each takes one line's height of its column's width.
    fig.update_xaxes(title=column_title, tickangle=-90)
    longest = max((len(plain(v)) for v in table.columns), default=0)
    return _layout(fig, title, height=max(320, 24 * len(table.index) + 100 + 7 * longest))


def pair_matrix_figure(df: pd.DataFrame, title: str = "", unit: str = "articles") -> go.Figure:
    """A symmetric co-mention matrix from pair counts (iso3_a, iso3_b, articles)."""
    if df.empty:
        return empty_figure("No pairs among the most covered countries.")
    from ingest.geo import country_name

    both = pd.concat(
        [
            df.assign(row=df["iso3_a"].map(country_name), col=df["iso3_b"].map(country_name)),
            df.assign(row=df["iso3_b"].map(country_name), col=df["iso3_a"].map(country_name)),
        ]
    )
    return heatmap_figure(both, "row", "col", title=title, unit=unit)


def pair_timeline_figure(df: pd.DataFrame, title: str = "", unit: str = "articles") -> go.Figure:
    """Stacked areas: both countries, each without the other (``unit``: articles, or
    stories)."""
    if df.empty or df["articles"].sum() == 0:
        return empty_figure("No articles mention either country in this period.")
    fig = go.Figure()
    colours = {"both": SPIKE_COLOUR, "a_only": PRIMARY, "b_only": "#edae49"}
    for series in ("both", "a_only", "b_only"):
        part = df[df["series"] == series]
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=part["articles"],
                name=str(part["label"].iloc[0]) if not part.empty else series,
                mode="lines",
                line=dict(color=colours[series], width=2 if series == "both" else 1.5),
                hovertemplate=f"%{{x|%d %b %Y}}: %{{y:,}} {unit}<extra></extra>",
            )
        )
    fig.update_yaxes(title=unit, rangemode="tozero")
    count_axis(fig.layout.yaxis, df.groupby("period")["articles"].max().max())
    return _layout(fig, title)
