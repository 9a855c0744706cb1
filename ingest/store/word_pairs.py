"""PostgreSQL's exact index of the words that one space joins, for searches of phrases.

The index of what each word holds (``store.word_grams``) finds the rows that hold each word of
a phrase, not the rows where they stand side by side, so every row it finds for a phrase must
have its text tested: for a name whose words come together ("vargas llosa") every body that
names it, for a phrase of common words ("of the") nearly every body (issue 13: "of the"
counted over a year of 1M articles took 1.6 s). This index answers a phrase of two words
joined by one space with no text tested. For each field (title, summary, body) it holds, for
every two words of the field's lower() that a single space (U+0020) joins, each ending of the
first word of up to ``SIDE_CHARS`` characters, a space, and the first ``SIDE_CHARS``
characters of the second: "mario vargas llosa" gives "o vargas", "io vargas", ..., "mario
vargas", "s llosa", "as llosa", ..., "vargas llosa". Words are those of ``store.word_grams``
(runs of characters that are not its ``SEPARATORS``).

Why it is exact: a text holds "first second" (two words of up to ``SIDE_CHARS`` characters,
one space between, nothing else) exactly when some word of it ends with "first", one space
follows, and the next word begins with "second": exactly when a string indexed for that pair
(the ending that is "first", the space, the second word's start) begins with "first second",
a tsquery prefix match (``'first second':*``), which GIN answers from the index alone.

A longer phrase ("kim jong un", "minister of defence", "kim jong-un") is read by each of its
pairs joined by one space, ANDed; every row read is tested, as the pairs may stand apart. A
word a separator follows in the phrase is a whole word of the text, so its pair's string is
exact, not a prefix; a first word longer than ``SIDE_CHARS`` is read by its last
``SIDE_CHARS`` characters, a second by its first. A phrase with no two words joined by one
space ("u.s.", "kim-jong", "the «other") is left to the other indexes.

Fields too long to index, or whose strings would not fit a tsvector, are indexed as the one
string ``word_grams.OVERFLOW`` (the same limits), read and tested like those of the word
index; no search is refused and no match missed.
"""

from __future__ import annotations

from ingest.store import word_grams

FUNCTION = "pantau_word_pairs"
SIDE_CHARS = word_grams.GRAM_CHARS  # characters kept of each side of a pair
JOIN = " "  # the one separator a pair is made across

_WORD = "[^" + word_grams.separator_bracket()[1:] + "+"  # a run of non-separators
_SEPARATORS = word_grams.separator_bracket() + "*"  # the run after a word (or none)
_OVERFLOWED = f"array_to_tsvector(ARRAY['{word_grams.OVERFLOW}'])"

# The function: the field's lower() in, each word with the separators after it (in order),
# each word beside the next where exactly one space joins them, every ending of the first of up
# to SIDE_CHARS characters with the second's first SIDE_CHARS: a tsvector of those strings.
# Same overflow rules, price and parallel safety as ``word_grams.PG_FUNCTION``.
PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}(t text) RETURNS tsvector "
    f"LANGUAGE sql IMMUTABLE PARALLEL UNSAFE COST {word_grams.COST} AS $$ "
    f"WITH parts AS (SELECT m[1] AS w, m[2] AS s, n "
    f"FROM regexp_matches(t, '({_WORD})({_SEPARATORS})', 'g') WITH ORDINALITY AS r(m, n) "
    f"WHERE length(t) <= {word_grams.LONG_FIELD}), "
    "pairs AS (SELECT w AS a, s, lead(w) OVER (ORDER BY n) AS b FROM parts) "
    "SELECT CASE "
    f"WHEN length(t) > {word_grams.LONG_FIELD} "
    f"OR (SELECT max(length(w)) FROM parts) > {word_grams.LONG_WORD} THEN {_OVERFLOWED} "
    "ELSE (SELECT CASE WHEN g IS NULL THEN ''::tsvector "
    f"WHEN 4 * n + bytes <= {word_grams.TSVECTOR_BYTES} THEN array_to_tsvector(g) "
    f"ELSE {_OVERFLOWED} END "
    "FROM (SELECT array_agg(x) AS g, count(*) AS n, sum(octet_length(x)) AS bytes FROM ("
    f"SELECT DISTINCT substr(a, i) || '{JOIN}' || left(b, {SIDE_CHARS}) AS x "
    f"FROM pairs, generate_series(greatest(1, length(a) - {SIDE_CHARS - 1}), length(a)) AS i "
    f"WHERE s = '{JOIN}' AND b IS NOT NULL) AS strings) AS counted) "
    "END $$"
)


def _runs(needle: str) -> list[tuple[str, bool]]:
    """``needle`` as its runs in order: (text, whether it is a word)."""
    runs: list[tuple[str, bool]] = []
    for ch in needle:
        word = not word_grams.is_separator(ch)
        if runs and runs[-1][1] == word:
            runs[-1] = (runs[-1][0] + ch, word)
        else:
            runs.append((ch, word))
    return runs


def _terms(needle: str) -> list[str]:
    """The tsquery terms of ``needle``'s pairs joined by one space (none: no such pair)."""
    runs = _runs(needle)
    terms: list[str] = []
    for at in range(len(runs) - 2):
        (first, is_word), (between, _), (second, second_is_word) = runs[at : at + 3]
        if not (is_word and second_is_word and between == JOIN):
            continue
        side = f"{first[-SIDE_CHARS:]}{JOIN}{second[:SIDE_CHARS]}"
        whole = at + 3 < len(runs)  # a separator follows: the second is a whole word
        term = f"'{side}'" if whole or len(second) > SIDE_CHARS else f"'{side}':*"
        if term not in terms:
            terms.append(term)
    return terms


def answers(needle: str) -> bool:
    """Whether this index reads a search for ``needle`` (lower-cased): it holds two words
    joined by one space."""
    return bool(_terms(needle))


def tsquery_text(needle: str) -> str:
    """The tsquery (its text form) of the rows whose field may hold ``needle`` (``answers``):
    each of its pairs joined by one space, ANDed. A word holds no quote or backslash
    (separators), so the quoted strings need no escapes."""
    return " & ".join(_terms(needle))


def exact(needle: str) -> bool:
    """Whether the index read of ``tsquery_text(needle)`` is the answer itself (no test): two
    words of up to ``SIDE_CHARS`` characters, one space between, nothing else."""
    runs = _runs(needle)
    return (
        len(runs) == 3
        and runs[0][1]
        and runs[1][0] == JOIN
        and len(runs[0][0]) <= SIDE_CHARS
        and len(runs[2][0]) <= SIDE_CHARS
    )
