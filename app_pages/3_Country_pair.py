"""Country pair: any two states → joint coverage vs each alone, topic mix, languages and
outlets, the evidence articles with the matched words highlighted, and top pairs to jump from."""

from __future__ import annotations

import streamlit as st

from ingest.filter_words import language_name
from ingest.geo import country_name
from ui import charts, data, export, filters, highlight, sizes, tables, view
from ui.counts import count_text, counted, few_note
from ui.filters import entity_label
from ui.layout import empty_state, nav_link, reader, start_page

f = start_page("Country pair", page="pair")
unit = counted(f)  # articles, or stories
Unit = unit.capitalize()


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
        format_func=lambda k: f"{labels[k]} ({count_text(counts[k], unit)})",
        on_change=open_pair,
    )  # fmt: skip
    tables.table(
        top[["pair", "articles"]], "top_pairs_table", labels={"pair": "Pair", "articles": Unit},
        long="pair", grow=False, wrap=("pair",),
    )  # fmt: skip
    export.download_csv(
        "Download top pairs (CSV)", top[["iso3_a", "iso3_b", "pair", "articles"]],
        "top-pairs", f.with_(pair=None),
    )  # fmt: skip
    matrix = data.pair_matrix(f.with_(pair=None), size=sizes.PAIR_MATRIX)
    st.plotly_chart(
        charts.pair_matrix_figure(
            matrix,
            f"Co-mentions among the {sizes.PAIR_MATRIX} most covered countries",
            unit=unit,
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
joint = data.count_articles(f)  # the evidence articles listed below
joint_counted = data.coverage_count(f) if f.count_stories else joint
alone_a = data.coverage_count(f.with_(pair=None, countries=(a,)))
alone_b = data.coverage_count(f.with_(pair=None, countries=(b,)))
m1, m2, m3 = st.columns(3)
for column, label, count in (
    (m1, f"{name_a} and {name_b}", joint_counted), (m2, f"All {name_a}", alone_a),
    (m3, f"All {name_b}", alone_b),
):  # fmt: skip
    column.metric(label, f"{count:,}", delta=few_note(count), delta_color="off", delta_arrow="off")

freq = view.grain_radio(st, "pair_freq", f)
timeline = data.pair_timeline(f, freq=freq)
st.plotly_chart(
    charts.pair_timeline_figure(
        timeline, title=f"{Unit} per {charts.GRAINS[freq][1]}: together and apart", unit=unit
    ),
    key="pair_timeline_chart",
)
export.download_csv(
    "Download the timeline (CSV)", timeline[["period", "series", "label", "articles"]],
    "pair-timeline", f,
)  # fmt: skip

if joint == 0:
    empty_state(f"No article mentions both {name_a} and {name_b} with these filters.")
    jump_section()
    st.stop()

t1, t2, t3, t4 = st.tabs(["Topics", "Languages", "Outlets", "People & organisations"])
with t1:
    topics = data.topic_counts(f)
    st.plotly_chart(
        charts.bar_figure(topics, "label", "articles", f"{Unit} per topic", unit=unit),
        key="pair_topics",
    )
    export.download_csv("Download topics (CSV)", topics, "pair-topics", f)
with t2:
    langs = data.language_counts(f)
    st.plotly_chart(
        charts.bar_figure(langs, "name", "articles", f"{Unit} per language", unit=unit),
        key="pair_langs",
    )
    export.download_csv("Download languages (CSV)", langs, "pair-languages", f)
with t3:
    outlets = data.outlet_counts(f, limit=sizes.TOP_LIST)
    st.plotly_chart(
        charts.bar_figure(outlets, "outlet", "articles", f"{Unit} per outlet", unit=unit),
        key="pair_outlets",
    )
    export.download_csv("Download outlets (CSV)", outlets, "pair-outlets", f)
with t4:
    people = data.entity_counts(f, limit=sizes.TOP_LIST)
    if people.empty:
        empty_state(f"No article naming both {name_a} and {name_b} here names a person or "
                    "organisation Pantau knows.")  # fmt: skip
    else:
        st.plotly_chart(
            charts.bar_figure(
                people.assign(label=[entity_label(q) for q in people["qid"]]), "label",
                "articles", f"{Unit} naming each, in any language", unit=unit,
            ),
            key="pair_people",
        )  # fmt: skip
        export.download_csv(
            "Download people and organisations (CSV)",
            people[["qid", "name", "kind", "country", "articles"]], "pair-entities", f,
        )  # fmt: skip

st.subheader("Evidence")
ranked = data.ranked_pair_articles(f)
step = sizes.EVIDENCE_ARTICLES
requested = int(view.restore("pair_shown", default=step))
shown = min(requested, len(ranked))
# Two highlight colours far apart (amber, green), light enough for dark text in both themes.
colours = {a: charts.PALETTE[2], b: charts.PALETTE[4]}
labels = {name_a: colours[a], name_b: colours[b]}
st.caption(
    f"Articles mentioning both, those where {name_a} and {name_b} are both prominent (in the "
    "title or the lead) first, then the newest; a snippet around the words that tagged each "
    "country (hover a highlight for its country)."
    + (f" Ranked among the newest {len(ranked):,}." if joint > len(ranked) else "")
)
st.markdown(highlight.legend_html(labels), unsafe_allow_html=True)
evidence_rows = ranked.head(shown)
evidence = data.article_evidence(tuple(int(i) for i in evidence_rows["id"]))
for row in evidence_rows.itertuples():
    item = evidence.get(int(row.id))
    if item is None:
        continue
    meta = f"{row.outlet} · {row.published_at:%d %b %Y} · {language_name(row.language)}"
    st.markdown(
        highlight.evidence_html(item, countries=(a, b), meta=meta, colours=labels, snippet=True),
        unsafe_allow_html=True,
    )
st.caption(f"Showing {len(evidence_rows):,} of {joint:,} articles.")
if shown < len(ranked):
    st.button(
        f"Show {min(step, len(ranked) - shown):,} more", key="pair_more",
        icon=":material/expand_more:",
        on_click=st.session_state.update, kwargs={"pair_shown": shown + step},
    )  # fmt: skip
view.publish("pair_shown", requested, default=step)
export.download_csv(
    "Download these articles (CSV)", evidence_rows.drop(columns=["id", "prominence"]),
    "pair-articles", f,
)  # fmt: skip
titles = dict(zip(evidence_rows["id"], evidence_rows["title"], strict=True))
picked = st.selectbox(
    "Read an article", list(titles), key="pair_read", index=None, placeholder="Choose an article…",
    format_func=lambda i: (titles.get(i) or "")[:120] or f"article {i}",
)  # fmt: skip
if picked is not None and int(picked) in evidence:
    row = evidence_rows[evidence_rows["id"] == picked].iloc[0]
    meta = f"{row.outlet} · {row.published_at:%d %b %Y %H:%M} UTC · {language_name(row.language)}"
    reader(evidence[int(picked)], meta, key="pair_reader")
nav_link("app_pages/4_Articles.py", label="All articles for this pair", icon=":material/article:")
jump_section()
