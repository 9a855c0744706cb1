"""Country tagging on Reuters-21578 (ModApte test split): ours beside geotext and
country-named-entity-recognition, in the same run, on the same documents.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/bench_reuters.py [PATH_TO_REUTERS21578]

Gold: each document's ``<PLACES>`` (Reuters place codes, mapped to ISO 3166-1 alpha-3;
historical states to their clear successor: ussr → RUS, west/east-germany → DEU; states with no
single successor — czechoslovakia, yugoslavia, netherlands-antilles — are dropped).
Documents: ``LEWISSPLIT="TEST" TOPICS="YES"`` (the ModApte test split, 3,299 documents), text =
title + dateline + body (the dateline, "NEW YORK, March 3 -", is part of the story as published). Scores are micro precision / recall / F1 over (document, country) pairs.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.geo import country_name, iso3_from_iso2  # noqa: E402
from ingest.records import tagging_text  # noqa: E402
from ingest.tagging.countries import tag_countries  # noqa: E402

DEFAULT_PATH = REPO.parent / "shared" / "data" / "gold" / "reuters21578"

# Reuters place codes whose English name does not give the ISO3 code directly.
SPECIAL = {
    "usa": "USA", "uk": "GBR", "ussr": "RUS", "west-germany": "DEU", "east-germany": "DEU",
    "burma": "MMR", "kampuchea": "KHM", "zaire": "COD", "congo": "COG", "ivory-coast": "CIV",
    "macao": "MAC", "hong-kong": "HKG", "taiwan": "TWN", "uae": "ARE", "laos": "LAO",
    "trinidad-tobago": "TTO", "western-samoa": "WSM", "yemen-arab-republic": "YEM",
    "yemen-demo-republic": "YEM", "swaziland": "SWZ", "vatican": "VAT", "north-korea": "PRK",
    "south-korea": "KOR", "us-virgin-islands": "VIR", "british-virgin-islands": "VGB",
    "american-samoa": "ASM", "french-guiana": "GUF", "new-caledonia": "NCL",
    "guadeloupe": "GLP", "martinique": "MTQ", "guam": "GUM", "cape-verde": "CPV",
    "vietnam": "VNM", "iran": "IRN", "syria": "SYR", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "russia": "RUS", "antigua": "ATG", "brunei": "BRN",
    "central-african-republic": "CAF", "dominican-republic": "DOM", "el-salvador": "SLV",
    "equatorial-guinea": "GNQ", "guinea-bissau": "GNB", "papua-new-guinea": "PNG",
    "saudi-arabia": "SAU", "sierra-leone": "SLE", "south-africa": "ZAF", "sri-lanka": "LKA",
    "costa-rica": "CRI", "new-zealand": "NZL", "burkina-faso": "BFA", "cayman-islands": "CYM",
    "netherlands": "NLD", "gambia": "GMB", "bahamas": "BHS",
}  # fmt: skip
NO_SUCCESSOR = {"czechoslovakia", "yugoslavia", "netherlands-antilles"}

_DOC = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)
_TAG = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.S)
    for name in ("TITLE", "DATELINE", "BODY", "DATE")
}
_PLACES = re.compile(r"<PLACES>(.*?)</PLACES>", re.S)
_D = re.compile(r"<D>(.*?)</D>")


@dataclass
class Document:
    title: str
    body: str
    day: date | None
    places: set[str]


def place_map(path: Path) -> dict[str, str]:
    """Reuters place code → ISO3, from the official list of place codes."""
    names = {country_name(code).casefold(): code for code in _all_iso3()}
    mapping: dict[str, str] = {}
    for code in (path / "all-places-strings.lc.txt").read_text(encoding="latin-1").split():
        if code in NO_SUCCESSOR:
            continue
        iso3 = SPECIAL.get(code) or names.get(code.replace("-", " ").casefold())
        if iso3 is None:
            raise SystemExit(f"unmapped Reuters place code: {code}")
        mapping[code] = iso3
    return mapping


def _all_iso3() -> list[str]:
    from ingest.geo import all_countries

    return [c.iso3 for c in all_countries()]


def _field(name: str, text: str) -> str:
    found = _TAG[name].search(text)
    return html.unescape(found.group(1)).strip() if found else ""


def documents(path: Path, places: dict[str, str]) -> Iterator[Document]:
    for sgm in sorted(path.glob("reut2-*.sgm")):
        for attributes, text in _DOC.findall(sgm.read_text(encoding="latin-1")):
            if 'LEWISSPLIT="TEST"' not in attributes or 'TOPICS="YES"' not in attributes:
                continue
            found = _PLACES.search(text)
            codes = _D.findall(found.group(1)) if found else []
            try:
                day = datetime.strptime(_field("DATE", text)[:11], "%d-%b-%Y").date()
            except ValueError:
                day = None
            yield Document(
                title=_field("TITLE", text),
                body=" ".join(filter(None, (_field("DATELINE", text), _field("BODY", text)))),
                day=day,
                places={places[c] for c in codes if c in places},
            )


def ours(doc: Document) -> set[str]:
    text = tagging_text(doc.title, doc.body)
    return {tag.iso3 for tag in tag_countries(text, on=doc.day, language="en")}


def geotext_tagger() -> Callable[[Document], set[str]]:
    from geotext import GeoText

    def tag(doc: Document) -> set[str]:
        mentions = GeoText(tagging_text(doc.title, doc.body)).country_mentions
        return {iso3 for iso2 in mentions if (iso3 := iso3_from_iso2(iso2))}

    return tag


def cner_tagger() -> Callable[[Document], set[str]]:
    from country_named_entity_recognition import find_countries

    def tag(doc: Document) -> set[str]:
        found = find_countries(tagging_text(doc.title, doc.body))
        return {country.alpha_3 for country, _match in found}

    return tag


def score(docs: list[Document], tagger: Callable[[Document], set[str]]) -> tuple[float, ...]:
    tp = fp = fn = 0
    started = time.perf_counter()
    for doc in docs:
        predicted = tagger(doc)
        tp += len(predicted & doc.places)
        fp += len(predicted - doc.places)
        fn += len(doc.places - predicted)
    elapsed = time.perf_counter() - started
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(docs) / elapsed


# The peer's whole process on the same JSON Lines input as ``python -m ingest tag``.
GEOTEXT_PROCESS = """
import json, sys
from geotext import GeoText
for line in sys.stdin:
    row = json.loads(line)
    mentions = GeoText(row["title"] + "\\n" + row["summary"]).country_mentions
    print(json.dumps({"id": row["id"], "countries": sorted(mentions)}))
