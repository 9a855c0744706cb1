"""Pantau's Streamlit entry point (``streamlit run dashboard.py``): the page navigation. The
pages themselves are the scripts in app_pages/, one per page of the sidebar."""

from __future__ import annotations

import streamlit as st

# The page scripts live in app_pages/, not pages/: with a pages/ folder beside the entry point,
# Streamlit runs a link to a page (/Map) directly in its legacy mode until some session has
# called st.navigation, so a shared link opened first on a fresh server showed file names as
# the navigation (test_browser.py::test_a_shared_link_is_the_first_visit).
# No page icons: the browser shows a page's ":material/…" icon as the tab icon by fetching it
# from a Google fonts host; the tab icon is the app's own (ui.layout.FAVICON), nothing leaves
# the machine (test_browser.py::test_every_page_opens).
navigation = st.navigation(
    [
        st.Page("app_pages/0_Overview.py", title="Overview", url_path="overview", default=True),
        st.Page("app_pages/1_Coverage.py", title="Coverage over time", url_path="Coverage"),
        st.Page("app_pages/2_Map.py", title="Map", url_path="Map"),
        st.Page("app_pages/3_Country_pair.py", title="Country pair", url_path="Country_pair"),
        st.Page("app_pages/4_Articles.py", title="Articles", url_path="Articles"),
        st.Page("app_pages/5_Feeds.py", title="Feeds", url_path="Feeds"),
        st.Page("app_pages/6_Watchlist.py", title="Watchlist", url_path="Watchlist"),
        st.Page("app_pages/7_Stories.py", title="Stories", url_path="Stories"),
    ]
)
navigation.run()
