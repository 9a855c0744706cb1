"""What a count counts: articles, or distinct stories when the view says so
(``Filters.count_stories``, ``count=stories``), so that a wire story republished by ten outlets
counts once.

A story is an article's ``article_stories.story_id``. Every article gets one in the transaction
that stores it; one that has none (a ``restory`` rebuild under way) counts as a story of its own.
The aggregates count articles, so a view counting stories is a scan of ``articles``
(``aggregates.route_for`` answers None), but for one with no content filter, whose total and
daily counts read ``story_days`` and whose counts per country and pair read
``story_country_days`` and ``story_pair_days`` (``aggregates.reads_story_days``; an article
without a story is a story of its own there too). Counted over time, a story counts once, on the day of its
first article in the view (``first_days``): a week's or a month's count is the sum of its days
and the whole range's the sum of all, so a story syndicated over several days is not counted on
each of them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, distinct, func

from ingest.filters import Filters
from ingest.store import article_stories, articles
from ingest.store.stories import story_key


def with_stories(from_: Any, f: Filters) -> Any:
    """``from_`` (a FROM that holds ``articles``), joined to each article's story when ``f``
    counts stories."""
    if not f.count_stories:
        return from_
    return from_.outerjoin(article_stories, article_stories.c.article_id == articles.c.id)


def tally(f: Filters) -> ColumnElement[int]:
    """The count of a scan's grouped rows under ``f``: rows (one per article, or per article
    and key), or the distinct stories among them. Read from ``with_stories(…, f)``."""
    return func.count(distinct(story_key())) if f.count_stories else func.count()