"""


def process_seconds(command: list[str], lines: str, rounds: int = 3) -> float:
    """Best wall time of a whole process (start-up included) reading ``lines`` on stdin."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        subprocess.run(command, input=lines, text=True, cwd=REPO, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return min(times)


def side_by_side(docs: list[Document]) -> None:
    """``python -m ingest tag`` (language given) beside geotext, each a whole process."""
    lines = "".join(
        json.dumps(
            {
                "id": str(n),
                "title": doc.title,
                "summary": doc.body,
                "language": "en",
                "published": doc.day.isoformat() if doc.day else None,
            }
        )
        + "\n"
        for n, doc in enumerate(docs)
    )
    command = [sys.executable, "-m", "ingest", "tag"]
    # Python caches the modules' bytecode on first import; a machine that forbids it
    # (PYTHONDONTWRITEBYTECODE) would time compiling them in every process instead.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "ingest"], cwd=REPO, check=True)
    subprocess.run(
        command,
        input=lines[: lines.index("\n") + 1],
        text=True,
        cwd=REPO,
        check=True,
        capture_output=True,
    )  # the tagger cache built, as after a first use
    ours_s = process_seconds(command, lines)
    start_s = process_seconds(command, "")
    first = lines[: lines.index("\n") + 1]
    ready_s = process_seconds(command, first, rounds=5)
    print(f"whole process on the {len(docs)} documents (best of 3):")
    print(
        f"  python -m ingest tag (language given)  {ours_s:6.2f} s  (start-up alone {start_s:.2f} s;"
        f" ready, one document tagged: {ready_s:.2f} s, goal <= 0.5 s)"
    )
    try:
        geotext_s = process_seconds([sys.executable, "-c", GEOTEXT_PROCESS], lines)
    except subprocess.CalledProcessError:
        print("  geotext: not installed (pip install -r bench/requirements.txt)")
        return
    print(f"  geotext 0.4                            {geotext_s:6.2f} s")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    places = place_map(path)
    docs = list(documents(path, places))
    # Warm: the matcher read from the tagger cache starts on its pyahocorasick automaton and
    # builds the Rust one after ~170,000 characters (matcher.SWITCH_CHARS_PER_KEY); one untimed
    # pass makes the rate below the warm tagger's, as before the cache held that automaton.
    for doc in docs:
        ours(doc)
    labelled = sum(1 for d in docs if d.places)
    pairs = sum(len(d.places) for d in docs)
    print(
        f"Reuters-21578 ModApte test: {len(docs)} documents, {labelled} with places, {pairs} gold pairs"
    )
    print(f"{'tagger':36} {'P':>6} {'R':>6} {'F1':>6} {'docs/s':>9}")
    rows = [("pantau (ours)", ours)]
    for name, make in (
        ("geotext 0.4", geotext_tagger),
        ("country-named-entity-recognition", cner_tagger),
    ):
        try:
            rows.append((name, make()))
        except ImportError:
            print(f"{name}: not installed (pip install -r bench/requirements.txt)")
    for name, tagger in rows:
        precision, recall, f1, rate = score(docs, tagger)
        print(f"{name:36} {precision:6.3f} {recall:6.3f} {f1:6.3f} {rate:9.0f}")
    side_by_side(docs)


if __name__ == "__main__":
    main()
