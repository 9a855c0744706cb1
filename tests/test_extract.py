"""ingest.extract on real article pages (the truth file is the oracle) and on synthetic walls.

Real pages: tests/fixtures/articles/ (see its PROVENANCE.md). Each page with a true body must
reach TOKEN_F1_FLOOR token F1; each snippet must be found (or not found) as its line says.
Synthetic pages are small but realistic: what publishers' paywalls, consent managers and video
pages put in their HTML.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.extract import STATUSES, Extraction, extract
from ingest.extract_score import contains, token_f1, tokens

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
LINES = [json.loads(raw) for raw in (ARTICLES / "truth.jsonl").read_text("utf-8").splitlines()]
TOKEN_F1_FLOOR = 0.80
# Real pages that serve only a teaser and declare themselves not free (checked by eye; see
# PROVENANCE.md). Every other fixture page is a complete article.
REAL_PAYWALLS = {"seb-7ab16ade32386ece.html", "traf-0a12df42d1764095989ab078ee0f940b.html"}


def _page(line: dict) -> bytes:
    return (ARTICLES / "pages" / line["file"]).read_bytes()


def _id(line: dict) -> str:
    return line["file"]


def test_every_fixture_page_has_one_truth_line():
    files = sorted(path.name for path in (ARTICLES / "pages").glob("*.html"))
    assert files == sorted(line["file"] for line in LINES)
    assert len(files) >= 25


# Known misses, kept visible: on this real page the extraction keeps a poll box ("Headline")
# above the article and the related-article teasers below it (precision 0.62, recall 0.98;
# trafilatura's default extraction scores 0.75 on it too); and three photo pages whose text is
# a caption or two, where it also takes the credits, share buttons and related-photo lists
# (0.42-0.48; the default 0.21-0.48). strict: a fix shows up here.
KNOWN_BODY_MISSES = {
    "fun-id-MediaIndonesia_2026_01_08.html",
    "anp-detik-singlepage2.html",
    "anp-liputan6-singlepage3.html",
    "anp-republika-singlepage2.html",
}


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(
            ln,
            id=ln["file"],
            marks=[pytest.mark.xfail(strict=True)] if ln["file"] in KNOWN_BODY_MISSES else [],
        )
        for ln in LINES
        if ln.get("body")
    ],
)
def test_body_matches_the_true_text(line):
    result = extract(_page(line), url=line["url"])
    assert token_f1(result.body, line["body"]) >= TOKEN_F1_FLOOR


# Known misses, kept visible: precision drops this page's standfirst (the default keeps it).
KNOWN_SNIPPET_MISSES = {"traf-0a12df42d1764095989ab078ee0f940b.html"}


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(
            ln,
            id=ln["file"],
            marks=[pytest.mark.xfail(strict=True)] if ln["file"] in KNOWN_SNIPPET_MISSES else [],
        )
        for ln in LINES
        if "must_contain" in ln
    ],
)
def test_snippets(line):
    body = extract(_page(line), url=line["url"]).body
    for snippet in line["must_contain"]:
        assert contains(body, snippet), snippet
    for snippet in line.get("must_not_contain", []):
        assert not contains(body, snippet), snippet


@pytest.mark.parametrize("line", LINES, ids=_id)
def test_real_page_status_and_record(line):
    result = extract(_page(line), url=line["url"])
    assert result.status == ("paywall" if line["file"] in REAL_PAYWALLS else "ok")
    assert result.extractor.startswith("trafilatura ")
    assert result.chars == len(result.body)
    assert result.lead and result.lead in result.body.split("\n\n")
    assert result.title


def test_same_page_twice_gives_the_same_extraction():
    # trafilatura's de-duplication keeps a process-wide cache: a page seen before would come
    # back empty the second time (and the first time on this page, whose paragraphs repeat).
    line = next(ln for ln in LINES if ln["file"] == "seb-9da36ae4714bfccc.html")
    first = extract(_page(line), url=line["url"])
    assert first == extract(_page(line), url=line["url"])
    assert first.status == "ok"


# --- synthetic pages ------------------------------------------------------------------------

SENTENCES = [
    "The finance ministers of the region met on Tuesday to discuss a common response to the",
    "rising price of rice, which has doubled since the beginning of the year in several markets.",
    "Officials said that a joint reserve would be released in stages over the coming months,",
    "while export bans imposed in the spring would be reviewed at the next summit in Jakarta.",
    "Farmers' groups welcomed the plan but warned that fertiliser costs remained a concern,",
    "and economists cautioned that weather in the main growing areas would decide the outcome.",
]


def _paragraphs(count: int) -> list[str]:
    return [" ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(4)) for i in range(count)]


def _html(body: str, head: str = "", lang: str = "en") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>Ministers agree on rice reserve</title>{head}</head><body>"
        '<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>'
        f"<main>{body}</main><footer>© Example News 2026</footer></body></html>"
    ).encode()


def _article(paragraphs: list[str]) -> str:
    inner = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<article><h1>Ministers agree on rice reserve</h1>{inner}</article>"


LD_NOT_FREE = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
    '"NewsArticle", "headline": "Ministers agree on rice reserve", "isAccessibleForFree": '
    '"False", "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "False", '
    '"cssSelector": ".paywall"}}</script>'
)


def test_paywall_declared_by_schema_org_keeps_the_teaser():
    teaser = _paragraphs(1)
    page = _html(
        _article(teaser)
        + '<div class="paywall"><p>This article is for subscribers. Subscribe to continue '
        "reading.</p></div>",
        head=LD_NOT_FREE,
    )
    result = extract(page, url="https://news.example.org/2026/03/rice")
    assert result.status == "paywall"
    assert teaser[0] in result.body


def test_paywall_markup_on_a_complete_article_is_ok():
    # Metered sites serve the whole text with the same markup: the text is kept as the article.
    paragraphs = _paragraphs(8)
    result = extract(_html(_article(paragraphs), head=LD_NOT_FREE))
    assert result.status == "ok"
    assert all(p in result.body for p in paragraphs)


def test_short_text_asking_to_subscribe_is_a_paywall_without_markup():
    page = _html(
        _article(_paragraphs(1) + ["Already a subscriber? Log in to continue reading."]),
        lang="en",
    )
    assert extract(page).status == "paywall"


def test_short_article_naming_an_assassination_is_not_a_paywall():
    # a subscribe pattern must be a call to subscribe, not letters inside another word
    paragraphs = [
        "Police arrested a man on Wednesday after a physician was stabbed during a lecture at a "
        "Berlin clinic, officials said. A second man was injured when he tried to stop the "
        "attacker; his condition is stable, the clinic said in a statement.",
        "Prosecutors are treating it as an assassination.",
    ]
    assert extract(_html(_article(paragraphs))).status == "ok"


def test_consent_wall():
    page = _html(
        '<div id="didomi-host"><div class="didomi-popup"><h2>We value your privacy</h2>'
        "<p>We and our partners store and access information on your device, such as cookies, "
        "and process personal data for personalised ads and content.</p>"
        "<button>Agree</button><button>Disagree</button></div></div>"
    )
    result = extract(page, url="https://www.example.org/news/2026/rice")
    assert result.status == "consent"


def test_consent_host_is_a_consent_wall():
    page = _html("<form><p>Before you continue</p><button>Accept all</button></form>")
    assert extract(page, url="https://consent.example.com/?continue=x").status == "consent"


def test_consent_manager_on_a_real_article_is_ok():
    paragraphs = _paragraphs(6)
    page = _html('<div id="onetrust-consent-sdk"></div>' + _article(paragraphs))
    assert extract(page).status == "ok"


def test_video_page():
    head = '<meta property="og:type" content="video.other">'
    body = (
        '<div class="player"><video src="/media/rice.mp4" controls></video></div>'
        "<p>Watch: ministers explain the new rice reserve.</p>"
    )
    assert extract(_html(body, head=head)).status == "video"


def test_pdf_content_type_is_not_html():
    result = extract(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n", content_type="application/pdf")
    assert result.status == "not_html"
    assert result.body is None


def test_pdf_bytes_sent_as_html_are_not_html():
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    assert extract(pdf, content_type="text/html").status == "not_html"


@pytest.mark.parametrize("data", [b"", b"  \n\t "])
def test_empty_bytes(data):
    result = extract(data, content_type="text/html; charset=utf-8")
    assert result == Extraction(status="empty", detail=result.detail)


def test_tiny_page_is_too_short():
    result = extract(_html(_article(["Ministers met on Tuesday. More soon."])))
    assert result.status == "too_short"


def test_statuses_are_the_documented_ones():
    assert set(STATUSES) == {
        "ok",
        "too_short",
        "paywall",
        "consent",
        "video",
        "not_html",
        "empty",
        "failed",
    }


def test_metadata_lead_and_paragraphs():
    paragraphs = [
        "Jakarta (ANTARA) -",
        "Pemerintah Indonesia dan Malaysia sepakat memperkuat kerja sama perdagangan beras "
        "untuk menjaga stabilitas harga di kawasan Asia Tenggara, kata menteri pada Selasa.",
    ] + [
        "Menteri perdagangan kedua negara bertemu di Jakarta untuk membahas cadangan beras "
        f"bersama yang akan dilepas secara bertahap dalam beberapa bulan ke depan, bagian {i}."
        for i in range(6)
    ]
    head = (
        '<meta property="og:title" content="Indonesia dan Malaysia sepakat soal beras">'
        '<meta name="author" content="Siti Rahma">'
        '<meta property="article:published_time" content="2026-03-01T08:30:00+07:00">'
    )
    result = extract(_html(_article(paragraphs), head=head, lang="id"))
    assert result.status == "ok"
    assert result.title == "Indonesia dan Malaysia sepakat soal beras"
    assert result.published == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert result.authors == ("Siti Rahma",)
    assert result.language == "id"
    parts = result.body.split("\n\n")  # the headline may come first
    start = parts.index(paragraphs[0])
    assert parts[start:] == paragraphs
    assert result.lead == paragraphs[1]  # the dateline is too short to be the lead


# --- charsets -------------------------------------------------------------------------------

RUSSIAN = [
    "Министры финансов стран региона встретились во вторник, чтобы обсудить общий ответ на "
    f"рост цен на рис, которые с начала года удвоились на нескольких рынках, часть {i}."
    for i in range(6)
]
JAPANESE = [
    f"地域の財務相は火曜日に会合を開き、年初から複数の市場で二倍になった米価の高騰への共同対応を協議した。第{i}部。"
    for i in range(6)
]
# Latin-script text in a legacy code page reads as plausible windows-1252 (few accented
# letters), so only the declared charset gets these right: "ż" would become "¿".
POLISH = [
    "Ministrowie finansów państw regionu spotkali się we wtorek, aby omówić wspólną odpowiedź "
    f"na wzrost cen ryżu, które od początku roku podwoiły się na wielu rynkach, część {i}."
    for i in range(6)
]
CZECH = [
    "Ministři financí zemí regionu se v úterý sešli, aby projednali společnou reakci na růst "
    f"cen rýže, které se od začátku roku na několika trzích zdvojnásobily, část {i}."
    for i in range(6)
]
CHINESE = [
    f"地区各国财政部长星期二举行会议，讨论共同应对大米价格上涨的办法，年初以来多个市场价格翻了一番。第{i}部分。"
    for i in range(6)
]


@pytest.mark.parametrize(
    ("paragraphs", "encoding", "meta", "content_type"),
    [
        (RUSSIAN, "windows-1251", '<meta charset="windows-1251">', None),
        (
            JAPANESE,
            "shift_jis",
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
            "text/html",
        ),
        (CHINESE, "gb2312", "", "text/html; charset=GB2312"),
        (POLISH, "iso-8859-2", '<meta charset="ISO-8859-2">', "text/html"),
        (CZECH, "windows-1250", "", "text/html; charset=windows-1250"),
    ],
    ids=[
        "windows-1251-meta",
        "shift_jis-http-equiv",
        "gb2312-http-header",
        "iso-8859-2-meta",
        "windows-1250-http-header",
    ],
)
def test_legacy_charsets(paragraphs, encoding, meta, content_type):
    inner = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = (
        f"<!DOCTYPE html><html><head>{meta}<title>{paragraphs[0][:20]}</title></head>"
        f"<body><article>{inner}</article></body></html>"
    ).encode(encoding)
    result = extract(page, content_type=content_type)
    assert result.status == "ok"
    assert result.body.split("\n\n") == paragraphs


def test_undeclared_legacy_charset_is_guessed():
    inner = "".join(f"<p>{p}</p>" for p in RUSSIAN)
    page = f"<html><body><article>{inner}</article></body></html>".encode("windows-1251")
    result = extract(page)
    assert RUSSIAN[0] in result.body
    assert result.language == "ru"


# --- the scoring the bench and these tests rely on ------------------------------------------


def test_tokens_cjk_by_character_words_elsewhere():
    assert tokens("東京 Tokyo 서울, ไทย") == ["東", "京", "tokyo", "서", "울", "ไ", "ท", "ย"]
    assert token_f1("the cat sat", "the cat sat") == 1.0
    assert token_f1("", "the cat") == 0.0
    assert round(token_f1("a b", "a c"), 3) == 0.5


# Threads extracting at once (enrich's fetch threads): trafilatura's shared lxml XPath objects are
# not thread-safe, and a process extracting pages in four threads while tagging crashed with
# SIGSEGV in trafilatura's prune_unwanted_nodes (about one run in ten). The crash is chance; the
# rule that prevents it is not: never two extractions inside trafilatura at once. The real
# bare_extraction runs, wrapped to count how many threads are inside it.


def test_threads_never_extract_at_once_and_agree_with_one_thread(monkeypatch) -> None:
    import threading
    import time

    import trafilatura

    root = Path(__file__).resolve().parent.parent
    pages = sorted((root / "tests/fixtures/articles/pages").glob("*.html"))[:8]
    alone = {p.name: extract(p.read_bytes(), "https://example.org/a") for p in pages}
    real = trafilatura.bare_extraction
    inside = {"now": 0, "most": 0}
    count = threading.Lock()

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with count:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
        try:
            time.sleep(0.01)  # give another thread every chance to come in
            return real(*args, **kwargs)
        finally:
            with count:
                inside["now"] -= 1

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    found: dict[str, list] = {}

    def work(n: int) -> None:
        for page in pages[n:] + pages[:n]:
            found.setdefault(page.name, []).append(
                extract(page.read_bytes(), "https://example.org/a")
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inside["most"] == 1
    assert {name: [(e.status, e.body) for e in got] for name, got in found.items()} == {
        name: [(e.status, e.body)] * 4 for name, e in alone.items()
    }


def test_stamps_and_pagers_are_dropped_at_the_edges_of_the_text_only():
    """Other stories' dates listed around an article, a pager, a lone bullet: dropped from
    either end of the text (the real case: anp-detik-singlepage.html above, 0.75 without);
    a date or number inside the text, and any line with more words than a date's, stay."""
    from ingest.extract import _without_bare_edges

    article = [
        "Samsung menyatakan bahwa tiga celah keamanan akan diperbaiki bulan ini.",
        "12:30",
        "Updated on Tuesday 4 November at the request of the ministry, 05/11/2015",
        "Samsung menyarankan agar pengguna selalu update software.",
    ]
    edges = ["- Kamis, 05/11/2015 09:25 WIB", "Créé: 12.12.2019, 07h36", "-", "01", "0'"]
    assert _without_bare_edges(edges + article + edges[::-1]) == article
    assert _without_bare_edges(edges) == []
    assert _without_bare_edges(article) == article
