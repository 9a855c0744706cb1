"""Country pair: any two states → joint coverage vs each alone, topic mix, languages and
outlets, the evidence articles with the matched words highlighted, and top pairs to jump from."""

from __future__ import annotations

import streamlit as st

from ingest.geo import country_name
from ui import charts, data, export, filters, highlight, sizes
from ui.layout import empty_state, nav_link, start_page

f = start_page("Country pair")


def jump_section() -> None:
    st.subheader("Top pairs in this period")
    top = data.pair_counts(f.with_(pair=None), limit=sizes.TOP_PAIRS)
    if top.empty:
        empty_state("No two countries are mentioned together in this period.")
        return
    keys = [f"{a}-{b}" for a, b in zip(top["iso3_a"], top["iso3_b"], strict=True)]
    labels = dict(zip(keys, top["pair"], strict=True))
    counts = dict(zip(keys, top["articles"], strict=True))

    def open_pair() -> None:
        choice = st.session_state.get("pair_jump")
        if choice:
            a, b = choice.split("-")
            st.session_state["pair_jump"] = None
            filters.set_filters(f.with_(pair=(a, b)))

    st.selectbox(
        "Open a pair", keys, key="pair_jump", index=None, placeholder="Choose a pair…",
        format_func=lambda k: f"{labels[k]} ({counts[k]:,} articles)", on_change=open_pair,
    )  # fmt: skip
    st.dataframe(
        top[["pair", "articles"]], hide_index=True, key="top_pairs_table",
        column_config={"pair": "Pair", "articles": "Articles"},
    )  # fmt: skip
    export.download_csv(
        "Download top pairs (CSV)", top[["iso3_a", "iso3_b", "pair", "articles"]],
        "top-pairs", f.with_(pair=None),
    )  # fmt: skip
    matrix = data.pair_matrix(f.with_(pair=None), size=sizes.PAIR_MATRIX)
    st.plotly_chart(
        charts.pair_matrix_figure(
            matrix, f"Co-mentions among the {sizes.PAIR_MATRIX} most covered countries"
        ),
        key="pair_matrix_chart",
    )
    export.download_csv("Download the pair matrix (CSV)", matrix, "pair-matrix", f.with_(pair=None))


if not f.pair:
    st.info("Pick two countries under “Country pair” in the sidebar, or open one of the top pairs.")
    jump_section()
    st.stop()

a, b = f.pair
name_a, name_b = country_name(a), country_name(b)
joint = data.count_articles(f)
alone_a = data.count_articles(f.with_(pair=None, countries=(a,)))
alone_b = data.count_articles(f.with_(pair=None, countries=(b,)))
m1, m2, m3 = st.columns(3)
m1.metric(f"{name_a} and {name_b}", f"{joint:,}")
m2.metric(f"All {name_a}", f"{alone_a:,}")
m3.metric(f"All {name_b}", f"{alone_b:,}")

freq = st.radio(
    "Per", ["D", "W"], format_func={"D": "Day", "W": "Week"}.get, horizontal=True, key="pair_freq"
)
timeline = data.pair_timeline(f, freq=freq)
st.plotly_chart(charts.pair_timeline_figure(timeline), key="pair_timeline_chart")
export.download_csv(
    "Download the timeline (CSV)", timeline[["period", "series", "label", "articles"]],
    "pair-timeline", f,
)  # fmt: skip

if joint == 0:
    empty_state(f"No article mentions both {name_a} and {name_b} with these filters.")
    jump_section()
    st.stop()

t1, t2, t3 = st.columns(3)
with t1:
    st.subheader("Topics")
    topics = data.topic_counts(f)
    st.plotly_chart(charts.bar_figure(topics, "label", "articles"), key="pair_topics")
    export.download_csv("Download topics (CSV)", topics, "pair-topics", f)
with t2:
    st.subheader("Languages")
    langs = data.language_counts(f)
    st.plotly_chart(charts.bar_figure(langs, "name", "articles"), key="pair_langs")
    export.download_csv("Download languages (CSV)", langs, "pair-languages", f)
with t3:
    st.subheader("Outlets")
    outlets = data.outlet_counts(f, limit=sizes.TOP_LIST)
    st.plotly_chart(charts.bar_figure(outlets, "outlet", "articles"), key="pair_outlets")
    export.download_csv("Download outlets (CSV)", outlets, "pair-outlets", f)

st.subheader("Evidence")
st.caption(
    f"The newest articles mentioning both, with the words that tagged {name_a} and {name_b} "
    "highlighted (hover a highlight for the kind of evidence)."
)
evidence_rows = data.list_articles(f, limit=sizes.EVIDENCE_ARTICLES)
evidence = data.article_evidence(tuple(int(i) for i in evidence_rows["id"]))
for row in evidence_rows.itertuples():
    item = evidence.get(int(row.id))
    if item is None:
        continue
    meta = f"{row.outlet} · {row.published_at:%d %b %Y} · {row.language or '?'}"
    st.markdown(highlight.evidence_html(item, countries=(a, b), meta=meta), unsafe_allow_html=True)
export.download_csv(
    "Download these articles (CSV)", evidence_rows.drop(columns=["id"]), "pair-articles", f
)
nav_link("app_pages/4_Articles.py", label="All articles for this pair", icon=":material/article:")
jump_section()
