"""Watchlist: every watch with a sparkline of its series, its latest matches, its last alert and
how each delivery went; edit, pause, delete, retry a failed delivery."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from ingest import alert_delivery, alerts, store
from ingest.queries.watches import watch_alerts, watch_deliveries, watch_list
from ui import data, highlight, tables
from ui.cells import blank_missing
from ui.layout import articles_table, empty_state, start_page

SPARKLINE_DAYS = 30  # the days a watch's sparkline covers
LATEST_MATCHES = 5  # articles listed per watch
DELIVERIES_SHOWN = 10

start_page("Watchlist", page="watchlist")
st.caption(
    "Watches are saved views that alert you: new matching articles as a digest, and spikes "
    "of their series. The filters do not apply to this page; on the other pages, “Watch "
    "this view” in the sidebar saves them as a watch (or `python -m ingest watch add`)."
)
eng = data.engine()
watches = watch_list(eng)
if not watches:
    empty_state("No watches yet. Open any view and use “Watch this view” in the sidebar.")
    st.stop()

today = store.now_utc().date()
for watch in watches:
    if not alerts.feed_path(watch).exists():  # the workers may write theirs on another machine
        alert_delivery.write_feed(eng, watch)
    with st.container(border=True):
        state = "⏸ paused" if watch.paused else "● active"
        st.subheader(f"{highlight.md_escape(watch.name)}  ·  {state}", anchor=False)
        st.markdown(highlight.md_escape(alerts.describe_watch(watch)))
        ways = [f"webhook {watch.webhook_url}" if watch.webhook_url else "",
                f"email {watch.email}" if watch.email else ""]  # fmt: skip
        st.caption(
            f"Spike threshold {watch.spike_threshold:g}; digest at most every "
            f"{watch.digest_minutes} min; delivers to the Atom feed"
            + "".join(f", {highlight.md_escape(w)}" for w in ways if w)
            # links on this page go to the server that shows it, whatever PANTAU_PUBLIC_URL says
            + f". [Atom feed]({alerts.feed_url(watch, base='')}) · "
            f"[Open the view]({alerts.view_url(watch, base='')})"
        )
        left, right = st.columns([2, 3])
        series_filter = alerts.watch_filters(
            watch, today - timedelta(days=SPARKLINE_DAYS - 1), today
        )
        series = data.coverage_series(series_filter, by="all")
        with left:
            if series.empty:
                st.caption("No articles in the last 30 days.")
            else:
                st.caption(f"Articles a day, last {SPARKLINE_DAYS} days")
                st.line_chart(  # whole articles: a float column ticks as "0.000000"
                    series.set_index("period")["articles"].astype(int),
                    height=120, y_label="", x_label="",
                )  # fmt: skip
        with right:
            recent = watch_alerts(eng, watch.id, limit=1)
            if recent.empty:
                st.caption("No alert yet.")
            else:
                last = recent.iloc[0]
                st.markdown(
                    f"**Last alert** ({last['trigger']}, {last['created_at']:%Y-%m-%d %H:%M} UTC): "
                    f"{highlight.md_escape(last['title'])}"
                )
        sent = watch_deliveries(eng, watch.id, limit=DELIVERIES_SHOWN)
        if not sent.empty:  # full width, in widths (px) that fit the box in a 1000 px window
            tables.table(
                blank_missing(sent[["created_at", "trigger", "channel", "status", "attempts",
                                    "last_error"]], as_text=("created_at",)),
                f"deliveries_{watch.id}", long="last_error", fit=tables.BOX_PX,
                wrap=("created_at", "trigger", "channel", "status", "last_error"),
                labels={
                    "created_at": st.column_config.TextColumn("Alert (UTC)"),
                    "trigger": st.column_config.TextColumn("Trigger"),
                    "channel": st.column_config.TextColumn("Channel"),
                    "status": st.column_config.TextColumn("Status"),
                    "attempts": st.column_config.NumberColumn("Tries"),
                    "last_error": st.column_config.TextColumn("Last error"),
                },
            )  # fmt: skip
            retries = sent["next_attempt_at"].dropna()
            if not retries.empty:
                st.caption(f"Next try: {retries.min():%Y-%m-%d %H:%M} UTC.")
            stuck = sent[sent["status"].isin(["failed", "dead"])]
            if not stuck.empty and st.button(
                f"Retry {len(stuck)} failed deliver{'y' if len(stuck) == 1 else 'ies'} now",
                key=f"retry_{watch.id}",
            ):
                for delivery_id in stuck["id"]:
                    store.retry_delivery(eng, int(delivery_id), store.now_utc())
                st.rerun()
        matches = data.list_articles(
            alerts.watch_filters(watch, today - timedelta(days=alerts.MATCH_MAX_AGE_DAYS), today),
            limit=LATEST_MATCHES,
        )
        if matches.empty:
            st.caption(f"No matches in the last {alerts.MATCH_MAX_AGE_DAYS} days.")
        else:
            st.caption("Latest matches")
            articles_table(matches, key=f"matches_{watch.id}")

        b1, b2, b3 = st.columns([1, 1, 3])
        if b1.button("Resume" if watch.paused else "Pause", key=f"pause_{watch.id}"):
            store.set_watch_paused(eng, watch.id, not watch.paused, store.now_utc())
            st.rerun()
        sure = b3.checkbox("Yes, delete this watch and its alerts", key=f"sure_{watch.id}")
        if b2.button("Delete", key=f"delete_{watch.id}", disabled=not sure):
            store.delete_watch(eng, watch.id)
            alert_delivery.remove_feed(watch)
            st.rerun()
        with st.expander("Edit"), st.form(f"edit_{watch.id}"):
            name = st.text_input("Name", watch.name)
            query = st.text_input("Filters (the view's URL query, no dates)", watch.query)
            webhook = st.text_input("Webhook URL", watch.webhook_url or "")
            email = st.text_input("Email", watch.email or "")
            threshold = st.number_input(
                "Spike threshold", min_value=0.1, value=float(watch.spike_threshold)
            )
            minutes = st.number_input(
                "Digest at most every (minutes)", min_value=0, value=int(watch.digest_minutes)
            )
            if st.form_submit_button("Save"):
                try:
                    spec = alerts.make_spec(
                        name, query, webhook_url=webhook, email=email,
                        spike_threshold=threshold, digest_minutes=int(minutes),
                    )  # fmt: skip
                    store.update_watch(eng, watch.id, spec, store.now_utc())
                except (alerts.WatchError, store.WatchExists) as exc:
                    st.error(f"Not saved: {exc}")
                else:
                    if spec.slug != watch.slug:
                        alert_delivery.remove_feed(watch)
                    st.rerun()
