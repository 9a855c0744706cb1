"""How much each view shows: the lengths of the top lists, the article pages and the evidence
lists, and how large an export is built with the page. One place to tune them."""

from __future__ import annotations

TOP_LIST = 15  # bars in a "most covered" chart (countries, pairs, outlets)
RISING = 10  # rows in each "rising fastest" table
LATEST_ARTICLES = 10  # articles listed on the Overview
TOP_PAIRS = 20  # pairs to jump from on the Country pair page
PAIR_MATRIX = 12  # countries in the co-mention matrix
EVIDENCE_ARTICLES = 20  # articles shown with their evidence on the Country pair page
POINT_ARTICLES = 100  # articles listed under a chosen chart point
STORY_ARTICLES = 1000  # a story's articles listed and charted on its detail (its CSV has all)
CO_MENTIONS = 25  # partner countries drawn from the Map's focus country
WHO_COVERS_WHOM = 15  # countries (columns) of the "who covers whom" matrix

ARTICLE_PAGE_SIZES = (25, 50, 100, 200)  # "Per page" on the Articles page
ARTICLE_PAGE_SIZE = 50  # its default
TABLE_ROW_PX = 38  # height of one table row, to size the articles table to its rows
TABLE_MAX_PX = 720

EAGER_EXPORT_ROWS = 20_000  # up to this many rows a full export is built with the page
