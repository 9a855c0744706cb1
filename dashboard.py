"""Pantau's Streamlit entry point (``streamlit run dashboard.py``): the page navigation. The
pages themselves are the scripts in app_pages/, one per page of the sidebar."""

from __future__ import annotations

import streamlit as st

# The page scripts live in app_pages/, not pages/: with a pages/ folder beside the entry point,
# Streamlit runs a link to a page (/Map) directly in its legacy mode until some session has
# called st.navigation, so a shared link opened first on a fresh server showed file names as
# the navigation (test_browser.py::test_a_shared_link_is_the_first_visit).
navigation = st.navigation(
    [
        st.Page("app_pages/0_Overview.py", title="Overview", icon=":material/dashboard:",
                url_path="overview", default=True),
        st.Page("app_pages/1_Coverage.py", title="Coverage over time", icon=":material/show_chart:",
                url_path="Coverage"),
        st.Page("app_pages/2_Map.py", title="Map", icon=":material/public:", url_path="Map"),
        st.Page("app_pages/3_Country_pair.py", title="Country pair",
                icon=":material/compare_arrows:", url_path="Country_pair"),
        st.Page("app_pages/4_Articles.py", title="Articles", icon=":material/article:",
                url_path="Articles"),
        st.Page("app_pages/7_Stories.py", title="Stories", icon=":material/hub:",
                url_path="Stories"),
        st.Page("app_pages/5_Feeds.py", title="Feeds", icon=":material/rss_feed:", url_path="Feeds"),
    ]
)  # fmt: skip
navigation.run()
