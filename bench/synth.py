"""A synthetic store of real-looking news coverage, for developing and benchmarking the dashboard.

Outlets, languages and home countries are those of the feed catalogue; country names are the
CLDR names (Babel) in each outlet's language; the country mix follows who co-occurs with whom in
international news (Russia–Ukraine, United States–China, Israel–Palestine, North Korea–Russia …),
with each outlet leaning towards its home country, real event spikes (e.g. Putin in Pyongyang,
19 June 2024) and a weekly rhythm. Every tag carries evidence with offsets into
``tagging_text(title, summary)``, exactly as the real tagger stores them.

    python -m bench.synth --articles 1000000 --days 1095 --out data/bench-1m.db
    python -m bench.synth --articles 1000000 --days 365 --end 2026-12-04 \\
        --url postgresql+psycopg://pantau@127.0.0.1:55433/pantau_pgm   # an empty database
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from babel import Locale
from sqlalchemy import Engine

from ingest import store
from ingest.geo import get_country
from ingest.records import Article, CountryTag, Evidence, Tags, TopicTag

# (slug, title, language, home country, relative volume)
OUTLETS: tuple[tuple[str, str, str, str, float], ...] = (
    ("antara", "ANTARA News", "id", "IDN", 9),
    ("detik", "detik.com", "id", "IDN", 8),
    ("tempo", "Tempo.co", "id", "IDN", 6),
    ("viva", "VIVA.co.id", "id", "IDN", 5),
    ("liputan6", "Liputan6", "id", "IDN", 7),
    ("bbc-news", "BBC News - World", "en", "GBR", 6),
    ("guardian", "The Guardian", "en", "GBR", 5),
    ("aljazeera", "Al Jazeera English", "en", "QAT", 6),
    ("nytimes", "NYT > World News", "en", "USA", 6),
    ("washingtonpost", "Washington Post - World", "en", "USA", 4),
    ("npr", "NPR Topics: World", "en", "USA", 3),
    ("cnn", "CNN.com", "en", "USA", 4),
    ("straitstimes", "The Straits Times", "en", "SGP", 4),
    ("koreatimes", "The Korea Times", "en", "KOR", 3),
    ("japantoday", "Japan Today - World", "en", "JPN", 3),
    ("dawn", "Dawn - World", "en", "PAK", 3),
    ("ndtv", "NDTV", "en", "IND", 4),
    ("abc-au", "ABC News (Australia)", "en", "AUS", 3),
    ("allafrica", "AllAfrica News", "en", "ZAF", 3),
    ("lenta", "Lenta.ru", "ru", "RUS", 6),
    ("aif", "Argumenty i Fakty", "ru", "RUS", 3),
    ("suspilne", "Suspilne Novyny", "uk", "UKR", 4),
    ("knews", "Hankyoreh - 국제", "ko", "KOR", 4),
    ("bbc-chinese", "BBC Chinese", "zh", "GBR", 2),
    ("qq-news", "Tencent QQ News", "zh", "CHN", 4),
    ("yahoo-japan", "Yahoo!ニュース", "ja", "JPN", 4),
    ("news18-hindi", "News18 Hindi", "hi", "IND", 3),
    ("bbc-urdu", "BBC News Urdu", "ur", "GBR", 2),
    ("lemonde", "Le Monde", "fr", "FRA", 4),
    ("dw", "Deutsche Welle", "de", "DEU", 4),
    ("orf", "ORF", "de", "AUT", 2),
    ("elpais", "EL PAÍS", "es", "ESP", 4),
    ("uol", "UOL Notícias", "pt", "BRA", 3),
    ("ilmessaggero", "Il Messaggero - mondo", "it", "ITA", 2),
    ("liberal-gr", "Liberal.gr", "el", "GRC", 2),
)

# Countries in world news, by relative weight when an article is about one state.
COUNTRY_WEIGHTS: dict[str, float] = {
    "USA": 30,
    "CHN": 16,
    "RUS": 16,
    "UKR": 13,
    "ISR": 10,
    "PSE": 8,
    "IRN": 7,
    "GBR": 7,
    "IND": 7,
    "FRA": 5,
    "DEU": 5,
    "JPN": 5,
    "KOR": 4,
    "PRK": 4,
    "TWN": 3,
    "SYR": 3,
    "TUR": 4,
    "SAU": 3,
    "PAK": 4,
    "AFG": 2,
    "IDN": 4,
    "PHL": 3,
    "AUS": 3,
    "BRA": 3,
    "MEX": 2,
    "CAN": 3,
    "ZAF": 2,
    "NGA": 2,
    "EGY": 2,
    "LBN": 2,
    "YEM": 2,
    "SDN": 2,
    "VEN": 2,
    "MMR": 2,
    "VNM": 2,
    "THA": 2,
    "MYS": 2,
    "SGP": 2,
    "ITA": 2,
    "ESP": 2,
    "POL": 2,
    "BLR": 1,
    "HUN": 1,
    "GRC": 1,
    "QAT": 1,
    "IRQ": 1,
    "ARG": 1,
    "ETH": 1,
    "KEN": 1,
    "COD": 1,
    "HTI": 1,
    "CUB": 1,
    "GEO": 1,
    "ARM": 1,
    "AZE": 1,
    "SRB": 1,
    "XKX": 0.5,
    "BGD": 1,
    "LKA": 0.5,
    "NPL": 0.5,
    "KAZ": 0.5,
}

# Pairs that co-occur in international news (unordered), by relative weight.
PAIR_WEIGHTS: dict[tuple[str, str], float] = {
    ("RUS", "UKR"): 30,
    ("CHN", "USA"): 22,
    ("ISR", "PSE"): 18,
    ("RUS", "USA"): 12,
    ("UKR", "USA"): 11,
    ("IRN", "ISR"): 9,
    ("ISR", "USA"): 9,
    ("CHN", "TWN"): 7,
    ("KOR", "PRK"): 6,
    ("PRK", "RUS"): 5,
    ("PRK", "USA"): 5,
    ("IND", "PAK"): 5,
    ("CHN", "RUS"): 6,
    ("CHN", "PHL"): 4,
    ("IRN", "USA"): 5,
    ("CHN", "JPN"): 3,
    ("JPN", "KOR"): 3,
    ("DEU", "UKR"): 3,
    ("FRA", "UKR"): 3,
    ("GBR", "UKR"): 3,
    ("LBN", "ISR"): 4,
    ("ISR", "SYR"): 3,
    ("EGY", "PSE"): 3,
    ("QAT", "PSE"): 2,
    ("SAU", "ISR"): 2,
    ("SAU", "USA"): 2,
    ("MEX", "USA"): 4,
    ("CAN", "USA"): 4,
    ("CHN", "IND"): 3,
    ("AUS", "CHN"): 2,
    ("IDN", "MYS"): 2,
    ("IDN", "SGP"): 2,
    ("CHN", "IDN"): 2,
    ("AUS", "IDN"): 2,
    ("IDN", "USA"): 2,
    ("PSE", "IDN"): 2,
    ("BRA", "USA"): 2,
    ("TUR", "SYR"): 2,
    ("RUS", "TUR"): 2,
    ("BLR", "RUS"): 2,
    ("POL", "UKR"): 2,
    ("HUN", "UKR"): 1,
    ("YEM", "USA"): 2,
    ("SDN", "EGY"): 1,
    ("MMR", "THA"): 1,
    ("PHL", "USA"): 2,
    ("VEN", "USA"): 2,
    ("CUB", "USA"): 1,
    ("AFG", "PAK"): 2,
    ("ARM", "AZE"): 2,
    ("SRB", "XKX"): 1,
    ("GEO", "RUS"): 1,
    ("IRN", "RUS"): 2,
    ("IRN", "SAU"): 1,
    ("IRQ", "USA"): 1,
    ("IND", "USA"): 2,
}

# Real events: (day, pair or single, extra weight multiplier, days of decay)
EVENTS: tuple[tuple[str, tuple[str, ...], float, int], ...] = (
    ("2022-02-24", ("RUS", "UKR"), 12, 30),
    ("2023-10-07", ("ISR", "PSE"), 10, 40),
    ("2023-09-13", ("PRK", "RUS"), 8, 5),  # Kim Jong Un at Vostochny
    ("2024-06-19", ("PRK", "RUS"), 14, 6),  # Putin in Pyongyang, partnership treaty
    ("2024-04-14", ("IRN", "ISR"), 9, 5),
    ("2024-11-05", ("USA",), 6, 4),
    ("2024-12-08", ("SYR",), 8, 6),
    ("2025-04-22", ("IND", "PAK"), 8, 12),
    ("2025-06-13", ("IRN", "ISR"), 10, 10),
    ("2025-08-15", ("RUS", "USA"), 7, 4),
    ("2025-10-30", ("CHN", "USA"), 6, 4),
)

TOPIC_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "military": ("military aid", "troops", "arms deal", "defence pact"),
        "conflict": ("air strikes", "ceasefire", "fighting", "attack"),
        "diplomacy": ("talks", "summit", "state visit", "ambassador"),
        "sanctions": ("sanctions", "export controls", "embargo"),
        "trade": ("tariffs", "trade deal", "investment"),
        "energy": ("gas supplies", "oil prices", "pipeline"),
        "nuclear": ("nuclear weapons", "ballistic missile", "nuclear programme"),
        "politics": ("election", "parliament", "coalition government"),
        "unrest": ("protests", "riots", "strike"),
        "humanitarian": ("refugees", "aid convoy", "earthquake"),
        "rights": ("human rights", "trial", "journalists detained"),
        "cyber_tech": ("cyberattack", "chip exports", "espionage"),
    },
    "id": {
        "military": ("militer", "latihan militer", "alutsista"),
        "conflict": ("serangan udara", "gencatan senjata", "perang"),
        "diplomacy": ("kunjungan kenegaraan", "KTT", "perundingan"),
        "sanctions": ("sanksi", "embargo"),
        "trade": ("perdagangan", "tarif", "investasi"),
        "energy": ("minyak", "gas", "energi"),
        "nuclear": ("nuklir", "rudal balistik"),
        "politics": ("pemilu", "parlemen", "pemerintahan"),
        "unrest": ("demonstrasi", "unjuk rasa"),
        "humanitarian": ("pengungsi", "bantuan kemanusiaan", "gempa"),
        "rights": ("hak asasi manusia", "pengadilan"),
        "cyber_tech": ("serangan siber", "chip"),
    },
    "ru": {
        "military": ("военное сотрудничество", "учения"),
        "conflict": ("удары", "перемирие", "обстрел"),
        "diplomacy": ("переговоры", "визит", "саммит"),
        "sanctions": ("санкции",),
        "trade": ("торговля", "пошлины"),
        "energy": ("газ", "нефть"),
        "nuclear": ("ядерное оружие", "баллистическая ракета"),
        "politics": ("выборы", "парламент"),
        "unrest": ("протесты",),
        "humanitarian": ("беженцы", "гуманитарная помощь"),
        "rights": ("суд", "права человека"),
        "cyber_tech": ("кибератака", "чипы"),
    },
}
TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "{a} and {b} {t}: what we know",
        "{a} says {t} with {b} will continue",
        "Analysis: why {t} between {a} and {b} matters",
        "{a} responds to {b} over {t}",
    ),
    "id": (
        "{a} dan {b} bahas {t}",
        "Presiden {a} soroti {t} dengan {b}",
        "{t}: {a} minta {b} menahan diri",
    ),
    "ru": ("{a} и {b}: {t}", "{a} заявила о {t} с {b}", "{t}: {a} ответила {b}"),
}
SINGLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": ("{a}: {t} dominate the week", "Live: {t} in {a}", "{a} braces for {t}"),
    "id": ("{a} hadapi {t}", "Kabar {a}: {t}"),
    "ru": ("{a}: {t}", "В {a} — {t}"),
}
SUMMARY = {
    "en": "Officials in {a} commented on {t} on {d}.",
    "id": "Pejabat {a} menanggapi {t} pada {d}.",
    "ru": "Официальные лица {a} прокомментировали {t} {d}.",
}


def _names(language: str) -> Callable[[str], str]:
    locale = Locale.parse(language)
    territories = locale.territories

    def name(iso3: str) -> str:
        country = get_country(iso3)
        if country is None:
            return iso3
        return territories.get(country.iso2, country.name)

    return name


@dataclass
class _Picker:
    keys: list
    cum: list[float]

    @classmethod
    def of(cls, weights: dict) -> _Picker:
        keys = list(weights)
        total, cum = 0.0, []
        for k in keys:
            total += weights[k]
            cum.append(total)
        return cls(keys, cum)

    def pick(self, rng: random.Random) -> object:
        x = rng.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.keys[lo]


class _Writer:
    """Builds one article's text while recording each inserted span as evidence."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[str, str, int]] = []  # (kind key, surface, start)

    def add(self, literal: str) -> None:
        self.text += literal

    def add_span(self, key: str, surface: str) -> None:
        self.spans.append((key, surface, len(self.text)))
        self.text += surface


