"""Stories: the top stories of the filtered period ranked by reach (outlets × languages × outlet
countries); a story opens to its detail — first seen, the outlet that had it first, languages,
outlet countries, a spread timeline, its countries, its articles, and which outlets carried it
and how late — with its id in the URL (``?story=ID``), so the view is a link. CSV of the stories,
of a story's articles and of its outlets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ingest.geo import country_name
from ingest.queries import TOP_STORIES, language_name
from ui import data, export, sizes, tables, view
from ui.cells import DATETIME_FORMAT
from ui.highlight import entity_line, md_escape
from ui.layout import articles_table, empty_state, start_page

f = start_page("Stories", page="stories")

top = data.top_stories(f)
if top.empty:
    empty_state("No stories match these filters. Widen the date range or clear a filter.")
    st.stop()

st.caption(
    f"The {len(top):,} stories of the view with the widest reach"
    + (f" (the top {TOP_STORIES}; the CSV holds the same)" if len(top) >= TOP_STORIES else "")
    + ". A story is every article that reports the same happening, in any outlet. Reach = "
    "outlets × languages × outlet countries among the articles in view."
)
shown = top.assign(  # text: its day and its time, one under the other in a narrow column
    first_seen=pd.to_datetime(top["first_seen"], utc=True).dt.strftime(DATETIME_FORMAT)
)
# The first headline takes the spare width (ui.tables) and wraps, the rows as tall as the
# longest needs (ui.wrap); the outlet countries and the first outlet are in the CSV and in a
# story's detail.
tables.table(
    shown[["story", "reach", "articles", "outlets", "languages", "first_seen", "first_title"]],
    "stories_table", long="first_title", wrap=("first_seen", "first_title"),
    labels={
        "story": st.column_config.NumberColumn("Story", format="%d"),
        "reach": "Reach", "articles": "Articles", "outlets": "Outlets",
        "languages": st.column_config.NumberColumn("Lang.", help="Languages"),
        "first_seen": st.column_config.TextColumn("First seen", help="Time in UTC"),
        "first_title": "First headline",
    },
)  # fmt: skip
export.download_csv("Download these stories (CSV)", top, "stories", f)

ids = [int(i) for i in top["story"]]
titles = dict(zip(ids, top["first_title"], strict=True))
# The story open is kept in the URL (?story=ID, ui.view); a link may name a story outside the
# top ones, which is then offered first.
current = view.restore("story_pick") or ids[0]
choices = ids if current in ids else [current, *ids]
if current not in titles:  # its headline too: the first of its articles
    opened = data.story_articles(int(current), limit=1)
    titles[current] = "" if opened.empty else str(opened.iloc[0]["title"])
st.session_state["story_pick"] = current
picked = st.selectbox(
    "Story", choices, key="story_pick",
    format_func=lambda i: f"{i} · {(titles.get(i) or '')[:110]}",
)  # fmt: skip
view.publish("story_pick", picked)

summary = data.story_summary(int(picked))
in_view = dict(zip(ids, top["articles"], strict=True)).get(int(picked))
rows = data.story_articles(int(picked), limit=sizes.STORY_ARTICLES)  # the first ones, oldest first
if rows.empty:
    empty_state(f"Story {picked} holds no articles (it may have been merged into another).")
    st.stop()

when = pd.to_datetime(rows["published_at"], utc=True)
first = rows.iloc[0]
began, ended = (pd.to_datetime(summary[k], utc=True) for k in ("first_published", "last_published"))
st.subheader(md_escape(str(first["title"])))  # a feed's text: never markup
st.caption(  # the detail is the whole story; the table above counts the articles in view
    "The whole story, whatever the filters"
    + (
        f": {in_view:,} of its {summary['articles']:,} articles are in the view above."
        if in_view is not None and in_view != summary["articles"]
        else "."
    )
)
c1, c2 = st.columns(2)
c1.metric("Articles", f"{summary['articles']:,}")
c2.metric("Spread", f"{(ended - began).total_seconds() / 3600:,.1f} h")
languages, homes, named = summary["languages"], summary["outlet_countries"], summary["countries"]
st.markdown(  # lines, not metrics: a long outlet name or a date wraps instead of being cut
    f"**First seen:** {began.strftime('%Y-%m-%d %H:%M UTC')}, "
    f"in {md_escape(str(first['outlet'] or '—'))}  \n"
    f"**Languages:** {', '.join(language_name(x) for x in languages) or '—'}  \n"
    f"**Outlet countries:** {', '.join(country_name(x) for x in homes) or '—'}  \n"
    f"**Countries in the story:** {', '.join(country_name(x) for x in named) or '—'}  \n"
    f"**People & organisations:** {md_escape(entity_line(data.story_entities(int(picked))))}"
)
spread = (
    pd.DataFrame({"hour": when.dt.floor("h"), "outlet": rows["outlet"].fillna("—")})
    .groupby(["hour", "outlet"]).size().rename("articles").reset_index()
)  # fmt: skip
capped = len(rows) < summary["articles"]
if capped:
    st.caption(
        f"A large story: its first {len(rows):,} of {summary['articles']:,} articles are charted "
        "and listed below; the CSV of its articles holds them all."
    )
st.markdown("**How the story spread: articles per hour (UTC), by outlet**")
st.bar_chart(spread, x="hour", y="articles", color="outlet", height=260)
articles_table(rows.assign(published_at=when), "story_articles", timed=True)
story_csv = (
    (lambda: export.to_csv_bytes(data.story_articles(int(picked))))  # built when clicked
    if capped
    else rows
)
export.download_csv(
    "Download this story's articles (CSV)", story_csv, f"story-{picked}-articles", f
)

st.markdown("**Who carried it, and how late**")
carried = data.story_outlets(int(picked))
tables.table(  # the outlet first, as wide as the others leave in a 1000 px window
    carried.assign(outlet_country=[country_name(c) if c else "" for c in carried["outlet_country"]]),
    "story_outlets", long="outlet", grow=False, wrap=("outlet", "outlet_country"),
    labels={
        "outlet": "Outlet", "outlet_country": "Home country",
        "first_published": st.column_config.DatetimeColumn(
            "First article", format="YYYY-MM-DD HH:mm", help="Time in UTC"),
        "later_hours": st.column_config.NumberColumn(
            "Later by (h)", format="%.1f",
            help="Hours after the story's first article, in any outlet"),
        "articles": "Articles",
    },
)  # fmt: skip
export.download_csv("Download who carried it (CSV)", carried, f"story-{picked}-outlets", f)
