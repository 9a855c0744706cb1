"""What the dashboard's pages share: cached reads of the store (``data``), the sidebar filters,
figures, CSV export, evidence highlighting, feed widgets, page set-up and view sizes. Pages live
in app_pages/ and import from here; nothing here imports a page."""
