"""The expectations every gazetteer row sets for the tagger, written to a fixture (issue 16, item 4).

``python -m tests.gazetteer_expectations`` reads the gazetteer tables (line by line, not through
``ingest.tagging.countries``) and writes ``tests/fixtures/gazetteer-expectations.tsv``:

- ``blocker``: a blocker phrase, in a neutral sentence, tags no country, under the language and
  on the day given. A blocker protects against the names inside it ("Latin America" hides the
  USA's "America", "拉美" hides "美"); the files do not say which, so the look-alikes are found in
  the data: every name row whose surface (or, for a Cyrillic name, its stem: Америк-е) stands
  inside the phrase at a word start (anywhere, in scripts written without spaces). A phrase for
  every language is tried with no language and in each look-alike's languages and dates; a
  phrase kept to some languages (Italian Monaco, Munich) is tried in those only, on each
  look-alike's dates, as it blocks nothing in the others.
- ``alias``: a curated alias (names, adjectives, capitals, places, institutions, leaders) tags its
  countries (both, for a compound such as 中美) with the whole surface as evidence and the row's
  type, under its first language, on its first day in office for a dated row (else ``DAY``).

The fixture outlives the tables: deleting a row from a table leaves its expectation here, so
``tests/test_gazetteer_rows.py`` fails when the tagger's behaviour changes. After a deliberate
change to the tables, run the command again and review the fixture's diff.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

GAZETTEER = Path(__file__).resolve().parent.parent / "ingest" / "data" / "gazetteer"
HEADER = "surface\tiso3\ttype\tlanguages\tflags\tvalid_from\tvalid_to\tnote"
DAY = date(2026, 1, 1)  # the day undated rows are tried on (the tagger's clock is not read)
# Scripts written without spaces between words: a name may stand anywhere inside a phrase.
UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\u0e00-\u0e7f]")
CYRILLIC = re.compile("[\u0400-\u04ff]")
CYRILLIC_ENDINGS = "аяоеёиыйьіїюэєу"


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    surface: str
    iso3s: tuple[str, ...]  # empty for a blocker
    type: str
    languages: tuple[str, ...]  # empty: every language
    valid_from: date | None = None
    valid_to: date | None = None
    combining: bool = False  # flag combining: tags only in a pair (Sino-Japanese)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}:{self.surface}"


def _read(path: Path) -> list[Row]:
    """The rows of one table: curated (the documented header) or generated (surface, iso3, …)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [(n, line) for n, line in enumerate(fh, 1) if line.strip() and line[0] != "#"]
    header = lines[0][1].rstrip("\n").split("\t")
    for number, line in lines[1:]:
        cells = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
        surface = cells["surface"].strip()
        if not surface:
            continue
        code = cells["iso3"].strip()
        languages = cells.get("languages", "*").strip()
        rows.append(
            Row(
                file=path.name,
                line=number,
                surface=surface,
                iso3s=() if code == "-" else tuple(code.split("+")),
                type=cells.get("type", "name").strip() or "name",
                languages=()
                if languages in ("", "*")
                else tuple(sorted(x.strip() for x in languages.split(","))),
                valid_from=date.fromisoformat(v) if (v := cells.get("valid_from", "")) else None,
                valid_to=date.fromisoformat(v) if (v := cells.get("valid_to", "")) else None,
                combining="combining" in cells.get("flags", "").split(","),
            )
        )
    return rows


@cache
def curated_tables() -> tuple[Path, ...]:
    return tuple(
        path
        for path in sorted(GAZETTEER.glob("*.tsv"))
        if HEADER in path.read_text(encoding="utf-8").splitlines()
    )


@cache
def all_rows() -> tuple[Row, ...]:
    return tuple(row for path in sorted(GAZETTEER.glob("*.tsv")) for row in _read(path))


@cache
def blockers() -> tuple[Row, ...]:
    return tuple(row for row in all_rows() if not row.iso3s)


@cache
def curated_aliases() -> tuple[Row, ...]:
    return tuple(row for path in curated_tables() for row in _read(path) if row.iso3s)


def _keys(surface: str) -> set[str]:
    """How a name may stand inside a longer phrase: as written, and a Cyrillic name's stem."""
    folded = surface.casefold()
    keys = {folded}
    if CYRILLIC.search(folded) and len(folded) >= 5 and folded[-1] in CYRILLIC_ENDINGS:
        keys.add(folded[:-1])
    return keys


