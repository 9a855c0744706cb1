"""Articles: the filtered articles, sortable and paged, links to the source, every tag with its
evidence, and CSV of this page or of every filtered article."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from ingest.filter_words import language_name
from ingest.geo import country_name
from ingest.queries import topic_label
from ui import data, export, sizes, tables, view
from ui.counts import quantity
from ui.highlight import ENTITY_KINDS, entity_kind, entity_name
from ui.layout import articles_table, empty_state, reader, start_page

# The evidence table's "Type" column (its header short enough for its 86 px at 1000 px).
EVIDENCE_TYPE_HELP = (
    "Evidence type: how the words tagged it (a country's name, adjective, capital, place, "
    "leader or institution; a topic keyword or a word the topic model weighed most; a person's "
    "or organisation's name)."
)

f = start_page("Articles", page="articles")

total = data.count_articles(f)
if total == 0:
    empty_state("No articles match these filters. Widen the date range or clear a filter.")
    st.stop()

SORTS = {
    "newest": ("published_at", True, "Newest first"),
    "oldest": ("published_at", False, "Oldest first"),
    "title": ("title", False, "Title A–Z"),
    "outlet": ("outlet", False, "Outlet A–Z"),
    "language": ("language", False, "Language"),
}
c1, c2, c3 = st.columns([2, 1, 1])
view.restore("art_sort")
sort_key = c1.selectbox("Sort", list(SORTS), format_func=lambda k: SORTS[k][2], key="art_sort")
view.publish("art_sort", sort_key)
if view.restore("art_size") not in sizes.ARTICLE_PAGE_SIZES:
    st.session_state["art_size"] = sizes.ARTICLE_PAGE_SIZE
size = c2.selectbox("Per page", sizes.ARTICLE_PAGE_SIZES, key="art_size")
view.publish("art_size", size)
pages = max(1, math.ceil(total / size))
st.session_state["art_page"] = min(view.restore("art_page"), pages)
page = c3.number_input(f"Page (of {pages:,})", 1, pages, key="art_page")
view.publish("art_page", page)
column, descending, _label = SORTS[sort_key]
rows = data.list_articles(
    f, sort=column, descending=descending, limit=size, offset=(page - 1) * size
)
st.caption(f"{quantity(total)} · showing {len(rows):,} ({(page - 1) * size + 1:,}–"
           f"{(page - 1) * size + len(rows):,})")  # fmt: skip

articles_table(rows, key="articles_table", tags=True)

d1, d2 = st.columns(2)
with d1:
    export.download_csv(
        "Download this page (CSV)", rows.drop(columns=["id"]), f"articles-page-{page}", f
    )
with d2:
    export.download_all_articles(f, total)

st.subheader("Read an article")
st.caption(
    "Opens the article with every word that tagged it highlighted, each country in its colour, "
    "people and organisations named on hover; below, each tag's evidence and where it stands."
)
choices = [int(i) for i in rows["id"]]
titles = dict(zip(choices, rows["title"], strict=True))
if view.restore("art_pick") not in choices:
    st.session_state["art_pick"] = choices[0] if choices else None
picked = st.selectbox(
    "Article", choices, key="art_pick",
    format_func=lambda i: (titles.get(i) or "")[:120] or f"article {i}",
)  # fmt: skip
view.publish("art_pick", picked, default=choices[0] if choices else None)
if picked is not None:
    item = data.article_evidence((int(picked),)).get(int(picked))
    if item:
        row = rows[rows["id"] == picked].iloc[0]
        meta = (
            f"{row.outlet} · {row.published_at:%d %b %Y %H:%M} UTC · {language_name(row.language)}"
        )
        reader(item, meta, key="article_reader")
        tag_rows = [
            {"tag": country_name(code), "kind": "country", "evidence": e["text"],
             "type": e["type"], "where": e["field"],
             "prominence": item["prominence"].get(code, ("", 0, True))[0]}
            for code, ev in item["countries"].items()
            for e in ev
        ] + [
            {"tag": entity_name(qid), "kind": ENTITY_KINDS.get(entity_kind(qid), "entity"),
             "evidence": e["text"], "type": e["type"], "where": e["field"],
             "prominence": item["entity_prominence"].get(qid, "")}
            for qid, ev in item.get("entities", {}).items()
            for e in ev
        ] + [
            {"tag": topic_label(t), "kind": "topic", "evidence": e["text"], "type": e["type"],
             "where": e["field"], "prominence": item["topic_prominence"].get(t, "")}
            for t, ev in item["topics"].items()
            for e in ev
        ]  # fmt: skip
        if tag_rows:
            tables.table(pd.DataFrame(tag_rows), "evidence_table", long="evidence", grow=False,
                         wrap=("tag", "kind", "evidence", "type", "where", "prominence"),
                         labels={"tag": "Tag", "kind": "Kind", "evidence": "Matched words",
                                 "type": st.column_config.TextColumn("Type", help=EVIDENCE_TYPE_HELP),
                                 "where": "In",
                                 "prominence": "Prominence"})  # fmt: skip
        else:
            st.caption("This article has no country, topic, person or organisation tags.")