def _render(template: str, parts: dict[str, tuple[str, str]], w: _Writer) -> None:
    """Fill ``template`` ({a} {b} {t} {d}); parts maps a slot to (evidence key, surface)."""
    i = 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            slot = template[i + 1 : j]
            key, surface = parts[slot]
            if key:
                w.add_span(key, surface)
            else:
                w.add(surface)
            i = j + 1
        else:
            w.add(template[i])
            i += 1


def _event_boost(day: date) -> dict[tuple[str, ...], float]:
    boosts: dict[tuple[str, ...], float] = {}
    for start, keys, weight, decay in EVENTS:
        d0 = date.fromisoformat(start)
        delta = (day - d0).days
        if 0 <= delta < decay * 3:
            boosts[keys] = boosts.get(keys, 0.0) + weight * math.exp(-delta / decay)
    return boosts


def generate(
    engine: Engine,
    *,
    articles: int,
    days: int,
    end: date = date(2026, 2, 18),
    seed: int = 7,
    batch: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write ``articles`` synthetic articles spread over the ``days`` days up to ``end``."""
    rng = random.Random(seed)
    feed_ids: list[int] = []
    for slug, title, lang, home, _w in OUTLETS:
        feed_ids.append(
            store.ensure_feed(
                engine,
                f"https://synthetic.example/{slug}/rss.xml",
                title=title,
                language=lang,
                country_iso3=home,
                site_url=f"https://synthetic.example/{slug}/",
                source="synthetic",
            )
        )
    outlet_pick = _Picker.of({i: o[4] for i, o in enumerate(OUTLETS)})
    base_country = _Picker.of(COUNTRY_WEIGHTS)
    names = {lang: _names(lang) for lang in {o[2] for o in OUTLETS}}
    topic_ids = list(TOPIC_WORDS["en"])
    start = end - timedelta(days=days - 1)
    # Volume grows over time and dips at weekends.
    day_weights = []
    for k in range(days):
        d = start + timedelta(days=k)
        day_weights.append((1 + k / max(days, 1)) * (0.7 if d.weekday() >= 5 else 1.0))
    scale = articles / sum(day_weights)
    written, pending = 0, []
    serial = 0
    for k in range(days):
        d = start + timedelta(days=k)
        n_today = int(round(day_weights[k] * scale)) if k < days - 1 else articles - written
        n_today = max(0, min(n_today, articles - written - len(pending)))
        boosts = _event_boost(d)
        pairs = dict(PAIR_WEIGHTS)
        singles = None
        for keys, extra in boosts.items():
            if len(keys) == 2:
                pairs[keys] = pairs.get(keys, 0) + extra * 10
            else:
                singles = singles or dict(COUNTRY_WEIGHTS)
                singles[keys[0]] = singles.get(keys[0], 0) + extra * 10
        pair_pick = _Picker.of(pairs)
        single_pick = _Picker.of(singles) if singles else base_country
        for _ in range(n_today):
            serial += 1
            oi = outlet_pick.pick(rng)
            slug, _title, lang, home, _w = OUTLETS[oi]
            r = rng.random()
            if r < 0.45:
                codes = list(pair_pick.pick(rng))
                if rng.random() < 0.15:
                    codes.append(single_pick.pick(rng))
            elif r < 0.85:
                codes = [single_pick.pick(rng)]
                if rng.random() < 0.3:
                    codes.append(home)
            elif r < 0.95:
                codes = [home]
            else:
                codes = []
            codes = list(dict.fromkeys(codes))
            rng.shuffle(codes)
            topics = rng.sample(topic_ids, k=rng.choice((0, 1, 1, 1, 2, 2, 3)))
            pending.append(
                _article(rng, serial, slug, lang, codes, topics, d, names[lang]) + (feed_ids[oi],)
            )
        if len(pending) >= batch or k == days - 1:
            written += _flush(engine, pending)
            pending = []
            if progress:
                progress(written, articles)
    return written


def _article(
    rng: random.Random,
    serial: int,
    slug: str,
    lang: str,
    codes: list[str],
    topics: list[str],
    day: date,
    name: Callable[[str], str],
) -> tuple[Article, Tags]:
    words_lang = lang if lang in TOPIC_WORDS else "en"
    words = TOPIC_WORDS[words_lang]
    text_lang = lang if lang in TEMPLATES else None
    topic = topics[0] if topics else None
    t_surface = rng.choice(words[topic]) if topic else rng.choice(("news", "update", "report"))
    w = _Writer()
    parts: dict[str, tuple[str, str]] = {
        "t": (f"topic:{topic}" if topic else "", t_surface),
        "d": ("", day.strftime("%d %B %Y")),
    }
    if codes:
        parts["a"] = (f"country:{codes[0]}", name(codes[0]))
    if len(codes) >= 2:
        parts["b"] = (f"country:{codes[1]}", name(codes[1]))
    if text_lang is None:
        # Languages without templates: the names in the outlet's language, joined plainly.
        for i, code in enumerate(codes):
            if i:
                w.add(" — ")
            w.add_span(f"country:{code}", name(code))
        w.add(": " if codes else "")
        w.add_span(*parts["t"]) if parts["t"][0] else w.add(t_surface)
    elif len(codes) >= 2:
        _render(rng.choice(TEMPLATES[text_lang]), parts, w)
    elif codes:
        _render(rng.choice(SINGLE_TEMPLATES[text_lang]), parts, w)
    else:
        w.add_span(*parts["t"]) if parts["t"][0] else w.add(t_surface)
        w.add(" — " + ("weather and markets" if text_lang == "en" else "berita"))
    title = w.text
    w.add("\n")
    summary_lang = text_lang or "en"
    if codes:
        sparts = dict(parts)
        _render(SUMMARY[summary_lang], sparts, w)
        for extra in codes[2:]:
            w.add(" ")
            w.add_span(f"country:{extra}", name(extra))
            w.add(".")
        for extra_topic in topics[1:]:
            w.add(" ")
            w.add_span(f"topic:{extra_topic}", rng.choice(TOPIC_WORDS[words_lang][extra_topic]))
            w.add(".")
    else:
        w.add(day.strftime("%d %B %Y"))
    summary = w.text[len(title) + 1 :]
    country_ev: dict[str, list[Evidence]] = {c: [] for c in codes}
    topic_ev: dict[str, list[Evidence]] = {t: [] for t in topics}
    for key, surface, start in w.spans:
        kind, _, value = key.partition(":")
        ev = Evidence(text=surface, type="name" if kind == "country" else "keyword", start=start)
        (country_ev if kind == "country" else topic_ev).setdefault(value, []).append(ev)
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(86400)
    )
    key = hashlib.sha1(f"synthetic:{serial}".encode()).hexdigest()
    article = Article(
        url_key=key,
        url=f"https://synthetic.example/{slug}/{day.isoformat()}/{serial}",
        guid=None,
        title=title,
        summary=summary,
        published_at=moment,
        fetched_at=moment + timedelta(minutes=rng.randrange(5, 90)),
        feed_language=lang,
    )
    tags = Tags(
        language=lang,
        language_source="feed",
        countries=[CountryTag(iso3=c, evidence=ev) for c, ev in country_ev.items()],
        topics=[TopicTag(topic=t, evidence=ev) for t, ev in topic_ev.items() if ev],
        tagger_version="synthetic-1",
    )
    return article, tags


def _flush(engine: Engine, pending: list[tuple[Article, Tags, int]]) -> int:
    by_feed: dict[int, list[tuple[Article, Tags]]] = {}
    for article, tags, feed_id in pending:
        by_feed.setdefault(feed_id, []).append((article, tags))
    return sum(
        store.save_articles(engine, fid, items).new_articles for fid, items in by_feed.items()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", default="data/synthetic.db", help="SQLite file to create")
    parser.add_argument(
        "--url", help="SQLAlchemy URL of an empty store to fill instead of --out (e.g. PostgreSQL)"
    )
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 2, 18))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    path = Path(args.out)
    if not args.url and path.exists():
        print(f"{path} exists; remove it first", file=sys.stderr)
        return 2
    where = args.url or str(path)
    engine = store.make_engine(args.url or f"sqlite:///{path}")
    t0 = time.perf_counter()

    def report(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - t0, 1e-9)
        print(f"\r{done:,}/{total:,} articles ({rate:,.0f}/s)", end="", file=sys.stderr)

    n = generate(
        engine,
        articles=args.articles,
        days=args.days,
        end=args.end,
        seed=args.seed,
        progress=report,
    )
    store.checkpoint(engine)
    print(f"\nwrote {n:,} articles to {where} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
