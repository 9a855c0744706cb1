"""Tagging: the one function the pipeline calls on every article before it is stored.

``tag_article(title, summary, published=..., language_hint=...) -> Tags``

- language: ``ingest.language.detect_language``
- countries: ``ingest.tagging.countries.tag_countries``
- topics: ``ingest.tagging.topics.tag_topics``
"""
