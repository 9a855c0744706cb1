"""Evidence highlighting and the HTML sanitiser: text is text, only http(s) links survive."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from ui import highlight

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<form action="https://evil.example"><input name=q></form>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '"><iframe src="https://evil.example"></iframe>',
    "<body onpageshow=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """Only the allowed elements, no event handlers or styles, links only to http(s)."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in highlight.ALLOWED_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", html
            if name == "href":
                assert (value or "").lower().startswith(("http://", "https://")), html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_titles_and_summaries_render_as_text(payload: str) -> None:
    html = highlight.article_html(payload, payload, "https://example.org/a")
    assert_inert(html)
    assert "&lt;" in html  # the markup is shown as text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_strips_active_content(payload: str) -> None:
    assert_inert(highlight.sanitise(payload))


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "JaVaScRiPt:x",
     "data:text/html,<b>", "vbscript:x", "file:///etc/passwd", "//evil.example/x", "/relative",
     "https://ok.example/<script>", 'https://ok.example/"onmouseover=x', "ftp://x.example/", "",
     None],
)  # fmt: skip
def test_only_http_links_are_rendered(url: str | None) -> None:
    assert highlight.safe_url(url) is None
    html = highlight.article_html("Title", "", url)
    assert "<a" not in html


def test_http_links_are_kept_with_safe_rel() -> None:
    html = highlight.article_html("Title", "", "https://example.org/news?id=1&x=2")
    assert 'href="https://example.org/news?id=1&amp;x=2"' in html
    assert "noopener" in html


def test_evidence_offsets_are_marked_after_escaping() -> None:
    title = "Putin <b>meets</b> Kim in Pyongyang"
    summary = "Russia & North Korea sign a pact."
    text = title + "\n" + summary
    evidence = [
        {"text": "Putin", "type": "leader", "start": 0},
        {"text": "Pyongyang", "type": "capital", "start": text.index("Pyongyang")},
        {"text": "North Korea", "type": "name", "start": text.index("North Korea")},
        {"text": "Moscow", "type": "capital", "start": 3},  # wrong offset: ignored
    ]
    spans = highlight.spans_from_evidence(text, evidence)
    assert len(spans) == 3
    html = highlight.article_html(title, summary, None, spans)
    assert "<mark" in html and html.count("</mark>") == 3
    assert "&lt;b&gt;meets&lt;/b&gt;" in html
    assert ">Putin</mark>" in html and ">Pyongyang</mark>" in html
    assert ">North Korea</mark>" in html
    assert "Russia &amp; " in html


def test_overlapping_spans_merge() -> None:
    html = highlight.mark("South Korea", [(0, 11, "a"), (6, 11, "b")])
    assert html.count("<mark") == 1


@pytest.mark.parametrize(
    "text",
    ["[Log in](https://evil.example/login)", "![](https://evil.example/pixel.png)",
     "<https://evil.example>", "www.evil.example", "**bold** _it_ `code` # h | t ~~s~~ $x$"],
)  # fmt: skip
def test_user_text_cannot_form_markdown(text: str) -> None:
    import html as html_module
    import re

    out = highlight.article_html(text, text, None, meta=text)
    segments = re.split(r"<[^>]*>", out)
    for segment in segments:
        bare = re.sub(r"&#?\w+;", "", segment)  # character references are never syntax
        assert not re.search(r"[\[\]()!*_`#|~$:<>]", bare), segment
    assert html_module.unescape(segments[1]) == text  # the title reads exactly as written


def _marked(html_text: str) -> list[tuple[str, str]]:
    """(label, words) of every <mark> in the HTML, in order."""
    return [
        (html.unescape(label), html.unescape(words))
        for label, words in re.findall(r'<mark title="([^"]*)">(.*?)</mark>', html_text)
    ]


def test_evidence_is_marked_for_the_countries_asked_and_the_topics() -> None:
    title, summary = "Widodo meets Putin in Moscow", "Sanctions on Russia and Jakarta trade"
    text = f"{title}\n{summary}"

    def at(words: str) -> dict[str, object]:
        return {"start": text.index(words), "text": words, "type": "name"}

    item = {
        "title": title,
        "summary": summary,
        "url": "https://example.org/a",
        "countries": {"RUS": [at("Moscow"), at("Russia")], "IDN": [at("Jakarta")]},
        "topics": {"sanctions": [at("Sanctions")]},
    }
    pair_view = _marked(highlight.evidence_html(item, countries=("RUS",)))
    assert pair_view == [("Russia", "Moscow"), ("Russia", "Russia")]
    every = _marked(highlight.evidence_html(item, topics=True))
    assert every == [
        ("Russia", "Moscow"), ("Sanctions", "Sanctions"), ("Russia", "Russia"),
        ("Indonesia", "Jakarta"),
    ]  # fmt: skip
    assert "Putin" not in {words for _, words in every}


def test_the_reader_marks_people_and_organisations_and_names_them() -> None:
    """An entity's evidence is marked where it stands, its name on hover and in the legend."""
    title = "Путин встретился с генсеком НАТО"
    item = {
        "title": title, "summary": "", "body": None, "url": None, "language": "ru",
        "countries": {}, "topics": {},
        "entities": {
            "Q7747": [{"text": "Путин", "type": "entity", "start": 0, "field": "title"}],
            "Q7184": [{"text": "НАТО", "type": "entity", "start": title.index("НАТО"),
                       "field": "title"}],
        },
    }  # fmt: skip
    page = highlight.reader_html(item)
    assert '<mark title="Vladimir Putin">Путин</mark>' in page
    assert '<mark title="NATO">НАТО</mark>' in page
    assert (
        "People &amp; organisations&#58;</small> <mark>NATO</mark> <mark>Vladimir Putin</mark>"
        in page
    )


def test_every_entity_kind_has_its_words() -> None:
    from ingest.tagging.entities import KINDS

    assert set(highlight.ENTITY_KINDS) == set(KINDS)