@cache
def _names_by_key() -> dict[str, tuple[Row, ...]]:
    index: dict[str, list[Row]] = {}
    for row in all_rows():
        if row.iso3s:
            for key in _keys(row.surface):
                index.setdefault(key, []).append(row)
    return {key: tuple(rows) for key, rows in index.items()}


def look_alikes(phrase: str) -> list[Row]:
    """The name rows whose surface stands inside ``phrase`` (case aside), at a word start."""
    text = phrase.casefold()
    index = _names_by_key()
    found: dict[Row, None] = {}
    for start in range(len(text)):
        if start and text[start - 1].isalnum() and not UNSPACED.match(text[start]):
            continue
        for end in range(start + 1, len(text) + 1):
            for row in index.get(text[start:end], ()):
                found[row] = None
    return list(found)


def sentence(surface: str) -> tuple[str, int]:
    """A neutral sentence holding ``surface``, and where it starts."""
    before = "a note on "  # lower case, and no word a blocker holds ("Japan Today" is a paper)
    return f"{before}{surface} here", len(before)


def day_for(row: Row) -> date:
    return row.valid_from or row.valid_to or DAY


FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gazetteer-expectations.tsv"
COLUMNS = ("kind", "file", "surface", "iso3s", "type", "language", "day", "look_alikes")


@dataclass(frozen=True)
class Expectation:
    kind: str  # blocker | alias
    file: str
    surface: str
    iso3s: tuple[str, ...]  # alias: the countries it must tag; blocker: none
    type: str
    language: str | None
    day: date
    look_alikes: tuple[str, ...] = ()  # blocker: the rows it hides (file:surface), for the reader

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.file}:{self.surface}:{self.language or '*'}:{self.day}"


def expectations() -> list[Expectation]:
    """Every expectation the current tables set."""
    out: list[Expectation] = []
    for blocker in blockers():
        hidden = look_alikes(blocker.surface)
        if blocker.languages:  # it applies to texts of its own languages only
            trials = {(lang, DAY) for lang in blocker.languages}
            for row in hidden:
                trials |= {(lang, day_for(row)) for lang in blocker.languages}
        else:
            trials = {(None, DAY)}
            for row in hidden:
                trials |= {(lang, day_for(row)) for lang in row.languages or (None,)}
        names = tuple(sorted({f"{row.file}:{row.surface}:{'+'.join(row.iso3s)}" for row in hidden}))
        for language, day in sorted(trials, key=lambda t: (t[0] or "", t[1])):
            out.append(
                Expectation(
                    "blocker", blocker.file, blocker.surface, (), "blocker", language, day, names
                )
            )
    for row in curated_aliases():
        if row.combining:
            continue  # alone it tags nothing: test_countries pairs each with another country
        language = row.languages[0] if row.languages else None
        out.append(
            Expectation("alias", row.file, row.surface, row.iso3s, row.type, language, day_for(row))
        )
    return list(dict.fromkeys(out))


def _line(e: Expectation) -> str:
    cells = (
        e.kind,
        e.file,
        e.surface,
        "+".join(e.iso3s) or "-",
        e.type,
        e.language or "*",
        e.day.isoformat(),
        " | ".join(e.look_alikes),
    )
    return "\t".join(cells)


def write_fixture(path: Path = FIXTURE) -> int:
    rows = expectations()
    head = (
        "# GENERATED by `python -m tests.gazetteer_expectations` from ingest/data/gazetteer/*.tsv:\n"
        "# what each blocker and curated alias row asks of the tagger (see that module). Rerun it\n"
        "# after a deliberate change to the tables and review the diff of this file.\n"
    )
    path.write_text(
        head + "\t".join(COLUMNS) + "\n" + "".join(_line(e) + "\n" for e in rows),
        encoding="utf-8",
    )
    return len(rows)


def read_fixture(path: Path = FIXTURE) -> list[Expectation]:
    out = []
    with path.open(encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in fh if not line.startswith("#")]
    assert tuple(lines[0].split("\t")) == COLUMNS, lines[0]
    for line in lines[1:]:
        kind, file, surface, iso3s, type_, language, day, hidden = line.split("\t")
        out.append(
            Expectation(
                kind,
                file,
                surface,
                () if iso3s == "-" else tuple(iso3s.split("+")),
                type_,
                None if language == "*" else language,
                date.fromisoformat(day),
                tuple(hidden.split(" | ")) if hidden else (),
            )
        )
    return out


if __name__ == "__main__":
    count = write_fixture()
    print(f"{FIXTURE}: {count} expectations", file=sys.stderr)
